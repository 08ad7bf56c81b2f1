"""Output schemas accept what real APIs return (nulls, extra and missing properties, new enum values,
dates in their own format), keep what a model reads (names, types, descriptions), fit a byte budget,
and are valid JSON Schema 2020-12; input schemas stay as strict as the document."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest
from helpers import CORPUS, GENERATED, ROOT, call_in_memory, in_memory_server
from jsonschema import Draft202012Validator, ValidationError
from rest2mcp.pipeline import Options, generate, prepare
from rest2mcp.schemas.output import LEVELS, output_schema, shallow, size
from rest2mcp.text import brief, plain
from upstream import Reply, Upstream

ORDER = {
    "type": "object",
    "required": ["id", "status", "total", "customer"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer", "minimum": 1, "description": "The order's number."},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "total": {"type": "number", "minimum": 0},
        "created": {"type": "string", "format": "date-time"},
        "customer": {"$ref": "#/components/schemas/Customer"},
        "lines": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["sku"], "additionalProperties": False,
            "properties": {"sku": {"type": "string", "pattern": "^[A-Z]{3}$"}, "qty": {"type": "integer", "minimum": 1}},
        }},
        "payment": {"oneOf": [
            {"type": "object", "properties": {"card": {"type": "string"}}},
            {"type": "object", "properties": {"iban": {"type": "string"}}},
        ]},
    },
}
DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Orders", "version": "1"},
    "servers": [{"url": "https://orders.example.com"}],
    "paths": {"/orders": {
        "post": {
            "operationId": "createOrder",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["status"], "additionalProperties": False,
                "properties": {"status": {"type": "string", "enum": ["open", "closed"]},
                               "note": {"type": "string", "maxLength": 10}}}}}},
            "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Order"}}}}},
        },
        "get": {
            "operationId": "listOrders",
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "array", "items": {"$ref": "#/components/schemas/Order"}}}}}},
        },
    }},
    "components": {"schemas": {
        "Order": ORDER,
        "Customer": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
    }},
}
# What the API really returns: a null the document does not allow (customer), a property it does not
# declare (coupon, and qty's neighbour gift), a required one missing (total), an enum value it does not
# list, a date in another format, a pattern broken, a bound broken, both branches of a oneOf.
CREATED = {
    "id": 7, "status": "archived", "created": "yesterday", "customer": None, "coupon": {"code": "X"},
    "lines": [{"sku": "not-a-sku", "qty": 0, "gift": True}, {"sku": None}, None],
    "payment": {"card": "4242", "iban": "DE00"},
}


@pytest.fixture(scope="module")
def orders(tmp_path_factory):
    folder = tmp_path_factory.mktemp("orders")
    spec = folder / "orders.json"
    spec.write_text(json.dumps(DOCUMENT))
    generate(str(spec), folder / "out", Options(models=False))
    return folder / "out"


def _call(orders: Path, upstream: Upstream, name: str, arguments: dict, mode: str = "auto"):
    server = in_memory_server(orders, "orders_mcp", "--base-url", upstream.url, "--approval", "none",
                              "--no-mark-api-data")
    return call_in_memory(server, lambda client: client.call_tool(name, arguments), mode=mode)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_a_201_whose_body_breaks_the_declared_schema_is_a_success(orders, upstream: Upstream, mode):
    upstream.reply("POST", "/orders", Reply.json(CREATED, status=201))
    # mcp.Client checks structuredContent against the tool's outputSchema and raises when it does not conform
    result = _call(orders, upstream, "createOrder", {"status": "open", "note": "gift"}, mode)
    assert not result.is_error, result.content
    assert result.structured_content == CREATED
    assert json.loads(result.content[0].text) == CREATED
    sent = upstream.last()
    assert (sent.method, sent.target, sent.json()) == ("POST", "/orders", {"status": "open", "note": "gift"})
    assert sent.headers["content-type"] == "application/json"


def test_a_list_with_nulls_is_a_success(orders, upstream: Upstream):
    listed = [CREATED, None, {"id": None}]
    upstream.reply("GET", "/orders", Reply.json(listed))
    result = _call(orders, upstream, "listOrders", {})
    assert not result.is_error, result.content
    assert result.structured_content == {"result": listed}
    assert upstream.last().target == "/orders"


def test_the_input_stays_as_strict_as_the_document(orders, upstream: Upstream):
    result = _call(orders, upstream, "createOrder", {"status": "archived"})
    assert result.is_error and "archived" in result.content[0].text
    assert upstream.requests == []  # refused before anything was sent
    tool = _tools(orders)["createOrder"]
    assert tool["inputSchema"] == {
        "type": "object",
        "properties": {"status": {"type": "string", "enum": ["open", "closed"]},
                       "note": {"type": "string", "maxLength": 10}},
        "required": ["status"],
        "additionalProperties": False,
    }


def test_the_output_schema_keeps_names_types_and_descriptions(orders):
    schema = _tools(orders)["createOrder"]["outputSchema"]
    assert schema == {
        "type": "object",
        "properties": {
            "id": {"type": ["integer", "null"], "description": "The order's number."},
            "status": {"type": ["string", "null"]},
            "total": {"type": ["number", "null"]},
            "created": {"type": ["string", "null"]},
            "customer": {"type": ["object", "null"], "properties": {"name": {"type": ["string", "null"]}}},
            "lines": {"type": ["array", "null"], "items": {
                "type": ["object", "null"],
                "properties": {"sku": {"type": ["string", "null"]}, "qty": {"type": ["integer", "null"]}}}},
            "payment": {"anyOf": [
                {"type": ["object", "null"], "properties": {"card": {"type": ["string", "null"]}}},
                {"type": ["object", "null"], "properties": {"iban": {"type": ["string", "null"]}}},
            ]},
        },
    }


def _tools(out: Path) -> dict[str, dict]:
    tools = json.loads((out / "orders_mcp" / "generated" / "tools.json").read_text())["tools"]
    return {tool["name"]: tool for tool in tools}


# -- the committed examples -------------------------------------------------------------------------

def _committed_tools() -> list[dict]:
    tools = []
    for path in sorted(GENERATED.glob("*/*/generated/tools.json")):
        tools += json.loads(path.read_text())["tools"]
    return tools


def _subschemas(schema, root=True):
    """Every schema inside `schema` (itself first), each with whether it is the root."""
    if isinstance(schema, dict):
        yield schema, root
        for key, value in schema.items():
            if key in ("properties", "patternProperties", "$defs"):
                for sub in value.values():
                    yield from _subschemas(sub, False)
            elif key in ("items", "additionalProperties"):
                yield from _subschemas(value, False)
            elif key in ("anyOf", "allOf", "prefixItems"):
                for sub in value:
                    yield from _subschemas(sub, False)


def test_committed_output_schemas_are_valid_2020_12_and_lenient():
    tools = _committed_tools()
    outputs = [tool["outputSchema"] for tool in tools if "outputSchema" in tool]
    assert len(outputs) > 20
    for tool in tools:
        Draft202012Validator.check_schema(tool["inputSchema"])
    for schema in outputs:
        Draft202012Validator.check_schema(schema)  # the metaschema of JSON Schema 2020-12
        assert schema["type"] == "object"
        for node, root in _subschemas(schema):
            assert set(node) <= {"type", "description", "properties", "patternProperties", "additionalProperties",
                                 "items", "prefixItems", "anyOf", "allOf", "$ref", "$defs",
                                 "contentEncoding", "contentMediaType"}, node
            assert node.get("additionalProperties") is not False
            if "type" in node and not root:
                assert node["type"] == "null" or "null" in node["type"], node


def test_committed_input_schemas_keep_their_constraints():
    text = json.dumps([tool["inputSchema"] for tool in _committed_tools()])
    for asserted in ('"required"', '"enum"', '"additionalProperties": false', '"minimum"', '"pattern"'):
        assert asserted in text


# -- the byte budget -------------------------------------------------------------------------------

def _wide(levels: int, width: int, path: str = "") -> dict:
    """Objects `levels` deep, `width` properties each, no two parts alike."""
    if levels == 0:
        return {"type": "string", "description": f"leaf {path}"}
    return {"type": "object", "description": f"level {levels - 1}",
            "properties": {f"p{levels - 1}_{i}": _wide(levels - 1, width, f"{path}/{i}") for i in range(width)}}


def test_a_large_output_schema_is_made_shallower_to_fit():
    schema = _wide(4, 4)
    lenient_size = size(output_schema(schema, 10**9))
    fitted = output_schema(schema, lenient_size // 3)
    assert fitted is not None and size(fitted) <= lenient_size // 3
    assert list(fitted["properties"]) == ["p3_0", "p3_1", "p3_2", "p3_3"]
    first = fitted["properties"]["p3_0"]
    assert first["description"] == "level 2" and first["type"] == ["object", "null"]
    full = output_schema(schema, 10**9)
    deepest = next(level for level in LEVELS if size(shallow(full, level)) <= lenient_size // 3)
    assert fitted == shallow(full, deepest) and deepest < 4
    Draft202012Validator.check_schema(fitted)


def test_at_the_top_level_names_and_types_are_kept_and_then_the_schema_is_left_out():
    schema = {"type": "object", "properties": {f"field_{i}": {"type": "string", "description": "x" * 80}
                                               for i in range(20)}}
    names_only = output_schema(schema, 1000)
    assert names_only == {"type": "object", "properties": {f"field_{i}": {"type": ["string", "null"]}
                                                           for i in range(20)}}
    assert output_schema(schema, 100) is None


def test_recursive_schemas_stay_finite_when_cut():
    tree = {"type": "object", "properties": {"name": {"type": "string"},
                                             "kids": {"type": "array", "items": {"$ref": "#/$defs/Tree"}}}}
    schema = {**tree, "$defs": {"Tree": tree}}
    for level in (1, 2, 3):
        cut = shallow(output_schema(schema, 10**9), level)
        Draft202012Validator.check_schema(cut)
        Draft202012Validator(cut).validate({"name": None, "kids": [{"kids": [None, {"x": 1}]}]})
    assert "$defs" not in shallow(output_schema(schema, 10**9), 1)


def test_repeated_parts_of_a_large_schema_are_written_once():
    user = {"type": "object", "description": "A user", "properties": {
        f"field_{i}": {"type": "string", "description": f"the user's field {i}"} for i in range(8)}}
    schema = {"type": "object", "properties": {
        "author": user, "merged_by": user, "reviewers": {"type": "array", "items": user},
        "head": {"type": "object", "properties": {"owner": user, "sha": {"type": "string"}}}}}
    full = output_schema(schema, 10**9)
    fitted = output_schema(schema, size(full) // 2)
    assert fitted is not None and size(fitted) <= size(full) // 2
    assert list(fitted["$defs"]) == ["author"]
    reference = {"$ref": "#/$defs/author"}
    assert fitted["properties"]["merged_by"] == fitted["properties"]["author"] == reference
    assert fitted["properties"]["reviewers"]["items"] == reference
    assert fitted["properties"]["head"]["properties"]["owner"] == reference
    assert fitted["$defs"]["author"] == full["properties"]["author"]  # nothing else lost
    Draft202012Validator.check_schema(fitted)
    Draft202012Validator(fitted).validate({"author": None, "reviewers": [{"field_1": None, "x": 1}]})
    with pytest.raises(ValidationError):
        Draft202012Validator(fitted).validate({"reviewers": [{"field_1": 5}]})
    assert output_schema(schema, 10**9) == full  # under the budget: as readable as it was


def test_shaping_does_not_change_the_schema_it_is_given():
    schema = {**ORDER, "properties": {**ORDER["properties"], "customer": {"type": "object", "nullable": True}}}
    before = copy.deepcopy(schema)
    output_schema(schema, 10**9)
    output_schema(schema, 200)
    assert schema == before


def test_the_budget_option_is_honoured(tmp_path):
    spec = tmp_path / "orders.json"
    spec.write_text(json.dumps(DOCUMENT))
    full = prepare(str(spec), Options(models=False)).api.tools
    small = prepare(str(spec), Options(models=False, output_schema_limit=300)).api.tools
    assert all(tool.output_schema is not None for tool in full)
    for tool in small:
        assert tool.output_schema is None or size(tool.output_schema) <= 300
    assert any(tool.output_left_out for tool in small)


# -- descriptions ---------------------------------------------------------------------------------

def test_descriptions_lose_links_images_and_html_but_keep_their_words():
    text = ('Lists the <b>repos</b> of <owner>. See "[Using pagination](https://docs.example.com/a_(b)#c)".'
            '![diagram](https://x/y.png)<!-- hidden -->\n\nSecond    paragraph.<br/>Last.')
    assert plain(text) == 'Lists the repos of <owner>. See "Using pagination".\n\nSecond paragraph. Last.'
    assert brief(text, 500) == 'Lists the repos of <owner>. See "Using pagination".'
    assert brief("word " * 100, 40).endswith("…") and len(brief("word " * 100, 40)) <= 42


def test_tool_and_input_descriptions_are_plain_and_constraints_unchanged(tmp_path):
    document = copy.deepcopy(DOCUMENT)
    post = document["paths"]["/orders"]["post"]
    post["description"] = "Creates an order. See [the guide](https://example.com/guide)."
    post["parameters"] = [{"name": "dry_run", "in": "query", "schema": {"type": "boolean"},
                           "description": "Check only; see [docs](https://example.com/dry)."}]
    spec = tmp_path / "orders.json"
    spec.write_text(json.dumps(document))
    tool = next(t for t in prepare(str(spec), Options(models=False)).api.tools if t.name == "createOrder")
    assert tool.description == "Creates an order. See the guide."
    assert tool.input_schema["properties"]["dry_run"] == {"description": "Check only; see docs.", "type": "boolean"}
    assert tool.input_schema["required"] == ["status"] and tool.input_schema["additionalProperties"] is False


# -- the payload bench, on a small document and on one of the corpus --------------------------------

def test_the_payload_bench_measures_what_the_client_receives():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import payload
    finally:
        sys.path.pop(0)
    row = payload.measure(str(ROOT / "specs" / "petstore.yaml"))
    assert row["tools"] == 4 and row["output_schemas"] == 3
    assert row["input"] + row["output"] + row["descriptions"] < row["total"]
    assert row["tokens"] == row["total"] // 4
    assert "petstore.yaml" in payload.table({"specs/petstore.yaml": row}, None, "")


@pytest.mark.corpus
def test_every_output_schema_of_a_large_api_fits_its_budget():
    tools = prepare(str(CORPUS / "swagger2" / "github-v3-2016.json"), Options(models=False)).api.tools
    outputs = [tool.output_schema for tool in tools if tool.output_schema is not None]
    assert len(outputs) > 150
    assert all(size(schema) <= Options.output_schema_limit for schema in outputs)
    for schema in outputs[:40]:
        Draft202012Validator.check_schema(schema)
