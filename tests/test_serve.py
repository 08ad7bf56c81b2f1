"""`rest2mcp serve SPEC`: the server of a document, in memory, with the generated packages' runtime.

Driven through the official MCP client over stdio, as a subprocess, against the recording upstream:
the request the API receives is asserted exactly, as for generated servers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import GENERATED, ROOT, api_text, child_env, free_port, run, text_of, wait_for_port, write
from mcp import StdioServerParameters
from upstream import Reply, Upstream

API_KEY = "serve-key-1"


def serve(*args: str, **env: str) -> StdioServerParameters:
    """`rest2mcp serve ARGS` over stdio, run from the checkout, with only the given credentials."""
    return StdioServerParameters(command=sys.executable, args=["-m", "rest2mcp", "serve", *args], cwd=str(ROOT),
                                 env=child_env(**env))


def test_serve_speaks_mcp_over_stdio_and_calls_the_api(upstream: Upstream, tmp_path):
    upstream.reply("GET", "/pets", Reply.json([{"id": 1, "name": "Rex", "tag": None}]))
    upstream.reply("DELETE", "/pets/7", Reply(204))

    async def steps(client):
        listed = await client.list_tools()
        listing = await client.call_tool("listPets", {"limit": 2})
        deleted = await client.call_tool("deletePet", {"petId": "7"})  # the client's user approves
        return listed, listing, deleted

    # The document names the upstream as its server: `serve SPEC` with no other argument, over stdio.
    spec = write(tmp_path / "petstore.yaml", (ROOT / "specs/petstore.yaml").read_text().replace(
        "https://petstore.example.com/v1", upstream.url))
    before = set(tmp_path.iterdir())
    listed, listing, deleted = run(serve(str(spec), PETSTORE_MCP_API_KEY=API_KEY, PETSTORE_MCP_AUDIT_LOG="off"),
                                   "auto", steps)

    expected = json.loads((GENERATED / "petstore/petstore_mcp/generated/tools.json").read_text())["tools"]
    assert [t.name for t in listed.tools] == [t["name"] for t in expected]
    for tool, definition in zip(listed.tools, expected):
        assert tool.input_schema == definition["inputSchema"]
    get, delete = upstream.requests
    assert (get.method, get.target, get.body) == ("GET", "/pets?limit=2", b"")
    assert get.headers["x-api-key"] == API_KEY and get.headers["accept"] == "application/json"
    assert json.loads(api_text(listing)) == [{"id": 1, "name": "Rex", "tag": None}]
    assert listing.structured_content == {"result": [{"id": 1, "name": "Rex", "tag": None}]}
    assert (delete.method, delete.target) == ("DELETE", "/pets/7")
    assert not deleted.is_error and "HTTP 204" in text_of(deleted)
    assert set(tmp_path.iterdir()) == before  # nothing written


def test_serve_passes_server_options_and_reads_the_configuration(upstream: Upstream, tmp_path):
    spec = write(tmp_path / "shop.yaml", (ROOT / "specs/shop/openapi.yaml").read_text())
    write(tmp_path / "rest2mcp.toml", (ROOT / "specs/shop/rest2mcp.toml").read_text())
    generated = json.loads((GENERATED / "shop/shop_mcp/generated/tools.json").read_text())["tools"]
    read_only = [t["name"] for t in generated if t["annotations"].get("readOnlyHint") is True]

    async def steps(client):
        return await client.list_tools()

    listed = run(serve(str(spec), "--read-only", "--base-url", upstream.url), "auto", steps)
    assert [t.name for t in listed.tools] == read_only  # the configuration's tools, --read-only's choice


def test_serve_refusals_are_messages_with_exit_codes(rest2mcp):
    # In this process: each of these ends before a transport starts.
    missing = rest2mcp("serve", "specs/nope.yaml")
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr.startswith("error[E101] specs/nope.yaml: no such file")

    bad_option = rest2mcp("serve", "specs/petstore.yaml", "--transport", "carrier-pigeon")
    assert bad_option.returncode == 2 and "invalid choice: 'carrier-pigeon'" in bad_option.stderr
    assert "Traceback" not in bad_option.stderr

    relative = rest2mcp("serve", "specs/broken/partly-unsupported.yaml")  # its server URL is relative
    assert relative.returncode == 1 and "Traceback" not in relative.stderr
    assert "partly-unsupported-mcp: no base URL for the API" in relative.stderr
    assert "warning[W301]" in relative.stderr  # the document's diagnostics come first

    listed = rest2mcp("serve", "specs/petstore.yaml", "--list-toolsets")
    assert listed.returncode == 0 and listed.stdout == "pets\t4 tools\n"

    server_help = rest2mcp("serve", "specs/petstore.yaml", "-h")
    assert server_help.returncode == 0 and server_help.stdout.startswith("usage: petstore-mcp ")
    assert "--transport {stdio,http}" in server_help.stdout

    as_json = rest2mcp("serve", "specs/broken/partly-unsupported.yaml", "--json", "--list-toolsets")
    assert as_json.returncode == 0
    assert [json.loads(line)["code"] for line in as_json.stderr.splitlines()] == ["W301", "I602"]


@pytest.mark.e2e
def test_serve_over_streamable_http(upstream: Upstream):
    upstream.reply("GET", "/pets/3", Reply.json({"id": 3, "name": "Ada", "tag": None}))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rest2mcp", "serve", "specs/petstore.yaml", "--quiet", "--transport", "http",
         "--port", str(port), "--base-url", upstream.url, "--read-only"],
        cwd=ROOT, env=child_env(PETSTORE_MCP_API_KEY=API_KEY, PETSTORE_MCP_AUDIT_LOG="off"),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, timeout=60, process=process)

        async def steps(client):
            listed = await client.list_tools()
            shown = await client.call_tool("showPetById", {"petId": "3"})
            return listed, shown

        listed, shown = run(f"http://127.0.0.1:{port}/mcp", "auto", steps)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert [t.name for t in listed.tools] == ["listPets", "showPetById"]  # --read-only went to the server
    [request] = upstream.requests
    assert (request.method, request.target) == ("GET", "/pets/3")
    assert request.headers["x-api-key"] == API_KEY
    assert shown.structured_content == {"id": 3, "name": "Ada", "tag": None}
