"""What a tool call skips when it has nothing to gain: the worker thread for argument checks and
results without patterns to match, and the progress ticker when the client asked for no progress.
Each skip is checked together with the case where the work must still happen."""

from __future__ import annotations

from typing import Any

import anyio
import anyio.to_thread
import pytest
from mcp import Client, types
from mcp.server import Server
from rest2mcp.runtime import progress
from rest2mcp.runtime.arguments import argument_errors, checked, has_patterns, validator_for
from rest2mcp.runtime.context import current_request

PLAIN = {"type": "object", "properties": {"petId": {"type": "integer"}}, "required": ["petId"]}
NESTED_PATTERN = {"type": "object", "properties": {"pet": {"$ref": "#/$defs/Pet"}},
                  "$defs": {"Pet": {"type": "object", "properties": {"tag": {"type": "string", "pattern": "^[a-z]+$"}}}}}
PATTERN_NAMES = {"type": "object", "patternProperties": {"^x-": {"type": "string"}}}


def test_patterns_are_found_wherever_the_schema_has_them():
    assert not has_patterns(PLAIN)
    assert has_patterns(NESTED_PATTERN)
    assert has_patterns(PATTERN_NAMES)
    assert has_patterns({"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "a"}]})
    # the answer is kept per schema object, never confused between two schemas
    assert not has_patterns({"type": "object"}) and has_patterns({"type": "string", "pattern": "b"})


@pytest.mark.parametrize(("schema", "arguments", "alone", "threaded"), [
    (PLAIN, {"petId": "one"}, True, False),
    (PLAIN, {"petId": "one"}, False, True),  # other calls in flight: the loop serves them meanwhile
    (NESTED_PATTERN, {"pet": {"tag": "NO"}}, True, True),
    (PATTERN_NAMES, {"x-a": 1}, True, True),
])
def test_arguments_are_checked_in_a_thread_when_a_pattern_may_run_away_or_others_wait(
        monkeypatch, schema, arguments, alone, threaded):
    hops: list[Any] = []
    real = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(func)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    validator = validator_for(schema)
    problems = anyio.run(checked, validator, arguments, alone)
    assert problems and problems == argument_errors(validator, arguments)
    assert hops == ([argument_errors] if threaded else [])


def _progress_server() -> Server[Any]:
    async def call_tool(ctx: Any, params: Any) -> types.CallToolResult:
        token = current_request.set(ctx)
        try:
            await progress.waiting(lambda: anyio.sleep(0.3), "GET /slow")
        finally:
            current_request.reset(token)
        return types.CallToolResult(content=[types.TextContent(type="text", text="done")])

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[types.Tool(name="slow", input_schema={"type": "object"})])

    return Server("progress", on_call_tool=call_tool, on_list_tools=list_tools)


@pytest.mark.parametrize("asked", [True, False])
def test_progress_ticks_only_for_a_client_that_asked(monkeypatch, asked):
    ticks: list[str] = []
    real_tick = progress._tick

    async def tick(report: Any, what: str) -> None:
        ticks.append(what)
        await real_tick(report, what)

    monkeypatch.setattr(progress, "_tick", tick)
    monkeypatch.setattr(progress, "TICK_SECONDS", 0.05)
    reports: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        reports.append(value)

    async def main() -> None:
        async with Client(_progress_server()) as client:
            result = await client.call_tool("slow", {}, progress_callback=on_progress if asked else None)
            assert not result.is_error

    anyio.run(main)
    if asked:
        assert ticks == ["GET /slow"] and len(reports) >= 2
    else:
        assert ticks == [] and reports == []


def test_unknown_channels_still_report():
    """A request context this module cannot read keeps the ticker: reporting then is harmless."""
    class Session:
        _request_outbound = object()

    assert progress._may_report(None, Session())
    assert progress._may_report(type("Ctx", (), {"meta": {"progressToken": 1}})(), None)

