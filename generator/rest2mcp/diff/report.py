"""The diff as a Markdown report or JSON, and the `rest2mcp diff` command's exit code."""

from __future__ import annotations

import json
from typing import Any

from rest2mcp.diagnostics import Diagnostic
from rest2mcp.diff.changes import BREAKING, COMPATIBLE
from rest2mcp.diff.surfaces import load_surface
from rest2mcp.diff.tools import SurfaceDiff, diff_surfaces

FAIL_ON = ("breaking", "any")


def summary(diff: SurfaceDiff) -> str:
    """Counts include the tools' own changes (a removed or renamed tool is breaking, an added one not)."""
    breaking, compatible = diff.count(BREAKING), diff.count(COMPATIBLE)
    added, removed, renamed = (len(diff.named(s)) for s in ("added", "removed", "renamed"))
    return (f"{breaking} breaking, {compatible} compatible change{'' if breaking + compatible == 1 else 's'}; "
            f"{added} tool{'' if added == 1 else 's'} added, {removed} removed, {renamed} renamed")


def _cell(text: str) -> str:
    # Names and descriptions come from the document: a pipe must not end the cell.
    return " ".join(text.split()).replace("|", "\\|")


def render_table(diff: SurfaceDiff) -> str:
    """Markdown: a section per changed tool, a table of its changes, the totals last."""
    lines = [f"Tool surface: {diff.old_source} -> {diff.new_source}", ""]
    if not diff.tools:
        lines += ["No changes in the tool surface.", ""]
    for tool in diff.tools:
        note = {"renamed": f" (renamed from {tool.old_name})", "added": " (added)", "removed": " (removed)"}
        lines += [f"### {tool.name}{note.get(tool.status, '')}", "", "| kind | code | change |", "|---|---|---|"]
        lines += [f"| {c.kind} | {c.code} | {_cell(c.message)} |" for c in tool.changes]
        lines.append("")
    lines.append(summary(diff))
    return "\n".join(lines)


def to_json(diff: SurfaceDiff) -> dict[str, Any]:
    return {
        "old": diff.old_source,
        "new": diff.new_source,
        "summary": {"breaking": diff.count(BREAKING), "compatible": diff.count(COMPATIBLE),
                    **{status: len(diff.named(status)) for status in ("added", "removed", "renamed")}},
        "tools": [{"name": t.name, "status": t.status, "old_name": t.old_name,
                   "changes": [{"kind": c.kind, "code": c.code, "path": c.path, "message": c.message}
                               for c in t.changes]}
                  for t in diff.tools],
    }


def diff_command(old: str, new: str, as_json: bool = False, fail_on: str | None = None,
                 allowed_ref_hosts: tuple[str, ...] = (), allowed_ref_dirs: tuple[str, ...] = (),
                 unread: list[Diagnostic] | None = None) -> tuple[str, int]:
    """The report and the exit code: 1 when `fail_on` ("breaking" or "any") finds what it names.
    `unread` collects the warnings of the specs' `$ref`s not followed (see load_surface)."""
    if fail_on is not None and fail_on not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    diff = diff_surfaces(load_surface(old, allowed_ref_hosts, allowed_ref_dirs, unread),
                         load_surface(new, allowed_ref_hosts, allowed_ref_dirs, unread))
    text = json.dumps(to_json(diff), indent=2, ensure_ascii=False) if as_json else render_table(diff)
    failed = (fail_on == "breaking" and diff.count(BREAKING) > 0) or (fail_on == "any" and bool(diff.tools))
    return text, 1 if failed else 0
