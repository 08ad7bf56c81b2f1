"""A generated server against a hostile document or a hostile API: credentials reach only the
origins the operator configured, responses and calls are bounded in size and time, a document's
pattern cannot stall the server, and what the model sends is checked before anything goes out.

In-process servers (the runtime in place, a catalog generated from a small document) through the
official MCP client, against recording upstreams on 127.0.0.1; the memory check runs a generated
package as a subprocess over stdio.
"""

from __future__ import annotations

import base64
import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import anyio
import pytest
from helpers import api_text, child_env, in_memory_server, text_of
from mcp import Client, StdioServerParameters
from rest2mcp.pipeline import Options, generate
from rest2mcp.runtime.errors import ToolError
from rest2mcp.runtime.options import OptionError
from rest2mcp.runtime.request import build_request
from upstream import Reply, Upstream, start_upstream

KEY, QUERY_KEY, COOKIE_KEY = "hdr-secret-123", "qry-secret-456", "ck-secret-789"
ENV = {"HOSTILE_MCP_HEADER": KEY, "HOSTILE_MCP_QUERY": QUERY_KEY, "HOSTILE_MCP_COOKIE": COOKIE_KEY}
OK = {"200": {"description": "ok"}}
MB = 1_000_000


def _document(elsewhere: str) -> dict:
    string = {"type": "string"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hostile", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "security": [{"header": [], "query": [], "cookie": []}],
        "components": {"securitySchemes": {
            "header": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            "query": {"type": "apiKey", "in": "query", "name": "api_key"},
            "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
        }},
        "paths": {
            "/ping": {"get": {"operationId": "ping", "responses": OK}},
            "/pets/{petId}": {"get": {"operationId": "getPet", "responses": OK, "parameters": [
                {"name": "petId", "in": "path", "required": True, "schema": string}]}},
            "/search": {"get": {"operationId": "search", "responses": OK, "parameters": [
                {"name": "name", "in": "query", "schema": {"type": "string", "pattern": "^(a+)+$"}},
                {"name": "tag", "in": "query", "schema": {"type": "string", "pattern": "^(a|a)+$"}},
                {"name": "weight", "in": "query", "schema": {"type": "number"}}]}},
            "/upload": {"post": {"operationId": "upload", "responses": OK, "requestBody": {"content": {
                "multipart/form-data": {"schema": {"type": "object", "properties": {
                    "file": {"type": "string", "format": "binary"}, "note": string}}}}}}},
            "/weigh": {"post": {"operationId": "weigh", "responses": OK, "requestBody": {"content": {
                "application/json": {"schema": {"type": "object", "properties": {"grams": {"type": "number"}}}}}}}},
            "/elsewhere": {"get": {"operationId": "elsewhere", "responses": OK, "servers": [{"url": elsewhere}]}},
        },
    }


@pytest.fixture(scope="module")
def other():
    """A second origin: another port on 127.0.0.1."""
    upstream, server = start_upstream()
    yield upstream
    server.shutdown()


@pytest.fixture
def package(tmp_path: Path, other: Upstream) -> Path:
    other.reset()
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(_document(other.url + "/v2")))
    out = tmp_path / "out"
    generate(str(spec), out, Options(models=False))
    return out


def _server(out: Path, *argv: str, environ: dict[str, str] | None = None):
    return in_memory_server(out, "hostile_mcp", *argv, environ={**ENV, **(environ or {})})


def _calls(server, *calls: tuple[str, dict]):
    async def main():
        async with Client(server) as client:
            return [await client.call_tool(name, arguments) for name, arguments in calls]

    return anyio.run(main)


def _secrets_in(upstream: Upstream) -> list[str]:
    seen = " ".join(f"{r.target} {r.headers} {r.body!r}" for r in upstream.requests)
    return [s for s in (KEY, QUERY_KEY, COOKIE_KEY) if s in seen]


# -- 11: operations naming their own server ----------------------------------------------------


def test_an_operation_server_on_another_origin_gets_requests_and_credentials_only_when_allowed(
        package, upstream: Upstream, other: Upstream):
    (result,) = _calls(_server(package, "--base-url", upstream.url), ("elsewhere", {}))
    assert not result.is_error, text_of(result)
    assert other.requests == [] and upstream.last().path == "/elsewhere"  # the base URL governs
    assert upstream.last().headers["x-api-key"] == KEY

    for argv, environ in (([ "--allow-origin", other.url], {}), ([], {"HOSTILE_MCP_ALLOWED_ORIGINS": other.url + "/"})):
        other.reset()
        (result,) = _calls(_server(package, "--base-url", upstream.url, *argv, environ=environ), ("elsewhere", {}))
        assert not result.is_error, text_of(result)
        assert other.last().path == "/v2/elsewhere" and other.last().headers["x-api-key"] == KEY


def test_allowed_origins_must_be_urls(package):
    with pytest.raises(OptionError, match="an allowed origin must be an http:// or https:// URL"):
        _server(package, "--allow-origin", "example.com")


# -- 12: redirects -------------------------------------------------------------------------------


def test_a_redirect_to_another_origin_is_reported_not_followed(package, upstream: Upstream, other: Upstream):
    upstream.reply("GET", "/ping", Reply(302, headers={"Location": other.url + "/collect"}))
    (result,) = _calls(_server(package, "--base-url", upstream.url), ("ping", {}))
    assert other.requests == [], _secrets_in(other)
    assert result.is_error and f"redirected GET /ping to {other.url}/collect (HTTP 302)" in text_of(result)


def test_a_redirect_within_the_origin_is_followed_with_the_credentials(package, upstream: Upstream):
    upstream.reply("POST", "/upload", Reply(307, headers={"Location": "/upload-here"}))
    upstream.reply("POST", "/upload-here", Reply.json({"stored": True}))
    (result,) = _calls(_server(package, "--base-url", upstream.url), ("upload", {"note": "n"}))
    assert not result.is_error and json.loads(api_text(result)) == {"stored": True}
    first, final = upstream.requests
    assert final.path == "/upload-here" and final.body == first.body
    assert final.headers["x-api-key"] == KEY and final.headers["cookie"] == f"session={COOKIE_KEY}"


def test_a_redirect_to_an_allowed_origin_is_followed(package, upstream: Upstream, other: Upstream):
    upstream.reply("GET", "/ping", Reply(302, headers={"Location": other.url + "/mirror"}))
    (result,) = _calls(_server(package, "--base-url", upstream.url, "--allow-origin", other.url), ("ping", {}))
    assert not result.is_error and other.last().path == "/mirror"


# -- 13: size and time -------------------------------------------------------------------------


def _trickle():
    for _ in range(40):  # one byte every 0.2 s: every read succeeds, the response takes 8 s
        time.sleep(0.2)
        yield b" "


def test_the_timeout_bounds_the_whole_call(package, upstream: Upstream):
    upstream.reply("GET", "/ping", Reply(200, content_type="application/json", stream=_trickle))
    server = _server(package, "--base-url", upstream.url, "--timeout", "1.5")
    started = time.monotonic()
    (result,) = _calls(server, ("ping", {}))
    took = time.monotonic() - started
    assert result.is_error and "the call took longer than 1.5 s" in text_of(result)
    assert took < 3.5, took


def test_a_response_over_the_byte_limit_is_refused_naming_the_limit(package, upstream: Upstream):
    upstream.reply("GET", "/ping", Reply(200, content_type="text/plain", stream=lambda: iter([b"x" * 1000] * 5)))
    (result,) = _calls(_server(package, "--base-url", upstream.url, "--max-response-bytes", "4000"), ("ping", {}))
    # the API did what the call asked (HTTP 200): a success, so that the model does not repeat it
    assert not result.is_error and text_of(result) == (
        "The request succeeded (HTTP 200), but the API's response is larger than this server's limit of 4,000 "
        "bytes, so it was not read. Ask for less (a filter, a smaller page), or raise the server's "
        "--max-response-bytes.")
    upstream.reply("GET", "/ping", Reply(500, content_type="text/plain", stream=lambda: iter([b"x" * 1000] * 5)))
    (result,) = _calls(_server(package, "--base-url", upstream.url, "--max-response-bytes", "4000"), ("ping", {}))
    assert result.is_error and text_of(result).startswith(
        "The API answered HTTP 500, and its response is larger than this server's limit of 4,000 bytes")
    upstream.reply("GET", "/ping", Reply(200, content_type="text/plain", stream=lambda: iter([b"x" * 1000] * 5)))
    (result,) = _calls(_server(package, "--base-url", upstream.url, "--max-response-bytes", "5000"), ("ping", {}))
    assert not result.is_error and api_text(result) == "x" * 5000


def _filler(total: int, head: bytes = b"", tail: bytes = b""):
    def pieces():
        yield head
        left = total - len(head) - len(tail)
        block = b"a" * 1_048_576
        while left > 0:
            yield block[:left]
            left -= len(block)
        yield tail

    return pieces


def _peak_rss_of_child(marker: str) -> int:
    """VmHWM (peak resident set) in bytes of this process's child whose command line holds `marker`."""
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            if marker in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                status = Path(f"/proc/{pid}/status").read_text()
                return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) * 1024
    raise AssertionError(f"no child process runs {marker}")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.e2e
def test_huge_responses_keep_a_stdio_server_small_and_responsive(package, upstream: Upstream):
    size = 200 * MB
    upstream.reply("GET", "/ping", Reply(200, content_type="application/json", length=size,
                                         stream=_filler(size, b'{"data": "', b'"}')))
    upstream.reply("GET", "/pets/1", Reply(200, content_type="application/octet-stream", stream=_filler(size)))
    upstream.reply("GET", "/pets/2", Reply.json({"name": "Rex"}))
    target = StdioServerParameters(command=sys.executable, args=["-m", "hostile_mcp", "--base-url", upstream.url],
                                   env=child_env(PYTHONPATH=str(package), **ENV))

    async def main():
        with anyio.fail_after(60):  # a wedged session fails the test instead of stalling it
            async with Client(target) as client:
                results = [await client.call_tool("ping", {}), await client.call_tool("getPet", {"petId": "1"}),
                           await client.call_tool("getPet", {"petId": "2"})]
                return results, _peak_rss_of_child("hostile_mcp")

    started = time.monotonic()
    (json_body, binary, small), peak = anyio.run(main)
    for result in (json_body, binary):  # HTTP 200: the call succeeded, its response was not read
        assert not result.is_error and "larger than this server's limit of 10,000,000 bytes" in text_of(result)
    assert not small.is_error and json.loads(api_text(small)) == {"name": "Rex"}
    print(f"peak RSS of the server: {peak / MB:.0f} MB, {time.monotonic() - started:.1f} s")
    assert peak < 300 * MB, peak


# -- 14: patterns ----------------------------------------------------------------------------


@pytest.mark.parametrize("argument", ["name", "tag"])
def test_a_hostile_pattern_neither_stalls_the_server_nor_delays_another_call(package, upstream: Upstream, argument):
    server = _server(package, "--base-url", upstream.url)
    hostile = {argument: "a" * 25 + "!"}
    times: dict[str, float] = {}

    async def main():
        async with Client(server) as client:
            await client.call_tool("ping", {})  # warm: the catalog is loaded
            started = time.monotonic()
            results: dict[str, object] = {}

            async def call(name: str, arguments: dict) -> None:
                results[name] = await client.call_tool(name, arguments)
                times[name] = time.monotonic() - started

            async with anyio.create_task_group() as group:
                group.start_soon(call, "search", hostile)
                await anyio.sleep(0.05)
                group.start_soon(call, "ping", {})
            return results

    results = anyio.run(main)
    # the other call does not wait for the pattern's 1 s budget to run out
    assert not results["ping"].is_error and times["ping"] < 1.0, times
    searched = results["search"]
    assert searched.is_error and text_of(searched).startswith(f"Invalid arguments:\n- {argument}: "), text_of(searched)
    # stopped by the 1 s budget (unbounded, this match would run for years); generous for loaded machines
    assert times["search"] < 10, times
    assert all(r.path != "/search" for r in upstream.requests)


def test_patterns_still_match_what_they_describe(package, upstream: Upstream):
    (result,) = _calls(_server(package, "--base-url", upstream.url), ("search", {"name": "aaa", "tag": "aa"}))
    assert not result.is_error, text_of(result)
    assert upstream.last().target.startswith("/search?name=aaa&tag=aa")


# -- 15: "." and ".." as path values ---------------------------------------------------------


@pytest.mark.parametrize("value", [".", ".."])
def test_relative_steps_are_refused_as_path_values(package, upstream: Upstream, value):
    tools = json.loads((package / "hostile_mcp" / "generated" / "tools.json").read_text())
    schema = next(t for t in tools["tools"] if t["name"] == "getPet")["inputSchema"]["properties"]["petId"]
    assert schema["not"] == {"enum": [".", ".."]}
    (result,) = _calls(_server(package, "--base-url", upstream.url), ("getPet", {"petId": value}))
    assert result.is_error and "- petId: " in text_of(result) and upstream.requests == []


@pytest.mark.parametrize("value", [".", "..", ["a", ".."], {"k": ".."}])
def test_the_runtime_refuses_relative_steps_whatever_the_schema_says(value):
    plan = {"method": "GET", "path": "/pets/{petId}",
            "arguments": {"petId": {"in": "path", "name": "petId", "style": "simple", "explode": False}}}
    with pytest.raises(ToolError, match=r"- petId: '\.' and '\.\.' are not allowed in a path parameter"):
        build_request("http://h", "ua", plan, {}, {"petId": value}, {})


# -- 16: discovery mode's own tools ----------------------------------------------------------


@pytest.mark.parametrize("name,arguments,field", [
    ("search_operations", {}, "query"),
    ("search_operations", {"query": 5}, "query"),
    ("search_operations", {"query": "pets", "limit": 0}, "limit"),
    ("search_operations", {"query": "pets", "limit": 51}, "limit"),
    ("search_operations", {"query": "pets", "limit": "ten"}, "limit"),
    ("describe_operation", {}, "name"),
    ("describe_operation", {"name": ["ping"]}, "name"),
    ("call_operation", {"arguments": {}}, "name"),
    ("call_operation", {"name": "ping", "arguments": "none"}, "arguments"),
    ("call_operation", {"name": "getPet", "arguments": {"petId": ".."}}, "petId"),
])
def test_discovery_tools_answer_bad_arguments_with_results_naming_the_field(package, upstream, name, arguments, field):
    (result,) = _calls(_server(package, "--base-url", upstream.url, "--mode", "discovery"), (name, arguments))
    assert result.is_error and f"- {field}: " in text_of(result), text_of(result)
    assert upstream.requests == []


# -- 17: secrets echoed in binary results ------------------------------------------------------


def test_secrets_are_masked_in_images_blobs_and_resource_uris(package, upstream: Upstream):
    echo = f"<{KEY}|{QUERY_KEY}|{COOKIE_KEY}>".encode()
    upstream.reply("GET", "/pets/img", Reply(200, b"\x89PNG" + echo, "image/png"))
    upstream.reply("GET", "/pets/bin", Reply(302, headers={"Location": f"/files/{KEY}/data"}))
    upstream.reply("GET", f"/files/{KEY}/data", Reply(200, b"\x00\x01" + echo, "application/octet-stream"))
    image, blob = _calls(_server(package, "--base-url", upstream.url),
                         ("getPet", {"petId": "img"}), ("getPet", {"petId": "bin"}))
    assert not image.is_error and not blob.is_error
    assert base64.b64decode(image.content[0].data) == b"\x89PNG<***|***|***>"
    resource = blob.content[0].resource
    assert base64.b64decode(resource.blob) == b"\x00\x01<***|***|***>"
    assert KEY not in resource.uri and resource.uri.endswith("/files/***/data")


# -- 18: multipart file names, NaN and Infinity --------------------------------------------------


def test_a_backslash_in_a_multipart_filename_is_escaped(package, upstream: Upstream):
    file = {"content": base64.b64encode(b"hi").decode(), "filename": 'evil\\', "contentType": "text/plain"}
    (result,) = _calls(_server(package, "--base-url", upstream.url), ("upload", {"file": file, "note": "n"}))
    assert not result.is_error, text_of(result)
    body = upstream.last().body
    assert b'name="file"; filename="evil\\\\"\r\n' in body and b'name="note"\r\n' in body


def _raw_stdio(out: Path, base_url: str, calls: list[str]) -> dict[int, dict]:
    """Raw JSON-RPC lines (`calls`: tools/call params as JSON text, ids from 2) to a stdio server:
    its answers by id. The official client cannot send what these do (NaN, Infinity)."""
    process = subprocess.Popen([sys.executable, "-m", "hostile_mcp", "--base-url", base_url], text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env=child_env(PYTHONPATH=str(out), **ENV))
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    hello = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}
    sent = [json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": hello}),
            json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"})]
    sent += [f'{{"jsonrpc": "2.0", "id": {n}, "method": "tools/call", "params": {params}}}'
             for n, params in enumerate(calls, 2)]
    answers: dict[int, dict] = {}
    try:
        assert process.stdin is not None
        process.stdin.write("".join(line + "\n" for line in sent))
        process.stdin.flush()
        while len(answers) < len(calls) + 1:
            message = json.loads(lines.get(timeout=30))
            if "id" in message:
                answers[message["id"]] = message
    finally:
        process.kill()
        process.wait()
    return answers


def test_nan_and_infinity_are_refused_naming_the_field(package, upstream: Upstream):
    calls = [f'{{"name": "{tool}", "arguments": {{"{field}": {value}}}}}'
             for value in ("NaN", "Infinity", "-Infinity") for tool, field in (("search", "weight"), ("weigh", "grams"))]
    answers = _raw_stdio(package, upstream.url, calls)
    for number, call in enumerate(calls, 2):
        result = answers[number]["result"]
        field = "weight" if "weight" in call else "grams"
        assert result["isError"], call
        assert f"- {field}: NaN and Infinity are not JSON numbers" in result["content"][0]["text"], result
    assert upstream.requests == []
