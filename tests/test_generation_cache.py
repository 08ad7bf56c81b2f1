"""The generation cache (rest2mcp.cache): a regeneration of an unchanged document reuses the
validation findings and the typed models, and the generated files are the same bytes with the
cache off, cold or warm. Also the fast JSON writer and the fast validation backend, which must
give exactly what the slow ones give."""

from __future__ import annotations

import json

import pytest
from helpers import CORPUS, CORPUS_MISSING, SPECS
from rest2mcp.diagnostics import Diagnostics, pointer_join
from rest2mcp.document import validation
from rest2mcp.document.loading import load
from rest2mcp.emit import indented_json, models
from rest2mcp.emit.catalog import catalog
from rest2mcp.pipeline import Options, analyze, prepare

SPEC_WITH_MODELS = str(SPECS / "everything.yaml")
INVALID = str(SPECS / "broken" / "invalid.yaml")


def _generate(spec: str) -> tuple[dict[str, bytes], list[tuple[str, str, str | None]]]:
    generated = prepare(spec, Options())
    return generated.files, [(d.code, d.message, d.pointer) for d in generated.diagnostics]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("REST2MCP_CACHE_DIR", str(folder))
    return folder


def _forbid(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args, **kwargs):
        raise AssertionError("computed again although the cache has it")

    monkeypatch.setattr(validation, "findings", forbidden)
    monkeypatch.setattr(models, "_models", forbidden)


@pytest.mark.parametrize("spec", [SPEC_WITH_MODELS, INVALID, str(SPECS / "petstore-2.0.yaml")])
def test_same_bytes_with_the_cache_off_cold_and_warm_and_a_warm_run_computes_nothing(spec, cache_dir, monkeypatch):
    monkeypatch.setenv("REST2MCP_CACHE_DIR", "off")
    without = _generate(spec)
    assert not cache_dir.exists()
    monkeypatch.setenv("REST2MCP_CACHE_DIR", str(cache_dir))
    cold = _generate(spec)
    assert sorted(p.parent.name for p in cache_dir.glob("*/*.json"))  # something was stored
    _forbid(monkeypatch)
    warm = _generate(spec)
    assert without == cold == warm
    if spec == SPEC_WITH_MODELS:
        assert any(name.endswith("/models.py") for name in warm[0])
    if spec == INVALID:
        assert any(code == "W202" for code, _, _ in warm[1])


def test_a_changed_document_is_validated_again(cache_dir, tmp_path):
    spec = tmp_path / "api.yaml"
    text = (SPECS / "petstore.yaml").read_text()
    spec.write_text(text)
    assert not [d for d in prepare(str(spec), Options()).diagnostics if d.code == "W202"]
    spec.write_text(text.replace("openapi: 3.0.3", "openapi: 3.0.3\nunknownTopLevel: 1", 1))
    findings = [d for d in prepare(str(spec), Options()).diagnostics if d.code == "W202"]
    assert findings and "unknownTopLevel" in findings[0].message


def test_a_corrupt_or_foreign_entry_is_recomputed(cache_dir):
    first = _generate(INVALID)
    entries = list((cache_dir / "validation").glob("*.json"))
    assert len(entries) == 1
    entries[0].write_text("{not json")
    assert _generate(INVALID) == first
    entries[0].write_text(json.dumps({"key": "another", "value": []}))
    assert _generate(INVALID) == first


def test_an_unwritable_cache_costs_nothing_but_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("REST2MCP_CACHE_DIR", "off")
    expected = _generate(INVALID)
    monkeypatch.setenv("REST2MCP_CACHE_DIR", str(blocker / "cache"))  # a folder inside a file: never created
    assert _generate(INVALID) == expected


def test_the_fast_backend_reports_exactly_what_the_slow_one_reports():
    for spec in (INVALID, str(SPECS / "everything.yaml"), str(SPECS / "petstore-2.0.yaml")):
        document = load(spec).document
        version = validation.openapi_version(document, Diagnostics(source=spec))
        slow = [(e.message, list(e.absolute_path)) for e in validation._validator_class(version, fast=False)(document).iter_errors()]
        assert validation._has_fast_backend()
        assert validation.findings(document, version) == [
            ("W202", validation._shorten(message), pointer_join(*path), validation.VALIDATION_HINT) for message, path in slow]


def test_indented_json_is_json_dumps_with_indent_1():
    values = [{}, [], {"a": {}}, [[]], "é\u2028\x01\"\\", {2: 2, 1.5: 3, True: 1, False: 0, None: [1.0, -0.0, 1e16, 1e-7, 10 ** 30]},
              ({"x": (1, 2)},), {"nested": [{"deep": [[{"k": None}]]}]}, float("nan"), float("inf"), -float("inf")]
    for value in values:
        assert indented_json.dumps(value) == json.dumps(value, ensure_ascii=False, indent=1)
    tools = catalog(analyze(SPEC_WITH_MODELS, Options(skip_validation=True, models=False)).api)
    assert indented_json.dumps(tools) == json.dumps(tools, ensure_ascii=False, indent=1)
    with pytest.raises(TypeError):
        indented_json.dumps({"a": object()})


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason=CORPUS_MISSING)
def test_indented_json_on_the_largest_corpus_catalog():
    tools = catalog(analyze(str(CORPUS / "sample" / "12-dracoon.team.json"), Options(skip_validation=True, models=False)).api)
    assert indented_json.dumps(tools) == json.dumps(tools, ensure_ascii=False, indent=1)
