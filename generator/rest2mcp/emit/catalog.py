"""The IR to the catalog (tools.json): the one writer of the contract in rest2mcp.runtime.catalog.

Built from the IR alone, without templates: `rest2mcp diff` compares catalogs of specs this way.
"""

from __future__ import annotations

from rest2mcp.mapping.ir import Api
from rest2mcp.runtime.catalog import FORMAT_VERSION, CatalogData


def catalog(api: Api) -> CatalogData:
    """The data the generated server loads: tools/list entries, request plans, schemes."""
    return {
        "formatVersion": FORMAT_VERSION,
        "tools": [tool.definition() for tool in api.tools],
        "plans": {tool.name: tool.plan() for tool in api.tools},
        "schemes": {scheme.key: scheme.plan() for scheme in api.used_schemes()},
    }
