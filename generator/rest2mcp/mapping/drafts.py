"""One operation of the document to a tool draft: its arguments and input schema, its output, its
annotations and description (operations.py maps the whole document with it)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from rest2mcp.diagnostics import Diagnostics, pointer_join
from rest2mcp.document.refs import Resolver
from rest2mcp.mapping import output_process
from rest2mcp.mapping.bodies import BodyInput, FieldEncoding, map_body
from rest2mcp.mapping.ir import Argument
from rest2mcp.mapping.naming import argument_name
from rest2mcp.mapping.pagination import detect_pagination
from rest2mcp.mapping.parameters import PARAMETER_ORDER, ParameterInput, map_parameter, merged_parameters
from rest2mcp.mapping.responses import OutputInput, accept_header, map_responses
from rest2mcp.mapping.security import requirements
from rest2mcp.schemas.convert import (
    MAX_SCHEMA_JSON_DEPTH,
    SchemaConverter,
    SchemaTooDeep,
    json_depth,
    json_levels,
)
from rest2mcp.schemas.defs import DocumentSchemas, used_defs
from rest2mcp.schemas.prose import plain_texts
from rest2mcp.text import cap, plain

DESCRIPTION_LIMIT = 1000


@dataclass(frozen=True)
class Context:
    """What every operation's mapping reads: the document and its shared caches."""

    document: dict[str, Any]
    resolver: Resolver
    schemas: DocumentSchemas
    schemes: dict[str, Any]
    diagnostics: Diagnostics
    preferred_media_types: tuple[str, ...]
    output_schema_limit: int
    process: output_process.OutputProcess | None  # the second process making the outputs, if any
    meanwhile: Callable[[], object] | None  # what to do while waiting for it
    # id() of a schema -> (the schema, kept alive so the id stays its own; its json_levels): the tools
    # returning the same output schema share one object (schemas/output.py)
    depths: dict[int, tuple[Any, int]] = field(default_factory=dict)

    def depth(self, schema: Any) -> int:
        known = self.depths.get(id(schema))
        if known is None or known[0] is not schema:
            known = self.depths[id(schema)] = (schema, json_levels(schema))
        return known[1]


def draft_of(
    path: str, method: str, item: dict[str, Any], operation: dict[str, Any], pointer: str, context: Context
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

    if context.process is not None:  # made by the second process: completed after the last operation
        context.process.place(pointer, diagnostics)
        output = OutputInput(None, False, accept_header(operation.get("responses"), resolver))
    else:
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


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
