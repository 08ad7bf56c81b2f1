"""Typed models made by a second process while the first validates and maps the document: the same
package as one process makes, the cache used the same way, nothing left behind when the run fails.
Each run is a fresh interpreter: a process forks only while no other thread runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CORPUS, SPECS, failing_prepare

PREPARE = r"""
import hashlib, json, os, sys
from rest2mcp.emit import models
from rest2mcp.forked import Forked
from rest2mcp.options import Options
from rest2mcp.pipeline import prepare

seen = {"forked": 0, "from_second": 0, "parent": os.getpid(), "made_by": []}
result, compute = models.Meanwhile.result, models._models

def spied_result(self):
    made = result(self)
    seen["from_second"] += made is not None
    return made

def spied_models(source):
    seen["made_by"].append("first" if os.getpid() == seen["parent"] else "second")
    return compute(source)

class SpiedForked(Forked):
    def __init__(self, work):
        seen["forked"] += 1
        super().__init__(work)

models.Meanwhile.result, models._models, models.Forked = spied_result, spied_models, SpiedForked
generated = prepare(sys.argv[1], Options(skip_validation=sys.argv[2] == "skip", name="x-mcp"))
print(json.dumps({
    **seen,
    "files": {path: hashlib.sha256(data).hexdigest() for path, data in generated.files.items()},
    "diagnostics": [[d.severity.value, d.code, d.message, d.pointer, d.line] for d in generated.diagnostics],
}))
"""


def prepared(spec: Path, processes: str, cache: str = "off", validation: str = "run") -> dict:
    env = {**os.environ, "REST2MCP_PROCESSES": processes, "REST2MCP_CACHE_DIR": cache}
    done = subprocess.run([sys.executable, "-c", PREPARE, str(spec), validation], env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("spec", [SPECS / "petstore.yaml", SPECS / "petstore-2.0.yaml",
                                  CORPUS / "sample" / "09-xero.com_xero_accounting.json"])
def test_models_made_by_a_second_process_are_the_ones_one_process_makes(spec: Path):
    one, two = prepared(spec, "1"), prepared(spec, "2")
    assert (one["forked"], one["from_second"], one["made_by"]) == (0, 0, ["first"])
    assert (two["forked"], two["from_second"], two["made_by"]) == (1, 1, [])  # the second's: not seen here
    assert any(path.endswith("/models.py") for path in two["files"])
    assert two["files"] == one["files"] and two["diagnostics"] == one["diagnostics"]


def test_the_second_process_reads_and_fills_the_cache(tmp_path: Path):
    spec = SPECS / "petstore.yaml"
    first = prepared(spec, "2", cache=str(tmp_path / "cache"), validation="skip")
    assert list((tmp_path / "cache" / "models").glob("*.json"))  # kept by the second process
    again = prepared(spec, "1", cache=str(tmp_path / "cache"), validation="skip")
    assert again["made_by"] == [] and again["files"] == first["files"]  # read from the cache here


def test_a_document_without_schemas_forks_nothing(tmp_path: Path):
    spec = tmp_path / "api.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {
        "/a": {"get": {"operationId": "getA", "responses": {"200": {"description": "ok"}}}}}}))
    assert prepared(spec, "2")["forked"] == 0


def test_a_run_that_fails_ends_the_second_process(tmp_path: Path):
    spec = tmp_path / "api.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {
        "/a": {"get": {"operationId": "getA", "parameters": [{"name": "q", "in": "query", "schema": {"type": "integer"}}],
                       "responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {"A": {"type": "object"}}}}))
    (tmp_path / "rest2mcp.toml").write_text('[operations.getA.arguments.q]\nfixed = "not a number"\n')
    # the second process would still be making the models
    said, stderr = failing_prepare(spec, 'skip_validation=True, name="x-mcp"', setup="""
from rest2mcp.emit import models
models._models = lambda source: __import__("time").sleep(60)
""")
    assert said == ["E503", "no", "child", "left"], stderr


def test_a_second_process_that_fails_leaves_the_models_to_the_first(monkeypatch):
    from rest2mcp.diagnostics import Diagnostics
    from rest2mcp.emit import models

    class Failed:
        def result(self):
            return None

        def stop(self):
            pass

    meanwhile = models.Meanwhile()
    meanwhile._process = Failed()  # type: ignore[assignment]
    document = json.loads(json.dumps({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {},
                                      "components": {"schemas": {"Pet": {"type": "object", "properties": {
                                          "name": {"type": "string"}}}}}}))
    monkeypatch.setenv("REST2MCP_CACHE_DIR", "off")
    code = models.typed_models(document, Diagnostics(), meanwhile)
    assert code is not None and "class Pet(BaseModel)" in code
