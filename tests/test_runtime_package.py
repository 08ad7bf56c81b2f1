"""The runtime is one package (rest2mcp/runtime) that every generated package carries verbatim, and the
catalog is the one contract between the generator and that runtime.

The functional tests here import a generated package from a temporary folder and serve it in memory
through the official MCP client (`mcp.Client(server)`), against the recording upstream on 127.0.0.1.
"""

from __future__ import annotations

import ast
import importlib
import json
import logging
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from helpers import EXAMPLES, GENERATED, ROOT, SPECS, child_env
from mcp import Client, StdioServerParameters
from rest2mcp.emit.render import RUNTIME_FOLDER, runtime_modules
from rest2mcp.pipeline import Options, generate
from rest2mcp.runtime.catalog import FORMAT_VERSION, CatalogError, read_catalog
from upstream import Reply, Upstream

RUNTIME = ROOT / "generator" / "rest2mcp" / "runtime"
MAX_LINES = 450


def _package_folder(example: str) -> Path:
    return next(p for p in (GENERATED / example).iterdir() if p.is_dir() and (p / RUNTIME_FOLDER).is_dir())


@pytest.mark.parametrize("example", sorted(EXAMPLES.values()))
def test_generated_packages_carry_the_runtime_byte_for_byte(example):
    copy = _package_folder(example) / RUNTIME_FOLDER
    modules = {p.name: p.read_bytes() for p in runtime_modules()}
    assert sorted(p.name for p in copy.glob("*.py")) == sorted(modules)
    for name, data in modules.items():
        assert (copy / name).read_bytes() == data, f"{example}: {RUNTIME_FOLDER}/{name} differs from rest2mcp/runtime"


def test_the_runtime_imports_only_itself_and_the_packages_generated_servers_depend_on():
    allowed = {"mcp", "httpx", "jsonschema", "regex", "typing_extensions", "anyio", "uvicorn", "starlette", "jwt", "authlib", "tenacity",
               *sys.stdlib_module_names}
    for module in RUNTIME.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            for name in names:
                assert name.split(".")[0] in allowed, f"{module.name} imports {name}"


def test_the_generator_runs_where_mcp_is_not_installed():
    """rest2mcp does not depend on mcp (the generated packages do): the runtime modules the generator
    imports must not need it. Documents with prompts and resources reach every such module."""
    code = ("import sys\nsys.modules['mcp'] = None  # import mcp raises ImportError\n"
            "import rest2mcp.cli\nfrom rest2mcp.pipeline import Options, prepare\n"
            "for spec in sys.argv[1:]:\n    assert prepare(spec, Options()).files\n")
    specs = [str(SPECS / "petstore.yaml"), str(SPECS / "shop" / "openapi.yaml")]
    result = subprocess.run([sys.executable, "-c", code, *specs], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_no_module_of_the_distribution_is_oversized():
    sources = [*(ROOT / "generator").rglob("*.py"), *(ROOT / "templates").rglob("*.py")]
    long = {str(p.relative_to(ROOT)): n for p in sources if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, long


# -- the catalog contract -------------------------------------------------------------------


def test_catalogs_carry_their_format_version_and_read_back():
    data = json.loads((_package_folder("petstore") / RUNTIME_FOLDER / "tools.json").read_text())
    assert next(iter(data)) == "formatVersion" and data["formatVersion"] == FORMAT_VERSION
    assert read_catalog(json.dumps(data))["plans"].keys() == {t["name"] for t in data["tools"]}
    index = json.loads((_package_folder("petstore") / RUNTIME_FOLDER / "index.json").read_text())
    assert index["formatVersion"] == FORMAT_VERSION and index["name"] == "petstore-mcp"


def test_catalogs_of_the_first_format_read_and_newer_ones_are_refused():
    data = json.loads((_package_folder("petstore") / RUNTIME_FOLDER / "tools.json").read_text())
    first = {k: v for k, v in data.items() if k != "formatVersion"}
    assert read_catalog(json.dumps(first))["tools"] == data["tools"]
    with pytest.raises(CatalogError, match="format version 99, newer than this reader's"):
        read_catalog(json.dumps({**data, "formatVersion": 99}))
    with pytest.raises(CatalogError, match="no request plan"):
        read_catalog(json.dumps({**data, "plans": {}}))


# -- in-process servers ---------------------------------------------------------------------


def _import_generated(out: Path, module: str):
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(f"{module}.generated.server")
    finally:
        sys.path.remove(str(out))


@pytest.fixture
def imported():
    """Import generated packages; forget them afterwards (each test's package is new)."""
    names: list[str] = []

    def load(out: Path, module: str):
        names.append(module)
        return _import_generated(out, module)

    yield load
    for name in [n for n in sys.modules if n.split(".")[0] in names]:
        del sys.modules[name]


def _serve(server_module, module: str, argv: list[str], environ: dict[str, str]):
    """The server `main()` would run, built in memory by the package's own copy of the runtime: (server, surface)."""
    from importlib import resources

    data = resources.files(f"{module}.generated")
    index = server_module.read_index(data.joinpath("index.json").read_bytes())
    overrides = importlib.import_module(f"{module}.overrides")
    args = importlib.import_module(f"{module}.generated.options").parser(index, "0").parse_args(argv)
    surface = server_module.build(args, index, data.joinpath("tools.json").read_bytes, overrides, "0", environ)
    return server_module.create_server(surface, index, "0"), surface


def _call(server, steps):
    async def main():
        async with Client(server) as client:
            return await steps(client)

    return anyio.run(main)


def test_schemes_named_like_settings_get_their_own_variables(tmp_path, imported, upstream: Upstream):
    out = tmp_path / "out"
    generate(str(SPECS / "collisions" / "openapi.yaml"), out, Options(models=False))
    catalog = json.loads((out / "collisions_mcp" / "generated" / "tools.json").read_text())
    variables = {key: scheme["env"] for key, scheme in catalog["schemes"].items()}
    assert variables == {
        "mode": ["COLLISIONS_MCP_MODE_KEY"],
        "toolsets": ["COLLISIONS_MCP_TOOLSETS_KEY"],
        "base_url": ["COLLISIONS_MCP_BASE_URL_KEY"],
        "timeout": ["COLLISIONS_MCP_TIMEOUT_TOKEN"],
    }
    server_module = imported(out, "collisions_mcp")
    environ = {"COLLISIONS_MCP_MODE_KEY": "k-mode", "COLLISIONS_MCP_TOOLSETS_KEY": "k-sets",
               "COLLISIONS_MCP_BASE_URL_KEY": "k-base", "COLLISIONS_MCP_TIMEOUT_TOKEN": "k-time",
               "COLLISIONS_MCP_MODE": "tools", "COLLISIONS_MCP_TIMEOUT": "5"}
    server, _ = _serve(server_module, "collisions_mcp", ["--base-url", upstream.url], environ)
    results = _call(server, lambda c: _both(c))
    assert not any(r.is_error for r in results), [r.content for r in results]
    things, secure = upstream.requests
    assert things.target == "/things?toolsets_key=k-sets"
    assert things.headers["x-mode-key"] == "k-mode" and things.headers["x-base"] == "k-base"
    assert secure.headers["authorization"] == "Bearer k-time"


async def _both(client):
    return [await client.call_tool("listThings", {}), await client.call_tool("secureThing", {})]


def test_a_key_named_mode_does_not_stop_the_server_from_starting(tmp_path, upstream: Upstream):
    """Through the console script's own start-up (a subprocess over stdio), with the key set."""
    out = tmp_path / "out"
    generate(str(SPECS / "collisions" / "openapi.yaml"), out, Options(models=False))
    env = child_env(PYTHONPATH=str(out), COLLISIONS_MCP_MODE_KEY="k-mode", COLLISIONS_MCP_TOOLSETS_KEY="k-sets",
                    COLLISIONS_MCP_BASE_URL_KEY="k-base")
    target = StdioServerParameters(command=sys.executable, args=["-m", "collisions_mcp", "--base-url", upstream.url],
                                   env=env)

    async def main():
        async with Client(target) as client:
            return await client.call_tool("listThings", {})

    result = anyio.run(main)
    assert not result.is_error, result.content
    assert upstream.last().headers["x-mode-key"] == "k-mode"
    assert upstream.last().target == "/things?toolsets_key=k-sets"


# -- overrides.py speaks the configuration's vocabulary ----------------------------------------

OVERRIDES = '''
TOOLS = {
    "deletePet": {"exclude": True},
    "listPets": {"name": "pets", "title": "All pets", "annotations": {"openWorldHint": False},
                 "arguments": {"limit": {"fixed": 7}}},
    "createPet": {"arguments": {"tag": {"default": "dog", "description": "What kind"}}},
}
'''


def _petstore(tmp_path: Path, overrides: str) -> Path:
    out = tmp_path / "out"
    generate(str(SPECS / "petstore.yaml"), out, Options(models=False))
    (out / "petstore_mcp" / "overrides.py").write_text(overrides)
    return out


def test_overrides_use_the_configuration_vocabulary(tmp_path, imported, upstream: Upstream):
    upstream.reply("GET", "/pets", Reply.json([]))
    upstream.reply("POST", "/pets", Reply.json({"id": 1, "name": "Rex"}, status=201))
    server_module = imported(_petstore(tmp_path, OVERRIDES), "petstore_mcp")
    environ = {"PETSTORE_MCP_API_KEY": "k"}
    server, _ = _serve(server_module, "petstore_mcp", ["--base-url", upstream.url], environ)

    async def steps(client):
        listed = await client.list_tools()
        return (listed, await client.call_tool("pets", {}), await client.call_tool("createPet", {"name": "Rex"}),
                await client.call_tool("pets", {"limit": 2}))

    listed, pets, created, refused = _call(server, steps)
    tools = {t.name: t for t in listed.tools}
    assert sorted(tools) == ["createPet", "pets", "showPetById"]
    assert tools["pets"].title == "All pets" and tools["pets"].annotations.open_world_hint is False
    assert "limit" not in tools["pets"].input_schema["properties"]
    tag = tools["createPet"].input_schema["properties"]["tag"]
    assert tag["default"] == "dog" and tag["description"] == "What kind"
    assert not pets.is_error and not created.is_error
    assert [r.target for r in upstream.requests] == ["/pets?limit=7", "/pets"]
    assert upstream.requests[1].json() == {"name": "Rex", "tag": "dog"}
    assert refused.is_error and "limit: unknown argument" in refused.content[0].text


def test_old_overrides_spellings_still_work_and_say_what_to_write(tmp_path, imported, upstream: Upstream, caplog):
    old = 'TOOLS = {"deletePet": {"hidden": True}, "listPets": {"fixed": {"limit": 3}, "defaults": {}}}\n'
    server_module = imported(_petstore(tmp_path, old), "petstore_mcp")
    with caplog.at_level(logging.WARNING):
        server, _ = _serve(server_module, "petstore_mcp", ["--base-url", upstream.url], {"PETSTORE_MCP_API_KEY": "k"})
        listed = _call(server, lambda c: c.list_tools())
    assert [t.name for t in listed.tools] == ["listPets", "createPet", "showPetById"]
    notes = " ".join(r.getMessage() for r in caplog.records)
    assert "'hidden' is now 'exclude'" in notes and "'fixed' is now 'arguments.<argument>.fixed'" in notes


def test_bad_overrides_are_refused_with_what_to_change(tmp_path, imported):
    server_module = imported(_petstore(tmp_path, 'TOOLS = {"listPets": {"hide": True}}\n'), "petstore_mcp")
    surface_module = importlib.import_module("petstore_mcp.generated.surface")
    with pytest.raises(surface_module.SurfaceError, match=r"unknown key hide \(keys: name, title"):
        _serve(server_module, "petstore_mcp", ["--base-url", "http://127.0.0.1:9"], {})


def test_a_fixed_argument_leaves_no_requirement_naming_it():
    """An optional body's dependentRequired names its fields; fixing one removes it there too."""
    from rest2mcp.runtime.changes import apply_change

    definition = {"name": "t", "description": "", "annotations": {}, "inputSchema": {
        "type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
        "dependentRequired": {"a": ["b"], "b": ["a"]}, "additionalProperties": False}}
    changed, plan, problems = apply_change(definition, {"method": "POST", "path": "/", "arguments": {}},
                                           {"arguments": {"b": {"fixed": "x"}}})
    assert problems == [] and plan["fixed"] == {"b": "x"}
    assert "dependentRequired" not in changed["inputSchema"] and "b" not in changed["inputSchema"]["properties"]


def test_a_catalog_from_a_newer_generator_stops_the_server_with_a_message(tmp_path):
    out = tmp_path / "out"
    generate(str(SPECS / "petstore.yaml"), out, Options(models=False))
    catalog = out / "petstore_mcp" / "generated" / "tools.json"
    catalog.write_text(json.dumps({**json.loads(catalog.read_text()), "formatVersion": 99}))
    result = subprocess.run([sys.executable, "-m", "petstore_mcp"], env=child_env(PYTHONPATH=str(out)), stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "petstore-mcp: tools.json has format version 99" in result.stderr and "Traceback" not in result.stderr


def test_overrides_importing_modules_of_earlier_versions_get_told_where_they_went(tmp_path):
    out = _petstore(tmp_path, "from .runtime import ToolError\n")
    result = subprocess.run([sys.executable, "-m", "petstore_mcp"], env=child_env(PYTHONPATH=str(out)),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ("petstore-mcp: overrides.py imports petstore_mcp.runtime, which does not exist: import it from "
            ".generated.errors (ToolError) or generated.caller instead") in result.stderr
