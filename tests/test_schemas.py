"""Unit tests of OpenAPI Schema Object -> JSON Schema 2020-12 conversion (rest2mcp.schemas).

Every schema a test produces is checked against the 2020-12 metaschema, and every `$ref` in it
must resolve inside the schema itself (a tool's schema is self-contained).
"""

from __future__ import annotations

import sys

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from rest2mcp.diagnostics import Diagnostics
from rest2mcp.document.refs import Resolver
from rest2mcp.schemas.convert import SchemaConverter
from rest2mcp.schemas.defs import DocumentSchemas
from rest2mcp.schemas.shapes import object_shape

S = "#/components/schemas/"


def doc(**schemas):
    return {"openapi": "3.0.3", "components": {"schemas": schemas}}


def _refs(node, found):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            found.append(node["$ref"])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for item in node:
            _refs(item, found)
    return found


def self_contained(schema, defs):
    """The tool-level schema as build.py assembles it: the converted root plus the converter's $defs."""
    full = dict(schema)
    if defs:
        full["$defs"] = dict(defs)
    Draft202012Validator.check_schema(full)
    for ref in _refs(full, []):
        assert ref.startswith("#/$defs/"), ref
        assert ref[len("#/$defs/"):] in full.get("$defs", {}), f"dangling {ref}"
    return full


class Conv:
    """One document's schemas, with helpers to convert like one tool does."""

    def __init__(self, document=None, version="3.0"):
        self.diagnostics = Diagnostics()
        self.schemas = DocumentSchemas(Resolver(document or {}), version, self.diagnostics)

    def converter(self, direction="input"):
        return SchemaConverter(self.schemas, direction)

    def __call__(self, schema, direction="input", pointer="/s"):
        converter = self.converter(direction)
        out = converter.convert(schema, pointer)
        return self_contained(out, converter.defs)

    @property
    def codes(self):
        return [d.code for d in self.diagnostics.items]


def convert(schema, document=None, version="3.0", direction="input"):
    return Conv(document, version)(schema, direction)


# -- keywords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string", "nullable": True}, {"anyOf": [{"type": "string"}, {"type": "null"}]}),
        (
            {"type": "integer", "nullable": True, "description": "d", "minimum": 1},
            {"description": "d", "anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
        ),
        ({"type": "string", "nullable": False}, {"type": "string"}),
        (
            {"type": "object", "nullable": True, "properties": {"a": {"type": "string"}}},
            {"anyOf": [{"type": "object", "properties": {"a": {"type": "string"}}}, {"type": "null"}]},
        ),
    ],
)
def test_nullable_becomes_any_of_null(schema, expected):
    assert convert(schema) == expected


def test_nullable_keeps_a_null_default():
    out = convert({"type": "string", "nullable": True, "default": None})
    assert out.get("default", "MISSING") is None
    Draft202012Validator(out).validate(None)


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "number", "minimum": 1, "exclusiveMinimum": True}, {"type": "number", "exclusiveMinimum": 1}),
        ({"type": "number", "maximum": 9, "exclusiveMaximum": True}, {"type": "number", "exclusiveMaximum": 9}),
        ({"type": "number", "minimum": 1, "exclusiveMinimum": False}, {"type": "number", "minimum": 1}),
        ({"type": "number", "exclusiveMinimum": True}, {"type": "number"}),
        (
            {"type": "integer", "minimum": 0, "maximum": 10, "exclusiveMinimum": True, "exclusiveMaximum": False},
            {"type": "integer", "exclusiveMinimum": 0, "maximum": 10},
        ),
    ],
)
def test_openapi_30_boolean_exclusive_bounds(schema, expected):
    assert convert(schema) == expected


def test_exclusive_bound_is_enforced():
    validator = Draft202012Validator(convert({"type": "number", "minimum": 1, "exclusiveMinimum": True}))
    assert not validator.is_valid(1)
    assert validator.is_valid(1.5)


def test_31_numeric_exclusive_bounds_kept():
    assert convert({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 5}, version="3.1") == {
        "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 5,
    }


@pytest.mark.parametrize("types", [["string", "null"], ["null", "string"]])
def test_31_type_pair_with_null_becomes_any_of(types):
    assert convert({"type": types, "maxLength": 3}, version="3.1") == {
        "anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]
    }


def test_dropped_openapi_only_keywords():
    schema = {
        "type": "object",
        "discriminator": {"propertyName": "kind"},
        "xml": {"name": "thing"},
        "example": {"kind": "a"},
        "examples": [{"kind": "a"}],
        "externalDocs": {"url": "https://example.com"},
        "x-internal": True,
        "properties": {"kind": {"type": "string", "example": "a", "x-order": 1}},
    }
    assert convert(schema) == {"type": "object", "properties": {"kind": {"type": "string"}}}


def test_property_names_that_look_like_keywords_are_kept():
    schema = {"type": "object", "properties": {"example": {"type": "string"}, "x-id": {"type": "integer"},
                                               "required": {"type": "boolean"}}}
    assert convert(schema) == schema


def test_invalid_pattern_dropped_with_warning():
    conv = Conv()
    assert conv({"type": "string", "pattern": "[a-", "minLength": 1}) == {"type": "string", "minLength": 1}
    [diagnostic] = conv.diagnostics.items
    assert diagnostic.code == "W304"
    assert diagnostic.pointer == "/s/pattern"
    assert "[a-" in diagnostic.message


@pytest.mark.parametrize(("schema", "expected"), [
    ({"type": {"type": "string"}, "maxLength": 3}, {"maxLength": 3}),  # a schema where a type name belongs
    ({"type": ["string", {"x": 1}, ["y"]]}, {"type": "string"}),
    ({"type": 7}, {}),
])
def test_a_type_that_is_no_type_name_is_dropped_with_a_warning(schema, expected):
    conv = Conv()
    assert conv(schema) == expected
    assert [(d.code, d.pointer) for d in conv.diagnostics.items] == [("W303", "/s/type")]


def test_valid_pattern_kept():
    assert convert({"type": "string", "pattern": "^[a-z]+$"}) == {"type": "string", "pattern": "^[a-z]+$"}


@pytest.mark.parametrize("pattern", ["(?i)^[a-z]+$", "(?P<word>\\w+)"])
def test_pattern_outside_ecma_262_dropped_with_warning(pattern):
    # OpenAPI and JSON Schema 2020-12 patterns are ECMA-262 regular expressions; these are valid only in
    # Python's dialect, and a JavaScript client compiling the tool's schema throws on them.
    conv = Conv()
    assert "pattern" not in conv({"type": "string", "pattern": pattern})
    assert conv.codes == ["W304"]


def test_unknown_type_dropped_with_warning():
    conv = Conv()
    assert conv({"type": "strin", "description": "d"}) == {"description": "d"}
    assert conv.codes == ["W303"]


def test_keyword_values_2020_12_rejects_are_dropped():
    schema = {"type": "string", "minLength": -1, "maxLength": 2.5, "multipleOf": 0, "enum": [], "required": "a",
              "uniqueItems": "yes", "title": 3, "format": "email"}
    assert convert(schema) == {"type": "string", "format": "email"}


def test_default_of_the_wrong_type_dropped():
    assert convert({"type": "integer", "default": "ten"}) == {"type": "integer"}
    assert convert({"type": "integer", "default": 10}) == {"type": "integer", "default": 10}


def test_draft4_tuple_items():
    assert convert({"type": "array", "items": [{"type": "string"}, {"type": "integer"}]}) == {
        "type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}],
    }


# -- readOnly / writeOnly --------------------------------------------------------------------

RW_DOC = doc(
    Id={"type": "string", "readOnly": True},
    Secret={"type": "string", "writeOnly": True},
    Alias={"$ref": S + "Id"},
    Pet={
        "type": "object",
        "required": ["id", "name", "password", "alias"],
        "properties": {
            "id": {"$ref": S + "Id"},
            "created": {"type": "string", "readOnly": True},
            "alias": {"$ref": S + "Alias"},
            "name": {"type": "string"},
            "password": {"$ref": S + "Secret"},
            "pin": {"type": "string", "writeOnly": True},
        },
    },
)


def test_read_only_properties_removed_from_input():
    assert convert({"$ref": S + "Pet"}, RW_DOC) == {
        "type": "object",
        "required": ["name", "password"],
        "properties": {
            "name": {"type": "string"},
            "password": {"type": "string"},
            "pin": {"type": "string"},
        },
    }


def test_write_only_properties_removed_from_output():
    out = convert({"$ref": S + "Pet"}, RW_DOC, direction="output")
    assert out == {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "created": {"type": "string"},
            "alias": {"type": "string"},
            "name": {"type": "string"},
        },
    }


def test_read_only_property_required_by_the_composing_schema():
    # A common 3.0 pattern: the composed schema lists `required`, an allOf member declares the property.
    document = doc(
        Base={"type": "object", "properties": {"id": {"type": "string", "readOnly": True}, "name": {"type": "string"}}},
        Pet={"allOf": [{"$ref": S + "Base"}], "required": ["id", "name"]},
    )
    out = convert({"$ref": S + "Pet"}, document)
    validator = Draft202012Validator(out)
    assert validator.is_valid({"name": "rex"}), "the model cannot send a readOnly property, so it must not be required"


def test_read_only_and_write_only_caches_are_per_direction():
    conv = Conv(RW_DOC)
    assert "id" not in conv({"properties": {"p": {"$ref": S + "Pet"}}})["properties"]["p"]["properties"]
    assert "id" in conv({"properties": {"p": {"$ref": S + "Pet"}}}, direction="output")["properties"]["p"]["properties"]


# -- references and cycles ------------------------------------------------------------------

CYCLES = doc(
    Node={
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": S + "Node"}}},
    },
    A={"type": "object", "properties": {"b": {"$ref": S + "B"}, "n": {"type": "integer"}}},
    B={"type": "object", "properties": {"a": {"$ref": S + "A"}, "v": {"type": "integer"}}},
    Category={
        "type": "object",
        "properties": {
            "label": {"type": "string"},
            "parent": {"allOf": [{"$ref": S + "Category"}]},
            "subs": {"type": "array", "items": {"allOf": [{"$ref": S + "Category"}]}},
        },
    },
    Wrapper={"type": "object", "properties": {"root": {"$ref": S + "Node"}, "count": {"type": "integer"}}},
    Setting={
        "type": "object",
        "properties": {"value": {"type": "string"}, "default": {"$ref": S + "Setting"}},
    },
    Leaf={"type": "object", "properties": {"x": {"type": "integer", "maximum": 3}}},
    UsesLeafTwice={"type": "object", "properties": {"l1": {"$ref": S + "Leaf"}, "l2": {"$ref": S + "Leaf"}}},
)


def test_self_reference_becomes_defs():
    out = convert({"$ref": S + "Node"}, CYCLES)
    assert out["$ref"] == "#/$defs/Node"
    assert out["$defs"]["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    validator = Draft202012Validator(out)
    validator.validate({"name": "a", "children": [{"name": "b", "children": [{"name": "c", "children": []}]}]})
    assert not validator.is_valid({"name": "a", "children": [{"name": "b", "children": [{"children": []}]}]})


def test_mutual_reference_becomes_defs():
    out = convert({"$ref": S + "A"}, CYCLES)
    assert set(out["$defs"]) == {"A", "B"}
    validator = Draft202012Validator(out)
    validator.validate({"b": {"a": {"b": {"v": 1}, "n": 2}}})
    assert not validator.is_valid({"b": {"a": {"b": {"v": "one"}}}})


def test_cycle_through_arrays_and_all_of():
    out = convert({"$ref": S + "Category"}, CYCLES)
    assert set(out["$defs"]) == {"Category"}
    validator = Draft202012Validator(out)
    validator.validate({"label": "a", "parent": {"label": "b", "subs": [{"label": "c"}]}})
    assert not validator.is_valid({"parent": {"subs": [{"label": 3}]}})


def test_cycle_inside_a_property_of_the_root():
    out = convert({"type": "object", "properties": {"tree": {"$ref": S + "Node"}}}, CYCLES)
    assert out["properties"]["tree"] == {"$ref": "#/$defs/Node"}
    validator = Draft202012Validator(out)
    validator.validate({"tree": {"name": "a", "children": [{"name": "b"}]}})
    assert not validator.is_valid({"tree": {"name": "a", "children": [{"name": 1}]}})


def test_cycle_through_a_property_named_like_a_keyword_terminates():
    # "default", "example", "enum" are ordinary property names inside `properties`.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # fail fast when it does not terminate
    try:
        out = convert({"$ref": S + "Setting"}, CYCLES)
    finally:
        sys.setrecursionlimit(limit)
    validator = Draft202012Validator(out)
    validator.validate({"value": "a", "default": {"value": "b", "default": {"value": "c"}}})
    assert not validator.is_valid({"default": {"default": {"value": 1}}})


def test_schema_reused_by_a_second_tool_keeps_its_defs():
    # Two tools (two converters over the same document) both use Wrapper, which is not cyclic itself
    # but contains the cyclic Node: each tool's schema must carry the Node it references.
    conv = Conv(CYCLES)
    first = conv({"$ref": S + "Wrapper"})
    second = conv({"$ref": S + "Wrapper"})
    assert second == first
    Draft202012Validator(second).validate({"root": {"name": "a", "children": [{"name": "b"}]}})


def test_non_cyclic_refs_are_inlined():
    out = convert({"$ref": S + "UsesLeafTwice"}, CYCLES)
    leaf = {"type": "object", "properties": {"x": {"type": "integer", "maximum": 3}}}
    assert out == {"type": "object", "properties": {"l1": leaf, "l2": leaf}}


def test_ref_siblings_apply_with_the_reference_in_30_and_31():
    document = doc(Leaf={"type": "integer"})
    for version in ("3.0", "3.1"):
        assert convert({"$ref": S + "Leaf", "description": "d"}, document, version=version) == {
            "type": "integer", "description": "d",
        }
        assert convert({"$ref": S + "Leaf", "maximum": 9, "nullable": True}, document, version=version) == {
            "anyOf": [{"type": "integer", "maximum": 9}, {"type": "null"}],
        }
        # a type contradicting the reference's own is left out: no value could satisfy both
        assert convert({"$ref": S + "Leaf", "type": "string"}, document, version=version) == {"type": "integer"}
    cyclic = convert({"$ref": S + "Node", "description": "d"}, CYCLES, version="3.1")
    assert cyclic["description"] == "d"
    Draft202012Validator(cyclic).validate({"name": "x"})


def test_def_names_are_unique_and_valid():
    document = {
        "components": {
            "schemas": {"Node": {"type": "object", "properties": {"n": {"$ref": "#/components/schemas/Node"}}}},
            "x-other": {"Node": {"type": "object", "properties": {"m": {"$ref": "#/components/x-other/Node"}}}},
        }
    }
    out = convert(
        {"type": "object", "properties": {"a": {"$ref": S + "Node"}, "b": {"$ref": "#/components/x-other/Node"}}},
        document,
    )
    assert out["properties"]["a"] != out["properties"]["b"]
    assert len(out["$defs"]) == 2
    Draft202012Validator(out).validate({"a": {"n": {}}, "b": {"m": {}}})


# -- output direction -----------------------------------------------------------------------


def test_output_is_lenient():
    schema = {
        "type": "object",
        "required": ["id"],
        "additionalProperties": False,
        "minProperties": 1,
        "properties": {
            "id": {"type": "integer", "minimum": 1, "maximum": 9, "multipleOf": 1},
            "status": {"type": "string", "enum": ["a", "b"], "pattern": "^[ab]$", "maxLength": 1},
            "tags": {"type": "array", "items": {"type": "string", "const": "x"}, "minItems": 1, "uniqueItems": True},
            "extra": {"type": "object", "additionalProperties": {"not": {}}},
        },
    }
    out = convert(schema, direction="output")
    assert out == {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "extra": {"type": "object", "additionalProperties": {}},
        },
    }
    Draft202012Validator(out).validate({"status": "zzz", "tags": ["y", "y"], "more": 1, "extra": {"k": 1}})
    with pytest.raises(ValidationError):
        Draft202012Validator(out).validate({"id": "not a number"})


CLOSED = (False, {"not": {}})  # two spellings of "no other properties"


def test_input_keeps_constraints():
    properties = {"id": {"type": "integer", "minimum": 1}, "s": {"type": "string", "enum": ["a"]}}
    out = convert({"type": "object", "required": ["id"], "additionalProperties": False, "properties": properties})
    assert out.pop("additionalProperties") in CLOSED
    assert out == {"type": "object", "required": ["id"], "properties": properties}


# -- object_shape ---------------------------------------------------------------------------

SHAPES = doc(
    Base={"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
    Named={"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
    Pet={"allOf": [{"$ref": S + "Base"}, {"$ref": S + "Named"},
                   {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}}}}]},
    Choice={"oneOf": [{"$ref": S + "Base"}, {"$ref": S + "Named"}]},
    Map={"type": "object", "additionalProperties": {"type": "string"}},
    Open={"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": True},
    Closed={"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
    Mixed={"allOf": [{"$ref": S + "Base"}, {"$ref": S + "Choice"}]},
    Tree={"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": S + "Tree"}}}},
)


def shape(name):
    conv = Conv(SHAPES)
    converter = conv.converter("input")
    converted = converter.convert({"$ref": S + name}, "/s")
    self_contained(converted, converter.defs)
    return object_shape(converted, converter)


def test_object_shape_merges_all_of():
    properties, required = shape("Pet")
    assert properties == {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
    }
    assert required == ["id", "name"]


def test_object_shape_of_a_plain_and_a_closed_object():
    assert shape("Base") == ({"id": {"type": "string"}}, ["id"])
    assert shape("Closed") == ({"a": {"type": "string"}}, [])


@pytest.mark.parametrize("name", ["Choice", "Map", "Open", "Mixed"])
def test_object_shape_refuses(name):
    assert shape(name) is None


def test_object_shape_of_non_objects():
    conv = Conv()
    converter = conv.converter()
    for schema in ({"type": "array", "items": {}}, {"type": "string"}, {"type": "object"}):
        assert object_shape(converter.convert(schema, "/s"), converter) is None


def test_object_shape_through_defs():
    properties, required = shape("Tree")
    assert properties == {"kids": {"type": "array", "items": {"$ref": "#/$defs/Tree"}}}
    assert required == []
