"""`json.dumps(value, indent=..., ensure_ascii=...)`, the same text, several times faster.

With `indent`, the standard library leaves its C encoder for a pure-Python one that re-checks every
option at every value; the catalog of a large API (4 MB of JSON) took most of a generation's time
in it. Here the C encoder writes compact JSON, and msgspec's `json.format` indents it: it copies every
string and number as written, so the text is the standard library's. What msgspec cannot take (NaN and
infinities, which are not JSON; lone surrogates, which are not UTF-8) is rare in a document, and is
left to the standard library's indenting encoder. `tests/test_generation_cache.py` and
`tests/test_fast_paths.py` check the result against `json.dumps`, value by value.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec


def msgspec_bytes(value: Any, indent: int = 1) -> bytes | None:
    """`dumps(value, indent)` as UTF-8, by msgspec's encoder (ten times faster than the standard
    library's), for a value whose floats are all plain (rest2mcp/numbers.py: the caller knows where
    they came from); None for what msgspec refuses (keys json.dumps spells, True or None; lone
    surrogates)."""
    try:
        compact = msgspec.json.encode(value)
    except (TypeError, ValueError, OverflowError, msgspec.MsgspecError):
        return None
    return msgspec.json.format(compact, indent=indent)


def dumps(value: Any, indent: int = 1, ensure_ascii: bool = False) -> str:
    try:
        compact = json.dumps(value, ensure_ascii=ensure_ascii, separators=(",", ":"), allow_nan=False)
        return msgspec.json.format(compact, indent=indent)
    except (ValueError, msgspec.MsgspecError):  # NaN or infinities; a lone surrogate (UnicodeEncodeError)
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent)
