"""Parts an output schema repeats, written once in its `$defs` and referenced where they were.

A response often holds the same object several times (a pull request's author, assignees, reviewers
and merger are all the same "user" schema); the converter shares only references larger than 2 KB,
and repeats of a smaller schema add up. Sharing them leaves room, within an output schema's byte
budget (output.py), for levels that would otherwise be cut.

Equal parts are found in one pass per round by numbering each distinct subschema bottom-up (equal
content, equal number), so a large schema costs time in proportion to its size. The numbers are kept
per object (`Parts`) across rounds and across the schemas of a document, which share most of their
parts: a round then reads each part's number instead of working it out again.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Hashable

from rest2mcp.schemas.measure import quoted_size

# A part smaller than this (bytes of compact JSON) is left where it is: a reference costs ~30 bytes.
SHARE_MIN = 200
# At most this many parts are shared per schema (each round shares the one that saves the most).
MAX_SHARED = 32
_MAPS = ("properties", "patternProperties")
_ONE = ("items", "additionalProperties")
_LISTS = ("anyOf", "allOf", "prefixItems")


def shared(schema: dict[str, Any], parts: Parts | None = None) -> dict[str, Any]:
    """`schema` (a root with optional `$defs`) with its largest repeated parts moved to `$defs`.
    `parts`: the numbers of parts already known (schemas of one document share most parts)."""
    parts = parts or Parts()
    defs: dict[str, Any] = dict(schema.get("$defs") or {})
    body = {k: v for k, v in schema.items() if k != "$defs"}
    for _ in range(MAX_SHARED):
        index = _Round(parts)
        index.children(body)
        for entry in defs.values():
            index.children(entry)
        chosen = index.best()
        if chosen is None:
            break
        name = _free_name(index.hints[chosen], defs)
        replace = _Replace(parts, index.numbers[chosen], {"$ref": f"#/$defs/{name}"})
        first = index.first[chosen]
        body = replace.within(body)
        defs = {key: replace.within(entry) for key, entry in defs.items()}
        defs[name] = first
    if defs:
        body = {**body, "$defs": {name: defs[name] for name in sorted(defs)}}  # a new root: parts are never changed
    return body


# A subschema's hint (the name it has in its parent) is its parent's own: the items of an array, the
# branches of an anyOf are named after the array, the choice.
_INHERITED = None


class Parts:
    """Every subschema's number (equal content, equal number), its size (bytes of compact JSON), and
    its own subschemas with the hint each takes; kept per object (by `id()`, the object kept alive so
    the id stays its own), for parts are never changed in place."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[int, int, tuple[tuple[Any, str | None], ...]]] = {}
        self._alive: list[Any] = []  # what _known has seen, so that its ids stay its own
        self._numbers: dict[tuple[Any, ...], int] = {}

    def of(self, node: dict[str, Any]) -> tuple[int, int, tuple[tuple[Any, str | None], ...]]:
        """`node`'s number, size, and subschemas (each with the hint it takes, or _INHERITED)."""
        known = self._known.get(id(node))
        if known is not None:
            return known
        key, total, kids = self._read(node)
        number = self._numbers.setdefault(key, len(self._numbers))
        self._known[id(node)] = (number, total, kids)
        self._alive.append(node)
        return number, total, kids

    def _read(self, node: dict[str, Any]) -> tuple[tuple[Any, ...], int, tuple[tuple[Any, str | None], ...]]:
        parts: list[Any] = []
        kids: list[tuple[Any, str | None]] = []
        total = 2 + max(len(node) - 1, 0)  # braces and commas
        for key, value in node.items():
            total += quoted_size(key) + 1
            if key in _MAPS and isinstance(value, dict):
                named: list[tuple[str, Any]] = []
                total += 2 + max(len(value) - 1, 0)
                for name, sub in value.items():
                    number, grown = self._sub(sub, name, kids)
                    named.append((name, number))
                    total += quoted_size(name) + 1 + grown
                parts.append((key, tuple(named)))
            elif key in _ONE and isinstance(value, dict):
                number, grown = self._sub(value, _INHERITED if key == "items" else "", kids)
                parts.append((key, number))
                total += grown
            elif key in _LISTS and isinstance(value, list):
                listed: list[Any] = []
                total += 2 + max(len(value) - 1, 0)
                for sub in value:
                    number, grown = self._sub(sub, _INHERITED, kids)
                    listed.append(number)
                    total += grown
                parts.append((key, tuple(listed)))
            elif isinstance(value, str):
                parts.append((key, value))  # a string stands for itself
                total += quoted_size(value)
            else:  # any other value by its JSON, in a longer tuple: never equal to a string's
                text = (_strings_json(tuple(value)) if isinstance(value, list) and all(isinstance(v, str) for v in value)
                        else json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True))
                parts.append((key, text, None))
                total += len(text.encode("utf-8"))
        return tuple(parts), total, tuple(kids)

    def _sub(self, node: Any, hint: str | None, kids: list[tuple[Any, str | None]]) -> tuple[Hashable, int]:
        """The number and size of a subschema, listed among `kids`. Anything else (true, false) is
        never shared: its JSON stands for it."""
        if not isinstance(node, dict):
            text = json.dumps(node)
            return text, len(text)
        kids.append((node, hint))
        number, total, _ = self.of(node)
        return number, total


class _Round:
    """One round's count of each part below the roots it is given, in the order parts first end
    (bottom-up): the first of equally good parts is shared first."""

    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        self.index: dict[int, int] = {}  # a part's number -> its place in this round's lists
        self.numbers: list[int] = []
        self.count: list[int] = []
        self.size: list[int] = []
        self.hints: list[str] = []
        self.first: list[Any] = []

    def children(self, node: dict[str, Any], hint: str = "") -> None:
        """Counts the subschemas of `node` (not `node` itself)."""
        for sub, own in self.parts.of(node)[2]:
            self._visit(sub, hint if own is _INHERITED else own)

    def _visit(self, node: dict[str, Any], hint: str) -> None:
        number, total, kids = self.parts.of(node)
        for sub, own in kids:
            self._visit(sub, hint if own is _INHERITED else own)
        place = self.index.get(number)
        if place is None:
            place = self.index[number] = len(self.count)
            self.numbers.append(number)
            self.count.append(0)
            self.size.append(total)
            self.hints.append(hint)
            self.first.append(node)
        elif not self.hints[place]:
            self.hints[place] = hint
        self.count[place] += 1

    def best(self) -> int | None:
        """The place of the repeated part whose sharing saves the most bytes, if any saves enough."""
        best, saving = None, 0
        for place, (count, total) in enumerate(zip(self.count, self.size)):
            if count > 1 and total >= SHARE_MIN:
                saved = (count - 1) * total - count * 30
                if saved > saving:
                    best, saving = place, saved
        return best


class _Replace:
    """Each subschema numbered `number` replaced by `reference`. What holds none is returned as it is
    (the same object, whose numbers are known); what holds one is a copy: never changed in place."""

    def __init__(self, parts: Parts, number: int, reference: dict[str, Any]) -> None:
        self.parts = parts
        self.number = number
        self.reference = reference

    def within(self, node: Any) -> Any:
        """`node` with its subschemas (not `node` itself) replaced."""
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] | None = None  # made at the first change
        for key, value in node.items():
            if key in _MAPS and isinstance(value, dict):
                new: Any = None
                for name, sub in value.items():
                    swapped = self._swap(sub)
                    if swapped is not sub:
                        new = new if new is not None else dict(value)
                        new[name] = swapped
                if new is None:
                    continue
            elif key in _ONE and isinstance(value, dict):
                new = self._swap(value)
                if new is value:
                    continue
            elif key in _LISTS and isinstance(value, list):
                swapped_list = [self._swap(sub) for sub in value]
                if all(a is b for a, b in zip(swapped_list, value)):
                    continue
                new = swapped_list
            else:
                continue
            out = out if out is not None else dict(node)
            out[key] = new
        return out if out is not None else node

    def _swap(self, node: Any) -> Any:
        if isinstance(node, dict) and self.parts.of(node)[0] == self.number:
            return self.reference
        return self.within(node)


@lru_cache(maxsize=4096)
def _strings_json(strings: tuple[str, ...]) -> str:
    """A list of strings as compact JSON (types, required names: the same few lists everywhere)."""
    return json.dumps(list(strings), ensure_ascii=False, separators=(",", ":"))


def _free_name(hint: str, taken: dict[str, Any]) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]", "_", hint)[:40] or "shared"
    name, counter = base, 2
    while name in taken:
        name = f"{base}_{counter}"
        counter += 1
    return name
