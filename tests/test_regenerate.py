"""Regenerating after the API changed: ownership, hand edits, stale files, interruptions, overrides."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml
from helpers import SPECS, child_env, run, text_of
from mcp import StdioServerParameters
from rest2mcp.pipeline import Options, generate, plan, prepare
from rest2mcp.writing import manifest as writing
from rest2mcp.writing.manifest import MANIFEST, OwnershipConflict, read_manifest, sha256
from upstream import Reply, Upstream


def changed_petstore(tmp_path: Path) -> Path:
    """The petstore as a later version: a new operation, a description changed."""
    document = yaml.safe_load((SPECS / "petstore.yaml").read_text())
    document["paths"]["/pets"]["get"]["description"] = "Returns the pets, newest first."
    document["paths"]["/owners"] = {"get": {"operationId": "listOwners", "responses": {"200": {
        "description": "owners", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}}}}}
    path = tmp_path / "petstore-v2.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def consistent(out: Path) -> bool:
    """Every file the manifest lists is on disk with a hash the manifest records (or as pending)."""
    manifest = read_manifest(out)
    pending = manifest.get("pending") or {}
    for relative, entry in manifest["files"].items():
        path = out / relative
        if entry["owner"] == writing.SCAFFOLD:
            continue
        on_disk = sha256(path.read_bytes()) if path.is_file() else None
        if on_disk not in (entry["sha256"], pending.get(relative)) and not (on_disk is None and relative in pending):
            return False
    return True


def test_second_generate_writes_nothing_and_says_so(tmp_path, rest2mcp):
    out = tmp_path / "out"
    first = rest2mcp("generate", str(SPECS / "petstore.yaml"), "-o", str(out))
    assert first.returncode == 0, first.stderr
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    second = rest2mcp("generate", str(SPECS / "petstore.yaml"), "-o", str(out))
    assert second.returncode == 0
    files = json.loads((out / MANIFEST).read_text())["files"]
    written = sum(1 for entry in files.values() if entry["owner"] == "generated")  # scaffolds are the user's
    assert f"(nothing to write: {written} files already up to date;" in second.stdout
    assert stamps == {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert rest2mcp("check", str(SPECS / "petstore.yaml"), "-o", str(out)).returncode == 0


def test_a_new_git_repository_is_an_empty_folder_to_generate_into(tmp_path, rest2mcp):
    out = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(out)], check=True)
    head = (out / ".git" / "HEAD").read_bytes()
    done = rest2mcp("generate", str(SPECS / "petstore.yaml"), "-o", str(out), "--no-models")
    assert done.returncode == 0, done.stderr
    assert (out / MANIFEST).is_file() and (out / ".git" / "HEAD").read_bytes() == head
    assert ".git" not in json.loads((out / MANIFEST).read_text())["files"]
    other = tmp_path / "other"
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    (other / "notes.txt").write_text("mine")
    refused = rest2mcp("generate", str(SPECS / "petstore.yaml"), "-o", str(other), "--no-models")
    assert refused.returncode == 2
    assert "(it holds notes.txt)" in refused.stderr  # the repository's own folder is not named


def test_hand_edits_unknown_files_force_and_stale_files(tmp_path, rest2mcp):
    out = tmp_path / "out"
    spec = str(SPECS / "petstore.yaml")
    (out / "petstore_mcp").mkdir(parents=True)
    (out / "notes.txt").write_text("mine")
    (out / "README.md").write_text("my own readme")

    refused = rest2mcp("generate", spec, "-o", str(out))
    assert refused.returncode == 2
    assert f"error[E520] {out}: the folder is not empty and rest2mcp did not generate it" in refused.stderr
    refused = rest2mcp("generate", spec, "-o", str(out), "--adopt")
    assert refused.returncode == 2
    assert f"error[E501] {out / 'README.md'}: exists and was not written by rest2mcp" in refused.stderr
    assert (out / "README.md").read_text() == "my own readme"
    assert not (out / MANIFEST).exists() and not (out / "pyproject.toml").exists()  # nothing written

    forced = rest2mcp("generate", spec, "-o", str(out), "--adopt", "--force")
    assert forced.returncode == 0, forced.stderr
    assert (out / "README.md.orig").read_text() == "my own readme"

    server = out / "petstore_mcp" / "__init__.py"
    server.write_text(server.read_text() + "\n# a hand edit\n")
    edited = rest2mcp("generate", spec, "-o", str(out))
    assert edited.returncode == 2
    assert f"error[E501] {server}: edited by hand since it was generated" in edited.stderr
    assert rest2mcp("check", spec, "-o", str(out)).returncode == 2
    assert rest2mcp("generate", spec, "-o", str(out), "--force").returncode == 0
    assert (out / "petstore_mcp" / "__init__.py.orig").read_text().endswith("# a hand edit\n")
    assert "# a hand edit" not in server.read_text()

    (out / "petstore_mcp" / "overrides.py").write_text("TOOLS = {}\n# my overrides\n")
    renamed = rest2mcp("generate", spec, "-o", str(out), "--name", "pets-mcp")
    assert renamed.returncode == 0, renamed.stderr
    assert sorted(p.name for p in (out / "petstore_mcp").iterdir()) == ["__init__.py.orig", "overrides.py"]
    assert (out / "petstore_mcp" / "overrides.py").read_text().endswith("# my overrides\n")
    assert (out / "pets_mcp" / "__init__.py").is_file()
    assert (out / "notes.txt").read_text() == "mine"
    # The folder remembers its options: regenerating without --name keeps pets-mcp.
    again = rest2mcp("generate", spec, "-o", str(out))
    assert "pets-mcp" in again.stdout and "nothing to write" in again.stdout


def test_interrupted_write_leaves_a_consistent_manifest(tmp_path, monkeypatch):
    out = tmp_path / "out"
    generate(str(SPECS / "petstore.yaml"), out, Options())
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    new_spec = changed_petstore(tmp_path)

    real_write = writing.write_atomic
    calls = {"n": 0}

    def failing_write(path, data):
        calls["n"] += 1
        if calls["n"] == 3:  # the journal, one file, then the disk "fails"
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(writing, "write_atomic", failing_write)
    with pytest.raises(OSError):
        generate(str(new_spec), out, Options())
    monkeypatch.setattr(writing, "write_atomic", real_write)

    assert consistent(out)
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    changed = [p for p in after if p != MANIFEST and after[p] != before.get(p)]
    assert len(changed) == 1  # one file replaced whole; every other file as it was
    # The interrupted state is not mistaken for hand edits, and the next run completes it.
    resumed = plan(prepare(str(new_spec), Options()), out)
    assert resumed.conflicts == []
    generate(str(new_spec), out, Options())
    final = plan(prepare(str(new_spec), Options()), out)
    assert not final.changes and "pending" not in read_manifest(out)


def test_conflicts_stop_before_any_write(tmp_path):
    out = tmp_path / "out"
    generate(str(SPECS / "petstore.yaml"), out, Options())
    tools = out / "petstore_mcp" / "generated" / "tools.json"
    tools.write_text(tools.read_text().replace("List all pets", "List every pet"))
    manifest_before = (out / MANIFEST).read_bytes()
    with pytest.raises(OwnershipConflict) as raised:
        generate(str(changed_petstore(tmp_path)), out, Options())
    assert [c.path for c in raised.value.conflicts] == ["petstore_mcp/generated/tools.json"]
    assert (out / MANIFEST).read_bytes() == manifest_before


OVERRIDES = textwrap.dedent('''
    from mcp import types

    TOOLS = {
        "listPets": {"name": "pets", "title": "Pets", "fixed": {"limit": 7}},
        "deletePet": {"hidden": True},
        "showPetById": {"annotations": {"title": "One pet"}},
    }


    async def before_request(tool, request):
        request.headers["X-Custom"] = f"from-{tool}"


    async def after_response(tool, response, result):
        if tool == "showPetById" and not result.is_error:
            from .models import Pet  # the typed models, imported where they are used

            pet = Pet.model_validate(result.structured_content)
            result.structured_content = {**result.structured_content, "name": pet.name.upper()}
            result.content = [types.TextContent(type="text", text="reshaped")]
        return result


    async def ping(arguments):
        return {"pong": arguments.get("word", "")}

    EXTRA_TOOLS = [({"name": "ping", "description": "Check the server",
                     "inputSchema": {"type": "object", "properties": {"word": {"type": "string"}}}}, ping)]
''')


def test_overrides_survive_regeneration_and_work(tmp_path, server_venv, upstream: Upstream):
    out = tmp_path / "out"
    generate(str(SPECS / "petstore.yaml"), out, Options())
    (out / "petstore_mcp" / "overrides.py").write_text(OVERRIDES)
    _, report = generate(str(changed_petstore(tmp_path)), out, Options())
    assert "petstore_mcp/overrides.py" not in report.written
    assert (out / "petstore_mcp" / "overrides.py").read_text() == OVERRIDES

    upstream.reply("GET", "/pets", Reply.json([]))
    upstream.reply("GET", "/pets/1", Reply.json({"id": 1, "name": "rex"}))
    upstream.reply("GET", "/owners", Reply.json(["ann"]))
    target = StdioServerParameters(command=str(server_venv / "bin" / "python"),
                                   args=["-m", "petstore_mcp", "--base-url", upstream.url], cwd=str(out),
                                   env=child_env(PETSTORE_MCP_API_KEY="k"))

    async def steps(client):
        listed = await client.list_tools()
        return (listed,
                await client.call_tool("pets", {}),
                await client.call_tool("showPetById", {"petId": "1"}),
                await client.call_tool("ping", {"word": "hi"}),
                await client.call_tool("listOwners", {}))

    listed, pets, pet, ping, owners = run(target, "legacy", steps)
    tools = {tool.name: tool for tool in listed.tools}
    assert sorted(tools) == ["createPet", "listOwners", "pets", "ping", "showPetById"]
    assert "limit" not in tools["pets"].input_schema["properties"]
    assert tools["pets"].title == "Pets"
    assert tools["showPetById"].annotations.title == "One pet"
    assert tools["showPetById"].annotations.read_only_hint is True

    listing, show, _ = upstream.requests[:3]
    assert listing.target == "/pets?limit=7" and listing.headers["x-custom"] == "from-listPets"
    assert not pets.is_error
    assert show.headers["x-custom"] == "from-showPetById"
    assert pet.structured_content == {"id": 1, "name": "REX"} and text_of(pet) == "reshaped"
    assert ping.structured_content == {"pong": "hi"}
    assert owners.structured_content == {"result": ["ann"]}  # the operation the new spec version added


def test_unknown_tool_names_in_overrides_stop_the_server(tmp_path, server_venv):
    out = tmp_path / "out"
    generate(str(SPECS / "petstore.yaml"), out, Options())
    (out / "petstore_mcp" / "overrides.py").write_text('TOOLS = {"listPet": {"hidden": True}}\n')
    started = subprocess.run([str(server_venv / "bin" / "python"), "-m", "petstore_mcp", "--base-url", "http://x"],
                             cwd=out, capture_output=True, text=True, env=child_env(), stdin=subprocess.DEVNULL,
                             timeout=60, check=False)
    assert started.returncode == 1
    assert "overrides.TOOLS names tools that do not exist: listPet" in started.stderr


def test_manifest_records_sources_and_ownership(tmp_path):
    out = tmp_path / "out"
    generate(str(SPECS / "petstore.yaml"), out, Options(name="pets-mcp"))
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["generator"].startswith("rest2mcp ")
    assert manifest["spec"]["sha256"] == sha256((SPECS / "petstore.yaml").read_bytes())
    assert manifest["config"]["name"] == "pets-mcp"
    owners = {path: entry["owner"] for path, entry in manifest["files"].items()}
    assert owners["pets_mcp/overrides.py"] == "scaffold"
    assert owners["pets_mcp/generated/tools.json"] == "generated"
    assert "timestamp" not in json.dumps(manifest)
    shutil.rmtree(out)


GROWING = """
openapi: 3.0.3
info: {title: Growing, version: "1"}
servers: [{url: https://growing.example.com}]
paths:
  /pets/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
  /pets:
    get:
      operationId: listPets
      responses: {"200": {description: ok}}
    post:
      responses: {"201": {description: created}}
"""


def test_adding_an_operation_never_renames_an_existing_tool(tmp_path, rest2mcp):
    spec = tmp_path / "growing.yaml"
    spec.write_text(GROWING)
    out = tmp_path / "out"
    assert rest2mcp("generate", str(spec), "-o", str(out), "--no-models").returncode == 0
    catalog = out / "growing_mcp" / "generated" / "tools.json"
    before = {t["name"] for t in json.loads(catalog.read_text())["tools"]}
    assert before == {"get_pets_by_id", "listPets", "post_pets"}

    # Each new operation's derived name (or operationId) equals an existing tool's.
    document = yaml.safe_load(GROWING)
    document["paths"]["/pets/by/id"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    document["paths"]["/pets/"] = {"post": {"responses": {"201": {"description": "created"}}}}
    document["paths"]["/other"] = {"get": {"operationId": "listPets", "responses": {"200": {"description": "ok"}}}}
    spec.write_text(yaml.safe_dump(document, sort_keys=False))
    grown = rest2mcp("generate", str(spec), "-o", str(out), "--no-models")
    assert grown.returncode == 0, grown.stderr
    after = {(t["name"], plan["method"], plan["path"]) for t in json.loads(catalog.read_text())["tools"]
             for plan in [json.loads(catalog.read_text())["plans"][t["name"]]]}
    names = {(method, path): name for name, method, path in after}
    assert names[("GET", "/pets/{id}")] == "get_pets_by_id"  # no existing name changed
    assert names[("GET", "/pets")] == "listPets"
    assert names[("POST", "/pets")] == "post_pets"
    assert before <= {name for name, _, _ in after}
    new = {names[("GET", "/pets/by/id")], names[("POST", "/pets/")], names[("GET", "/other")]}
    assert all(re.fullmatch(r"(get_pets_by_id|post_pets|listPets)_[0-9a-f]{6}", name) for name in new), new
    assert rest2mcp("check", str(spec), "-o", str(out)).returncode == 0  # check keeps the names as generate does

    # The same grown document in a fresh folder (no history) names by the rules alone.
    fresh = rest2mcp("tools", str(spec), "--json")
    assert "get_pets_by_id" not in {t["name"] for t in json.loads(fresh.stdout)}
