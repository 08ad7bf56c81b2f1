"""Hostile documents, names and output folders: what rest2mcp generates from them stays safe.

Every string of a document that reaches an output (title, version, description, operationId, tag,
server URL, enum values, defaults, examples, path keys) is injected with terminal control sequences,
bidi overrides, zero-width characters, code-breaking quotes and emoji. For each, the generated
package compiles, its text files carry no control or format characters, pyproject.toml parses, the
diagnostics are clean; refusals exit 1 with a diagnostic, never 3 (internal error).
"""

from __future__ import annotations

import ast
import compileall
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from helpers import child_env, write
from rest2mcp.mapping.bodies import BASE64_PATTERN, FILE_SCHEMA
from rest2mcp.mapping.naming import package_name_problem
from rest2mcp.pipeline import Options, prepare
from rest2mcp.runtime.arguments import argument_errors, validator_for
from rest2mcp.runtime.display import UNSAFE_CHARACTERS, printable
from rest2mcp.runtime.errors import ToolError
from rest2mcp.runtime.media import HEADER_VALUE_PATTERN
from rest2mcp.runtime.request import build_request
from rest2mcp.writing.manifest import MANIFEST

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ESC = "\x1b]0;PWNED\x07"  # retitles a terminal, then rings
HIDDEN = "\u202e\u2066\u200b\ufeff"  # right-to-left override, isolate, zero-width space, BOM
NASTY = ESC + "\x00\x7f\x9b" + HIDDEN
CODE = "'''\"\"\"); import os; os.system('echo PWNED') #"  # tries to leave a literal
# What must never reach a terminal or a text file raw; written out here, independent of the rule
# under test.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def document(**changes) -> dict:
    """A small valid OpenAPI 3.0 document, with `changes` applied (info keys, servers, paths...)."""
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "Zoo", "version": "1.0"},
        "servers": [{"url": "https://api.example.com/v1"}],
        "paths": {
            "/animals": {"get": {
                "operationId": "listAnimals",
                "tags": ["animals"],
                "parameters": [{"name": "X-Trace", "in": "header", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Animal"}}}}},
            }},
        },
        "components": {"schemas": {"Animal": {"type": "object", "properties": {"kind": {"type": "string"}}}}},
    }
    for key, value in changes.items():
        if key in ("title", "version", "description"):
            doc["info"][key] = value
        else:
            doc[key] = value
    return doc


def spec(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def text_files(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text("utf-8") for p in sorted(out.rglob("*"))
            if p.is_file() and p.suffix in (".md", ".toml", ".py", ".json") and "__pycache__" not in p.parts}


def assert_safe_package(out: Path) -> dict[str, str]:
    """The checks every generated package passes, whatever the document held."""
    files = text_files(out)
    for name, text in files.items():
        assert not CONTROL.search(text), f"{name}: {CONTROL.search(text)!r}"
        if name.endswith(".py"):
            tree = ast.parse(text, name)  # and nothing of the document became code:
            assert not [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "system"], name
    assert compileall.compile_dir(str(out), quiet=1, force=True)
    pyproject = tomllib.loads(files["pyproject.toml"])
    assert pyproject["project"]["description"].startswith("MCP server for ")
    return files


def generated(rest2mcp, tmp_path: Path, doc: dict, *args: str):
    out = tmp_path / "out"
    result = rest2mcp("generate", str(spec(tmp_path, doc)), "-o", str(out), *args, cwd=tmp_path)
    assert not CONTROL.search(result.stderr + result.stdout), result.stderr
    return result, out


# -- item 5: emoji in the title ---------------------------------------------------------------


def test_emoji_title_gives_a_pyproject_that_parses_and_keeps_it(rest2mcp, tmp_path):
    title = "Zoo 😀🦁 API ✓ Ünïcode"
    result, out = generated(rest2mcp, tmp_path, document(title=title), "--name", "zoo-mcp")
    assert result.returncode == 0, result.stderr
    files = assert_safe_package(out)
    assert tomllib.loads(files["pyproject.toml"])["project"]["description"] == f"MCP server for {title}"
    assert "\\ud83d" not in files["pyproject.toml"]
    assert title in files["README.md"] and title in files["zoo_mcp/__init__.py"]


def test_lone_surrogate_in_the_title_is_no_internal_error(rest2mcp, tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document(), ensure_ascii=True).replace('"Zoo"', '"Zoo \\ud800"'))
    result = rest2mcp("generate", str(path), "-o", str(tmp_path / "out"), "--name", "zoo-mcp", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_safe_package(tmp_path / "out")


# -- item 6: control and format characters, and code, in every string that reaches output --------


def test_title_version_description_are_shown_escaped(rest2mcp, tmp_path):
    doc = document(title="Zoo" + NASTY + CODE, version="1.0" + NASTY + CODE, description="About" + NASTY + CODE)
    result, out = generated(rest2mcp, tmp_path, doc, "--name", "zoo-mcp")
    assert result.returncode == 0, result.stderr
    files = assert_safe_package(out)
    description = tomllib.loads(files["pyproject.toml"])["project"]["description"]
    assert description == "MCP server for " + printable("Zoo" + NASTY + CODE)  # shown, not acted on
    index = json.loads(files["zoo_mcp/generated/index.json"])
    assert index["title"] == "Zoo" + NASTY + CODE  # the data is kept; only its display is escaped


def test_operation_id_summary_tags_and_server_url(rest2mcp, tmp_path):
    doc = document(servers=[{"url": "https://api.example.com/" + NASTY}])
    operation = doc["paths"]["/animals"]["get"]
    operation.update(operationId="list\n", summary="List" + NASTY + CODE, description=CODE + NASTY,
                     tags=["animals" + NASTY])
    doc["tags"] = [{"name": "animals" + NASTY, "description": "Tag" + NASTY}]
    result, out = generated(rest2mcp, tmp_path, doc, "--name", "zoo-mcp")
    assert result.returncode == 0, result.stderr
    files = assert_safe_package(out)
    tools = json.loads(files["zoo_mcp/generated/tools.json"])["tools"]
    assert [t["name"] for t in tools] == ["list"]  # "list\n" is no valid tool name: cleaned
    assert tools[0]["title"] == "List" + NASTY + CODE  # the model's data, JSON-escaped on disk only
    assert "| `list` |" in files["README.md"]


def test_enum_values_defaults_and_examples_stay_literals_in_models(rest2mcp, tmp_path):
    values = ["cat" + ESC, "dog\u202e", "nul\x00x", CODE]
    doc = document()
    doc["components"]["schemas"]["Animal"]["properties"] = {
        "kind": {"type": "string", "enum": values, "default": values[0], "example": values[3],
                 "description": "Kind" + NASTY + CODE},
        "note": {"type": "string", "default": CODE + NASTY, "example": NASTY},
    }
    param = doc["paths"]["/animals"]["get"]["parameters"][0]
    param["schema"].update(default="a" + ESC, example="b" + HIDDEN)
    result, out = generated(rest2mcp, tmp_path, doc, "--name", "zoo-mcp")
    assert result.returncode == 0, result.stderr
    files = assert_safe_package(out)
    tree = ast.parse(files["zoo_mcp/models.py"])
    literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert set(values) <= literals  # the same values, written as escapes
    assert CODE + NASTY in literals


def test_diagnostics_show_document_text_escaped(rest2mcp, tmp_path):
    doc = document()
    doc["paths"]["/animals" + ESC + "{id}" + HIDDEN] = {"get": {"responses": {"200": {"description": "ok"}}}}
    result, _ = generated(rest2mcp, tmp_path, doc, "--name", "zoo-mcp")  # asserts clean output
    assert result.returncode == 0
    assert "warning[W301]" in result.stderr and "\\u001b]0;PWNED\\u0007" in result.stderr
    assert "\\u202e" in result.stderr


@pytest.mark.e2e
def test_generated_server_help_and_toolsets_are_clean(rest2mcp, tmp_path):
    doc = document(title="Zoo" + NASTY, servers=[{"url": "/relative" + ESC}])
    doc["paths"]["/animals"]["get"]["x-mcp"] = {"toolsets": ["zoo"]}
    config = write(tmp_path / "zoo.toml", """
        [toolsets.zoo]
        description = "Animals \\u001b]0;PWNED\\u0007 \\u202e here"
        tags = ["animals"]
    """)
    result, out = generated(rest2mcp, tmp_path, doc, "--name", "zoo-mcp", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert_safe_package(out)
    env = child_env(PYTHONPATH=str(out) + os.pathsep + os.pathsep.join(sys.path))
    for args in (["--help"], ["--list-toolsets"], []):
        shown = subprocess.run([sys.executable, "-m", "zoo_mcp", *args], capture_output=True, text=True,
                               env=env, timeout=60, check=False)
        assert not CONTROL.search(shown.stdout + shown.stderr), (args, shown.stdout + shown.stderr)
        assert "\\u001b]0;PWNED\\u0007" in shown.stdout + shown.stderr, args
    assert shown.returncode != 0 and "base URL" in shown.stderr  # the relative server: refused at start


# -- item 7: names that would shadow other modules ------------------------------------------


@pytest.mark.parametrize("name", ["yaml", "sitecustomize", "usercustomize", "requests", "jinja2", "rest2mcp",
                                  "pluggy", "zoo\n"])
def test_names_that_shadow_modules_are_refused(rest2mcp, tmp_path, name):
    result, out = generated(rest2mcp, tmp_path, document(), "--name", name)
    assert result.returncode == 1
    assert "error[E401]" in result.stderr and "internal error" not in result.stderr
    assert not out.exists()


def test_installed_distributions_shadowing_is_refused_but_not_an_earlier_install(tmp_path, monkeypatch):
    monkeypatch.setattr("rest2mcp.mapping.naming.installed_modules", lambda: {"obscure_thing": ["Obscure"],
                                                                                "zoo_mcp": ["zoo-mcp"]})
    installed = tmp_path / "site-packages"  # what the distributions installed (an importable module)
    for module in ("obscure_thing", "zoo_mcp"):
        (installed / module).mkdir(parents=True)
        (installed / module / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(installed))
    assert "Obscure" in package_name_problem("obscure-thing")
    # zoo_mcp is installed but is not a generated package: refused; once it is one, regenerating it is fine
    assert package_name_problem("zoo-mcp")
    package = tmp_path / "zoo_mcp"
    (package / "generated").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "generated" / "index.json").write_text("{}")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert package_name_problem("zoo-mcp") is None


def test_title_whose_name_would_shadow_is_refused(rest2mcp, tmp_path, monkeypatch):
    monkeypatch.setattr("rest2mcp.mapping.naming.installed_modules", lambda: {"zoo_mcp": ["other-zoo"]})
    monkeypatch.setattr("rest2mcp.mapping.naming._importable", lambda module: True)
    result, out = generated(rest2mcp, tmp_path, document(title="Zoo"))
    assert result.returncode == 1 and "error[E401]" in result.stderr and "--name" in result.stderr
    assert not out.exists()


# -- item 8: manifests of the output folder --------------------------------------------------

HASH = "a" * 64


@pytest.mark.parametrize("manifest", [
    "not json",
    json.dumps([]),
    json.dumps({"files": {}, "planted": True}),
    json.dumps({"files": {"../outside.py": {"sha256": HASH, "owner": "generated"}}}),
    json.dumps({"files": {"/etc/passwd": {"sha256": HASH, "owner": "generated"}}}),
    json.dumps({"files": {"zoo_mcp/x.py": {"sha256": HASH, "owner": "root"}}}),
    json.dumps({"files": {}, "pending": {"../../x": None}}),
    json.dumps({"files": {}, "config": {"base_url": 5}}),
    json.dumps({"files": {}, "config": {"models": "yes"}}),
    json.dumps({"files": {}, "config": {"hook": "x"}}),
])
def test_manifests_rest2mcp_does_not_write_are_refused(rest2mcp, tmp_path, manifest):
    out = tmp_path / "out"
    (out / MANIFEST).parent.mkdir(parents=True)
    (out / MANIFEST).write_text(manifest)
    for command in (["generate"], ["check"]):
        result = rest2mcp(*command, str(spec(tmp_path, document())), "-o", str(out), "--name", "zoo-mcp",
                          cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert "error[E506]" in result.stderr and "internal error" not in result.stderr
    assert sorted(p.name for p in out.rglob("*")) == [".rest2mcp", "manifest.json"]  # nothing written


def test_options_reused_from_a_manifest_are_listed(rest2mcp, tmp_path):
    out = tmp_path / "out"
    (out / MANIFEST).parent.mkdir(parents=True)
    (out / MANIFEST).write_text(json.dumps({"files": {}, "config": {
        "base_url": "https://attacker.example", "name": "zoo-mcp", "models": False}}))
    result = rest2mcp("generate", str(spec(tmp_path, document())), "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "info[I603]" in result.stderr
    assert "--name zoo-mcp, --base-url https://attacker.example, --no-models" in result.stderr
    index = json.loads((out / "zoo_mcp" / "generated" / "index.json").read_text())
    assert index["baseUrl"] == "https://attacker.example"
    again = rest2mcp("generate", str(spec(tmp_path, document())), "-o", str(out), "--base-url",
                     "https://api.example.com", "--name", "zoo-mcp", "--models", cwd=tmp_path)
    assert again.returncode == 0 and "I603" not in again.stderr  # all given: nothing reused


# -- item 9: path keys that would change the host ----------------------------------------------


@pytest.mark.parametrize("path", ["@127.0.0.1:18091/hijack", ".attacker.example/x", "evil.example/x", ""])
def test_paths_not_starting_with_a_slash_are_skipped(tmp_path, path):
    doc = document()
    doc["paths"][path] = {"get": {"operationId": "hijack", "responses": {"200": {"description": "ok"}}}}
    generated = prepare(str(spec(tmp_path, doc)), Options(name="zoo-mcp", skip_validation=True))
    assert [t.name for t in generated.api.tools] == ["listAnimals"]
    assert [d.code for d in generated.diagnostics] == ["W306"]


@pytest.mark.parametrize("path", ["@127.0.0.1:18091/hijack", ".attacker.example/x", "x"])
def test_the_runtime_refuses_a_plan_path_without_a_leading_slash(path):
    plan = {"method": "GET", "path": path, "arguments": {}, "security": []}
    with pytest.raises(ToolError, match="does not start with '/'"):
        build_request("https://api.example.com", "ua", plan, {}, {}, {})
    assert build_request("https://api.example.com", "ua", {**plan, "path": "/" + path}, {}, {}, {}).url.startswith(
        "https://api.example.com/")


# -- item 10: a trailing newline never passes a pattern that guards a wire value -----------------


@pytest.mark.parametrize(("schema", "good", "bad"), [
    ({"type": "string", "pattern": HEADER_VALUE_PATTERN}, "abc", "abc\n"),
    (FILE_SCHEMA["properties"]["filename"], "a.txt", "a.txt\n"),
    (FILE_SCHEMA["properties"]["contentType"], "image/png", "image/png\n"),
    ({"type": "string", "pattern": BASE64_PATTERN}, "YQ==", "YQ==\n"),
])
def test_emitted_patterns_refuse_a_trailing_newline(schema, good, bad):
    validator = validator_for({"type": "object", "properties": {"v": schema}})
    assert argument_errors(validator, {"v": good}) == []
    assert argument_errors(validator, {"v": bad})


def test_generated_schemas_refuse_a_trailing_newline(tmp_path):
    doc = document()
    doc["paths"]["/upload"] = {"post": {"operationId": "upload", "requestBody": {"content": {"multipart/form-data": {
        "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}},
        "responses": {"200": {"description": "ok"}}}}
    tools = {t.name: t for t in prepare(str(spec(tmp_path, doc)), Options(name="zoo-mcp")).api.tools}
    header = validator_for(tools["listAnimals"].input_schema)
    assert argument_errors(header, {"X-Trace": "t1"}) == []
    assert argument_errors(header, {"X-Trace": "t1\n"})
    upload = validator_for(tools["upload"].input_schema)
    assert argument_errors(upload, {"file": {"content": "YQ==", "contentType": "text/plain"}}) == []
    assert argument_errors(upload, {"file": {"content": "YQ==", "contentType": "text/plain\n"}})


def test_a_fixed_header_value_with_a_newline_is_refused(rest2mcp, tmp_path):
    config = write(tmp_path / "zoo.toml", """
        [operations.listAnimals.arguments.X-Trace]
        fixed = "t1\\n"
    """)
    result, out = generated(rest2mcp, tmp_path, document(), "--name", "zoo-mcp", "--config", str(config))
    assert result.returncode == 1 and "error[E503]" in result.stderr
    assert not out.exists()


def test_names_with_a_trailing_newline_are_not_names(tmp_path):
    doc = document()
    doc["paths"]["/animals"]["get"]["parameters"].append({"name": "q\n", "in": "query", "schema": {"type": "string"}})
    doc["paths"]["/animals"]["get"]["x-mcp"] = {"toolsets": ["zoo\n"]}
    generated = prepare(str(spec(tmp_path, doc)), Options(name="zoo-mcp"))
    tool = generated.api.tools[0]
    assert "q\n" not in tool.input_schema["properties"] and tool.toolsets == ("animals",)
    assert "W502" in [d.code for d in generated.diagnostics]
    assert package_name_problem("zoo-mcp\n")


# -- the rule itself ------------------------------------------------------------------------------


def test_the_rule_escapes_controls_and_format_characters_only():
    for code in range(0x110000):
        character = chr(code)
        if UNSAFE_CHARACTERS.fullmatch(character):
            # (Cn: format characters of a later Unicode version than this Python's)
            assert unicodedata.category(character) in ("Cc", "Cf", "Cs", "Zl", "Zp", "Cn"), hex(code)
    for character in "\x00\x07\x1b\x7f\x9b\u00ad\u200b\u200d\u2028\u202a\u202e\u2066\u2069\ufeff\U000e0041":
        assert UNSAFE_CHARACTERS.fullmatch(character), repr(character)
    assert printable("a\x1b[2Jb\U000e0041 😀 é\n", keep="\n") == "a\\u001b[2Jb\\udb40\\udc41 😀 é\n"
    assert json.loads(json.dumps(printable("x\u202e\U000e0041y"))) == "x\\u202e\\udb40\\udc41y"
    assert json.loads('"' + printable("x\u202e\U000e0041y") + '"') == "x\u202e\U000e0041y"  # a JSON escape
