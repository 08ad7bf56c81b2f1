"""A generated server on a network: authentication (static tokens, OAuth JWTs), safe binds, Host and
Origin checks, per-user credentials, health endpoints, several workers."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio
import httpx
import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from helpers import api_text, child_env, free_port, text_of, user_approves, wait_for_port
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from upstream import Reply, Upstream

TOKEN = "tok-" + "a" * 40
OTHER_TOKEN = "tok-" + "b" * 40
API_KEY = "api-key-of-the-operator"
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                         "clientInfo": {"name": "probe", "version": "0"}}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@contextmanager
def petstore_http(server_venv, upstream_url: str, *args: str, host: str = "127.0.0.1", **env: str):
    port = free_port()
    process = subprocess.Popen(
        [str(server_venv / "bin" / "petstore-mcp"), "--transport", "http", "--host", host, "--port", str(port),
         "--base-url", upstream_url, *args],
        env=child_env(**{"PETSTORE_MCP_API_KEY": API_KEY, "PETSTORE_MCP_AUDIT_LOG": "off", **env}),
        stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _calls(url: str, steps, headers: dict[str, str] | None = None, mode: str = "auto"):
    async def main():
        async with httpx2.AsyncClient(headers=headers or {}, timeout=30) as http, Client(
                streamable_http_client(url + "/mcp", http_client=http), mode=mode,
                elicitation_callback=user_approves) as client:
            return await steps(client)

    return anyio.run(main)


def _list_and_call(client):
    async def steps():
        listed = await client.list_tools()
        called = await client.call_tool("listPets", {})
        return [t.name for t in listed.tools], called
    return steps()


def _post(url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(url + "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, **(headers or {})}, timeout=10)


# -- static tokens --------------------------------------------------------------------------------


def test_static_tokens_refuse_strangers_and_serve_the_token_holder(server_venv, upstream_server: Upstream, upstream):
    upstream.reply("GET", "/pets", Reply.json([{"id": 1, "name": "Rex"}]))
    hashed = "sha256:" + __import__("hashlib").sha256(OTHER_TOKEN.encode()).hexdigest()
    # two tokens for rotation, one of them as its SHA-256 only
    with petstore_http(server_venv, upstream.url, PETSTORE_MCP_AUTH_TOKENS=f"{TOKEN}, {hashed}") as url:
        anonymous = _post(url)
        wrong = _post(url, {"Authorization": "Bearer not-the-token"})
        health = httpx.get(url + "/healthz", timeout=10)
        ready = httpx.get(url + "/readyz", timeout=10)
        names, called = _calls(url, _list_and_call, {"Authorization": f"Bearer {TOKEN}"})
        _, by_hash = _calls(url, _list_and_call, {"Authorization": f"Bearer {OTHER_TOKEN}"}, mode="legacy")
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith("Bearer")
    assert wrong.status_code == 401
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert names == ["listPets", "createPet", "showPetById", "deletePet"]
    assert json.loads(api_text(called)) == [{"id": 1, "name": "Rex"}] and not by_hash.is_error
    # the API saw the operator's key, never the caller's MCP token
    assert [r.headers.get("authorization") for r in upstream.requests] == [None, None]
    assert {r.headers["x-api-key"] for r in upstream.requests} == {API_KEY}


def test_a_discovery_mode_server_gets_ready_without_a_call(server_venv, upstream):
    """Discovery mode loads the catalog on first use; over HTTP it does so as soon as it listens, and
    /readyz says when that is done (503 "starting" before)."""
    with petstore_http(server_venv, upstream.url, "--mode", "discovery", "--auth-token", TOKEN) as url:
        deadline = time.monotonic() + 20
        ready = httpx.get(url + "/readyz", timeout=10)
        while ready.status_code == 503 and time.monotonic() < deadline:
            assert ready.json() == {"status": "starting"}
            time.sleep(0.05)
            ready = httpx.get(url + "/readyz", timeout=10)
        found = _calls(url, lambda c: c.call_tool("search_operations", {"query": "delete a pet"}),
                       {"Authorization": f"Bearer {TOKEN}"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert not found.is_error and "deletePet" in text_of(found)
    assert upstream.requests == []


def test_a_public_bind_without_authentication_is_refused_before_listening(server_venv, upstream):
    port = free_port()
    done = subprocess.run([str(server_venv / "bin" / "petstore-mcp"), "--transport", "http", "--host", "0.0.0.0",
                           "--port", str(port), "--base-url", upstream.url],
                          env=child_env(), capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode != 0
    assert "refusing to listen on 0.0.0.0 without authentication" in done.stderr
    assert "--auth-token" in done.stderr and "--allow-unauthenticated" in done.stderr
    assert "Traceback" not in done.stderr


def test_host_and_origin_are_checked_on_a_public_bind(server_venv, upstream):
    with petstore_http(server_venv, upstream.url, "--auth-token", TOKEN, "--allowed-hosts", "mcp.example.com",
                       "--allowed-origins", "https://app.example.com", host="0.0.0.0") as url:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        named = _post(url, {**auth, "Host": "mcp.example.com"})
        other_host = _post(url, {**auth, "Host": "evil.example.net"})
        foreign_origin = _post(url, {**auth, "Host": "mcp.example.com", "Origin": "https://evil.example.net"})
        own_origin = _post(url, {**auth, "Host": "mcp.example.com", "Origin": "https://app.example.com"})
    assert named.status_code == 200, named.text
    assert other_host.status_code == 421
    assert foreign_origin.status_code == 403
    assert own_origin.status_code == 200


def test_allow_unauthenticated_listens_publicly_with_a_warning(server_venv, upstream):
    port = free_port()
    process = subprocess.Popen([str(server_venv / "bin" / "petstore-mcp"), "--transport", "http", "--host", "0.0.0.0",
                                "--port", str(port), "--base-url", upstream.url, "--allow-unauthenticated"],
                               env=child_env(), stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process=process)
        assert _post(f"http://127.0.0.1:{port}").status_code == 200
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
    assert "WARNING: listening on 0.0.0.0 without authentication" in errors


# -- per-user credentials -------------------------------------------------------------------------


def test_each_caller_reaches_the_api_with_its_own_credential(server_venv, upstream):
    upstream.reply("GET", "/pets", Reply.json([]))
    with petstore_http(server_venv, upstream.url, "--auth-token", TOKEN, "--auth-token", OTHER_TOKEN,
                       "--user-credential", "PETSTORE_MCP_API_KEY=header:X-Petstore-Key") as url:
        for token, key in ((TOKEN, "key-of-ann"), (OTHER_TOKEN, "key-of-bob"), (TOKEN, "key-of-ann")):
            _calls(url, lambda c: c.call_tool("listPets", {}),
                   {"Authorization": f"Bearer {token}", "X-Petstore-Key": key})
        missing = _calls(url, lambda c: c.call_tool("listPets", {}), {"Authorization": f"Bearer {TOKEN}"})
    assert [r.headers["x-api-key"] for r in upstream.requests] == ["key-of-ann", "key-of-bob", "key-of-ann"]
    assert all("authorization" not in r.headers for r in upstream.requests)
    assert missing.is_error and "send the X-Petstore-Key header of the MCP request" in text_of(missing)
    assert API_KEY not in text_of(missing)


def test_the_mcp_authorization_header_cannot_be_made_an_api_credential(server_venv, upstream):
    done = subprocess.run([str(server_venv / "bin" / "petstore-mcp"), "--transport", "http", "--base-url", upstream.url,
                           "--auth-token", TOKEN, "--user-credential", "PETSTORE_MCP_API_KEY=header:Authorization"],
                          env=child_env(), capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode != 0 and "cannot carry an API credential" in done.stderr


# -- OAuth: JWT access tokens against a JWKS served on 127.0.0.1 ---------------------------------


class Issuer:
    """An authorization server's public side: its metadata and its keys."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self):
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/oauth-authorization-server":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks"}
                elif self.path == "/jwks":
                    public = jwt.algorithms.RSAAlgorithm.to_jwk(issuer.key.public_key(), as_dict=True)
                    body = {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler

    def token(self, audience: str, scope: str = "pets", lifetime: int = 300, key=None, issuer: str | None = None) -> str:
        now = int(time.time())
        claims = {"iss": issuer or self.url, "aud": audience, "sub": "ann", "client_id": "app-1", "iat": now,
                  "exp": now + lifetime, "scope": scope}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture(scope="module")
def issuer():
    issuer = Issuer()
    yield issuer
    issuer.server.shutdown()


def test_oauth_tokens_are_checked_for_issuer_audience_expiry_signature_and_scope(server_venv, upstream, issuer):
    upstream.reply("GET", "/pets", Reply.json([]))
    port = free_port()
    audience = f"http://127.0.0.1:{port}/mcp"
    process = subprocess.Popen(
        [str(server_venv / "bin" / "petstore-mcp"), "--transport", "http", "--port", str(port), "--base-url",
         upstream.url, "--oauth-issuer", issuer.url, "--required-scope", "pets"],
        env=child_env(PETSTORE_MCP_API_KEY=API_KEY, PETSTORE_MCP_AUDIT_LOG="off"), stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port, process=process)
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        refused = {
            "none": _post(url),
            "expired": _post(url, {"Authorization": "Bearer " + issuer.token(audience, lifetime=-120)}),
            "audience": _post(url, {"Authorization": "Bearer " + issuer.token("http://elsewhere/mcp")}),
            "signature": _post(url, {"Authorization": "Bearer " + issuer.token(audience, key=stranger)}),
            "issuer": _post(url, {"Authorization": "Bearer " + issuer.token(audience, issuer=issuer.url + "/")}),
            "scope": _post(url, {"Authorization": "Bearer " + issuer.token(audience, scope="other")}),
        }
        metadata = httpx.get(url + "/.well-known/oauth-protected-resource/mcp", timeout=10)
        names, called = _calls(url, _list_and_call, {"Authorization": "Bearer " + issuer.token(audience)})
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert {k: r.status_code for k, r in refused.items()} == {
        "none": 401, "expired": 401, "audience": 401, "signature": 401, "issuer": 401, "scope": 403}
    challenge = refused["none"].headers["www-authenticate"]
    assert challenge.startswith("Bearer") and f'resource_metadata="{url}/.well-known/oauth-protected-resource/mcp"' in challenge
    assert metadata.status_code == 200
    assert metadata.json()["resource"] == audience and metadata.json()["authorization_servers"] == [issuer.url]
    assert "listPets" in names and not called.is_error
    assert "authorization" not in upstream.requests[0].headers


# -- several workers ------------------------------------------------------------------------------


def test_two_workers_answer_ten_clients_making_two_hundred_calls(server_venv, upstream):
    for n in range(10):
        upstream.reply("GET", f"/pets/{n}", Reply.json({"id": n, "name": f"pet-{n}"}))
    with petstore_http(server_venv, upstream.url, "--workers", "2", "--auth-token", TOKEN) as url:
        async def client_run(n: int, results: list):
            async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as http, Client(
                    streamable_http_client(url + "/mcp", http_client=http)) as client:
                for _ in range(20):
                    result = await client.call_tool("showPetById", {"petId": str(n)})
                    results.append((n, result))

        async def main():
            results: list = []
            async with anyio.create_task_group() as group:
                for n in range(10):
                    group.start_soon(client_run, n, results)
            return results

        results = anyio.run(main)
    assert len(results) == 200
    assert all(not r.is_error and r.structured_content == {"id": n, "name": f"pet-{n}"} for n, r in results)
    assert len(upstream.requests) == 200


def test_a_hashed_token_must_be_well_formed(server_venv, upstream):
    done = subprocess.run([str(server_venv / "bin" / "petstore-mcp"), "--transport", "http", "--base-url", upstream.url,
                           "--auth-token", "short"], env=child_env(), capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode != 0 and "at least 16 characters" in done.stderr


def test_audit_lines_name_the_authenticated_caller_and_hold_no_secret(server_venv, upstream, tmp_path):
    upstream.reply("GET", "/pets", Reply.json([]))
    log = tmp_path / "audit.jsonl"
    with petstore_http(server_venv, upstream.url, "--auth-token", TOKEN, "--audit-log", str(log)) as url:
        _calls(url, lambda c: c.call_tool("listPets", {}), {"Authorization": f"Bearer {TOKEN}"})
    (record,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert record["caller"].startswith("token:") and record["outcome"] == "ok" and record["status"] == 200
    assert record["tool"] == "listPets" and "latency_ms" in record and "time" in record
    assert TOKEN not in log.read_text() and API_KEY not in log.read_text()


# -- the container recipe -------------------------------------------------------------------------


def test_the_container_recipe_starts_a_healthy_authenticated_server(server_venv, upstream):
    """The Dockerfile's start command and health check, run in the installed package's environment
    (the same `pip install` of the package; no container runtime is needed)."""
    from helpers import GENERATED

    dockerfile = (GENERATED / "petstore" / "Dockerfile").read_text()
    lines = {line.split(" ", 1)[0]: line for line in dockerfile.splitlines() if line and not line.startswith("#")}
    assert lines["FROM"].startswith("FROM python:3") and lines["USER"] == "USER mcp"
    assert lines["RUN"] == "RUN pip install /app && useradd --create-home --uid 10001 mcp"
    command = json.loads(lines["CMD"].removeprefix("CMD "))
    healthcheck = json.loads(dockerfile.split("CMD ", 2)[1].splitlines()[0])
    assert command[:2] == ["petstore-mcp", "--transport"] and "0.0.0.0" in command
    port = free_port()
    command = [str(server_venv / "bin" / command[0]), *command[1:-1], str(port), "--base-url", upstream.url]
    refused = subprocess.run(command, env=child_env(), capture_output=True, text=True, timeout=30, check=False)
    assert refused.returncode != 0 and "without authentication" in refused.stderr
    process = subprocess.Popen(command, env=child_env(PETSTORE_MCP_AUTH_TOKENS=TOKEN), stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process=process)
        probe = [str(server_venv / "bin" / "python"), *healthcheck[1:]]
        probe[-1] = probe[-1].replace("8000", str(port))
        assert subprocess.run(probe, capture_output=True, timeout=30, check=False).returncode == 0
        assert _post(f"http://127.0.0.1:{port}").status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=10)



def test_the_servers_own_log_can_be_json_lines():
    import logging

    from rest2mcp.runtime.audit import JsonLines

    try:
        raise ValueError("x")
    except ValueError:
        import sys

        record = logging.LogRecord("petstore", logging.WARNING, __file__, 1, "tool %s failed: %s", ("a", "b"),
                                   sys.exc_info())
    entry = json.loads(JsonLines().format(record))
    assert entry["level"] == "warning" and entry["message"] == "tool a failed: b" and entry["error"] == "ValueError"
    assert entry["logger"] == "petstore" and entry["time"].endswith("Z")


def test_toolsets_as_scopes_decide_what_each_oauth_caller_sees_and_calls(server_venv, upstream, issuer):
    from mcp.shared.exceptions import MCPError

    upstream.reply("GET", "/orders", Reply.json([]))
    upstream.reply("GET", "/products/p1", Reply.json({"id": "p1", "name": "Pen", "price": 1.5}))
    port = free_port()
    audience = f"http://127.0.0.1:{port}/mcp"
    process = subprocess.Popen(
        [str(server_venv / "bin" / "shop-mcp"), "--transport", "http", "--port", str(port), "--base-url", upstream.url,
         "--oauth-issuer", issuer.url, "--toolset-scope", "orders=orders:read", "--toolset-scope", "admin=admin",
         "--toolset-scope", "catalog=catalog:read", "--auth-token", TOKEN],
        env=child_env(SHOP_MCP_AUDIT_LOG="off", SHOP_MCP_TOKEN="t", SHOP_MCP_API_KEY="k"), stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"

    async def attempt(call):
        try:
            return await call
        except MCPError as exc:
            return exc

    async def steps(client):
        names = sorted(t.name for t in (await client.list_tools()).tools)
        templates = [t.name for t in (await client.list_resource_templates()).resource_templates]
        called = await attempt(client.call_tool("listOrders", {}))
        read = await attempt(client.read_resource("shop-mcp://products/p1"))
        pages = {r.name: r.description for r in (await client.list_resources()).resources if r.name.startswith("toolset-")}
        page = await attempt(client.read_resource("shop-mcp://toolsets/orders"))
        return names, templates, called, read, pages, page

    try:
        wait_for_port(port, process=process)
        orders = _calls(url, steps, {"Authorization": "Bearer " + issuer.token(audience, scope="orders:read")})
        catalog = _calls(url, steps, {"Authorization": "Bearer " + issuer.token(audience, scope="catalog:read")})
        operator = _calls(url, steps, {"Authorization": f"Bearer {TOKEN}"})
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert orders[0] == ["cancelOrder", "createOrder", "get_search", "listOrders"]
    assert orders[1] == [] and not orders[2].is_error
    assert isinstance(orders[3], MCPError) and "Unknown resource" in str(orders[3])
    assert catalog[0] == ["createProduct", "get_search", "listProducts", "product_details"]
    assert catalog[1] == ["product"]
    assert isinstance(catalog[2], MCPError) and "Unknown tool: listOrders" in str(catalog[2])
    assert not isinstance(catalog[3], MCPError)
    assert operator[0] == sorted([*catalog[0], "cancelOrder", "createOrder", "listOrders"]) and operator[1] == ["product"]
    assert [r.path for r in upstream.requests] == ["/orders", "/products/p1", "/orders", "/products/p1"]
    # A toolset's page shows only the tools the caller may use; a toolset with none has no page for it.
    assert sorted(orders[4]) == ["toolset-orders", "toolset-other"]
    assert sorted(catalog[4]) == ["toolset-admin", "toolset-catalog", "toolset-other"]  # createProduct is in both
    assert sorted(operator[4]) == ["toolset-admin", "toolset-catalog", "toolset-orders", "toolset-other"]
    assert "## `listOrders`" in orders[5].contents[0].text
    assert isinstance(catalog[5], MCPError) and "Unknown resource: shop-mcp://toolsets/orders" in str(catalog[5])