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
from typing import Any, Hashable

from rest2mcp.schemas.keywords import OUTPUT_DROPPED, SCHEMA_LIST_KEYWORDS, SCHEMA_MAP_KEYWORDS
from rest2mcp.schemas.measure import Measures
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
_NULL = "null"


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


_NOTHING: dict[str, Any] = {}  # no $defs wanted, none read: shared by every cut without references
_ABSENT = object()  # a `$defs` name the schema does not have
_ANY_DEPTH = 1 << 30  # a part a cut may change at any depth


class OutputSchemas:
    """The output schemas of one document, shaped with what each step learnt kept.

    The tools of a document return the same component schemas again and again (GitHub's API: 1,200
    operations over a few hundred schemas), and the converter hands out the same objects for them.
    So each step is remembered per part: the lenient form of each converted object (by `id()`, the
    object kept so the id stays its own), each part's content number and size (measure.py), each
    part cut to each depth (by content number), the sharing numbers (sharing.py), and each whole
    output schema. Shaping a schema then costs what is new in it, and a document costs time in
    proportion to its size. Every result is shared: nothing made here is changed in place.
    """

    def __init__(self) -> None:
        self.measures = Measures()
        self._parts = Parts()
        self._lenient: dict[int, dict[str, Any]] = {}  # id() of a converted schema -> its lenient form
        self._alive: list[Any] = []  # the schemas _lenient has seen, so that their ids stay their own
        # (content number of a part, levels left) -> the part cut, when it reads no $defs entry;
        # else -> (the part cut; the $defs it wants kept at which depth; the $defs it read: name ->
        # content number, or _ABSENT), valid in any schema whose $defs of those names are the same
        self._cuts: dict[tuple[int, int], Any] = {}
        self._cuts_reading: dict[tuple[int, int], tuple[Any, dict[str, int], dict[str, Any]]] = {}
        self._fitted: dict[tuple[int, int], dict[str, Any] | None] = {}
        self._reaches: dict[int, tuple[int, dict[str, int]]] = {}  # content number -> see _reach

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

    # -- lenient ----------------------------------------------------------------------------------

    def lenient(self, schema: Any) -> dict[str, Any]:
        """See the module function `lenient`."""
        if not isinstance(schema, dict):  # true, or false: a value the document says cannot be is returned anyway
            return {}
        known = self._lenient.get(id(schema))
        if known is not None:
            return known
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key in LEFT_OUT:
                continue
            if key in SCHEMA_MAP_KEYWORDS or key == "$defs":
                if isinstance(value, dict):
                    out[key] = {name: self.lenient(sub) for name, sub in value.items()}
            elif key in SCHEMA_LIST_KEYWORDS:
                if isinstance(value, list):
                    out[key] = [self.lenient(sub) for sub in value]
            elif key == "additionalProperties":
                if isinstance(value, dict) and value and value != {"not": {}}:
                    out[key] = self.lenient(value)
            elif key == "items":
                if isinstance(value, dict) and value:
                    out[key] = self.lenient(value)
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
            out["type"] = _types(tuple(others)) if others else _NULL
        if "anyOf" in out:
            out = _simpler_choice(out)
        out = self.measures.canonical(out)
        self._lenient[id(schema)] = out
        self._alive.append(schema)
        return out

    # -- shallower --------------------------------------------------------------------------------

    def shallow(self, schema: dict[str, Any], level: int) -> dict[str, Any]:
        """See the module function `shallow`."""
        defs: dict[str, Any] = schema.get("$defs") or {}
        numbers = {name: self.measures.part(body) for name, body in defs.items()}
        wanted: dict[str, int] = {}  # $defs name -> the levels its body may keep
        pending: list[str] = []

        def want(wants: dict[str, int]) -> None:
            for name, levels in wants.items():
                if wanted.get(name, -1) < levels:
                    wanted[name] = levels
                    pending.append(name)

        result, wants, _ = self._cut(schema, level, defs, numbers)
        want(wants)
        # A body is cut again when a deeper reference to it turns up: the last cut is the deepest asked.
        kept: dict[str, Any] = {}
        while pending:
            name = pending.pop()
            kept[name], wants, _ = self._cut(defs[name], wanted[name], defs, numbers)
            want(wants)
        if kept:
            result = {**result, "$defs": {name: kept[name] for name in sorted(kept)}}
        return result

    def _cut(self, node: Any, levels: int, defs: dict[str, Any], numbers: dict[str, Hashable],
             ) -> tuple[Any, dict[str, int], dict[str, Any]]:
        """`node` with object properties kept `levels` levels deep, the `$defs` it wants kept (name ->
        levels) and the `$defs` it read (name -> content number): a part cut once is the same cut in
        any schema whose `$defs` of those names are the same."""
        if not isinstance(node, dict):
            return node, _NOTHING, _NOTHING
        levels = max(levels, 0)  # every level below the last is cut alike
        number = self.measures.number(node)
        node = self.measures.first(number)  # the one object of its content, whose parts are known
        depth, refs = self._reach(node, number)
        if levels >= depth:  # nothing to cut (most parts, at most levels): the part as it is
            if not refs:
                return node, _NOTHING, _NOTHING
            if all(name in defs for name in refs):  # its references kept, their bodies wanted
                return (node, {name: levels - below for name, below in refs.items()},
                        {name: numbers[name] for name in refs})
        key = (number, levels)
        plain = self._cuts.get(key)
        if plain is not None:
            return plain, _NOTHING, _NOTHING
        known = self._cuts_reading.get(key)
        if known is not None and all(numbers.get(name, _ABSENT) == number for name, number in known[2].items()):
            return known
        cut = self._cut_once(node, levels, defs, numbers)
        if cut[2] is _NOTHING:  # (a part that wants a $defs entry reads it too)
            self._cuts[key] = cut[0]
        else:
            self._cuts_reading[key] = cut
        return cut

    def _reach(self, node: dict[str, Any], number: int) -> tuple[int, dict[str, int]]:
        """The fewest levels a cut of `node` may keep and change nothing (`_ANY_DEPTH` when a cut may
        change it at any depth: a choice, `$defs`), and the `$defs` entries it references, each with
        the fewest levels of properties above a reference to it. A reference is kept as it is at any
        level but the last (its siblings too), so what is below it does not count."""
        known = self._reaches.get(number)
        if known is not None:
            return known
        name = _def_of(node)
        depth, refs = (1, {name: 0}) if name is not None else (0, _NOTHING)
        for key, value in node.items() if name is None else ():
            if key in ("anyOf", "$defs"):
                depth = _ANY_DEPTH
                continue
            below = 1 if key in ("properties", "patternProperties", "additionalProperties") else 0
            if key in ("properties", "patternProperties"):
                subs = list(value.values()) if isinstance(value, dict) else None
                depth = max(depth, 1)  # the keyword itself goes at the last level, even empty
            elif key == "additionalProperties":
                subs = [value]
                depth = max(depth, 1)
            elif key == "items":
                subs = [value]
            elif key in ("allOf", "prefixItems"):
                subs = value if isinstance(value, list) else None
            else:
                continue
            if subs is None:  # not the shape a schema has: cut the long way
                depth = _ANY_DEPTH
                continue
            for sub in subs:
                if isinstance(sub, dict):
                    sub_depth, sub_refs = self._reach(sub, self.measures.number(sub))
                    depth = max(depth, below + sub_depth)
                    for ref, levels in sub_refs.items():
                        if refs is _NOTHING:
                            refs = {}
                        if refs.get(ref, _ANY_DEPTH) > below + levels:
                            refs[ref] = below + levels
        known = self._reaches[number] = (min(depth, _ANY_DEPTH), refs)
        return known

    def _cut_once(self, node: dict[str, Any], levels: int, defs: dict[str, Any], numbers: dict[str, Hashable],
                  ) -> tuple[Any, dict[str, int], dict[str, Any]]:
        name = _def_of(node)
        if name is not None and name in defs:
            read = {name: numbers[name]}
            if levels <= 0:
                summary = {**_summary(defs[name]), **{k: v for k, v in node.items() if k != "$ref"}}
                return self.measures.canonical(summary), _NOTHING, read
            return node, {name: levels}, read
        # What the subschemas want and read, gathered in dicts of this cut's own (made when first needed).
        wants: dict[str, int] = _NOTHING
        reads: dict[str, Any] = {name: _ABSENT} if name is not None else _NOTHING

        def cut(sub: Any, sub_levels: int) -> Any:
            nonlocal wants, reads
            part, sub_wants, sub_reads = self._cut(sub, sub_levels, defs, numbers)
            if sub_wants:
                if wants is _NOTHING:
                    wants = {}
                for wanted_name, wanted_levels in sub_wants.items():
                    if wants.get(wanted_name, -1) < wanted_levels:
                        wants[wanted_name] = wanted_levels
            if sub_reads:
                if reads is _NOTHING:
                    reads = {}
                reads.update(sub_reads)
            return part

        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("properties", "patternProperties"):
                if levels > 0:
                    out[key] = {k: cut(v, levels - 1) for k, v in value.items()}
            elif key == "additionalProperties":
                if levels > 0:
                    out[key] = cut(value, levels - 1)
            elif key == "items":
                out[key] = cut(value, levels)
            elif key in ("anyOf", "allOf", "prefixItems"):
                out[key] = [cut(v, levels) for v in value]
            elif key != "$defs":
                out[key] = value
        if "anyOf" in out:  # branches that differed only below the last level are one now
            distinct = [c for i, c in enumerate(out["anyOf"]) if c not in out["anyOf"][:i]]
            out = _simpler_choice({**out, "anyOf": distinct})
        return self.measures.canonical(out), wants, reads


@lru_cache(maxsize=256)
def _types(others: tuple[str, ...]) -> list[str]:
    """A type array that takes null: one list per set of types, shared (never changed in place), so
    that it is measured once."""
    return [*others, _NULL]


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
