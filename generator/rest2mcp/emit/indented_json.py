"""`json.dumps(value, ensure_ascii=False, indent=1)`, the same text, several times faster.

With `indent`, the standard library leaves its C encoder for a pure-Python one that re-checks every
option at every value; the catalog of a large API (4 MB of JSON) took most of a generation's time
in it. Here the C encoder writes compact JSON, and msgspec's `json.format` indents it: it copies every
string and number as written, so the text is the standard library's. What msgspec cannot take (NaN and
infinities, which are not JSON; lone surrogates, which are not UTF-8) is written by `_value` below, an
encoder of this one combination of options with the C string escaper. `tests/test_generation_cache.py`
checks both against `json.dumps`, value by value.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring  # the C escaper when the accelerator is there (always, in CPython)
from typing import Any

import msgspec

_INFINITY = float("inf")


def dumps(value: Any) -> str:
    try:
        compact = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return msgspec.json.format(compact, indent=1)
    except (ValueError, msgspec.MsgspecError):  # NaN or infinities; a lone surrogate (UnicodeEncodeError)
        return python_dumps(value)


def dumps_with(value: Any, indent: int, ensure_ascii: bool) -> str:
    """`json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)`, the same text, the same way as `dumps`."""
    try:
        compact = json.dumps(value, ensure_ascii=ensure_ascii, separators=(",", ":"), allow_nan=False)
        return msgspec.json.format(compact, indent=indent)
    except (ValueError, msgspec.MsgspecError):
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent)


def python_dumps(value: Any) -> str:
    """The same text, written in Python: for the values msgspec cannot format."""
    parts: list[str] = []
    _value(value, parts, "\n")
    return "".join(parts)


def _float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    """A dict key as json.dumps writes it: a string as is, a bool, None or number as its JSON text quoted."""
    if isinstance(key, str):
        return encode_basestring(key)
    text = _scalar(key)
    if text is None:
        raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
    return encode_basestring(text)


def _scalar(value: Any) -> str | None:
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    return None


def _value(value: Any, parts: list[str], newline: str) -> None:
    """Append `value` written at the indentation `newline` ends with."""
    text = _scalar(value)
    if text is not None:
        parts.append(text)
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + " "
        separator = "," + inner
        parts.append("{" + inner)
        first = True
        for key, item in value.items():
            if not first:
                parts.append(separator)
            first = False
            member = (encode_basestring(key) if type(key) is str else _key(key)) + ": "
            if type(item) is str:  # the most common member, in one append
                parts.append(member + encode_basestring(item))
                continue
            text = _scalar(item)
            if text is not None:
                parts.append(member + text)
            else:
                parts.append(member)
                _value(item, parts, inner)
        parts.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        inner = newline + " "
        separator = "," + inner
        parts.append("[" + inner)
        first = True
        for item in value:
            if not first:
                parts.append(separator)
            first = False
            text = _scalar(item)
            if text is not None:
                parts.append(text)
            else:
                _value(item, parts, inner)
        parts.append(newline + "]")
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
