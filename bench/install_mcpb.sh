#!/usr/bin/env bash
# Install the MCPB command line (@anthropic-ai/mcpb, npm) into bench/mcpb/node_modules at the version
# pinned by bench/mcpb/package-lock.json: tests/test_publishing.py runs `mcpb validate` and `mcpb pack`
# on a generated package. Nothing is installed globally. Quick and silent when it is already there.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/mcpb"
cd "$dir"

wanted="$(node -p 'require("./package-lock.json").packages["node_modules/@anthropic-ai/mcpb"].version')"
installed="$(node -p 'require("./node_modules/@anthropic-ai/mcpb/package.json").version' 2>/dev/null || true)"
if [ "$installed" = "$wanted" ] && [ -x node_modules/.bin/mcpb ]; then
    echo "mcpb $installed already installed in $dir"
    exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "mcpb $(node -p 'require("./node_modules/@anthropic-ai/mcpb/package.json").version') installed in $dir"
