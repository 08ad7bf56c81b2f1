"""What one document's schemas share across tools: which references are cyclic (those become
`$defs` entries), their `$defs` names, and converted targets cached per direction."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from rest2mcp.diagnostics import Diagnostics, Severity
from rest2mcp.document.refs import Resolver, UnresolvableRef
from rest2mcp.schemas.keywords import SCHEMA_MAP_KEYWORDS


class DocumentSchemas:
    """Per-document caches: which references are cyclic, and converted non-cyclic targets."""

    def __init__(self, resolver: Resolver, version: str, diagnostics: Diagnostics):
        self.resolver = resolver
        self.version = version
        self.diagnostics = diagnostics
        self._edges: dict[str, set[str]] = {}
        self._cyclic: dict[str, bool] = {}
        # (ref, direction) -> (converted target, the cyclic refs its `$defs` references need)
        self.converted: dict[tuple[str, str], tuple[dict[str, Any], frozenset[str]]] = {}
        self.sizes: dict[tuple[str, str], int] = {}  # JSON size of each converted target
        self._def_names: dict[str, str] = {}
        self._warned: set[tuple[str, str]] = set()
        self.said_once: set[int] = set()  # id() of each diagnostic said once per place (kept in `diagnostics`)

    def def_name(self, ref: str) -> str:
        """The `$defs` name of a cyclic reference: one per document, so cached schemas stay valid."""
        if ref not in self._def_names:
            name = base = _def_name(ref)
            taken = set(self._def_names.values())
            counter = 2
            while name in taken:
                name = f"{base}_{counter}"
                counter += 1
            self._def_names[ref] = name
        return self._def_names[ref]

    def note_once(self, code: str, message: str, pointer: str) -> None:
        """An info diagnostic, once per place (input and output schemas convert the same parts)."""
        if (code, pointer) not in self._warned:
            self._warned.add((code, pointer))
            self.diagnostics.add(Severity.INFO, code, message, pointer)
            self.said_once.add(id(self.diagnostics.items[-1]))

    def warn_once(self, code: str, message: str, pointer: str) -> None:
        if (code, pointer) not in self._warned:
            self._warned.add((code, pointer))
            self.diagnostics.warning(code, message, pointer)
            self.said_once.add(id(self.diagnostics.items[-1]))

    def def_names(self) -> dict[str, str]:
        """The `$defs` names given so far: reference -> name."""
        return dict(self._def_names)

    def _refs_in(self, ref: str) -> set[str]:
        if ref not in self._edges:
            found: set[str] = set()
            _collect_refs(self.resolver.lookup(ref), found)
            self._edges[ref] = found
        return self._edges[ref]

    def is_cyclic(self, ref: str) -> bool:
        """True when `ref` can reach itself through the references of its target."""
        if ref not in self._cyclic:
            seen: set[str] = set()
            stack = list(self._refs_in(ref))
            cyclic = False
            while stack:
                current = stack.pop()
                if current == ref:
                    cyclic = True
                    break
                if current in seen:
                    continue
                seen.add(current)
                try:
                    stack.extend(self._refs_in(current))
                except UnresolvableRef:
                    continue
            self._cyclic[ref] = cyclic
        return self._cyclic[ref]


_VALUE_KEYWORDS = {"example", "examples", "default", "enum", "const"}  # their values are data, not schemas


def _collect_refs(schema: Any, found: set[str]) -> None:
    """References reachable from a schema through its subschemas (property names are never keywords)."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        found.add(ref)
    for key, value in schema.items():
        if key in _VALUE_KEYWORDS or key.startswith("x-"):
            continue
        if key in SCHEMA_MAP_KEYWORDS or key in ("$defs", "definitions"):
            if isinstance(value, dict):
                for sub in value.values():
                    _collect_refs(sub, found)
        elif isinstance(value, list):
            for item in value:
                _collect_refs(item, found)
        else:
            _collect_refs(value, found)


def used_defs(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """The entries of `defs` that `schema` reaches (directly or through other entries), sorted."""
    if not defs:  # most schemas: nothing to reach, no walk
        return {}
    used: set[str] = set()
    # Containers only: scalars, most of the values, are never pushed.
    stack: list[Any] = [{k: v for k, v in schema.items() if k != "$defs"}]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref[len("#/$defs/"):]
                if name not in used and name in defs:
                    used.add(name)
                    stack.append(defs[name])
            children: Any = node.values()
        else:
            children = node
        stack.extend([child for child in children if isinstance(child, (dict, list))])
    return {name: defs[name] for name in sorted(used)}


def names_agree(first: dict[str, str], second: dict[str, str]) -> bool:
    """Whether the `$defs` names two processes gave (reference -> name) are the ones a single process
    gives in any order: every reference its plain name, and no name given to two references."""
    given = {**first, **second}
    return (all(first[ref] == second[ref] for ref in first.keys() & second.keys())
            and all(name == _def_name(ref) for ref, name in given.items())
            and len(set(given.values())) == len(given))


def _def_name(ref: str) -> str:
    """A readable name: the pointer's last key. A schema from another file is bundled under one key
    "<file>#<pointer>" (see bundling.py): its name is the last key of that pointer, or the file's
    name when the whole file is the schema ("common/Error.yaml#" -> "Error")."""
    last = unquote(ref.rsplit("/", 1)[-1]).replace("~1", "/").replace("~0", "~")
    if "#" in last:
        file, _, fragment = last.rpartition("#")
        last = fragment.rstrip("/").rsplit("/", 1)[-1] or file.rsplit("/", 1)[-1].split(".", 1)[0]
    return re.sub(r"[^A-Za-z0-9_.-]", "_", last)[:64] or "schema"
