"""The IR to the catalog the generated server reads: the one writer of `runtime.catalog`'s formats.

Built from the IR alone, without templates: `rest2mcp diff` compares catalogs of specs this way.
"""

from __future__ import annotations

import json
import math
from typing import Any

import msgspec

from rest2mcp.emit import indented_json
from rest2mcp.emit.safe_bytes import has_no_unsafe_utf8, utf8_if_safe
from rest2mcp.mapping.ir import Api
from rest2mcp.runtime.catalog import (
    FORMAT_VERSION,
    CatalogData,
    DocumentEntry,
    IndexData,
    ResourcesEntry,
    ToolsetEntry,
)
from rest2mcp.runtime.display import api_name, printable
from rest2mcp.runtime.uris import DOCUMENT_PATH, document_uri

DOCUMENT_FILE = DOCUMENT_PATH  # the API's document, beside index.json


def catalog(api: Api) -> CatalogData:
    """tools.json: tools/list entries, request plans, the security schemes the plans name."""
    return {
        "formatVersion": FORMAT_VERSION,
        "tools": [tool.definition() for tool in api.tools],
        "plans": {tool.name: tool.plan() for tool in api.tools},
        "schemes": {scheme.key: scheme.plan() for scheme in api.used_schemes()},
    }


def instructions(api: Api) -> str:
    text = f"Tools that call the {api_name(api.title)}"
    if api.version:
        text += f" (version {api.version})"
    text += ". Each tool is one API operation; arguments are validated before the request is sent."
    return text


def index(api: Api, document: DocumentEntry | None = None) -> IndexData:
    """index.json: what the server reads at start (its name and defaults, the toolsets and their sizes,
    its resources and prompts). `document`: the API's document file, when the package has one."""
    toolsets: dict[str, ToolsetEntry] = {}
    for name, size in api.toolset_sizes().items():
        entry: ToolsetEntry = {"tools": size}
        if api.toolsets.get(name):
            entry["description"] = api.toolsets[name]
        toolsets[name] = entry
    resources: ResourcesEntry = {"scheme": api.scheme, "templates": [t.entry() for t in api.resources]}
    if document is not None:
        resources["document"] = document
    data: IndexData = {
        "formatVersion": FORMAT_VERSION,
        "name": api.package,
        "title": api.title,
        "envPrefix": api.env_prefix,
        "baseUrl": api.base_url,
        "baseUrlNote": api.base_url_note,
        "instructions": instructions(api),
        "mode": "discovery" if api.mode == "discovery" else "dynamic" if api.mode == "dynamic" else "tools",
        "tools": len(api.tools),
        "toolsets": toolsets,
        "resources": resources,
    }
    if api.prompts:
        data["prompts"] = {prompt.name: prompt.entry() for prompt in api.prompts}
    return data


def document_entry(api: Api, document: dict[str, Any], data: bytes) -> DocumentEntry:
    """The index's entry for the document file holding `data` (`document_json(document)`)."""
    version = document.get("openapi") or document.get("swagger")
    return {"uri": document_uri(api.scheme), "file": DOCUMENT_FILE, "mimeType": "application/json",
            "size": len(data), "version": str(version or "")}


def _finite(value: Any) -> Any:
    """The value with NaN and infinities (which YAML has and JSON has not) as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def document_json(document: dict[str, Any], plain_json: bool = False) -> bytes:
    """The API's document (as generated from: bundled, not converted) as compact JSON: the same data,
    deterministic bytes, control and format characters as JSON escapes; YAML's bytes as text.
    `plain_json`: the document is as msgspec decoded it (LoadedDocument.plain_json), which allows
    msgspec's encoder, ten times faster, whose bytes are then the same."""
    if plain_json:
        fast = _msgspec_json(document)
        if fast is not None:
            return fast + b"\n"

    def unknown(value: Any) -> Any:
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

    try:
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=unknown)
    except ValueError:
        text = json.dumps(_finite(document), ensure_ascii=False, separators=(",", ":"), default=unknown)
    return (printable(text) + "\n").encode("utf-8")


def _msgspec_json(document: dict[str, Any]) -> bytes | None:
    """`document_json`'s bytes but the newline, by msgspec, for a plain document (LoadedDocument.plain_json):
    msgspec escapes strings as `json.dumps(ensure_ascii=False)` does, writes integers the same, and
    floats the same between 1e-4 and 1e16; None when a character needs `printable`."""
    data = msgspec.json.encode(document)
    return data if has_no_unsafe_utf8(data) else None


def to_json(data: Any, plain_floats: bool = False) -> bytes:
    """Stable bytes: insertion order kept (it is deterministic), non-ASCII as is, one member a line;
    control and format characters as JSON escapes (the same data, shown safely). `plain_floats`: every
    float in `data` is plain (rest2mcp/numbers.py), which allows msgspec's encoder."""
    if plain_floats:
        fast = indented_json.msgspec_bytes(data)
        if fast is not None and has_no_unsafe_utf8(fast):
            return fast + b"\n"
    text = indented_json.dumps(data)  # json.dumps(indent=1)
    safe = utf8_if_safe(text)
    if safe is None:
        return (printable(text, keep="\n") + "\n").encode("utf-8")
    return safe + b"\n"
