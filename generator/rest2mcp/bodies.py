"""Request Body Objects: choose a media type, then spread an object body or keep one `body`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest2mcp.diagnostics import Diagnostics, pointer_join
from rest2mcp.ir import Body
from rest2mcp.refs import Resolver
from rest2mcp.schemas import SchemaConverter, object_shape

FORM = "application/x-www-form-urlencoded"


class UnsupportedBody(Exception):
    pass


@dataclass(frozen=True)
class BodyInput:
    body: Body
    schema: dict[str, Any]  # the converted schema of the whole body
    fields: dict[str, Any] | None  # spread: property -> schema
    required_fields: list[str]
    description: str | None


def is_json(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    return base in ("application/json", "*/*", "application/*") or base.endswith("+json") or (
        base.startswith("application/") and base.endswith("json")
    )


def _rank(media_type: str) -> int:
    base = media_type.split(";", 1)[0].strip().lower()
    if is_json(base):
        return 0 if base == "application/json" else 1
    if base == FORM:
        return 2
    if base.startswith("text/") or base.endswith(("/xml", "+xml")):
        return 3
    return 9


def choose_media_type(content: dict[str, Any]) -> str | None:
    """JSON first, then form, then text; None when only unsupported types are offered."""
    ranked = sorted(content, key=_rank)
    if ranked and _rank(ranked[0]) < 9:
        return ranked[0]
    return None


def map_body(
    raw: Any, pointer: str, resolver: Resolver, converter: SchemaConverter, diagnostics: Diagnostics
) -> BodyInput | None:
    request_body = resolver.deref(raw)
    if not isinstance(request_body, dict):
        return None
    content = request_body.get("content")
    if not isinstance(content, dict) or not content:
        return None
    media_type = choose_media_type(content)
    if media_type is None:
        raise UnsupportedBody(
            f"request body media type(s) {', '.join(sorted(content))} not supported yet"
        )
    media = content[media_type] if isinstance(content[media_type], dict) else {}
    schema_pointer = pointer + pointer_join("content", media_type, "schema")
    schema = converter.convert(media.get("schema", {}), schema_pointer)
    required = request_body.get("required") is True
    description = request_body.get("description") if isinstance(request_body.get("description"), str) else None

    shape = object_shape(schema, converter) if (is_json(media_type) or media_type == FORM) else None
    if media_type == FORM and shape is None:
        raise UnsupportedBody("a form body must be an object with named properties")
    if shape is not None:
        fields, required_fields = shape
        return BodyInput(Body(media_type, required, spread=True), schema, fields, required_fields, description)
    if not is_json(media_type) and not schema:
        schema = {"type": "string"}
    return BodyInput(Body(media_type, required, spread=False), schema, None, [], description)

