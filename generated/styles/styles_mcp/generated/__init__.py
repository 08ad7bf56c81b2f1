"""The runtime of every generated MCP server: catalog in, MCP tools out, API calls made with httpx.

rest2mcp copies these modules verbatim into each generated package (as `MODULE/generated/`), so a
generated server depends on `mcp`, `httpx` and `jsonschema`, never on rest2mcp. Edit them here:
the copies in a generated package are overwritten at every regeneration. The modules import each
other relatively and nothing else of rest2mcp; the generator imports some of them to apply the
same rules (environment variable names, media types, header values, argument changes).
"""
