"""The corpus sweep (bench/sweep.py): finding specs, classifying outcomes, checking tool
definitions, killing stuck specs, and one run of the command with servers started."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_sweep():
    spec = importlib.util.spec_from_file_location("sweep", ROOT / "bench" / "sweep.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["sweep"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


sweep = load_sweep()

NO_START = sweep.Settings(start=False)

TWO_OPERATIONS = textwrap.dedent(
    """\
    openapi: 3.0.3
    info: {title: Tiny, version: "1"}
    servers: [{url: "https://tiny.example.com"}]
    paths:
      /things:
        get:
          operationId: listThings
          responses:
            "200":
              description: ok
              content:
                application/json:
                  schema: {type: array, items: {type: string}}
      /things/{id}:
        delete:
          operationId: deleteThing
          parameters:
            - {name: id, in: path, required: true, schema: {type: integer}}
          responses:
            "204": {description: gone}
    """
)

ONE_OPERATION_NO_SERVER = textwrap.dedent(
    """\
    {"openapi": "3.1.0", "info": {"title": "Solo", "version": "1"},
     "paths": {"/ping": {"get": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}}}}
    """
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def spec_for(path: Path):
    return sweep.Spec(path.name, str(path))


def good_tool(name: str = "getThing", **changes) -> dict:
    tool = {
        "name": name,
        "description": "d",
        "inputSchema": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]},
        "outputSchema": {"type": "object", "properties": {"result": {}}},
        "annotations": {},
    }
    tool.update(changes)
    return tool


# -- one spec ------------------------------------------------------------------------------


def test_a_valid_spec_is_generated_with_its_tools_and_no_schema_problem(tmp_path):
    record = sweep.sweep_spec(spec_for(write(tmp_path / "tiny.yaml", TWO_OPERATIONS)), NO_START)

    assert record["outcome"] == "generated"
    assert record["tools"] == 2
    assert record["schema_problem_count"] == 0 and record["schema_problems"] == []
    assert record["module"] == "tiny_mcp"
    assert record["tools_list_bytes"] > 100
    assert record["generate_seconds"] >= 0
    assert record["server"] is None


def test_tools_list_size_is_the_compact_json_of_the_served_definitions(tmp_path):
    record = sweep.sweep_spec(spec_for(write(tmp_path / "tiny.yaml", TWO_OPERATIONS)), NO_START)
    generated = sweep.default_generate(str(tmp_path / "tiny.yaml"))
    served = json.loads(generated.files["tiny_mcp/generated/tools.json"])["tools"]

    assert [tool["name"] for tool in served] == ["listThings", "deleteThing"]
    assert record["tools_list_bytes"] == len(json.dumps(served, separators=(",", ":")).encode())


def test_broken_yaml_is_refused_with_its_code_and_message(tmp_path):
    path = write(tmp_path / "broken.yaml", "openapi: 3.0.3\ninfo: [unclosed\n  title: x\n")

    record = sweep.sweep_spec(spec_for(path), NO_START)

    assert record["outcome"] == "refused"
    assert record["refusal"]["codes"] == ["E104"]
    assert "invalid YAML" in record["refusal"]["messages"][0]
    assert record["tools"] is None


def test_an_unsupported_version_is_reported_refused_not_crashed(tmp_path):
    path = write(tmp_path / "old.json", '{"swagger": "1.2", "info": {"title": "t", "version": "1"}, "paths": {}}')

    record = sweep.sweep_spec(spec_for(path), NO_START)

    assert record["outcome"] == "refused"
    assert record["refusal"]["codes"] == ["E201"]


def test_an_unexpected_exception_is_a_crash_with_type_message_and_frames(tmp_path):
    def exploding_generator(path):
        return {}["no such key"]

    record = sweep.sweep_spec(spec_for(write(tmp_path / "tiny.yaml", TWO_OPERATIONS)), NO_START, exploding_generator)

    assert record["outcome"] == "crashed"
    assert record["error"]["type"] == "KeyError"
    assert "no such key" in record["error"]["message"]
    assert "exploding_generator" in record["error"]["traceback"][-1]
    assert "tests/test_sweep.py" in record["error"]["traceback"][-1]


def test_a_crash_in_a_child_process_is_reported_crashed_by_the_parallel_run(tmp_path):
    # The injected generator reaches the child only by fork (a local function does not pickle).
    if "fork" not in sweep.multiprocessing.get_all_start_methods():
        pytest.skip("needs the fork start method")
    good = write(tmp_path / "good.yaml", TWO_OPERATIONS)
    bad = write(tmp_path / "bad.yaml", TWO_OPERATIONS)

    def generate(path):
        if path.endswith("bad.yaml"):
            raise RecursionError("maximum recursion depth exceeded")
        return sweep.prepare(path, sweep.Options())

    records = sweep.run_specs([spec_for(good), spec_for(bad)], NO_START, jobs=2, timeout=60, generate=generate)

    assert [(r["spec"], r["outcome"]) for r in records] == [("bad.yaml", "crashed"), ("good.yaml", "generated")]
    assert records[0]["error"]["type"] == "RecursionError"


def test_a_stuck_spec_is_killed_after_its_timeout_and_the_others_still_finish(tmp_path):
    if "fork" not in sweep.multiprocessing.get_all_start_methods():
        pytest.skip("needs the fork start method")
    stuck = write(tmp_path / "stuck.yaml", TWO_OPERATIONS)
    fine = write(tmp_path / "fine.yaml", TWO_OPERATIONS)

    def generate(path):
        if path.endswith("stuck.yaml"):
            time.sleep(600)
        return sweep.prepare(path, sweep.Options())

    began = time.monotonic()

    records = sweep.run_specs([spec_for(stuck), spec_for(fine)], NO_START, jobs=2, timeout=3, generate=generate)

    assert time.monotonic() - began < 30
    outcomes = {r["spec"]: r["outcome"] for r in records}
    assert outcomes == {"stuck.yaml": "timeout", "fine.yaml": "generated"}
    assert sweep.failed(sweep.compute_totals(records))


def test_a_child_stuck_after_generation_keeps_its_generation_result(tmp_path, monkeypatch):
    if "fork" not in sweep.multiprocessing.get_all_start_methods():
        pytest.skip("needs the fork start method")
    path = write(tmp_path / "tiny.yaml", TWO_OPERATIONS)

    def stuck_checks(generated, definitions, budget):
        time.sleep(600)

    monkeypatch.setattr(sweep, "checked_fields", stuck_checks)  # the forked child inherits both
    monkeypatch.setattr(sweep, "KILL_GRACE_SECONDS", 0.5)

    [record] = sweep.run_specs([spec_for(path)], sweep.Settings(start=False, check_budget=0.5), jobs=1, timeout=60)

    assert record["outcome"] == "timeout"
    assert record["error"]["stage"] == "check or server start"
    assert record["tools"] == 2 and record["generate_seconds"] is not None


# -- checking tool definitions -------------------------------------------------------------


def messages(problems) -> list[str]:
    return [f"{p['tool']} {p['where']}: {p['message']}" for p in problems]


def test_clean_definitions_have_no_problem():
    assert sweep.definition_problems([good_tool("a"), good_tool("b-c_D9")]) == []


def test_a_root_that_is_not_an_object_is_a_problem():
    found = messages(sweep.definition_problems([good_tool(inputSchema={"type": "array", "items": {}})]))

    assert found == ["getThing inputSchema: root type is 'array', not 'object'"]


def test_an_output_schema_root_that_is_not_an_object_is_a_problem():
    found = messages(sweep.definition_problems([good_tool(outputSchema={"type": "string"})]))

    assert found == ["getThing outputSchema: root type is 'string', not 'object'"]


def test_a_root_combinator_is_a_problem():
    schema = {"type": "object", "anyOf": [{"required": ["a"]}, {"required": ["b"]}]}

    found = messages(sweep.definition_problems([good_tool(inputSchema=schema)]))

    assert found == ["getThing inputSchema: root has anyOf"]


def test_an_invalid_keyword_value_is_a_problem_with_its_location():
    schema = {"type": "object", "properties": {"id": {"type": "integr"}, "n": {"minimum": "1"}}}

    found = sweep.definition_problems([good_tool(inputSchema=schema)])

    assert len(found) == 2
    assert all(p["message"].startswith("invalid JSON Schema 2020-12:") for p in found)
    joined = " ".join(p["message"] for p in found)
    assert "/properties/id/type" in joined and "/properties/n/minimum" in joined


def test_a_schema_that_is_not_an_object_at_all_is_a_problem():
    found = messages(sweep.definition_problems([good_tool(inputSchema=True)]))

    assert found == ["getThing inputSchema: is a bool, not a JSON object"]


def test_bad_names_are_problems():
    names = ["has.dot", "has space", "x" * 65, ""]

    found = sweep.definition_problems([good_tool(name) for name in names])

    assert [p["where"] for p in found] == ["name"] * 4
    assert [p["tool"] for p in found] == names
    assert sweep.definition_problems([good_tool("x" * 64)]) == []


def test_duplicate_names_are_one_problem_per_name():
    found = messages(sweep.definition_problems([good_tool("a"), good_tool("b"), good_tool("a"), good_tool("a")]))

    assert found == ["a name: name 'a' is used by 3 tools"]


def test_past_the_deadline_only_the_metaschema_check_is_skipped_and_counted():
    invalid = {"type": "array", "properties": {"id": {"type": "integr"}}}

    found, unchecked = sweep.check_definitions([good_tool(inputSchema=invalid)], deadline=time.monotonic() - 1)

    assert messages(found) == ["getThing inputSchema: root type is 'array', not 'object'"]
    assert unchecked == 2  # its inputSchema and its outputSchema
    assert sweep.check_definitions([good_tool(inputSchema=invalid)])[1] == 0


def test_problems_carry_the_operation_pointer_when_known():
    found = sweep.definition_problems([good_tool(inputSchema={})], pointers=["/paths/~1things/get"])

    assert found[0]["pointer"] == "/paths/~1things/get"


# -- finding specs -------------------------------------------------------------------------


def test_a_folder_gives_its_files_and_the_root_of_each_multi_file_spec(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "a.yaml", TWO_OPERATIONS)
    write(corpus / "b.json", ONE_OPERATION_NO_SERVER)
    write(corpus / "notes.txt", "not a spec")
    multi = corpus / "multi"
    write(multi / "spec" / "api.yaml", TWO_OPERATIONS.replace("{type: integer}", "{$ref: 'common.yaml#/Id'}"))
    write(multi / "spec" / "common.yaml", "Id: {type: integer}\n")
    write(multi / "spec" / "extra.yaml", "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\n")
    write(multi / "spec" / "api2.yaml", "openapi: 3.0.3\n$ref: extra.yaml\n")

    specs = sweep.folder_specs(corpus)

    assert [s.id for s in specs] == ["corpus/a.yaml", "corpus/b.json", "corpus/multi/spec/api.yaml", "corpus/multi/spec/api2.yaml"]


def test_a_sub_folder_with_one_root_is_one_spec_named_after_the_folder(tmp_path):
    corpus = tmp_path / "corpus"
    multi = corpus / "petstore-separate"
    write(multi / "spec" / "swagger.yaml", "swagger: '2.0'\npaths:\n  /p:\n    get: {parameters: [{$ref: 'parameters.yaml#/p'}]}\n")
    write(multi / "spec" / "parameters.yaml", "p: {name: p, in: query, type: string}\n")

    [spec] = sweep.folder_specs(corpus)

    assert spec.id == "corpus/petstore-separate"
    assert spec.path.endswith("spec/swagger.yaml")
    assert "not referenced" in spec.note


def test_files_that_all_reference_each_other_pick_the_one_the_folder_is_named_after(tmp_path):
    # Both network.json and virtualNetwork.json end the folder's name: the longer match wins.
    folder = tmp_path / "set_virtualNetwork"
    for name, other in [("network", "routeTable"), ("virtualNetwork", "network"), ("routeTable", "virtualNetwork")]:
        write(folder / f"{name}.json", json.dumps({"swagger": "2.0", "paths": {}, "x": {"$ref": f"./{other}.json#/d"}}))

    [(root, reason)] = sweep.folder_roots(folder)

    assert root.name == "virtualNetwork.json"
    assert "named after it" in reason


# -- reports -------------------------------------------------------------------------------


def test_totals_and_failure_verdict():
    base = sweep.blank_record(sweep.Spec("s", "s"))
    records = [
        {**base, "spec": "a", "outcome": "generated", "tools": 3, "tools_list_bytes": 10, "server": {"ok": True, "seconds": 1.0}},
        {**base, "spec": "b", "outcome": "refused", "refusal": {"codes": ["E301"], "messages": []}},
    ]
    totals = sweep.compute_totals(records)

    assert (totals["specs"], totals["generated"], totals["refused"], totals["tools"]) == (2, 1, 1, 3)
    assert (totals["servers_ok"], totals["servers_failed"]) == (1, 0)
    assert not sweep.failed(totals)
    broken = {**records[0], "server": {"ok": False, "seconds": 1.0, "error": "x"}}
    assert sweep.failed(sweep.compute_totals([broken]))
    problematic = {**records[0], "schema_problem_count": 1}
    assert sweep.failed(sweep.compute_totals([problematic]))


# -- the command, end to end ---------------------------------------------------------------


@pytest.mark.e2e
def test_the_command_starts_every_generated_server_and_writes_both_reports(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "tiny.yaml", TWO_OPERATIONS)
    write(corpus / "solo.json", ONE_OPERATION_NO_SERVER)  # no server URL: needs --base-url to start
    write(corpus / "broken.yaml", "openapi: [\n")
    out = tmp_path / "results" / "sweep"

    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "sweep.py"), str(corpus), "--out", str(out), "--jobs", "2"],
        capture_output=True, text=True, timeout=120, check=False,
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(out.with_name("sweep.json").read_text())
    records = {r["spec"]: r for r in report["specs"]}
    assert {name: r["outcome"] for name, r in records.items()} == {
        "corpus/broken.yaml": "refused", "corpus/solo.json": "generated", "corpus/tiny.yaml": "generated",
    }
    assert records["corpus/tiny.yaml"]["server"]["ok"] and records["corpus/tiny.yaml"]["server"]["listed"] == 2
    assert records["corpus/solo.json"]["server"]["listed"] == 1
    totals = report["totals"]
    assert (totals["specs"], totals["generated"], totals["refused"], totals["crashed"]) == (3, 2, 1, 0)
    assert (totals["tools"], totals["servers_ok"], totals["servers_failed"]) == (3, 2, 0)
    markdown = out.with_name("sweep.md").read_text()
    assert "| corpus/tiny.yaml | generated | 2 |" in markdown
    assert "**total: 3 specs**" in markdown


@pytest.mark.e2e
def test_a_server_listing_another_number_of_tools_fails_the_run(tmp_path):
    record = sweep.sweep_spec(spec_for(write(tmp_path / "tiny.yaml", TWO_OPERATIONS)), NO_START)
    generated = sweep.default_generate(str(tmp_path / "tiny.yaml"))

    server = sweep.start_and_list(generated, expected=record["tools"] + 1, timeout=60)

    assert not server["ok"]
    assert server["error"] == "listed 2 tools, expected 3"
    assert sweep.failed(sweep.compute_totals([{**record, "server": server}]))
