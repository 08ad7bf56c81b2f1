"""Output schemas made shallower (output.py): object properties kept down to some level, below it an
object is its type and description.

A schema that does not fit its budget is cut at level 8, then 6, 5, ... each cut made from the one
before. The parts of a document's schemas are mostly the same parts (measure.py gives each content
one object), so each part is cut once per number of levels left (and per `$defs` it reads), and a
part that no level it keeps would change is returned as it is: cutting a schema costs what is new
in it, not its whole size at every level.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from rest2mcp.schemas.measure import Measures

NULL = "null"
_NOTHING: dict[str, Any] = {}  # no $defs wanted, none read: shared by every cut without references
_ABSENT = object()  # a `$defs` name the schema does not have
_ANY_DEPTH = 1 << 30  # a part a cut may change at any depth


class Cuts:
    """Cuts of the parts of one document's output schemas, remembered."""

    def __init__(self, measures: Measures) -> None:
        self.measures = measures
        # (content number of a part, levels left) -> the part cut, when it reads no $defs entry;
        # else -> (the part cut; the $defs it wants kept at which depth; the $defs it read: name ->
        # content number, or _ABSENT), valid in any schema whose $defs of those names are the same
        self._plain: dict[tuple[int, int], Any] = {}
        self._reading: dict[tuple[int, int], tuple[Any, dict[str, int], dict[str, Any]]] = {}
        self._reaches: dict[int, tuple[int, dict[str, int]]] = {}  # content number -> see _reach

    def shallow(self, schema: dict[str, Any], level: int) -> dict[str, Any]:
        """`schema` (lenient) with object properties kept down to `level` levels below the root; below
        that an object is its type and description. A `$defs` entry reached from a level is kept as
        deep as the shallowest reference to it needs; one reached at the last level becomes its summary."""
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
        # Most parts are known: their number and reach are looked up here, not through calls.
        number = self.measures.known.get(id(node))
        if number is None:
            number = self.measures.number(node)
        node = self.measures.first(number)  # the one object of its content, whose parts are known
        reach = self._reaches.get(number)
        depth, refs = reach if reach is not None else self._reach(node, number)
        if levels >= depth:  # nothing to cut (most parts, at most levels): the part as it is
            if not refs:
                return node, _NOTHING, _NOTHING
            if all(name in defs for name in refs):  # its references kept, their bodies wanted
                return (node, {name: levels - below for name, below in refs.items()},
                        {name: numbers[name] for name in refs})
        key = (number, levels)
        plain = self._plain.get(key)
        if plain is not None:
            return plain, _NOTHING, _NOTHING
        known = self._reading.get(key)
        if known is not None and all(numbers.get(name, _ABSENT) == read for name, read in known[2].items()):
            return known
        cut = self._cut_once(node, levels, defs, numbers)
        if cut[2] is _NOTHING:  # (a part that wants a $defs entry reads it too)
            self._plain[key] = cut[0]
        else:
            self._reading[key] = cut
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
                    sub_number = self.measures.known.get(id(sub))
                    if sub_number is None:
                        sub_number = self.measures.number(sub)
                    sub_reach = self._reaches.get(sub_number)
                    sub_depth, sub_refs = sub_reach if sub_reach is not None else self._reach(sub, sub_number)
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
            out = simpler_choice({**out, "anyOf": distinct})
        return self.measures.canonical(out), wants, reads


def simpler_choice(schema: dict[str, Any]) -> dict[str, Any]:
    """An `anyOf` said more briefly: its null branch dropped (each branch takes null already), and a
    single branch left, or branches that are types only, merged into the schema."""
    choices = [c for c in schema["anyOf"] if c != {"type": NULL}]
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    if not choices:
        return {**rest, "type": NULL} if "type" not in rest else rest
    if len(choices) == 1 and set(choices[0]) & set(rest) <= {"description"}:
        return {**choices[0], **rest}  # the description beside the choice is the one about this value
    if all(set(c) == {"type"} for c in choices) and "type" not in rest:
        types: list[str] = []
        for choice in choices:
            types += choice["type"] if isinstance(choice["type"], list) else [choice["type"]]
        return {**rest, "type": list(dict.fromkeys([t for t in types if t != NULL] + [NULL]))}
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
