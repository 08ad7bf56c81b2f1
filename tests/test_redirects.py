"""Redirects keep credentials at home: a generated server (in process, through the official MCP
client) whose API redirects to a second HTTP server on another port of 127.0.0.1 sends that server
nothing, and follows a redirect within its own origin, or to an origin the operator allowed, with the
credentials."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import anyio
import pytest
from helpers import api_text, in_memory_server, text_of
from mcp import Client
from rest2mcp.pipeline import Options, generate
from upstream import Reply, Upstream, start_upstream

TOKEN, USER, PASSWORD = "bearer-token-0123456789", "admin", "basic-password-987654"
ENV = {"REDIRECTED_MCP_TOKEN": TOKEN, "REDIRECTED_MCP_LOGIN_USERNAME": USER, "REDIRECTED_MCP_LOGIN_PASSWORD": PASSWORD}
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


@pytest.fixture(scope="module")
def other():
    """Another origin: a second recording server on another port."""
    upstream, server = start_upstream()
    yield upstream
    server.shutdown()


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    ok = {"200": {"description": "ok"}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Redirected", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"},
                                           "login": {"type": "http", "scheme": "basic"}}},
        "paths": {
            "/bearer": {"get": {"operationId": "withBearer", "security": [{"token": []}], "responses": ok}},
            "/basic": {"post": {"operationId": "withBasic", "security": [{"login": []}], "responses": ok}},
        },
    }
    folder = tmp_path_factory.mktemp("redirects")
    (folder / "openapi.json").write_text(json.dumps(document))
    generate(str(folder / "openapi.json"), folder / "out", Options(models=False))
    return folder / "out"


def _call(package: Path, upstream: Upstream, name: str, *argv: str):
    server = in_memory_server(package, "redirected_mcp", "--base-url", upstream.url, *argv, environ=ENV)

    async def main():
        async with Client(server) as client:
            return await client.call_tool(name, {})

    return anyio.run(main)


@pytest.mark.parametrize("name, method, path, status, credential", [
    ("withBearer", "GET", "/bearer", 302, f"Bearer {TOKEN}"),
    ("withBasic", "POST", "/basic", 307, BASIC),
])
def test_a_redirect_to_another_port_sends_it_nothing(package, upstream: Upstream, other: Upstream,
                                                     name, method, path, status, credential):
    other.reset()
    upstream.reply(method, path, Reply(status, headers={"Location": f"{other.url}/collect?from=api"}))
    result = _call(package, upstream, name)
    assert other.requests == []  # not even a request without the credential
    (sent,) = upstream.requests
    assert sent.headers["authorization"] == credential  # the API itself got it
    assert result.is_error
    assert f"redirected {method} {path} to {other.url}/collect?from=api (HTTP {status})" in text_of(result)
    assert TOKEN not in text_of(result) and PASSWORD not in text_of(result)


@pytest.mark.parametrize("name, method, path, credential", [
    ("withBearer", "GET", "/bearer", f"Bearer {TOKEN}"),
    ("withBasic", "POST", "/basic", BASIC),
])
def test_a_same_origin_redirect_is_followed_with_the_credential(package, upstream: Upstream, name, method, path,
                                                               credential):
    upstream.reply(method, path, Reply(307, headers={"Location": "/moved/here"}))
    upstream.reply(method, "/moved/here", Reply.json({"arrived": True}))
    result = _call(package, upstream, name)
    assert not result.is_error, text_of(result)
    assert json.loads(api_text(result)) == {"arrived": True}
    first, final = upstream.requests
    assert (first.path, final.path) == (path, "/moved/here")
    assert final.headers["authorization"] == credential


@pytest.mark.parametrize("name, method, path, credential", [
    ("withBearer", "GET", "/bearer", f"Bearer {TOKEN}"),
    ("withBasic", "POST", "/basic", BASIC),
])
def test_a_redirect_to_an_allowed_origin_is_followed_with_the_credential(package, upstream: Upstream, other: Upstream,
                                                                         name, method, path, credential):
    """The operator allowed that origin to get the credentials (--allow-origin): the redirect is
    followed with them, as within the API's own origin (httpx alone would leave Authorization out)."""
    other.reset()
    upstream.reply(method, path, Reply(307, headers={"Location": f"{other.url}/mirror?from=api"}))
    other.reply(method, "/mirror", Reply.json({"mirrored": True}))
    result = _call(package, upstream, name, "--allow-origin", other.url)
    assert not result.is_error, text_of(result)
    assert json.loads(api_text(result)) == {"mirrored": True}
    (final,) = other.requests
    assert final.target == "/mirror?from=api" and final.headers["authorization"] == credential


def test_a_chain_that_leaves_the_origin_midway_is_stopped_there(package, upstream: Upstream, other: Upstream):
    other.reset()
    upstream.reply("GET", "/bearer", Reply(302, headers={"Location": "/step"}))
    upstream.reply("GET", "/step", Reply(301, headers={"Location": f"{other.url}/away"}))
    result = _call(package, upstream, "withBearer")
    assert result.is_error and other.requests == []
    assert [r.path for r in upstream.requests] == ["/bearer", "/step"]
