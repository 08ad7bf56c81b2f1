"""Multi-file documents: pull every `$ref` to another file into the root document.

After bundling, every reference is local, so validation and the rest of the pipeline see one
self-contained document. Content taken from another file lands under `/x-bundled/<key>`,
with its own references rewritten relative to the file it came from. References inside
`x-` extensions are never followed. A document read from a URL may only reference its own
origin, a file may only reference files, unless the other host is allowed explicitly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from rest2mcp.diagnostics import Diagnostics, GenerationFailed, pointer_join
from rest2mcp.loading import is_url, parse_text, read_text
from rest2mcp.refs import Resolver, UnresolvableRef

BUNDLE_KEY = "x-bundled"


def _location(base: str, ref_target: str) -> str:
    """The absolute location (URL or resolved file path) of `ref_target` seen from `base`."""
    if is_url(base) or is_url(ref_target):
        return urljoin(base, ref_target)
    return str((Path(base).parent / unquote(ref_target)).resolve())


def _display(location: str, root: str) -> str:
    if is_url(location):
        return location
    try:
        return Path(location).relative_to(Path(root).parent).as_posix()
    except ValueError:
        return location


class Bundler:
    def __init__(self, root_location: str, document: dict[str, Any], diagnostics: Diagnostics,
                 allowed_hosts: tuple[str, ...] = ()):
        self.root = root_location
        self.documents: dict[str, Any] = {root_location: document}
        self.diagnostics = diagnostics
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.bundled: dict[str, Any] = {}
        self._keys: dict[tuple[str, str], str] = {}

    def bundle(self) -> dict[str, Any]:
        document = self.documents[self.root]
        rewritten = self._rewrite(document, self.root, "")
        if self.bundled:
            rewritten = {**rewritten, BUNDLE_KEY: dict(sorted(self.bundled.items()))}
        return rewritten

    def _rewrite(self, node: Any, location: str, pointer: str) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    out[key] = self._local_ref(value, location, pointer)
                elif isinstance(key, str) and key.startswith("x-"):
                    out[key] = value  # extensions are data; their references are never followed
                else:
                    out[key] = self._rewrite(value, location, pointer + pointer_join(key))
            return out
        if isinstance(node, list):
            return [self._rewrite(v, location, pointer + pointer_join(i)) for i, v in enumerate(node)]
        return node

    def _local_ref(self, ref: str, location: str, pointer: str) -> str:
        target, _, fragment = ref.partition("#")
        if not target and location == self.root:
            return ref
        target_location = _location(location, target) if target else location
        if target_location == self.root:
            return "#" + fragment
        problem = self._refused(target_location)
        if problem:
            self.diagnostics.warning("W106", f"$ref {ref!r} not followed: {problem}", pointer,
                                     "allow the host with --allow-ref-host HOST, or copy the file beside the document")
            return ref
        key = (target_location, fragment)
        if key not in self._keys:
            name = f"{_display(target_location, self.root)}#{fragment}"
            self._keys[key] = name
            self.bundled[name] = {}  # placeholder: a cycle back to this target must not loop
            try:
                content = Resolver(self._document(target_location)).lookup("#" + fragment)
            except (UnresolvableRef, GenerationFailed) as exc:
                message = exc.diagnostics[0].message if isinstance(exc, GenerationFailed) else exc.reason
                self.diagnostics.warning("W106", f"$ref {ref!r} cannot be resolved: {message}", pointer,
                                         "check the referenced file and the pointer after '#'")
                del self.bundled[name]
                del self._keys[key]
                return ref
            self.bundled[name] = self._rewrite(content, target_location, pointer_join(BUNDLE_KEY, name))
        return "#" + pointer_join(BUNDLE_KEY, self._keys[key])

    def _refused(self, target: str) -> str | None:
        root_is_url = is_url(self.root)
        if is_url(target):
            host = (urlsplit(target).hostname or "").lower()
            if host in self.allowed_hosts:
                return None
            if root_is_url and urlsplit(target)[:2] == urlsplit(self.root)[:2]:
                return None
            return f"it points to another host ({host})"
        if root_is_url:
            return "a document read from a URL cannot reference local files"
        return None

    def _document(self, location: str) -> Any:
        if location not in self.documents:
            text, _ = read_text(location)
            self.documents[location] = parse_text(text, location)
        return self.documents[location]


def bundle(document: dict[str, Any], source: str, url: str | None, diagnostics: Diagnostics,
           allowed_hosts: tuple[str, ...] = ()) -> dict[str, Any]:
    """The document with every external reference made local (unchanged when there is none)."""
    if not _has_external_refs(document):
        return document
    root = url or str(Path(source).resolve())
    return Bundler(root, document, diagnostics, allowed_hosts).bundle()


def _has_external_refs(node: Any) -> bool:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return True
        return any(_has_external_refs(v) for k, v in node.items() if not (isinstance(k, str) and k.startswith("x-")))
    if isinstance(node, list):
        return any(_has_external_refs(v) for v in node)
    return False
