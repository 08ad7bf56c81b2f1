"""Argument sets for a tool, drawn from its inputSchema.

Every value drawn is valid for the tool's own inputSchema under JSON Schema 2020-12, with
`format` treated as an assertion: the schema tells the model the format, and Prism (like most
APIs) rejects a malformed date or uuid, so a request carrying one says nothing about the
request builder. Draws come from hypothesis-jsonschema; where it cannot handle a schema (or
its draws keep failing the 2020-12 validator), from a small strategy builder of our own.
"""

from __future__ import annotations

import base64
import copy
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from jsonschema import Draft202012Validator, FormatChecker

# Hypothesis keeps caches in ./.hypothesis by default: keep them out of the working tree.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "rest2mcp-fidelity-hypothesis")

# int64 stops at JavaScript's safe integers: Prism (ajv-formats) checks int64 that way, and
# JSON numbers past 2**53 lose precision in most JSON parsers anyway.
INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**53 - 1), 2**53 - 1)}
MAX_DEPTH = 4  # below this, optional properties are left out and arrays kept short

_DOMAIN = st.from_regex(r"\A[a-z]{1,10}\.(com|org|net)\Z")

# The string formats Prism checks (ajv-formats "full") that hypothesis-jsonschema does not
# know. Without these, a `format: uuid` argument would be drawn as arbitrary text.
CUSTOM_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "uuid": st.uuids().map(str),
    "byte": st.binary(max_size=24).map(lambda b: base64.b64encode(b).decode()),
    "url": _DOMAIN.map("https://{}/".format),
    "duration": st.sampled_from(["P1D", "PT1H", "P1Y2M3DT4H5M6S", "PT0.5S", "P3W"]),
    "binary": st.text(max_size=20),
    "password": st.text(max_size=20),
}


def format_strategy(fmt: str) -> st.SearchStrategy[str] | None:
    """A strategy for the strings of a format, or None when any string will do."""
    if fmt in CUSTOM_FORMATS:
        return CUSTOM_FORMATS[fmt]
    from hypothesis_jsonschema._from_schema import STRING_FORMATS

    return STRING_FORMATS.get(fmt)


class ArgumentDrawer:
    """Draws up to N distinct argument sets per schema, reproducibly for a given seed."""

    def __init__(self, calls: int, seed_value: int):
        self.calls = calls
        self.seed = seed_value

    def draw(self, schema: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
        """(argument sets, source) where source names the generator that produced them."""
        validator = Draft202012Validator(schema, format_checker=FormatChecker())
        prepared = draw_schema(schema)
        attempts = [("hypothesis-jsonschema", lambda: _jsonschema_strategy(prepared)),
                    ("own", lambda: OwnStrategy(prepared).of(prepared))]
        for source, make in attempts:
            try:
                drawn = self._collect(make(), validator)
            except Exception:  # noqa: BLE001, S112 - any failure of a generator means: try the next one
                continue
            if drawn:
                return drawn, source
        return [], "none"

    def _collect(self, strategy: st.SearchStrategy[Any], validator: Draft202012Validator) -> list[dict[str, Any]]:
        drawn: list[dict[str, Any]] = []
        keys: set[str] = set()
        valid = strategy.filter(lambda v: isinstance(v, dict) and validator.is_valid(v))

        # The "test" only collects examples; Phase.generate alone, no database, fixed seed.
        @seed(self.seed)
        @settings(max_examples=self.calls * 3, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(valid)
        def collect(value: dict[str, Any]) -> None:
            key = repr(value)
            if len(drawn) < self.calls and key not in keys:
                keys.add(key)
                drawn.append(value)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            collect()
        return drawn


def _jsonschema_strategy(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    from hypothesis_jsonschema import from_schema

    return from_schema(schema, custom_formats=CUSTOM_FORMATS, allow_x00=False, codec="utf-8")


def draw_schema(schema: Any) -> Any:
    """A copy of the schema to draw from, closer to what APIs check than to Python's reading.

    - Integer formats (int32, int64) become minimum/maximum, so draws fit them.
    - `contentEncoding: base64` is treated like `format`: the tool says base64, and decodes it.
    - Patterns keep their ECMA-262 meaning (JSON Schema patterns are ECMA regexes): Python's
      `re`, used by the drawing and by the generated server's validator, also takes any Unicode
      digit for `\\d` and a final newline before `$`, which no API behind a JS regex accepts.
    """
    schema = copy.deepcopy(schema)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            fmt = node.get("format")
            bounds = INT_RANGES.get(fmt) if isinstance(fmt, str) else None
            if bounds and _types(node) & {"integer", "number"}:
                node["minimum"] = max(node.get("minimum", bounds[0]), bounds[0])
                node["maximum"] = min(node.get("maximum", bounds[1]), bounds[1])
            if isinstance(node.get("pattern"), str):
                node["pattern"] = ecma_pattern(node["pattern"])
            if node.get("contentEncoding") == "base64" and "format" not in node:
                node["format"] = "byte"  # the runtime decodes it: draw base64, as a model would send
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    return schema


ASCII_CLASSES = {"d": "0-9", "w": "A-Za-z0-9_"}


def ecma_pattern(pattern: str) -> str:
    r"""`pattern` as Python's `re` must read it to mean what it means in ECMA-262.

    \d and \w become their ASCII ranges (inside and outside [...]), and `$` becomes `\Z`:
    in ECMA `$` is the end of the string, in Python it also matches before a final newline.
    """
    out, i, in_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if escaped in ASCII_CLASSES:
                ranges = ASCII_CLASSES[escaped]
                out.append(ranges if in_class else f"[{ranges}]")
            elif escaped.lower() in ASCII_CLASSES and not in_class:
                out.append(f"[^{ASCII_CLASSES[escaped.lower()]}]")
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append("\\Z" if char == "$" and not in_class else char)
        i += 1
    return "".join(out)


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, list):
        return set(kind)
    return {kind} if isinstance(kind, str) else set()


# -- our own strategy builder, for schemas hypothesis-jsonschema refuses -----------------------
#
# It aims at valid values, not at every valid value: keywords it does not model are left to the
# validator filter in ArgumentDrawer._collect.


class OwnStrategy:
    """Strategies for one root schema; local `$ref`s resolve against it, recursion is cut by depth."""

    def __init__(self, root: dict[str, Any]):
        self.root = root

    def of(self, schema: Any, depth: int = 0) -> st.SearchStrategy[Any]:
        if schema is True or schema == {}:
            return _any_scalar()
        if schema is False or not isinstance(schema, dict):
            return st.nothing()
        if isinstance(schema.get("$ref"), str):
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            return self.of(_merge(rest, self._resolve(schema["$ref"])), depth + 1)
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"]) if schema["enum"] else st.nothing()
        for keyword in ("anyOf", "oneOf"):
            if isinstance(schema.get(keyword), list) and schema[keyword]:
                rest = {k: v for k, v in schema.items() if k != keyword}
                return st.one_of([self.of(_merge(rest, b), depth) for b in schema[keyword]])
        if isinstance(schema.get("allOf"), list):
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            for branch in schema["allOf"]:
                merged = _merge(merged, branch)
            return self.of(merged, depth)
        kinds = _types(schema) or {_implied_type(schema)}
        return st.one_of([self._typed(kind, schema, depth) for kind in sorted(kinds)])

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise ValueError(f"cannot resolve {ref}")
        node: Any = self.root
        for part in [p for p in ref[1:].split("/") if p]:
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _typed(self, kind: str, schema: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
        if kind == "null":
            return st.none()
        if kind == "boolean":
            return st.booleans()
        if kind == "integer":
            return st.integers(_bound(schema, "minimum", "exclusiveMinimum", 1),
                               _bound(schema, "maximum", "exclusiveMaximum", -1))
        if kind == "number":
            return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False)
        if kind == "string":
            return _string(schema)
        if kind == "array":
            low = schema.get("minItems", 0)
            high = schema.get("maxItems", low + (0 if depth >= MAX_DEPTH else 3))
            return st.lists(self.of(schema.get("items", {}), depth + 1), min_size=low, max_size=max(low, high),
                            unique_by=(repr if schema.get("uniqueItems") else None))
        if kind == "object":
            return self._object(schema, depth)
        return st.nothing()

    def _object(self, schema: dict[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
        properties = schema.get("properties", {})
        required = {name: self.of(properties[name], depth + 1)
                    for name in schema.get("required", []) if name in properties}
        optional = {} if depth >= MAX_DEPTH else {
            name: self.of(sub, depth + 1) for name, sub in properties.items() if name not in required
        }
        return st.fixed_dictionaries(required, optional=optional)


def _merge(a: dict[str, Any], b: Any) -> dict[str, Any]:
    """A shallow conjunction good enough for drawing: properties and required are united."""
    if not isinstance(b, dict):
        return a
    merged = {**a, **b}
    if "properties" in a and "properties" in b:
        merged["properties"] = {**a["properties"], **b["properties"]}
    if "required" in a and "required" in b:
        merged["required"] = sorted(set(a["required"]) | set(b["required"]))
    return merged


def _implied_type(schema: dict[str, Any]) -> str:
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
        return "number"
    return "string"


def _bound(schema: dict[str, Any], inclusive: str, exclusive: str, step: int) -> int | None:
    if isinstance(schema.get(exclusive), (int, float)) and not isinstance(schema.get(exclusive), bool):
        return int(schema[exclusive]) + step
    value = schema.get(inclusive)
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _string(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    fmt = format_strategy(schema.get("format", "")) if schema.get("format") else None
    if fmt is not None:
        return fmt
    if isinstance(schema.get("pattern"), str):
        return st.from_regex(schema["pattern"])
    return st.text(st.characters(codec="utf-8", exclude_characters="\x00"),
                   min_size=schema.get("minLength", 0), max_size=schema.get("maxLength", 30))


def _any_scalar() -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=10))
