# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Asking the user before a tool changes something: approval through MCP elicitation.

Which calls need approval: a tool's own setting (`requires_approval` in rest2mcp.toml, `x-mcp` or
overrides.TOOLS, carried as the plan's `approval`), else whether the tool is destructive (DELETE,
PUT, PATCH, or annotated `destructiveHint`); the server's `--approval` option can widen that to
every tool that writes, to every tool, or turn it off.

How the user is asked depends on the protocol era the client speaks:

- 2025-11-25 and before: an `elicitation/create` request to the client in the middle of the call,
  over the connection's back channel (stdio, or HTTP with a session).
- 2026-07-28: the call answers `input_required` with the question; the client asks the user and
  calls again with the answer and the `requestState` this server gave. That state is sealed by
  the SDK's request-state boundary (bound to the tool, its arguments, and an expiry), so an answer
  counts only for the very call it was asked about.

Only the user can approve: there is no argument a model could set to skip the question. When the
client cannot ask (no elicitation support, no back channel), the call is refused, nothing is
sent, and the result says how an operator can allow such calls. Declining or cancelling sends
nothing either.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mcp import types

from .context import request_context
from .display import printable

if TYPE_CHECKING:
    from .catalog import ToolDefinition, ToolPlan

Policy = Literal["configured", "writes", "all", "none"]
POLICIES: tuple[Policy, ...] = ("configured", "writes", "all", "none")
Decision = Literal["approved", "declined", "cancelled", "unavailable", "not_required"]
INPUT_KEY = "approval"
_STATE_PREFIX = "rest2mcp-approval:"
_MODERN = "2026-07-28"
_VALUE_LIMIT = 300
_SHOWN_ARGUMENTS = 30
_NO_BACK_CHANNEL = ("this connection cannot carry the question (stateless HTTP with a 2025-era client: a 2026-07-28 "
                    "client can answer over stateless HTTP, or the server can run with --http-sessions)")
# An empty form: the question is the message, and "accept" is the answer.
_FORM: dict[str, Any] = {"type": "object", "properties": {}}


class InputRequired(Exception):
    """The call must be answered with this `input_required` result (2026-07-28: the client asks the user)."""

    def __init__(self, result: types.InputRequiredResult):
        super().__init__("input required")
        self.result = result


@dataclass(frozen=True)
class Outcome:
    """What came of asking: the decision, and for anything but approval the result to answer with."""

    decision: Decision
    refusal: types.CallToolResult | None = None


def needs_approval(policy: Policy, definition: ToolDefinition, plan: ToolPlan) -> bool:
    if policy == "none":
        return False
    if policy == "all":
        return True
    annotations = definition.get("annotations") or {}
    read_only = annotations.get("readOnlyHint") is True
    if policy == "writes" and not read_only:
        return True
    if "approval" in plan:
        return plan["approval"] is True
    # Annotated destructive, as every generated DELETE, PUT and PATCH tool is; a hand-written tool
    # without annotations is not asked about (MCP's own default would call it destructive).
    return not read_only and annotations.get("destructiveHint") is True


def question(tool: str, title: str, display: str, arguments: Mapping[str, Any]) -> str:
    """What the user is shown: the tool, the request, and each argument on its own line."""
    lines = [f"Allow the tool {printable(tool)} to run?", f"It will send {printable(display)}"
             + (f" ({printable(title)})." if title else ".")]
    if arguments:
        lines.append("Arguments:")
        for name, value in list(arguments.items())[:_SHOWN_ARGUMENTS]:
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            if len(shown) > _VALUE_LIMIT:
                shown = shown[:_VALUE_LIMIT] + f"... ({len(shown) - _VALUE_LIMIT} more characters)"
            lines.append(f"  {printable(name)}: {printable(shown)}")
        if len(arguments) > _SHOWN_ARGUMENTS:
            lines.append(f"  ... and {len(arguments) - _SHOWN_ARGUMENTS} more")
    else:
        lines.append("No arguments.")
    lines.append("Accept to send it; decline to stop it (nothing is sent).")
    return "\n".join(lines)


def _refusal(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)


def _cannot_ask(tool: str, display: str, why: str) -> Outcome:
    return Outcome("unavailable", _refusal(
        f"Nothing was sent: the tool {tool} ({display}) needs the user's approval before it runs, and {why}. "
        "Use a client that supports MCP elicitation (forms), or ask the server's operator to allow this "
        "tool without approval: requires_approval = false for its operation in rest2mcp.toml (or x-mcp, or "
        "overrides.TOOLS), or start the server with --approval none."))


def _answered(decision: Literal["accept", "decline", "cancel"], tool: str, display: str) -> Outcome:
    if decision == "accept":
        return Outcome("approved")
    word = "declined" if decision == "decline" else "cancelled"
    return Outcome("declined" if decision == "decline" else "cancelled", _refusal(
        f"The user {word} this call, so nothing was sent ({tool}: {display}). Do not retry it unless the user "
        "asks for it again."))


def _can_elicit(ctx: Any) -> bool:
    capabilities = getattr(ctx.session, "client_capabilities", None)
    elicitation = getattr(capabilities, "elicitation", None)
    # A bare `elicitation: {}` (before modes existed) means forms; URL-only does not.
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def _modern(ctx: Any) -> bool:
    version = getattr(ctx, "protocol_version", None)
    return isinstance(version, str) and version >= _MODERN


async def ask(tool: str, title: str, display: str, arguments: Mapping[str, Any]) -> Outcome:
    """Ask the user whether to send `display` (raises InputRequired on the 2026-07-28 first round)."""
    ctx = request_context()
    if ctx is None:
        return _cannot_ask(tool, display, "this call did not come from an MCP client that could ask the user")
    message = question(tool, title, display, arguments)
    if _modern(ctx):
        return _ask_by_round_trip(ctx, tool, display, message)
    if not getattr(ctx.session, "can_send_request", True):
        return _cannot_ask(tool, display, _NO_BACK_CHANNEL)
    if not _can_elicit(ctx):
        return _cannot_ask(tool, display, "this MCP client cannot ask the user (it does not support elicitation)")
    from mcp.shared.exceptions import NoBackChannelError

    try:
        answer = await ctx.session.elicit_form(message, _FORM, related_request_id=ctx.request_id)
    except NoBackChannelError:
        return _cannot_ask(tool, display, _NO_BACK_CHANNEL)
    return _answered(answer.action, tool, display)


def _ask_by_round_trip(ctx: Any, tool: str, display: str, message: str) -> Outcome:
    params: Mapping[str, Any] = ctx.params or {}
    # The state names the question; the SDK's boundary has checked it is ours, for this tool and
    # these arguments, and not expired. An answer without our state is a first round.
    expected = _STATE_PREFIX + hashlib.sha256(message.encode("utf-8", "surrogatepass")).hexdigest()
    responses = params.get("inputResponses")
    answer = responses.get(INPUT_KEY) if isinstance(responses, Mapping) else None
    if params.get("requestState") == expected and answer is not None:
        try:
            result = types.ElicitResult.model_validate(answer)
        except ValueError:
            return Outcome("unavailable", _refusal(f"Nothing was sent: the client's answer to the approval "
                                                   f"question for {tool} was not a valid elicitation result."))
        return _answered(result.action, tool, display)
    if not _can_elicit(ctx):
        return _cannot_ask(tool, display, "this MCP client cannot ask the user (it does not support elicitation)")
    request = types.ElicitRequest(params=types.ElicitRequestFormParams(message=message, requested_schema=_FORM))
    raise InputRequired(types.InputRequiredResult(input_requests={INPUT_KEY: request}, request_state=expected))
