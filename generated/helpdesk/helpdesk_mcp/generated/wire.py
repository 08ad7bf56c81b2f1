# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Argument values on the wire: OpenAPI parameter styles (path, query, header, cookie) and
request bodies (JSON, form, multipart, text, bytes). Pure functions of the request plan's
settings and the values; no I/O."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from secrets import token_hex
from typing import Any
from urllib.parse import quote

from .arguments import STEP_VALUES
from .catalog import ArgumentPlan, BodyPlan
from .errors import ToolError
from .media import is_json

RESERVED_SAFE = ":/?[]@!$'()*,;="
# Query styles that join values with a delimiter (tabDelimited comes from Swagger 2.0's "tsv").
_DELIMITERS = {"spaceDelimited": "%20", "pipeDelimited": "|", "tabDelimited": "%09"}
# The same delimiters unencoded: header values, and form fields (encoded with the rest of the value).
_JOINERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"}


def scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _enc(value: Any, safe: str = "") -> str:
    return quote(scalar(value), safe=safe)


def _path_segment(value: Any) -> str:
    text = _enc(value)
    # "." and ".." would be read as relative path steps.
    return text.replace(".", "%2E") if text in STEP_VALUES else text


def slashed_path(name: str, value: str) -> str:
    """A value that may span path segments (`a/b/c`): each segment encoded, none relative or empty."""
    segments = value.split("/")
    if any(s == "" or s in STEP_VALUES for s in segments):
        raise ToolError(f"Invalid arguments:\n- {name}: path segments must be non-empty and not '.' or '..'")
    return "/".join(quote(s, safe="") for s in segments)


def path_value(value: Any, style: str, explode: bool, name: str) -> str:
    if isinstance(value, list):
        items = [_path_segment(v) for v in value]
        if style == "label":
            return "." + (".".join(items) if explode else ",".join(items))
        if style == "matrix":
            return "".join(f";{name}={v}" for v in items) if explode else f";{name}=" + ",".join(items)
        return _DELIMITERS.get(style, ",").join(items)  # delimited styles: Swagger 2.0 collectionFormat
    if isinstance(value, dict):
        pairs = [(_path_segment(k), _path_segment(v)) for k, v in value.items()]
        if style == "label":
            return "." + ".".join(f"{k}={v}" for k, v in pairs) if explode else "." + ",".join(f"{k},{v}" for k, v in pairs)
        if style == "matrix":
            if explode:
                return "".join(f";{k}={v}" for k, v in pairs)
            return f";{name}=" + ",".join(f"{k},{v}" for k, v in pairs)
        return ",".join(f"{k}={v}" for k, v in pairs) if explode else ",".join(f"{k},{v}" for k, v in pairs)
    text = _path_segment(value)
    if style == "label":
        return "." + text
    if style == "matrix":
        return f";{name}={text}" if text else f";{name}"
    return text


def query_pairs(name: str, value: Any, style: str, explode: bool, allow_reserved: bool) -> list[str]:
    """Encoded `k=v` pieces for one query parameter."""
    safe = RESERVED_SAFE if allow_reserved else ""
    key = quote(name, safe="[]")

    def enc(v: Any) -> str:
        return _enc(v, safe)

    if isinstance(value, list):
        if not value:
            return []
        if explode and (style == "form" or style in _DELIMITERS):
            return [f"{key}={enc(v)}" for v in value]
        delimiter = _DELIMITERS.get(style, ",")
        return [f"{key}=" + delimiter.join(enc(v) for v in value)]
    if isinstance(value, dict):
        if style == "deepObject":
            return _deep_pairs(key, value, enc)
        members = [(k, v) for k, v in value.items() if v is not None]
        if explode:
            return [f"{quote(str(k), safe='[]')}={enc(v)}" for k, v in members]
        delimiter = _DELIMITERS.get(style, ",")
        return [f"{key}=" + delimiter.join(f"{enc(k)}{delimiter}{enc(v)}" for k, v in members)] if members else []
    return [f"{key}={enc(value)}"]


def _deep_pairs(prefix: str, value: Any, enc: Any) -> list[str]:
    if isinstance(value, dict):
        pairs = []
        for k, v in value.items():
            pairs.extend(_deep_pairs(f"{prefix}[{quote(str(k), safe='')}]", v, enc))
        return pairs
    if isinstance(value, list):
        return [p for v in value for p in _deep_pairs(prefix, v, enc)]
    if value is None:
        return []
    return [f"{prefix}={enc(value)}"]


def header_value(value: Any, explode: bool, style: str = "simple") -> str:
    if isinstance(value, list):
        return _JOINERS.get(style, ",").join(scalar(v) for v in value)
    if isinstance(value, dict):
        if explode:
            return ",".join(f"{k}={scalar(v)}" for k, v in value.items())
        return ",".join(f"{k},{scalar(v)}" for k, v in value.items())
    return scalar(value)


def cookie_value(value: Any, explode: bool) -> str:
    if isinstance(value, list):
        return ",".join(_enc(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{_enc(k)},{_enc(v)}" for k, v in value.items())
    return _enc(value)


def _flat(value: list[Any] | dict[str, Any]) -> bool:
    return all(not isinstance(v, (dict, list)) for v in (value.values() if isinstance(value, dict) else value))


def _form_pairs(key: str, value: Any, top: bool = True) -> list[tuple[str, Any]]:
    """Bracket notation, as Stripe and Rails read it: objects `key[k]=v`; an array of scalars as
    repeated keys at the top (OpenAPI's exploded form), every other array indexed (`key[0][k]=v`):
    repeated nested keys would not say which member goes with which element."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _form_pairs(f"{key}[{k}]", v, False)]
    if isinstance(value, list):
        if top and _flat(value):
            return [(key, v) for v in value if v is not None]
        return [pair for i, v in enumerate(value) for pair in _form_pairs(f"{key}[{i}]", v, False)]
    return [] if value is None else [(key, value)]


def _delimited(value: Any, style: str | None, explode: bool) -> Any:
    """A field whose encoding joins it into one value (a delimited style, explode false): an array
    of scalars as `a,b` (`a b`, `a|b`), a flat object as `k,v,k2,v2`. Anything else is unchanged."""
    joiner = _JOINERS.get(style or "") if not explode else None
    if joiner is None or not isinstance(value, (list, dict)) or not _flat(value):
        return value
    if isinstance(value, dict):
        items = [item for k, v in value.items() if v is not None for item in (k, v)]
    else:
        items = [v for v in value if v is not None]
    return joiner.join(scalar(v) for v in items) if items else None


def _form_field(name: str, value: Any, encoding: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """One field's pairs, by its `encoding` (style, explode, contentType) from the plan."""
    style, explode = encoding.get("style"), encoding.get("explode", False)
    if style == "deepObject":
        return _form_pairs(name, value, top=False)  # arrays indexed at the top too (`expand[0]=a`)
    if style == "form" and explode and isinstance(value, dict) and _flat(value):
        return [(k, v) for k, v in value.items() if v is not None]  # an exploded form object: its members
    value = _delimited(value, style, explode)
    declared = encoding.get("contentType")
    if not style and declared and is_json(declared) and isinstance(value, (dict, list)):
        return [(name, json.dumps(value, separators=(",", ":"), ensure_ascii=False))]
    return _form_pairs(name, value)


def form_body(fields: dict[str, Any], encodings: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """application/x-www-form-urlencoded: each field by its encoding (`encodings`: field -> its
    argument plan), by default in bracket notation (see _form_pairs). Keys are percent-encoded
    whole: servers decode them before reading brackets, and a raw "[" is reserved in this type."""
    encodings = encodings or {}
    pairs = [pair for name, value in fields.items() for pair in _form_field(name, value, encodings.get(name, {}))]
    return "&".join(f"{quote(key, safe='')}={_enc(value)}" for key, value in pairs)


def _file_bytes(name: str, value: Any) -> tuple[bytes, str | None, str | None]:
    if isinstance(value, dict):
        data, filename, content_type = value.get("content", ""), value.get("filename"), value.get("contentType")
    else:
        data, filename, content_type = value, None, None
    try:
        raw = base64.b64decode(str(data), validate=True)
    except ValueError:
        raise ToolError(f"Invalid arguments:\n- {name}: the content must be base64-encoded") from None
    return raw, filename, content_type


def _disposition_value(text: str) -> str:
    # As browsers do (HTML form submission): quotes and line breaks percent-encoded; a backslash
    # doubled (a quoted-pair), or a name ending in one would escape the closing quote.
    return text.replace("\\", "\\\\").replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


def multipart_body(fields: dict[str, Any], file_fields: set[str],
                   encodings: Mapping[str, Mapping[str, Any]] | None = None) -> tuple[bytes, str]:
    """multipart/form-data: files from base64 content, objects and arrays of objects as JSON parts;
    a field's encoding (`encodings`: field -> its argument plan) may join an array into one part
    (style) or give the part's Content-Type (contentType: a file's default, or JSON)."""
    encodings = encodings or {}
    boundary = token_hex(16)
    parts: list[bytes] = []

    def part(name: str, data: bytes, content_type: str | None = None, filename: str | None = None) -> None:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{_disposition_value(name)}"'
        if filename is not None:
            head += f'; filename="{_disposition_value(filename)}"'
        if content_type:
            head += f"\r\nContent-Type: {content_type}"
        parts.append(head.encode() + b"\r\n\r\n" + data + b"\r\n")

    for name, value in fields.items():
        encoding = encodings.get(name, {})
        declared = encoding.get("contentType")
        if name not in file_fields:
            value = _delimited(value, encoding.get("style"), encoding.get("explode", False))
        if value is None:
            continue
        if name in file_fields:
            for item in value if isinstance(value, list) else [value]:
                raw, filename, content_type = _file_bytes(name, item)
                part(name, raw, content_type or declared or "application/octet-stream", filename or name)
        elif declared and is_json(declared):
            # A JSON part: the value as JSON; a string is the JSON text itself (a schema of type string).
            part(name, (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)).encode(), declared)
        elif isinstance(value, list) and _flat(value):
            for item in value:
                part(name, scalar(item).encode(), declared)
        elif isinstance(value, (dict, list)):
            # Structures have no other serialization here than JSON, whatever the declared type.
            part(name, json.dumps(value, ensure_ascii=False).encode(), "application/json")
        else:
            part(name, scalar(value).encode(), declared)
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def encode_body(body: BodyPlan, payload: Any, arguments: Mapping[str, ArgumentPlan]) -> tuple[bytes, str]:
    """The body's bytes and its Content-Type, by the body kind the generator chose."""
    media_type = body["mediaType"]
    kind = body.get("kind") or ("json" if is_json(media_type) else "form" if "urlencoded" in media_type else "text")
    if kind == "json":
        content_type = "application/json" if media_type in ("*/*", "application/*") else media_type
        return json.dumps(payload, ensure_ascii=False).encode(), content_type
    # Each field's `encoding` rides on its argument's plan: style and explode (also Swagger 2.0's
    # collectionFormat), and a multipart part's contentType.
    encodings = {spec["name"]: spec for spec in arguments.values() if spec["in"] == "body_field"}
    if kind == "form":
        return form_body(payload if isinstance(payload, dict) else {}, encodings).encode(), media_type
    if kind == "multipart":
        files = {spec["name"] for spec in arguments.values() if spec.get("file")}
        return multipart_body(payload if isinstance(payload, dict) else {}, files, encodings)
    if kind == "binary":
        raw, _, _ = _file_bytes("body", payload)
        return raw, _sent_type(media_type)
    # text, and base64 text (`format: byte`), which is sent as the model gives it
    return scalar(payload).encode(), _sent_type(media_type)


def _sent_type(media_type: str) -> str:
    """A wildcard (image/*, text/*) is no Content-Type: a generic type of its kind instead."""
    if "*" not in media_type:
        return media_type
    return "text/plain" if media_type.lower().startswith("text/") else "application/octet-stream"

