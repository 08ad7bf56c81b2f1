"""Output schemas made by a second process (mapping/output_process.py): the same package and the same
diagnostics, in the same order, as one process makes; mapped again in one where the two could disagree.

Each mapping runs in a fresh interpreter: a process forks only when no other thread runs, which a test
worker cannot promise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CORPUS, failing_prepare
from rest2mcp import forked
from rest2mcp.diagnostics import Diagnostic, Severity
from rest2mcp.mapping import output_process
from rest2mcp.mapping.output_process import Made
from rest2mcp.schemas.defs import names_agree

MAP = r"""
import hashlib, json, sys
from rest2mcp.mapping import operations, output_process
from rest2mcp.options import Options
from rest2mcp.pipeline import prepare

seen = {"second": "none", "said": 0}
build, made = operations._build, output_process.OutputProcess.made

def spied_build(*args, **kwargs):
    api = build(*args, **kwargs)
    if (args[4] if len(args) > 4 else kwargs.get("operations")) is not None:
        seen["second"] = "used" if api is not None else "mapped again"
    return api

def spied_made(self):
    result = made(self)
    seen["said"] = sum(len(said) for said in result.said.values()) if result else -1
    return result

operations._build, output_process.OutputProcess.made = spied_build, spied_made
generated = prepare(sys.argv[1], Options(models=False, skip_validation=True, name="x-mcp"))
print(json.dumps({
    **seen,
    "files": {path: hashlib.sha256(data).hexdigest() for path, data in generated.files.items()},
    "diagnostics": [[d.severity.value, d.code, d.message, d.pointer, d.hint] for d in generated.diagnostics],
}))
"""


def mapped(spec: Path, processes: str) -> dict:
    env = {**os.environ, "REST2MCP_PROCESSES": processes, "REST2MCP_CACHE_DIR": "off"}
    done = subprocess.run([sys.executable, "-c", MAP, str(spec)], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def both_ways(spec: Path) -> dict:
    one, two = mapped(spec, "1"), mapped(spec, "2")
    assert one["second"] == "none"
    assert two["files"] == one["files"]
    assert two["diagnostics"] == one["diagnostics"]
    return two


def operation(responses_schema: dict, **more: object) -> dict:
    return {**more, "responses": {"200": {"description": "ok",
                                          "content": {"application/json": {"schema": responses_schema}}}}}


def document(paths: dict, schemas: dict) -> dict:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "servers": [{"url": "https://api.example.com"}],
            "paths": paths, "components": {"schemas": schemas}}


def write(tmp_path: Path, doc: dict) -> Path:
    spec = tmp_path / "api.json"
    spec.write_text(json.dumps(doc))
    return spec


ODD = {"type": "object", "properties": {"a": {"type": "strin"}, "b": {"type": "integer"}}}  # W303, said once


def test_what_each_process_says_once_is_said_once_in_its_place(tmp_path):
    body = {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Odd"}}}}}
    paths = {
        # said first by this process (the input), then by the second (the output): the second's is dropped
        "/first": {"post": operation({"$ref": "#/components/schemas/Odd"}, operationId="first", **body)},
        # said first by the second process (an output), then by this one (an input): this one's is dropped
        "/second": {"get": operation({"$ref": "#/components/schemas/Later"}, operationId="second")},
        "/third": {"post": operation({"type": "object"}, operationId="third",
                                     requestBody={"content": {"application/json": {
                                         "schema": {"$ref": "#/components/schemas/Later"}}}})},
        # an inline part of an output: said by the second process, in its operation's place
        "/fourth": {"get": operation({"type": "object", "properties": {"c": {"type": "nmber"}}}, operationId="fourth",
                                     parameters=[{"name": "q", "in": "query", "schema": {"type": "strng"}}])},
    }
    result = both_ways(write(tmp_path, document(paths, {"Odd": ODD, "Later": {**ODD}})))
    assert result["second"] == "used" and result["said"] >= 3
    codes = [(code, pointer) for _, code, _, pointer, _ in result["diagnostics"] if code == "W303"]
    assert len(codes) == len(set(codes)) >= 4


def test_an_operation_this_process_skips_while_the_second_said_something_is_mapped_again(tmp_path):
    paths = {"/items/{id}": {"get": operation({"type": "object", "properties": {"c": {"type": "nmber"}}},
                                              operationId="noParameter")},
             "/ok": {"get": operation({"type": "object"}, operationId="ok")}}
    result = both_ways(write(tmp_path, document(paths, {})))
    assert result["second"] == "mapped again"
    assert [d[1] for d in result["diagnostics"]].count("W303") == 0  # one process never made that output


def test_an_output_that_cannot_be_made_is_mapped_again(tmp_path):
    paths = {"/broken": {"get": operation({"$ref": "#/components/schemas/Missing"}, operationId="broken")},
             "/ok": {"get": operation({"type": "object"}, operationId="ok")}}
    result = both_ways(write(tmp_path, document(paths, {})))
    assert result["second"] == "mapped again"
    assert "W301" in [d[1] for d in result["diagnostics"]]


def test_defs_names_two_references_share_are_given_by_one_process(tmp_path):
    tree = {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}
    other = {"type": "object", "properties": {"Node": {"type": "object", "properties": {
        "next": {"$ref": "#/components/schemas/Holder/properties/Node"}}}}}
    paths = {"/a": {"post": operation({"$ref": "#/components/schemas/Holder/properties/Node"}, operationId="a",
                                      requestBody={"content": {"application/json": {
                                          "schema": {"$ref": "#/components/schemas/Node"}}}})},
             "/b": {"get": operation({"$ref": "#/components/schemas/Node"}, operationId="b")}}
    result = both_ways(write(tmp_path, document(paths, {"Node": tree, "Holder": other})))
    assert result["second"] == "mapped again"


def test_cyclic_schemas_without_a_shared_name_keep_the_second_process(tmp_path):
    tree = {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}
    paths = {"/a": {"get": operation({"$ref": "#/components/schemas/Node"}, operationId="a")},
             "/b": {"post": operation({"type": "object"}, operationId="b", requestBody={"content": {
                 "application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}})}}
    assert both_ways(write(tmp_path, document(paths, {"Node": tree})))["second"] == "used"


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["09-xero.com_xero_accounting.json", "54-swagger2_real_docker_engine_v1.41.yaml",
                                  "11-mist.com.json"])
def test_real_documents_are_the_same_made_in_one_process_or_two(name):
    assert both_ways(CORPUS / "sample" / name)["second"] == "used"


def test_a_second_process_is_wanted_for_large_apis_with_a_second_core_and_no_other_thread(monkeypatch):
    import threading

    alone = [threading.current_thread()]
    other = threading.Thread(target=lambda: None)
    spinner = threading.Thread(target=lambda: None, name=forked.QUIET_THREAD)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(forked.threading, "enumerate", lambda: alone)
    monkeypatch.setattr(forked.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.delenv(forked.ENVIRONMENT, raising=False)
    assert output_process.wanted(output_process.SMALLEST)
    assert not output_process.wanted(output_process.SMALLEST - 1)
    monkeypatch.setattr(forked.os, "sched_getaffinity", lambda pid: {0})
    assert not output_process.wanted(5000)
    monkeypatch.setenv(forked.ENVIRONMENT, "2")
    assert output_process.wanted(1)
    monkeypatch.setattr(forked.threading, "enumerate", lambda: [*alone, other])
    assert not output_process.wanted(5000)
    monkeypatch.setattr(forked.threading, "enumerate", lambda: [*alone, spinner])  # it keeps quiet while forking
    assert output_process.wanted(5000)
    monkeypatch.setattr(forked.threading, "enumerate", lambda: alone)
    monkeypatch.setenv(forked.ENVIRONMENT, "1")
    assert not output_process.wanted(5000)
    monkeypatch.delenv(forked.ENVIRONMENT)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not output_process.wanted(5000)


SPINNING = r"""
import io, json, os, threading
from rest2mcp import forked
from rest2mcp.output import Style, progress

stream = io.StringIO()
os.environ["REST2MCP_PROCESSES"] = "2"
with progress(Style(color=True)) as stage:
    stage("mapping operations to tools")
    names = sorted(t.name for t in threading.enumerate())
    wanted = forked.may_fork(True)
    child = forked.Forked(lambda: "made while the spinner spun")
    made = child.result()
print(json.dumps({"threads": names, "wanted": wanted, "made": made}))
"""


def test_the_progress_spinner_leaves_a_second_process_possible():
    done = subprocess.run([sys.executable, "-c", SPINNING], capture_output=True, text=True, check=False, timeout=60,
                          env={**os.environ, "FORCE_COLOR": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"threads": ["MainThread", forked.QUIET_THREAD], "wanted": True, "made": "made while the spinner spun"}
    assert "mapping operations to tools" in done.stderr  # it was drawn


def _said(code: str, pointer: str) -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, "m", pointer)


def test_the_diagnostics_merge_in_operation_order():
    mine = [_said("W1", "/a"), _said("W303", "/x"), _said("W1", "/b"), _said("W303", "/y")]
    said_once = {id(mine[1]), id(mine[3])}
    made = Made({}, {"/a": [(_said("W303", "/y"), True)], "/b": [(_said("W303", "/x"), True), (_said("W2", "/z"), False)]},
                {})
    merged = output_process.merged_diagnostics(mine, said_once, {"/a": 1, "/b": 3}, made, {"/a", "/b"})
    assert merged is not None
    assert [(d.code, d.pointer) for d in merged] == [("W1", "/a"), ("W303", "/y"), ("W303", "/x"), ("W1", "/b"),
                                                     ("W2", "/z")]
    assert output_process.merged_diagnostics(mine, said_once, {"/a": 1}, made, {"/a"}) is None


def test_defs_names_agree_only_when_no_order_could_change_them():
    assert names_agree({"#/components/schemas/A": "A"}, {"#/components/schemas/B": "B", "#/components/schemas/A": "A"})
    assert not names_agree({"#/components/schemas/A": "A"}, {"#/x/A": "A"})
    assert not names_agree({"#/components/schemas/A": "A", "#/x/A": "A_2"}, {})


def test_a_mapping_that_fails_ends_the_second_process(tmp_path):
    paths = {f"/items{i}": {"get": operation({"type": "object"}, operationId=f"get{i}",
                                             parameters=[{"name": "q", "in": "query", "schema": {"type": "integer"}}])}
             for i in range(5)}
    spec = write(tmp_path, document(paths, {}))
    (tmp_path / "rest2mcp.toml").write_text('[operations.get1.arguments.q]\nfixed = "not a number"\n')
    said, stderr = failing_prepare(spec, 'models=False, skip_validation=True, name="x-mcp"')
    assert said == ["E503", "no", "child", "left"], stderr


def test_a_tool_copied_with_fields_is_what_replace_makes():
    import dataclasses

    from rest2mcp.mapping.ir import Tool

    tool = Tool(name="a", title=None, description="d", method="get", path="/a", input_schema={"type": "object"},
                output_schema=None, wrap_output=False, annotations={}, arguments=(), body=None, security=(),
                accept=None, server=None, pointer="/paths/~1a/get")
    changed = tool.with_fields(output_schema={"type": "object"}, toolsets=("x",))
    assert changed == dataclasses.replace(tool, output_schema={"type": "object"}, toolsets=("x",))
    assert tool.output_schema is None and tool.toolsets == ()
    with pytest.raises(TypeError):
        tool.with_fields(nonsense=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.name = "b"  # type: ignore[misc]
