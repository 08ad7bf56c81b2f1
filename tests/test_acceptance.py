"""The quick check of simple schemas (runtime/acceptance.py) says yes exactly when jsonschema does,
for schemas and values drawn at random and for every schema of the committed example packages;
schemas with keywords it does not decide get no quick check."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest2mcp.runtime.acceptance import acceptor
from rest2mcp.runtime.arguments import argument_errors, validator_for, within_budget

GENERATED = Path(__file__).resolve().parents[1] / "generated"

# Few values, so that a drawn value often sits right on a drawn bound, length or enum member.
scalars = st.one_of(st.sampled_from([None, True, False, 0, 1, -1, 2, 3, -3, 0.5, -1.5, 2.0, 1.0, 0.0, math.nan,
                                     math.inf, -math.inf, "", "a", "ab", "abc", ".", "..", "x-1"]),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), inner, max_size=3)),
    max_leaves=8)
type_names = st.sampled_from(["array", "boolean", "integer", "null", "number", "object", "string"])
numbers = st.one_of(st.integers(-3, 3), st.sampled_from([0.5, -1.5, 2.0]))


def _schemas(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keyword = st.one_of(
        st.tuples(st.just("type"), st.one_of(type_names, st.lists(type_names, min_size=1, max_size=3))),
        st.tuples(st.just("properties"), st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3)),
        st.tuples(st.just("additionalProperties"), inner),
        st.tuples(st.just("required"), st.lists(st.sampled_from(["a", "b", "c"]), max_size=3, unique=True)),
        st.tuples(st.just("enum"), st.lists(st.one_of(st.none(), st.sampled_from(["", "a", ".", ".."])), min_size=1,
                                            max_size=3)),
        st.tuples(st.just("const"), st.one_of(st.none(), st.sampled_from(["a", ""]))),
        st.tuples(st.just("not"), inner),
        st.tuples(st.sampled_from(["allOf", "anyOf", "oneOf"]), st.lists(inner, min_size=1, max_size=3)),
        st.tuples(st.just("items"), inner),
        st.tuples(st.sampled_from(["minLength", "maxLength", "minItems", "maxItems", "minProperties",
                                   "maxProperties"]), st.integers(0, 3)),
        st.tuples(st.sampled_from(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]), numbers),
        st.tuples(st.sampled_from(["description", "title", "format", "default", "x-extension", "$defs"]),
                  st.just("ignored")),
    )
    return st.one_of(st.booleans(), st.lists(keyword, max_size=4).map(dict))


simple_schemas = st.recursive(st.one_of(st.booleans(), st.builds(dict)), _schemas, max_leaves=6)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=simple_schemas, value=values)
def test_the_quick_check_agrees_with_jsonschema(schema, value):
    validator = validator_for(schema)
    check = acceptor(validator)
    assert check is not None, schema
    assert check(value) == validator.is_valid(value), (schema, value)


POOL = [None, True, False, 0, 1, -1, 2, 3, -3, 0.5, -1.5, 2.0, 1.0, 0.0, math.nan, math.inf, -math.inf,
        "", "a", "ab", "abc", ".", "..", [], [1], [1, "a"], ["a", "b", "c"], {}, {"a": 1}, {"a": "x", "b": None},
        {"a": 1, "b": 2, "c": 3}]
ONE_KEYWORD = [
    *({"type": name} for name in ["array", "boolean", "integer", "null", "number", "object", "string"]),
    {"type": ["integer", "null"]}, {"type": ["string", "number"]},
    *({keyword: bound} for keyword in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]
      for bound in [-3, -1, 0, 0.5, 1, 2, 2.0, 3]),
    *({keyword: size} for keyword in ["minLength", "maxLength", "minItems", "maxItems", "minProperties",
                                      "maxProperties"] for size in [0, 1, 2, 3]),
    {"enum": ["a", None]}, {"enum": [".", ".."]}, {"const": "a"}, {"const": None}, {"const": ""},
    {"required": ["a"]}, {"required": ["a", "b"]}, {"properties": {"a": {"type": "integer"}}},
    {"properties": {"a": False}}, {"additionalProperties": False}, {"additionalProperties": {"type": "integer"}},
    {"properties": {"a": True}, "additionalProperties": False}, {"items": {"type": "integer"}}, {"items": False},
    {"not": {"enum": [".", ".."]}}, {"allOf": [{"minimum": 0}, {"maximum": 2}]},
    {"anyOf": [{"type": "string"}, {"type": "integer"}]}, {"oneOf": [{"type": "number"}, {"type": "integer"}]},
    {"format": "ipv4", "description": "not checked: no format checker"},
]


@pytest.mark.parametrize("schema", ONE_KEYWORD, ids=json.dumps)
def test_each_keyword_agrees_with_jsonschema_on_every_edge_value(schema):
    validator = validator_for(schema)
    check = acceptor(validator)
    assert check is not None
    assert [check(value) for value in POOL] == [validator.is_valid(value) for value in POOL]


@pytest.mark.parametrize("schema", [
    {"$ref": "#/$defs/Pet", "$defs": {"Pet": {"type": "object"}}},
    {"type": "string", "pattern": "^a"},
    {"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": False},
    {"properties": {"a": {"type": "string", "pattern": "b"}}},
    {"type": "integer", "multipleOf": 2},
    {"type": "array", "uniqueItems": True},
    {"enum": [1, True]},  # 1 and true differ in JSON Schema, not in Python
    {"type": "strings"},
    {"properties": {"a": {"$schema": "http://json-schema.org/draft-04/schema#", "minimum": 1,
                          "exclusiveMinimum": True}}},
    {"if": {"type": "string"}, "then": {"minLength": 2}},
    {"unevaluatedProperties": False, "allOf": [{"properties": {"a": True}}]},
])
def test_keywords_it_does_not_decide_leave_the_check_to_jsonschema(schema):
    assert acceptor(validator_for(schema)) is None


def _example_schemas() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for catalog in sorted(GENERATED.glob("*/*/generated/tools.json")):
        for tool in json.loads(catalog.read_text(encoding="utf-8"))["tools"]:
            for key in ("inputSchema", "outputSchema"):
                if isinstance(tool.get(key), dict):
                    found.append((f"{catalog.parts[-4]}/{tool['name']}/{key}", tool[key]))
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=values, pick=st.integers(min_value=0))
def test_the_quick_check_agrees_on_the_example_packages_schemas(value, pick):
    schemas = _example_schemas()
    name, schema = schemas[pick % len(schemas)]
    validator = validator_for(schema)
    check = acceptor(validator)
    if check is not None:
        assert check(value) == validator.is_valid(value), (name, value)


def test_most_example_schemas_get_a_quick_check_and_errors_still_name_the_field():
    schemas = _example_schemas()
    quick = [name for name, schema in schemas if acceptor(validator_for(schema)) is not None]
    assert len(quick) >= len(schemas) // 3, quick
    petstore = next(schema for name, schema in schemas if name == "petstore/showPetById/inputSchema")
    validator = validator_for(petstore)
    assert acceptor(validator) is not None
    assert within_budget(validator, {"petId": "7"}) == []
    assert argument_errors(validator, {"petId": ".."}) == [
        "petId: '.' and '..' are not allowed in a path parameter (they would change the path)"]
    assert argument_errors(validator, {"petId": 7, "extra": 1}) == [
        "extra: unknown argument (expected one of: petId)", "petId: 7 is not of type 'string'"]
    assert argument_errors(validator, {"petId": "7", "n": math.nan})[0].startswith("n: NaN and Infinity")
