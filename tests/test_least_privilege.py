"""Least privilege at start: --read-only (or <PREFIX>_READ_ONLY) exposes only tools that change nothing;
--tools and --exclude-tools choose tools by name patterns."""

from __future__ import annotations

import pytest
from helpers import SPECS, call_in_memory, in_memory_server, text_of
from mcp.shared.exceptions import MCPError
from rest2mcp.pipeline import Options, generate
from rest2mcp.runtime.options import OptionError
from upstream import Reply, Upstream

READ_ONLY_TOOLS = ["listPets", "showPetById"]  # GET; createPet (POST) and deletePet (DELETE) change things


@pytest.fixture
def petstore(tmp_path):
    out = tmp_path / "out"
    generate(str(SPECS / "petstore.yaml"), out, Options(models=False))
    return out


@pytest.mark.parametrize("argv,environ", [(["--read-only"], {}), ([], {"PETSTORE_MCP_READ_ONLY": "true"})],
                         ids=["option", "environment"])
def test_read_only_lists_only_tools_that_change_nothing(petstore, upstream: Upstream, argv, environ):
    upstream.reply("GET", "/pets", Reply.json([]))
    server = in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, *argv,
                              environ={"PETSTORE_MCP_API_KEY": "k", **environ})

    async def steps(client):
        listed = await client.list_tools()
        listing = await client.call_tool("listPets", {})
        try:
            await client.call_tool("deletePet", {"petId": "1"})
        except MCPError as exc:
            return listed, listing, exc
        return listed, listing, None

    listed, listing, refused = call_in_memory(server, steps)
    assert [t.name for t in listed.tools] == READ_ONLY_TOOLS
    assert all(t.annotations.read_only_hint for t in listed.tools)
    assert not listing.is_error, text_of(listing)
    assert refused is not None and "Unknown tool: deletePet" in str(refused)
    assert [(r.method, r.path) for r in upstream.requests] == [("GET", "/pets")]  # the DELETE never left


def test_without_read_only_every_tool_is_listed(petstore, upstream: Upstream):
    server = in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url,
                              environ={"PETSTORE_MCP_READ_ONLY": "false"})
    listed = call_in_memory(server, lambda client: client.list_tools())
    assert [t.name for t in listed.tools] == ["listPets", "createPet", "showPetById", "deletePet"]


def test_read_only_applies_to_discovery_mode(petstore, upstream: Upstream):
    server = in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, "--mode", "discovery",
                              "--read-only")

    async def steps(client):
        found = await client.call_tool("search_operations", {"query": "pet", "limit": 10})
        called = await client.call_tool("call_operation", {"name": "deletePet", "arguments": {"petId": "1"}})
        return found, called

    found, called = call_in_memory(server, steps)
    assert sorted(op["name"] for op in found.structured_content["operations"]) == sorted(READ_ONLY_TOOLS)
    assert called.is_error and "No operation is named 'deletePet'" in text_of(called)
    assert upstream.requests == []


def test_a_wrong_read_only_value_is_refused(petstore):
    with pytest.raises(OptionError, match="PETSTORE_MCP_READ_ONLY must be true or false, not 'maybe'"):
        in_memory_server(petstore, "petstore_mcp", "--base-url", "http://127.0.0.1:9",
                         environ={"PETSTORE_MCP_READ_ONLY": "maybe"})


@pytest.mark.parametrize("argv,environ,expected", [
    (["--tools", "list*,show*"], {}, ["listPets", "showPetById"]),
    (["--exclude-tools", "deletePet"], {}, ["listPets", "createPet", "showPetById"]),
    ([], {"PETSTORE_MCP_TOOLS": "*Pet*", "PETSTORE_MCP_EXCLUDE_TOOLS": "create*, delete*"}, ["listPets", "showPetById"]),
    (["--read-only", "--exclude-tools", "show*"], {}, ["listPets"]),
], ids=["tools", "exclude", "environment", "with-read-only"])
def test_tool_patterns_choose_tools_at_start(petstore, upstream: Upstream, argv, environ, expected):
    server = in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, *argv, environ=environ)

    async def steps(client):
        listed = await client.list_tools()
        try:
            await client.call_tool("deletePet", {"petId": "1"})
        except MCPError as exc:
            return listed, exc
        return listed, None

    listed, refused = call_in_memory(server, steps)
    assert [t.name for t in listed.tools] == expected
    if "deletePet" not in expected:
        assert refused is not None and "Unknown tool: deletePet" in str(refused)
        assert upstream.requests == []


# -- at generation: rest2mcp generate --read-only, or read_only = true in rest2mcp.toml --------------


def _generated_tools(out):
    import json

    return [t["name"] for t in json.loads((out / "petstore_mcp/generated/tools.json").read_text())["tools"]]


def test_generate_read_only_keeps_only_operations_that_change_nothing(tmp_path, capsys):
    from rest2mcp.cli import run as run_cli

    out = tmp_path / "out"
    assert run_cli(["generate", str(SPECS / "petstore.yaml"), "-o", str(out), "--no-models", "--read-only"]) == 0
    assert _generated_tools(out) == READ_ONLY_TOOLS
    # the next run over the folder keeps the choice, and says so; --no-read-only undoes it
    assert run_cli(["generate", str(SPECS / "petstore.yaml"), "-o", str(out)]) == 0
    assert "--read-only" in capsys.readouterr().err and _generated_tools(out) == READ_ONLY_TOOLS
    assert run_cli(["generate", str(SPECS / "petstore.yaml"), "-o", str(out), "--no-read-only"]) == 0
    assert _generated_tools(out) == ["listPets", "createPet", "showPetById", "deletePet"]


def test_read_only_in_the_configuration_counts_configured_read_only_operations(tmp_path):
    from helpers import write

    spec = tmp_path / "petstore.yaml"
    spec.write_bytes((SPECS / "petstore.yaml").read_bytes())
    write(tmp_path / "rest2mcp.toml", """
        read_only = true

        [operations.createPet]
        annotations = { readOnlyHint = true }  # a search that happens to be a POST
        """)
    generate(str(spec), tmp_path / "out", Options(models=False))
    assert _generated_tools(tmp_path / "out") == ["listPets", "createPet", "showPetById"]


def test_a_misspelt_configuration_key_is_refused_with_a_suggestion(tmp_path):
    from helpers import write
    from rest2mcp.diagnostics import GenerationFailed

    spec = tmp_path / "petstore.yaml"
    spec.write_bytes((SPECS / "petstore.yaml").read_bytes())
    write(tmp_path / "rest2mcp.toml", """
        [operations.deletePet]
        require_approval = false
        """)
    with pytest.raises(GenerationFailed) as failed:
        generate(str(spec), tmp_path / "out", Options(models=False))
    (problem,) = failed.value.diagnostics
    assert "operations.deletePet.require_approval: unknown key" in problem.message
    assert problem.hint == "did you mean 'requires_approval'?"
