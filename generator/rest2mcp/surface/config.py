"""The tool-surface configuration: `rest2mcp.toml`, `[tool.rest2mcp]` in a pyproject, or an
operation's `x-mcp` extension. Checked here (files are found and read by config_file.py);
applied to the tools by selection.py.

A configuration file is the user's own: an unknown key or a wrong type is an error (a typo
must not be silently ignored). An `x-mcp` extension is part of a document the user may not
control: a bad entry there is a warning and is ignored.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from rest2mcp.diagnostics import Diagnostic, GenerationFailed, Severity
from rest2mcp.mapping.ir import Prompt, ResourceSetting
from rest2mcp.runtime.changes import ArgumentChange as RuntimeArgumentChange
from rest2mcp.runtime.changes import ToolChange
from rest2mcp.surface.package import PackageMeta, parse_package
from rest2mcp.surface.prompts import parse_prompts
from rest2mcp.surface.resources import parse_resource_setting

MODES = ("tools", "discovery", "dynamic")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SELECTOR_KINDS = ("tags", "operations", "paths", "methods")
ANNOTATION_KEYS = {"title": str, "readOnlyHint": bool, "destructiveHint": bool, "idempotentHint": bool,
                   "openWorldHint": bool}
TOOLSET_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")  # whole names: fullmatch


@dataclass(frozen=True)
class Selector:
    """Operations matching every kind given (any pattern of a kind); an empty selector matches all."""

    tags: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()  # operationId or tool name globs
    paths: tuple[str, ...] = ()  # path template globs: * within a segment, ** across segments
    methods: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.tags or self.operations or self.paths or self.methods)


@dataclass(frozen=True)
class ArgumentChange:
    fixed: Any = None
    has_fixed: bool = False
    default: Any = None
    has_default: bool = False
    description: str | None = None


@dataclass(frozen=True)
class OperationChange:
    """Per-operation settings; None means "not set"."""

    name: str | None = None
    title: str | None = None
    description: str | None = None
    annotations: dict[str, Any] = field(default_factory=dict)
    exclude: bool | None = None
    toolsets: tuple[str, ...] | None = None
    requires_approval: bool | None = None
    arguments: dict[str, ArgumentChange] = field(default_factory=dict)
    resource: ResourceSetting | None = None  # served as a resource too (not a tool change)

    def under(self, base: OperationChange) -> OperationChange:
        """These settings applied over `base`: ours win, key by key."""
        arguments = dict(base.arguments)
        for name, change in self.arguments.items():
            old = arguments.get(name, ArgumentChange())
            arguments[name] = ArgumentChange(
                fixed=change.fixed if change.has_fixed else old.fixed,
                has_fixed=change.has_fixed or (old.has_fixed and not change.has_default),
                default=change.default if change.has_default else old.default,
                has_default=change.has_default or (old.has_default and not change.has_fixed),
                description=change.description if change.description is not None else old.description,
            )
        return OperationChange(
            name=self.name if self.name is not None else base.name,
            title=self.title if self.title is not None else base.title,
            description=self.description if self.description is not None else base.description,
            annotations={**base.annotations, **self.annotations},
            exclude=self.exclude if self.exclude is not None else base.exclude,
            toolsets=self.toolsets if self.toolsets is not None else base.toolsets,
            requires_approval=self.requires_approval if self.requires_approval is not None else base.requires_approval,
            arguments=arguments,
            resource=self.resource.under(base.resource) if self.resource is not None else base.resource,
        )

    def as_tool_change(self) -> ToolChange:
        """In the runtime's vocabulary, which applies it (at generation here, at start for overrides.py)."""
        change: ToolChange = {}
        for key in ("name", "title", "description"):
            if getattr(self, key) is not None:
                change[key] = getattr(self, key)  # type: ignore[literal-required]
        if self.annotations:
            change["annotations"] = dict(self.annotations)
        if self.toolsets:
            change["toolsets"] = list(self.toolsets)
        if self.requires_approval is not None:
            change["requires_approval"] = self.requires_approval
        arguments: dict[str, RuntimeArgumentChange] = {}
        for name, argument in self.arguments.items():
            entry: RuntimeArgumentChange = {}
            if argument.description is not None:
                entry["description"] = argument.description
            if argument.has_fixed:
                entry["fixed"] = argument.fixed
            if argument.has_default:
                entry["default"] = argument.default
            arguments[name] = entry
        if arguments:
            change["arguments"] = arguments
        return change


@dataclass(frozen=True)
class Config:
    source: str | None = None  # the file it came from
    text: str = ""
    mode: str = "tools"
    deprecated: bool = False  # include deprecated operations
    read_only: bool = False  # only operations that change nothing become tools
    include: Selector = Selector()
    exclude: Selector = Selector()
    toolsets: dict[str, tuple[Selector, str]] = field(default_factory=dict)  # name -> (selector, description)
    operations: dict[str, OperationChange] = field(default_factory=dict)  # operationId, tool name or "GET /path"
    prompts: dict[str, Prompt] = field(default_factory=dict)
    package: PackageMeta = field(default_factory=PackageMeta)  # [package]: the distribution's metadata, the user's

    def line_of(self, *keys: str) -> int | None:
        """Best effort: the line where the last of `keys` is written (TOML parsers give no positions)."""
        if not self.text or not keys:
            return None
        key = re.escape(keys[-1])
        pattern = re.compile(rf"""(^|[\s.\[{{,])(["']?){key}\2\s*(=|\]|\.)""")
        for number, line in enumerate(self.text.splitlines(), start=1):
            if pattern.search(line):
                return number
        return None


class _Problems:
    """Collects what is wrong with one configuration source."""

    def __init__(self, config_text: str, source: str | None, severity: Severity, pointer_base: str | None = None):
        self.items: list[Diagnostic] = []
        self._probe = Config(source=source, text=config_text)
        self.source = source
        self.severity = severity
        self.pointer_base = pointer_base  # x-mcp: where the extension is in the document

    def add(self, where: tuple[str, ...], message: str, hint: str | None = None,
            codes: tuple[str, str] = ("E502", "W502")) -> None:
        """A problem at `where` (keys); `codes`: its code as an error and as a warning."""
        code = codes[0] if self.severity is Severity.ERROR else codes[1]
        if self.pointer_base is not None:
            pointer = self.pointer_base + "".join("/" + part for part in where)
            self.items.append(Diagnostic(self.severity, code, message, pointer, hint))
        else:
            label = ".".join(_toml_key(part) for part in where) or "(top level)"
            self.items.append(Diagnostic(self.severity, code, f"{label}: {message}", None, hint,
                                         self.source, self._probe.line_of(*where) if where else None))


def _toml_key(part: str) -> str:
    return part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else '"' + part.replace('"', '\\"') + '"'


def _unknown(problems: _Problems, where: tuple[str, ...], key: str, known: list[str]) -> None:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
    problems.add((*where, key), "unknown key", hint)


def _strings(problems: _Problems, where: tuple[str, ...], value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.add(where, "must be a list of non-empty strings", 'e.g. ["pets", "store"]')
        return None
    return tuple(value)


def _selector(problems: _Problems, where: tuple[str, ...], table: Any, extra: tuple[str, ...] = ()) -> Selector | None:
    if not isinstance(table, dict):
        problems.add(where, "must be a table", f"keys: {', '.join(SELECTOR_KINDS)}")
        return None
    values: dict[str, tuple[str, ...]] = {}
    for key, value in table.items():
        if key in extra:
            continue
        if key not in SELECTOR_KINDS:
            _unknown(problems, where, key, [*SELECTOR_KINDS, *extra])
            continue
        strings = _strings(problems, (*where, key), value)
        if strings is None:
            continue
        if key == "methods":
            bad = [m for m in strings if m.lower() not in METHODS]
            if bad:
                problems.add((*where, key), f"unknown HTTP method {bad[0]!r}", f"use {', '.join(METHODS)}")
                continue
            strings = tuple(m.lower() for m in strings)
        values[key] = strings
    return Selector(**values)


OPERATION_KEYS = ("name", "title", "description", "annotations", "exclude", "toolsets", "requires_approval",
                  "arguments", "resource")


def operation_change(problems: _Problems, where: tuple[str, ...], table: Any) -> OperationChange | None:
    """Per-operation settings from a config table or an x-mcp object."""
    if not isinstance(table, dict):
        problems.add(where, "must be a table", f"keys: {', '.join(OPERATION_KEYS)}")
        return None
    known = list(OPERATION_KEYS)
    values: dict[str, Any] = {}
    for key, value in table.items():
        here = (*where, key)
        if key not in known:
            _unknown(problems, where, key, known)
        elif key in ("name", "title", "description"):
            if not isinstance(value, str) or not value.strip():
                problems.add(here, "must be a non-empty string")
            elif key == "name" and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value):
                problems.add(here, f"{value!r} is not a valid tool name",
                             "use 1-64 letters, digits, '_' or '-' (what every MCP client accepts)")
            else:
                values[key] = value
        elif key in ("exclude", "requires_approval"):
            if isinstance(value, bool):
                values[key] = value
            else:
                problems.add(here, "must be true or false")
        elif key == "toolsets":
            strings = _strings(problems, here, value)
            bad = [s for s in strings or () if not TOOLSET_NAME.fullmatch(s)]
            if bad:
                problems.add(here, f"{bad[0]!r} is not a valid toolset name", "use lowercase letters, digits, '-' and '_'")
            elif strings is not None:
                values[key] = strings
        elif key == "annotations":
            values[key] = _annotations(problems, here, value)
        elif key == "resource":
            config_key = where[1] if problems.severity is Severity.ERROR and len(where) > 1 else None
            values[key] = parse_resource_setting(problems, here, value, config_key)
        else:
            values[key] = _arguments(problems, here, value)
    return OperationChange(**values)


def _annotations(problems: _Problems, where: tuple[str, ...], table: Any) -> dict[str, Any]:
    if not isinstance(table, dict):
        problems.add(where, "must be a table", f"keys: {', '.join(ANNOTATION_KEYS)}")
        return {}
    result = {}
    for key, value in table.items():
        if key not in ANNOTATION_KEYS:
            _unknown(problems, where, key, list(ANNOTATION_KEYS))
        elif not isinstance(value, ANNOTATION_KEYS[key]):
            problems.add((*where, key), f"must be {'true or false' if ANNOTATION_KEYS[key] is bool else 'a string'}")
        else:
            result[key] = value
    return result


def _arguments(problems: _Problems, where: tuple[str, ...], table: Any) -> dict[str, ArgumentChange]:
    if not isinstance(table, dict):
        problems.add(where, "must be a table of argument names", 'e.g. arguments.limit = { default = 20 }')
        return {}
    result = {}
    for name, settings in table.items():
        here = (*where, name)
        if not isinstance(settings, dict):
            problems.add(here, "must be a table", "keys: fixed (hide the argument, always send this value), "
                                                  "default (sent when the model gives none), description")
            continue
        unknown = [k for k in settings if k not in ("fixed", "default", "description")]
        for key in unknown:
            _unknown(problems, here, key, ["fixed", "default", "description"])
        if "fixed" in settings and "default" in settings:
            problems.add(here, "has both fixed and default", "a fixed argument is hidden: keep one of the two")
            continue
        description = settings.get("description")
        if description is not None and not isinstance(description, str):
            problems.add((*here, "description"), "must be a string")
            description = None
        result[name] = ArgumentChange(fixed=settings.get("fixed"), has_fixed="fixed" in settings,
                                      default=settings.get("default"), has_default="default" in settings,
                                      description=description)
    return result


def _toolsets(problems: _Problems, table: Any) -> dict[str, tuple[Selector, str]]:
    if not isinstance(table, dict):
        problems.add(("toolsets",), "must be a table of toolset names", 'e.g. [toolsets.pets] tags = ["pet"]')
        return {}
    result = {}
    for name, value in table.items():
        if not TOOLSET_NAME.fullmatch(name):
            problems.add(("toolsets", name), "is not a valid toolset name", "use lowercase letters, digits, '-' and '_'")
            continue
        selector = _selector(problems, ("toolsets", name), value, extra=("description",))
        description = value.get("description", "") if isinstance(value, dict) else ""
        if not isinstance(description, str):
            problems.add(("toolsets", name, "description"), "must be a string")
            description = ""
        if selector is not None:
            if selector.is_empty():
                problems.add(("toolsets", name), "selects nothing", "give tags, operations, paths or methods")
                continue
            result[name] = (selector, description)
    return result


TOP_KEYS = ["mode", "deprecated", "read_only", "include", "exclude", "toolsets", "operations", "prompts", "package"]


def parse_config(data: dict[str, Any], source: str, text: str) -> Config:
    """A Config from a parsed TOML table; raises GenerationFailed listing every problem."""
    problems = _Problems(text, source, Severity.ERROR)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in TOP_KEYS:
            _unknown(problems, (), key, TOP_KEYS)
        elif key == "mode":
            if value in MODES:
                values["mode"] = value
            else:
                problems.add(("mode",), f"unknown mode {value!r}",
                             "use \"tools\" (one tool per operation), \"discovery\" or \"dynamic\"")
        elif key in ("deprecated", "read_only"):
            if isinstance(value, bool):
                values[key] = value
            else:
                problems.add((key,), "must be true or false")
        elif key in ("include", "exclude"):
            selector = _selector(problems, (key,), value)
            if selector is not None:
                values[key] = selector
        elif key == "toolsets":
            values["toolsets"] = _toolsets(problems, value)
        elif key == "prompts":
            values["prompts"] = parse_prompts(problems, ("prompts",), value)
        elif key == "package":
            values["package"] = parse_package(problems, value)
        else:
            values["operations"] = _operations(problems, value)
    if problems.items:
        raise GenerationFailed(problems.items)
    return Config(source=source, text=text, **values)


def _operations(problems: _Problems, table: Any) -> dict[str, OperationChange]:
    if not isinstance(table, dict):
        problems.add(("operations",), "must be a table keyed by operationId", '[operations.listPets] name = "list_pets"')
        return {}
    result = {}
    for key, value in table.items():
        change = operation_change(problems, ("operations", key), value)
        if change is not None:
            result[key] = change
    return result


def extension_change(value: Any, pointer: str) -> tuple[OperationChange | None, list[Diagnostic]]:
    """An operation's `x-mcp` settings; problems are warnings (the document may not be the user's)."""
    problems = _Problems("", None, Severity.WARNING, pointer)
    change = operation_change(problems, (), value)
    return change, problems.items


def all_prompts(config: Config, document: dict[str, Any]) -> tuple[tuple[Prompt, ...], list[Diagnostic]]:
    """The document's `x-mcp-prompts` (problems are warnings, and a prompt with one is left out),
    then the configuration's `prompts`, which replace the document's of the same name."""
    problems = _Problems("", None, Severity.WARNING, "/x-mcp-prompts")
    found = parse_prompts(problems, (), document["x-mcp-prompts"]) if "x-mcp-prompts" in document else {}
    return tuple({**found, **config.prompts}.values()), problems.items
