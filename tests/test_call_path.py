"""What a tool call skips when it has nothing to gain: the worker thread for argument checks and
results without patterns to match, and the progress ticker when the client asked for no progress.
Each skip is checked together with the case where the work must still happen."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest
from helpers import call_in_memory, free_port, in_memory_server, text_of
from mcp import Client, types
from mcp.server import Server
from rest2mcp.runtime import progress
from rest2mcp.runtime.arguments import argument_errors, checked, has_patterns, validator_for
from rest2mcp.runtime.caller import QUICK_RESULT_BYTES
from rest2mcp.runtime.context import current_request
from upstream import Reply, Upstream

PETSTORE = Path(__file__).resolve().parents[1] / "generated" / "petstore"

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


@pytest.mark.parametrize(("schema", "arguments", "threaded"), [
    (PLAIN, {"petId": "one"}, False),
    (NESTED_PATTERN, {"pet": {"tag": "NO"}}, True),
    (PATTERN_NAMES, {"x-a": 1}, True),
])
def test_arguments_are_checked_in_a_thread_only_when_a_pattern_may_run_away(monkeypatch, schema, arguments, threaded):
    hops = _count_hops(monkeypatch)
    validator = validator_for(schema)
    problems = anyio.run(checked, validator, arguments)
    assert problems and problems == argument_errors(validator, arguments)
    assert hops == ([argument_errors] if threaded else [])


def _count_hops(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    hops: list[Any] = []
    real = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(func)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    return hops


@pytest.mark.parametrize("large", [False, True])
def test_calls_in_flight_together_hop_to_a_thread_only_for_a_large_body(monkeypatch, upstream: Upstream, large):
    """Ten calls at once, each waiting for the API: a small body is made a result in the event loop
    (a thread hop costs more than the work, and the work holds the GIL anyway); a large one in a
    worker thread. Every call still gets its own pet."""
    tag = "x" * (QUICK_RESULT_BYTES if large else 10)
    for number in range(10):
        upstream.reply("GET", f"/pets/{number}", Reply(200, json.dumps({"id": number, "name": f"pet-{number}",
                                                                         "tag": tag}).encode(), "application/json",
                                                         delay=0.5))
    hops = _count_hops(monkeypatch)
    server = in_memory_server(PETSTORE, "petstore_mcp", "--base-url", upstream.url,
                              environ={"PETSTORE_MCP_API_KEY": "k" * 20})
    results: dict[int, Any] = {}

    async def steps(client: Client) -> None:
        async def one(number: int) -> None:
            results[number] = await client.call_tool("showPetById", {"petId": str(number)})

        async with anyio.create_task_group() as group:
            for number in range(10):
                group.start_soon(one, number)

    started = time.monotonic()
    call_in_memory(server, steps)
    assert time.monotonic() - started < 4  # the calls overlapped: 10 x 0.5 s one after another is 5 s
    assert sorted(r.path for r in upstream.requests) == sorted(f"/pets/{n}" for n in range(10))
    for number, result in results.items():
        assert not result.is_error, text_of(result)
        assert result.structured_content == {"id": number, "name": f"pet-{number}", "tag": tag}
    assert [getattr(hop, "func", hop).__name__ for hop in hops] == (["success_result"] * 10 if large else [])


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


async def _over_http(server: Server[Any], steps: Any) -> Any:
    """`steps(client)` with a client of `server` over stateless Streamable HTTP (2026-07-28), on loopback."""
    import uvicorn
    from mcp.client.streamable_http import streamable_http_client

    port = free_port()
    app = server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, host="127.0.0.1")
    web = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    async with anyio.create_task_group() as group:
        group.start_soon(web.serve)
        while not web.started:
            await anyio.sleep(0.01)
        try:
            async with Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp")) as client:
                return await steps(client)
        finally:
            web.should_exit = True


@pytest.mark.parametrize("transport", ["memory", "http"])
@pytest.mark.parametrize("asked", [True, False])
def test_progress_ticks_only_for_a_client_that_asked(monkeypatch, asked, transport):
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

    async def steps(client: Client) -> None:
        result = await client.call_tool("slow", {}, progress_callback=on_progress if asked else None)
        assert not result.is_error

    async def main() -> None:
        if transport == "http":
            await _over_http(_progress_server(), steps)
        else:
            async with Client(_progress_server()) as client:
                await steps(client)

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

