"""Parts an output schema repeats, written once in its `$defs` and referenced where they were.

A response often holds the same object several times (a pull request's author, assignees, reviewers
and merger are all the same "user" schema); the converter shares only references larger than 2 KB,
and repeats of a smaller schema add up. Sharing them leaves room, within an output schema's byte
budget (output.py), for levels that would otherwise be cut.

Equal parts are found in one pass per round by numbering each distinct subschema bottom-up (equal
content, equal number), so a large schema costs time in proportion to its size.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

# A part smaller than this (bytes of compact JSON) is left where it is: a reference costs ~30 bytes.
SHARE_MIN = 200
# At most this many parts are shared per schema (each round shares the one that saves the most).
MAX_SHARED = 32
_MAPS = ("properties", "patternProperties")
_ONE = ("items", "additionalProperties")
_LISTS = ("anyOf", "allOf", "prefixItems")


def shared(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (a root with optional `$defs`) with its largest repeated parts moved to `$defs`."""
    defs: dict[str, Any] = dict(schema.get("$defs") or {})
    body = {k: v for k, v in schema.items() if k != "$defs"}
    for _ in range(MAX_SHARED):
        index = _Index()
        index.children(body)
        for entry in defs.values():
            index.children(entry)
        chosen = index.best()
        if chosen is None:
            break
        name = _free_name(index.hints[chosen], defs)
        reference = {"$ref": f"#/$defs/{name}"}
        first = index.first[chosen]
        body = index.replace(body, chosen, reference)
        defs = {key: index.replace(entry, chosen, reference) for key, entry in defs.items()}
        defs[name] = first
    if defs:
        body["$defs"] = {name: defs[name] for name in sorted(defs)}
    return body


class _Index:
    """Numbers every subschema below the roots it is given: equal content, equal number."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[Any, ...], int] = {}
        self.of: dict[int, int] = {}  # id() of a node -> its number
        self.count: list[int] = []
        self.size: list[int] = []
        self.hints: list[str] = []
        self.first: list[Any] = []

    def children(self, node: dict[str, Any], hint: str = "") -> tuple[tuple[Any, ...], int]:
        """The key and size of `node`, its subschemas numbered (not `node` itself). `hint`: the
        name `node` has in its parent, which the items of an array take too."""
        parts: list[Any] = []
        total = 2 + max(len(node) - 1, 0)  # braces and commas
        for key, value in node.items():
            total += _quoted_size(key) + 1
            if key in _MAPS and isinstance(value, dict):
                named: list[tuple[str, Any]] = []
                total += 2 + max(len(value) - 1, 0)
                for name, sub in value.items():
                    number, grown = self.visit(sub, name)
                    named.append((name, number))
                    total += _quoted_size(name) + 1 + grown
                parts.append((key, tuple(named)))
            elif key in _ONE and isinstance(value, dict):
                number, grown = self.visit(value, hint if key == "items" else "")
                parts.append((key, number))
                total += grown
            elif key in _LISTS and isinstance(value, list):
                listed: list[Any] = []
                total += 2 + max(len(value) - 1, 0)
                for sub in value:
                    number, grown = self.visit(sub, hint)
                    listed.append(number)
                    total += grown
                parts.append((key, tuple(listed)))
            elif isinstance(value, str):
                parts.append((key, value))  # a string stands for itself
                total += _quoted_size(value)
            else:  # any other value by its JSON, in a longer tuple: never equal to a string's
                text = (_strings_json(tuple(value)) if isinstance(value, list) and all(isinstance(v, str) for v in value)
                        else json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True))
                parts.append((key, text, None))
                total += len(text.encode("utf-8"))
        return tuple(parts), total

    def visit(self, node: Any, hint: str) -> tuple[Any, int]:
        """The number of `node` (a subschema), and its size. Anything else (true, false) is never
        shared: its JSON stands for it."""
        if not isinstance(node, dict):
            text = json.dumps(node)
            return text, len(text)
        key, total = self.children(node, hint)
        number = self.numbers.get(key)
        if number is None:
            number = self.numbers[key] = len(self.count)
            self.count.append(0)
            self.size.append(total)
            self.hints.append(hint)
            self.first.append(node)
        elif not self.hints[number]:
            self.hints[number] = hint
        self.count[number] += 1
        self.of[id(node)] = number
        return number, total

    def best(self) -> int | None:
        """The repeated part whose sharing saves the most bytes, if any saves enough."""
        best, saving = None, 0
        for number, (count, total) in enumerate(zip(self.count, self.size)):
            if count > 1 and total >= SHARE_MIN:
                saved = (count - 1) * total - count * 30
                if saved > saving:
                    best, saving = number, saved
        return best

    def replace(self, node: Any, number: int, reference: dict[str, Any]) -> Any:
        """`node` with each subschema numbered `number` replaced by `reference` (copies, never in place)."""
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _MAPS and isinstance(value, dict):
                out[key] = {name: self._swap(sub, number, reference) for name, sub in value.items()}
            elif key in _ONE and isinstance(value, dict):
                out[key] = self._swap(value, number, reference)
            elif key in _LISTS and isinstance(value, list):
                out[key] = [self._swap(sub, number, reference) for sub in value]
            else:
                out[key] = value
        return out

    def _swap(self, node: Any, number: int, reference: dict[str, Any]) -> Any:
        if self.of.get(id(node)) == number:
            return reference
        return self.replace(node, number, reference)


@lru_cache(maxsize=65536)
def _quoted_size(text: str) -> int:
    """Bytes of `text` as a JSON string (the same names and descriptions come back in every schema)."""
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8"))


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
