"""GET operations served as resources: the `resource` setting of an operation (rest2mcp.toml or
x-mcp) checked, and each chosen operation's URI template made (runtime/uris.py has the rules).

A template carries only what a URI can: the operation's path parameters, one variable each. An
operation that is not a GET, or that needs an argument the URI cannot carry (a required query
parameter, header or body without a default or fixed value), or whose path parameter is not a
string, number or boolean, is refused: an error for rest2mcp.toml, a warning (and no resource)
for x-mcp.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any, Protocol

from rest2mcp.diagnostics import Diagnostic, Diagnostics, GenerationFailed, Severity
from rest2mcp.mapping.ir import ResourceSetting, ResourceTemplate, Tool
from rest2mcp.runtime.uris import (
    document_uri,
    pattern,
    shape,
    template_from_path,
    template_problem,
    toolset_uri,
    variable_name,
    variables_of,
)

RESOURCE_KEYS = ("name", "title", "description", "uri")
NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
PRIMITIVE = {"string", "integer", "number", "boolean"}


class Problems(Protocol):
    def add(self, where: tuple[str, ...], message: str, hint: str | None = None,
            codes: tuple[str, str] = ...) -> None: ...


def parse_resource_setting(problems: Problems, where: tuple[str, ...], value: Any,
                           config_key: str | None) -> ResourceSetting | None:
    """`resource = true | false | {name, title, description, uri}` (a table means true)."""
    if isinstance(value, bool):
        return ResourceSetting(enabled=value, config_key=config_key)
    if not isinstance(value, dict):
        problems.add(where, "must be true, false or a table", f"keys: {', '.join(RESOURCE_KEYS)}")
        return None
    values: dict[str, str] = {}
    for key, item in value.items():
        if key not in RESOURCE_KEYS:
            close = difflib.get_close_matches(str(key), RESOURCE_KEYS, n=1)
            problems.add((*where, key), "unknown key",
                         f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(RESOURCE_KEYS)}")
        elif not isinstance(item, str) or not item.strip():
            problems.add((*where, key), "must be a non-empty string")
        elif key == "name" and not NAME.fullmatch(item):
            problems.add((*where, key), f"{item!r} is not a valid resource name", "use 1-64 letters, digits, '_' or '-'")
        elif key == "uri" and template_problem(item):
            problems.add((*where, key), f"{item!r} is not a URI template: {template_problem(item)}",
                         "e.g. 'petstore-mcp://pets/{petId}' (RFC 6570 level 1: {name} expressions only)")
        else:
            values[key] = item
    return ResourceSetting(enabled=True, config_key=config_key, **values)


def _types(schema: Any) -> set[str]:
    if not isinstance(schema, dict):
        return set()
    kind = schema.get("type")
    found = {kind} if isinstance(kind, str) else {k for k in kind if isinstance(k, str)} if isinstance(kind, list) else set()
    for variant in schema.get("anyOf") or schema.get("oneOf") or ():
        found |= _types(variant)
    return found - {"null"}


def _mime_type(accept: str | None) -> str | None:
    kinds = [part.strip() for part in (accept or "").split(",") if part.strip()]
    return kinds[0] if len(kinds) == 1 else None


class _Builder:
    def __init__(self, scheme: str, toolsets: Iterable[str], source: str | None, line_of: Any):
        self.scheme = scheme
        self.fixed_uris = [document_uri(scheme), *(toolset_uri(scheme, t) for t in toolsets)]
        self.source, self.line_of = source, line_of
        self.problems: list[Diagnostic] = []
        self.shapes: dict[str, str] = {}  # template shape -> the tool serving it
        self.names: dict[str, str] = {}

    def problem(self, tool: Tool, setting: ResourceSetting, message: str, hint: str) -> None:
        text = f"tool {tool.name} as a resource: {message}"
        if setting.config_key is not None:
            self.problems.append(Diagnostic(Severity.ERROR, "E507", text, None, hint, self.source,
                                            self.line_of(setting.config_key)))
        else:
            self.problems.append(Diagnostic(Severity.WARNING, "W507", text, tool.pointer + "/x-mcp/resource", hint))

    def template(self, tool: Tool, setting: ResourceSetting) -> ResourceTemplate | None:
        where = f"operations.{tool.operation_id or tool.name}.arguments"
        if tool.method.lower() != "get":
            self.problem(tool, setting, f"it is a {tool.method.upper()} operation; only GET operations, which "
                         "change nothing, can be read as resources", "remove `resource` from this operation")
            return None
        schema = tool.input_schema
        locations = {a.name: a.location for a in tool.arguments}
        for name in schema.get("required", []):
            if locations.get(name) != "path":
                self.problem(tool, setting, f"its required argument {name!r} ({locations.get(name, 'body')}) "
                             "cannot be given in the resource's URI, which carries path parameters only",
                             f"give it a default or a fixed value ({where}.{name}.default = ...)")
                return None
        variables: dict[str, str] = {}  # wire name -> URI variable
        pairs: dict[str, str] = {}  # URI variable -> argument
        fixed: dict[str, str] = {}
        taken: set[str] = set()
        for argument in tool.arguments:
            if argument.location != "path":
                continue
            if argument.name in tool.fixed:
                value = tool.fixed[argument.name]
                fixed[argument.wire] = str(value).lower() if isinstance(value, bool) else str(value)
                continue
            kinds = _types(schema.get("properties", {}).get(argument.name))
            if kinds - PRIMITIVE:
                self.problem(tool, setting, f"its path parameter {argument.wire!r} is a {' or '.join(sorted(kinds))}, "
                             "which a URI variable cannot carry", "keep it a tool only, or fix its value")
                return None
            variables[argument.wire] = variable_name(argument.name, taken)
            pairs[variables[argument.wire]] = argument.name
        uri = setting.uri or template_from_path(self.scheme, tool.path, variables, fixed)
        if setting.uri and sorted(variables_of(uri)) != sorted(pairs):
            self.problem(tool, setting, f"the URI template {uri!r} must have exactly the variables "
                         f"{', '.join('{' + v + '}' for v in pairs) or '(none)'}, one per path parameter",
                         "write each path parameter once as {name}")
            return None
        clash = next((u for u in self.fixed_uris if pattern(uri).fullmatch(u)), None) or self.shapes.get(shape(uri))
        if clash:
            self.problem(tool, setting, f"its URI template {uri!r} also matches {clash}",
                         "give it another URI (resource = { uri = \"...\" })")
            return None
        name = setting.name or tool.name
        if name in self.names:
            self.problem(tool, setting, f"the resource name {name!r} is taken by the tool {self.names[name]}",
                         "give it another name (resource = { name = \"...\" })")
            return None
        self.shapes[shape(uri)] = f"the resource of the tool {tool.name}"
        self.names[name] = tool.name
        ordered = tuple((v, pairs[v]) for v in variables_of(uri))
        return ResourceTemplate(tool.name, uri, ordered, name, setting.title or tool.title,
                                setting.description or tool.description, _mime_type(tool.accept), tool.toolsets)


def resource_templates(tools: Iterable[Tool], scheme: str, toolsets: Iterable[str], source: str | None,
                       line_of: Any, diagnostics: Diagnostics) -> tuple[ResourceTemplate, ...]:
    """The templates of the operations configured as resources; raises GenerationFailed on
    rest2mcp.toml's problems (x-mcp's are warnings)."""
    builder = _Builder(scheme, toolsets, source, line_of)
    templates = []
    for tool in tools:
        if tool.resource is None or not tool.resource.enabled:
            continue
        template = builder.template(tool, tool.resource)
        if template is not None:
            templates.append(template)
    errors = [p for p in builder.problems if p.severity is Severity.ERROR]
    if errors:
        raise GenerationFailed(errors)
    for problem in builder.problems:
        diagnostics.add(problem.severity, problem.code, problem.message, problem.pointer, problem.hint)
    return tuple(templates)
