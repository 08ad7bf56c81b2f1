#!/usr/bin/env bash
# Install the peers bench/peers.py compares rest2mcp with, pinned, under bench/peers/:
# openapi-mcp-generator and what its generated TypeScript servers need to build and run
# (node_modules, by bench/peers/package-lock.json), and FastMCP with matplotlib (for the chart) in
# a virtual environment of their own (.venv, by bench/peers/requirements.txt): FastMCP pins its own
# `mcp`, which need not be rest2mcp's. Quick when already there.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/peers"
cd "$dir"

# --ignore-scripts: nothing here needs an install step.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
echo "peers installed in $dir: openapi-mcp-generator $(node -p 'require("./node_modules/openapi-mcp-generator/package.json").version'), fastmcp $(.venv/bin/python -c 'import fastmcp; print(fastmcp.__version__)')"
