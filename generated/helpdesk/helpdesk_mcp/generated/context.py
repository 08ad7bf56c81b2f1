# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""The MCP request being answered, for the code deep in a call that needs it (asking the user for
approval, telling the client the tool list changed, naming the caller in the audit record)
without threading it through every signature. Set by the server's handlers; None outside one
(in-process calls, tests)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

current_request: ContextVar[Any] = ContextVar("rest2mcp_current_request", default=None)


def request_context() -> Any:
    """The SDK's ServerRequestContext of the request being answered, or None."""
    return current_request.get()
