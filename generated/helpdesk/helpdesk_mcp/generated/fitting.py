# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""A JSON response made to fit a size limit by cutting its longest list, so that what the model
gets is still valid JSON (and still the structured content it declares) rather than text cut in
the middle of a value.

The longest list is looked for in the response itself and in the objects of its first levels
(`{"data": [...]}`, `{"result": {"items": [...]}}`); its first items are kept, as many as fit. A
response that no such cut brings under the limit (one huge string) does not fit: the caller
falls back to cutting its text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SEARCH_DEPTH = 3  # how deep lists are looked for: the response, its fields, their fields


@dataclass(frozen=True)
class Fitted:
    value: Any  # the response with its longest list cut (or the response itself when it fits)
    text: str  # its JSON text, at most the limit long
    where: str = ""  # the list that was cut: "" (the response itself is the list), or "data.items"
    kept: int = 0
    total: int = 0

    @property
    def cut(self) -> bool:
        return self.total > self.kept

    def note(self, limit: int, smaller: Mapping[str, int] | None = None) -> str:
        """What was cut, and how to see the rest: with `smaller`, the argument and value that ask for
        pages that fit."""
        place = f"the list `{self.where}`" if self.where else "the list"
        said = (f"The response was longer than this server's limit of {limit:,} characters, so {place} was cut "
                f"to its first {self.kept} of {self.total} items. To see every item, ")
        if smaller:
            return said + f"ask for pages that fit: call this tool again with the same arguments and {json.dumps(dict(smaller))}."
        return said + "ask for fewer at a time (a smaller page, a filter)."


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def fit(value: Any, limit: int) -> Fitted | None:
    """`value` within `limit` characters of JSON, its longest list cut if need be; None if no cut
    of one list brings it under the limit with an item left in it."""
    text = dumps(value)
    if len(text) <= limit:
        return Fitted(value, text)
    found = _longest_list(value)
    if found is None:
        return None
    path, items = found
    without = _replaced(value, path, [])
    base = len(dumps(without))  # "[]" included: each kept item adds its text and a ", " after the first
    if base > limit:
        return None
    kept, size = 0, base
    for item in items:
        grown = size + len(dumps(item)) + (2 if kept else 0)
        if grown > limit:
            break
        kept, size = kept + 1, grown
    if not kept:  # an empty list would show nothing: the cut text of the first item shows more
        return None
    cut_value = _replaced(value, path, items[:kept])
    return Fitted(cut_value, dumps(cut_value), ".".join(path), kept, len(items))


def _longest_list(value: Any) -> tuple[list[str], list[Any]] | None:
    """The path (object keys) to the list with the longest JSON text within SEARCH_DEPTH levels."""
    best: tuple[int, list[str], list[Any]] | None = None
    level: list[tuple[list[str], Any]] = [([], value)]
    for _ in range(SEARCH_DEPTH):
        following: list[tuple[list[str], Any]] = []
        for path, node in level:
            if isinstance(node, list) and node:
                size = len(dumps(node))
                if best is None or size > best[0]:
                    best = (size, path, node)
            elif isinstance(node, dict):
                following.extend(([*path, str(key)], child) for key, child in node.items())
        level = following
    return (best[1], best[2]) if best is not None else None


def _replaced(value: Any, path: list[str], items: list[Any]) -> Any:
    """`value` with the list at `path` replaced by `items` (copies along the path only)."""
    if not path:
        return items
    head, *rest = path
    return {**value, head: _replaced(value[head], rest, items)}
