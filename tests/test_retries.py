"""Retries toward the API, and the concurrency limit: a generated server (in process, through the
official MCP client) against a recording upstream on 127.0.0.1 that answers 503, 429 and 200 in a
scripted order; waits are measured on the real clock."""

from __future__ import annotations

import json
import time
from email.utils import formatdate
from pathlib import Path

import anyio
import pytest
from helpers import api_text, free_port, in_memory_server, text_of
from mcp import Client
from rest2mcp.pipeline import Options, generate
from rest2mcp.runtime.options import OptionError
from rest2mcp.runtime.retries import retry_after
from upstream import Reply, Upstream

OK = {"200": {"description": "ok"}}
BUSY = Reply(503, b"busy", "text/plain")


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    body = {"content": {"application/json": {"schema": {"type": "object"}}}}
    key = {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Flaky", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {
            "/items": {"get": {"operationId": "listItems", "responses": OK},
                       "post": {"operationId": "createItem", "requestBody": body, "responses": OK}},
            "/payments": {"post": {"operationId": "pay", "parameters": [key], "requestBody": body, "responses": OK}},
        },
    }
    folder = tmp_path_factory.mktemp("retries")
    (folder / "openapi.json").write_text(json.dumps(document))
    generate(str(folder / "openapi.json"), folder / "out", Options(models=False))
    return folder / "out"


def _call(package: Path, base_url: str, name: str, arguments: dict, *argv: str, environ: dict | None = None):
    server = in_memory_server(package, "flaky_mcp", "--base-url", base_url, *argv, environ=environ)

    async def main():
        async with Client(server) as client:
            started = time.monotonic()
            result = await client.call_tool(name, arguments)
            return result, time.monotonic() - started

    return anyio.run(main)


def test_a_get_failing_twice_with_503_succeeds_on_the_third_attempt(package, upstream: Upstream):
    upstream.script("GET", "/items", BUSY, Reply(502), Reply.json({"items": [1]}))
    result, _ = _call(package, upstream.url, "listItems", {})
    assert not result.is_error, text_of(result)
    assert json.loads(api_text(result)) == {"items": [1]}
    assert [r.path for r in upstream.requests] == ["/items"] * 3


def test_retry_after_in_seconds_is_waited_for(package, upstream: Upstream):
    upstream.script("GET", "/items", Reply(429, headers={"Retry-After": "2"}), Reply.json({"ok": True}))
    result, elapsed = _call(package, upstream.url, "listItems", {})
    assert not result.is_error and len(upstream.requests) == 2
    assert 1.9 <= elapsed < 3.5, elapsed


def test_retry_after_as_an_http_date_is_waited_for(package, upstream: Upstream):
    upstream.script("GET", "/items", Reply(503, headers={"Retry-After": formatdate(time.time() + 2, usegmt=True)}),
                    Reply.json({"ok": True}))
    result, elapsed = _call(package, upstream.url, "listItems", {})
    assert not result.is_error and len(upstream.requests) == 2
    assert 0.9 <= elapsed < 3.5, elapsed  # an HTTP date has whole seconds


def test_a_wait_longer_than_the_cap_ends_the_call_naming_the_wait(package, upstream: Upstream):
    upstream.reply("GET", "/items", Reply(429, b'{"error": "slow down"}', "application/json", headers={"Retry-After": "120"}))
    result, elapsed = _call(package, upstream.url, "listItems", {})
    assert result.is_error and len(upstream.requests) == 1 and elapsed < 1
    assert "HTTP 429" in text_of(result) and "slow down" in text_of(result)
    assert result.content[-1].text == "Gave up after 1 attempt. The API asks to wait 120 s before trying again (Retry-After)."


def test_giving_up_after_the_attempts_names_when_to_try_again(package, upstream: Upstream):
    upstream.reply("GET", "/items", Reply(503, headers={"Retry-After": "1"}))
    result, elapsed = _call(package, upstream.url, "listItems", {}, "--retry-attempts", "2")
    assert result.is_error and len(upstream.requests) == 2 and elapsed >= 0.9
    assert result.content[-1].text == "Gave up after 2 attempts. The API asks to wait 1 s before trying again (Retry-After)."


def test_a_wait_past_the_timeout_ends_the_call_at_once(package, upstream: Upstream):
    upstream.reply("GET", "/items", Reply(503, headers={"Retry-After": "5"}))
    result, elapsed = _call(package, upstream.url, "listItems", {}, "--timeout", "3")
    assert result.is_error and len(upstream.requests) == 1 and elapsed < 1
    assert "The API asks to wait 5 s before trying again" in text_of(result)


def test_a_post_without_an_idempotency_key_is_not_retried(package, upstream: Upstream):
    upstream.reply("POST", "/items", Reply(503, headers={"Retry-After": "3"}))
    result, _ = _call(package, upstream.url, "createItem", {"body": {"name": "x"}})
    assert result.is_error and len(upstream.requests) == 1
    assert "It was not retried: a POST without an idempotency key may not be repeated safely" in text_of(result)
    assert "The API asks to wait 3 s" in text_of(result)


def test_a_post_declaring_an_idempotency_key_is_retried_with_the_same_key(package, upstream: Upstream):
    upstream.script("POST", "/payments", BUSY, Reply(504), Reply.json({"paid": True}))
    result, _ = _call(package, upstream.url, "pay", {"body": {"amount": 5}})
    assert not result.is_error, text_of(result)
    keys = [r.headers.get("idempotency-key") for r in upstream.requests]
    assert len(keys) == 3 and len(set(keys)) == 1 and len(keys[0] or "") == 36  # one generated UUID for the call
    assert all(r.json() == {"amount": 5} for r in upstream.requests)

    upstream.reset()
    upstream.script("POST", "/payments", BUSY, Reply.json({"paid": True}))
    result, _ = _call(package, upstream.url, "pay", {"body": {"amount": 5}, "Idempotency-Key": "order-77"})
    assert not result.is_error and [r.headers["idempotency-key"] for r in upstream.requests] == ["order-77"] * 2


def test_a_refused_connection_is_retried_then_reported(package):
    closed = f"http://127.0.0.1:{free_port()}"
    result, elapsed = _call(package, closed, "listItems", {})
    assert result.is_error and "Could not reach the API (3 attempts): ConnectError" in text_of(result)
    assert 0.5 <= elapsed < 5  # two pauses: about 0.5 s and 1 s, each plus up to 0.5 s of jitter


def test_one_attempt_means_no_retries(package, upstream: Upstream):
    upstream.script("GET", "/items", BUSY, Reply.json({}))
    result, _ = _call(package, upstream.url, "listItems", {}, environ={"FLAKY_MCP_RETRY_ATTEMPTS": "1"})
    assert result.is_error and len(upstream.requests) == 1
    assert result.content[-1].text == "Gave up after 1 attempt."


def test_the_concurrency_limit_holds_calls_back(package, upstream: Upstream):
    upstream.reply("GET", "/items", Reply(200, b"{}", "application/json", delay=0.3))

    def six_at_once(*argv: str) -> float:
        server = in_memory_server(package, "flaky_mcp", "--base-url", upstream.url, *argv)

        async def main():
            async with Client(server) as client:
                started = time.monotonic()
                async with anyio.create_task_group() as group:
                    for _ in range(6):
                        group.start_soon(client.call_tool, "listItems", {})
                return time.monotonic() - started

        return anyio.run(main)

    assert six_at_once("--max-concurrency", "2") >= 0.85  # three rounds of two
    assert six_at_once() < 0.85  # the default (16) lets them all go at once
    assert len(upstream.requests) == 12


def test_the_audit_log_counts_the_requests_each_call_sent(package, upstream: Upstream, tmp_path):
    log = tmp_path / "audit.jsonl"
    upstream.script("GET", "/items", BUSY, Reply(502), Reply.json({"items": [1]}))
    _call(package, upstream.url, "listItems", {}, "--audit-log", str(log))
    upstream.reply("POST", "/items", Reply(503))
    _call(package, upstream.url, "createItem", {"body": {"name": "x"}}, "--audit-log", str(log))
    _call(package, f"http://127.0.0.1:{free_port()}", "listItems", {}, "--audit-log", str(log))
    _call(package, upstream.url, "listItems", {"unknown": 1}, "--audit-log", str(log))  # refused before sending
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["tool"], r["outcome"], r["status"], r["attempts"]) for r in records] == [
        ("listItems", "ok", 200, 3), ("createItem", "error", 503, 1), ("listItems", "error", None, 3),
        ("listItems", "error", None, 0)]
    assert len(upstream.requests) == 4


def test_retry_options_must_be_positive(package, upstream: Upstream):
    with pytest.raises(OptionError, match="FLAKY_MCP_MAX_CONCURRENCY must be a number of requests"):
        in_memory_server(package, "flaky_mcp", environ={"FLAKY_MCP_MAX_CONCURRENCY": "many"})
    with pytest.raises(OptionError, match="retry-attempts must be a positive number"):
        in_memory_server(package, "flaky_mcp", "--retry-attempts", "0")


def test_retry_after_reads_seconds_and_dates():
    assert retry_after({"retry-after": "7"}) == 7
    assert retry_after({}) is None and retry_after({"retry-after": "soon"}) is None
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0  # past: no wait
    assert 9 <= (retry_after({"retry-after": formatdate(time.time() + 10, usegmt=True)}) or 0) <= 10
