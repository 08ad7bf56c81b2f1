"""The one exception a tool call may raise on purpose."""

from __future__ import annotations


class ToolError(Exception):
    """A failure reported to the model as an `isError` result, with this message.

    `overrides.before_request` may raise it to refuse a call.
    """
