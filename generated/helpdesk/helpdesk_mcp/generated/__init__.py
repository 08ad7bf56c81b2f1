# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""The runtime of every generated MCP server: catalog in, MCP tools out, API calls made with httpx.

rest2mcp copies these modules verbatim into each generated package (as `MODULE/generated/`), so a
generated server depends on `mcp`, `httpx`, `jsonschema` and `regex`, never on rest2mcp. The modules import
each other relatively and nothing else of rest2mcp; the generator imports some of them to apply
the same rules (environment variable names, media types, header values, argument changes).
"""
