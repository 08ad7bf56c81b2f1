"""What users see when things go wrong: exact messages, exit codes, nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, SPECS, child_env
from upstream import Reply, Upstream

BROKEN = SPECS / "broken"

# `rest2mcp` (a fixture) runs the command line in this process; test_console_script runs the installed one.


def assert_refused(result: subprocess.CompletedProcess, out: Path | None = None) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    if out is not None:
        assert not out.exists(), "a refused run must write nothing"


def test_missing_file(tmp_path, rest2mcp):
    out = tmp_path / "out"
    result = rest2mcp("generate", "specs/nope.yaml", "-o", str(out))
    assert_refused(result, out)
    assert result.stderr.splitlines()[0] == "error[E101] specs/nope.yaml: no such file"
    assert "hint: check the path" in result.stderr


def test_invalid_yaml_names_file_and_line(tmp_path, rest2mcp):
    out = tmp_path / "out"
    result = rest2mcp("generate", "specs/broken/bad-yaml.yaml", "-o", str(out))
    assert_refused(result, out)
    assert result.stderr.startswith("error[E104] specs/broken/bad-yaml.yaml:10: invalid YAML: did not find expected ',' or '}'")


def test_invalid_json_names_file_and_line(tmp_path, rest2mcp):
    result = rest2mcp("generate", "specs/broken/bad-json.json", "-o", str(tmp_path / "out"))
    assert_refused(result, tmp_path / "out")
    assert result.stderr.startswith("error[E104] specs/broken/bad-json.json:4: invalid JSON: Expecting property name")


def test_validation_findings_are_all_reported_with_line_and_pointer(tmp_path, rest2mcp):
    strict_out = tmp_path / "strict"
    result = rest2mcp("generate", "specs/broken/invalid.yaml", "-o", str(strict_out), "--strict")
    assert_refused(result, strict_out)
    lines = [line for line in result.stderr.splitlines() if line.startswith("warning[W202]")]
    assert lines[0] == "warning[W202] specs/broken/invalid.yaml:2 #/info: 'version' is a required property"
    assert lines[1].startswith("warning[W202] specs/broken/invalid.yaml:8 #/paths/~1pets/get/parameters/0: ")
    assert lines[2] == ("warning[W202] specs/broken/invalid.yaml:17 #/paths/~1pets~1{petId}/get/responses: "
                        "{} should be non-empty")
    assert len(lines) == 4
    assert "--strict refuses such documents" in result.stderr
    assert "error[" not in result.stderr
    assert result.stderr.endswith("rest2mcp: nothing written (0 errors, 6 warnings refused by --strict)\n")

    # Without --strict the same document is generated from; what cannot be mapped is skipped.
    out = tmp_path / "out"
    lenient = rest2mcp("generate", "specs/broken/invalid.yaml", "-o", str(out))
    assert lenient.returncode == 0, lenient.stderr
    assert lenient.stderr.count("warning[W202]") == 4
    assert "warning[W311] specs/broken/invalid.yaml:8 #/paths/~1pets/get/parameters/0: parameter with in='querystring'" in lenient.stderr
    assert "warning[W301] specs/broken/invalid.yaml:16 #/paths/~1pets~1{petId}/get: operation skipped" in lenient.stderr
    assert "invalid-mcp: 1 tool in" in lenient.stdout

    checked = rest2mcp("validate", "specs/broken/invalid.yaml")
    assert checked.returncode == 1
    assert "not valid OpenAPI (4 validation findings)" in checked.stdout


def test_unsupported_version_is_refused(tmp_path, rest2mcp):
    result = rest2mcp("generate", "specs/broken/swagger1.yaml", "-o", str(tmp_path / "out"))
    assert_refused(result, tmp_path / "out")
    assert "error[E201] specs/broken/swagger1.yaml:1 #/swagger: unsupported Swagger version '1.2'" in result.stderr


@pytest.mark.parametrize(
    "args,expected",
    [
        (["generate", "specs/petstore.yaml", "--frobnicate"], "No such option: --frobnicate"),
        (["generate", "specs/petstore.yaml", "--name", "Bad_Name"], "error[E401]: invalid --name 'Bad_Name'"),
        (["generate", "specs/petstore.yaml", "--name", "json"], "would shadow a Python module"),
        (["generate", "specs/petstore.yaml", "--base-url", "ftp://x"], "error[E402]: invalid --base-url 'ftp://x'"),
        (["frobnicate"], "No such command"),
    ],
)
def test_usage_errors(args, expected, tmp_path, rest2mcp):
    result = rest2mcp(*args, cwd=ROOT)
    assert_refused(result)
    assert expected in result.stderr


def test_unmappable_operation_is_skipped_with_a_warning_and_strict_refuses(tmp_path, rest2mcp):
    out = tmp_path / "out"
    result = rest2mcp("generate", "specs/broken/partly-unsupported.yaml", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert (
        "warning[W301] specs/broken/partly-unsupported.yaml:9 #/paths/~1upload/post: "
        "operation skipped: cannot resolve $ref '#/components/schemas/Upload': no 'components' there"
    ) in result.stderr
    assert "partly-unsupported-mcp: 1 tool in" in result.stdout

    strict_out = tmp_path / "strict"
    strict = rest2mcp("generate", "specs/broken/partly-unsupported.yaml", "-o", str(strict_out), "--strict")
    assert_refused(strict, strict_out)
    assert "warning[W301]" in strict.stderr and "refused by --strict" in strict.stderr


def test_relative_server_url_needs_base_url_at_start(tmp_path, server_venv, rest2mcp):
    out = tmp_path / "out"
    assert rest2mcp("generate", "specs/broken/partly-unsupported.yaml", "-o", str(out)).returncode == 0
    python = str(server_venv / "bin" / "python")
    started = subprocess.run([python, "-m", "partly_unsupported_mcp"], cwd=out, capture_output=True, text=True,
                             env=child_env(), stdin=subprocess.DEVNULL, timeout=60, check=False)
    assert started.returncode == 1
    assert "no base URL for the API: the document's server URL '/api' is relative" in started.stderr
    assert "--base-url" in started.stderr and "PARTLY_UNSUPPORTED_MCP_BASE_URL" in started.stderr
    assert "Traceback" not in started.stderr


def test_spec_from_url_resolves_relative_server(tmp_path, upstream: Upstream, rest2mcp):
    spec = (BROKEN / "partly-unsupported.yaml").read_bytes()
    upstream.reply("GET", "/specs/openapi.yaml", Reply(200, spec, "application/yaml"))
    out = tmp_path / "out"
    result = rest2mcp("generate", f"{upstream.url}/specs/openapi.yaml", "-o", str(out))
    assert result.returncode == 0, result.stderr
    index = json.loads((out / "partly_unsupported_mcp" / "generated" / "index.json").read_text())
    assert index["baseUrl"] == f"{upstream.url}/api"


def test_unreachable_url(tmp_path, upstream: Upstream, rest2mcp):
    upstream.reply("GET", "/missing.yaml", Reply(404, b"not here", "text/plain"))
    result = rest2mcp("generate", f"{upstream.url}/missing.yaml", "-o", str(tmp_path / "out"))
    assert_refused(result, tmp_path / "out")
    assert "error[E102]" in result.stderr and "HTTP 404 Not Found" in result.stderr


def test_validate_reports_without_writing(tmp_path, rest2mcp):
    result = rest2mcp("validate", "specs/petstore.yaml", cwd=ROOT)
    assert result.returncode == 0
    assert result.stdout.strip() == "specs/petstore.yaml: valid, 4 tools (0 errors, 0 warnings)"


def test_version_and_help(rest2mcp):
    assert rest2mcp("--version").stdout.strip().startswith("rest2mcp ")
    help_text = rest2mcp("generate", "--help").stdout
    assert "Examples:" in help_text and "--base-url" in help_text


def test_spec_text_cannot_inject_code(tmp_path, rest2mcp):
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(
        'openapi: 3.0.3\n'
        'info:\n  title: "Evil\\"\\"\\" + __import__(\'os\').system(\'touch pwned\') + \\"\\"\\" {{ x }} \\\\"\n'
        '  version: "1\\"; import os"\n'
        'servers: [{url: "https://x.example/\'+__import__(\'os\').getcwd()+\'"}]\n'
        'paths:\n  /a:\n    get:\n      operationId: "a\\"; rm -rf /"\n'
        '      summary: "\\"\\"\\" {% raw %}"\n      responses: {"200": {description: ok}}\n'
    )
    out = tmp_path / "out"
    result = rest2mcp("generate", str(hostile), "-o", str(out), "--name", "evil-mcp")
    assert result.returncode == 0, result.stderr
    compiled = subprocess.run([sys.executable, "-m", "compileall", "-q", str(out)], capture_output=True, text=True, check=False)
    assert compiled.returncode == 0, compiled.stdout
    import ast

    for module in (out / "evil_mcp").rglob("*.py"):
        tree = ast.parse(module.read_text())
        calls = {getattr(node.func, "id", getattr(node.func, "attr", ""))
                 for node in ast.walk(tree) if isinstance(node, ast.Call)}
        assert "__import__" not in calls and "system" not in calls, module
    assert not (out / "pwned").exists()


def test_diff_command_table_json_and_exit_code(tmp_path, rest2mcp):
    import yaml

    document = yaml.safe_load((SPECS / "petstore.yaml").read_text())
    document["paths"]["/pets"]["get"]["parameters"][0]["required"] = True
    del document["paths"]["/pets/{petId}"]["delete"]
    changed = tmp_path / "petstore-v2.yaml"
    changed.write_text(yaml.safe_dump(document, sort_keys=False))

    table = rest2mcp("diff", "specs/petstore.yaml", str(changed), "--fail-on", "breaking")
    assert table.returncode == 1
    assert "| breaking | tool-removed | tool removed (DELETE /pets/{petId}) |" in table.stdout
    assert "| breaking | argument-now-required | `limit`: now required |" in table.stdout
    assert "2 breaking, 0 compatible changes; 0 tools added, 1 removed, 0 renamed" in table.stdout

    as_json = rest2mcp("diff", "specs/petstore.yaml", str(changed), "--json")
    assert as_json.returncode == 0
    data = json.loads(as_json.stdout)
    assert [(t["name"], t["status"]) for t in data["tools"]] == [("deletePet", "removed"), ("listPets", "changed")]

    same = rest2mcp("diff", "generated/petstore", "specs/petstore.yaml", "--fail-on", "breaking")
    assert same.returncode == 0 and "No changes in the tool surface." in same.stdout
    assert rest2mcp("diff", "a", "b", "--fail-on", "sometimes").returncode == 1


@pytest.mark.e2e
def test_console_script(tmp_path):
    command = str(Path(sys.executable).with_name("rest2mcp"))
    version = subprocess.run([command, "--version"], capture_output=True, text=True, check=False)
    assert version.returncode == 0 and version.stdout.startswith("rest2mcp ")

    out = tmp_path / "out"
    missing = subprocess.run([command, "generate", "specs/nope.yaml", "-o", str(out)], cwd=ROOT,
                             capture_output=True, text=True, check=False)
    assert_refused(missing, out)
    assert missing.stderr.splitlines()[0] == "error[E101] specs/nope.yaml: no such file"

    generated = subprocess.run([command, "generate", "specs/petstore.yaml", "-o", str(out)], cwd=ROOT,
                               capture_output=True, text=True, check=False)
    assert generated.returncode == 0, generated.stderr
    assert "petstore-mcp: 4 tools in" in generated.stdout
    assert (out / "petstore_mcp" / "generated" / "server.py").is_file()
