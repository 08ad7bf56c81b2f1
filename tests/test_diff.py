"""`rest2mcp diff`: what changes in the tool surface when an API document changes.

Each pair is a real document from the corpus and a copy edited the way APIs really change.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import CORPUS, GENERATED, SPECS
from rest2mcp.diagnostics import GenerationFailed
from rest2mcp.diff.surface_diff import (
    diff_command,
    diff_surfaces,
    find_catalog,
    load_surface,
    render_table,
    surface_from_catalog,
    to_json,
)
from rest2mcp.emit import models, render
from rest2mcp.pipeline import Options, prepare

SAMPLE = CORPUS / "sample"
PETSTORE = SAMPLE / "47-swagger_petstore_openapi.yaml"  # OpenAPI 3.0.4, 19 operations
LINKS = SAMPLE / "42-oai_examples_examples_v3.0_link_example.yaml"
MUSEUM = SAMPLE / "46-museum_openapi.yaml"


def versions(tmp_path: Path, original: Path, edit) -> tuple[str, str]:
    """The document as it was and as `edit` leaves it, both written the same way."""
    document = yaml.safe_load(original.read_text(encoding="utf-8"))
    old = tmp_path / f"old-{original.name}"
    old.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    edit(document)
    new = tmp_path / f"new-{original.name}"
    new.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return str(old), str(new)


def report(old: str, new: str) -> dict:
    text, _ = diff_command(old, new, as_json=True)
    return json.loads(text)


def changes(data: dict) -> dict[str, list[tuple[str, str, str]]]:
    """tool name -> [(kind, code, path)], the shape every assertion below compares."""
    return {t["name"]: [(c["kind"], c["code"], c["path"]) for c in t["changes"]] for t in data["tools"]}


def parameter(document: dict, path: str, method: str, name: str) -> dict:
    return next(p for p in document["paths"][path][method]["parameters"] if p["name"] == name)


def exit_code(old: str, new: str, fail_on: str | None = "breaking") -> int:
    return diff_command(old, new, fail_on=fail_on)[1]


@pytest.mark.corpus
def test_parameter_becomes_required(tmp_path):
    # An enum parameter: a required plain string would also gain minLength 1 (tested below).
    def edit(document):
        parameter(document, "/pet/findByStatus", "get", "status")["required"] = True

    old, new = versions(tmp_path, PETSTORE, edit)
    data = report(old, new)
    assert changes(data) == {"findPetsByStatus": [("breaking", "argument-now-required", "status")]}
    assert data["summary"] == {"breaking": 1, "compatible": 0, "added": 0, "removed": 0, "renamed": 0}
    table, code = diff_command(old, new, fail_on="breaking")
    assert code == 1
    assert "### findPetsByStatus" in table
    assert "| breaking | argument-now-required | `status`: now required |" in table
    assert table.endswith("1 breaking, 0 compatible change; 0 tools added, 0 removed, 0 renamed")
    # The other way round the argument is optional again, which no caller notices.
    assert changes(report(new, old)) == {"findPetsByStatus": [("compatible", "argument-now-optional", "status")]}
    assert exit_code(new, old) == 0
    assert exit_code(new, old, fail_on="any") == 1


@pytest.mark.corpus
def test_enum_loses_a_value_and_gains_one(tmp_path):
    def edit(document):
        schema = parameter(document, "/pet/findByStatus", "get", "status")["schema"]
        schema["enum"] = ["available", "pending", "adopted"]

    old, new = versions(tmp_path, PETSTORE, edit)
    data = report(old, new)
    assert changes(data) == {"findPetsByStatus": [
        ("breaking", "enum-value-removed", "status"),
        ("compatible", "enum-value-added", "status"),
    ]}
    messages = [c["message"] for c in data["tools"][0]["changes"]]
    assert messages == ['`status`: enum lost "sold"', '`status`: enum gained "adopted"']
    assert exit_code(old, new) == 1


@pytest.mark.corpus
def test_operation_removed(tmp_path):
    def edit(document):
        del document["paths"]["/store/order/{orderId}"]["delete"]

    old, new = versions(tmp_path, PETSTORE, edit)
    data = report(old, new)
    assert changes(data) == {"deleteOrder": [("breaking", "tool-removed", "")]}
    assert data["tools"][0] == {"name": "deleteOrder", "status": "removed", "old_name": "deleteOrder", "changes": [
        {"kind": "breaking", "code": "tool-removed", "path": "", "message": "tool removed (DELETE /store/order/{orderId})"}
    ]}
    table, code = diff_command(old, new, fail_on="breaking")
    assert code == 1
    assert "### deleteOrder (removed)" in table
    assert table.endswith("1 breaking, 0 compatible change; 0 tools added, 1 removed, 0 renamed")
    # Adding it back is an added tool: compatible.
    assert changes(report(new, old)) == {"deleteOrder": [("compatible", "tool-added", "")]}
    assert exit_code(new, old) == 0


@pytest.mark.corpus
def test_operation_id_renamed(tmp_path):
    def edit(document):
        document["paths"]["/pet/{petId}"]["get"]["operationId"] = "fetchPet"

    old, new = versions(tmp_path, PETSTORE, edit)
    data = report(old, new)
    assert changes(data) == {"fetchPet": [("breaking", "tool-renamed", "")]}
    assert data["tools"][0]["status"] == "renamed"
    assert data["tools"][0]["old_name"] == "getPetById"
    assert data["summary"]["renamed"] == 1 and data["summary"]["added"] == data["summary"]["removed"] == 0
    table, code = diff_command(old, new, fail_on="breaking")
    assert code == 1
    assert "### fetchPet (renamed from getPetById)" in table
    assert "0 tools added, 0 removed, 1 renamed" in table


@pytest.mark.corpus
def test_renamed_path_variable_keeps_the_route(tmp_path):
    """`/pet/{petId}` -> `/pet/{id}` with a new operationId is still the same operation."""
    def edit(document):
        item = document["paths"].pop("/pet/{petId}")
        item["get"]["operationId"] = "fetchPet"
        for operation in item.values():
            for p in operation.get("parameters", []):
                if p["name"] == "petId":
                    p["name"] = "id"
        document["paths"]["/pet/{id}"] = item

    old, new = versions(tmp_path, PETSTORE, edit)
    found = changes(report(old, new))
    assert found["fetchPet"][0] == ("breaking", "tool-renamed", "")
    assert ("breaking", "argument-removed", "petId") in found["fetchPet"]
    assert ("breaking", "argument-added-required", "id") in found["fetchPet"]
    assert set(found) == {"fetchPet", "updatePetWithForm", "deletePet"}


@pytest.mark.corpus
def test_new_optional_query_parameter(tmp_path):
    def edit(document):
        document["paths"]["/pet/findByTags"]["get"]["parameters"].append(
            {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}})

    old, new = versions(tmp_path, PETSTORE, edit)
    data = report(old, new)
    assert changes(data) == {"findPetsByTags": [("compatible", "argument-added", "limit")]}
    assert exit_code(old, new) == 0
    assert exit_code(old, new, fail_on="any") == 1
    assert exit_code(old, new, fail_on=None) == 0
    table, _ = diff_command(old, new)
    assert "| compatible | argument-added | `limit`: new optional argument |" in table
    assert table.endswith("0 breaking, 1 compatible change; 0 tools added, 0 removed, 0 renamed")


@pytest.mark.corpus
def test_type_widened_integer_to_number(tmp_path):
    def edit(document):
        parameter(document, "/store/order/{orderId}", "get", "orderId")["schema"]["type"] = "number"

    old, new = versions(tmp_path, PETSTORE, edit)
    data = report(old, new)
    assert changes(data) == {"getOrderById": [("compatible", "type-widened", "orderId")]}
    assert data["tools"][0]["changes"][0]["message"] == "`orderId`: type integer -> number"
    assert exit_code(old, new) == 0
    # And back: a number argument that now must be an integer refuses 1.5.
    assert changes(report(new, old)) == {"getOrderById": [("breaking", "type-narrowed", "orderId")]}


@pytest.mark.corpus
def test_parameter_moves_from_query_to_header(tmp_path):
    def edit(document):
        parameter(document, "/pet/{petId}", "post", "name")["in"] = "header"

    old, new = versions(tmp_path, PETSTORE, edit)
    data = report(old, new)
    # Header values are limited to printable ASCII, so the move also restricts the value.
    assert changes(data) == {"updatePetWithForm": [
        ("breaking", "argument-location-changed", "name"),
        ("breaking", "constraint-tightened", "name"),
    ]}
    assert data["tools"][0]["changes"][0]["message"] == "`name`: sent as query `name` -> header `name`"
    assert exit_code(old, new) == 1


@pytest.mark.corpus
def test_output_property_removed(tmp_path):
    def edit(document):
        del document["components"]["schemas"]["ApiResponse"]["properties"]["message"]

    old, new = versions(tmp_path, PETSTORE, edit)
    data = report(old, new)
    assert changes(data) == {"uploadFile": [("breaking", "output-property-removed", "output.message")]}
    table, code = diff_command(old, new, fail_on="breaking")
    assert code == 1
    assert "| breaking | output-property-removed | `output.message`: no longer in the result |" in table
    assert changes(report(new, old)) == {"uploadFile": [("compatible", "output-property-added", "output.message")]}


@pytest.mark.corpus
def test_nested_output_property_removed_everywhere_it_appears(tmp_path):
    def edit(document):
        del document["components"]["schemas"]["user"]["properties"]["uuid"]

    old, new = versions(tmp_path, LINKS, edit)
    assert changes(report(old, new)) == {
        "getPullRequestsById": [("breaking", "output-property-removed", "output.repository.owner.uuid"),
                                ("breaking", "output-property-removed", "output.author.uuid")],
        "getPullRequestsByRepository": [
            ("breaking", "output-property-removed", "output.result[].repository.owner.uuid"),
            ("breaking", "output-property-removed", "output.result[].author.uuid")],
        "getRepositoriesByOwner": [("breaking", "output-property-removed", "output.result[].owner.uuid")],
        "getRepository": [("breaking", "output-property-removed", "output.owner.uuid")],
        "getUserByName": [("breaking", "output-property-removed", "output.uuid")],
    }


@pytest.mark.corpus
def test_nested_body_field_constraint(tmp_path):
    def edit(document):
        document["components"]["schemas"]["Category"]["properties"]["name"]["maxLength"] = 20
        document["components"]["schemas"]["Tag"]["required"] = ["name"]

    old, new = versions(tmp_path, PETSTORE, edit)
    nested = [("breaking", "constraint-tightened", "category.name"),
              ("breaking", "argument-now-required", "tags[].name")]
    # Output schemas state no constraints, so only the inputs change.
    assert changes(report(old, new)) == {"addPet": nested, "updatePet": nested}


@pytest.mark.corpus
def test_method_change_keeps_the_name_and_changes_hints(tmp_path):
    def edit(document):
        document["paths"]["/pet"]["patch"] = document["paths"]["/pet"].pop("put")
        document["paths"]["/pet"]["patch"]["summary"] = "Update parts of a pet."

    old, new = versions(tmp_path, PETSTORE, edit)
    data = report(old, new)
    assert changes(data) == {"updatePet": [
        ("compatible", "endpoint-changed", ""),
        ("compatible", "title-changed", ""),
        ("compatible", "description-changed", ""),
        ("compatible", "annotation-changed", ""),
    ]}
    messages = [c["message"] for c in data["tools"][0]["changes"]]
    assert messages[0] == "calls PATCH /pet instead of PUT /pet"
    assert messages[1] == 'title "Update an existing pet." -> "Update parts of a pet."'
    assert messages[3] == "idempotentHint true -> false"


@pytest.mark.corpus
def test_output_schema_removed_and_nullable_widening(tmp_path):
    def edit(document):
        del document["paths"]["/store/order/{orderId}"]["get"]["responses"]["200"]["content"]
        parameter(document, "/pet/findByTags", "get", "tags")["schema"]["nullable"] = True

    old, new = versions(tmp_path, PETSTORE, edit)
    assert changes(report(old, new)) == {
        "findPetsByTags": [("compatible", "type-widened", "tags")],
        "getOrderById": [("breaking", "output-schema-removed", "output")],
    }
    assert changes(report(new, old)) == {
        "findPetsByTags": [("breaking", "type-narrowed", "tags")],
        "getOrderById": [("compatible", "output-schema-added", "output")],
    }


@pytest.mark.corpus
def test_museum_request_body_changes(tmp_path):
    def edit(document):
        schemas = document["components"]["schemas"]
        schemas["SpecialEvent"]["required"].remove("price")
        schemas["EventPrice"]["minimum"] = 0
        schemas["EventLocation"]["description"] = "Where in the museum."

    old, new = versions(tmp_path, MUSEUM, edit)
    found = changes(report(old, new))
    location = ("compatible", "output-description-changed", "output.location")
    assert found["createSpecialEvent"] == [("compatible", "description-changed", "location"),
                                           ("compatible", "argument-now-optional", "price"),
                                           ("breaking", "constraint-tightened", "price"),
                                           location]
    assert found["updateSpecialEvent"] == [("compatible", "description-changed", "location"),
                                           ("breaking", "constraint-tightened", "price"),
                                           location]
    assert found["getSpecialEvent"] == [location]
    assert found["listSpecialEvents"] == [("compatible", "output-description-changed", "output.result[].location")]


SMALL_SPECS = sorted(SAMPLE.glob("4[0-7]-*.yaml"))


@pytest.mark.corpus
@pytest.mark.parametrize("spec", SMALL_SPECS, ids=[p.name[:2] for p in SMALL_SPECS])
def test_a_document_against_itself_has_no_changes(spec):
    text, code = diff_command(str(spec), str(spec), fail_on="any")
    assert code == 0
    assert "No changes in the tool surface." in text
    assert json.loads(diff_command(str(spec), str(spec), as_json=True)[0])["tools"] == []


def test_generated_folder_diffs_cleanly_against_its_spec(tmp_path):
    folder = GENERATED / "petstore"
    surface = load_surface(str(folder))
    assert set(surface.tools) == {"listPets", "createPet", "showPetById", "deletePet"}
    text, code = diff_command(str(SPECS / "petstore.yaml"), str(folder), fail_on="any")
    assert code == 0, text
    assert text.endswith("0 breaking, 0 compatible changes; 0 tools added, 0 removed, 0 renamed")
    # A manifest or other files beside the package do not matter; the module folder alone works too.
    copy = tmp_path / "petstore"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / ".rest2mcp").mkdir(exist_ok=True)
    if not (copy / ".rest2mcp" / "manifest.json").exists():
        (copy / ".rest2mcp" / "manifest.json").write_text("{}")
    assert diff_command(str(copy), str(SPECS / "petstore.yaml"), fail_on="any")[1] == 0
    assert diff_command(str(copy / "petstore_mcp"), str(folder), fail_on="any")[1] == 0


def test_folder_without_a_package_and_a_broken_spec_are_refused(tmp_path):
    with pytest.raises(GenerationFailed) as refused:
        load_surface(str(tmp_path))
    assert refused.value.diagnostics[0].code == "E101"
    with pytest.raises(GenerationFailed):
        diff_command(str(SPECS / "broken" / "bad-yaml.yaml"), str(SPECS / "petstore.yaml"))
    with pytest.raises(ValueError):
        diff_command(str(SPECS / "petstore.yaml"), str(SPECS / "petstore.yaml"), fail_on="warnings")


def petstore_copy(tmp_path: Path, catalog: dict | str | None = None, place: str = "tools.json") -> Path:
    """The committed petstore package, its catalog replaced by `catalog` (the committed one when
    None) and written to `place` in the module folder."""
    copy = tmp_path / "petstore"
    shutil.copytree(GENERATED / "petstore", copy, ignore=shutil.ignore_patterns("__pycache__"))
    module = copy / "petstore_mcp"
    committed = json.loads((module / "generated" / "tools.json").read_text(encoding="utf-8"))
    (module / "generated" / "tools.json").unlink()
    data = committed if catalog is None else catalog
    (module / place).parent.mkdir(exist_ok=True)
    (module / place).write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return copy


def test_catalogs_of_every_known_format_version_and_layout(tmp_path):
    committed = json.loads((GENERATED / "petstore" / "petstore_mcp" / "generated" / "tools.json").read_text())
    spec = str(SPECS / "petstore.yaml")
    # Format version 1 had no formatVersion key.
    first = {k: v for k, v in committed.items() if k != "formatVersion"}
    old = petstore_copy(tmp_path / "v1", first)
    assert set(load_surface(str(old)).tools) == {"listPets", "createPet", "showPetById", "deletePet"}
    text, code = diff_command(str(old), spec, fail_on="any")
    assert code == 0 and "No changes in the tool surface." in text, text
    # Packages of format version 2 keep it in MODULE/generated/; the package and its module folder both work.
    new = petstore_copy(tmp_path / "next", place="generated/tools.json")
    assert diff_command(spec, str(new), fail_on="any")[1] == 0
    assert diff_command(str(old), str(new / "petstore_mcp"), fail_on="any")[1] == 0
    assert find_catalog(new) == new / "petstore_mcp" / "generated" / "tools.json"
    # A change shows through either layout.
    first["tools"] = [t for t in first["tools"] if t["name"] != "deletePet"]
    fewer = petstore_copy(tmp_path / "fewer", first, place="generated/tools.json")
    assert changes(report(str(fewer), str(old))) == {"deletePet": [("compatible", "tool-added", "")]}


@pytest.mark.parametrize("catalog,message", [
    ({"formatVersion": 99, "tools": [], "plans": {}}, "format version 99, newer than this reader's"),
    ({"formatVersion": "2", "tools": [], "plans": {}}, "invalid formatVersion: '2'"),
    ([], "not a JSON object"),
    ("{not json", "not valid JSON"),
    ({"tools": {}, "plans": {}}, "not a tool catalog"),
    ({"tools": [7, {"name": "x"}], "plans": {"x": {}}}, "no request plan for [7]"),
    ({"tools": [{"name": "x"}], "plans": {"x": "GET /x"}}, "the plan of 'x' is no object"),
], ids=["newer", "bad-version", "array", "not-json", "tools-not-a-list", "tool-not-an-object", "plan-not-an-object"])
def test_a_newer_or_broken_catalog_is_refused_with_the_reason(tmp_path, catalog, message):
    folder = petstore_copy(tmp_path, catalog)
    with pytest.raises(GenerationFailed) as refused:
        diff_command(str(folder), str(SPECS / "petstore.yaml"))
    [diagnostic] = refused.value.diagnostics
    assert diagnostic.code == "E101" and message in diagnostic.message
    assert diagnostic.source == str(folder / "petstore_mcp" / "tools.json")


def test_the_cli_refuses_a_newer_catalog_without_a_traceback(tmp_path):
    folder = petstore_copy(tmp_path, {"formatVersion": 99, "tools": [], "plans": {}})
    result = subprocess.run([sys.executable, "-m", "rest2mcp", "diff", str(folder), str(SPECS / "petstore.yaml")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stdout
    assert "error[E101]" in result.stderr and "format version 99" in result.stderr and "upgrade rest2mcp" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_a_spec_is_diffed_without_rendering_templates_or_typed_models(tmp_path, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("the diff of a spec needs no package files")

    monkeypatch.setattr(render, "render", forbidden)
    monkeypatch.setattr(models, "typed_models", forbidden)

    def edit(document):
        del document["paths"]["/pet/findByStatus"]

    old, new = versions(tmp_path, PETSTORE, edit)
    assert changes(report(old, new)) == {"findPetsByStatus": [("breaking", "tool-removed", "")]}
    assert exit_code(str(SPECS / "petstore.yaml"), str(GENERATED / "petstore"), fail_on="any") == 0
    with pytest.raises(AssertionError):  # the guard holds for generation
        prepare(str(SPECS / "petstore.yaml"), Options())


def tool_catalog(input_schema: dict, output_schema: dict | None = None) -> dict:
    tool = {"name": "t", "description": "d", "inputSchema": {"type": "object", **input_schema}, "annotations": {}}
    if output_schema is not None:
        tool["outputSchema"] = {"type": "object", **output_schema}
    return {"tools": [tool], "plans": {"t": {"method": "GET", "path": "/t", "arguments": {}}}}


def schema_changes(old: dict, new: dict, old_out: dict | None = None, new_out: dict | None = None) -> list:
    diff = diff_surfaces(surface_from_catalog(tool_catalog(old, old_out), "old"),
                         surface_from_catalog(tool_catalog(new, new_out), "new"))
    return changes(to_json(diff)).get("t", [])


def test_any_of_losing_a_member_and_output_polarity():
    both = {"properties": {"v": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}}
    one = {"properties": {"v": {"type": "string"}}}
    assert schema_changes(both, one) == [("breaking", "type-narrowed", "v")]
    assert schema_changes(one, both) == [("compatible", "type-widened", "v")]
    # In a result it is the other way round: a reader of strings may now receive integers.
    assert schema_changes({}, {}, one, both) == [("breaking", "output-type-widened", "output.v")]
    assert schema_changes({}, {}, both, one) == [("compatible", "output-type-narrowed", "output.v")]
    assert schema_changes(one, {"properties": {"v": {"type": "boolean"}}}) == [("breaking", "type-changed", "v")]


def test_defs_references_are_followed_and_cycles_end():
    def tree(name_schema: dict) -> dict:
        node = {"type": "object", "properties": {"name": name_schema,
                                                 "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}
        return {"properties": {"root": {"$ref": "#/$defs/Node"}}, "$defs": {"Node": node}}

    assert schema_changes(tree({"type": "string"}), tree({"type": "string"})) == []
    # The definition is compared once, where it first appears: its repetitions are the same change.
    assert schema_changes(tree({"type": "string"}), tree({"type": "string", "pattern": "^[a-z]+$"})) == [
        ("breaking", "constraint-tightened", "root.name"),
    ]


@pytest.mark.corpus
def test_json_and_table_are_stable(tmp_path):
    def edit(document):
        parameter(document, "/pet/findByStatus", "get", "status")["required"] = True
        del document["paths"]["/user/logout"]
        document["paths"]["/store/inventory"]["get"]["operationId"] = "inventory"

    old, new = versions(tmp_path, PETSTORE, edit)
    first, again = diff_command(old, new, as_json=True)[0], diff_command(old, new, as_json=True)[0]
    assert first == again
    data = json.loads(first)
    assert list(data) == ["old", "new", "summary", "tools"]
    assert list(data["summary"]) == ["breaking", "compatible", "added", "removed", "renamed"]
    assert [t["name"] for t in data["tools"]] == ["findPetsByStatus", "inventory", "logoutUser"]
    assert [list(c) for t in data["tools"] for c in t["changes"]] == [["kind", "code", "path", "message"]] * 3
    table = render_table(diff_surfaces(load_surface(old), load_surface(new)))
    assert table.endswith("3 breaking, 0 compatible changes; 0 tools added, 1 removed, 1 renamed")


def test_bounds_patterns_and_steps():
    def number(**keywords) -> dict:
        return {"properties": {"n": {"type": "number", **keywords}}}

    assert schema_changes(number(minimum=0), number(minimum=1)) == [("breaking", "constraint-tightened", "n")]
    assert schema_changes(number(maximum=10), number(maximum=20)) == [("compatible", "constraint-loosened", "n")]
    assert schema_changes(number(multipleOf=2), number(multipleOf=4)) == [("breaking", "constraint-tightened", "n")]
    assert schema_changes(number(multipleOf=2), number(multipleOf=3)) == [("breaking", "constraint-changed", "n")]
    assert schema_changes(number(), number(exclusiveMinimum=0)) == [("breaking", "constraint-tightened", "n")]
    word = {"properties": {"w": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5}}}
    other = {"properties": {"w": {"type": "string", "pattern": "^[a-z0-9]+$"}}}
    assert schema_changes(word, other) == [("compatible", "constraint-loosened", "w"),
                                           ("breaking", "constraint-changed", "w")]
    # After a change of type the old bounds say nothing about the new values: one change, not three.
    assert schema_changes(word, number(minimum=1)) == [("breaking", "argument-removed", "w"),
                                                       ("compatible", "argument-added", "n")]
    assert schema_changes(word, {"properties": {"w": {"type": "integer", "minimum": 1}}}) == [
        ("breaking", "type-changed", "w")]


def test_optional_body_fields_and_a_body_turning_required(tmp_path):
    """OpenAPI 3.1: an optional body whose fields depend on each other (`dependentRequired`)."""
    def body_schema(document: dict) -> dict:
        return document["paths"]["/books/{isbn}/loans"]["post"]["requestBody"]["content"]["application/json"]["schema"]

    def edit(document):
        schema = body_schema(document)
        schema["required"].append("days")
        schema["properties"]["days"]["exclusiveMaximum"] = 90  # inside `type: [integer, "null"]`
        schema["properties"]["kind"] = {"enum": ["loan", "renewal"]}  # was `const: loan`

    old, new = versions(tmp_path, SPECS / "library-3.1.yaml", edit)
    data = report(old, new)
    assert changes(data) == {"lendBook": [
        ("breaking", "constraint-tightened", "kind"),
        ("breaking", "constraint-tightened", "reader"),
        ("compatible", "enum-value-added", "kind"),
        ("compatible", "constraint-loosened", "days"),
    ]}
    assert data["tools"][0]["changes"][0]["message"] == "`kind`: once given, now also requires days"

    # Once the body is required its fields simply are: the dependencies it drops are no loosening.
    document = yaml.safe_load(Path(new).read_text(encoding="utf-8"))
    document["paths"]["/books/{isbn}/loans"]["post"]["requestBody"]["required"] = True
    (tmp_path / "newer.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    newer = str(tmp_path / "newer.yaml")
    assert changes(report(new, newer)) == {"lendBook": [("breaking", "argument-now-required", "reader"),
                                                        ("breaking", "argument-now-required", "days")]}
    assert changes(report(newer, new)) == {"lendBook": [("compatible", "argument-now-optional", "reader"),
                                                        ("compatible", "argument-now-optional", "days")]}
