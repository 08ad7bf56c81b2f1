"""The commands that look at a spec without writing (`tools`, `lint`), `update`, and exit codes and
messages that tell the truth: no tools, validation that could not run, pages that are not documents."""

from __future__ import annotations

import json
import re

import pytest
from helpers import ROOT, SPECS, write
from rest2mcp.commands import Outcome
from rest2mcp.diagnostics import Diagnostic, Severity
from rest2mcp.lint.codes import LINT_CODES, LINT_REGISTRY, TABLE_END, TABLE_START, markdown_table, with_table
from upstream import Reply, Upstream

README = ROOT / "README.md"

# One operation per lint rule (and a few that break none): the findings are known exactly.
LINTED = """
openapi: 3.0.3
info: {title: Museum API, version: "1"}
servers: [{url: https://museum.example.com}]
paths:
  /exhibits:
    get:
      operationId: listExhibits
      summary: List the exhibits
      description: The exhibits on show, newest first.
      parameters:
        - {$ref: "#/components/parameters/Page"}
        - name: sort
          in: query
          schema: {type: string, enum: [asc, desc]}
      responses: {"200": {description: ok}}
    post:
      operationId: post_1
      summary: Add an exhibit
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                name: {type: string}
                year: {type: integer, description: The year it was made.}
      responses: {"201": {description: created}}
  /exhibits/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}, description: The exhibit.}
    get:
      responses: {"200": {description: ok}}
  /tickets:
    get:
      operationId: listTickets
      summary: List tickets
      parameters:
        - {$ref: "#/components/parameters/Page"}
      responses: {"200": {description: ok}}
  /v1/guides:
    get:
      operationId: listGuides
      summary: List the guides
      description: The museum's guides.
      responses: {"200": {description: ok}}
  /v2/guides:
    get:
      operationId: listGuidesV2
      summary: List the guides
      description: The museum's guides, with their languages.
      responses: {"200": {description: ok}}
components:
  parameters:
    Page: {name: page, in: query, schema: {type: integer}}
"""


def findings(result) -> list[dict]:
    return json.loads(result.stdout)


# -- tools ----------------------------------------------------------------------------------------


def test_tools_lists_name_method_path_toolsets_annotations_arguments_and_schema_size(rest2mcp):
    table = rest2mcp("tools", "specs/petstore.yaml")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert re.split(r"\s{2,}", lines[0]) == ["NAME", "METHOD", "PATH", "TOOLSETS", "ANNOTATIONS", "ARGS", "SCHEMA"]
    assert re.split(r"\s{2,}", lines[4].strip()) == ["deletePet", "DELETE", "/pets/{petId}", "pets",
                                                     "destructive,idempotent", "1", "182"]
    assert re.fullmatch(r"4 tools, [\d,]+ bytes of tools/list", lines[-1])

    as_json = rest2mcp("tools", "specs/petstore.yaml", "--json")
    rows = json.loads(as_json.stdout)
    assert [row["name"] for row in rows] == ["listPets", "createPet", "showPetById", "deletePet"]
    assert rows[0] == {**rows[0], "method": "GET", "path": "/pets", "toolsets": ["pets"], "arguments": 1}
    assert rows[0]["annotations"]["readOnlyHint"] is True and rows[0]["inputSchemaBytes"] > 0
    assert as_json.stderr == ""  # no diagnostics: nothing on stderr (each would be a JSON line)


def test_tools_shows_what_the_configuration_leaves(rest2mcp):
    shop = rest2mcp("tools", "specs/shop/openapi.yaml", "--json")
    assert shop.returncode == 0, shop.stderr
    generated = json.loads((ROOT / "generated/shop/shop_mcp/generated/tools.json").read_text())
    assert [row["name"] for row in json.loads(shop.stdout)] == [t["name"] for t in generated["tools"]]


# -- lint -----------------------------------------------------------------------------------------


def test_lint_reports_each_rule_with_a_location_and_a_fix(tmp_path, rest2mcp):
    spec = write(tmp_path / "museum.yaml", LINTED)
    result = rest2mcp("lint", str(spec), "--json", "--max-schema", "160")
    assert result.returncode == 1, result.stderr  # warnings fail by default
    found = findings(result)
    assert all(re.fullmatch(r"L\d{3}", f["code"]) for f in found)
    by_code: dict[str, list[dict]] = {}
    for f in found:
        by_code.setdefault(f["code"], []).append(f)
    assert sorted(by_code) == ["L101", "L102", "L103", "L104", "L105", "L107", "L109", "L110"]
    [undescribed] = by_code["L101"]
    assert undescribed["tools"] == ["get_exhibits_by_id"] and undescribed["operation"] == "GET /exhibits/{id}"
    assert undescribed["pointer"] == "/paths/~1exhibits~1{id}/get" and undescribed["line"] == 32
    assert "[operations.\"GET /exhibits/{id}\"]" in undescribed["fix"]
    # the shared parameter is reported once, where it is defined, naming both tools
    page = next(f for f in by_code["L102"] if "'page'" in f["message"])
    assert page["pointer"] == "/components/parameters/Page" and page["tools"] == ["listExhibits", "listTickets"]
    assert [f["tools"] for f in by_code["L104"]] == [["post_1"]]
    assert "name: year" not in by_code["L103"][0]["message"] and "name" in by_code["L103"][0]["message"]
    [versions] = by_code["L105"]
    assert versions["tools"] == ["listGuides", "listGuidesV2"] and "two API versions" in versions["message"]
    assert [f["tools"] for f in by_code["L109"]] == [["listExhibits"]]  # sort: asc or desc, undescribed
    assert [f["tools"] for f in by_code["L107"]] == [["get_exhibits_by_id"]]  # 171 bytes, over 160
    assert by_code["L110"][0]["fix"] == "add operationId: get_exhibits_by_id to the operation (the name it has now)"
    assert {f["severity"] for f in by_code["L102"]} == {"info"} and by_code["L104"][0]["severity"] == "warning"

    again = rest2mcp("lint", str(spec), "--json", "--max-schema", "160")
    assert again.stdout == result.stdout  # stable between runs

    text = rest2mcp("lint", str(spec))
    assert "warning[L104] " in text.stdout and "#/paths/~1exhibits/post: tool post_1 (POST /exhibits)" in text.stdout
    assert text.stdout.index("warning[L101]") < text.stdout.index("info[L102]")  # by severity, then code
    assert re.search(r"\d+ findings \(\d+ warnings, \d+ notes\) over 6 tools: L101 1, L102 ", text.stdout)


def test_lint_places_swagger_2_parameters_where_the_document_has_them(rest2mcp):
    found = findings(rest2mcp("lint", "specs/petstore-2.0.yaml", "--json", "--ignore", "L101"))
    places = {f["message"].split(" has ")[0]: (f["pointer"], f["line"]) for f in found if f["code"] == "L102"}
    assert places["path parameter 'id'"] == ("/paths/~1pets~1{id}/parameters/0", 64)  # shared by the path item
    assert places["header parameter 'X-Reason'"] == ("/paths/~1pets~1{id}/delete/parameters/0", 87)
    assert places["query parameter 'limit'"] == ("/parameters/limit", 95)


def test_lint_ignore_fail_on_and_limits(tmp_path, rest2mcp):
    spec = write(tmp_path / "museum.yaml", LINTED)
    quiet = rest2mcp("lint", str(spec), "--json", "--ignore", "L101", "--ignore", "l104", "--ignore", "L105")
    assert {f["code"] for f in findings(quiet)} == {"L102", "L103", "L109", "L110"}
    assert quiet.returncode == 0  # notes only: below the default --fail-on warning
    assert rest2mcp("lint", str(spec), "--ignore", "L101", "--ignore", "L104", "--ignore", "L105",
                    "--fail-on", "info").returncode == 1
    assert rest2mcp("lint", str(spec), "--fail-on", "never").returncode == 0
    many = rest2mcp("lint", str(spec), "--json", "--max-tools", "5", "--fail-on", "never")
    [surface] = [f for f in findings(many) if f["code"] == "L201"]
    assert surface["message"] == "6 tools, more than 5" and surface["pointer"] is None

    unknown = rest2mcp("lint", str(spec), "--ignore", "L999")
    assert unknown.returncode == 1 and "error[E406]: unknown lint code 'L999' in --ignore" in unknown.stderr
    bad = rest2mcp("lint", str(spec), "--fail-on", "sometimes")
    assert bad.returncode == 1 and "error[E404]" in bad.stderr


def test_lint_of_an_unreadable_spec_fails_with_the_diagnostics_as_json_lines(rest2mcp):
    result = rest2mcp("lint", "specs/nope.yaml", "--json")
    assert result.returncode == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert json.loads(line) == {"severity": "error", "code": "E101", "message": "no such file", "file": "specs/nope.yaml",
                                "line": None, "pointer": None,
                                "hint": "check the path (relative paths start from the current directory)"}


def test_the_lint_registry_and_the_readme_table_agree():
    assert len(LINT_REGISTRY) == len(LINT_CODES)
    for entry in LINT_CODES:
        assert re.fullmatch(r"L[12]\d\d", entry.code)
        assert entry.severity in (Severity.WARNING, Severity.INFO)
        assert "|" not in entry.meaning + entry.fix and "\n" not in entry.meaning + entry.fix
    text = README.read_text(encoding="utf-8")
    assert TABLE_START in text and markdown_table() in text
    assert with_table(text) == text, "the README's lint table is stale: run python -m rest2mcp.lint.codes README.md"
    from rest2mcp.lint import rules as lint

    source = (ROOT / "generator/rest2mcp/lint/rules.py").read_text()
    assert sorted(set(re.findall(r'"(L\d{3})"', source))) == sorted(LINT_REGISTRY), "a code without a rule"
    assert lint.Settings().max_tools == 40 and TABLE_END in text


# -- update, and check without SPEC ---------------------------------------------------------------


def test_update_regenerates_from_what_the_manifest_recorded(tmp_path, rest2mcp):
    spec = write(tmp_path / "api" / "museum.yaml", LINTED)
    out = tmp_path / "build" / "museum"
    assert rest2mcp("generate", str(spec.relative_to(tmp_path)), "-o", "build/museum", "--name", "museum-mcp",
                    "--no-models", cwd=tmp_path).returncode == 0
    unchanged = rest2mcp("update", "build/museum", cwd=tmp_path)
    assert unchanged.returncode == 0, unchanged.stderr
    assert "nothing to write" in unchanged.stdout
    assert "info[I603]" in unchanged.stderr and "--name museum-mcp, --no-models" in unchanged.stderr

    spec.write_text(spec.read_text().replace("summary: List tickets", "summary: List the tickets sold"))
    # from another folder: the recorded relative path is found from the folder upwards
    assert rest2mcp("check", "-o", str(out), cwd=out).returncode == 1
    updated = rest2mcp("update", "--json", cwd=out)
    assert updated.returncode == 0, updated.stderr
    result = json.loads(updated.stdout)
    assert result["command"] == "update" and result["ok"] and result["package"] == "museum-mcp"
    assert {"museum_mcp/generated/tools.json", "museum_mcp/generated/openapi.json"} <= set(result["files"]["written"])
    checked = rest2mcp("check", "-o", str(out), "--json", cwd=tmp_path)
    assert checked.returncode == 0 and json.loads(checked.stdout)["up_to_date"] is True

    nothing = rest2mcp("update", str(tmp_path / "api"))
    assert nothing.returncode == 1
    assert f"error[E509] {tmp_path / 'api'}: no .rest2mcp/manifest.json: rest2mcp did not generate" in nothing.stderr


# -- exit codes that tell the truth ---------------------------------------------------------------


EMPTY_REFS = """
openapi: 3.0.3
info: {title: Gone, version: "1"}
servers: [{url: https://gone.example.com}]
paths:
  /a:
    get:
      operationId: getA
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "missing.yaml#/A"}}}}}
  /b:
    post:
      operationId: postB
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Nope"}}}}
      responses: {"200": {description: ok}}
"""


def test_no_tools_is_an_error_unless_allowed(tmp_path, rest2mcp):
    spec = write(tmp_path / "gone.yaml", EMPTY_REFS)
    out = tmp_path / "out"
    refused = rest2mcp("generate", str(spec), "-o", str(out))
    assert refused.returncode == 1 and not out.exists()
    assert refused.stderr.splitlines()[0] == f"error[E331] {spec}: no tools: 2 operations left out: 2 unmappable"
    assert "--allow-empty" in refused.stderr
    assert rest2mcp("validate", str(spec)).returncode == 1
    allowed = rest2mcp("generate", str(spec), "-o", str(out), "--allow-empty")
    assert allowed.returncode == 0 and "gone-mcp: 0 tools in" in allowed.stdout


def test_a_configuration_that_leaves_no_operation_makes_generate_fail(tmp_path, rest2mcp):
    spec = write(tmp_path / "museum.yaml", LINTED)
    write(tmp_path / "rest2mcp.toml", '[exclude]\npaths = ["/**"]\n')
    out = tmp_path / "out"
    result = rest2mcp("generate", str(spec), "-o", str(out))
    assert result.returncode == 1 and not out.exists()
    assert f"error[E331] {spec}: no tools: 6 operations left out: 6 filtered" in result.stderr
    assert f"check [include] and [exclude] in {tmp_path / 'rest2mcp.toml'}" in result.stderr


def test_a_document_with_only_webhooks_is_no_error(tmp_path, rest2mcp):
    spec = write(tmp_path / "hooks.yaml", """
        openapi: 3.1.0
        info: {title: Hooks, version: "1"}
        webhooks:
          newPet:
            post:
              requestBody: {content: {application/json: {schema: {type: object}}}}
              responses: {"200": {description: ok}}
    """)
    result = rest2mcp("validate", str(spec))
    assert result.returncode == 0, result.stderr
    assert "warning[W330]" in result.stderr and "error[" not in result.stderr


def test_validate_fails_when_a_reference_was_not_followed(tmp_path, rest2mcp):
    spec = write(tmp_path / "remote.yaml", """
        openapi: 3.0.3
        info: {title: Remote, version: "1"}
        servers: [{url: https://remote.example.com}]
        paths:
          /a:
            get:
              operationId: getA
              responses: {"200": {description: ok}}
          /b:
            get:
              operationId: getB
              responses:
                "200": {description: ok, content: {application/json: {schema: {$ref: "https://other.example.com/s.yaml#/S"}}}}
    """)
    result = rest2mcp("validate", str(spec))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{spec}: not completely validated: $refs not followed (W106")


def test_validate_fails_when_the_validator_could_not_run(rest2mcp, monkeypatch):
    import openapi_spec_validator

    def broken(self, *args, **kwargs):
        raise RuntimeError("the validator broke")

    monkeypatch.setattr(openapi_spec_validator.OpenAPIV30SpecValidator, "iter_errors", broken)
    result = rest2mcp("validate", "specs/petstore.yaml")
    assert result.returncode == 1
    assert result.stdout.startswith("specs/petstore.yaml: not validated: the validator could not finish (W201)")
    assert "warning[W201] specs/petstore.yaml:1 #: the validator could not finish: RuntimeError" in result.stderr


# -- messages -------------------------------------------------------------------------------------


def test_an_html_page_is_named_as_such(upstream: Upstream, rest2mcp):
    upstream.reply("GET", "/docs", Reply(200, b"<!DOCTYPE html>\n<html><body>API docs</body></html>", "text/html"))
    result = rest2mcp("validate", f"{upstream.url}/docs")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error[E201] {upstream.url}/docs:1: the URL holds an HTML page, not an OpenAPI "
                                    "document\n  hint: this is probably the API's documentation page")
    assert "str" not in result.stderr


def test_an_ftp_url_is_refused_as_a_url(rest2mcp):
    result = rest2mcp("generate", "ftp://example.com/openapi.yaml", "--json")
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    diagnostic = json.loads(line)
    assert diagnostic["code"] == "E102" and diagnostic["message"] == "cannot fetch the document: ftp:// URLs are not supported"
    assert "no such file" not in result.stderr and "http" in diagnostic["hint"]
    assert json.loads(result.stdout) == {"command": "generate", "ok": False, "exit_code": 1,
                                         "spec": "ftp://example.com/openapi.yaml", "errors": 1, "warnings": 0,
                                         "notes": 0, "message": "rest2mcp: nothing written (1 error, 0 warnings)"}


def test_deprecated_operations_left_out_are_counted_and_named(tmp_path, rest2mcp):
    spec = write(tmp_path / "museum.yaml", LINTED.replace("      operationId: listTickets\n",
                                                          "      operationId: listTickets\n      deprecated: true\n"))
    out = tmp_path / "out"
    result = rest2mcp("generate", str(spec), "-o", str(out), "--no-models")
    assert result.returncode == 0, result.stderr
    assert f"museum-api-mcp: 5 tools in {out} (" in result.stdout
    assert "; 1 operation left out: 1 deprecated; 0 errors, 0 warnings)" in result.stdout
    assert f"info[I604] {spec}: 1 deprecated operation left out: GET /tickets" in result.stderr
    assert "hint: set deprecated = true in rest2mcp.toml" in result.stderr
    index = json.loads((out / "museum_api_mcp/generated/index.json").read_text())
    assert index["instructions"].startswith("Tools that call the Museum API (version 1).")  # not "API API"


def test_help_texts_name_arguments_plainly_and_completion_is_on(rest2mcp, monkeypatch):
    for command in ("generate", "check", "update", "diff", "validate", "tools", "lint", "serve"):
        text = rest2mcp(command, "--help").stdout
        assert "{" not in text.split("\n", 1)[0], text.split("\n", 1)[0]
        assert "<str>" not in text and "<list[" not in text and "<int>" not in text and "<path>" not in text, command
    assert rest2mcp("generate", "--help").stdout.startswith("Usage: rest2mcp generate [OPTIONS] SPEC\n")
    assert "--allow-ref-host HOST" in rest2mcp("generate", "--help").stdout
    assert "--show-completion" in rest2mcp("--help").stdout
    # Typer finds the shell among the parent processes; a test run started outside a shell has none.
    monkeypatch.setattr("typer.completion._get_shell_name", lambda: "bash")
    script = rest2mcp("--show-completion")
    assert script.returncode == 0 and "_REST2MCP_COMPLETE" in script.stdout


# -- output: grouped, plain or coloured, quiet, JSON ------------------------------------------------


def test_diagnostics_are_grouped_by_severity_and_code_with_a_shared_hint_once(capsys):
    from rest2mcp.output import Style, show

    d = [Diagnostic(Severity.INFO, "I602", "no base URL", None, "give one", "a.yaml"),
         Diagnostic(Severity.WARNING, "W301", "skipped one", "/paths/~1a/get", "fix it", "a.yaml", 3),
         Diagnostic(Severity.ERROR, "E331", "no tools", None, "allow it", "a.yaml"),
         Diagnostic(Severity.WARNING, "W106", "not followed", "/x", "allow the host", "a.yaml", 9),
         Diagnostic(Severity.WARNING, "W301", "skipped two", "/paths/~1b/get", "fix it", "a.yaml", 7)]
    assert show(Outcome(1, d), Style()) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error[E331] a.yaml: no tools", "  hint: allow it",
        "warning[W106] a.yaml:9 #/x: not followed", "  hint: allow the host",
        "warning[W301] a.yaml:3 #/paths/~1a/get: skipped one",
        "warning[W301] a.yaml:7 #/paths/~1b/get: skipped two", "  hint: fix it",
        "info[I602] a.yaml: no base URL", "  hint: give one"]

    show(Outcome(0, d[:2], notes=["done"]), Style(quiet=True))
    assert capsys.readouterr() == ("", "")  # a success says nothing with --quiet
    show(Outcome(1, d), Style(quiet=True))
    err = capsys.readouterr().err
    assert "E331" in err and "W301" in err and "I602" not in err

    show(Outcome(1, d[:2], out=["report"]), Style(color=True))
    coloured = capsys.readouterr()
    assert "\x1b[" in coloured.err and "skipped one" in coloured.err and "W301" in coloured.err
    assert coloured.out == "report\n"

    show(Outcome(1, d[:1], data={"ok": False}), Style(json=True))
    out, err = capsys.readouterr()
    assert json.loads(out) == {"ok": False} and json.loads(err)["code"] == "I602"


def test_a_progress_spinner_only_on_a_terminal(capsys):
    from rest2mcp.output import Style, progress

    with progress(Style()) as stage:  # captured output is no terminal
        assert stage is None
    with progress(Style(color=True, quiet=True)) as stage:
        assert stage is None
    with progress(Style(color=True)) as stage:
        assert stage is not None
        stage("validating")
    assert capsys.readouterr().out == ""  # the spinner is on stderr, gone when the stage ends


@pytest.mark.parametrize("spec", ["petstore.yaml", "everything.yaml", "petstore-2.0.yaml"])
def test_lint_and_tools_run_on_every_example(spec, rest2mcp):
    linted = rest2mcp("lint", str(SPECS / spec), "--json", "--fail-on", "never")
    assert linted.returncode == 0, linted.stderr
    assert all(f["line"] for f in findings(linted) if f["pointer"])
    assert rest2mcp("tools", str(SPECS / spec), "--quiet").returncode == 0


# -- a few specs of the shared corpus (bench/cli_corpus.py runs all of them, serve and update too) ---

CORPUS_SUBSET = ["sample/46-museum_openapi.yaml", "sample/48-backends_httpbin_0.10.4.swagger.json",
                 "sample/44-oai_examples_examples_v3.1_webhook_example.yaml"]


@pytest.mark.corpus
@pytest.mark.parametrize("spec", CORPUS_SUBSET)
def test_tools_and_lint_on_real_documents(spec, rest2mcp):
    from helpers import CORPUS

    path = str(CORPUS / spec)
    listed = rest2mcp("tools", path, "--json", "--skip-validation")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    linted = rest2mcp("lint", path, "--json", "--skip-validation", "--fail-on", "never")
    assert linted.returncode == 0, linted.stderr
    found = findings(linted)
    assert all(re.fullmatch(r"L\d{3}", f["code"]) and f["fix"] for f in found)
    names = {row["name"] for row in rows}
    assert all(set(f["tools"]) <= names for f in found)
    if "httpbin" in spec:  # no operationIds: every tool's name comes from its path
        assert sum(f["code"] == "L110" for f in found) == len(rows) > 50
    if "museum" in spec:  # "Redocly Museum API"
        from rest2mcp.inspection import serving
        from rest2mcp.pipeline import Options

        served = serving(path, Options(skip_validation=True))
        assert not isinstance(served, Outcome)
        assert served.index["instructions"].startswith("Tools that call the Redocly Museum API (version")
