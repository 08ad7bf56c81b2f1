"""Responses: the Accept header to send and the output schema of the primary 2xx JSON response."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from rest2mcp.diagnostics import pointer_join
from rest2mcp.document.refs import Resolver
from rest2mcp.options import DEFAULT_OUTPUT_SCHEMA_LIMIT as _DEFAULT_LIMIT
from rest2mcp.runtime.media import is_json
from rest2mcp.schemas.convert import SchemaConverter
from rest2mcp.schemas.defs import DocumentSchemas
from rest2mcp.schemas.measure import References
from rest2mcp.schemas.output import OutputSchemas
from rest2mcp.schemas.shapes import object_shape


@dataclass(frozen=True)
class OutputInput:
    schema: dict[str, Any] | None
    wrap: bool
    accept: str | None
    left_out_bytes: int = 0  # the size of an output schema left out: not even its top level fits the budget


def _success_codes(responses: dict[str, Any]) -> list[str]:
    codes = [c for c in responses if len(c) == 3 and c.startswith("2") and c.isdigit()]
    codes.sort()
    codes += [c for c in responses if c.upper() == "2XX"]
    return codes


# The byte budget of one output schema (compact JSON): every tools/list carries every output schema,
# and the deeper levels of a large one help the model less than they cost (schemas/output.py makes
# a larger one shallower, or leaves it out); results still come as structured content and text.
DEFAULT_OUTPUT_SCHEMA_LIMIT = _DEFAULT_LIMIT


def accept_header(raw: Any, resolver: Resolver) -> str | None:
    """The Accept header `map_responses` gives (mapping/output_process.py: the first process's share)."""
    return _accept(_success_content(raw, resolver)[0])


def _success_content(raw: Any, resolver: Resolver) -> tuple[list[str], tuple[str, str, Any] | None]:
    """The media types of the success responses, and the primary one: (code, media type, schema)."""
    responses = raw if isinstance(raw, dict) else {}
    media_types: list[str] = []
    primary: tuple[str, str, Any] | None = None
    for code in _success_codes(responses):
        response = resolver.deref(responses[code])
        content = response.get("content") if isinstance(response, dict) else None
        if not isinstance(content, dict):
            continue
        for media_type, media in content.items():
            if media_type not in media_types:
                media_types.append(media_type)
            if primary is None and is_json(media_type) and isinstance(media, dict) and "schema" in media:
                primary = (code, media_type, media["schema"])
    return media_types, primary


def _accept(media_types: list[str]) -> str | None:
    if not media_types:
        return None
    return ", ".join(sorted(media_types, key=lambda m: 0 if is_json(m) else 1))


class _DocumentOutputs:
    """What shaping one document's output schemas has learnt (its tools return the same schemas
    again and again: see OutputSchemas), kept as long as the document's converted schemas are."""

    def __init__(self) -> None:
        self.schemas = OutputSchemas()
        self.references = References()


_OUTPUTS: WeakKeyDictionary[DocumentSchemas, _DocumentOutputs] = WeakKeyDictionary()


def _outputs(converter: SchemaConverter) -> _DocumentOutputs:
    outputs = _OUTPUTS.get(converter.schemas)
    if outputs is None:
        outputs = _OUTPUTS[converter.schemas] = _DocumentOutputs()
    return outputs


def map_responses(raw: Any, pointer: str, resolver: Resolver, converter: SchemaConverter,
                  limit: int = DEFAULT_OUTPUT_SCHEMA_LIMIT) -> OutputInput:
    media_types, primary = _success_content(raw, resolver)
    accept = _accept(media_types)
    if primary is None:
        return OutputInput(None, False, accept)
    code, media_type, raw_schema = primary
    schema_pointer = pointer + pointer_join("responses", code, "content", media_type, "schema")
    converted = converter.resolve_def(converter.convert(raw_schema, schema_pointer))
    if not converted:
        return OutputInput(None, False, accept)  # "any JSON" tells the model nothing
    is_object = converted.get("type") == "object" or ("type" not in converted and "properties" in converted)
    plain = is_object and not any(k in converted for k in ("anyOf", "oneOf", "allOf", "not", "$ref"))
    merged = object_shape(converted, converter) if not plain and "allOf" in converted else None
    if plain:
        schema = {"type": "object", **{k: v for k, v in converted.items() if k != "type"}}
        wrap = False
    elif merged is not None:  # allOf of objects (inheritance): one object the client can read
        schema = {"type": "object", "properties": merged[0]}
        wrap = False
    else:
        schema = {"type": "object", "properties": {"result": converted}}
        wrap = True
    outputs = _outputs(converter)
    defs = outputs.references.used_defs(schema, converter.defs)
    if defs:
        schema["$defs"] = defs
    fitted = outputs.schemas.fitted(schema, limit)
    if fitted is None:
        return OutputInput(None, False, accept, outputs.schemas.size(outputs.schemas.lenient(schema)))
    return OutputInput(fitted, wrap, accept)
