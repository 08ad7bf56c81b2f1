"""Read a document from a path or an http(s) URL, JSON or YAML, and locate pointers in it.

YAML is read with YAML 1.2-like scalars where it matters for OpenAPI: dates stay strings
(`2020-01-01` is a version or an example, never a `datetime.date`), and mapping keys are
always strings (`200:` is the response code "200"). Line numbers are computed lazily,
only when a diagnostic needs one, so a clean run never pays for them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from rest2mcp.diagnostics import Diagnostic, GenerationFailed, Severity

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SpecLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader without the timestamp resolver."""


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

URL_TIMEOUT_SECONDS = 30.0


class Lines:
    """Line numbers of JSON pointers in one JSON or YAML text; the text is composed on first use."""

    def __init__(self, text: str):
        self.text = text
        self._tree: Any = None

    def line_of(self, pointer: str) -> int | None:
        """1-based line of the value at `pointer`, or of its nearest existing ancestor."""
        if self._tree is None:
            try:
                self._tree = yaml.compose(self.text, Loader=yaml.SafeLoader)
            except yaml.YAMLError:
                self._tree = False
        if not self._tree:
            return None
        node = self._tree
        line = node.start_mark.line + 1
        for segment in _split_pointer(pointer):
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if str(key.value) == segment:
                        child = value
                        line = key.start_mark.line + 1
                        break
            elif isinstance(node, yaml.SequenceNode) and segment.isdigit():
                index = int(segment)
                if index < len(node.value):
                    child = node.value[index]
                    line = child.start_mark.line + 1
            if child is None:
                break
            node = child
        return line


@dataclass(frozen=True)
class Part:
    """Content of another file copied into the document (see bundling): where it was read."""

    source: str  # the file or URL, as the user reaches it
    pointer: str  # the JSON pointer of the copied value in that file
    lines: Lines


@dataclass
class LoadedDocument:
    document: dict[str, Any]
    source: str  # what the user gave: a path or a URL
    url: str | None  # the absolute URL when the document came from the network
    text: str
    # Where content copied from other files lies in `document`: the pointer of each copy -> its origin.
    parts: dict[str, Part] = field(default_factory=dict)
    _lines: Lines | None = field(default=None, repr=False)

    def line_of(self, pointer: str) -> int | None:
        """1-based line of the value at `pointer` in this document's own text (or of its nearest ancestor)."""
        if self._lines is None:
            self._lines = Lines(self.text)
        return self._lines.line_of(pointer)

    def locate(self, pointer: str) -> tuple[str | None, str, int | None]:
        """The real location of `pointer`: the file (None: this document), the pointer within it, the line.

        A pointer into content copied from another file names that file, its line and its own pointer.
        """
        prefix = "/".join(pointer.split("/", 3)[:3])
        part = self.parts.get(prefix)
        if part is None:
            return None, pointer, self.line_of(pointer)
        inner = part.pointer + pointer[len(prefix):]
        return part.source, inner, part.lines.line_of(inner)


def _split_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def _fail(code: str, message: str, source: str, hint: str, line: int | None = None) -> GenerationFailed:
    return GenerationFailed([Diagnostic(Severity.ERROR, code, message, None, hint, source, line)])


def read_text(source: str) -> tuple[str, str | None]:
    """The text at `source` and its final URL (None for files)."""
    if is_url(source):
        import httpx

        try:
            response = httpx.get(source, follow_redirects=True, timeout=URL_TIMEOUT_SECONDS)
        except httpx.HTTPError as exc:
            raise _fail(
                "E102",
                f"cannot fetch the document: {type(exc).__name__}: {exc}",
                source,
                "check the URL and your network, or download the file and pass its path",
            ) from None
        if response.status_code >= 400:
            raise _fail(
                "E102",
                f"cannot fetch the document: HTTP {response.status_code} {response.reason_phrase}",
                source,
                "check the URL, or download the file and pass its path",
            )
        return response.text, str(response.url)
    path = Path(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _fail("E101", "no such file", source, "check the path (relative paths start from the current directory)") from None
    except IsADirectoryError:
        raise _fail("E101", "is a directory, not a file", source, "pass the path of the OpenAPI document itself") from None
    except OSError as exc:
        raise _fail("E101", f"cannot read the file: {exc.strerror}", source, "check the file's permissions") from None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        raise _fail("E103", f"not UTF-8 text (byte {exc.start})", source, "save the document as UTF-8") from None


def parse_text(text: str, source: str) -> Any:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise _fail(
                "E104",
                f"invalid JSON: {exc.msg} (column {exc.colno})",
                source,
                "fix the syntax at that line; a JSON validator shows the exact spot",
                exc.lineno,
            ) from None
    try:
        return _stringify_keys(yaml.load(text, Loader=_SpecLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "syntax error"
        where = f" (column {mark.column + 1})" if mark else ""
        raise _fail(
            "E104",
            f"invalid YAML: {problem}{where}",
            source,
            "fix the syntax at that line (indentation and unquoted ':' are the usual causes)",
            mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise _fail("E104", f"invalid YAML: {exc}", source, "fix the document's syntax") from None


def _stringify_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_key(k): _stringify_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_keys(v) for v in value]
    return value


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def load(source: str) -> LoadedDocument:
    """Read and parse `source`; raises GenerationFailed with a located diagnostic."""
    text, url = read_text(source)
    if not text.strip():
        raise _fail("E104", "the document is empty", source, "pass an OpenAPI document in JSON or YAML")
    document = parse_text(text, source)
    if not isinstance(document, dict):
        raise _fail(
            "E201",
            f"the document is a {type(document).__name__}, not a mapping",
            source,
            "an OpenAPI document is a JSON object / YAML mapping with an 'openapi' or 'swagger' field",
            1,
        )
    return LoadedDocument(document=document, source=source, url=url, text=text)
