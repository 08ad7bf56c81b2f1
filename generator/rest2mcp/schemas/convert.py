"""OpenAPI Schema Objects to JSON Schema 2020-12.

What changes on the way:
- local `$ref`s are inlined, except references that take part in a cycle: those become
  entries of the tool's own `$defs` (so circular schemas stay finite and exact);
- 3.0 `nullable` becomes `anyOf [..., {"type": "null"}]`; 3.0 boolean `exclusiveMinimum`/
  `exclusiveMaximum` become the 2020-12 numeric form; a 3.1 type array with "null" or with several
  types becomes anyOf;
- OpenAPI-only and annotation-only keywords (`discriminator`, `xml`, `example(s)`,
  `externalDocs`, `x-*`) are dropped; keywords with values 2020-12 would reject are dropped
  with a warning, so every emitted schema passes the 2020-12 metaschema;
- inputs lose readOnly properties, outputs lose writeOnly ones;
- titles and descriptions are cut near 500 characters (tools/list carries every one of them);
- schemas nested deeper than MAX_SCHEMA_DEPTH (references followed) raise SchemaTooDeep: the
  operation is skipped, since a tool whose schema nests too deeply cannot even be listed;
- output schemas are lenient: they describe structure (types, properties, items) but do not
  assert constraints (`required`, enums, bounds, closed objects), because real APIs return
  more than their documents promise and a client rejects any result that breaks the schema.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from rest2mcp.document.refs import UnresolvableRef
from rest2mcp.runtime.arguments import BASE64_PATTERN
from rest2mcp.schemas.defs import DocumentSchemas
from rest2mcp.schemas.keywords import (
    BOOLEANS,
    JSON_TYPES,
    NON_NEGATIVE_INT,
    NUMBERS,
    OUTPUT_DROPPED,
    SCHEMA_KEYWORDS,
    SCHEMA_LIST_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
    STRINGS,
    declares_base64,
    is_number,
    matches_type,
    regex_ok,
    with_pattern,
)
from rest2mcp.schemas.unions import pin_variants
from rest2mcp.text import cap

Direction = Literal["input", "output"]

# A referenced schema whose JSON is larger than this is put in $defs once instead of inlined.
INLINE_LIMIT = 2000
# A property's description or title beyond this is cut (at a sentence end when one is near): every
# tools/list carries it, and long reference prose helps the model less than it costs.
SCHEMA_TEXT_LIMIT = 500
# Keywords that only describe a value: beside a reference they replace the referenced schema's own.
ANNOTATIONS = ("title", "description", "default", "deprecated", "readOnly", "writeOnly")
# Keywords beside a `$ref` whose application a 3.0 document is told about (I309): those that change
# which values are accepted.
APPLIED_SIBLINGS = frozenset(("type", "required", "enum", "const", "pattern", "format", "items", "properties",
                              "additionalProperties", "allOf", "anyOf", "oneOf", "not", "minimum", "maximum",
                              "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
                              "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties"))
# Schemas nested deeper than this, references followed, are refused (the conversion recurses).
MAX_SCHEMA_DEPTH = 100
# A tool's converted schema nested deeper than this (in JSON levels) is refused: the server's
# tools/list serializes it inside its response, and pydantic stops at 255 levels in all.
MAX_SCHEMA_JSON_DEPTH = 200


class SchemaTooDeep(Exception):
    def __init__(self, pointer: str, message: str):
        super().__init__(message)
        self.pointer = pointer


def json_depth(value: Any) -> tuple[int, str]:
    """How many levels `value` nests (a scalar: 0, {} or {"a": 1}: 1) and the pointer of its deepest value."""
    # Every container's parent and key are kept, and the pointer is spelled out for the deepest one
    # only: building a pointer string per value cost more than the walk itself.
    deepest, deepest_at = 0, -1
    trail: list[tuple[int, Any]] = []  # per container visited: (its parent's index, its key)
    stack: list[tuple[Any, int, int, Any]] = [(value, 0, -1, None)] if isinstance(value, (dict, list)) else []
    while stack:  # containers only: a scalar adds no level
        node, depth, parent, key = stack.pop()
        items: Any = node.items() if isinstance(node, dict) else enumerate(node)
        trail.append((parent, key))
        here = len(trail) - 1
        if depth + 1 > deepest:
            deepest, deepest_at = depth + 1, here
        stack.extend([(child, depth + 1, here, child_key) for child_key, child in items
                      if isinstance(child, (dict, list))])
    keys: list[str] = []
    while deepest_at > 0:
        deepest_at, key = trail[deepest_at]
        keys.append(_escape(str(key)))
    return deepest, "".join(f"/{k}" for k in reversed(keys))


def json_levels(value: Any) -> int:
    """`json_depth(value)[0]`, level by level: several times faster without the pointer (wanted only
    for the message of a schema too deep, which `json_depth` then gives)."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        level = [child for node in level for child in (node.values() if isinstance(node, dict) else node)
                 if isinstance(child, (dict, list))]
    return depth


class SchemaConverter:
    """Converts the schemas of one tool's input or output; owns that schema's `$defs`."""

    def __init__(self, schemas: DocumentSchemas, direction: Direction):
        self.schemas = schemas
        self.direction = direction
        self.defs: dict[str, dict[str, Any]] = {}
        self._required_defs: set[str] = set()  # cyclic refs this tool's schema points to
        self._pending: list[str] = []
        self._tracking: list[set[str]] = []  # open target conversions, each collecting its cyclic refs
        self._depth = 0  # schemas being converted, one inside the other

    # -- public ---------------------------------------------------------------------------

    def convert(self, schema: Any, pointer: str) -> dict[str, Any]:
        result = self._convert(schema, pointer)
        self._finish_defs()
        return result

    def resolve_def(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The body behind a `{"$ref": "#/$defs/X"}` this converter produced, else the schema."""
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return self.defs.get(ref[len("#/$defs/"):], schema)
        return schema

    # -- internals ------------------------------------------------------------------------

    def _finish_defs(self) -> None:
        while self._pending:
            ref = self._pending.pop()
            name = self.schemas.def_name(ref)
            if name in self.defs:
                continue
            cached = self.schemas.converted.get((ref, self.direction))
            if cached is not None:  # a large shared schema: its body is already converted
                self.defs[name] = cached[0]
                for needed in sorted(cached[1]):
                    self._require_def(needed)
            else:
                self.defs[name] = {}  # placeholder: a self-reference must not loop
                self.defs[name] = self._convert_target(ref)

    def _require_def(self, ref: str) -> str:
        for collecting in self._tracking:
            collecting.add(ref)
        if ref not in self._required_defs:
            self._required_defs.add(ref)
            self._pending.append(ref)
        return self.schemas.def_name(ref)

    def _ref(self, ref: str, siblings: dict[str, Any], pointer: str) -> dict[str, Any]:
        if self.schemas.is_cyclic(ref):
            target: dict[str, Any] = {"$ref": f"#/$defs/{self._require_def(ref)}"}
        else:
            key = (ref, self.direction)
            cache = self.schemas.converted
            if key not in cache:
                self._tracking.append(set())
                try:
                    converted = self._convert_target(ref)
                finally:
                    collected = self._tracking.pop()
                cache[key] = (converted, frozenset(collected))
                self.schemas.sizes[key] = len(json.dumps(converted))
            if self.schemas.sizes[key] > INLINE_LIMIT:
                # Large schemas are shared through $defs: inlining each use multiplies the payload.
                target = {"$ref": f"#/$defs/{self._require_def(ref)}"}
            else:
                target, needs = cache[key]
                for needed in sorted(needs):
                    self._require_def(needed)
        return self._with_siblings(target, siblings, pointer)

    def _with_siblings(self, target: dict[str, Any], siblings: dict[str, Any], pointer: str) -> dict[str, Any]:
        """The reference's schema and the keywords beside it, both applying (as with allOf).

        OpenAPI 3.1 says so; 3.0 says such keywords are ignored, but authors mean them
        (`{"$ref": ..., "required": ["ids"]}`, `"nullable": true`) and servers enforce them: they
        are honoured too, with a note where they are. A `type` that contradicts the reference's
        own is left out (no value could satisfy both).
        """
        extra = {k: v for k, v in siblings.items() if k not in ("$ref", "nullable")}
        nullable = siblings.get("nullable") is True
        target_type = self.resolve_def(target).get("type")
        if "type" in extra and target_type is not None and extra["type"] != target_type:
            del extra["type"]
        if self.schemas.version != "3.1":
            applied = sorted(k for k in extra if k in APPLIED_SIBLINGS) + (["nullable"] if nullable else [])
            if applied:
                self.schemas.note_once("I309", "keywords beside a $ref applied together with the referenced "
                                       f"schema: {', '.join(applied)} (OpenAPI 3.0 says to ignore them; "
                                       "rest2mcp reads them as their author meant)", pointer)
        converted = self._convert(extra, pointer) if extra else {}
        merged = _merged(target, converted)
        return _make_nullable(merged) if nullable and merged.get("type") != "null" else merged

    def _convert_target(self, ref: str) -> dict[str, Any]:
        target = self.schemas.resolver.lookup(ref)
        pointer = ref.removeprefix("#")
        return self._convert_schema(target, pointer)  # at the level of the reference

    def _convert(self, schema: Any, pointer: str) -> dict[str, Any]:
        if self._depth >= MAX_SCHEMA_DEPTH:
            raise SchemaTooDeep(pointer, f"the schema nests more than {MAX_SCHEMA_DEPTH} levels deep here "
                                "(references followed)")
        self._depth += 1
        try:
            return self._convert_schema(schema, pointer)
        finally:
            self._depth -= 1

    def _convert_schema(self, schema: Any, pointer: str) -> dict[str, Any]:
        if schema is True:
            return {}
        if schema is False:
            return {"not": {}}
        if not isinstance(schema, dict):
            self.schemas.warn_once("W302", "a schema must be an object; treated as 'any value'", pointer)
            return {}
        if "$ref" in schema:
            return self._ref(schema["$ref"], schema, pointer)

        out: dict[str, Any] = {}
        for key, value in schema.items():
            self._keyword(out, key, value, schema, pointer)
        if self.direction == "input" and "discriminator" in schema:
            out = pin_variants(schema, out)
        if self.direction == "input" and declares_base64(out):
            # Base64 text (`format: byte`): the API refuses anything else, so the schema says so.
            out = with_pattern(out, BASE64_PATTERN)

        if self.direction == "output":
            for key in OUTPUT_DROPPED & out.keys():  # the few present, not a pop per keyword
                del out[key]
            if out.get("additionalProperties") is False or out.get("additionalProperties") == {"not": {}}:
                del out["additionalProperties"]

        types = out.get("type")
        nullable = schema.get("nullable") is True
        if isinstance(types, list):
            others = [t for t in types if t != "null"]
            nullable = nullable or len(others) < len(types)
            if len(others) <= 1:
                out["type"] = others[0] if others else "null"
            else:  # [string, integer]: anyOf, which every client reads (some refuse type arrays)
                del out["type"]
                choices = [{"type": t} for t in others] + ([{"type": "null"}] if nullable else [])
                nullable = False
                if "anyOf" in out:  # both must hold
                    out["allOf"] = [*out.get("allOf", []), {"anyOf": choices}]
                else:
                    out["anyOf"] = choices

        if "default" in out and not _default_fits(out, nullable):
            del out["default"]
        if nullable and "enum" in out and None not in out["enum"]:
            nullable = False  # an enum that does not list null excludes it (OpenAPI 3.0.3, JSON Schema)
        if nullable and out.get("type") != "null":
            return _make_nullable(out)
        return out

    def _keyword(self, out: dict[str, Any], key: str, value: Any, schema: dict[str, Any], pointer: str) -> None:
        where = f"{pointer}/{key}"
        if key == "type":
            values = value if isinstance(value, list) else [value]
            valid = [v for v in values if isinstance(v, str) and v in JSON_TYPES]  # (a document may give any value)
            if len(valid) != len(values):
                self.schemas.warn_once("W303", f"unknown type {value!r} dropped", where)
            if valid:
                out["type"] = valid[0] if not isinstance(value, list) else list(dict.fromkeys(valid))
        elif key in SCHEMA_KEYWORDS:
            if key == "items" and isinstance(value, list):  # draft-04 tuple form
                out["prefixItems"] = [self._convert(v, f"{where}/{i}") for i, v in enumerate(value)]
            elif isinstance(value, (dict, bool)):
                out[key] = self._convert(value, where)
        elif key in SCHEMA_MAP_KEYWORDS:
            if isinstance(value, dict):
                converted = {}
                for name, sub in value.items():
                    if key == "patternProperties" and not regex_ok(name):
                        self.schemas.warn_once("W304", f"invalid regular expression {name!r} dropped", where)
                        continue
                    if key == "properties" and self._hidden(sub):
                        continue
                    converted[name] = self._convert(sub, f"{where}/{_escape(name)}")
                out[key] = converted
        elif key in SCHEMA_LIST_KEYWORDS:
            if isinstance(value, list) and value:
                out[key] = [self._convert(v, f"{where}/{i}") for i, v in enumerate(value)]
        elif key == "required":
            if isinstance(value, list):
                hidden = self._hidden_names(schema)
                names = [n for n in dict.fromkeys(value) if isinstance(n, str) and n not in hidden]
                if names:
                    out["required"] = names
        elif key in ("exclusiveMaximum", "exclusiveMinimum"):
            bound = "maximum" if key == "exclusiveMaximum" else "minimum"
            if isinstance(value, bool):
                if value and is_number(schema.get(bound)):
                    out[key] = schema[bound]
            elif is_number(value):
                out[key] = value
        elif key in NUMBERS:
            if is_number(value) and not (schema.get("exclusive" + key.capitalize()) is True):
                out[key] = value
        elif key == "multipleOf":
            if is_number(value) and value > 0:
                out[key] = value
        elif key in NON_NEGATIVE_INT:
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                out[key] = value
        elif key in STRINGS:
            if isinstance(value, str):
                out[key] = cap(value, SCHEMA_TEXT_LIMIT) if key in ("title", "description") else value
        elif key in BOOLEANS:
            if isinstance(value, bool):
                out[key] = value
        elif key == "pattern":
            if regex_ok(value):
                out[key] = value
            else:
                self.schemas.warn_once("W304", f"invalid regular expression {value!r} dropped", where)
        elif key == "enum":
            if isinstance(value, list) and value:
                out[key] = value
        elif key in ("const", "default") or (key == "dependentRequired" and _string_lists(value)):
            out[key] = value
        # everything else (OpenAPI-only keywords, annotations, extensions, $defs) is dropped

    def _hidden(self, sub: Any) -> bool:
        """A property the model must not see in this direction (readOnly in input, writeOnly in output)."""
        flag = "readOnly" if self.direction == "input" else "writeOnly"
        if not isinstance(sub, dict):
            return False
        if sub.get(flag) is True:
            return True
        if "$ref" in sub:
            try:
                target = self.schemas.resolver.deref(sub)
            except UnresolvableRef:
                return False
            return isinstance(target, dict) and target.get(flag) is True
        return False

    def _hidden_names(self, schema: dict[str, Any], depth: int = 0) -> set[str]:
        """Hidden properties of a schema, including those its allOf members declare."""
        hidden: set[str] = set()
        properties = schema.get("properties")
        if isinstance(properties, dict):
            hidden.update(name for name, sub in properties.items() if self._hidden(sub))
        members = schema.get("allOf")
        if isinstance(members, list) and depth < 16:
            for member in members:
                try:
                    member = self.schemas.resolver.deref(member)
                except UnresolvableRef:
                    continue
                if isinstance(member, dict):
                    hidden.update(self._hidden_names(member, depth + 1))
        return hidden


def _merged(target: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """A referenced schema with the (converted) keywords beside its reference: annotations and
    keywords it lacks added to it, `required` names joined; anything else both apply, via allOf."""
    if not extra:
        return target
    annotations = {k: v for k, v in extra.items() if k in ANNOTATIONS}
    if "$ref" in target:  # a shared definition: kept whole, the keywords beside it in allOf
        rest = {k: v for k, v in extra.items() if k not in ANNOTATIONS}
        return {**annotations, "allOf": [target, *([rest] if rest else [])]}
    combined, leftovers = dict(target), {}
    for key, value in extra.items():
        if key not in combined or key in ANNOTATIONS:
            combined[key] = value
        elif key == "required":
            combined[key] = list(dict.fromkeys([*combined[key], *value]))
        elif key == "properties" and not set(value) & set(combined[key]):
            combined[key] = {**combined[key], **value}
        elif combined[key] != value:
            leftovers[key] = value
    if leftovers:
        combined["allOf"] = [*combined.get("allOf", []), leftovers]
    return combined


def _make_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    outer: dict[str, Any] = {k: schema[k] for k in ("title", "description", "default") if k in schema}
    inner = {k: v for k, v in schema.items() if k not in outer}
    outer["anyOf"] = [inner, {"type": "null"}]
    return outer


def _default_fits(schema: dict[str, Any], nullable: bool) -> bool:
    """A default the schema's own type accepts (documents often give "false" for a boolean)."""
    default, json_type = schema["default"], schema.get("type")
    if not isinstance(json_type, str) or (nullable and default is None):
        return True
    return matches_type(default, json_type)


def _string_lists(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values()
    )


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")
