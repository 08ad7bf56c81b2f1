# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""The audit log: one JSON object per line for every tool call, whatever the transport.

Each record names the tool (and the API operation behind it), the outcome, the API's HTTP status,
the latency, the approval decision and the caller when known (the MCP client's name, the
authenticated principal on HTTP). A call refused before anything was sent (unknown tool, approval
declined or unavailable) is recorded too. Never secrets; argument values only when asked for
(`--audit-arguments`), and even then credential values are masked.

Records go to stderr by default (an MCP client keeps a stdio server's stderr as its log), to a
file (`--audit-log PATH`, appended; one write per line, so several processes may share it), or
nowhere (`--audit-log off`).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .approval import InputRequired
from .context import current_request
from .credentials import redact_value

if TYPE_CHECKING:
    from mcp import types

STDERR, OFF = "-", "off"


@dataclass
class CallRecord:
    """What one call did, filled in as it goes (see `note`)."""

    tool: str
    operation: str | None = None  # "DELETE /pets/{petId}": the API operation behind the tool
    status: int | None = None  # the API's final HTTP status, when a request was sent
    attempts: int = 0  # requests sent for the call: retries included (0: none, e.g. refused)
    approval: str = "not_required"  # approved, declined, cancelled, unavailable, not_required
    arguments: Any = None
    secrets: list[str] = field(default_factory=list)  # masked in the arguments; never written
    started: float = field(default_factory=time.monotonic)
    event: str = "tool_call"  # or "resource_read": a resource template read, which calls the tool
    resource: str | None = None  # the URI template read (its values are arguments)


current_record: ContextVar[CallRecord | None] = ContextVar("rest2mcp_call_record", default=None)


def note(**facts: Any) -> None:
    """Add facts to the record of the call being answered (nothing outside one)."""
    record = current_record.get()
    if record is not None:
        for key, value in facts.items():
            setattr(record, key, value)


def count_attempt() -> None:
    """One more request sent to the API for the call being answered (a retry, or a new token's)."""
    record = current_record.get()
    if record is not None:
        record.attempts += 1


def outcome_of(record: CallRecord, is_error: bool) -> str:
    if record.approval in ("declined", "cancelled", "unavailable"):
        return "refused"
    return "error" if is_error else "ok"


def caller_of(ctx: Any) -> str | None:
    """Who is calling, as far as the server knows: the authenticated principal, else the client's name."""
    try:
        from mcp.server.auth.middleware.auth_context import get_access_token

        token = get_access_token()
        if token is not None:
            return str(getattr(token, "client_id", None) or "authenticated")
    except ImportError:  # pragma: no cover -- an SDK without HTTP auth
        pass
    params = getattr(getattr(ctx, "session", None), "client_params", None)
    info = getattr(params, "client_info", None)
    name = getattr(info, "name", None)
    return str(name) if name else None


class JsonLines(logging.Formatter):
    """The server's own log records as JSON lines (`--log-json`), for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
                                 "level": record.levelname.lower(), "logger": record.name,
                                 "message": record.getMessage()}
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=True, default=str)


class AuditLog:
    """Writes records to `target`: "-" (stderr), "off", or a file path (appended)."""

    def __init__(self, target: str = STDERR, arguments: bool = False):
        self.target = target
        self.arguments = arguments
        self._fd: int | None = None
        if target not in (STDERR, OFF):
            # O_APPEND: each line is one write at the end, even with several writers.
            self._fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    @property
    def enabled(self) -> bool:
        return self.target != OFF

    def write(self, record: CallRecord, outcome: str, ctx: Any = None) -> None:
        if not self.enabled:
            return
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "event": record.event,
            "tool": record.tool,
            "operation": record.operation,
            "outcome": outcome,
            "status": record.status,
            "attempts": record.attempts,
            "latency_ms": round((time.monotonic() - record.started) * 1000, 1),
            "approval": record.approval,
            "caller": caller_of(ctx),
        }
        if record.resource is not None:
            entry["resource"] = record.resource
        if self.arguments:
            entry["arguments"] = redact_value(record.arguments, record.secrets) if record.secrets else record.arguments
        line = (json.dumps(entry, ensure_ascii=True, default=str) + "\n").encode()
        try:
            if self._fd is not None:
                os.write(self._fd, line)
            else:
                sys.stderr.buffer.write(line) if hasattr(sys.stderr, "buffer") else sys.stderr.write(line.decode())
                sys.stderr.flush()
        except (OSError, ValueError):  # a full disk or a closed stream must not fail the call
            pass

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


async def audited(log: AuditLog, record: CallRecord, ctx: Any,
                  call: Callable[[], Awaitable[types.CallToolResult]]) -> types.CallToolResult | types.InputRequiredResult:
    """`call()` made with the MCP request `ctx` and `record` current (for approval and `note`), and
    its outcome written to `log`: one rule for tools/call and resources/read. A 2026-07-28 approval
    question is returned as the `input_required` result to answer with."""
    tokens = current_request.set(ctx), current_record.set(record)
    try:
        result = await call()
    except InputRequired as asked:
        log.write(record, "input_required", ctx)
        return asked.result
    except BaseException:
        log.write(record, "cancelled", ctx)  # the client cancelled the call, or the server is stopping
        raise
    finally:
        current_record.reset(tokens[1])
        current_request.reset(tokens[0])
    log.write(record, outcome_of(record, bool(result.is_error)), ctx)
    return result
