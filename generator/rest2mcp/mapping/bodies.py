"""Request Body Objects: choose a media type, then spread an object body or keep one `body`.

Body kinds (the `kind` of a request plan, how the runtime encodes the body):
- json: the arguments as JSON text. Also structured YAML bodies (JSON is YAML 1.2), sent with
  their YAML media type, so generated servers need no YAML library;
- form, multipart: object bodies, spread into arguments;
- text: one string sent as it is given. Also a raw body declared as base64 text (`format: byte`,
  or 3.1 `contentEncoding: base64`): the wire carries the base64 text itself, which the
  inputSchema requires to be base64;
- binary: bytes the model gives base64-encoded, decoded before sending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rest2mcp.diagnostics import pointer_join
from rest2mcp.document.refs import Resolver
from rest2mcp.mapping.ir import Body
from rest2mcp.mapping.text_bodies import document_hint
from rest2mcp.runtime.arguments import BASE64_PATTERN
from rest2mcp.runtime.media import FORM, PATTERN_END, is_json, is_yaml, media_base
from rest2mcp.schemas.convert import SchemaConverter
from rest2mcp.schemas.keywords import with_pattern
from rest2mcp.schemas.shapes import holds_nothing, object_shape, untyped, without_null


class UnsupportedBody(Exception):
    pass


@dataclass(frozen=True)
class BodyInput:
    body: Body
    schema: dict[str, Any]  # the converted schema of the whole body
    fields: dict[str, Any] | None  # spread: property -> schema
    required_fields: list[str]
    description: str | None
    files: frozenset[str] = frozenset()  # multipart fields that carry files
    # the media type's `encoding` for form and multipart fields (computed here, never at start)
    encodings: dict[str, FieldEncoding] = field(default_factory=dict)
    # set when the media type carries raw bytes but the schema describes structured data: a
    # document mistake (say `application/form-data`) the user should hear about
    bytes_for_structure: bool = False



# How the model gives a file: its bytes base64-encoded, with optional name and media type.
FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A file: its content base64-encoded, with an optional file name and media type.",
    "properties": {
        "content": {"type": "string", "contentEncoding": "base64", "pattern": BASE64_PATTERN,
                    "description": "The file's bytes, base64-encoded."},
        "filename": {"type": "string", "pattern": "^[^\\x00-\\x1f\\x7f]*" + PATTERN_END},
        "contentType": {"type": "string", "pattern": "^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+" + PATTERN_END,
                        "description": "The file's media type, e.g. image/png."},
    },
    "required": ["content"],
    "additionalProperties": False,
}
BINARY_BODY_SCHEMA: dict[str, Any] = {
    "type": "string",
    "contentEncoding": "base64",
    "pattern": BASE64_PATTERN,
    "description": "The request body's bytes, base64-encoded.",
}


def body_kind(media_type: str) -> str:
    """json, yaml, form, multipart, text or binary: what the media type says of the body. The
    plan's kind also depends on the schema (see `map_body`); yaml is never one."""
    base = media_base(media_type)
    if is_json(base):
        return "json"
    if is_yaml(base):
        return "yaml"
    if base == FORM:
        return "form"
    if base.startswith("multipart/"):
        return "multipart"
    if base.startswith("text/") or base.endswith(("/xml", "+xml", "/yaml", "/csv")) or base in (
        "application/javascript", "application/graphql", "application/sql",
    ):
        return "text"
    return "binary"


_PREFERENCE = {"json": 0, "yaml": 1, "form": 2, "multipart": 3, "text": 4, "binary": 5}


def choose_media_type(content: dict[str, Any], preferred: tuple[str, ...] = ()) -> str:
    """The user's preferred types first; then JSON (plain application/json before other JSON
    types), YAML, form, multipart, text, binary."""
    preferred = tuple(media_base(p) for p in preferred)

    def rank(media_type: str) -> tuple[int, int, int]:
        base = media_base(media_type)
        chosen = preferred.index(base) if base in preferred else len(preferred)
        exact = 0 if base == "application/json" else 1
        return chosen, _PREFERENCE[body_kind(media_type)], exact

    return min(content, key=rank)


def is_file_schema(schema: dict[str, Any]) -> bool:
    """A string of raw bytes: 3.0 `format: binary`, or 3.1 `contentMediaType` without an encoding."""
    if schema.get("type") != "string":
        return False
    return schema.get("format") == "binary" or ("contentMediaType" in schema and "contentEncoding" not in schema)


def is_base64_text(schema: dict[str, Any]) -> bool:
    """A string that is base64 text: 3.0 `format: byte`, or 3.1 `contentEncoding: base64`."""
    return schema.get("type") == "string" and (
        schema.get("format") == "byte" or str(schema.get("contentEncoding", "")).lower() == "base64"
    )


def _is_structured(schema: dict[str, Any]) -> bool:
    """A schema that describes data (an object, array, number...) rather than a string or nothing
    at all: a YAML body so described is given as JSON arguments and sent as JSON text; a bytes body
    so described is a document mistake (W314)."""
    kind = schema.get("type")
    if kind is not None:
        return kind != "string"
    return any(k in schema for k in ("properties", "additionalProperties", "items", "allOf", "anyOf", "oneOf"))


def _base64_text_schema(schema: dict[str, Any], described: bool) -> dict[str, Any]:
    """The schema of a body sent as the base64 text the model gives: checked to be base64."""
    out = {**schema, "contentEncoding": "base64"}
    if not described:
        out.setdefault("description", "The request body, base64-encoded (sent as this text).")
    return with_pattern(out, BASE64_PATTERN)


def _file_field(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema a multipart field is given with, and whether it carries files."""
    if is_file_schema(schema):
        described = {**FILE_SCHEMA, "description": schema["description"]} if "description" in schema else FILE_SCHEMA
        return described, True
    items = schema.get("items")
    if schema.get("type") == "array" and isinstance(items, dict) and is_file_schema(items):
        return {**{k: v for k, v in schema.items() if k != "items"}, "items": FILE_SCHEMA}, True
    return schema, False


# Styles a form or multipart field can declare in its media type's `encoding` (as for query
# parameters); explode defaults to true for "form" only. tabDelimited comes from Swagger 2.0's tsv.
_FIELD_STYLES = ("form", "spaceDelimited", "pipeDelimited", "tabDelimited", "deepObject")
# One media type of a Content-Type header value (RFC 9110 token/token with parameters).
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf'{_TOKEN}/{_TOKEN}( *; *{_TOKEN}=({_TOKEN}|"[^"\\\x00-\x1f\x7f]*"))*')


@dataclass(frozen=True)
class FieldEncoding:
    """How one form or multipart field goes on the wire (an Encoding Object, as the runtime needs it)."""

    style: str | None = None  # None: the default (brackets for objects, repeated keys for arrays)
    explode: bool = False
    content_type: str | None = None  # a multipart part's Content-Type (a file's when the model gives none)


def _part_type(declared: Any) -> str | None:
    """The first concrete media type of an encoding's `contentType` ("image/png, image/*" lists
    the acceptable ones); a wildcard or malformed one is no header value to send."""
    if not isinstance(declared, str):
        return None
    for candidate in declared.split(","):
        candidate = candidate.strip()
        if "*" not in candidate and _MEDIA_TYPE.fullmatch(candidate):
            return candidate
    return None


def field_encodings(encoding: Any, fields: dict[str, Any]) -> dict[str, FieldEncoding]:
    """The media type's `encoding`, per field. Its `headers` (a part's own headers) and
    `allowReserved` are not applied: percent-encoding reserved characters is always safe here."""
    if not isinstance(encoding, dict):
        return {}
    encodings = {}
    for name, spec in encoding.items():
        if name not in fields or not isinstance(spec, dict):
            continue
        style = None
        if "style" in spec or "explode" in spec:
            style = spec.get("style") if spec.get("style") in _FIELD_STYLES else "form"
        explode = spec["explode"] if isinstance(spec.get("explode"), bool) else style == "form"
        content_type = _part_type(spec.get("contentType"))
        if style or content_type:
            encodings[name] = FieldEncoding(style, explode if style else False, content_type)
    return dict(sorted(encodings.items()))


def map_body(
    raw: Any, pointer: str, resolver: Resolver, converter: SchemaConverter, preferred: tuple[str, ...] = ()
) -> BodyInput | None:
    request_body = resolver.deref(raw)
    if not isinstance(request_body, dict):
        return None
    content = request_body.get("content")
    if not isinstance(content, dict) or not content:
        return None
    media_type = choose_media_type(content, preferred)
    kind = body_kind(media_type)
    media = content[media_type] if isinstance(content[media_type], dict) else {}
    schema_pointer = pointer + pointer_join("content", media_type, "schema")
    schema = converter.convert(media.get("schema", {}), schema_pointer)
    required = request_body.get("required") is True
    description = request_body.get("description") if isinstance(request_body.get("description"), str) else None
    if kind == "yaml":
        # Structured YAML is mapped and sent as JSON (valid YAML 1.2) with the YAML media type;
        # a string (or untyped) YAML body is the document's text.
        kind = "json" if _is_structured(converter.resolve_def(schema)) else "text"

    if kind in ("json", "form", "multipart"):
        shape = object_shape(schema, converter)
        if shape is not None:
            fields, required_fields = shape
            files: set[str] = set()
            if kind == "multipart":
                converted_fields = {}
                for name, field_schema in fields.items():
                    converted_fields[name], is_file = _file_field(field_schema)
                    if is_file:
                        files.add(name)
                fields = converted_fields
            encodings = field_encodings(media.get("encoding"), fields) if kind != "json" else {}
            return BodyInput(Body(media_type, required, spread=True, kind=kind), schema, fields,
                             required_fields, description, frozenset(files), encodings)
        if kind != "json" and holds_nothing(schema, converter):
            # A body that can carry nothing is no argument: sent empty when required, else not at all.
            return BodyInput(Body(media_type, required, spread=True, kind=kind), schema, {}, [], description) \
                if required else None
        if kind != "json":
            raise UnsupportedBody(f"a {media_type} body must be an object with named properties")
        # One `body` argument (an array, a union...): the root stays an object, as clients require.
        if required and untyped(converter.resolve_def(schema)):
            # JSON `null` as a required body reads as no body at all to APIs (and validators).
            schema = {**schema, "not": {"type": "null"}}
        return BodyInput(Body(media_type, required, spread=False, kind=kind), schema, None, [], description)
    # A required body must not be empty: APIs (and validators) read an empty body as a missing one.
    non_empty = {"minLength": 1} if required else {}
    raw = without_null(converter.resolve_def(schema))
    if is_base64_text(raw):
        # The body is base64 text (OpenAPI `format: byte`): sent as given, never decoded.
        return BodyInput(Body(media_type, required, spread=False, kind="text"),
                         {**_base64_text_schema(raw, bool(description)), **non_empty}, None, [], description)
    if kind == "binary":
        return BodyInput(Body(media_type, required, spread=False, kind=kind), {**BINARY_BODY_SCHEMA, **non_empty},
                         None, [], description, bytes_for_structure=_is_structured(raw))
    # Text the model writes (XML, CSV...): a schema describing data becomes a description of the
    # document, since a string cannot carry it.
    hint = document_hint(media.get("schema", {}), media_type, resolver)
    if hint:
        description = f"{description.strip().rstrip('.')}. {hint}" if description else hint
    return BodyInput(Body(media_type, required, spread=False, kind=kind), {"type": "string", **non_empty},
                     None, [], description)
