"""Approval through an installed server: over stdio and Streamable HTTP, in both protocol eras."""

from __future__ import annotations

import subprocess

import pytest
from helpers import child_env, free_port, run, stdio, text_of, wait_for_port
from mcp import types
from upstream import Reply, Upstream

KEY = {"PETSTORE_MCP_API_KEY": "k-123"}


async def user_declines(context, params):
    return types.ElicitResult(action="decline")


def _delete(client):
    return client.call_tool("deletePet", {"petId": "7"})


@pytest.mark.parametrize("mode", ["legacy", "auto"])
def test_a_declined_delete_over_stdio_sends_nothing(server_venv, upstream: Upstream, mode):
    result = run(stdio(server_venv, "petstore-mcp", upstream.url, **KEY), mode, _delete, elicitation=user_declines)
    assert result.is_error and text_of(result).startswith("The user declined this call, so nothing was sent")
    assert upstream.requests == []


@pytest.fixture
def petstore_over_http(server_venv, upstream_server: Upstream, request):
    port = free_port()
    process = subprocess.Popen(
        [str(server_venv / "bin" / "petstore-mcp"), "--transport", "http", "--port", str(port),
         "--base-url", upstream_server.url, *getattr(request, "param", ())],
        env=child_env(**KEY), stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_over_stateless_http_a_2026_client_is_asked_in_a_round_trip(petstore_over_http, upstream: Upstream):
    upstream.reply("DELETE", "/pets/7", Reply(204))
    approved = run(petstore_over_http, "auto", _delete)
    declined = run(petstore_over_http, "auto", _delete, elicitation=user_declines)
    assert not approved.is_error, text_of(approved)
    assert declined.is_error and "declined" in text_of(declined)
    assert [(r.method, r.target) for r in upstream.requests] == [("DELETE", "/pets/7")]


def test_over_stateless_http_a_2025_client_cannot_be_asked_and_nothing_is_sent(petstore_over_http, upstream: Upstream):
    result = run(petstore_over_http, "legacy", _delete)
    text = text_of(result)
    assert result.is_error and text.startswith("Nothing was sent: the tool deletePet (DELETE /pets/7) needs the user's")
    assert "stateless HTTP with a 2025-era client" in text
    assert upstream.requests == []


@pytest.mark.parametrize("petstore_over_http", [("--http-sessions",)], indirect=True)
@pytest.mark.parametrize("mode", ["legacy", "auto"])
def test_with_http_sessions_both_eras_are_asked(petstore_over_http, upstream: Upstream, mode):
    upstream.reply("DELETE", "/pets/7", Reply(204))
    approved = run(petstore_over_http, mode, _delete)
    declined = run(petstore_over_http, mode, _delete, elicitation=user_declines)
    assert not approved.is_error, text_of(approved)
    assert declined.is_error and "declined" in text_of(declined)
    assert [(r.method, r.target) for r in upstream.requests] == [("DELETE", "/pets/7")]
