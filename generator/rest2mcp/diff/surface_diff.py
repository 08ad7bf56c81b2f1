"""The change in the tool surface a model sees between two versions of an API.

A surface is a generated catalog (tools.json): MCP tool definitions plus request plans. Tools are
matched by name, since clients call tools by name; a tool that lost its name but kept its method
and path is reported as renamed rather than as one tool removed and another added.

Input and output schemas are compared with opposite polarity. An input that accepts fewer values
breaks callers that sent the old ones; an output that can hold more values breaks consumers that
only expect the old ones. A property dropped from either side is breaking; one added is not,
unless it is a required input.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rest2mcp.diagnostics import Diagnostic, GenerationFailed, Severity
from rest2mcp.emit.render import catalog
from rest2mcp.pipeline import Options, prepare

BREAKING, COMPATIBLE = "breaking", "compatible"
FAIL_ON = ("breaking", "any")

# Bounds that accept fewer values as they grow, and those that accept fewer as they shrink.
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
# Keywords that describe a value without restricting it (the generated server checks no formats).
_ANNOTATIONS = ("title", "description", "default", "format", "deprecated")
_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null",
               list: "array", dict: "object"}


@dataclass(frozen=True)
class Tool:
    name: str
    definition: dict[str, Any]
    plan: dict[str, Any]

    @property
    def endpoint(self) -> tuple[str, str]:
        return str(self.plan.get("method", "")).upper(), str(self.plan.get("path", ""))

    @property
    def route(self) -> tuple[str, str]:
        """The endpoint with path variables unnamed: renaming `{petId}` to `{id}` keeps the route."""
        method, path = self.endpoint
        return method, re.sub(r"\{[^}/]*\}", "{}", path)


@dataclass
class Surface:
    source: str
    tools: dict[str, Tool]


@dataclass(frozen=True)
class Change:
    kind: str  # BREAKING or COMPATIBLE
    code: str  # stable, e.g. "argument-now-required"
    path: str  # the argument ("body.address.city") or result part ("output.id"); "" for the tool
    message: str


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


# -- loading ------------------------------------------------------------------------------------

def _unreadable(source: str, message: str) -> GenerationFailed:
    return GenerationFailed([Diagnostic(Severity.ERROR, "E101", message, None,
                                        "give a spec, or the output folder of one `rest2mcp generate` run", source)])


def surface_from_catalog(data: dict[str, Any], source: str) -> Surface:
    # Through JSON, so that a catalog built in memory and one read from disk compare equal.
    data = json.loads(json.dumps(data))
    plans = data.get("plans") or {}
    tools = {t["name"]: Tool(t["name"], t, plans.get(t["name"]) or {}) for t in data.get("tools") or []}
    return Surface(source, tools)


def load_surface(source: str) -> Surface:
    """A spec (path or URL) is generated in memory; a folder is read as earlier generated output."""
    folder = Path(source)
    if "://" in source or not folder.is_dir():
        return surface_from_catalog(catalog(prepare(source, Options()).api), source)
    # The package's own module folder holds tools.json; the folder itself may be that module.
    found = [folder / "tools.json"] if (folder / "tools.json").is_file() else sorted(folder.glob("*/tools.json"))
    if len(found) != 1:
        raise _unreadable(source, f"{'more than one' if found else 'no'} generated package (MODULE/tools.json)"
                                  " in this folder")
    try:
        return surface_from_catalog(json.loads(found[0].read_text(encoding="utf-8")), source)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise _unreadable(str(found[0]), f"not a readable tool catalog: {error}") from error


# -- schemas ------------------------------------------------------------------------------------

def _pointer(root: Any, ref: str) -> Any:
    for part in ref[2:].split("/") if ref != "#" else []:
        root = root.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(root, dict) else None
    return root


def _resolve(schema: Any, root: dict[str, Any], hops: int = 0) -> dict[str, Any]:
    """The schema behind local `$ref`s, with `allOf` members merged (a `$ref` with siblings is one)."""
    if not isinstance(schema, dict):
        return {"not": {}} if schema is False else {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#") and hops < 32:
        target = _pointer(root, ref)
        if target is not None:
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**_resolve(target, root, hops + 1), **siblings}
    members = schema.get("allOf")
    if isinstance(members, list) and hops < 32:
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for member in (_resolve(m, root, hops + 1) for m in members):
            for key, value in member.items():
                if key == "properties" and isinstance(value, dict):
                    merged["properties"] = {**value, **(merged.get("properties") or {})}
                elif key == "required" and isinstance(value, list):
                    merged["required"] = list(dict.fromkeys([*(merged.get("required") or []), *value]))
                else:
                    merged.setdefault(key, value)
        schema = merged
    return schema


def _enum(schema: dict[str, Any]) -> dict[str, Any] | None:
    """Allowed values by canonical JSON text, or None when any value of the type will do."""
    values = [schema["const"]] if "const" in schema else schema.get("enum")
    if not isinstance(values, list):
        return None
    return {json.dumps(v, sort_keys=True, ensure_ascii=False): v for v in values}


def _types(schema: dict[str, Any], root: dict[str, Any]) -> frozenset[str] | None:
    """The JSON types a schema admits at its top; None for any type."""
    declared = schema.get("type")
    if isinstance(declared, (str, list)):
        return frozenset(t for t in ([declared] if isinstance(declared, str) else declared) if isinstance(t, str))
    members = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(members, list):
        found: set[str] = set()
        for member in members:
            inner = _types(_resolve(member, root), root)
            if inner is None:
                return None
            found |= inner
        return frozenset(found)
    values = _enum(schema)
    if values is not None:
        return frozenset(_JSON_TYPES.get(type(v), "object") for v in values.values())
    return None


def _within(inner: frozenset[str] | None, outer: frozenset[str] | None) -> bool:
    """True when every value of the `inner` types is one of the `outer` types (integers are numbers)."""
    if outer is None or inner is None:
        return outer is None
    return all(t in outer or (t == "integer" and "number" in outer) for t in inner)


def _type_text(types: frozenset[str] | None) -> str:
    return "any" if types is None else " | ".join(sorted(types)) or "nothing"


def _variants(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of a schema without a null branch (nullable wraps the real schema in anyOf)."""
    members = schema.get("anyOf") or schema.get("oneOf")
    if not isinstance(members, list):
        return [schema]
    return [m for m in (_resolve(m, root) for m in members) if m.get("type") != "null"]


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _shown(holder: dict[str, Any], key: str) -> str:
    if key not in holder:
        return "(none)"
    if isinstance(holder[key], str):
        text = " ".join(holder[key].split())
        return _value(text if len(text) <= 60 else text[:57] + "...")
    return _value(holder[key])


class _SchemaComparison:
    """One input or output schema pair: their roots (for `$ref`s) and the changes found."""

    def __init__(self, old_root: dict[str, Any], new_root: dict[str, Any], output: bool):
        self.roots = (old_root, new_root)
        self.output = output
        self.prefix = "output-" if output else ""
        self.member = "output-property" if output else "argument"
        self.changes: list[Change] = []
        self.compared: set[tuple[Any, Any]] = set()  # pairs of `$defs` references already compared

    def record(self, kind: str, code: str, path: str, message: str) -> None:
        self.changes.append(Change(kind, code, path, f"`{path}`: {message}" if path else message))

    def directed(self, narrowed: bool, code: str, path: str, message: str) -> None:
        # Fewer accepted values break callers of an input; more possible values break readers of an output.
        self.record(BREAKING if narrowed != self.output else COMPATIBLE, self.prefix + code, path, message)

    def schema(self, old: Any, new: Any, path: str) -> None:
        # Only cyclic schemas keep their `$ref`s: a pair of definitions is compared once, where it first
        # appears, which ends every cycle and reports a change inside a definition once.
        mark = tuple(s.get("$ref") if isinstance(s, dict) else None for s in (old, new))
        if mark != (None, None):
            if mark in self.compared:
                return
            self.compared.add(mark)
        old, new = _resolve(old, self.roots[0]), _resolve(new, self.roots[1])
        for key in _ANNOTATIONS:
            if old.get(key) != new.get(key):
                self.record(COMPATIBLE, f"{self.prefix}{key}-changed", path,
                            f"{key} {_shown(old, key)} -> {_shown(new, key)}")
        old_types, new_types = _types(old, self.roots[0]), _types(new, self.roots[1])
        widened, narrowed = _within(old_types, new_types), _within(new_types, old_types)
        text = f"type {_type_text(old_types)} -> {_type_text(new_types)}"
        if widened != narrowed:
            self.directed(narrowed, "type-narrowed" if narrowed else "type-widened", path, text)
        elif not widened:  # neither contains the other
            self.record(BREAKING, f"{self.prefix}type-changed", path, text)
        # Alternatives of the same type are compared with each other; the type change covers the rest.
        olds, news = _variants(old, self.roots[0]), _variants(new, self.roots[1])
        if len(olds) == 1 == len(news):
            if widened or narrowed:  # after a change of type, what lies below no longer compares
                self._values(olds[0], news[0], path)
            return
        by_type: list[dict[Any, list[dict[str, Any]]]] = [{}, {}]
        for side, variants in enumerate((olds, news)):
            for variant in variants:
                by_type[side].setdefault(_types(variant, self.roots[side]), []).append(variant)
        for key, same in by_type[0].items():
            if len(same) == 1 == len(by_type[1].get(key, [])):
                self._values(same[0], by_type[1][key][0], path)

    def _values(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        self._enums(old, new, path)
        self._bounds(old, new, path)
        self._properties(old, new, path)
        if isinstance(old.get("items"), dict) or isinstance(new.get("items"), dict):
            self.schema(old.get("items", {}), new.get("items", {}), f"{path}[]")

    def _enums(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        before, after = _enum(old), _enum(new)
        if before is None and after is not None:
            self.directed(True, "enum-added", path, f"now limited to {', '.join(sorted(after))}")
        elif before is not None and after is None:
            self.directed(False, "enum-removed", path, "no longer limited to a list of values")
        elif before is not None and after is not None:
            for value in sorted(before.keys() - after.keys()):
                self.directed(True, "enum-value-removed", path, f"enum lost {value}")
            for value in sorted(after.keys() - before.keys()):
                self.directed(False, "enum-value-added", path, f"enum gained {value}")

    def _bounds(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        def tightened(narrowed: bool, text: str) -> None:
            self.directed(narrowed, "constraint-tightened" if narrowed else "constraint-loosened", path, text)

        for key in (*_LOWER_BOUNDS, *_UPPER_BOUNDS, "multipleOf", "pattern"):
            before, after = old.get(key), new.get(key)
            if before == after:
                continue
            numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (before, after))
            if before is None or after is None:
                tightened(before is None, f"{key} {_value(before if after is None else after)} "
                                          f"{'added' if before is None else 'removed'}")
            elif numbers and key != "multipleOf":
                tightened((after > before) == (key in _LOWER_BOUNDS), f"{key} {before} -> {after}")
            elif numbers and before and after and ((after / before).is_integer() or (before / after).is_integer()):
                tightened((after / before).is_integer(), f"multipleOf {before} -> {after}")
            else:  # a pattern or a step where neither contains the other: both directions break
                self.record(BREAKING, f"{self.prefix}constraint-changed", path,
                            f"{key} {_value(before)} -> {_value(after)}")
        if bool(old.get("uniqueItems")) != bool(new.get("uniqueItems")):
            unique = bool(new.get("uniqueItems"))
            tightened(unique, f"uniqueItems {'added' if unique else 'removed'}")
        closed = [s.get("additionalProperties") in (False, {"not": {}}) for s in (old, new)]
        if closed[0] != closed[1]:
            tightened(closed[1], f"other properties {'no longer' if closed[1] else 'now'} allowed")
        # An optional body's fields: once one is given, these must be given too. A dependency on a
        # field that is required anyway adds or removes nothing (a body turning required drops them all).
        dependent = [s.get("dependentRequired") or {} for s in (old, new)]
        required = [set(s.get("required") or ()) for s in (old, new)]
        for name in sorted(dependent[0].keys() | dependent[1].keys()):
            before, after = (set(d.get(name, ())) for d in dependent)
            where = f"{path}.{name}" if path else name
            for narrowed, names in ((True, after - before - required[0]), (False, before - after - required[1])):
                if names:
                    self.directed(narrowed, "constraint-tightened" if narrowed else "constraint-loosened", where,
                                  f"once given, {'now also' if narrowed else 'no longer'} requires "
                                  f"{', '.join(sorted(names))}")

    def _properties(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        before, after = old.get("properties") or {}, new.get("properties") or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return
        old_required, new_required = set(old.get("required") or ()), set(new.get("required") or ())
        for name in [*before, *(n for n in after if n not in before)]:
            where = f"{path}.{name}" if path else name
            if name not in after:
                self.record(BREAKING, f"{self.member}-removed", where,
                            "no longer in the result" if self.output else "argument removed")
            elif name not in before and not self.output and name in new_required:
                self.record(BREAKING, "argument-added-required", where, "new required argument")
            elif name not in before:
                self.record(COMPATIBLE, f"{self.member}-added", where,
                            "new in the result" if self.output else "new optional argument")
            else:
                if (name in old_required) != (name in new_required):
                    # A required output property is one readers may count on; a required input one
                    # is one callers must give.
                    now = "required" if name in new_required else "optional"
                    kind = BREAKING if (now == "required") != self.output else COMPATIBLE
                    self.record(kind, f"{self.member}-now-{now}", where, f"now {now}")
                self.schema(before[name], after[name], where)


def _compare_schemas(old: dict[str, Any], new: dict[str, Any], output: bool = False) -> list[Change]:
    comparison = _SchemaComparison(old, new, output)
    comparison.schema(old, new, "output" if output else "")
    return comparison.changes


# -- tools ----------------------------------------------------------------------------------------

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
                                  f"{key} {_shown(old.definition, key)} -> {_shown(new.definition, key)}"))
    # The annotations' title mirrors the tool's title, reported above.
    hints = [{k: v for k, v in (t.definition.get("annotations") or {}).items() if k != "title"} for t in (old, new)]
    for hint in sorted(hints[0].keys() | hints[1].keys()):
        before, after = (_value(h[hint]) if hint in h else "(unset)" for h in hints)
        if before != after:
            changes.append(Change(COMPATIBLE, "annotation-changed", "", f"{hint} {before} -> {after}"))

    changes += _argument_places(old, new)
    changes += _compare_schemas(old.definition.get("inputSchema") or {}, new.definition.get("inputSchema") or {})
    outputs = [t.definition.get("outputSchema") for t in (old, new)]
    if outputs[0] is not None and outputs[1] is None:
        changes.append(Change(BREAKING, "output-schema-removed", "output", "no structured result any more"))
    elif outputs[0] is None and outputs[1] is not None:
        changes.append(Change(COMPATIBLE, "output-schema-added", "output", "now gives a structured result"))
    elif outputs[0] is not None:
        changes += _compare_schemas(outputs[0], outputs[1], output=True)
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


# -- output ---------------------------------------------------------------------------------------

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


def diff_command(old: str, new: str, as_json: bool = False, fail_on: str | None = None) -> tuple[str, int]:
    """The report and the exit code: 1 when `fail_on` ("breaking" or "any") finds what it names."""
    if fail_on is not None and fail_on not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    diff = diff_surfaces(load_surface(old), load_surface(new))
    text = json.dumps(to_json(diff), indent=2, ensure_ascii=False) if as_json else render_table(diff)
    failed = (fail_on == "breaking" and diff.count(BREAKING) > 0) or (fail_on == "any" and bool(diff.tools))
    return text, 1 if failed else 0
