"""Bodies the model writes as text (XML, CSV...) although their schema describes data.

rest2mcp does not serialize arguments to XML: the tool takes the document as one string. The
schema cannot be kept on a string, so its shape goes into the argument's description instead:
the root element and the top-level fields, which is what the model needs to write the document.
"""

from __future__ import annotations

from typing import Any

from rest2mcp.document.refs import Resolver, UnresolvableRef

MAX_FIELDS = 30


def document_hint(raw_schema: Any, media_type: str, resolver: Resolver) -> str:
    """What the text document looks like, from the schema as written in the spec ("" when the
    schema is a plain string or says nothing)."""
    schema = _deref(raw_schema, resolver)
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    if schema.get("type") not in ("object", "array") and not properties:
        return ""
    text = f"The {media_type} document itself, sent as given"
    xml = schema.get("xml")
    xml = xml if isinstance(xml, dict) else {}
    root = xml.get("name") if isinstance(xml.get("name"), str) else None
    if root is None and isinstance(raw_schema, dict) and isinstance(raw_schema.get("$ref"), str):
        root = raw_schema["$ref"].rsplit("/", 1)[-1]
    if root and "xml" in media_type:
        text += f"; root element <{root}>"
    listed = schema.get("required")
    required = set(listed) if isinstance(listed, list) else set()
    fields = []
    for name, prop in list(properties.items())[:MAX_FIELDS]:
        kind = _deref(prop, resolver).get("type")
        fields.append(f"{name} ({kind if isinstance(kind, str) else 'object'}{', required' if name in required else ''})")
    if fields:
        text += f", with: {', '.join(fields)}"
    return text + "."


def _deref(value: Any, resolver: Resolver) -> dict[str, Any]:
    try:
        target = resolver.deref(value)
    except UnresolvableRef:
        return {}
    return target if isinstance(target, dict) else {}
