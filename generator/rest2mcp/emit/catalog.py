"""The IR to the catalog the generated server reads: the one writer of `runtime.catalog`'s formats.

Built from the IR alone, without templates: `rest2mcp diff` compares catalogs of specs this way.
"""

from __future__ import annotations

import json
from typing import Any

from rest2mcp.mapping.ir import Api
from rest2mcp.runtime.catalog import FORMAT_VERSION, CatalogData, IndexData, ToolsetEntry
from rest2mcp.runtime.display import printable


def catalog(api: Api) -> CatalogData:
    """tools.json: tools/list entries, request plans, the security schemes the plans name."""
    return {
        "formatVersion": FORMAT_VERSION,
        "tools": [tool.definition() for tool in api.tools],
        "plans": {tool.name: tool.plan() for tool in api.tools},
        "schemes": {scheme.key: scheme.plan() for scheme in api.used_schemes()},
    }


def instructions(api: Api) -> str:
    text = f"Tools that call the {api.title} API"
    if api.version:
        text += f" (version {api.version})"
    text += ". Each tool is one API operation; arguments are validated before the request is sent."
    return text


def index(api: Api) -> IndexData:
    """index.json: what the server reads at start (its name and defaults, the toolsets and their sizes)."""
    toolsets: dict[str, ToolsetEntry] = {}
    for name, size in api.toolset_sizes().items():
        entry: ToolsetEntry = {"tools": size}
        if api.toolsets.get(name):
            entry["description"] = api.toolsets[name]
        toolsets[name] = entry
    return {
        "formatVersion": FORMAT_VERSION,
        "name": api.package,
        "title": api.title,
        "envPrefix": api.env_prefix,
        "baseUrl": api.base_url,
        "baseUrlNote": api.base_url_note,
        "instructions": instructions(api),
        "mode": "discovery" if api.mode == "discovery" else "dynamic" if api.mode == "dynamic" else "tools",
        "tools": len(api.tools),
        "toolsets": toolsets,
    }


def to_json(data: Any) -> bytes:
    """Stable bytes: insertion order kept (it is deterministic), non-ASCII as is, one member a line;
    control and format characters as JSON escapes (the same data, shown safely)."""
    return (printable(json.dumps(data, ensure_ascii=False, indent=1), keep="\n") + "\n").encode("utf-8")
