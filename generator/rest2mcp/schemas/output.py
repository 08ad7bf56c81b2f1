"""Output schemas that accept what APIs really return, at a size every tools/list can carry.

A client checks each result against the tool's output schema and refuses the whole result when one
value breaks it, so an output schema promises only what real responses keep: the names of the
properties, their types, and what they mean. Any value may be null (documents rarely say which are);
any property may be missing or added; no enum, format, pattern, bound, length or `const` is
asserted (APIs add enum values and return dates in their own formats); `oneOf` is read as `anyOf`
(once constraints are gone, several branches match the same value). Null is written as a type array,
`["string", "null"]`, not as the `anyOf` input schemas use: the model providers that refuse type
arrays are given input schemas, output schemas are read by the clients' validators, and the array
costs a third of the bytes.

Every tools/list carries every output schema, so each one gets a byte budget: one larger has its
repeated parts written once (sharing.py), then is made shallower (nested objects below some level
kept as their type and description only), then keeps only its top-level names and types, and is
left out when not even those fit. Descriptions are cut to what a model reads (`text.brief`).

The converter (convert.py) has already dropped most constraints of the output direction; this
module makes the promise whole and the size bounded. Nodes are never changed in place: the
converter shares converted schemas between tools.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from rest2mcp.schemas.keywords import OUTPUT_DROPPED, SCHEMA_LIST_KEYWORDS, SCHEMA_MAP_KEYWORDS
from rest2mcp.schemas.sharing import shared
from rest2mcp.text import brief

# Keywords output schemas leave out: they assert what real responses may break, or tell a model
# nothing it needs to read a result.
LEFT_OUT = OUTPUT_DROPPED | {"format", "title", "default", "examples", "if", "then", "else", "contains",
                             "dependentSchemas", "deprecated", "readOnly", "writeOnly"}
# A description in an output schema is cut near this many characters.
OUTPUT_TEXT_LIMIT = 200
# How much larger than its budget a schema may be when its repeated parts are looked for.
REACH = 8
# Shallower and shallower: the deepest level of object properties kept, until a schema fits.
LEVELS = (8, 6, 5, 4, 3, 2, 1)
_NULL = "null"


def size(schema: Any) -> int:
    return len(json.dumps(schema, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def output_schema(root: dict[str, Any], budget: int) -> dict[str, Any] | None:
    """The tool's output schema (a `{"type": "object", ...}` root, `$defs` included) made lenient,
    then smaller until it fits `budget` bytes of compact JSON; None when even its top level does not."""
    if budget <= 0:  # --max-output-schema 0: no output schemas
        return None
    # Many operations return the same schema (a list, an error, an object of the API): each distinct
    # one is shaped once. `repr` tells apart what JSON would not (1 and "1" as keys, 1 and 1.0).
    key = (repr(root), budget)
    if key not in _FITTED:
        if len(_FITTED) >= _FITTED_KEPT:
            del _FITTED[next(iter(_FITTED))]  # the oldest
        _FITTED[key] = _shaped(root, budget)
    return _FITTED[key]  # shared by the tools that return the same schema: nodes are never changed in place


# The output schemas shaped lately, by their input's repr and budget (a pure function's results).
_FITTED: dict[tuple[str, int], dict[str, Any] | None] = {}
_FITTED_KEPT = 256


def _shaped(root: dict[str, Any], budget: int) -> dict[str, Any] | None:
    schema = lenient(root)
    schema["type"] = "object"  # the root is the result itself: an object, never null
    current = size(schema)
    if current <= budget:
        return schema
    # Each cut is made from the one before (the same as from the whole, and faster). Sharing reads
    # the whole schema once per part it shares, so one many times its budget (some APIs give
    # hundreds of kB) is first cut to a level within reach of it.
    levels = iter(LEVELS)
    while current > budget * REACH and (level := next(levels, None)) is not None:
        schema = shallow(schema, level)
        current = size(schema)
    schema = shared(schema)  # more levels fit once repeated parts are written once
    for level in LEVELS:
        if size(schema) <= budget:
            return schema
        schema = shallow(schema, level)
    if size(schema) <= budget:
        return schema
    names_and_types = undescribed(schema)  # the top level, property names and types only
    return names_and_types if size(names_and_types) <= budget else None


# -- lenient --------------------------------------------------------------------------------------


def lenient(schema: Any) -> dict[str, Any]:
    """`schema` as an output schema: null allowed everywhere, no assertion but types (see above)."""
    if not isinstance(schema, dict):  # true, or false: a value the document says cannot be is returned anyway
        return {}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in LEFT_OUT:
            continue
        if key in SCHEMA_MAP_KEYWORDS or key == "$defs":
            if isinstance(value, dict):
                out[key] = {name: lenient(sub) for name, sub in value.items()}
        elif key in SCHEMA_LIST_KEYWORDS:
            if isinstance(value, list):
                out[key] = [lenient(sub) for sub in value]
        elif key == "additionalProperties":
            if isinstance(value, dict) and value and value != {"not": {}}:
                out[key] = lenient(value)
        elif key == "items":
            if isinstance(value, dict) and value:
                out[key] = lenient(value)
        elif key in ("not", "propertyNames", "unevaluatedProperties", "unevaluatedItems"):
            continue
        elif key == "description":
            if isinstance(value, str) and _brief(value):
                out[key] = _brief(value)
        else:
            out[key] = value
    if "oneOf" in out:  # with constraints gone, several branches can match one value: any will do
        choices = out.pop("oneOf")
        if "anyOf" in out:
            out["allOf"] = [*out.get("allOf", []), {"anyOf": choices}]
        else:
            out["anyOf"] = choices
    if "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        others = [t for t in dict.fromkeys(types) if t != _NULL]
        out["type"] = [*others, _NULL] if others else _NULL
    if "anyOf" in out:
        return _simpler_choice(out)
    return out


@lru_cache(maxsize=4096)
def _brief(text: str) -> str:  # the same descriptions come back in every tool that returns the schema
    return brief(text, OUTPUT_TEXT_LIMIT)


def _simpler_choice(schema: dict[str, Any]) -> dict[str, Any]:
    """An `anyOf` said more briefly: its null branch dropped (each branch takes null already), and a
    single branch left, or branches that are types only, merged into the schema."""
    choices = [c for c in schema["anyOf"] if c != {"type": _NULL}]
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    if not choices:
        return {**rest, "type": _NULL} if "type" not in rest else rest
    if len(choices) == 1 and set(choices[0]) & set(rest) <= {"description"}:
        return {**choices[0], **rest}  # the description beside the choice is the one about this value
    if all(set(c) == {"type"} for c in choices) and "type" not in rest:
        types: list[str] = []
        for choice in choices:
            types += choice["type"] if isinstance(choice["type"], list) else [choice["type"]]
        return {**rest, "type": list(dict.fromkeys([t for t in types if t != _NULL] + [_NULL]))}
    return {**rest, "anyOf": choices}


# -- shallower ------------------------------------------------------------------------------------


def shallow(schema: dict[str, Any], level: int) -> dict[str, Any]:
    """`schema` (lenient) with object properties kept down to `level` levels below the root; below
    that an object is its type and description. A `$defs` entry reached from a level is kept as
    deep as the shallowest reference to it needs; one reached at the last level becomes its summary."""
    defs: dict[str, Any] = schema.get("$defs") or {}
    wanted: dict[str, int] = {}  # $defs name -> the levels its body may keep
    pending: list[str] = []

    def visit(node: Any, at: int) -> Any:
        if not isinstance(node, dict):
            return node
        name = _def_of(node)
        if name is not None and name in defs:
            if at >= level:
                return {**_summary(defs[name]), **{k: v for k, v in node.items() if k != "$ref"}}
            if wanted.get(name, -1) < level - at:
                wanted[name] = level - at
                pending.append(name)
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("properties", "patternProperties"):
                if at < level:
                    out[key] = {k: visit(v, at + 1) for k, v in value.items()}
            elif key == "additionalProperties":
                if at < level:
                    out[key] = visit(value, at + 1)
            elif key in ("items",):
                out[key] = visit(value, at)
            elif key in ("anyOf", "allOf", "prefixItems"):
                out[key] = [visit(v, at) for v in value]
            elif key != "$defs":
                out[key] = value
        if "anyOf" in out:  # branches that differed only below the last level are one now
            distinct = [c for i, c in enumerate(out["anyOf"]) if c not in out["anyOf"][:i]]
            return _simpler_choice({**out, "anyOf": distinct})
        return out

    result = visit(schema, 0)
    kept: dict[str, Any] = {}
    while pending:
        name = pending.pop()
        kept[name] = visit(defs[name], level - wanted[name])
    if kept:
        result["$defs"] = {name: kept[name] for name in sorted(kept)}
    return result


def undescribed(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (lenient) without the descriptions below its root."""
    def bare(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("properties", "patternProperties", "$defs"):
                out[key] = {name: bare(sub) for name, sub in value.items()}
            elif key in ("anyOf", "allOf", "prefixItems"):
                out[key] = [bare(sub) for sub in value]
            elif key in ("items", "additionalProperties"):
                out[key] = bare(value)
            elif key != "description":
                out[key] = value
        return out

    return {**schema, **bare(schema)}  # the root's own description stays, in its place


def _def_of(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return ref[len("#/$defs/"):]
    return None


def _summary(body: dict[str, Any]) -> dict[str, Any]:
    """What is kept of a schema below the last level: its type and description."""
    return {k: body[k] for k in ("type", "description") if k in body}
