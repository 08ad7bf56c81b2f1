"""Questions about converted schemas that parameters and bodies ask: is the type open, what is left
without null, can an object be spread into arguments."""

from __future__ import annotations

from typing import Any

from rest2mcp.schemas.convert import SchemaConverter


def untyped(schema: dict[str, Any]) -> bool:
    """A converted schema that says nothing of the value's type (so null is allowed)."""
    return not any(k in schema for k in ("type", "anyOf", "oneOf", "allOf", "enum", "const", "$ref", "not"))


def without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """The converted schema without its null alternative; a single remaining alternative is unwrapped."""
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list):
            kept = [o for o in options if o != {"type": "null"}]
            if len(kept) == 1:
                outer = {k: v for k, v in schema.items() if k != key}
                return {**outer, **kept[0]}
            if len(kept) != len(options):
                return {**schema, key: kept}
    return schema


def object_shape(schema: dict[str, Any], converter: SchemaConverter) -> tuple[dict[str, Any], list[str]] | None:
    """(properties, required) when `schema` is a plain object that can be spread into arguments.

    A plain object has named properties and no other structure: allOf members that are
    themselves plain objects are merged in; a schema with oneOf/anyOf/not, or with extra
    properties allowed beyond the named ones, is not plain (it stays one `body` argument). A member
    may add only `required` names (keywords beside a `$ref` become such a member).
    """
    shape = _members_shape(schema, converter)
    return shape if shape is not None and shape[0] else None


def holds_nothing(schema: dict[str, Any], converter: SchemaConverter) -> bool:
    """Whether `schema` is an object without properties that allows none (`{"type": "object",
    "properties": {}, "additionalProperties": false}`, Stripe's GET operations): a body of it carries
    nothing."""
    shape = _members_shape(schema, converter)
    closed = converter.resolve_def(schema).get("additionalProperties") in (False, {"not": {}})
    return shape is not None and not shape[0] and closed


def _members_shape(schema: dict[str, Any], converter: SchemaConverter) -> tuple[dict[str, Any], list[str]] | None:
    schema = converter.resolve_def(schema)
    if any(k in schema for k in ("oneOf", "anyOf", "not", "if", "patternProperties")):
        return None
    if schema.get("type", "object") != "object":
        return None
    additional = schema.get("additionalProperties")
    if additional not in (None, False, {"not": {}}):
        return None
    properties: dict[str, Any] = dict(schema.get("properties") or {})
    required: list[str] = list(schema.get("required") or [])
    for member in schema.get("allOf") or []:
        shape = _members_shape(member, converter)
        if shape is None:
            return None
        for name, sub in shape[0].items():
            if name in properties and properties[name] != sub:
                properties[name] = {"allOf": [properties[name], sub]}
            else:
                properties[name] = sub
        required.extend(r for r in shape[1] if r not in required)
    return properties, required
