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
from rest2mcp.schemas.measure import Measures
from rest2mcp.schemas.shallow import NULL, Cuts, simpler_choice, undescribed
from rest2mcp.schemas.sharing import Parts, shared
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


def size(schema: Any) -> int:
    return len(json.dumps(schema, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def output_schema(root: dict[str, Any], budget: int, schemas: OutputSchemas | None = None) -> dict[str, Any] | None:
    """The tool's output schema (a `{"type": "object", ...}` root, `$defs` included) made lenient,
    then smaller until it fits `budget` bytes of compact JSON; None when even its top level does not.
    `schemas`: what the document's other output schemas taught (see OutputSchemas)."""
    return (schemas or OutputSchemas()).fitted(root, budget)


def lenient(schema: Any) -> dict[str, Any]:
    """`schema` as an output schema: null allowed everywhere, no assertion but types (see above)."""
    return OutputSchemas().lenient(schema)


def shallow(schema: dict[str, Any], level: int) -> dict[str, Any]:
    """`schema` (lenient) with object properties kept down to `level` levels below the root; below
    that an object is its type and description. A `$defs` entry reached from a level is kept as
    deep as the shallowest reference to it needs; one reached at the last level becomes its summary."""
    return OutputSchemas().shallow(schema, level)


class OutputSchemas:
    """The output schemas of one document, shaped with what each step learnt kept.

    The tools of a document return the same component schemas again and again (GitHub's API: 1,200
    operations over a few hundred schemas), and the converter hands out the same objects for them.
    So each step is remembered per part: the lenient form of each converted object (by `id()`, the
    object kept so the id stays its own), each part's content number and size (measure.py), each
    part cut to each depth (shallow.py), the sharing numbers (sharing.py), and each whole output
    schema. Shaping a schema then costs what is new in it, and a document costs time in
    proportion to its size. Every result is shared: nothing made here is changed in place.
    """

    def __init__(self) -> None:
        self.measures = Measures()
        self._parts = Parts()
        self._lenient: dict[int, dict[str, Any]] = {}  # id() of a converted schema -> its lenient form
        self._alive: list[Any] = []  # the schemas _lenient has seen, so that their ids stay their own
        self._cuts = Cuts(self.measures)
        self._fitted: dict[tuple[int, int], dict[str, Any] | None] = {}
        # (key, value) pairs of a schema whose values are all strings -> its lenient form (see `lenient`)
        self._leaves: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}

    def size(self, schema: Any) -> int:
        return self.measures.size(schema)

    def fitted(self, root: dict[str, Any], budget: int) -> dict[str, Any] | None:
        """See `output_schema`."""
        if budget <= 0:  # --max-output-schema 0: no output schemas
            return None
        schema = {**self.lenient(root), "type": "object"}  # the root is the result itself: never null
        # Many operations return the same schema (a list, an error, an object of the API): each
        # distinct one is shaped once.
        key = (self.measures.number(schema), budget)
        if key not in self._fitted:
            self._fitted[key] = self._shaped(schema, budget)
        return self._fitted[key]

    def _shaped(self, schema: dict[str, Any], budget: int) -> dict[str, Any] | None:
        current = self.size(schema)
        if current <= budget:
            return schema
        # Each cut is made from the one before (the same as from the whole, and faster). Sharing reads
        # the whole schema once per part it shares, so one many times its budget (some APIs give
        # hundreds of kB) is first cut to a level within reach of it.
        levels = iter(LEVELS)
        while current > budget * REACH and (level := next(levels, None)) is not None:
            schema = self.shallow(schema, level)
            current = self.size(schema)
        schema = shared(schema, self._parts)  # more levels fit once repeated parts are written once
        for level in LEVELS:
            if self.size(schema) <= budget:
                return schema
            schema = self.shallow(schema, level)
        if self.size(schema) <= budget:
            return schema
        names_and_types = undescribed(schema)  # the top level, property names and types only
        return names_and_types if self.size(names_and_types) <= budget else None

    def shallow(self, schema: dict[str, Any], level: int) -> dict[str, Any]:
        """See the module function `shallow` (shallow.py)."""
        return self._cuts.shallow(schema, level)

    # -- lenient ----------------------------------------------------------------------------------

    def lenient(self, schema: Any) -> dict[str, Any]:
        """See the module function `lenient`."""
        if not isinstance(schema, dict):  # true, or false: a value the document says cannot be is returned anyway
            return {}
        known = self._lenient.get(id(schema))
        if known is not None:
            return known
        # Most schemas the converter makes afresh for each tool are leaves (`{"type": "string"}`,
        # a format, a description): ones whose values are strings only are known by their pairs,
        # without reading them one by one (in C, they make a key; they stay alive in it).
        strings = set(map(type, schema.values())) <= _STRINGS and set(map(type, schema)) <= _STRINGS
        leaf = tuple(schema.items()) if strings else None
        if leaf is not None:
            known = self._leaves.get(leaf)
            if known is not None:
                return known
        out: dict[str, Any] = {}
        for key, value in schema.items():
            kind = _KINDS.get(key, _KEEP)  # one look-up per keyword (this runs for every new node)
            if kind is _KEEP:
                out[key] = value
            elif kind is _MAP:
                if isinstance(value, dict):  # (the parts known are looked up here, not through calls)
                    out[key] = {name: self._lenient.get(id(sub)) or self.lenient(sub) for name, sub in value.items()}
            elif kind is _DESCRIPTION:
                if isinstance(value, str) and (text := _brief(value)):
                    out[key] = text
            elif kind is _LIST:
                if isinstance(value, list):
                    out[key] = [self._lenient.get(id(sub)) or self.lenient(sub) for sub in value]
            elif kind is _ADDITIONAL:
                if isinstance(value, dict) and value and value != {"not": {}}:
                    out[key] = self.lenient(value)
            elif kind is _ITEMS and isinstance(value, dict) and value:
                out[key] = self.lenient(value)
        if "oneOf" in out:  # with constraints gone, several branches can match one value: any will do
            choices = out.pop("oneOf")
            if "anyOf" in out:
                out["allOf"] = [*out.get("allOf", []), {"anyOf": choices}]
            else:
                out["anyOf"] = choices
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            others = [t for t in dict.fromkeys(types) if t != NULL]
            out["type"] = _types(tuple(others)) if others else NULL
        if "anyOf" in out:
            out = simpler_choice(out)
        out = self.measures.canonical(out)
        if leaf is not None:
            self._leaves[leaf] = out
        else:
            self._lenient[id(schema)] = out
            self._alive.append(schema)
        return out


_STRINGS = {str}

# What `lenient` does with each keyword (any other is kept as it is). Written in the order of
# precedence, lowest first: a keyword in two groups takes the later one.
_KEEP, _SKIP, _MAP, _LIST, _ADDITIONAL, _ITEMS, _DESCRIPTION = (object() for _ in range(7))
_KINDS: dict[str, object] = {
    "description": _DESCRIPTION,
    "not": _SKIP, "propertyNames": _SKIP, "unevaluatedProperties": _SKIP, "unevaluatedItems": _SKIP,
    "items": _ITEMS,
    "additionalProperties": _ADDITIONAL,
    **dict.fromkeys(SCHEMA_LIST_KEYWORDS, _LIST),
    **dict.fromkeys((*SCHEMA_MAP_KEYWORDS, "$defs"), _MAP),
    **dict.fromkeys(LEFT_OUT, _SKIP),
}


@lru_cache(maxsize=256)
def _types(others: tuple[str, ...]) -> list[str]:
    """A type array that takes null: one list per set of types, shared (never changed in place), so
    that it is measured once."""
    return [*others, NULL]


@lru_cache(maxsize=4096)
def _brief(text: str) -> str:  # the same descriptions come back in every tool that returns the schema
    return brief(text, OUTPUT_TEXT_LIMIT)
