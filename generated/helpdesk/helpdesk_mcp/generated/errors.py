# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""The one exception a tool call may raise on purpose."""

from __future__ import annotations


class ToolError(Exception):
    """A failure reported to the model as an `isError` result, with this message.

    `overrides.before_request` may raise it to refuse a call.
    """
