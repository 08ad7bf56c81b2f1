"""The lint rules: what in a document makes its tools hard for a model to use, with a fix for each.

Pure: an Analysis (the document, its configuration and the tools generation would make) in, findings
out, in a stable order (by code, then in the document's order). The rules read the tools as the model
would see them, after `rest2mcp.toml` and `x-mcp` (a description configured there counts), and point at
the part of the document to change. Codes and their fixes are registered in `lint/codes.py`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rest2mcp.diagnostics import Diagnostic, Diagnostics, pointer_join
from rest2mcp.lint.codes import LINT_REGISTRY
from rest2mcp.mapping.drafts import DESCRIPTION_LIMIT
from rest2mcp.mapping.ir import Tool
from rest2mcp.mapping.naming import derived_name

if TYPE_CHECKING:
    from rest2mcp.pipeline import Analysis

DEFAULT_MAX_SCHEMA = 8_192  # bytes of an input schema's compact JSON
DEFAULT_MAX_TOOLS = 40  # Cursor's limit; VS Code and the OpenAI API refuse more than 128
HARD_TOOL_LIMIT = 128
LIST_BUDGET = 100_000  # bytes of tools/list
CLIENT_DESCRIPTION_LIMIT = 1_024  # the OpenAI API's limit on a function's description
SHOWN = 8  # names listed in one finding


@dataclass(frozen=True)
class Settings:
    max_schema: int = DEFAULT_MAX_SCHEMA
    max_tools: int = DEFAULT_MAX_TOOLS
    ignore: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Finding:
    """A lint finding: where (a Diagnostic, with its fix as hint) and which tools it concerns."""

    diagnostic: Diagnostic
    tools: tuple[str, ...] = ()
    operation: str | None = None  # "GET /pets"

    @property
    def code(self) -> str:
        return self.diagnostic.code

    def as_json(self) -> dict[str, Any]:
        d = self.diagnostic
        return {"code": d.code, "severity": d.severity.value, "message": d.message, "file": d.source,
                "line": d.line, "pointer": d.pointer, "fix": d.hint, "tools": list(self.tools),
                "operation": self.operation}


class _Collector:
    def __init__(self, settings: Settings, source: str):
        self.settings = settings
        self.diagnostics = Diagnostics(source=source)
        self.subjects: list[tuple[tuple[str, ...], str | None]] = []

    def add(self, code: str, message: str, pointer: str | None, tools: tuple[str, ...] = (),
            operation: str | None = None, fix: str | None = None) -> None:
        if code in self.settings.ignore:
            return
        entry = LINT_REGISTRY[code]
        self.diagnostics.add(entry.severity, code, message, pointer, fix or entry.fix.replace("`", ""))
        self.subjects.append((tools, operation))


def lint(analysis: Analysis, settings: Settings | None = None) -> list[Finding]:
    """The findings for the tools `analysis` describes, located in the document as read."""
    from rest2mcp.pipeline import located

    settings = settings or Settings()
    collector = _Collector(settings, analysis.source)
    tools = analysis.api.tools
    document = analysis.document
    for tool in tools:
        _descriptions(tool, document, collector)
        _name(tool, collector)
        _body_fields(tool, collector)
        _enums(tool, collector)
        _schema_sizes(tool, collector)
        _operation_id(tool, collector)
    _parameters(tools, analysis.loaded.document, collector)  # as read: a Swagger 2.0 document's own places
    _near_duplicates(tools, collector)
    _surface(analysis, collector)
    placed = located(analysis, collector.diagnostics)
    findings = [Finding(d, *subject) for d, subject in zip(placed, collector.subjects)]
    order = {code: i for i, code in enumerate(LINT_REGISTRY)}
    return sorted(findings, key=lambda f: order[f.code])  # stable: the document's order within a code


def _operation(tool: Tool) -> str:
    return f"{tool.method.upper()} {tool.path}"


def _config_key(tool: Tool) -> str:
    """How rest2mcp.toml names the tool's operation."""
    key = tool.operation_id or f"{tool.method.upper()} {tool.path}"
    return f'[operations.{key}]' if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'[operations."{key}"]'


def at(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer of `document` (None when there is none)."""
    node = document
    for raw in pointer.lstrip("/").split("/") if pointer else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# -- one tool ------------------------------------------------------------------------------------


def _descriptions(tool: Tool, document: dict[str, Any], collector: _Collector) -> None:
    operation = at(document, tool.pointer)
    operation = operation if isinstance(operation, dict) else {}
    summary, description = _text(operation.get("summary")), _text(operation.get("description"))
    fallback = tool.description.removeprefix("Deprecated. ").strip() == _operation(tool)
    if not summary and not description and fallback:
        collector.add("L101", f"tool {tool.name}: the operation has no summary and no description, so the model "
                      f"sees only {_operation(tool)!r}", tool.pointer, (tool.name,), _operation(tool),
                      f"add a summary (a few words) and a description (when to use it, what it returns) to the "
                      f"operation, or set description under {_config_key(tool)} in rest2mcp.toml")
    full = len(summary) + len(description) + 2 if summary and description != summary else len(summary or description)
    if full > DESCRIPTION_LIMIT and len(tool.description) <= DESCRIPTION_LIMIT + 2:
        collector.add("L106", f"tool {tool.name}: summary and description have {full:,} characters; the tool's "
                      f"description is cut to {len(tool.description):,}", tool.pointer + "/description",
                      (tool.name,), _operation(tool),
                      f"shorten the description to what a model needs to choose and call the tool (move the rest "
                      f"to externalDocs), or set a shorter description under {_config_key(tool)}")
    elif len(tool.description) > CLIENT_DESCRIPTION_LIMIT:
        collector.add("L106", f"tool {tool.name}: its configured description has {len(tool.description):,} "
                      f"characters, more than clients take ({CLIENT_DESCRIPTION_LIMIT:,})", tool.pointer,
                      (tool.name,), _operation(tool))


# Words that say nothing about what a tool does: verbs any tool has, and filler.
_GENERIC = frozenset({
    "get", "put", "post", "patch", "delete", "head", "options", "trace", "list", "create", "update",
    "remove", "add", "find", "fetch", "retrieve", "read", "write", "set", "do", "call", "run", "execute",
    "handle", "process", "query", "operation", "op", "ops", "api", "apis", "endpoint", "method", "request",
    "requests", "response", "action", "function", "func", "handler", "default",
    "data", "service", "using", "by", "id", "ids", "index",
    "root", "main", "test", "new", "all", "one", "any", "rest", "http", "https", "v",
})


def name_words(name: str) -> list[str]:
    """The words of a tool name: separators, camelCase and digits split it; a hash suffix is dropped."""
    name = re.sub(r"_[0-9a-f]{6}$", "", name)
    spaced = re.sub(r"([a-z])([A-Z])|([A-Z])([A-Z][a-z])", r"\1\3 \2\4", name)
    return [w.lower() for w in re.split(r"[^A-Za-z]+|(?<=[A-Za-z])(?=\d)", spaced) if w]


def _name(tool: Tool, collector: _Collector) -> None:
    words = name_words(tool.name)
    if all(word in _GENERIC or word.isdigit() or re.fullmatch(r"v\d*", word) for word in words):
        collector.add("L104", f"tool {tool.name} ({_operation(tool)}): the name says nothing about what the tool "
                      f"does", tool.pointer, (tool.name,), _operation(tool),
                      f"give the operation an operationId that names what it does (e.g. "
                      f"{_suggested_name(tool)}), or set name under {_config_key(tool)} in rest2mcp.toml")


def _suggested_name(tool: Tool) -> str:
    derived = derived_name(tool.method, tool.path)
    return derived if derived != tool.name else f"{tool.method.lower()}_{(tool.tags or ('things',))[0]}".lower()


def _properties(tool: Tool) -> dict[str, Any]:
    properties = tool.input_schema.get("properties")
    return properties if isinstance(properties, dict) else {}


def _described(schema: Any, tool: Tool) -> bool:
    """Whether an input property (or the $defs entry it references) has a description."""
    if not isinstance(schema, dict):
        return True
    if _text(schema.get("description")):
        return True
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = (tool.input_schema.get("$defs") or {}).get(ref.removeprefix("#/$defs/"))
        return isinstance(target, dict) and bool(_text(target.get("description")))
    return False


def _body_fields(tool: Tool, collector: _Collector) -> None:
    properties = _properties(tool)
    fields = [a.name for a in tool.arguments if a.location == "body_field" and a.name in properties]
    missing = [name for name in fields if not _described(properties[name], tool)]
    if missing:
        shown = ", ".join(missing[:SHOWN]) + (f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else "")
        collector.add("L103", f"tool {tool.name}: {len(missing)} of {len(fields)} body field"
                      f"{'s' * (len(fields) != 1)} without description: {shown}", tool.pointer + "/requestBody",
                      (tool.name,), _operation(tool))


def _enum_of(schema: Any) -> list[Any] | None:
    if not isinstance(schema, dict):
        return None
    for candidate in (schema, schema.get("items")):
        if isinstance(candidate, dict) and isinstance(candidate.get("enum"), list):
            return list(candidate["enum"])
    for key in ("anyOf", "oneOf"):
        for member in schema.get(key) or []:
            found = _enum_of(member)
            if found is not None:
                return found
    return None


def _enums(tool: Tool, collector: _Collector) -> None:
    properties = _properties(tool)
    for name, schema in properties.items():
        values = _enum_of(schema)
        if values is None or len([v for v in values if v is not None]) < 2 or _described(schema, tool):
            continue
        shown = ", ".join(json.dumps(v) for v in values[:SHOWN]) + (", ..." if len(values) > SHOWN else "")
        collector.add("L109", f"tool {tool.name}: argument {name!r} takes one of {shown} and has no description",
                      tool.pointer, (tool.name,), _operation(tool),
                      f"say what each value means in the description of {name!r} (in the document, or as "
                      f"arguments.{name}.description under {_config_key(tool)})")


def _compact_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _schema_sizes(tool: Tool, collector: _Collector) -> None:
    size = _compact_size(tool.input_schema)
    if size > collector.settings.max_schema:
        collector.add("L107", f"tool {tool.name}: its input schema has {size:,} bytes of JSON, over the budget of "
                      f"{collector.settings.max_schema:,}", tool.pointer, (tool.name,), _operation(tool))
    if tool.output_left_out:
        collector.add("L108", f"tool {tool.name}: its output schema ({tool.output_left_out:,} bytes) was left out",
                      tool.pointer + "/responses", (tool.name,), _operation(tool))


def _operation_id(tool: Tool, collector: _Collector) -> None:
    if tool.operation_id:
        return
    collector.add("L110", f"tool {tool.name} ({_operation(tool)}): no operationId; the name comes from the path "
                  f"and changes with it", tool.pointer, (tool.name,), _operation(tool),
                  f"add operationId: {tool.name} to the operation (the name it has now)")


# -- across tools --------------------------------------------------------------------------------


def _definition(document: dict[str, Any], raw: Any, pointer: str) -> tuple[Any, str]:
    """A parameter (or a $ref chain to one) and the pointer of its definition."""
    seen = 0
    while isinstance(raw, dict) and isinstance(raw.get("$ref"), str) and raw["$ref"].startswith("#") and seen < 32:
        pointer = raw["$ref"][1:]
        raw = at(document, pointer)
        seen += 1
    return raw, pointer


def _parameters(tools: tuple[Tool, ...], document: dict[str, Any], collector: _Collector) -> None:
    """Parameters the model sees without a description, once per definition (shared ones are defined once).
    `document` is the document as read (Swagger 2.0 keeps its parameters where they are)."""
    undocumented: dict[str, tuple[str, str, list[Tool]]] = {}  # definition pointer -> (name, in, tools)
    for tool in tools:
        properties = _properties(tool)
        by_wire = {(a.wire, a.location): a.name for a in tool.arguments if a.location not in ("body", "body_field")}
        item_pointer = tool.pointer.rsplit("/", 1)[0]
        for level in (item_pointer, tool.pointer):
            parameters = at(document, level + "/parameters")
            if not isinstance(parameters, list):
                continue
            for index, raw in enumerate(parameters):
                param, where = _definition(document, raw, level + pointer_join("parameters", index))
                if not isinstance(param, dict):
                    continue
                argument = by_wire.get((str(param.get("name")), str(param.get("in"))))
                if argument is None or argument not in properties or _described(properties[argument], tool):
                    continue
                entry = undocumented.setdefault(where, (str(param.get("name")), str(param.get("in")), []))
                if tool not in entry[2]:
                    entry[2].append(tool)
    for where, (name, location, users) in undocumented.items():
        names = ", ".join(t.name for t in users[:SHOWN]) + (f" and {len(users) - SHOWN} more" if len(users) > SHOWN else "")
        collector.add("L102", f"{location} parameter {name!r} has no description (tool{'s' * (len(users) != 1)} "
                      f"{names})", where, tuple(t.name for t in users), _operation(users[0]) if len(users) == 1 else None)


def _name_key(name: str) -> str:
    name = re.sub(r"_[0-9a-f]{6}$", "", name)
    return re.sub(r"\d+$", "", re.sub(r"[^a-z0-9]", "", name.lower()))


_VERSION = re.compile(r"v\d+(\.\d+)*|\d{4}-\d{2}-\d{2}")


def _version_key(tool: Tool) -> str | None:
    segments = [s for s in tool.path.split("/") if s]
    kept = [s for s in segments if not _VERSION.fullmatch(s.lower())]
    return f"{tool.method.upper()} /{'/'.join(kept)}" if len(kept) != len(segments) else None


def _near_duplicates(tools: tuple[Tool, ...], collector: _Collector) -> None:
    parent = list(range(len(tools)))
    why: dict[int, set[str]] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(members: list[int], reason: str) -> None:
        for other in members[1:]:
            a, b = find(members[0]), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
        root = find(members[0])
        why.setdefault(root, set()).add(reason)

    keys: dict[tuple[str, str], list[int]] = {}
    for i, tool in enumerate(tools):
        keys.setdefault(("names that differ only in case, separators or a number", _name_key(tool.name)), []).append(i)
        version = _version_key(tool)
        if version is not None:
            keys.setdefault(("the same operation under two API versions", version), []).append(i)
        if len(tool.description) > 40 and tool.description != _operation(tool):
            arguments = ",".join(sorted(_properties(tool)))
            keys.setdefault(("the same description and arguments", tool.description + "\0" + arguments), []).append(i)
    for (reason, _), members in keys.items():
        if len(members) > 1:
            join(members, reason)
    groups: dict[int, list[int]] = {}
    for i in range(len(tools)):
        groups.setdefault(find(i), []).append(i)
    reasons: dict[int, set[str]] = {}
    for root, found in why.items():
        reasons.setdefault(find(root), set()).update(found)
    for root, members in groups.items():
        if len(members) < 2:
            continue
        first = tools[members[0]]
        listed = ", ".join(f"{tools[i].name} ({_operation(tools[i])})" for i in members[:SHOWN])
        more = f" and {len(members) - SHOWN} more" if len(members) > SHOWN else ""
        collector.add("L105", f"{len(members)} near-duplicate tools: {listed}{more}: "
                      + "; ".join(sorted(reasons.get(root, set()))), first.pointer,
                      tuple(tools[i].name for i in members), None)


def _surface(analysis: Analysis, collector: _Collector) -> None:
    api = analysis.api
    if api.mode != "tools":
        return  # discovery and dynamic modes list a few tools whatever the API's size
    count = len(api.tools)
    limit = collector.settings.max_tools
    if count > limit:
        beyond = (f"; more than {HARD_TOOL_LIMIT}, which some clients (VS Code, the OpenAI API) refuse"
                  if count > HARD_TOOL_LIMIT else "")
        collector.add("L201", f"{count} tools, more than {limit}{beyond}", None, (), None,
                      "select operations with [include] and [exclude] in rest2mcp.toml, or generate with "
                      "--mode dynamic (the model enables the toolsets it needs) or --mode discovery")
    size = _compact_size([tool.definition() for tool in api.tools])
    if size > LIST_BUDGET:
        collector.add("L202", f"tools/list has {size:,} bytes of JSON (about {size // 4:,} tokens), sent to "
                      f"the model in every conversation", None)
