"""The audit log: one JSON line per call, refused calls included, never a secret."""

from __future__ import annotations

import json

import anyio
import pytest
from helpers import SPECS, call_in_memory, child_env, in_memory_server, stdio
from mcp import Client, types
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError
from rest2mcp.pipeline import Options, generate
from upstream import Reply, Upstream

SECRET = "k-secret-123"
KEY = {"PETSTORE_MCP_API_KEY": SECRET}
FIELDS = ["time", "event", "tool", "operation", "outcome", "status", "attempts", "latency_ms", "approval", "caller"]


@pytest.fixture(scope="module")
def petstore(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit") / "out"
    generate(str(SPECS / "petstore.yaml"), out, Options(models=False))
    return out


async def user_declines(context, params):
    return types.ElicitResult(action="decline")


async def _session(client):
    results = [await client.call_tool("listPets", {"limit": 2}),
               await client.call_tool("showPetById", {"petId": 5}),  # invalid: petId is a string
               await client.call_tool("deletePet", {"petId": "7"})]  # declined by the user
    try:
        await client.call_tool("noSuchTool", {})
    except MCPError:
        pass
    return results


def _records(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_one_line_per_call_with_outcome_status_and_approval(petstore, upstream: Upstream, tmp_path):
    upstream.reply("GET", "/pets", Reply.json([{"id": 1, "name": "Rex"}]))
    log = tmp_path / "audit.jsonl"
    server = in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, "--audit-log", str(log),
                              environ=KEY)
    call_in_memory(server, _session, mode="legacy", elicitation=user_declines)
    records = _records(log)
    assert [list(r) for r in records] == [FIELDS] * 4
    assert [(r["tool"], r["operation"], r["outcome"], r["status"], r["approval"]) for r in records] == [
        ("listPets", "GET /pets", "ok", 200, "not_required"),
        ("showPetById", "GET /pets/{petId}", "error", None, "not_required"),
        ("deletePet", "DELETE /pets/{petId}", "refused", None, "declined"),
        ("noSuchTool", None, "unknown_tool", None, "not_required"),
    ]
    assert all(r["event"] == "tool_call" and r["caller"] == "mcp" and r["latency_ms"] >= 0 for r in records)
    assert [(r.method, r.target) for r in upstream.requests] == [("GET", "/pets?limit=2")]
    assert SECRET not in log.read_text() and "limit" not in log.read_text()  # no secrets, no arguments


def test_arguments_are_logged_only_when_asked_and_credentials_are_masked(petstore, upstream: Upstream, tmp_path):
    upstream.reply("GET", "/pets", Reply.json([]))
    log = tmp_path / "audit.jsonl"
    server = in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, environ={
        **KEY, "PETSTORE_MCP_AUDIT_LOG": str(log), "PETSTORE_MCP_AUDIT_ARGUMENTS": "true"})
    # a model that pastes the API key into an argument
    call_in_memory(server, lambda client: client.call_tool("listPets", {"limit": 2, "note": SECRET}))
    (record,) = _records(log)
    assert SECRET not in log.read_text()
    assert record["arguments"]["limit"] == 2


def test_the_log_can_be_turned_off(petstore, upstream: Upstream, tmp_path, capfd):
    upstream.reply("GET", "/pets", Reply.json([]))
    server = in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, "--audit-log", "off", environ=KEY)
    call_in_memory(server, lambda client: client.call_tool("listPets", {}))
    assert '"tool_call"' not in capfd.readouterr().err


def test_an_unwritable_audit_log_stops_the_start_with_a_message(petstore, tmp_path):
    from rest2mcp.runtime.options import OptionError

    with pytest.raises(OptionError, match="cannot open the audit log .*: No such file or directory"):
        in_memory_server(petstore, "petstore_mcp", "--audit-log", str(tmp_path / "missing" / "audit.jsonl"))


def test_a_stdio_server_logs_to_stderr_by_default(server_venv, upstream: Upstream, tmp_path):
    upstream.reply("GET", "/pets", Reply.json([]))
    parameters = stdio(server_venv, "petstore-mcp", upstream.url, **KEY)
    errors = tmp_path / "stderr.txt"

    async def main():
        with errors.open("w") as errlog:
            async with Client(stdio_client(parameters, errlog=errlog)) as client:
                await client.call_tool("listPets", {})
                await client.call_tool("deletePet", {"petId": "7"})  # this client cannot be asked: refused

    anyio.run(main)
    records = [json.loads(line) for line in errors.read_text().splitlines() if line.startswith("{")]
    assert [(r["tool"], r["outcome"], r["approval"]) for r in records] == [
        ("listPets", "ok", "not_required"), ("deletePet", "refused", "unavailable")]
    assert SECRET not in errors.read_text()
    assert child_env()  # the server got only the variables given
