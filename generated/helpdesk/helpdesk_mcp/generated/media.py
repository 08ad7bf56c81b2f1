# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Media types and header values: the rules the generator and the runtime must agree on."""

from __future__ import annotations

import re

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
# The end of the value in a JSON Schema `pattern`, for ECMA-262 and Python alike: Python's `$` (and
# jsonschema applies `pattern` with Python's re.search) also matches before a final newline, and
# ECMA-262 has no `\Z`. Patterns that guard a wire value end with it, never with `$`.
PATTERN_END = r"(?![\s\S])"
# A header value: visible ASCII, no leading or trailing blanks (HTTP clients refuse the rest).
HEADER_VALUE_PATTERN = r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?" + PATTERN_END
_HEADER_VALUE = re.compile(r"([\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?)?")


def media_base(media_type: str) -> str:
    """The media type without its parameters, lowercase: "Application/JSON; charset=utf-8" -> "application/json"."""
    return media_type.split(";", 1)[0].strip().lower()


def is_json(media_type: str) -> bool:
    """JSON and every JSON-based type (`+json`, `application/...json`), and the wildcards a JSON body may use."""
    base = media_base(media_type)
    return base in ("application/json", "*/*", "application/*") or base.endswith("+json") or (
        base.startswith(("application/", "text/")) and base.endswith("json")
    )


def is_yaml(media_type: str) -> bool:
    base = media_base(media_type)
    return base in ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml") or base.endswith("+yaml")


def is_text(media_type: str) -> bool:
    """Content a model reads as text (a response's body shown as is)."""
    base = media_base(media_type)
    return (
        base.startswith("text/")
        or is_json(base)
        or base.endswith("xml")
        or base in ("application/javascript", FORM, "application/yaml")
    )


def header_value_ok(text: str) -> bool:
    """Whether an HTTP client will send `text` as a header value unchanged (empty is allowed)."""
    return _HEADER_VALUE.fullmatch(text) is not None
