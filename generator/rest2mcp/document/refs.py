"""`$ref` resolution inside one (bundled) document (RFC 6901 pointers, percent-encoded fragments)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote


class UnresolvableRef(Exception):
    def __init__(self, ref: str, reason: str):
        super().__init__(f"cannot resolve $ref {ref!r}: {reason}")
        self.ref = ref
        self.reason = reason


def decode_pointer(fragment: str) -> list[str]:
    """Segments of a URI fragment holding a JSON pointer: percent-decoding first, then ~1 and ~0."""
    pointer = unquote(fragment)
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError("a JSON pointer starts with '/'")
    return [s.replace("~1", "/").replace("~0", "~") for s in pointer[1:].split("/")]


class Resolver:
    """Follows local references of one document; remembers nothing but the document."""

    def __init__(self, document: dict[str, Any]):
        self.document = document

    def lookup(self, ref: str) -> Any:
        if not isinstance(ref, str):
            raise UnresolvableRef(str(ref), "$ref must be a string")
        if not ref.startswith("#"):
            # Bundling made every readable reference local: this one was refused or could not be read.
            raise UnresolvableRef(ref, "it points to another document that was not read (see warning W106)")
        try:
            segments = decode_pointer(ref[1:])
        except ValueError as exc:
            raise UnresolvableRef(ref, str(exc)) from None
        node: Any = self.document
        for segment in segments:
            if isinstance(node, dict) and segment in node:
                node = node[segment]
            elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
                node = node[int(segment)]
            else:
                raise UnresolvableRef(ref, f"no {segment!r} there")
        return node

    def deref(self, value: Any, limit: int = 32) -> Any:
        """Follow a chain of `$ref` objects (not schemas' nested refs) to the value they name."""
        seen = 0
        while isinstance(value, dict) and "$ref" in value:
            value = self.lookup(value["$ref"])
            seen += 1
            if seen > limit:
                raise UnresolvableRef(str(value), "reference chain too long or circular")
        return value
