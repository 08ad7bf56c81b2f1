"""rest2mcp: turn an OpenAPI document into an MCP server package."""

__version__ = "0.1.0"
