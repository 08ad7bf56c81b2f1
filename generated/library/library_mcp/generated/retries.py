# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Retries of calls the API may safely receive twice, with exponential backoff and jitter.

Retried: connection failures and HTTP 429, 502, 503 and 504, for idempotent methods (GET, HEAD,
OPTIONS, PUT, DELETE) and for POST and PATCH only when the operation declares an idempotency-key
header (the caller sends the same key on every attempt). A `Retry-After` (seconds or an HTTP date)
is waited for when it is at most `max_wait`; longer, or past the call's deadline, the call gives up
at once and says how long the API asked to wait. The loop is tenacity's.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx
    from tenacity import RetryCallState

    from .catalog import ToolPlan

RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
IDEMPOTENCY_HEADER = re.compile(r"^(x-)?idempoten(cy|t)[-_]?key$", re.IGNORECASE)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # in all, the first one included
    max_wait: float = 30.0  # the longest pause, a Retry-After included
    backoff: float = 0.5  # the first pause without Retry-After; doubled each time, plus up to as much jitter


@dataclass
class Sent:
    """The last response, how many attempts it took, and the pause before another one would be made."""

    response: httpx.Response
    attempts: int
    wait: float | None = None  # seconds: what the API asked for (Retry-After), else the next backoff
    asked: bool = False  # `wait` is the API's own Retry-After


class Unreachable(Exception):
    """Every attempt failed to reach the API; the message is the result's text."""


def idempotency_argument(plan: ToolPlan) -> str | None:
    """The input property the operation sends as its idempotency-key header, if it declares one."""
    for name, where in plan["arguments"].items():
        if where["in"] == "header" and IDEMPOTENCY_HEADER.match(where.get("name", name)):
            return name
    return None


def may_retry(plan: ToolPlan) -> bool:
    return plan["method"].upper() in IDEMPOTENT or idempotency_argument(plan) is not None


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The seconds a `Retry-After` header asks for (a number or an HTTP date), None without one."""
    raw = headers.get("retry-after", "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return float(raw)
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _transient() -> tuple[type[BaseException], ...]:
    import httpx

    # The request did not reach the API, or its answer was lost before it began: safe to repeat.
    return (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


async def send(attempt: Callable[[], Awaitable[httpx.Response]], policy: RetryPolicy, retryable: bool,
               deadline: float) -> Sent:
    """`attempt()` until it succeeds, may not be retried, or gives up; `deadline`: anyio's clock."""
    if not retryable or policy.attempts <= 1:
        response = await attempt()
        wait = retry_after(response.headers)
        return Sent(response, 1, wait, wait is not None)
    # The first attempt is made here: most calls need no retry, and so never import tenacity (0.1 s).
    try:
        first: httpx.Response | BaseException = await attempt()
    except _transient() as exc:
        first = exc
    if not isinstance(first, BaseException) and first.status_code not in RETRY_STATUSES:
        return Sent(first, 1)
    return await _again(attempt, first, policy, deadline)


async def _again(attempt: Callable[[], Awaitable[httpx.Response]], first: httpx.Response | BaseException,
                 policy: RetryPolicy, deadline: float) -> Sent:
    """The retries after a `first` outcome that may be retried; tenacity's loop, which replays it."""
    import anyio
    from tenacity import AsyncRetrying, retry_if_exception_type, retry_if_result

    pending: list[httpx.Response | BaseException] = [first]

    async def replayed() -> httpx.Response:
        if pending:
            outcome = pending.pop()
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome
        return await attempt()

    def pause(state: RetryCallState) -> float:
        asked = _asked(state)
        if asked is not None:
            return asked
        doubled = policy.backoff * 2.0 ** (state.attempt_number - 1)
        return min(policy.max_wait, doubled + random.uniform(0, policy.backoff))  # jitter: clients apart

    def stop(state: RetryCallState) -> bool:
        wait = state.upcoming_sleep
        return (state.attempt_number >= policy.attempts or wait > policy.max_wait
                or anyio.current_time() + wait >= deadline)

    def gave_up(state: RetryCallState) -> Sent:
        assert state.outcome is not None
        error = state.outcome.exception()
        if error is not None:
            raise Unreachable(f"Could not reach the API ({_times(state.attempt_number)}): "
                              f"{type(error).__name__}: {error}. Try again later.") from error
        response: httpx.Response = state.outcome.result()
        return Sent(response, state.attempt_number, state.upcoming_sleep, _asked(state) is not None)

    retrying = AsyncRetrying(
        sleep=anyio.sleep, stop=stop, wait=pause, retry_error_callback=gave_up,
        retry=retry_if_exception_type(_transient()) | retry_if_result(lambda r: r.status_code in RETRY_STATUSES))
    outcome: httpx.Response | Sent = await retrying(replayed)
    if isinstance(outcome, Sent):
        return outcome
    return Sent(outcome, int(retrying.statistics.get("attempt_number", 1)))


def _asked(state: RetryCallState) -> float | None:
    if state.outcome is None or state.outcome.failed:
        return None
    response: httpx.Response = state.outcome.result()
    return retry_after(response.headers)


def _times(attempts: int) -> str:
    return "1 attempt" if attempts == 1 else f"{attempts} attempts"


def give_up_note(sent: Sent, retryable: bool, method: str) -> str | None:
    """What a failed call's result adds when the API was busy or unavailable: when to try again."""
    if sent.response.status_code not in RETRY_STATUSES:
        return None
    if not retryable:
        why = (f"It was not retried: a {method} without an idempotency key may not be repeated safely, so check "
               "whether it took effect before calling again.")
    else:
        why = f"Gave up after {_times(sent.attempts)}."
    if sent.wait is None:
        return why
    wait = format(max(1, round(sent.wait)), ",")
    if sent.asked:
        return f"{why} The API asks to wait {wait} s before trying again (Retry-After)."
    return f"{why} Try again in about {wait} s."
