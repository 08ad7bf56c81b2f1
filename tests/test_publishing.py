"""Releasing a generated package: [package] metadata, server.json, the MCPB manifest, .env.example,
client configurations, the package's own tests, and how files are written.

The slow steps (building wheels, `uvx`, `mcpb pack`, every example's own tests) are the e2e tests
at the end; `bench/install_mcpb.sh` (run by .ci/run) installs the MCPB command line they use.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLES, GENERATED, ROOT, SPECS, call_in_memory, in_memory_server, text_of, write
from jsonschema import Draft202012Validator, FormatChecker
from rest2mcp.writing.manifest import MANIFEST, file_mode, write_atomic
from upstream import Upstream

SERVER_SCHEMA = json.loads((ROOT / "tests" / "data" / "server-json-2025-12-11.schema.json").read_text())
MCPB = ROOT / "bench" / "mcpb" / "node_modules" / ".bin" / "mcpb"
FOLDERS = sorted(EXAMPLES.values())


def spec_copy(tmp_path: Path, name: str = "everything.yaml", config: str | None = None) -> Path:
    spec = tmp_path / "api" / name
    spec.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SPECS / name, spec)
    if config is not None:
        write(spec.parent / "rest2mcp.toml", config)
    return spec


def readme_variables(folder: Path, prefix: str) -> set[str]:
    return set(re.findall(rf"\b{prefix}_[A-Z0-9_]*[A-Z0-9]\b", (folder / "README.md").read_text()))


def env_example_variables(folder: Path) -> list[str]:
    return [line.split("=", 1)[0] for line in (folder / ".env.example").read_text().splitlines()
            if line and not line.startswith("#")]


# -- the release files of every committed example -------------------------------------------------


@pytest.mark.parametrize("folder", FOLDERS)
def test_server_json_follows_the_registry_schema(folder: str):
    out = GENERATED / folder
    data = json.loads((out / "server.json").read_text())
    errors = sorted(Draft202012Validator(SERVER_SCHEMA, format_checker=FormatChecker()).iter_errors(data), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    assert data["$schema"].endswith("/2025-12-11/server.schema.json")
    assert len(data["description"]) <= 100
    pyproject = (out / "pyproject.toml").read_text()
    name = re.search(r'^name = "([^"]+)"', pyproject, re.MULTILINE).group(1)
    version = re.search(r'^version = "([^"]+)"', pyproject, re.MULTILINE).group(1)
    pypi = data["packages"][0]
    assert (pypi["registryType"], pypi["identifier"], pypi["version"], data["version"]) == ("pypi", name, version, version)
    readme = (out / "README.md").read_text()
    if data["name"].startswith("com.example/"):  # no name configured: the README says how to set one, claims none
        assert "\nmcp-name:" not in readme and f"names this server {data['name']}, a placeholder" in readme
    else:
        assert f"\nmcp-name: {data['name']}\n" in readme
    catalog = json.loads(next(out.glob("*/generated/tools.json")).read_text())
    secrets = {v for scheme in catalog["schemes"].values() for v in scheme["env"] if not v.endswith("_USERNAME")}
    declared = {v["name"]: v for v in pypi["environmentVariables"]}
    assert secrets <= set(declared)
    assert all(declared[v]["isSecret"] is True for v in secrets)


@pytest.mark.parametrize("folder", FOLDERS)
def test_mcpb_manifest_passes_each_credential_as_user_config(folder: str):
    out = GENERATED / folder
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["manifest_version"] == "0.3"
    server = manifest["server"]
    assert server["type"] == "python" and (out / server["entry_point"]).is_file()
    assert server["mcp_config"]["command"] == "uv" and server["mcp_config"]["args"][-1] == manifest["name"]
    catalog = json.loads(next(out.glob("*/generated/tools.json")).read_text())
    env = server["mcp_config"]["env"]
    for scheme in catalog["schemes"].values():
        for variable in scheme["env"]:
            key = re.fullmatch(r"\$\{user_config\.([a-z0-9_]+)\}", env[variable]).group(1)
            option = manifest["user_config"][key]
            assert option["sensitive"] is (not variable.endswith("_USERNAME")), variable
    # an option the user leaves empty must not reach the server as the text "${user_config.KEY}"
    assert all(option["required"] or "default" in option for option in manifest["user_config"].values())


@pytest.mark.parametrize("folder", FOLDERS)
def test_env_example_names_exactly_the_variables_of_the_readme(folder: str):
    out = GENERATED / folder
    prefix = json.loads(next(out.glob("*/generated/index.json")).read_text())["envPrefix"]
    names = env_example_variables(out)
    assert len(names) == len(set(names))
    assert set(names) == readme_variables(out, prefix)
    assert all(line.endswith("=") for line in (out / ".env.example").read_text().splitlines()
               if line and not line.startswith("#")), "a value in .env.example"


def test_a_copied_env_example_left_empty_means_every_default(upstream: Upstream):
    """`cp .env.example .env` (or docker --env-file) sets every variable to "": the server starts
    with its defaults (the HTTP options too), and an empty credential counts as not set."""
    from rest2mcp.runtime.hosting import http_options_from
    from rest2mcp.runtime.options import parser
    from rest2mcp.runtime.server import read_index

    out = GENERATED / "petstore"
    empty = dict.fromkeys(env_example_variables(out), "")
    index = read_index((out / "petstore_mcp" / "generated" / "index.json").read_bytes())
    options = http_options_from(parser(index, "0").parse_args(["--transport", "http"]), index, empty)
    assert options.workers == 1
    server = in_memory_server(out, "petstore_mcp", "--base-url", upstream.url, environ=empty)

    async def steps(client):
        return (await client.list_tools()).tools, await client.call_tool("listPets", {})

    tools, result = call_in_memory(server, steps)
    assert len(tools) == 4
    # an empty credential is an unset one: named in the answer, never sent as ""
    assert result.is_error and "PETSTORE_MCP_API_KEY" in text_of(result) and not upstream.requests


@pytest.mark.parametrize("folder", FOLDERS)
def test_package_has_tests_and_a_test_extra_and_runs_as_non_root(folder: str):
    out = GENERATED / folder
    assert (out / "tests" / "test_server.py").is_file()
    assert "[project.optional-dependencies]\ntest = [" in (out / "pyproject.toml").read_text()
    users = re.findall(r"^USER\s+(\S+)", (out / "Dockerfile").read_text(), re.MULTILINE)
    assert users and users[-1] not in ("root", "0")


# -- client configurations: one choice of credentials ---------------------------------------------


def test_snippets_name_one_choice_of_alternative_credentials():
    readme = (GENERATED / "everything" / "README.md").read_text()
    clients = readme[readme.index("## Use it from a client"):readme.index("## Test and release")]
    blocks = re.findall(r"```(?:json|sh)\n(.*?)```", clients, re.DOTALL)
    assert len(blocks) == 7  # Desktop, Code, Cursor, VS Code, Windsurf, remote JSON, remote Code
    for block in blocks[:5]:
        assert "EVERYTHING_MCP_BEARER_AUTH_TOKEN" in block
        assert "BASIC_AUTH" not in block and '"..."' not in block
    assert "`EVERYTHING_MCP_BASIC_AUTH_USERNAME` and `EVERYTHING_MCP_BASIC_AUTH_PASSWORD` instead" in " ".join(clients.split())
    vscode = json.loads((GENERATED / "everything" / ".vscode" / "mcp.json").read_text())
    assert vscode["inputs"] == [{"type": "promptString", "id": "everything-mcp-bearer-auth-token",
                                 "description": vscode["inputs"][0]["description"], "password": True}]
    server = vscode["servers"]["everything-mcp"]
    assert server["env"] == {"EVERYTHING_MCP_BEARER_AUTH_TOKEN": "${input:everything-mcp-bearer-auth-token}"}
    cursor = json.loads((GENERATED / "everything" / ".cursor" / "mcp.json").read_text())
    assert cursor["mcpServers"]["everything-mcp"]["env"] == {
        "EVERYTHING_MCP_BEARER_AUTH_TOKEN": "${env:EVERYTHING_MCP_BEARER_AUTH_TOKEN}"}


def test_the_snippets_credentials_alone_send_only_the_bearer_token(upstream: Upstream):
    """The Claude Desktop snippet's environment, its one placeholder filled in: the API receives
    the bearer token and no basic credentials."""
    readme = (GENERATED / "everything" / "README.md").read_text()
    desktop = json.loads(re.search(r"claude_desktop_config\.json.*?```json\n(.*?)```", readme, re.DOTALL).group(1))
    env = {name: "the-users-token" for name in desktop["mcpServers"]["everything-mcp"]["env"]}
    assert list(env) == ["EVERYTHING_MCP_BEARER_AUTH_TOKEN"]
    server = in_memory_server(GENERATED / "everything", "everything_mcp", "--base-url", upstream.url, "--approval", "none",
                              environ=env)

    async def steps(client):
        return await client.call_tool("downloadFile", {"fileId": "f1"})

    call_in_memory(server, steps)
    request = upstream.last()
    assert (request.method, request.path) == ("GET", "/files/f1/raw")
    assert request.headers["authorization"] == "Bearer the-users-token"
    assert sum(1 for r in upstream.requests for v in r.headers.values() if v.startswith("Basic ")) == 0


def test_a_placeholder_left_in_a_snippet_is_never_sent(upstream: Upstream):
    """The snippet's `<VARIABLE>` left as it is: nothing reaches the API, and the result names the
    variable to set."""
    env = {"EVERYTHING_MCP_BEARER_AUTH_TOKEN": "<EVERYTHING_MCP_BEARER_AUTH_TOKEN>"}
    server = in_memory_server(GENERATED / "everything", "everything_mcp", "--base-url", upstream.url, "--approval", "none",
                              environ=env)

    async def steps(client):
        return await client.call_tool("downloadFile", {"fileId": "f1"})

    result = call_in_memory(server, steps)
    assert result.is_error and "EVERYTHING_MCP_BEARER_AUTH_TOKEN" in result.content[0].text
    assert upstream.requests == []


MIXED = """
openapi: 3.0.3
info: {title: Mixed, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /a:
    get:
      operationId: a
      security: [{basic: []}, {key: []}]
      responses: {"200": {description: ok}}
  /b:
    get:
      operationId: b
      security: [{key: []}]
      responses: {"200": {description: ok}}
  /c:
    get:
      operationId: c
      security: [{oauth: []}]
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    basic: {type: http, scheme: basic}
    key: {type: apiKey, in: header, name: X-Key}
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://auth.example.com/token", scopes: {}}}}
"""


def test_one_choice_covers_every_tool_and_other_ways_to_a_token_are_listed_not_required(tmp_path: Path):
    """`key` alone serves a and b (basic is the alternative); c needs its OAuth token. The variables
    of other ways to a token (client credentials, refresh token) are listed, secrets as secrets, not asked for."""
    from rest2mcp.emit import variables
    from rest2mcp.emit.render import render
    from rest2mcp.pipeline import Options, prepare

    api = prepare(str(write(tmp_path / "mixed.yaml", MIXED)), Options()).api
    assert [scheme.key for scheme in variables.recommended(api)] == ["key", "oauth"]
    assert [v.name for v in variables.needed(api)] == ["MIXED_MCP_KEY", "MIXED_MCP_OAUTH_TOKEN"]
    assert variables.alternatives(api) == [("MIXED_MCP_BASIC_USERNAME", "MIXED_MCP_BASIC_PASSWORD")]
    listed = {v.name: (v.required, v.secret) for v in variables.credentials(api)}
    assert listed["MIXED_MCP_OAUTH_CLIENT_ID"] == (False, False)
    assert listed["MIXED_MCP_OAUTH_CLIENT_SECRET"] == (False, True)
    assert listed["MIXED_MCP_OAUTH_REFRESH_TOKEN"] == (False, True)
    from rest2mcp.emit.env_example import render_env_example
    from rest2mcp.emit.registry import environment

    assert "MIXED_MCP_OAUTH_CLIENT_SECRET=\n" in render_env_example(api).decode()
    assert {v["name"]: v["isSecret"] for v in environment(api)}["MIXED_MCP_OAUTH_CLIENT_SECRET"] is True
    files = render(api, "mixed.yaml")
    readme = files["README.md"].decode()
    assert set(re.findall(r"^([A-Z0-9_]+)=$", files[".env.example"].decode(), re.MULTILINE)) == set(
        re.findall(r"\bMIXED_MCP_[A-Z0-9_]*[A-Z0-9]\b", readme))


# -- [package]: metadata the user owns --------------------------------------------------------------


PACKAGE = """
[package]
version = "{version}"
description = "Items, files and deployments of the Everything API, as MCP tools"
authors = ["Ada Lovelace <ada@example.com>"]
license = "MIT"
keywords = ["mcp", "everything"]
classifiers = ["Programming Language :: Python :: 3"]
dependencies = ["orjson>=3.9"]
readme_intro = "Maintained by the platform team."
readme_sections = ["USAGE.md"]
mcp_name = "io.github.ada/everything-mcp"
image = "ghcr.io/ada/everything-mcp"

[package.urls]
Homepage = "https://example.com/everything"
Repository = "https://github.com/ada/everything-mcp"
"""


def test_package_metadata_comes_from_the_configuration_and_a_new_version_never_conflicts(tmp_path: Path, rest2mcp):
    spec = spec_copy(tmp_path, config=PACKAGE.format(version="1.2.0"))
    write(spec.parent / "USAGE.md", "## Our usage notes\n\nAsk #platform.\n")
    out = tmp_path / "out"
    assert rest2mcp("generate", str(spec), "-o", str(out)).returncode == 0
    pyproject = (out / "pyproject.toml").read_text()
    for line in ('version = "1.2.0"', 'license = "MIT"', '{ name = "Ada Lovelace", email = "ada@example.com" }',
                 '"orjson>=3.9",', '"Repository" = "https://github.com/ada/everything-mcp"', 'keywords = ["mcp", "everything"]'):
        assert line in pyproject, line
    readme = (out / "README.md").read_text()
    assert "Maintained by the platform team." in readme and readme.endswith("## Our usage notes\n\nAsk #platform.\n")
    assert "\nmcp-name: io.github.ada/everything-mcp\n" in readme
    server = json.loads((out / "server.json").read_text())
    assert server["name"] == "io.github.ada/everything-mcp" and server["version"] == "1.2.0"
    assert server["repository"] == {"url": "https://github.com/ada/everything-mcp", "source": "github"}
    assert server["packages"][1]["identifier"] == "ghcr.io/ada/everything-mcp:1.2.0"
    assert not list(Draft202012Validator(SERVER_SCHEMA).iter_errors(server))
    assert json.loads((out / "manifest.json").read_text())["version"] == "1.2.0"
    assert "__version__ = '1.2.0'" in (out / "everything_mcp" / "__init__.py").read_text()

    write(spec.parent / "rest2mcp.toml", PACKAGE.format(version="1.3.0"))
    write(spec.parent / "USAGE.md", "## Our usage notes\n\nAsk #platform-mcp.\n")
    result = rest2mcp("generate", str(spec), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert 'version = "1.3.0"' in (out / "pyproject.toml").read_text()
    assert (out / "README.md").read_text().endswith("Ask #platform-mcp.\n")
    assert not list(out.rglob("*.orig"))


@pytest.mark.parametrize(("config", "name"), [
    ("", None),
    ('[package.urls]\nRepository = "https://github.com/ada/everything-mcp"', "io.github.ada/everything-mcp"),
    ('[package]\nmcp_name = "com.example/everything-mcp"', "com.example/everything-mcp"),  # set, so claimed
])
def test_the_readme_claims_the_registry_name_only_once_one_is_set(tmp_path: Path, rest2mcp, config: str, name):
    spec = spec_copy(tmp_path, config=config) if config else spec_copy(tmp_path)
    out = tmp_path / "out"
    assert rest2mcp("generate", str(spec), "-o", str(out)).returncode == 0
    readme = (out / "README.md").read_text()
    server = json.loads((out / "server.json").read_text())
    if name is None:
        assert server["name"] == "com.example/everything-mcp" and "\nmcp-name:" not in readme
        assert "set [package] mcp_name (e.g. io.github.you/everything-mcp)" in readme
    else:
        assert server["name"] == name and f"\nmcp-name: {name}\n" in readme


@pytest.mark.parametrize(("config", "message"), [
    ('[package]\nversion = "1.2"\nversoin = "x"', "did you mean 'version'?"),
    ('[package]\nversion = "v1.2.0"', "not a version PyPI accepts"),
    ('[package]\ndescription = "' + "x" * 101 + '"', "at most 100 characters"),
    ('[package]\nmcp_name = "everything"', "not an MCP Registry name"),
    ('[package]\nauthors = ["<ada@example.com>"]', "not an author with a name"),
    ('[package]\ndependencies = ["not a requirement!"]', "not a requirement"),
    ('[package.urls]\nHomepage = "example.com"', "http:// or https:// URL"),
    ('[package]\nclassifiers = ["License :: OSI Approved :: MIT License"]', "the license is given by `license`"),
    ('[package]\nlicense = "Apache 2.0"', "rest2mcp.toml:2: package.license: 'Apache 2.0' is not an SPDX license identifier"),
    ('[package]\nlicense = "Apache 2.0"', "did you mean 'Apache-2.0'?"),
    ('[package]\nlicense = "Proprietary"', "did you mean 'LicenseRef-Proprietary'?"),
    ('[package]\nlicense = "MIT OR Apahce-2.0"', "'Apahce-2.0' in 'MIT OR Apahce-2.0' is not an SPDX license identifier"),
    ('[package]\nlicense = "MIT OR Apahce-2.0"', "did you mean 'MIT OR Apache-2.0'?"),
    ('[package]\nlicense = "Nonesuch"', "use an SPDX identifier or expression"),
    ('[package]\nlicense = "MIT AND"', "'MIT AND' is not an SPDX expression"),
])
def test_bad_package_metadata_is_refused_with_the_key(tmp_path: Path, rest2mcp, config: str, message: str):
    spec = spec_copy(tmp_path, config=config)
    result = rest2mcp("generate", str(spec), "-o", str(tmp_path / "out"))
    assert result.returncode == 1 and "E502" in result.stdout + result.stderr
    assert message in " ".join((result.stdout + result.stderr).split())
    assert not (tmp_path / "out").exists()


def test_the_license_is_written_in_its_canonical_spdx_spelling(tmp_path: Path, rest2mcp):
    spec = spec_copy(tmp_path, config='[package]\nlicense = "mit or apache-2.0"')
    out = tmp_path / "out"
    result = rest2mcp("generate", str(spec), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert 'license = "MIT OR Apache-2.0"' in (out / "pyproject.toml").read_text()
    assert json.loads((out / "manifest.json").read_text())["license"] == "MIT OR Apache-2.0"


def test_a_missing_readme_section_is_refused(tmp_path: Path, rest2mcp):
    spec = spec_copy(tmp_path, config='[package]\nreadme_sections = ["NOPE.md"]')
    result = rest2mcp("generate", str(spec), "-o", str(tmp_path / "out"))
    assert result.returncode == 1 and "E521" in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()


# -- writing ------------------------------------------------------------------------------------------


def test_files_get_the_umask_permissions(tmp_path: Path, rest2mcp):
    previous = os.umask(0o022)
    try:
        assert rest2mcp("generate", str(SPECS / "petstore.yaml"), "-o", str(tmp_path / "out")).returncode == 0
    finally:
        os.umask(previous)
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert tmp_path / "out" / MANIFEST in files
    modes = {str(p.relative_to(tmp_path / "out")): stat.S_IMODE(p.stat().st_mode) for p in files}
    assert set(modes.values()) == {0o644}, {p: oct(m) for p, m in modes.items() if m != 0o644}


def test_scripts_are_executable_and_a_strict_umask_is_respected(tmp_path: Path):
    assert file_mode(b"#!/bin/sh\n", 0o022) == 0o755 and file_mode(b"x", 0o022) == 0o644
    previous = os.umask(0o077)
    try:
        write_atomic(tmp_path / "run.sh", b"#!/bin/sh\necho hi\n")
        write_atomic(tmp_path / "data.txt", b"hi\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "run.sh").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data.txt").stat().st_mode) == 0o600


def test_a_foreign_folder_is_refused_and_left_alone(tmp_path: Path, rest2mcp):
    out = tmp_path / "project"
    write(out / "pyproject.toml", "[project]\nname = 'mine'\n")
    result = rest2mcp("generate", str(SPECS / "petstore.yaml"), "-o", str(out))
    assert result.returncode == 2
    text = " ".join((result.stdout + result.stderr).split())
    assert "E520" in text and "pyproject.toml" in text and "--adopt" in text and "nothing written" in text
    assert sorted(p.name for p in out.rglob("*")) == ["pyproject.toml"]
    assert (out / "pyproject.toml").read_text() == "[project]\nname = 'mine'\n"
    # adopting it: a file the package needs is in the way, and --force is not what the hint offers first
    result = rest2mcp("generate", str(SPECS / "petstore.yaml"), "-o", str(out), "--adopt")
    assert result.returncode == 2 and "move or rename these files of yours" in " ".join(result.stdout.split() + result.stderr.split())
    assert sorted(p.name for p in out.rglob("*")) == ["pyproject.toml"]


def test_adopting_a_folder_keeps_its_files(tmp_path: Path, rest2mcp):
    out = tmp_path / "repo"
    write(out / "LICENSE", "MIT\n")
    result = rest2mcp("generate", str(SPECS / "petstore.yaml"), "-o", str(out), "--adopt")
    assert result.returncode == 0, result.stderr
    assert (out / "LICENSE").read_text() == "MIT\n" and (out / MANIFEST).is_file()
    assert rest2mcp("generate", str(SPECS / "petstore.yaml"), "-o", str(out)).returncode == 0  # now it is ours


def test_a_file_of_the_users_where_a_new_release_file_goes_is_named_as_theirs(tmp_path: Path, rest2mcp):
    out = tmp_path / "out"
    assert rest2mcp("generate", str(SPECS / "petstore.yaml"), "-o", str(out)).returncode == 0
    (out / "server.json").unlink()
    manifest = json.loads((out / MANIFEST).read_text())
    del manifest["files"]["server.json"]  # as a folder generated before server.json existed
    (out / MANIFEST).write_text(json.dumps(manifest))
    write(out / "server.json", "{}\n")
    result = rest2mcp("generate", str(SPECS / "petstore.yaml"), "-o", str(out))
    assert result.returncode == 2 and (out / "server.json").read_text() == "{}\n"
    text = " ".join((result.stdout + result.stderr).split())
    assert "server.json: exists and was not written by rest2mcp" in text and "move or rename these files of yours" in text


def test_next_hint_installs_from_the_path(tmp_path: Path, rest2mcp):
    result = rest2mcp("generate", str(SPECS / "petstore.yaml"), "-o", "petstore", cwd=tmp_path)
    assert result.returncode == 0
    text = result.stdout + result.stderr
    assert "pip install ./petstore && petstore-mcp --help" in text
    assert "uvx --from ./petstore petstore-mcp" in text


# -- the slow steps: build, uvx, mcpb, the packages' own tests ---------------------------------------


def _run(*command: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.e2e
def test_versions_build_check_and_run_with_uvx(tmp_path: Path, rest2mcp):
    spec = spec_copy(tmp_path, "petstore.yaml")
    out = tmp_path / "petstore"
    assert rest2mcp("generate", str(spec), "-o", str(out)).returncode == 0  # 0.1.0
    write(spec.parent / "rest2mcp.toml", '[package]\nversion = "1.2.0"\n')
    regenerated = rest2mcp("generate", str(spec), "-o", str(out))
    assert regenerated.returncode == 0 and "conflict" not in regenerated.stderr, regenerated.stderr
    built = _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(out), cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [
        "petstore_mcp-1.2.0-py3-none-any.whl", "petstore_mcp-1.2.0.tar.gz"]
    checked = _run(sys.executable, "-m", "twine", "check", "--strict", *map(str, (tmp_path / "dist").iterdir()), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    uvx = Path(sys.executable).with_name("uvx")
    ran = _run(str(uvx), "--from", str(out), "petstore-mcp", "--version", cwd=tmp_path)
    assert ran.returncode == 0 and "1.2.0" in ran.stdout + ran.stderr, ran.stdout + ran.stderr
    write(spec.parent / "rest2mcp.toml", '[package]\nversion = "1.3.0"\n')
    assert rest2mcp("generate", str(spec), "-o", str(out)).returncode == 0
    assert rest2mcp("check", str(spec), "-o", str(out)).returncode == 0


@pytest.mark.e2e
def test_mcpb_validates_and_packs_a_bundle(tmp_path: Path):
    if not MCPB.exists():  # a failure in CI, which must run it (.ci/run installs it)
        missing = "the MCPB command line is missing: run bash bench/install_mcpb.sh"
        pytest.fail(missing) if os.environ.get("CI") else pytest.skip(missing)
    out = tmp_path / "everything"
    shutil.copytree(GENERATED / "everything", out)
    validated = _run(str(MCPB), "validate", "manifest.json", cwd=out, timeout=120)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    packed = _run(str(MCPB), "pack", ".", str(tmp_path / "everything.mcpb"), cwd=out, timeout=120)
    assert packed.returncode == 0, packed.stdout + packed.stderr
    import zipfile

    bundle = zipfile.ZipFile(tmp_path / "everything.mcpb")
    names = bundle.namelist()
    assert "manifest.json" in names and "everything_mcp/__main__.py" in names and "pyproject.toml" in names
    assert not [n for n in names if n.startswith(("tests/", ".rest2mcp/", "deploy/"))]
    # the bundle's command, as a host runs it: user_config defaults substituted, ${__dirname} the unpacked bundle
    unpacked = tmp_path / "unpacked"
    bundle.extractall(unpacked)
    manifest = json.loads((unpacked / "manifest.json").read_text())
    config = manifest["server"]["mcp_config"]
    values = {f"${{user_config.{key}}}": option["default"] for key, option in manifest["user_config"].items()}
    env = {name: values[value] for name, value in config["env"].items()}
    assert set(env.values()) == {"", "https://api.example.com/v2"}  # nothing unset reaches the server as text
    args = [arg.replace("${__dirname}", str(unpacked)) for arg in config["args"]]
    uv = Path(sys.executable).with_name(config["command"])
    started = subprocess.run([str(uv), *args, "--version"], capture_output=True, text=True, timeout=300, check=False,
                             env={**os.environ, **env})
    assert started.returncode == 0 and "0.1.0" in started.stdout + started.stderr, started.stdout + started.stderr


@pytest.mark.e2e
def test_every_example_passes_its_own_tests():
    """Each committed package's tests/ (its server through mcp.Client, a recording upstream), as its
    owner runs them, in one pytest run over every example (each package's module starts its server once)."""
    folders = [str(GENERATED / folder / "tests") for folder in FOLDERS]
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
                             "-rs", *folders], cwd=GENERATED, capture_output=True, text=True, timeout=600, check=False,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-1000:]
    assert f"{2 * len(FOLDERS)} passed" in result.stdout and "skipped" not in result.stdout, result.stdout[-2000:]
