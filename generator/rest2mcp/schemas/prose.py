"""The descriptions and titles inside a converted schema as plain text (`text.plain`): markdown links
as their words, images and HTML tags dropped, then cut to a length. Every tools/list carries them,
and a URL tells a model less than the words of its link. Nothing else of the schema changes."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rest2mcp.schemas.keywords import SCHEMA_KEYWORDS, SCHEMA_LIST_KEYWORDS, SCHEMA_MAP_KEYWORDS
from rest2mcp.text import cap, plain

# What a description or title inside a schema is cut to (the converter cuts at the same length).
SCHEMA_TEXT_LIMIT = 500


def plain_texts(schema: Any, limit: int = SCHEMA_TEXT_LIMIT) -> Any:
    """`schema` with its annotations' text made plain. Only nodes that change are copied: the converter
    shares converted schemas between tools."""
    if not isinstance(schema, dict):
        return schema
    changed: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("description", "title") and isinstance(value, str):
            new: Any = _plain_capped(value, limit)
        elif key in SCHEMA_KEYWORDS:
            new = plain_texts(value, limit)
        elif key in SCHEMA_MAP_KEYWORDS or key == "$defs":
            new = {name: plain_texts(sub, limit) for name, sub in value.items()} if isinstance(value, dict) else value
            if isinstance(value, dict) and all(new[n] is value[n] for n in value):
                new = value
        elif key in SCHEMA_LIST_KEYWORDS:
            new = [plain_texts(sub, limit) for sub in value] if isinstance(value, list) else value
            if isinstance(value, list) and all(a is b for a, b in zip(new, value)):
                new = value
        else:
            continue  # data (enum, const, default, examples) and other keywords stay as they are
        if new is not value and new != value:
            changed[key] = new
    return {**schema, **changed} if changed else schema


@lru_cache(maxsize=8192)
def _plain_capped(text: str, limit: int) -> str:  # the same descriptions come back in many tools
    return cap(plain(text), limit)
