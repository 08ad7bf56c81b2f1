"""A change in the tool surface, and how much it matters to those who use the tools."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

BREAKING, COMPATIBLE = "breaking", "compatible"


@dataclass(frozen=True)
class Change:
    kind: str  # BREAKING or COMPATIBLE
    code: str  # stable, e.g. "argument-now-required"
    path: str  # the argument ("body.address.city") or result part ("output.id"); "" for the tool
    message: str


def value_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def shown(holder: dict[str, Any], key: str) -> str:
    """`holder[key]` for a message: JSON, a long text shortened, "(none)" when absent."""
    if key not in holder:
        return "(none)"
    if isinstance(holder[key], str):
        text = " ".join(holder[key].split())
        return value_text(text if len(text) <= 60 else text[:57] + "...")
    return value_text(holder[key])
