"""Text as UTF-8 when it holds no character `runtime.display.printable` would escape (newlines aside).

The catalog and the API's document are megabytes of JSON. Searching such a `str` for the unsafe
characters (a class of scattered code points) costs tens of milliseconds once it holds any non-ASCII
character. The same answer comes several times faster from its UTF-8 bytes, which are needed
anyway: deleting every printable ASCII byte and the newline (`bytes.translate`, a table lookup per byte) leaves the
ASCII control bytes, unsafe all, and the text's non-ASCII characters (a multi-byte UTF-8 sequence
holds no ASCII byte, so they stay valid UTF-8), usually a tiny part, searched as text.
"""

from __future__ import annotations

from rest2mcp.runtime.display import UNSAFE_CHARACTERS

_SAFE_ASCII = b"\n" + bytes(range(0x20, 0x7f))
_NON_ASCII = bytes(range(0x80, 0x100))
# What the deletion relies on: printable ASCII is safe, and every other ASCII character is unsafe.
assert not UNSAFE_CHARACTERS.search(_SAFE_ASCII[1:].decode("ascii"))
assert all(UNSAFE_CHARACTERS.match(chr(byte)) for byte in range(0x80) if byte not in _SAFE_ASCII[1:])


def utf8_if_safe(text: str) -> bytes | None:
    """`text` as UTF-8 when it holds no unsafe character but newlines; None when it holds one (lone
    surrogates included: they cannot be encoded), for `printable` to escape."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return data if has_no_unsafe_utf8(data) else None


def has_no_unsafe_utf8(data: bytes) -> bool:
    """Whether the UTF-8 bytes `data` hold no unsafe character but newlines."""
    rest = data.translate(None, _SAFE_ASCII)
    if not rest:
        return True
    return not rest.translate(None, _NON_ASCII) and not UNSAFE_CHARACTERS.search(rest.decode("utf-8"))
