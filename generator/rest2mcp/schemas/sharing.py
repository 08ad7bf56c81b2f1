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
from collections.abc import Hashable
from functools import lru_cache
from typing import Any

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
        name = _free_name(index.hint(chosen), defs)
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
        # Per object (by id()): its number, and its subschemas with the hint each takes (or
        # _INHERITED); per number: its size. Kept in plain dicts and lists: a tuple per object would
        # give the garbage collector that much more to walk.
        self._number: dict[int, int] = {}
        self._subs: dict[int, tuple[Any, ...]] = {}
        self._hints: dict[int, tuple[str | None, ...]] = {}
        self._sizes: list[int] = []
        self._numbers: dict[tuple[Any, ...], int] = {}
        self._alive: list[Any] = []  # the objects seen, so that their ids stay their own

    def number(self, node: dict[str, Any]) -> int:
        known = self._number.get(id(node))
        if known is None:
            known = self._learn(node)
        return known

    def size(self, number: int) -> int:
        return self._sizes[number]

    def kids(self, node: dict[str, Any]) -> zip[tuple[Any, str | None]]:
        """`node`'s subschemas, each with the hint it takes (or _INHERITED), in order."""
        if id(node) not in self._number:
            self._learn(node)
        return zip(self._subs[id(node)], self._hints[id(node)])

    def subs(self, node: dict[str, Any]) -> tuple[Any, ...]:
        if id(node) not in self._number:
            self._learn(node)
        return self._subs[id(node)]

    def _learn(self, node: dict[str, Any]) -> int:
        key, total, kids = self._read(node)
        number = self._numbers.setdefault(key, len(self._sizes))
        if number == len(self._sizes):
            self._sizes.append(total)
        self._number[id(node)] = number
        self._subs[id(node)] = tuple(sub for sub, _ in kids)
        self._hints[id(node)] = tuple(hint for _, hint in kids)
        self._alive.append(node)
        return number

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
        number = self.number(node)
        return number, self._sizes[number]


class _Round:
    """One round's count of each part below the roots it is given, in the order parts first end
    (bottom-up): the first of equally good parts is shared first.

    A part met again is the same object more often than not (a schema's "user" under its author,
    reviewers and merger): each object is read once, and how many times it occurs is worked out from
    how many times its parents do, so a round costs the distinct parts, not the written-out size."""

    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        self.index: dict[int, int] = {}  # a part's number -> its place in this round's lists
        self.numbers: list[int] = []
        self.size: list[int] = []
        self.first: list[Any] = []
        self._tops: list[tuple[Any, str]] = []  # the subschemas of the roots, with their hints
        self._order: list[tuple[Any, int]] = []  # each object once, and its number, where it first ends
        self._seen: set[int] = set()  # id() of the objects in _order

    def children(self, node: dict[str, Any], hint: str = "") -> None:
        """Counts the subschemas of `node` (not `node` itself)."""
        # The walk reads the dicts of Parts directly: it runs for every part of every round.
        parts, seen, order, index = self.parts, self._seen, self._order, self.index
        number_of, subs_of = parts._number, parts._subs

        def visit(node: dict[str, Any]) -> None:
            key = id(node)
            if key in seen:
                return
            seen.add(key)
            number = number_of.get(key)
            if number is None:
                number = parts._learn(node)
            for sub in subs_of[key]:
                visit(sub)
            order.append((node, number))
            if number not in index:
                index[number] = len(self.numbers)
                self.numbers.append(number)
                self.size.append(parts._sizes[number])
                self.first.append(node)

        for sub, own in parts.kids(node):
            self._tops.append((sub, hint if own is _INHERITED else own))
            visit(sub)

    def count(self) -> list[int]:
        """How many times each part occurs, written out."""
        subs_of = self.parts._subs
        times: dict[int, int] = {}  # id() of an object -> how many times it occurs
        for sub, _ in self._tops:
            times[id(sub)] = times.get(id(sub), 0) + 1
        for node, _ in reversed(self._order):  # each object after every object holding it
            occurs = times[id(node)]
            for sub in subs_of[id(node)]:
                times[id(sub)] = times.get(id(sub), 0) + occurs
        counts = [0] * len(self.numbers)
        index = self.index
        for node, number in self._order:
            counts[index[number]] += times[id(node)]
        return counts

    def best(self) -> int | None:
        """The place of the repeated part whose sharing saves the most bytes, if any saves enough."""
        best, saving = None, 0
        for place, (count, total) in enumerate(zip(self.count(), self.size)):
            if count > 1 and total >= SHARE_MIN:
                saved = (count - 1) * total - count * 30
                if saved > saving:
                    best, saving = place, saved
        return best

    def hint(self, place: int) -> str:
        """The first name a part at `place` has where it occurs (in the order written), if any: its
        `$defs` name. Occurrences never nest (a part is larger than any part inside it)."""
        chosen = self.numbers[place]
        holds: dict[int, bool] = {}  # id() of an object -> it is, or holds, the part
        for node, number in self._order:
            holds[id(node)] = number == chosen or any(holds[id(sub)] for sub in self.parts.subs(node))
        fruitless: set[tuple[int, str]] = set()

        def search(node: dict[str, Any], hint: str) -> str:
            if not holds[id(node)] or (id(node), hint) in fruitless:
                return ""
            if self.parts.number(node) == chosen:
                return hint
            for sub, own in self.parts.kids(node):
                found = search(sub, hint if own is _INHERITED else own)
                if found:
                    return found
            fruitless.add((id(node), hint))
            return ""

        for sub, hint in self._tops:
            found = search(sub, hint)
            if found:
                return found
        return ""


class _Replace:
    """Each subschema numbered `number` replaced by `reference`. What holds none is returned as it is
    (the same object, whose numbers are known); what holds one is a copy: never changed in place."""

    def __init__(self, parts: Parts, number: int, reference: dict[str, Any]) -> None:
        self.parts = parts
        self.number = number
        self.reference = reference
        self._done: dict[int, Any] = {}  # id() of an object (alive in the schema) -> it, replaced within

    def within(self, node: Any) -> Any:
        """`node` with its subschemas (not `node` itself) replaced."""
        if not isinstance(node, dict):
            return node
        done = self._done.get(id(node))
        if done is None:
            done = self._done[id(node)] = self._within(node)
        return done

    def _within(self, node: dict[str, Any]) -> Any:
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
        if isinstance(node, dict) and self.parts.number(node) == self.number:
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
