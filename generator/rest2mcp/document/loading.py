"""Read a document from a path or an http(s) URL, JSON or YAML, and locate pointers in it.

YAML is read with YAML 1.2-like scalars where it matters for OpenAPI: dates stay strings
(`2020-01-01` is a version or an example, never a `datetime.date`), and mapping keys are
always strings (`200:` is the response code "200"). Line numbers are computed lazily,
only when a diagnostic needs one, so a clean run never pays for them.

A document is untrusted input: reading and parsing are bounded. A file or a response larger than
`MAX_BYTES` is refused before it is parsed; a tree nested deeper than `MAX_DEPTH` or with more than
`MAX_NODES` values is refused before the pipeline walks it (its stages recurse over the tree). YAML is
checked on its event stream before it is composed: aliases are counted as the values they stand for,
so a few hundred bytes of nested aliases ("billion laughs") cannot expand into gigabytes, and an alias
inside the node it names (a recursive structure) is refused.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec

from rest2mcp.diagnostics import Diagnostic, GenerationFailed, Severity
from rest2mcp.numbers import plain_float

URL_TIMEOUT_SECONDS = 30.0
MAX_BYTES = 64 * 1024 * 1024  # a document or a referenced file larger than this is not read
MAX_DEPTH = 200  # levels of nesting (mappings and sequences); real documents stay far below
MAX_NODES = 5_000_000  # values in one document (mappings, sequences, scalars), YAML aliases expanded
MAX_ALIAS_NODES = 100_000  # values YAML aliases may add to a document, all aliases together


class Lines:
    """Line numbers of JSON pointers in one JSON or YAML text; the text is composed on first use."""

    def __init__(self, text: str):
        self.text = text
        self._tree: Any = None

    def line_of(self, pointer: str) -> int | None:
        """1-based line of the value at `pointer`, or of its nearest existing ancestor."""
        if self._tree is None:
            if "\n" not in self.text.rstrip():  # minified JSON: everything is on line 1
                return 1
            from rest2mcp.document import yaml_text

            self._tree = yaml_text.compose(self.text)
        if not self._tree:
            return None
        from rest2mcp.document import yaml_text

        return yaml_text.line_in_tree(self._tree, _split_pointer(pointer))


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
    # The text as read (see `text`); None until needed when `utf8` holds it (a file read by msgspec).
    decoded: str | None = field(default=None, repr=False)
    # Where content copied from other files lies in `document`: the pointer of each copy -> its origin.
    parts: dict[str, Part] = field(default_factory=dict)
    referenced: list[str] = field(default_factory=list)  # the files (or URLs) its $refs read
    # Every value of `document` came from msgspec's JSON decoder: only JSON's types, string keys, no
    # lone surrogate, floats that msgspec writes as Python does (finite, from 1e-4 to 1e16): what
    # lets emit/catalog.py write it with msgspec's encoder.
    plain_json: bool = False
    utf8: bytes | None = field(default=None, repr=False)  # the text as UTF-8, when read from a file
    _lines: Lines | None = field(default=None, repr=False)
    _sha256: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        """The document's text. A JSON file msgspec read is valid UTF-8 (its decoder checks): decoded
        only when a line number is wanted, since megabytes with an emoji make a four-byte-per-character
        string that takes as long to decode as the JSON takes to read."""
        if self.decoded is None:
            assert self.utf8 is not None
            self.decoded = self.utf8.decode("utf-8")
        return self.decoded

    def text_utf8(self) -> bytes:
        """The text as UTF-8 bytes (those read, when at hand: no encoding of megabytes again)."""
        return self.utf8 if self.utf8 is not None else self.text.encode("utf-8")

    def sha256(self) -> str:
        """The hex SHA-256 of `text_utf8()` (the manifest records it), worked out once."""
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.text_utf8()).hexdigest()
        return self._sha256

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


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.0f} MB" if count >= 1024 * 1024 else f"{count} bytes"


def _too_large(source: str) -> GenerationFailed:
    return _fail("E106", f"larger than {_size(MAX_BYTES)}: not read", source,
                 "split the document into files referenced with $ref, or remove what the API does not need")


def read_text(source: str, regular_only: bool = False) -> tuple[str, str | None]:
    """The text at `source` and its final URL (None for files), at most MAX_BYTES of it.

    `regular_only`: refuse devices, FIFOs and sockets (a referenced file must be a plain file; the
    document given on the command line may come through a pipe).
    """
    text, url, _ = _read(source, regular_only)
    return text, url


def _read(source: str, regular_only: bool = False) -> tuple[str, str | None, bytes | None]:
    """`read_text`'s text and URL, and for a file the text's UTF-8 bytes as read (None for a URL)."""
    if is_url(source):
        return (*_read_url(source), None)
    data = _file_bytes(source, regular_only)
    return _decoded(data, source), None, data.removeprefix(codecs.BOM_UTF8)


def _file_bytes(source: str, regular_only: bool) -> bytes:
    try:
        return _read_file(Path(source), regular_only)
    except FileNotFoundError:
        raise _fail("E101", "no such file", source, "check the path (relative paths start from the current directory)") from None
    except IsADirectoryError:
        raise _fail("E101", "is a directory, not a file", source, "pass the path of the OpenAPI document itself") from None
    except OSError as exc:
        raise _fail("E101", f"cannot read the file: {exc.strerror}", source, "check the file's permissions") from None


def _decoded(data: bytes, source: str) -> str:
    """The text of a file's bytes; valid UTF-8 decodes to text that encodes back to the same bytes
    (the byte order mark aside)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail("E103", f"not UTF-8 text (byte {exc.start})", source, "save the document as UTF-8") from None


def _read_file(path: Path, regular_only: bool) -> bytes:
    # Opened without blocking: a FIFO nobody writes to must be refused, not waited for.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | (getattr(os, "O_NONBLOCK", 0) if regular_only else 0)
    fd = os.open(path, flags)
    with open(fd, "rb", closefd=True) as file:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(info.st_mode) and regular_only:
            raise _fail("E101", "not a regular file (a device, a FIFO or a socket): not read", str(path),
                        "reference plain files only")
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_BYTES:
            raise _too_large(str(path))
        data = file.read(MAX_BYTES + 1)  # a device or a pipe has no size: read one byte more than allowed
    if len(data) > MAX_BYTES:
        raise _too_large(str(path))
    return data


def _read_url(source: str) -> tuple[str, str | None]:
    import httpx

    try:
        with httpx.stream("GET", source, follow_redirects=True, timeout=URL_TIMEOUT_SECONDS) as response:
            if response.status_code >= 400:
                raise _fail(
                    "E102",
                    f"cannot fetch the document: HTTP {response.status_code} {response.reason_phrase}",
                    source,
                    "check the URL, or download the file and pass its path",
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise _too_large(source)
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_BYTES:
                    raise _too_large(source)
            encoding = response.encoding or "utf-8"
            url = str(response.url)
    except httpx.HTTPError as exc:
        raise _fail(
            "E102",
            f"cannot fetch the document: {type(exc).__name__}: {exc}",
            source,
            "check the URL and your network, or download the file and pass its path",
        ) from None
    try:
        return codecs.decode(bytes(data), encoding, errors="replace"), url
    except LookupError:  # a charset Python does not know
        return bytes(data).decode("utf-8", errors="replace"), url


def parse_text(text: str, source: str) -> Any:
    """The value in `text` (JSON or YAML); raises GenerationFailed when it cannot be read or exceeds the bounds."""
    return _parse(text, source)[0]


def _parse(text: str, source: str, utf8: bytes | None = None) -> tuple[Any, bool]:
    """`parse_text`'s value, and whether msgspec's JSON decoder made it (see LoadedDocument.plain_json).
    `utf8`: the text's UTF-8 bytes when at hand, which msgspec reads without encoding the text again."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        # Every value but the last is followed by a comma or opens a container: a cheap upper bound
        # on the number of values, checked before parsing builds them all.
        if text.count(",") + text.count("{") + text.count("[") > MAX_NODES:
            raise _too_many(source, None, f"more than {MAX_NODES:,} values: not read")
        try:
            fast = _fast_json(text if utf8 is None else utf8)
            value, plain = fast if fast is not None else (json.loads(text), False)
        except json.JSONDecodeError as exc:
            raise _fail(
                "E104",
                f"invalid JSON: {exc.msg} (column {exc.colno})",
                source,
                "fix the syntax at that line; a JSON validator shows the exact spot",
                exc.lineno,
            ) from None
        except RecursionError:
            raise _too_deep(source, None) from None
        _check_tree(value, source)
        return value, plain
    from rest2mcp.document import yaml_text  # only for YAML: importing PyYAML costs a JSON document's reading

    return yaml_text.parse_yaml(text, source), False


def _fast_json(text: str | bytes) -> tuple[Any, bool] | None:
    """The value of a JSON text as `json.loads` gives it, by msgspec's decoder (several times faster on
    large documents), and whether it is plain (see LoadedDocument.plain_json); None when that decoder
    refuses the text, so that the standard library reads it and says why. msgspec gives the same values
    as `json.loads` for every text it accepts (exact integers of any size, the last of duplicate keys,
    in the place of the first; floats through `float`, as `json.loads` reads them), and refuses what
    `json.loads` reads differently or refuses itself: NaN and infinities, lone surrogates, syntax errors."""
    plain = True

    def read_float(literal: str) -> float:
        nonlocal plain
        value = float(literal)
        if not plain_float(value):  # (too large a number becomes infinite)
            plain = False
        return value

    try:
        return msgspec.json.Decoder(float_hook=read_float).decode(text), plain
    except (msgspec.MsgspecError, RecursionError, MemoryError):
        return None


def _deep_pointer(value: Any, shown: int = 8) -> str:
    """Where `value` first nests deeper than MAX_DEPTH: its first `shown` levels, as a JSON pointer."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in path[:shown]) + "/..."
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        stack.extend((child, (*path, str(key))) for key, child in items)
    return ""


def _too_deep(source: str, line: int | None, where: str = "") -> GenerationFailed:
    at = f" (at #{where})" if where else ""
    return _fail("E107", f"nested more than {MAX_DEPTH} levels deep{at}: not read", source,
                 "no API needs such nesting; flatten the document (shared parts belong in components, "
                 "referenced with $ref)", line)


def _too_many(source: str, line: int | None, what: str, hint: str | None = None) -> GenerationFailed:
    return _fail("E108", what, source, hint or "remove what the API does not need, or split the document "
                 "into files referenced with $ref", line)


def _check_tree(value: Any, source: str) -> None:
    """Refuse a parsed JSON tree deeper than MAX_DEPTH or with more than MAX_NODES values (level by
    level, containers only: the tree may be deeper than the interpreter's recursion limit, and one list
    comprehension per level is several times faster than a stack of (node, depth) pairs)."""
    nodes = 1  # the root; then every container adds its values
    level = [value] if type(value) in _CONTAINERS else []  # the non-empty containers at this depth
    depth = 1
    while level:
        if depth >= MAX_DEPTH:
            raise _too_deep(source, None, _deep_pointer(value))
        nodes += sum(map(len, level))
        level = [child for node in level for child in (node.values() if type(node) is dict else node)
                 if type(child) in _CONTAINERS and child]
        depth += 1
    if nodes > MAX_NODES:
        raise _too_many(source, None, f"more than {MAX_NODES:,} values: not read")


_CONTAINERS = (dict, list)  # what a JSON decoder makes of objects and arrays (exactly these types)


# What a document that is not a mapping is, in words.
_KINDS = {"str": "a single string", "list": "a list", "int": "a number", "float": "a number", "bool": "a boolean",
          "NoneType": "null"}
_HTML = re.compile(r"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)


def _check_scheme(source: str) -> None:
    """Refuse a URL of a scheme rest2mcp does not fetch (ftp://, file://...), rather than look for a file so named."""
    scheme = urlsplit(source).scheme
    if "://" in source and len(scheme) > 1 and scheme not in ("http", "https"):
        raise _fail("E102", f"cannot fetch the document: {scheme}:// URLs are not supported", source,
                    "give an http:// or https:// URL, or download the file and pass its path")


_JSON_OBJECT_START = re.compile(rb"[ \t\n\r\x0b\x0c]*\{")  # ASCII whitespace, which str.lstrip() strips too


def _json_object_file(utf8: bytes, source: str) -> tuple[Any, bool] | None:
    """A file's document when it is a JSON object msgspec reads (see `_fast_json`), read from its bytes
    without decoding them (msgspec checks the UTF-8); None for every other file, which `load` reads
    as text. For such a file the text path would find nothing else: it is not empty, not HTML, and
    `_parse` takes the same steps, in the same order, with the same results."""
    if not _JSON_OBJECT_START.match(utf8):
        return None
    # The values of a JSON text are at most its commas and containers and the root: within the limit,
    # only its depth is left to check.
    if utf8.count(b",") + utf8.count(b"{") + utf8.count(b"[") >= MAX_NODES:
        return None  # refused on the text path
    fast = _fast_json(utf8)
    if fast is not None and _nests_too_deep(utf8):
        _check_tree(fast[0], source)  # which says where
    return fast


def _nests_too_deep(utf8: bytes) -> bool:
    """Whether a JSON text msgspec reads holds a value inside MAX_DEPTH containers (what `_check_tree`
    refuses). msgspec's indenting writes each value inside a container on a line of its own, one space
    per container around it, and no string holds a raw newline: twice as fast as walking the tree."""
    return msgspec.json.format(utf8, indent=1).find(b"\n" + b" " * MAX_DEPTH) >= 0


def load(source: str) -> LoadedDocument:
    """Read and parse `source`; raises GenerationFailed with a located diagnostic."""
    _check_scheme(source)
    if is_url(source):
        text, url = _read_url(source)
        utf8 = None
    else:
        data = _file_bytes(source, False)
        utf8 = data.removeprefix(codecs.BOM_UTF8)
        fast = _json_object_file(utf8, source)
        if fast is not None:
            return LoadedDocument(document=fast[0], source=source, url=None, plain_json=fast[1], utf8=utf8)
        text, url = _decoded(data, source), None
    if not text or text.isspace():  # not strip(): it copies megabytes to answer this
        raise _fail("E104", "the document is empty", source, "pass an OpenAPI document in JSON or YAML")
    if _HTML.match(text):
        where = "the URL" if url else "the file"
        raise _fail("E201", f"{where} holds an HTML page, not an OpenAPI document", source,
                    "this is probably the API's documentation page: give the address of its OpenAPI document "
                    "(often linked from the page, e.g. .../openapi.json or .../swagger.yaml)", 1)
    document, plain_json = _parse(text, source, utf8)
    if not isinstance(document, dict):
        kind = _KINDS.get(type(document).__name__, type(document).__name__)
        raise _fail(
            "E201",
            f"not an OpenAPI document: it is {kind}, not a mapping",
            source,
            "an OpenAPI document is a JSON object / YAML mapping with an 'openapi' or 'swagger' field",
            1,
        )
    return LoadedDocument(document=document, source=source, url=url, decoded=text, plain_json=plain_json, utf8=utf8)
