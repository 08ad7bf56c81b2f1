"""Schema parts numbered by content and measured as compact JSON, once per object.

The tools of one document return the same component schemas hundreds of times, and their output
schemas are built from the same (never changed) objects: output.py asks of each part "which content
is this" and "how many bytes is it" again and again. Both answers are kept per object, so each part
costs its own keys only, however many schemas hold it: measuring a schema is linear in what is new
in it, not in its whole size. Every object looked at is kept alive (in a list) so that its `id()`
stays its own; the memos hold no tuple per object, which the garbage collector would walk too.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from functools import lru_cache
from typing import Any

_LIST = object()  # marks a list's key: never equal to a dict's, whose keys are strings


class Measures:
    """Numbers (equal content, equal number; types and key order count, as in JSON text) and sizes
    (bytes of compact UTF-8 JSON, what `json.dumps(value, separators=(",", ":"), ensure_ascii=False)`
    gives) of dicts and lists, each worked out once per object from its children's."""

    def __init__(self) -> None:
        # id() of the first dict or list of each content -> its number (read directly where it is hot)
        self.known: dict[int, int] = {}
        self._alive: list[Any] = []  # the objects of `known`, so that their ids stay their own
        self._numbers: dict[tuple[Hashable, ...], int] = {}
        self._sizes: list[int] = []  # per number
        self._objects: list[Any] = []  # per number: the first object of that content

    def number(self, node: dict[str, Any] | list[Any]) -> int:
        """The number of `node`'s content."""
        known = self.known.get(id(node))
        if known is not None:
            return known
        # The loops below are _measured, written out: this runs for every new part of every schema.
        parts: list[Hashable] = []
        total = 2 + max(len(node) - 1, 0)  # brackets and commas
        values: Any
        if isinstance(node, dict):
            for key in node:
                if type(key) is str:
                    parts.append(key)
                    total += quoted_size(key) + 1
                else:
                    parts.append((type(key), repr(key)))
                    total += _key_size(key) + 1
            values = node.values()
        else:
            parts.append(_LIST)
            values = node
        for value in values:
            kind = type(value)
            if kind is str:
                parts.append(value)
                total += quoted_size(value)
            elif kind is dict or kind is list:
                known = self.known.get(id(value))
                number = known if known is not None else self.number(value)
                parts.append(number)
                total += self._sizes[number]
            else:
                part, grown = self._measured(value)
                parts.append(part)
                total += grown
        number = self._numbers.setdefault(tuple(parts), len(self._sizes))
        if number == len(self._sizes):  # the first of its content: remembered, and kept
            self._sizes.append(total)
            self._objects.append(node)
            self.known[id(node)] = number
            self._alive.append(node)
        # A later one is not kept: most are made, then dropped for the first (see `canonical`).
        return number

    def first(self, number: int) -> Any:
        """The first object seen with the content numbered `number`."""
        return self._objects[number]

    def canonical(self, node: dict[str, Any]) -> dict[str, Any]:
        """The first object seen with `node`'s content (`node` if it is the first): parts made equal
        become one object, whose later steps are then remembered for all of them."""
        canonical: dict[str, Any] = self._objects[self.number(node)]
        return canonical

    def size(self, value: Any) -> int:
        """Bytes of `value` as compact JSON."""
        return self._measured(value)[1]

    def part(self, value: Any) -> Hashable:
        """What stands for `value`: equal values, equal parts (a number, a string, or a tuple)."""
        return self._measured(value)[0]

    def _measured(self, value: Any) -> tuple[Hashable, int]:
        if type(value) is str:
            return value, quoted_size(value)
        if isinstance(value, (dict, list)):
            number = self.number(value)
            return number, self._sizes[number]
        # 1, 1.0 and True differ, as in JSON; a tuple is never equal to a number or a string
        return (type(value), repr(value)), len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def _key_size(key: Any) -> int:
    """Bytes of a key that is not a string, quotes included: json.dumps writes 1, True, None as keys
    "1", "true", "null"."""
    return len(json.dumps({key: 0}, separators=(",", ":"), ensure_ascii=False).encode("utf-8")) - 4


@lru_cache(maxsize=65536)
def quoted_size(text: str) -> int:
    """Bytes of `text` as a JSON string (the same names and descriptions come back in every schema)."""
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8"))


_NO_NAMES: frozenset[str] = frozenset()
_DEFS = "#/$defs/"


class References:
    """The `$defs` entries each part references (`{"$ref": "#/$defs/NAME"}` anywhere inside it, data
    included), kept per object: a part many tools return is read once."""

    def __init__(self) -> None:
        self._known: dict[int, frozenset[str]] = {}  # id() of a dict or list -> the names it references
        self._alive: list[Any] = []  # what _known has seen, so that its ids stay its own

    def used_defs(self, schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
        """The entries of `defs` that `schema` reaches (directly or through other entries), sorted
        (what `defs.used_defs` gives)."""
        if not defs:  # nothing to reach (most tools): no need to read the schema
            return {}
        used: set[str] = set()
        pending = list(self._names({k: v for k, v in schema.items() if k != "$defs"}))
        while pending:
            name = pending.pop()
            if name not in used and name in defs:
                used.add(name)
                pending.extend(self._names(defs[name]))
        return {name: defs[name] for name in sorted(used)}

    def _names(self, root: Any) -> frozenset[str]:
        if not isinstance(root, (dict, list)):
            return _NO_NAMES
        known = self._known
        # Bottom-up without recursion (data such as a default value may nest deeply): a container is
        # done once the containers inside it are; its children are listed when it is first met.
        stack: list[tuple[Any, list[Any] | None]] = [(root, None)]
        while stack:
            node, children = stack.pop()
            if id(node) in known:
                continue
            if children is None:
                children = [c for c in (node.values() if isinstance(node, dict) else node)
                            if isinstance(c, (dict, list))]
                if children:
                    stack.append((node, children))
                    stack.extend((child, None) for child in children if id(child) not in known)
                    continue
            names: set[str] = set()
            ref = node.get("$ref") if isinstance(node, dict) else None
            if isinstance(ref, str) and ref.startswith(_DEFS):
                names.add(ref[len(_DEFS):])
            for child in children:
                names |= known[id(child)]
            known[id(node)] = frozenset(names) if names else _NO_NAMES
            self._alive.append(node)
        return known[id(root)]
