"""The JSON Schema vocabulary the converter knows: keywords grouped by the values they take, and
checks of those values."""

from __future__ import annotations

import re
from typing import Any

JSON_TYPES = {"string", "number", "integer", "boolean", "array", "object", "null"}

SCHEMA_KEYWORDS = ("items", "additionalProperties", "not", "contains", "propertyNames",
                   "if", "then", "else", "unevaluatedProperties", "unevaluatedItems")
SCHEMA_MAP_KEYWORDS = ("properties", "patternProperties", "dependentSchemas")
SCHEMA_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems")
NON_NEGATIVE_INT = ("maxLength", "minLength", "maxItems", "minItems", "maxProperties",
                    "minProperties", "maxContains", "minContains")
NUMBERS = ("maximum", "minimum")
STRINGS = ("title", "description", "format", "contentMediaType", "contentEncoding")
BOOLEANS = ("uniqueItems", "deprecated")
# Validation keywords an output schema does not assert (see convert.py).
OUTPUT_DROPPED = {"required", "enum", "const", "pattern", "minLength", "maxLength", "minimum",
                  "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems",
                  "maxItems", "uniqueItems", "minProperties", "maxProperties", "dependentRequired",
                  "minContains", "maxContains", "propertyNames", "not", "unevaluatedProperties",
                  "unevaluatedItems"}

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list,), "object": (dict,), "null": (type(None),),
}


def matches_type(value: Any, json_type: str) -> bool:
    if json_type in ("integer", "number") and isinstance(value, bool):
        return False
    if json_type == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _PY_TYPES.get(json_type, (object,)))


# Python-only syntax an ECMA-262 engine (what JSON Schema prescribes) rejects.
_PYTHON_ONLY_REGEX = re.compile(r"\(\?P[<=]|\(\?[aiLmsux-]+[:)]|\(\?#|\\[AZ]")


def regex_ok(pattern: Any) -> bool:
    """A pattern both Python's `re` and ECMA-262 engines accept (as far as can be told cheaply)."""
    if not isinstance(pattern, str) or _PYTHON_ONLY_REGEX.search(pattern):
        return False
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def with_pattern(schema: dict[str, Any], pattern: str) -> dict[str, Any]:
    """`schema` also requiring `pattern`: beside its own pattern, if it has another, through allOf."""
    if schema.get("pattern") in (None, pattern):
        return {**schema, "pattern": pattern}
    members = schema.get("allOf", [])
    if any(isinstance(m, dict) and m.get("pattern") == pattern for m in members):
        return schema
    return {**schema, "allOf": [*members, {"pattern": pattern}]}


def declares_base64(schema: dict[str, Any]) -> bool:
    """Base64 text: OpenAPI 3.0 `format: byte`, or `contentEncoding: base64`."""
    encoding = schema.get("contentEncoding")
    return schema.get("format") == "byte" or (isinstance(encoding, str) and encoding.lower() == "base64")
