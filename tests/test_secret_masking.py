"""Masking replaces secrets and nothing else: a user name is never masked, a secret shorter than 8
characters is left alone (with a warning at start), and every other character of a result stays.

A generated server in process, through the official MCP client, against a recording upstream on
127.0.0.1 that echoes the credentials in its answer."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import anyio
import pytest
from helpers import api_text, in_memory_server, text_of
from mcp import Client
from rest2mcp.pipeline import Options, generate
from rest2mcp.runtime.credentials import redact, redact_value
from upstream import Reply, Upstream

PASSWORD, KEY = "Pa55word-long-enough", "key-0123456789abcdef"


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    ok = {"200": {"description": "ok"}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Masked", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "components": {"securitySchemes": {"login": {"type": "http", "scheme": "basic"},
                                           "key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
        "security": [{"login": [], "key": []}],
        "paths": {"/users": {"get": {"operationId": "listUsers", "responses": ok}}},
    }
    folder = tmp_path_factory.mktemp("masking")
    (folder / "openapi.json").write_text(json.dumps(document))
    generate(str(folder / "openapi.json"), folder / "out", Options(models=False))
    return folder / "out"


def _echo(password: str, key: str) -> dict:
    token = base64.b64encode(f"admin:{password}".encode()).decode()
    return {"self": "/api/v1/admin/users/administrator", "user": "admin", "login": f"admin:{password}",
            "auth": f"Basic {token}", "note": f"key {key} for admin", "adminCount": 2}


def _call(package: Path, upstream: Upstream, password: str, key: str):
    environ = {"MASKED_MCP_LOGIN_USERNAME": "admin", "MASKED_MCP_LOGIN_PASSWORD": password, "MASKED_MCP_KEY": key}
    server = in_memory_server(package, "masked_mcp", "--base-url", upstream.url, environ=environ)

    async def main():
        async with Client(server) as client:
            return await client.call_tool("listUsers", {})

    return anyio.run(main)


def test_only_the_password_and_tokens_are_masked(package, upstream: Upstream):
    upstream.reply("GET", "/users", Reply.json(_echo(PASSWORD, KEY)))
    result = _call(package, upstream, PASSWORD, KEY)
    assert not result.is_error, text_of(result)
    expected = {"self": "/api/v1/admin/users/administrator", "user": "admin", "login": "admin:***",
                "auth": "Basic ***", "note": "key *** for admin", "adminCount": 2}
    assert json.loads(api_text(result)) == expected
    assert result.structured_content == expected
    assert upstream.last().headers["x-key"] == KEY  # the API got them whole


def test_a_short_password_is_not_masked_and_a_warning_says_so(package, upstream: Upstream, caplog):
    caplog.set_level(logging.WARNING)
    upstream.reply("GET", "/users", Reply.json(_echo("pw12", KEY)))
    result = _call(package, upstream, "pw12", KEY)
    echoed = _echo("pw12", "***")
    echoed["auth"] = "Basic ***"  # the header value as a whole is long: still a secret
    assert json.loads(api_text(result)) == echoed
    assert "MASKED_MCP_LOGIN_PASSWORD is shorter than 8 characters: it is not masked" in caplog.text
    assert "MASKED_MCP_KEY" not in caplog.text


def test_redact_masks_long_secrets_only_and_nothing_around_them():
    assert redact("/admin/users/administrator?pw=s3cret-value", ["admin", "s3cret-value"]) == \
        "/admin/users/administrator?pw=***"
    assert redact("a%2Fb-secret-1 a/b-secret-1", ["a/b-secret-1"]) == "*** ***"  # percent-encoded too
    assert redact_value({"admin": ["admin", 1, None, "x longsecret1"]}, ["admin", "longsecret1"]) == \
        {"admin": ["admin", 1, None, "x ***"]}
