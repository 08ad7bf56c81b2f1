"""The configuration applied to the generated tools: which operations become tools, how each
one is named and described, which arguments are fixed or defaulted, and the toolsets.

Names are assigned over every operation before selection, so leaving operations out never
renames the others.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fnmatch import fnmatchcase
from typing import Any

from rest2mcp.diagnostics import Diagnostic, Diagnostics, GenerationFailed, Severity
from rest2mcp.mapping.ir import LeftOut, Tool
from rest2mcp.runtime.changes import apply_change
from rest2mcp.surface.config import Config, OperationChange, Selector, extension_change

UNGROUPED = "other"  # the toolset of operations without tags (or matching no configured toolset)


def _path_pattern(glob: str) -> re.Pattern[str]:
    parts = []
    for piece in re.split(r"(\*\*|\*|\?)", glob):
        parts.append({"**": ".*", "*": "[^/]*", "?": "[^/]"}.get(piece, re.escape(piece)))
    return re.compile("".join(parts))  # matched with fullmatch


class _Matcher:
    """Matches tools against selectors and remembers which patterns ever matched."""

    def __init__(self) -> None:
        self.used: set[tuple[str, str]] = set()
        self._paths: dict[str, re.Pattern[str]] = {}

    def kind_matches(self, kind: str, pattern: str, tool: Tool) -> bool:
        if kind == "tags":
            hit = any(fnmatchcase(tag, pattern) for tag in tool.tags)
        elif kind == "operations":
            hit = fnmatchcase(tool.name, pattern) or (tool.operation_id is not None and fnmatchcase(tool.operation_id, pattern))
        elif kind == "paths":
            regex = self._paths.setdefault(pattern, _path_pattern(pattern))
            hit = bool(regex.fullmatch(tool.path))
        else:
            hit = tool.method.lower() == pattern
        if hit:
            self.used.add((kind, pattern))
        return hit

    def all_kinds(self, selector: Selector, tool: Tool) -> bool:
        """Every kind the selector gives has a matching pattern (all are tried, to record use)."""
        result = True
        for kind in ("tags", "operations", "paths", "methods"):
            patterns = getattr(selector, kind)
            if patterns and not [p for p in patterns if self.kind_matches(kind, p, tool)]:
                result = False
        return result

    def any_pattern(self, selector: Selector, tool: Tool) -> bool:
        hits = [p for kind in ("tags", "operations", "paths", "methods") for p in getattr(selector, kind)
                if self.kind_matches(kind, p, tool)]
        return bool(hits)


def toolset_name(tag: str) -> str:
    """A tag as a toolset name usable on a command line: `Pet Store` -> `pet-store`."""
    name = re.sub(r"[^a-z0-9_]+", "-", tag.lower()).strip("-_")[:64]
    return name or UNGROUPED


def shape(tools: tuple[Tool, ...], config: Config, extensions: dict[str, Any],
          diagnostics: Diagnostics) -> tuple[tuple[Tool, ...], dict[str, str], list[LeftOut]]:
    """The tools the configuration keeps, changed as it says; the toolsets (name -> description); and
    the operations left out (deprecated, filtered, or changing something when only read-only ones are kept)."""
    matcher = _Matcher()
    problems: list[Diagnostic] = []
    used_keys: set[str] = set()
    kept: list[Tool] = []
    left_out: list[LeftOut] = []
    for tool in tools:
        change = _change_for(tool, config, extensions, diagnostics, used_keys)
        reason = _left_out_because(tool, config, change, matcher)
        if reason is not None:
            left_out.append(LeftOut(tool.method.upper(), tool.path, reason, tool.pointer))
            continue
        shaped = _applied(tool, change, config, problems, diagnostics)
        if config.read_only and shaped.annotations.get("readOnlyHint") is not True:
            left_out.append(LeftOut(tool.method.upper(), tool.path, "read-only", tool.pointer))
            continue
        kept.append(shaped.with_fields(resource=change.resource) if change.resource is not shaped.resource else shaped)

    toolsets = _assign_toolsets(kept, config, matcher)
    kept = [tool.with_fields(toolsets=toolsets_of) for tool, toolsets_of in zip(kept, toolsets[1])]

    _report_unused(config, matcher, used_keys, problems)
    _check_unique_names(kept, problems, diagnostics.source)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise GenerationFailed(errors)
    diagnostics.extend(problems)
    _report_deprecated(left_out, diagnostics)
    return tuple(kept), toolsets[0], left_out


def _change_for(tool: Tool, config: Config, extensions: dict[str, Any], diagnostics: Diagnostics,
                used_keys: set[str]) -> OperationChange:
    change = OperationChange()
    raw = extensions.get(tool.pointer)
    if raw is not None:
        parsed, problems = extension_change(raw, tool.pointer + "/x-mcp")
        for problem in problems:
            diagnostics.add(problem.severity, problem.code, problem.message, problem.pointer, problem.hint)
        if parsed is not None:
            change = parsed
    keys = [tool.name, f"{tool.method.upper()} {tool.path}"]
    if tool.operation_id:
        keys.insert(0, tool.operation_id)
    for key in dict.fromkeys(keys):
        if key in config.operations:
            used_keys.add(key)
            change = config.operations[key].under(change)
    return change


def _left_out_because(tool: Tool, config: Config, change: OperationChange, matcher: _Matcher) -> str | None:
    """Why the configuration leaves the operation out ("deprecated", "filtered"), or None: it is kept."""
    if change.name:  # patterns may name the tool as it is listed
        tool = replace(tool, name=change.name)
    included = config.include.is_empty() or matcher.all_kinds(config.include, tool)
    excluded = not config.exclude.is_empty() and matcher.any_pattern(config.exclude, tool)
    if change.exclude is not None:  # a per-operation decision overrides the filters
        return "filtered" if change.exclude else None
    if tool.deprecated and not config.deprecated:
        return "deprecated"
    return None if included and not excluded else "filtered"


SHOWN = 5  # operations named in a note; the others are counted


def _report_deprecated(left_out: list[LeftOut], diagnostics: Diagnostics) -> None:
    """One note naming the deprecated operations left out: dropping them silently would hide tools."""
    deprecated = [entry for entry in left_out if entry.reason == "deprecated"]
    if not deprecated:
        return
    names = ", ".join(f"{entry.method} {entry.path}" for entry in deprecated[:SHOWN])
    more = f" and {len(deprecated) - SHOWN} more" if len(deprecated) > SHOWN else ""
    count = len(deprecated)
    diagnostics.add(Severity.INFO, "I604", f"{count} deprecated operation{'s' * (count != 1)} left out: {names}{more}",
                    None, "set deprecated = true in rest2mcp.toml to make tools of them too")


def _applied(tool: Tool, change: OperationChange, config: Config, problems: list[Diagnostic],
             diagnostics: Diagnostics) -> Tool:
    """The tool changed as configured, by the runtime's own implementation (the one overrides.py uses)."""
    if change == OperationChange():
        return tool
    definition, plan, failures = apply_change(tool.definition(), tool.plan(), change.as_tool_change())
    for failure in failures:
        if failure.kind == "unknown-argument":
            diagnostics.warning("W503", f"tool {tool.name}: {failure.message}", tool.pointer,
                                "use the argument names of the tool's inputSchema")
        else:
            problems.append(Diagnostic(Severity.ERROR, "E503", f"tool {tool.name}: {failure.message}", None,
                                       "give a value the argument's schema accepts", config.source,
                                       config.line_of(failure.argument)))
    return replace(tool, name=definition["name"], title=definition.get("title"), description=definition["description"],
                   annotations=definition["annotations"], input_schema=definition["inputSchema"],
                   fixed=plan.get("fixed", {}), defaults=plan.get("defaults", {}), approval=plan.get("approval"),
                   toolsets=tuple(plan.get("toolsets", ())) if change.toolsets else tool.toolsets)


def _assign_toolsets(tools: list[Tool], config: Config, matcher: _Matcher) -> tuple[dict[str, str], list[tuple[str, ...]]]:
    """Each tool's toolsets: a per-operation setting, else the configured toolsets it matches,
    else (with none configured) its tags."""
    names: dict[str, str] = {name: description for name, (_, description) in config.toolsets.items()}
    assigned: list[tuple[str, ...]] = []
    for tool in tools:
        if tool.toolsets:  # set for this operation
            groups = tool.toolsets
        elif config.toolsets:
            groups = tuple(name for name, (selector, _) in config.toolsets.items() if matcher.all_kinds(selector, tool))
        else:
            groups = tuple(dict.fromkeys(toolset_name(tag) for tag in tool.tags))
        groups = groups or (UNGROUPED,)
        for group in groups:
            names.setdefault(group, "")
        assigned.append(groups)
    return dict(sorted(names.items())), assigned


def _report_unused(config: Config, matcher: _Matcher, used_keys: set[str], problems: list[Diagnostic]) -> None:
    def warn(message: str, *where: str) -> None:
        problems.append(Diagnostic(Severity.WARNING, "W501", message, None,
                                   "check the spelling, or remove it if the API no longer has it",
                                   config.source, config.line_of(*where)))

    sections = [("include", config.include), ("exclude", config.exclude),
                *((f"toolsets.{name}", selector) for name, (selector, _) in config.toolsets.items())]
    for label, selector in sections:
        for kind in ("tags", "operations", "paths", "methods"):
            for pattern in getattr(selector, kind):
                if (kind, pattern) not in matcher.used:
                    warn(f"{label}.{kind}: {pattern!r} matches no operation", pattern)
    for key in config.operations:
        if key not in used_keys:
            warn(f"operations.{key}: no operation has this operationId, tool name or 'METHOD /path'", key)


def _check_unique_names(tools: list[Tool], problems: list[Diagnostic], source: str | None) -> None:
    seen: dict[str, Tool] = {}
    for tool in tools:
        if tool.name in seen:
            other = seen[tool.name]
            problems.append(Diagnostic(
                Severity.ERROR, "E504", f"two tools are named {tool.name!r}: {other.method.upper()} {other.path} "
                f"and {tool.method.upper()} {tool.path}", tool.pointer,
                "give one of them another name (operations.<id>.name in rest2mcp.toml)", source))
        seen[tool.name] = tool

