# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Text from the document shown to people: the one rule for characters that must not reach them raw.

A document is written by someone else. Its titles, descriptions, names and keys end up on a terminal
(diagnostics, the server's --help and --list-toolsets), in README.md, pyproject.toml and Python
source. Control characters there act instead of being shown (ESC sequences retitle a terminal or
move the cursor, BEL rings, NUL truncates), and format characters hide or reorder text (bidi
overrides, zero-width characters, Unicode tags). Every place that shows document text escapes
these characters, so that they are visible instead: `printable`.
"""

from __future__ import annotations

import re

# Unicode categories Cc (controls: C0, DEL, C1), Cf (format: bidi embeddings, overrides and isolates,
# zero-width characters, soft hyphen, tags), Zl and Zp (line and paragraph separators) and Cs (lone
# surrogates, which UTF-8 cannot encode).
UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def escape_character(character: str) -> str:
    """`\\uXXXX` for one character (a UTF-16 pair of escapes beyond the BMP): valid in JSON, readable."""
    code = ord(character)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _escaped(match: re.Match[str]) -> str:
    return escape_character(match.group())


_KEEPING: dict[str, re.Pattern[str]] = {}


def printable(text: str, keep: str = "") -> str:
    """`text` with every unsafe character escaped as `\\uXXXX` (those in `keep`, e.g. "\\n", stay)."""
    pattern = UNSAFE_CHARACTERS
    if keep:  # the same characters but those kept, so that the replacement runs only for real escapes
        if keep not in _KEEPING:
            _KEEPING[keep] = re.compile(f"(?![{re.escape(keep)}]){UNSAFE_CHARACTERS.pattern}")
        pattern = _KEEPING[keep]
    return pattern.sub(_escaped, text)


def api_name(title: str) -> str:
    """How text names the API of `title`: "Petstore API", and "Museum API" rather than "Museum API API"."""
    title = title.strip()
    return title if re.search(r"(?i)\bapi$", title) else f"{title} API"


def has_unsafe(text: str) -> bool:
    return UNSAFE_CHARACTERS.search(text) is not None
