"""Your customizations of the generated tools.

rest2mcp creates this file once and never changes or deletes it when you regenerate: it is
yours. Everything here is optional; the server works with this file as it is.
"""

from __future__ import annotations

from typing import Any

# Changes to generated tools, keyed by the generated tool name, in the words rest2mcp.toml uses:
#   "name", "title", "description": replace them;
#   "annotations": merged into the generated annotations (e.g. {"destructiveHint": False});
#   "exclude": True leaves the tool out of tools/list and refuses calls to it;
#   "toolsets": the groups --toolsets selects the tool by;
#   "requires_approval": True asks the user before each call, False never (default: destructive tools do);
#   "arguments": {argument: {"description": ..., "default": value, "fixed": value}}: a default is
#       shown to the model and sent when it gives no value; a fixed value is hidden and always sent.
# Example:
#   TOOLS = {"deletePet": {"exclude": True},
#            "listPets": {"name": "pets", "arguments": {"limit": {"fixed": 50}}}}
TOOLS: dict[str, dict[str, Any]] = {}


async def before_request(tool: str, request: Any) -> None:
    """Adjust a request before it is sent: `request.url`, `request.headers`, `request.content`.

    `tool` is the generated tool name. Raise `ToolError` (from .generated.errors) to refuse the
    call with a message the model sees.
    """


async def after_response(tool: str, response: Any, result: Any) -> Any:
    """Reshape a result: `response` is the httpx.Response, `result` the CallToolResult built from it.

    Return the result to send (the same object, changed, or a new one).
    """
    return result


# Hand-written tools: (MCP tool definition, async handler). The handler gets the arguments
# (already validated against inputSchema) and returns a CallToolResult, a dict (sent as
# structured content and JSON text) or a string.
# Example:
#   async def ping(arguments): return {"ok": True}
#   EXTRA_TOOLS = [({"name": "ping", "description": "Check the server", "inputSchema": {"type": "object"}}, ping)]
EXTRA_TOOLS: list[tuple[dict[str, Any], Any]] = []
