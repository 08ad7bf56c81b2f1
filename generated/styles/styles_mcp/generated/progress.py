# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Progress while a call waits for the API, so that a client (and its user) sees a slow call is alive.

When the client's tools/call carries a progress token (`_meta.progressToken`), the server sends
`notifications/progress` about every TICK_SECONDS while the API has not answered: the seconds
waited so far and what is being waited for. Without a token, reporting is a no-op in the SDK.

Cancellation needs nothing here: when the client cancels a call (`notifications/cancelled`, or
it drops the request), the SDK cancels the handler's task, which cancels the httpx request in
flight, and httpx closes its connection, so the API sees the request abandoned.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from .context import request_context

TICK_SECONDS = 1.0
T = TypeVar("T")


async def waiting(work: Callable[[], Awaitable[T]], what: str) -> T:
    """`work()`, with progress reported to the client every TICK_SECONDS until it ends."""
    import anyio

    context = request_context()
    session = getattr(context, "session", None)
    report = getattr(session, "report_progress", None)
    if report is None or not _may_report(context, session):  # nobody to tell: no ticking task
        return await work()
    outcome: list[T] = []
    failure: list[Exception] = []
    async with anyio.create_task_group() as group:
        group.start_soon(_tick, report, what)
        try:
            outcome.append(await work())
        except Exception as exc:  # noqa: BLE001 -- raised again below, outside the task group
            failure.append(exc)
        finally:
            group.cancel_scope.cancel()
    if failure:
        raise failure[0]
    return outcome[0]


def _may_report(context: Any, session: Any) -> bool:
    """False when the request is known to take no progress: no `progressToken` in its `_meta` and a
    channel that says it has none (JSON-RPC, or one stateless HTTP exchange) or no callback
    (in-memory). Whatever is not known that way reports, as every request did before: reporting
    without a token is a no-op."""
    meta = getattr(context, "meta", None)
    if isinstance(meta, dict) and meta.get("progressToken") is not None:
        return True
    channel = getattr(session, "_request_outbound", None)
    for _ in range(3):  # wrappers keep the dispatcher's context as `_inner`
        if channel is None:
            break
        if hasattr(channel, "_progress_token"):
            return channel._progress_token is not None
        if hasattr(channel, "progress_token"):  # a 2026-07-28 request over Streamable HTTP
            return channel.progress_token is not None
        if hasattr(channel, "_on_progress"):
            return channel._on_progress is not None
        channel = getattr(channel, "_inner", None)
    return True


async def _tick(report: Callable[..., Awaitable[Any]], what: str) -> None:
    import anyio

    started = time.monotonic()
    while True:
        await anyio.sleep(TICK_SECONDS)
        waited = time.monotonic() - started
        try:
            await report(round(waited, 1), None, f"Waiting for the API to answer {what} ({waited:.0f} s)")
        except Exception:  # noqa: BLE001 -- a client that cannot take progress does not fail the call
            return
