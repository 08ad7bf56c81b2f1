#!/usr/bin/env bash
# Install Prism, the validating mock server bench/fidelity.py checks requests against, into
# bench/prism/node_modules at the version pinned by bench/prism/package-lock.json.
# Quick and silent when that version is already there.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/prism"
cd "$dir"

wanted="$(node -p 'require("./package-lock.json").packages["node_modules/@stoplight/prism-cli"].version')"
installed="$(node -p 'require("./node_modules/@stoplight/prism-cli/package.json").version' 2>/dev/null || true)"
if [ "$installed" = "$wanted" ] && [ -x node_modules/.bin/prism ]; then
    echo "prism $installed already installed in $dir"
    exit 0
fi

# --ignore-scripts: Prism needs no install step, and its only install script is a telemetry
# beacon (scarf) that would try to reach the network.
SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
echo "prism $(node_modules/.bin/prism --version) installed in $dir"
