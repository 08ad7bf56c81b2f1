"""Multi-file documents: pull every `$ref` to another file into the root document.

After bundling, every reference is local, so validation and the rest of the pipeline see one
self-contained document. Content taken from another file lands under `/x-bundled/<key>`,
with its own references rewritten relative to the file it came from; the bundler records where each
copy came from, so that diagnostics name the real file, line and pointer. References inside
`x-` extensions and examples are never followed (but a property named `x-total` is a
property). A document read from a URL may only reference its own origin, a file may only
reference files, unless the other host is allowed explicitly. A file may only reference plain files
in the root document's folder or below it (symbolic links resolved), unless another folder is allowed
explicitly; the referenced files together are read up to the size a single document may have.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from rest2mcp.diagnostics import Diagnostic, Diagnostics, GenerationFailed, Severity, pointer_join
from rest2mcp.document.loading import MAX_BYTES, Lines, Part, is_url, parse_text, read_text
from rest2mcp.document.refs import Resolver, UnresolvableRef

BUNDLE_KEY = "x-bundled"
# Maps whose keys are names, not fields: a property or header called "x-total" is no extension, and a
# response called "default" is no default value.
NAME_MAPS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "schemas", "parameters",
             "requestBodies", "responses", "headers", "securitySchemes", "examples", "links", "callbacks",
             "pathItems", "encoding", "webhooks"}
# Problems of a referenced file that stop generation: it is not merely missing, it is hostile.
LIMIT_CODES = {"E106", "E107", "E108"}
# Fields whose values are data whatever they hold (a "$ref" key in an example is an example).
DATA_FIELDS = {"example", "default", "enum", "const", "value"}


def _is_data(key: Any, value: Any) -> bool:
    """A field of a spec object whose value is never searched for references."""
    if not isinstance(key, str):
        return False
    return key.startswith("x-") or key in DATA_FIELDS or (key == "examples" and isinstance(value, list))


def _location(base: str, ref_target: str) -> str:
    """The absolute location (URL or resolved file path) of `ref_target` seen from `base`."""
    if is_url(base) or is_url(ref_target):
        return urljoin(base, ref_target)
    return str((Path(base).parent / unquote(ref_target)).resolve())


def _shown(location: str, root: str, root_source: str) -> str:
    """A location as the user reaches it: a URL as it is, a file relative to the root document the way
    the root document was given (`specs/api/root.yaml` -> `specs/api/common/c.yaml`)."""
    if is_url(location) or is_url(root):
        return location
    return Path(os.path.normpath(Path(root_source).parent / _display(location, root))).as_posix()


def _display(location: str, root: str) -> str:
    """A stable name for a location: relative to the root document's folder (`../common/c.yaml`),
    so the bundled keys and everything derived from them do not depend on the machine."""
    if is_url(location) or is_url(root):
        return location
    return Path(os.path.relpath(location, Path(root).parent)).as_posix()


class Bundler:
    def __init__(self, root_location: str, document: dict[str, Any], diagnostics: Diagnostics,
                 allowed_hosts: tuple[str, ...] = (), root_source: str | None = None,
                 allowed_dirs: tuple[str, ...] = ()):
        self.root = root_location
        self.root_source = root_source or root_location  # the root document as the user gave it
        self.documents: dict[str, Any] = {root_location: document}
        self.lines: dict[str, Lines] = {}  # location -> line numbers of its text
        self.diagnostics = diagnostics
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        # Folders whose files may be referenced: the root document's, and those allowed explicitly.
        self.allowed_dirs = () if is_url(root_location) else (
            Path(root_location).parent, *(Path(d).resolve() for d in allowed_dirs))
        self.bytes_read = 0  # of referenced files, all together
        self.bundled: dict[str, Any] = {}
        self._keys: dict[tuple[str, str], str] = {}
        self.parts: dict[str, Part] = {}  # pointer of each bundled copy -> where it was read
        self.read: list[str] = []  # every file or URL the references made it read (or try to)
        # A file that cannot be read, or may not be, is said once (W106), at its first reference:
        # location -> [that diagnostic's index, how many more references to it were not followed].
        self._not_followed: dict[str, list[int]] = {}

    def bundle(self) -> dict[str, Any]:
        document = self.documents[self.root]
        rewritten = self._rewrite(document, self.root, "")
        if self.bundled:
            rewritten = {**rewritten, BUNDLE_KEY: dict(sorted(self.bundled.items()))}
        items = self.diagnostics.items
        for target, (index, more) in self._not_followed.items():
            if more:
                what = f"{more} more $ref{'s' * (more != 1)} to that {'URL' if is_url(target) else 'file'}"
                items[index] = replace(items[index], message=(
                    f"{items[index].message}; {what} {'are' if more != 1 else 'is'} not followed either"))
        return rewritten

    def _once_per_target(self, target: str, message: str, pointer: str, hint: str) -> None:
        """W106 for a reference whose whole target is not read: the first one says it, the others count."""
        if target in self._not_followed:
            self._not_followed[target][1] += 1
            return
        self._not_followed[target] = [len(self.diagnostics.items), 0]
        self.diagnostics.warning("W106", message, pointer, hint)

    def _rewrite(self, node: Any, location: str, pointer: str, names: bool = False) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and not names:
                    out[key] = self._local_ref(value, location, pointer)
                elif not names and _is_data(key, value):
                    out[key] = value  # extensions and examples are data: their references are never followed
                else:
                    out[key] = self._rewrite(value, location, pointer + pointer_join(key),
                                             names=not names and key in NAME_MAPS)
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
            if is_url(target_location) or is_url(self.root):
                host = (urlsplit(target_location).hostname or "HOST") if is_url(target_location) else "HOST"
                hint = f"allow it with --allow-ref-host {host} (or HOST:PORT), or copy the file beside the document"
            else:
                hint = (f"allow its folder with --allow-ref-dir {Path(target_location).parent}, "
                        "or copy the file beside the document")
            self._once_per_target(target_location, f"$ref {ref!r} not followed: {problem}", pointer, hint)
            return ref
        # One entry per target, however its fragment is spelled ("with%20space" or "with space").
        key = (target_location, unquote(fragment))
        if key not in self._keys and target_location in self._not_followed:  # read once, and it failed
            self._not_followed[target_location][1] += 1
            return ref
        if key not in self._keys:
            name = f"{_display(target_location, self.root)}#{key[1]}"
            self._keys[key] = name
            self.bundled[name] = {}  # placeholder: a cycle back to this target must not loop
            try:
                content = Resolver(self._document(target_location)).lookup("#" + fragment)
            except GenerationFailed as exc:
                if exc.diagnostics[0].code in LIMIT_CODES:
                    shown = _shown(target_location, self.root, self.root_source)
                    raise GenerationFailed([replace(d, source=shown) for d in exc.diagnostics]) from None
                message = exc.diagnostics[0].message
                self._once_per_target(target_location, f"$ref {ref!r} cannot be resolved: {message}", pointer,
                                      "check the referenced file and the pointer after '#'")
                del self.bundled[name]
                del self._keys[key]
                return ref
            except UnresolvableRef as exc:
                message = exc.diagnostics[0].message if isinstance(exc, GenerationFailed) else exc.reason
                self.diagnostics.warning("W106", f"$ref {ref!r} cannot be resolved: {message}", pointer,
                                         "check the referenced file and the pointer after '#'")
                del self.bundled[name]
                del self._keys[key]
                return ref
            self.bundled[name] = self._rewrite(content, target_location, pointer_join(BUNDLE_KEY, name))
            self.parts[pointer_join(BUNDLE_KEY, name)] = Part(
                _shown(target_location, self.root, self.root_source), key[1], self.lines[target_location])
        # A fragment is percent-decoded before it is read as a pointer: keep a literal "%" literal.
        return "#" + pointer_join(BUNDLE_KEY, self._keys[key]).replace("%", "%25")

    def _refused(self, target: str) -> str | None:
        root_is_url = is_url(self.root)
        if is_url(target):
            parts = urlsplit(target)
            host = (parts.hostname or "").lower()
            try:
                origin = f"{host}:{parts.port}" if parts.port else host
            except ValueError:  # a port that is not a number: never allowed by name
                origin = parts.netloc.lower()
            if host in self.allowed_hosts or origin in self.allowed_hosts:
                return None
            if root_is_url and parts[:2] == urlsplit(self.root)[:2]:
                return None
            return f"it points to another host ({origin})"
        if root_is_url:
            return "a document read from a URL cannot reference local files"
        path = Path(target)
        if not any(path.is_relative_to(folder) for folder in self.allowed_dirs):
            return f"the file {_shown(target, self.root, self.root_source)} lies outside the document's folder"
        return None

    def _document(self, location: str) -> Any:
        if location not in self.documents:
            self.read.append(location)
            text, _ = read_text(location, regular_only=True)
            self.bytes_read += len(text)
            if self.bytes_read > MAX_BYTES:
                raise GenerationFailed([Diagnostic(
                    Severity.ERROR, "E106", f"the referenced files exceed {MAX_BYTES // (1024 * 1024)} MB "
                    "together: not read", None, "reference fewer or smaller files",
                    _shown(location, self.root, self.root_source))])
            self.documents[location] = parse_text(text, location)
            self.lines[location] = Lines(text)
        return self.documents[location]


def bundle(document: dict[str, Any], source: str, url: str | None, diagnostics: Diagnostics,
           allowed_hosts: tuple[str, ...] = (),
           allowed_dirs: tuple[str, ...] = (), read: list[str] | None = None,
           text: str | bytes | None = None) -> tuple[dict[str, Any], dict[str, Part]]:
    """The document with every external reference made local (unchanged when there is none), and
    where each copied part came from (the pointer of the copy -> its file and pointer there).
    `read`, when given, receives every file or URL the references made it read (or try to).
    `text`, when given, is the document's text: a JSON text without a "$ref" to another file is
    known to have none without walking the tree."""
    if text is not None and not _json_may_have_external_refs(text):
        return document, {}
    if not _has_external_refs(document):
        return document, {}
    root = url or str(Path(source).resolve())
    bundler = Bundler(root, document, diagnostics, allowed_hosts, root_source=url or source,
                      allowed_dirs=allowed_dirs)
    try:
        return bundler.bundle(), bundler.parts
    finally:
        if read is not None:
            read.extend(bundler.read)


def _has_external_refs(document: Any) -> bool:
    """Whether a $ref outside the data fields points to another file (iteratively, containers only:
    it runs over every document)."""
    stack: list[tuple[Any, bool]] = [(document, False)]  # a container, and whether its keys are names
    while stack:
        node, names = stack.pop()
        if isinstance(node, dict):
            if names:
                stack.extend((v, False) for v in node.values() if isinstance(v, (dict, list)))
                continue
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                return True
            stack.extend((v, k in NAME_MAPS) for k, v in node.items()
                         if isinstance(v, (dict, list)) and not _is_data(k, v))
        else:
            stack.extend((v, False) for v in node if isinstance(v, (dict, list)))
    return False


# In a JSON text, a string that reads "$ref" is written "$ref" unless one of its characters is a
# \u escape; and a reference to another file is a string that does not begin with "#". The same
# patterns for the text and for its UTF-8 bytes (JSON's whitespace is ASCII).
_ESCAPED_REF_CHARACTER = re.compile(r"\\u00(?:24|72|65|66)", re.IGNORECASE)
_REF_NOT_LOCAL = re.compile(r'"\$ref"\s*:\s*"(?!#)')
_ESCAPED_REF_CHARACTER_UTF8 = re.compile(_ESCAPED_REF_CHARACTER.pattern.encode(), re.IGNORECASE)
_REF_NOT_LOCAL_UTF8 = re.compile(_REF_NOT_LOCAL.pattern.encode())


def _json_may_have_external_refs(text: str | bytes) -> bool:
    """False when `text`, a JSON text (or its UTF-8), certainly holds no "$ref" to another file: two
    searches of the text instead of a walk over every container of the tree. True for a YAML text
    (not known)."""
    if isinstance(text, bytes):
        if not re.match(rb"[ \t\n\r\x0b\x0c]*[{\[]", text):
            return True
        return bool(_ESCAPED_REF_CHARACTER_UTF8.search(text) or _REF_NOT_LOCAL_UTF8.search(text))
    if not text.lstrip().startswith(("{", "[")):
        return True
    return bool(_ESCAPED_REF_CHARACTER.search(text) or _REF_NOT_LOCAL.search(text))
