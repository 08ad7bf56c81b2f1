"""A validated OpenAPI 3.x document to the IR: one tool per operation.

An operation that cannot be mapped is skipped with a warning; the others are generated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urljoin, urlsplit

from rest2mcp.diagnostics import Diagnostics, Severity, pointer_join
from rest2mcp.document.refs import Resolver, UnresolvableRef
from rest2mcp.mapping.bodies import BodyInput, FieldEncoding, UnsupportedBody, map_body
from rest2mcp.mapping.ir import Api, Argument, LeftOut, Tool
from rest2mcp.mapping.naming import NameRequest, argument_name, assign_tool_names
from rest2mcp.mapping.pagination import detect_pagination
from rest2mcp.mapping.parameters import PARAMETER_ORDER, ParameterInput, map_parameter, merged_parameters
from rest2mcp.mapping.paths import PLACEHOLDERS, without_fragments
from rest2mcp.mapping.responses import DEFAULT_OUTPUT_SCHEMA_LIMIT, map_responses
from rest2mcp.mapping.security import map_schemes, requirements
from rest2mcp.runtime.uris import scheme_for
from rest2mcp.schemas.convert import (
    MAX_SCHEMA_JSON_DEPTH,
    SchemaConverter,
    SchemaTooDeep,
    json_depth,
    json_levels,
)
from rest2mcp.schemas.defs import DocumentSchemas, used_defs
from rest2mcp.schemas.prose import plain_texts
from rest2mcp.surface.config import Config, all_prompts
from rest2mcp.surface.resources import resource_templates
from rest2mcp.surface.selection import shape
from rest2mcp.text import cap, plain

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DESCRIPTION_LIMIT = 1000


def build_api(
    document: dict[str, Any],
    version: str,
    *,
    package: str,
    module: str,
    env_prefix: str,
    spec_url: str | None,
    spec_source: str,
    diagnostics: Diagnostics,
    preferred_media_types: tuple[str, ...] = (),
    output_schema_limit: int = DEFAULT_OUTPUT_SCHEMA_LIMIT,
    config: Config | None = None,
    previous_names: Mapping[tuple[str, str], str] | None = None,
) -> Api:
    """The IR of `document`. `previous_names`: (METHOD, path) -> tool name of an earlier generation
    (the output folder's), so that an operation keeps its name when a new one would derive the same."""
    config = config or Config()
    resolver = Resolver(document)
    schemas = DocumentSchemas(resolver, version, diagnostics)
    schemes = map_schemes(document, resolver, env_prefix, diagnostics)
    context = _Context(document, resolver, schemas, schemes, diagnostics, preferred_media_types, output_schema_limit)
    info = document.get("info")
    info = info if isinstance(info, dict) else {}
    base_url, base_note = server_url(document.get("servers"), spec_url)

    drafts: list[dict[str, Any]] = []
    named_paths: list[str] = []
    unmappable: list[LeftOut] = []
    extensions: dict[str, Any] = {}  # operation pointer -> its x-mcp settings
    paths = document.get("paths")
    paths = paths if isinstance(paths, dict) else {}
    for path, raw_item in paths.items():
        item_pointer = pointer_join("paths", path)
        if str(path).startswith("x-"):  # an extension of the Paths Object, not a path
            continue
        if not str(path).startswith("/"):
            # appended to the base URL, "@host:port/x" or ".host/x" would send the requests, with
            # their credentials, to another host
            diagnostics.warning("W306", f"operations of the path {path!r} skipped: a path must start with '/'",
                                item_pointer, "start the path with '/'; the host belongs in `servers`")
            unmappable += _operations_of(path, raw_item, item_pointer)
            continue
        try:
            item = resolver.deref(raw_item)
        except UnresolvableRef as exc:
            diagnostics.warning("W301", f"path item skipped: {exc}", item_pointer)
            unmappable += _operations_of(path, raw_item, item_pointer) or [LeftOut("*", path, "unmappable", item_pointer)]
            continue
        if not isinstance(item, dict):
            continue
        template, fragments = without_fragments(path)
        if fragments:
            diagnostics.add(Severity.INFO, "I305", f"the path {path!r} is sent as {template!r}: "
                            f"{', '.join(repr(f) for f in fragments)} is a URL fragment, which no request carries",
                            item_pointer)
        if any(c in PLACEHOLDERS.sub("", template) for c in "#?"):
            diagnostics.warning(
                "W305", f"the path {path!r} contains '#' or '?', which end a URL's path: they are sent "
                "percent-encoded (%23, %3F) as part of the path, which is rarely a path the API serves", item_pointer,
                "a server variable or a query parameter was probably meant: fix the path in the document")
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            pointer = item_pointer + pointer_join(method)
            skipped = LeftOut(method.upper(), path, "unmappable", pointer)
            try:
                draft = _operation(template, method, item, operation, pointer, context)
            except UnresolvableRef as exc:
                diagnostics.warning("W301", f"operation skipped: {exc}", pointer, "fix the reference in the document")
                unmappable.append(skipped)
                continue
            except MissingPathParameter as exc:
                diagnostics.warning("W301", f"operation skipped: {exc}", pointer,
                                    "declare a path parameter for every {variable} of the path")
                unmappable.append(skipped)
                continue
            except UnsupportedBody as exc:
                diagnostics.warning("W310", f"operation skipped: {exc}", pointer + "/requestBody")
                unmappable.append(skipped)
                continue
            except SchemaTooDeep as exc:
                diagnostics.warning("W307", f"operation skipped: {exc}", exc.pointer,
                                    "MCP clients cannot even list a tool whose schema nests this deeply: "
                                    "flatten the schema (no API needs such nesting)")
                unmappable.append(skipped)
                continue
            draft["server"] = _operation_server(operation, item, spec_url, base_url)
            drafts.append(draft)
            named_paths.append(path)  # the document's own: operations kept apart by a fragment keep apart names
            if "x-mcp" in operation:
                extensions[pointer] = operation["x-mcp"]

    webhooks_only = not paths and isinstance(document.get("webhooks"), dict)
    if webhooks_only:
        diagnostics.warning("W330", "the document describes only webhooks: no operations to call, no tools generated",
                            "/webhooks", "webhooks are requests the API sends, not ones a client makes; describe "
                            "the API's own operations under `paths` to get tools")

    names = assign_tool_names([NameRequest(d["method"], named, d["operation_id"]) for d, named in zip(drafts, named_paths)],
                              previous_names)
    tools = tuple(Tool(name=name, **d) for name, d in zip(names, drafts))
    tools, toolsets, left_out = shape(tools, config, extensions, diagnostics)
    scheme = scheme_for(package)
    templates = resource_templates(tools, scheme, toolsets, config.source, config.line_of, diagnostics)
    prompts, problems = all_prompts(config, document)
    for problem in problems:
        diagnostics.add(problem.severity, problem.code, problem.message, problem.pointer, problem.hint)
    return Api(
        title=str(info.get("title") or package),
        version=str(info.get("version") or ""),
        description=str(info.get("description") or ""),
        package=package,
        module=module,
        env_prefix=env_prefix,
        base_url=base_url,
        base_url_note=base_note,
        tools=tools,
        schemes=schemes,
        spec_source=spec_source,
        mode=config.mode,
        toolsets=toolsets,
        scheme=scheme,
        resources=templates,
        prompts=prompts,
        left_out=tuple(left_out) + tuple(unmappable),
        webhooks_only=webhooks_only,
    )


def _operations_of(path: str, item: Any, pointer: str) -> list[LeftOut]:
    """The operations a skipped path item declares (none when it is no object)."""
    if not isinstance(item, dict):
        return []
    return [LeftOut(method.upper(), path, "unmappable", pointer + pointer_join(method))
            for method in METHODS if isinstance(item.get(method), dict)]


@dataclass(frozen=True)
class _Context:
    """What every operation's mapping reads: the document and its shared caches."""

    document: dict[str, Any]
    resolver: Resolver
    schemas: DocumentSchemas
    schemes: dict[str, Any]
    diagnostics: Diagnostics
    preferred_media_types: tuple[str, ...]
    output_schema_limit: int
    # id() of a schema -> (the schema, kept alive so the id stays its own; its json_levels): the tools
    # returning the same output schema share one object (schemas/output.py)
    depths: dict[int, tuple[Any, int]] = field(default_factory=dict)

    def depth(self, schema: Any) -> int:
        known = self.depths.get(id(schema))
        if known is None or known[0] is not schema:
            known = self.depths[id(schema)] = (schema, json_levels(schema))
        return known[1]


def _operation(
    path: str, method: str, item: dict[str, Any], operation: dict[str, Any], pointer: str, context: _Context
) -> dict[str, Any]:
    resolver, schemas, diagnostics = context.resolver, context.schemas, context.diagnostics
    converter = SchemaConverter(schemas, "input")
    parameters = []
    for param, param_pointer in merged_parameters(item.get("parameters"), operation.get("parameters"), resolver, pointer):
        mapped = map_parameter(param, param_pointer, converter, diagnostics)
        if mapped is not None:
            parameters.append(mapped)
    parameters.sort(key=lambda p: PARAMETER_ORDER[p.argument.location])
    _check_path_parameters(path, parameters)

    body = None
    if "requestBody" in operation:
        body = map_body(operation["requestBody"], pointer + "/requestBody", resolver, converter,
                        context.preferred_media_types)
        if body is not None and body.bytes_for_structure:
            diagnostics.warning(
                "W314", f"the request body's media type {body.body.media_type} is not one rest2mcp can build from "
                "the schema's fields (JSON, YAML, form, multipart), so the tool takes the body as base64 bytes",
                pointer + pointer_join("requestBody", "content", body.body.media_type),
                "if the API takes JSON or a form, declare application/json, multipart/form-data or "
                "application/x-www-form-urlencoded")
    input_schema, arguments = _input_schema(parameters, body, converter, pointer, diagnostics)
    input_schema = plain_texts(input_schema)  # descriptions only: every constraint stays as it is

    output = map_responses(operation.get("responses"), pointer, resolver, SchemaConverter(schemas, "output"),
                           context.output_schema_limit)
    for side, schema in (("input", input_schema), ("output", output.schema)):
        depth = context.depth(schema) if side == "output" else json_levels(schema)
        if depth > MAX_SCHEMA_JSON_DEPTH:
            depth, deepest = json_depth(schema)
            raise SchemaTooDeep(pointer, f"the tool's {side} schema nests {depth} levels deep, more than "
                                f"{MAX_SCHEMA_JSON_DEPTH} (its deepest value: {deepest[:200]})")
    summary = _one_line(operation.get("summary"))
    operation_id = operation.get("operationId") if isinstance(operation.get("operationId"), str) else None
    return {
        "operation_id": operation_id,
        "title": summary or None,
        "description": describe(summary, operation.get("description"), operation.get("deprecated") is True) or f"{method.upper()} {path}",
        "method": method,
        "path": path,
        "input_schema": input_schema,
        "output_schema": output.schema,
        "wrap_output": output.wrap,
        "output_left_out": output.left_out_bytes,
        "annotations": tool_annotations(method, summary),
        "arguments": arguments,
        "body": body.body if body else None,
        "security": requirements(operation, context.document, context.schemes, pointer, diagnostics),
        "accept": output.accept,
        "pointer": pointer,
        "tags": tuple(t for t in _list(operation.get("tags")) if isinstance(t, str)),
        "deprecated": operation.get("deprecated") is True,
        "pagination": detect_pagination(operation.get("responses"), resolver, arguments),
    }


class MissingPathParameter(Exception):
    """A `{variable}` of the path that no parameter fills: the operation cannot be called."""


def _check_path_parameters(path: str, parameters: list[ParameterInput]) -> None:
    declared = {p.argument.wire for p in parameters if p.argument.location == "path"}
    for name in re.findall(r"\{([^}]+)\}", path):
        if name not in declared:
            raise MissingPathParameter(f"path template variable {{{name}}} has no path parameter")


def _input_schema(
    parameters: list[ParameterInput], body: BodyInput | None, converter: SchemaConverter,
    pointer: str, diagnostics: Diagnostics,
) -> tuple[dict[str, Any], tuple[Argument, ...]]:
    """The flat root object and its argument map; colliding parameter names get a location suffix."""
    entries: list[tuple[Argument, dict[str, Any], bool]] = []
    body_entries: list[tuple[Argument, dict[str, Any], bool]] = []
    for p in parameters:
        entries.append((p.argument, p.schema, p.required))
    if body is not None:
        if body.fields is not None:
            for wire, schema in body.fields.items():
                encoding = body.encodings.get(wire, FieldEncoding())
                argument = Argument(argument_name(wire), "body_field", wire, style=encoding.style,
                                    explode=encoding.explode, content_type=encoding.content_type,
                                    file=wire in body.files)
                body_entries.append((argument, schema, body.body.required and wire in body.required_fields))
        else:
            schema = body.schema
            if body.description and "description" not in schema:
                schema = {"description": body.description, **schema}
            body_entries.append((Argument("body", "body"), schema, body.body.required))

    counts: dict[str, int] = {}
    for argument, _, _ in entries:
        counts[argument_name(argument.wire)] = counts.get(argument_name(argument.wire), 0) + 1
    for argument, _, _ in body_entries:
        counts[argument.name] = counts.get(argument.name, 0) + 1

    properties: dict[str, Any] = {}
    required: list[str] = []
    arguments: list[Argument] = []
    for argument, schema, is_required in entries + body_entries:
        name = argument.name if argument.location in ("body", "body_field") else argument_name(argument.wire)
        if argument.location not in ("body", "body_field") and counts[name] > 1:
            name = f"{name}__{argument.location}"
        while name in properties:  # a suffixed name that meets a literal one
            name += "_"
        if name != argument.name:
            argument = replace(argument, name=name)
        properties[name] = schema
        if is_required:
            required.append(name)
        arguments.append(argument)

    root: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        root["required"] = required
    dependent = _optional_body_requirements(body, arguments)
    if dependent:
        root["dependentRequired"] = dependent
    root["additionalProperties"] = False
    defs = used_defs(root, converter.defs)
    if defs:
        root["$defs"] = defs
    return root, tuple(arguments)


def _optional_body_requirements(body: BodyInput | None, arguments: list[Argument]) -> dict[str, list[str]]:
    """For an optional object body: once any of its fields is given, its required fields must be too."""
    if body is None or body.fields is None or body.body.required or not body.required_fields:
        return {}
    by_wire = {a.wire: a.name for a in arguments if a.location == "body_field"}
    required = [by_wire[w] for w in body.required_fields if w in by_wire]
    return {name: [r for r in required if r != name] for name in by_wire.values() if [r for r in required if r != name]}


def tool_annotations(method: str, summary: str) -> dict[str, Any]:
    read_only = method in ("get", "head", "options")
    result: dict[str, Any] = {}
    if summary:
        result["title"] = summary
    result["readOnlyHint"] = read_only
    if not read_only:
        # POST adds; PUT, PATCH and DELETE change or remove what exists (MCP's "destructive").
        result["destructiveHint"] = method != "post"
        result["idempotentHint"] = method in ("put", "delete")
    result["openWorldHint"] = True
    return result


def _one_line(text: Any) -> str:
    return " ".join(text.split()) if isinstance(text, str) else ""


def describe(summary: str, description: Any, deprecated: bool) -> str:
    parts = []
    if summary:
        parts.append(summary)
    if isinstance(description, str) and description.strip() and description.strip() != summary:
        parts.append(description.strip())
    text = plain("\n\n".join(parts))  # a link's words tell a model what its URL would
    if deprecated:
        text = "Deprecated. " + text
    return cap(text, DESCRIPTION_LIMIT)


def _substitute(url: str, variables: Any) -> str:
    if not isinstance(variables, dict):
        return url

    def value(match: re.Match[str]) -> str:
        var = variables.get(match.group(1))
        return str(var.get("default", "")) if isinstance(var, dict) else match.group(0)

    return re.sub(r"\{([^}]+)\}", value, url)


def server_url(servers: Any, spec_url: str | None) -> tuple[str | None, str | None]:
    """The absolute base URL from `servers`, or None and the reason."""
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        if spec_url:
            origin = urlsplit(spec_url)
            return f"{origin.scheme}://{origin.netloc}", None
        return None, "the document declares no server (OpenAPI servers, Swagger 2.0 host)"
    first = servers[0]
    url = _substitute(str(first.get("url", "")), first.get("variables"))
    if urlsplit(url).scheme in ("http", "https"):
        return url.rstrip("/"), None
    if spec_url:
        return urljoin(spec_url, url).rstrip("/"), None
    example = "https://api.example.com" + ("" if url.startswith("/") else "/") + url
    return None, f"the document's server URL {url!r} is relative; the base URL must include it, e.g. {example}"


def _operation_server(operation: dict[str, Any], item: dict[str, Any], spec_url: str | None, base_url: str | None) -> str | None:
    for holder in (operation, item):
        servers = holder.get("servers")
        if isinstance(servers, list) and servers:
            url, _ = server_url(servers, spec_url)
            if url and url != base_url:
                return url
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
