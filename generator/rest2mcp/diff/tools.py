"""Comparing two tool surfaces tool by tool.

Tools are matched by name, since clients call tools by name; a tool that lost its name but kept
its method and path is reported as renamed rather than as one tool removed and another added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rest2mcp.diff.changes import BREAKING, COMPATIBLE, Change, shown, value_text
from rest2mcp.diff.schemas import compare_schemas
from rest2mcp.diff.surfaces import Surface, Tool


@dataclass
class ToolDiff:
    name: str  # the new name; the old one for a removed tool
    status: str  # "added", "removed", "renamed" or "changed"
    old_name: str | None
    changes: list[Change]


@dataclass
class SurfaceDiff:
    old_source: str
    new_source: str
    tools: list[ToolDiff] = field(default_factory=list)  # only tools with at least one change

    def named(self, status: str) -> list[ToolDiff]:
        return [t for t in self.tools if t.status == status]

    def count(self, kind: str) -> int:
        return sum(1 for t in self.tools for c in t.changes if c.kind == kind)


def _argument_places(old: Tool, new: Tool) -> list[Change]:
    # The model's call is unchanged, but a server built from the old document sends the value
    # where the new API no longer reads it.
    def place(argument: dict[str, Any]) -> str:
        where = argument.get("in")
        return "the request body" if where == "body" else f"{where} `{argument.get('name')}`"

    old_args, new_args = old.plan.get("arguments") or {}, new.plan.get("arguments") or {}
    return [Change(BREAKING, "argument-location-changed", name,
                   f"`{name}`: sent as {place(old_args[name])} -> {place(new_args[name])}")
            for name in old_args if name in new_args and place(old_args[name]) != place(new_args[name])]


def diff_tool(old: Tool, new: Tool) -> list[Change]:
    """Every change between two versions of one tool: the tool's own, its arguments', its result's."""
    changes: list[Change] = []
    method, path = new.endpoint
    if old.name != new.name:
        changes.append(Change(BREAKING, "tool-renamed", "", f"renamed from `{old.name}` to `{new.name}` "
                              f"({method} {path}); clients call tools by name"))
    if old.route != new.route:
        changes.append(Change(COMPATIBLE, "endpoint-changed", "",
                              f"calls {method} {path} instead of {' '.join(old.endpoint)}"))
    for key in ("title", "description"):
        if old.definition.get(key) != new.definition.get(key):
            changes.append(Change(COMPATIBLE, f"{key}-changed", "",
                                  f"{key} {shown(old.definition, key)} -> {shown(new.definition, key)}"))
    # The annotations' title mirrors the tool's title, reported above.
    hints = [{k: v for k, v in (t.definition.get("annotations") or {}).items() if k != "title"} for t in (old, new)]
    for hint in sorted(hints[0].keys() | hints[1].keys()):
        before, after = (value_text(h[hint]) if hint in h else "(unset)" for h in hints)
        if before != after:
            changes.append(Change(COMPATIBLE, "annotation-changed", "", f"{hint} {before} -> {after}"))

    changes += _argument_places(old, new)
    changes += compare_schemas(old.definition.get("inputSchema") or {}, new.definition.get("inputSchema") or {})
    old_output, new_output = (t.definition.get("outputSchema") for t in (old, new))
    if old_output is not None and new_output is None:
        changes.append(Change(BREAKING, "output-schema-removed", "output", "no structured result any more"))
    elif old_output is None and new_output is not None:
        changes.append(Change(COMPATIBLE, "output-schema-added", "output", "now gives a structured result"))
    elif old_output is not None and new_output is not None:
        changes += compare_schemas(old_output, new_output, output=True)
    return changes


def _renames(old: Surface, new: Surface) -> list[tuple[str, str]]:
    """Tools that left under one name and came back under another, recognised by their route alone."""
    routes: list[dict[tuple[str, str], list[str]]] = [{}, {}]
    for side, (surface, other) in enumerate(((old, new), (new, old))):
        for name, tool in surface.tools.items():
            if name not in other.tools and all(tool.route):  # a tool without a plan has no route
                routes[side].setdefault(tool.route, []).append(name)
    return [(names[0], routes[1][route][0]) for route, names in routes[0].items()
            if len(names) == 1 == len(routes[1].get(route, []))]


def diff_surfaces(old: Surface, new: Surface) -> SurfaceDiff:
    diff = SurfaceDiff(old.source, new.source)
    renames = _renames(old, new)
    for old_name, new_name in [(n, n) for n in old.tools if n in new.tools] + renames:
        changes = diff_tool(old.tools[old_name], new.tools[new_name])
        if changes:
            diff.tools.append(ToolDiff(new_name, "changed" if old_name == new_name else "renamed", old_name, changes))
    paired = {name for pair in renames for name in pair}
    for surface, other, status in ((old, new, "removed"), (new, old, "added")):
        for name, tool in surface.tools.items():
            if name not in other.tools and name not in paired:
                where = f" ({' '.join(tool.endpoint)})" if all(tool.endpoint) else ""
                change = Change(BREAKING, "tool-removed", "", f"tool removed{where}") if status == "removed" \
                    else Change(COMPATIBLE, "tool-added", "", f"new tool{where}")
                diff.tools.append(ToolDiff(name, status, name if status == "removed" else None, [change]))
    diff.tools.sort(key=lambda t: (t.name, t.status))
    return diff
