"""OAuth 2 toward the API: a generated server fetches its own access tokens.

A real token server and a real API on 127.0.0.1 (threads of http.server): the token server checks
the client's authentication and counts what it is asked; the API accepts only the tokens the token
server issued and has not revoked, and echoes the Authorization header it got (so masking is proven
on what the API really sends back). The generated server runs in process (the runtime in place),
driven by the official MCP client.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import anyio
import pytest
from helpers import in_memory_server, text_of
from mcp import Client
from rest2mcp.pipeline import Options, generate

CLIENT_ID, CLIENT_SECRET = "mcp-client", "client-secret-0123456789"
REFRESH = "refresh-token-abcdefghij"
PREFIX = "OAUTHED_MCP"


@dataclass
class Authority:
    """The token server's state, and the API's: which tokens exist and which are revoked."""

    port: int = 0
    expires_in: int | None = 3600
    requests: list[dict[str, Any]] = field(default_factory=list)  # token requests: form, headers
    discovery_reads: int = 0
    issued: list[str] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=lambda: {REFRESH})
    only_post: bool = False  # the discovery document lists client_secret_post only
    api_seen: list[str] = field(default_factory=list)  # the Authorization headers the API received
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client_of(self, form: dict[str, str], headers: dict[str, str]) -> tuple[str, str | None] | None:
        auth = headers.get("authorization", "")
        if auth.startswith("Basic "):
            user, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            return user, secret
        if "client_id" in form:
            return form["client_id"], form.get("client_secret")
        return None

    def token_answer(self, form: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append({"form": form, "headers": headers})
            client = self.client_of(form, headers)
            if client is None or client[0] != CLIENT_ID or client[1] not in (CLIENT_SECRET, None):
                return 401, {"error": "invalid_client", "error_description": "unknown client"}
            answer: dict[str, Any] = {"token_type": "Bearer"}
            if form.get("grant_type") == "refresh_token":
                if form.get("refresh_token") not in self.refresh_tokens:
                    return 400, {"error": "invalid_grant"}
                rotated = f"refresh-rotated-{len(self.issued)}-abcdefgh"
                self.refresh_tokens = {rotated}
                answer["refresh_token"] = rotated
            elif form.get("grant_type") != "client_credentials" or client[1] is None:
                return 400, {"error": "unsupported_grant_type"}
            token = f"access-{len(self.issued) + 1}-{'x' * 24}"
            self.issued.append(token)
            answer["access_token"] = token
            if self.expires_in is not None:
                answer["expires_in"] = self.expires_in
            return 200, answer

    def api_answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        auth = headers.get("authorization", "")
        with self.lock:
            self.api_seen.append(auth)
            token = auth.removeprefix("Bearer ")
            if token not in self.issued or token in self.revoked:
                return 401, {"error": "invalid token"}
        return 200, {"path": path, "authorization": auth}


def _handler(authority: Authority) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, value: Any) -> None:
            body = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            if self.path == "/.well-known/openid-configuration":
                authority.discovery_reads += 1
                methods = ["client_secret_post"] if authority.only_post else ["client_secret_basic", "client_secret_post"]
                self._answer(200, {"issuer": authority.url, "token_endpoint": authority.url + "/oidc/token",
                                   "token_endpoint_auth_methods_supported": methods})
            else:
                self._answer(*authority.api_answer(self.path, headers))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            form["_path"] = self.path
            self._answer(*authority.token_answer(form, headers))

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def authority_server():
    authority = Authority()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(authority))
    server.daemon_threads = True
    authority.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield authority
    server.shutdown()


@pytest.fixture
def authority(authority_server: Authority) -> Authority:
    a = authority_server
    a.expires_in, a.only_post, a.discovery_reads = 3600, False, 0
    a.requests.clear(), a.issued.clear(), a.revoked.clear(), a.api_seen.clear()
    a.refresh_tokens = {REFRESH}
    return a


@pytest.fixture(scope="module")
def package(tmp_path_factory, authority_server: Authority) -> Path:
    ok = {"200": {"description": "ok"}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "OAuthed", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "components": {"securitySchemes": {
            "cc": {"type": "oauth2", "flows": {"clientCredentials": {
                "tokenUrl": authority_server.url + "/token", "scopes": {"read": "r", "write": "w", "admin": "a"}}}},
            "oidc": {"type": "openIdConnect", "openIdConnectUrl": authority_server.url + "/.well-known/openid-configuration"},
        }},
        "paths": {
            "/ping": {"get": {"operationId": "ping", "security": [{"cc": ["read"]}], "responses": ok}},
            "/write": {"get": {"operationId": "write", "security": [{"cc": ["write", "read"]}], "responses": ok}},
            "/oidc": {"get": {"operationId": "viaOidc", "security": [{"oidc": []}], "responses": ok}},
        },
    }
    folder = tmp_path_factory.mktemp("oauth")
    spec = folder / "openapi.json"
    spec.write_text(json.dumps(document))
    generate(str(spec), folder / "out", Options(models=False))
    return folder / "out"


CLIENT = {f"{PREFIX}_CC_CLIENT_ID": CLIENT_ID, f"{PREFIX}_CC_CLIENT_SECRET": CLIENT_SECRET}


def _server(package: Path, authority: Authority, *argv: str, **environ: str):
    return in_memory_server(package, "oauthed_mcp", "--base-url", authority.url, *argv, environ=environ)


def _calls(server, *calls: tuple[str, dict], together: bool = False, pauses: tuple[float, ...] = ()) -> list:
    """The results of `calls`, one after the other (`pauses[i]` seconds after the i-th) or all at once."""

    async def main():
        results: list = [None] * len(calls)
        async with Client(server) as client:
            if not together:
                for i, (name, arguments) in enumerate(calls):
                    results[i] = await client.call_tool(name, arguments)
                    await anyio.sleep(pauses[i] if i < len(pauses) else 0)
                return results

            async def one(i: int, name: str, arguments: dict) -> None:
                results[i] = await client.call_tool(name, arguments)

            async with anyio.create_task_group() as group:
                for i, (name, arguments) in enumerate(calls):
                    group.start_soon(one, i, name, arguments)
            return results

    return anyio.run(main)


def test_twenty_concurrent_calls_share_one_client_credentials_token(package, authority: Authority, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    audit = tmp_path / "audit.jsonl"
    server = _server(package, authority, "--audit-log", str(audit), **CLIENT)
    results = _calls(server, *[("ping", {})] * 20, together=True)
    assert [r.is_error for r in results] == [False] * 20, text_of(results[0])
    assert len(authority.requests) == 1  # one fetch, not one per call
    (asked,) = authority.requests
    assert asked["form"] == {"grant_type": "client_credentials", "scope": "read write", "_path": "/token"}
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert asked["headers"]["authorization"] == f"Basic {basic}"  # client_secret_basic by default
    token = authority.issued[0]
    assert authority.api_seen == [f"Bearer {token}"] * 20
    # The API echoed the token: the model sees it masked, and nothing else of the result changed.
    assert json.loads(results[0].content[0].text.split("\n")[1]) == {"path": "/ping", "authorization": "Bearer ***"}
    shown = " ".join(text_of(r) for r in results) + json.dumps([r.structured_content for r in results])
    logged = caplog.text + audit.read_text()
    for secret in (CLIENT_SECRET, token, basic):
        assert secret not in shown and secret not in logged
    assert len(audit.read_text().splitlines()) == 20


def test_a_token_is_fetched_again_after_it_expires(package, authority: Authority):
    authority.expires_in = 2  # used until 1.8 s (a tenth of its lifetime early)
    results = _calls(_server(package, authority, **CLIENT), ("ping", {}), ("ping", {}), ("ping", {}), pauses=(0.3, 1.8))
    assert not any(r.is_error for r in results)
    assert len(authority.requests) == 2  # the first token served the first two calls, then expired
    assert authority.api_seen == [f"Bearer {authority.issued[0]}"] * 2 + [f"Bearer {authority.issued[1]}"]


def test_a_401_fetches_one_new_token_and_retries_once(package, authority: Authority):
    server = _server(package, authority, **CLIENT)

    async def main():
        async with Client(server) as client:
            first = await client.call_tool("ping", {})
            authority.revoked.add(authority.issued[0])  # the API stops accepting the kept token
            second = await client.call_tool("ping", {})
            return first, second

    first, second = anyio.run(main)
    assert not first.is_error and not second.is_error, text_of(second)
    assert len(authority.requests) == 2
    assert authority.api_seen == [f"Bearer {authority.issued[0]}"] * 2 + [f"Bearer {authority.issued[1]}"]


def test_a_token_the_api_keeps_refusing_is_renewed_only_once(package, authority: Authority):
    authority.revoked.update(f"access-{n}-{'x' * 24}" for n in range(1, 10))
    (result,) = _calls(_server(package, authority, **CLIENT), ("ping", {}))
    assert result.is_error and "HTTP 401" in text_of(result)
    assert len(authority.requests) == 2 and len(authority.api_seen) == 2


def test_client_secret_post_sends_the_client_in_the_body(package, authority: Authority):
    server = _server(package, authority, **CLIENT, **{f"{PREFIX}_CC_TOKEN_AUTH_METHOD": "client_secret_post",
                                                    f"{PREFIX}_CC_SCOPES": "admin, read"})
    (result,) = _calls(server, ("ping", {}))
    assert not result.is_error, text_of(result)
    (asked,) = authority.requests
    assert "authorization" not in asked["headers"]
    assert asked["form"] == {"grant_type": "client_credentials", "scope": "admin read", "client_id": CLIENT_ID,
                             "client_secret": CLIENT_SECRET, "_path": "/token"}


def test_a_refresh_token_gets_access_tokens_and_its_rotation_is_followed(package, authority: Authority, caplog):
    caplog.set_level(logging.DEBUG)
    authority.expires_in = 1
    server = _server(package, authority, **CLIENT, **{f"{PREFIX}_CC_REFRESH_TOKEN": REFRESH})
    results = _calls(server, ("ping", {}), ("ping", {}), pauses=(1.0,))
    assert not any(r.is_error for r in results), text_of(results[-1])
    first, second = authority.requests
    assert first["form"]["grant_type"] == "refresh_token" and first["form"]["refresh_token"] == REFRESH
    assert second["form"]["refresh_token"] == "refresh-rotated-0-abcdefgh"  # the one the server handed back
    assert len(authority.issued) == 2
    shown = " ".join(text_of(r) for r in results) + caplog.text
    for secret in (REFRESH, "refresh-rotated-0-abcdefgh", CLIENT_SECRET, *authority.issued):
        assert secret not in shown


def test_open_id_connect_discovers_the_token_endpoint(package, authority: Authority):
    authority.only_post = True
    environ = {f"{PREFIX}_OIDC_CLIENT_ID": CLIENT_ID, f"{PREFIX}_OIDC_CLIENT_SECRET": CLIENT_SECRET}
    results = _calls(_server(package, authority, **environ), ("viaOidc", {}), ("viaOidc", {}))
    assert not any(r.is_error for r in results), text_of(results[0])
    assert authority.discovery_reads == 1 and len(authority.requests) == 1
    (asked,) = authority.requests
    assert asked["form"]["_path"] == "/oidc/token" and asked["form"]["client_secret"] == CLIENT_SECRET  # post: all it takes


def test_a_static_token_wins_over_the_client(package, authority: Authority):
    authority.issued.append("static-token-123456789")
    (result,) = _calls(_server(package, authority, **CLIENT, **{f"{PREFIX}_CC_TOKEN": "static-token-123456789"}),
                       ("ping", {}))
    assert not result.is_error and authority.requests == []
    assert authority.api_seen == ["Bearer static-token-123456789"]


def test_the_missing_credential_message_names_the_client_variables(package, authority: Authority):
    (result,) = _calls(_server(package, authority), ("ping", {}))
    assert result.is_error
    assert (f"set the environment variable {PREFIX}_CC_TOKEN (or {PREFIX}_CC_CLIENT_ID and {PREFIX}_CC_CLIENT_SECRET, "
            f"or {PREFIX}_CC_CLIENT_ID and {PREFIX}_CC_REFRESH_TOKEN") in text_of(result)


def test_a_refused_client_is_an_error_naming_the_variables_never_the_secret(package, authority: Authority):
    wrong = "wrong-secret-0123456789"
    environ = {**CLIENT, f"{PREFIX}_CC_CLIENT_SECRET": wrong}
    (result,) = _calls(_server(package, authority, **environ), ("ping", {}))
    assert result.is_error and authority.api_seen == []
    text = text_of(result)
    assert "refused to give an access token (invalid_client: unknown client)" in text
    assert f"{PREFIX}_CC_CLIENT_ID and {PREFIX}_CC_CLIENT_SECRET" in text and wrong not in text


def test_an_unknown_auth_method_is_named(package, authority: Authority):
    (result,) = _calls(_server(package, authority, **CLIENT, **{f"{PREFIX}_CC_TOKEN_AUTH_METHOD": "jwt"}), ("ping", {}))
    assert result.is_error and f"{PREFIX}_CC_TOKEN_AUTH_METHOD must be one of" in text_of(result)


def test_the_generated_readme_names_the_oauth_variables(package):
    readme = (package / "README.md").read_text()
    for word in ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN", "TOKEN_URL", "SCOPES", "TOKEN_AUTH_METHOD"):
        assert f"`{PREFIX}_CC_{word}`" in readme and f"`{PREFIX}_OIDC_{word}`" in readme
    catalog = json.loads((package / "oauthed_mcp" / "generated" / "tools.json").read_text())
    assert catalog["schemes"]["cc"]["oauth"]["scopes"] == ["read", "write"]  # what the operations require


def test_swagger2_application_flow_gives_a_token_url(tmp_path: Path):
    spec = tmp_path / "swagger.json"
    spec.write_text(json.dumps({
        "swagger": "2.0", "info": {"title": "Two", "version": "1"}, "host": "api.example.com",
        "securityDefinitions": {"app": {"type": "oauth2", "flow": "application",
                                        "tokenUrl": "https://auth.example.com/token", "scopes": {"x": "x"}}},
        "security": [{"app": ["x"]}],
        "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok"}}}}},
    }))
    generate(str(spec), tmp_path / "out", Options(models=False))
    catalog = json.loads((tmp_path / "out" / "two_mcp" / "generated" / "tools.json").read_text())
    assert catalog["schemes"]["app"]["oauth"]["tokenUrl"] == "https://auth.example.com/token"
    assert catalog["schemes"]["app"]["oauth"]["scopes"] == ["x"]


def test_a_scheme_with_only_a_sign_in_flow_documents_the_refresh_token_as_the_way(tmp_path: Path):
    flows = {"authorizationCode": {"authorizationUrl": "https://auth.example.com/authorize",
                                   "tokenUrl": "https://auth.example.com/token", "scopes": {"repo": "repo"}}}
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps({
        "openapi": "3.0.3", "info": {"title": "Signed", "version": "1"}, "servers": [{"url": "https://api.example.com"}],
        "components": {"securitySchemes": {"user": {"type": "oauth2", "flows": flows}}},
        "security": [{"user": ["repo"]}],
        "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok"}}}}},
    }))
    generate(str(spec), tmp_path / "out", Options(models=False))
    catalog = json.loads((tmp_path / "out" / "signed_mcp" / "generated" / "tools.json").read_text())
    assert catalog["schemes"]["user"]["oauth"]["flow"] == "authorizationCode"
    example = (tmp_path / "out" / ".env.example").read_text()
    readme = (tmp_path / "out" / "README.md").read_text()
    for text in (example, readme):
        assert "client credentials" not in text
        assert "client ID for user: with a refresh token, the server fetches its own access tokens" in text
        assert "refresh token for user (from a user's sign-in, the document's authorizationCode flow)" in text
    # Without credentials, the call names the refresh token first.
    (result,) = _calls(in_memory_server(tmp_path / "out", "signed_mcp", environ={"SIGNED_MCP_AUDIT_LOG": "off"}),
                       ("a", {}))
    assert result.is_error
    assert ("SIGNED_MCP_USER_TOKEN (or SIGNED_MCP_USER_CLIENT_ID and SIGNED_MCP_USER_REFRESH_TOKEN, or "
            "SIGNED_MCP_USER_CLIENT_ID and SIGNED_MCP_USER_CLIENT_SECRET, for the server to fetch its own token)"
            ) in text_of(result)


def test_a_refused_client_of_a_sign_in_only_scheme_points_to_the_refresh_token(tmp_path: Path, authority: Authority):
    flows = {"authorizationCode": {"authorizationUrl": f"{authority.url}/authorize",
                                   "tokenUrl": f"{authority.url}/token", "scopes": {"repo": "repo"}}}
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps({
        "openapi": "3.0.3", "info": {"title": "Signed", "version": "1"}, "servers": [{"url": authority.url}],
        "components": {"securitySchemes": {"user": {"type": "oauth2", "flows": flows}}},
        "security": [{"user": ["repo"]}],
        "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok"}}}}},
    }))
    generate(str(spec), tmp_path / "out", Options(models=False))
    environ = {"SIGNED_MCP_AUDIT_LOG": "off", "SIGNED_MCP_USER_CLIENT_ID": CLIENT_ID,
               "SIGNED_MCP_USER_CLIENT_SECRET": "not-the-secret-0123456789"}
    (result,) = _calls(in_memory_server(tmp_path / "out", "signed_mcp", environ=environ), ("a", {}))
    assert result.is_error and authority.requests[-1]["form"]["grant_type"] == "client_credentials"
    text = text_of(result)
    assert "Check SIGNED_MCP_USER_CLIENT_ID and SIGNED_MCP_USER_CLIENT_SECRET; the API describes this scheme " \
           "with the authorizationCode flow only" in text
    assert "set SIGNED_MCP_USER_REFRESH_TOKEN (a refresh token from a user's sign-in) instead" in text
    assert "not-the-secret" not in text
    # With the refresh token (a public client: no secret), the server gets its token and the call goes through.
    del environ["SIGNED_MCP_USER_CLIENT_SECRET"]
    environ["SIGNED_MCP_USER_REFRESH_TOKEN"] = REFRESH
    (result,) = _calls(in_memory_server(tmp_path / "out", "signed_mcp", environ=environ), ("a", {}))
    assert not result.is_error, text_of(result)
