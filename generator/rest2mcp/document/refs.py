"""`$ref` resolution inside one (bundled) document (RFC 6901 pointers, percent-encoded fragments)."""

from __future__ import annotations

from collections.abc import Callable
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


def without_external_refs(node: Any, replacement: Callable[[str], Any]) -> Any:
    """`node` with every object whose `$ref` names another document replaced by `replacement(ref)`.

    After bundling, such references are the ones the bundler refused or could not read: the libraries
    that read the document afterwards (validation, typed models) must not fetch them themselves.
    Unchanged parts are shared with `node`, not copied. Iterative: the tree may be deep.
    """
    def changed(value: Any) -> bool:
        return isinstance(value, dict) and isinstance(value.get("$ref"), str) and not value["$ref"].startswith("#")

    if changed(node):
        return replacement(node["$ref"])
    # Post-order rebuild: a container is copied only when something below it changed.
    root: list[Any] = [node]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, node)]  # (parent, key in parent, value)
    done: list[tuple[Any, Any, Any]] = []
    while stack:
        parent, key, value = stack.pop()
        done.append((parent, key, value))
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        stack.extend((value, k, v) for k, v in items if isinstance(v, (dict, list)))
    copies: dict[int, Any] = {}
    for parent, key, value in reversed(done):
        current = copies.get(id(value), value)
        if changed(current):
            current = replacement(current["$ref"])
        if current is not value or changed(value):
            owner = copies.get(id(parent))
            if owner is None:
                owner = copies[id(parent)] = dict(parent) if isinstance(parent, dict) else list(parent)
            owner[key] = current
    return copies.get(id(root), root)[0]
