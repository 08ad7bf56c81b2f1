"""Parameter Objects (path, query, header, cookie) to input properties and wire plans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest2mcp.diagnostics import Diagnostics, pointer_join
from rest2mcp.document.refs import Resolver
from rest2mcp.mapping.ir import Argument
from rest2mcp.runtime.arguments import RELATIVE_STEPS
from rest2mcp.runtime.media import HEADER_VALUE_PATTERN, PATTERN_END
from rest2mcp.schemas.convert import SchemaConverter
from rest2mcp.schemas.shapes import untyped, without_null

DEFAULT_STYLE = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}
# The styles each location accepts: OpenAPI's, plus the delimited ones Swagger 2.0's collectionFormat
# gives path and header arrays (see swagger2.py); tabDelimited comes from "tsv".
_DELIMITED = ("spaceDelimited", "pipeDelimited", "tabDelimited")
STYLES = {"path": ("simple", "label", "matrix", *_DELIMITED), "query": ("form", *_DELIMITED, "deepObject"),
          "header": ("simple", *_DELIMITED), "cookie": ("form",)}
# Headers the runtime owns (OpenAPI 3: Accept, Content-Type and Authorization definitions "SHALL
# be ignored"); the others are framing the HTTP client computes, and a model-given value breaks it.
RUNTIME_HEADERS = {"accept", "content-type", "authorization", "content-length", "host", "transfer-encoding",
                   "connection"}
# Why each of those is left out, for the warning's hint.
_RUNTIME_HEADER_HINTS = {
    "authorization": "describe authentication with a securityScheme (the server then sends the credentials)",
    "content-type": "the server sends the request body's media type from requestBody.content",
    "accept": "the server sends Accept from the responses' media types",
}
# A value spanning path segments: none empty, none "." or "..".
SLASHED_PATH_PATTERN = r"^(?!\.{1,2}(/|$))(?!.*/\.{1,2}(/|$))[^/]+(/[^/]+)*" + PATTERN_END
PARAMETER_ORDER = {"path": 0, "query": 1, "header": 2, "cookie": 3}


@dataclass(frozen=True)
class ParameterInput:
    argument: Argument  # with the wire name as its provisional property name
    schema: dict[str, Any]
    required: bool


def merged_parameters(
    path_level: Any, operation_level: Any, resolver: Resolver, pointer: str
) -> list[tuple[dict[str, Any], str]]:
    """Path-item and operation parameters, the operation's winning on (name, in); with pointers."""
    merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for level, base in ((path_level, pointer.rsplit("/", 1)[0]), (operation_level, pointer)):
        if not isinstance(level, list):
            continue
        for index, raw in enumerate(level):
            param = resolver.deref(raw)
            if not isinstance(param, dict):
                continue
            key = (str(param.get("name")), str(param.get("in")))
            merged[key] = (param, base + pointer_join("parameters", index))
    return list(merged.values())



def map_parameter(
    param: dict[str, Any], pointer: str, converter: SchemaConverter, diagnostics: Diagnostics
) -> ParameterInput | None:
    location = param.get("in")
    name = param.get("name")
    if not isinstance(location, str) or location not in DEFAULT_STYLE or not isinstance(name, str) or not name:
        diagnostics.warning("W311", f"parameter with in={location!r} name={name!r} ignored", pointer)
        return None
    if location == "header" and name.lower() in RUNTIME_HEADERS:
        diagnostics.warning(
            "W312",
            f"header parameter {name!r} ignored: the server sets it"
            + (" (OpenAPI 3 says such definitions are ignored)" if name.lower() in _RUNTIME_HEADER_HINTS else ""),
            pointer,
            _RUNTIME_HEADER_HINTS.get(name.lower(), "the HTTP client computes this header; remove the parameter"),
        )
        return None

    content_type = None
    if "content" in param and isinstance(param["content"], dict) and param["content"]:
        content_type, media = next(iter(param["content"].items()))
        raw_schema = media.get("schema", {}) if isinstance(media, dict) else {}
        schema_pointer = pointer + pointer_join("content", content_type, "schema")
    else:
        raw_schema = param.get("schema", {})
        schema_pointer = pointer + "/schema"
    schema = dict(converter.convert(raw_schema, schema_pointer))
    if location == "path":
        schema = without_null(schema)  # a path segment cannot be null
    if not schema or (content_type is None and untyped(schema)):
        schema = {**schema, "type": "string"}  # untyped values go on the wire as text

    required = location == "path" or param.get("required") is True
    if content_type is None:
        schema = _wire_safe(schema, location, required)
    description = param.get("description")
    if isinstance(description, str) and description.strip() and "description" not in schema:
        schema = {"description": description.strip(), **schema}
    if param.get("deprecated") is True:
        schema["deprecated"] = True

    if location == "path" and param.get("allowReserved") is True and schema.get("type") == "string":
        schema.setdefault("pattern", SLASHED_PATH_PATTERN)
    if location == "path" and content_type is None:
        schema = _no_relative_steps(schema)
    style, explode = _style(param, location, content_type is not None, pointer, diagnostics)
    argument = Argument(
        name=name,
        location=location,
        wire=name,
        style=None if content_type else style,
        explode=explode,
        # On a path parameter (as OpenAPI 3.2 allows), allowReserved lets a value hold "/".
        allow_reserved=location in ("query", "path") and param.get("allowReserved") is True,
        content_type=content_type,
    )
    return ParameterInput(argument, schema, required)


def _style(param: dict[str, Any], location: str, has_content: bool, pointer: str,
           diagnostics: Diagnostics) -> tuple[str, bool]:
    """The serialization style and explode flag, with a warning where the document's are not usable."""
    style = param.get("style", DEFAULT_STYLE[location])
    if style not in STYLES[location] and not has_content:  # a content-encoded value has no style
        diagnostics.warning("W313", f"style {style!r} is not defined for {location} parameters; "
                            f"{DEFAULT_STYLE[location]!r} is used", pointer + "/style",
                            "use one of " + ", ".join(s for s in STYLES[location]
                                                      if location == "query" or s not in _DELIMITED))
        style = DEFAULT_STYLE[location]
    explode = param.get("explode")
    if not isinstance(explode, bool):
        explode = style == "form"
    if style == "deepObject" and param.get("explode") is False and not has_content:
        # OpenAPI defines deepObject only exploded (name[key]=value); it is sent so whatever explode says
        # (an absent explode is false by default for deepObject too, and means the same in practice).
        diagnostics.warning("W313", "style 'deepObject' with explode: false is undefined by OpenAPI; sent as "
                            "name[key]=value, as with explode: true", pointer + "/explode",
                            "remove 'explode: false' (or set it to true) to say what is sent")
    return style, explode


def _no_relative_steps(schema: dict[str, Any]) -> dict[str, Any]:
    """A path value's strings may not be "." or "..": URL parsers read them (even percent-encoded)
    as a step up the path, so the request would reach another resource. Said of every schema that
    may take a string (a union, an untyped or referenced one too), and of an array's items."""
    kind = schema.get("type")
    items = schema.get("items")
    if kind == "array" and isinstance(items, dict):
        return {**schema, "items": _no_relative_steps(items)}
    if kind not in (None, "string") or "enum" in schema or "const" in schema:
        return schema
    steps = {"enum": list(RELATIVE_STEPS["enum"])}
    if "not" not in schema:
        return {**schema, "not": steps}
    if schema["not"] == steps or {"not": steps} in schema.get("allOf", []):
        return schema
    return {**schema, "allOf": [*schema.get("allOf", []), {"not": steps}]}


def _wire_safe(schema: dict[str, Any], location: str, required: bool) -> dict[str, Any]:
    """Narrow schemas to values the wire can carry and the API can tell from 'absent'.

    An empty required value (``""``, ``[]``, ``{}``, ``[""]``) collapses the path (`/pets/`) or
    reads as missing; header values with blanks at either end, line breaks or non-ASCII are
    refused by HTTP clients.
    """
    if "enum" in schema or "const" in schema:
        return schema
    schema = dict(schema)
    for key in ("anyOf", "oneOf"):  # [string, integer] alternatives: each must be safe
        if isinstance(schema.get(key), list):
            schema[key] = [_wire_safe(o, location, required) if isinstance(o, dict) else o for o in schema[key]]
    kind = schema.get("type")
    if kind == "string":
        if required and "minLength" not in schema:
            schema["minLength"] = 1
        if location == "header" and "format" not in schema:
            if "pattern" not in schema:
                schema["pattern"] = HEADER_VALUE_PATTERN
            else:  # keep the document's pattern and add the wire's own
                schema["allOf"] = [*schema.get("allOf", []), {"pattern": HEADER_VALUE_PATTERN}]
    elif kind == "array" and required:
        schema.setdefault("minItems", 1)
        items = schema.get("items")
        if isinstance(items, dict) and items.get("type") == "string" and "minLength" not in items and "enum" not in items:
            schema["items"] = {**items, "minLength": 1}
    elif kind == "object" and required:
        schema.setdefault("minProperties", 1)
    return schema
