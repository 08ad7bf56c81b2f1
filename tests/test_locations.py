"""Diagnostics about content of a referenced file name that file, its line and the pointer within it."""

from __future__ import annotations

import textwrap

from helpers import ROOT
from rest2mcp.pipeline import Options, prepare, validated

MULTI = "specs/broken/multi/root.yaml"


def found(generated, code: str) -> list[tuple[str | None, int | None, str | None]]:
    return [(d.source, d.line, d.pointer) for d in generated.diagnostics if d.code == code]


def write(folder, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_a_problem_in_a_referenced_file_names_that_file_as_the_root_was_given(monkeypatch):
    monkeypatch.chdir(ROOT)
    generated = prepare(MULTI, Options())
    assert found(generated, "W304") == [("specs/broken/multi/common/thing.yaml", 8, "/Thing/properties/code/pattern")]
    # Problems in the root document itself keep the root's name.
    assert found(generated, "W313") == [(MULTI, 24, "/paths/~1parts/get/parameters/0/style")]

    absolute = prepare(str(ROOT / MULTI), Options())
    assert found(absolute, "W304") == [(str(ROOT / "specs/broken/multi/common/thing.yaml"), 8,
                                        "/Thing/properties/code/pattern")]

    monkeypatch.chdir(ROOT / "specs" / "broken" / "multi")
    assert found(prepare("root.yaml", Options()), "W304") == [("common/thing.yaml", 8, "/Thing/properties/code/pattern")]


def test_files_in_other_folders_fragments_and_references_between_referenced_files(tmp_path, monkeypatch):
    write(tmp_path, {
        "api/root.yaml": """\
            openapi: 3.0.3
            info: {title: T, version: "1"}
            paths:
              /a:
                get:
                  responses:
                    "200":
                      description: ok
                      content:
                        application/json:
                          schema: {$ref: "../shared/models.yaml#/components/schemas/A"}
            """,
        "shared/models.yaml": """\
            components:
              schemas:
                A:
                  type: object
                  properties:
                    b: {$ref: "deeper/b.yaml"}
                    gone: {$ref: "nowhere.yaml#/X"}
            """,
        "shared/deeper/b.yaml": """\
            # the whole file is the schema
            type: object
            properties:
              kind: {type: strin}
            """,
    })
    monkeypatch.chdir(tmp_path)
    # A folder beside the document's is read only when allowed.
    generated = prepare("api/root.yaml", Options(skip_validation=True, allowed_ref_dirs=("shared",),
                                                 allow_empty=True))
    assert found(generated, "W303") == [("shared/deeper/b.yaml", 4, "/properties/kind/type")]
    # The bundler's own warnings about a referenced file are located in it too.
    assert found(generated, "W106") == [("shared/models.yaml", 7, "/components/schemas/A/properties/gone")]


def test_swagger_2_pointers_are_translated_in_the_root_and_located_in_referenced_files(tmp_path, monkeypatch):
    write(tmp_path, {
        "root.yaml": """\
            swagger: "2.0"
            info: {title: Sw, version: "1"}
            host: api.example.com
            paths:
              /things:
                post:
                  parameters:
                    - {in: body, name: body, schema: {$ref: "common/thing.yaml#/Thing"}}
                  responses:
                    "200": {description: ok, schema: {$ref: "#/definitions/Local"}}
            definitions:
              Local:
                type: object
                properties:
                  name: {type: string, pattern: "(("}
            """,
        "common/thing.yaml": """\
            Thing:
              type: object
              properties:
                code: {type: string, pattern: "^[A-Z{3}$"}
            """,
    })
    monkeypatch.chdir(tmp_path)
    generated = prepare("root.yaml", Options(skip_validation=True))
    assert sorted(found(generated, "W304")) == [
        ("common/thing.yaml", 4, "/Thing/properties/code/pattern"),
        ("root.yaml", 15, "/definitions/Local/properties/name/pattern"),
    ]


def test_the_bundled_document_still_records_where_each_copy_came_from(monkeypatch):
    monkeypatch.chdir(ROOT)
    loaded, _, _ = validated(MULTI, Options())
    assert sorted(loaded.document["x-bundled"]) == ["common/thing.yaml#/Limit", "common/thing.yaml#/Thing"]
    part = loaded.parts["/x-bundled/common~1thing.yaml#~1Thing"]
    assert (part.source, part.pointer) == ("specs/broken/multi/common/thing.yaml", "/Thing")
    assert loaded.locate("/x-bundled/common~1thing.yaml#~1Thing") == (part.source, "/Thing", 2)
    assert loaded.locate("/x-bundled/common~1thing.yaml#~1Limit/style") == (part.source, "/Limit/style", 13)
    assert loaded.locate("/paths/~1things") == (None, "/paths/~1things", 7)
    assert loaded.locate("/x-bundled") == (None, "/x-bundled", loaded.line_of("/x-bundled"))


def test_documents_without_references_to_other_files_have_no_parts(monkeypatch):
    monkeypatch.chdir(ROOT)
    loaded, _, _ = validated("specs/broken/invalid.yaml", Options())
    assert loaded.parts == {}
    assert loaded.locate("/info") == (None, "/info", 2)


def test_validation_findings_inside_referenced_parts_are_placed_where_they_are_fixed(tmp_path, monkeypatch):
    """openapi-spec-validator reports a finding in a schema relative to that schema: each is placed at
    the schema's own file, line and pointer, through the references that lead to it."""
    write(tmp_path, {
        "root.yaml": """\
            openapi: 3.0.3
            info: {title: T, version: "1"}
            paths:
              /a:
                get:
                  parameters:
                    - $ref: "#/components/parameters/P"
                    - {name: q, in: query, schema: {type: string}}
                    - {name: q, in: query, schema: {type: string}}
                  responses:
                    "200":
                      description: ok
                      content:
                        application/json:
                          schema: {$ref: "common/thing.yaml#/Thing"}
            components:
              parameters:
                P:
                  name: p
                  in: query
                  schema: {type: integer, default: "x"}
              schemas:
                Local:
                  type: object
                  properties:
                    code: {type: string, maxLength: -1}
            """,
        "common/thing.yaml": """\
            Thing:
              type: object
              properties:
                code: {type: string, pattern: 5}
            """,
    })
    monkeypatch.chdir(tmp_path)
    generated = prepare("root.yaml", Options())
    placed = {(source, line, pointer) for source, line, pointer in found(generated, "W202")}
    assert {
        ("common/thing.yaml", 4, "/Thing/properties/code/pattern"),
        ("root.yaml", 21, "/components/parameters/P/schema/default"),
        ("root.yaml", 26, "/components/schemas/Local/properties/code/maxLength"),
        ("root.yaml", 6, "/paths/~1a/get/parameters"),
    } <= placed, placed
    assert not [d for d in generated.diagnostics if d.code == "W202" and d.pointer in ("", "/")]
