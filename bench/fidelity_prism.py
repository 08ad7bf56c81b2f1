"""Prism, the validating mock, and the recording proxy in front of it.

The generated server talks to the proxy; the proxy forwards each request to Prism and keeps
the request exactly as it was sent together with Prism's verdict, so a call can be judged by
what went over the wire rather than by what the server says it did.
"""

from __future__ import annotations

import copy
import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
PRISM_BIN = BENCH / "prism" / "node_modules" / ".bin" / "prism"
PRISM_MISSING = (
    f"Prism is not installed ({PRISM_BIN} is missing): run `bash bench/install_prism.sh` first."
)

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-connection", "proxy-authorization", "proxy-authenticate", "content-length"}
PARAMETER_HOLDERS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def prism_installed() -> bool:
    return PRISM_BIN.exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the copy of the spec Prism gets -----------------------------------------------------------


def prism_document(document: dict[str, Any]) -> dict[str, Any]:
    """The spec as Prism should see it: the same API, minus what Prism 5.14 misreads.

    - Non-body parameter schemas lose `null`: Prism rejects a correct `a,b` value for a nullable
      array query parameter, and a null can never travel in a path, query, header or cookie
      anyway. Parameter schemas that are `$ref`s are inlined first, so body schemas sharing them
      keep their null.
    - Array properties of form-urlencoded and multipart bodies get an explicit `encoding` with
      the OpenAPI default (style form, explode true): without one Prism keeps only the last
      `k=v` pair (or part) and reports "must be array" for every correct `k=a&k=b` body.
    - Header parameters named Accept, Content-Type or Authorization are dropped: OpenAPI says
      they SHALL be ignored (the media types and security schemes govern those headers), but
      Prism requires them.
    - A `type` beside a `$ref` that contradicts the referenced schema's own is dropped (no value
      satisfies both; `{$ref: Obj, type: string}` made Prism demand a string body). The other
      keywords beside a `$ref` stay, in 3.0 too: rest2mcp applies them as their authors meant
      (`required`, `nullable`), and so does Prism.
    - A `#key` in a path (a URL fragment: `/folders/{id}#shared_link`, `/send/#env/v1/...`) is left
      out of the path key, as rest2mcp leaves it out of the request: no request can carry it. When
      that path is already there, its operations keep their place and the other methods join it.
    """
    document = copy.deepcopy(document)
    _drop_contradicting_ref_types(document)
    _without_fragments(document)
    for holder in _parameter_lists(document):
        holder["parameters"] = [p for p in holder["parameters"] if not _ignored_header(p, document)]
    for parameter in _parameters(document):
        if isinstance(parameter.get("schema"), dict):
            parameter["schema"] = without_null(_inlined(parameter["schema"], document))
    for media in _form_media(document):
        _default_array_encodings(media, document)
    return document


IGNORED_HEADERS = {"accept", "content-type", "authorization"}
# Prism reads multipart bodies with the same deserializer as form-urlencoded ones.
FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _parameter_lists(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every path item and operation that has a `parameters` list."""
    holders = []
    for item in (document.get("paths") or {}).values():
        if isinstance(item, dict):
            holders.append(item)
            holders.extend(op for m, op in item.items() if m in PARAMETER_HOLDERS and isinstance(op, dict))
    return [h for h in holders if isinstance(h.get("parameters"), list)]


def _ignored_header(parameter: Any, document: dict[str, Any]) -> bool:
    if isinstance(parameter, dict) and isinstance(parameter.get("$ref"), str):
        parameter = _pointer(document, parameter["$ref"])
    return (isinstance(parameter, dict) and parameter.get("in") == "header"
            and str(parameter.get("name", "")).lower() in IGNORED_HEADERS)


def _drop_contradicting_ref_types(node: Any, document: dict[str, Any] | None = None) -> None:
    document = node if document is None else document
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str) and "type" in current:
                target = _pointer(document, ref)
                if isinstance(target, dict) and target.get("type") not in (None, current["type"]):
                    del current["type"]
            stack.extend(current.values())


def _without_fragments(document: dict[str, Any]) -> None:
    from rest2mcp.mapping.paths import without_fragments

    paths = document.get("paths")
    if not isinstance(paths, dict):
        return
    renamed: dict[str, Any] = {}
    for path, item in paths.items():
        key, _ = without_fragments(path) if isinstance(path, str) and path.startswith("/") else (path, [])
        if key in renamed and isinstance(renamed[key], dict) and isinstance(item, dict):
            renamed[key] = {**item, **renamed[key]}
        else:
            renamed[key] = item
    document["paths"] = renamed


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in (document.get("paths") or {}).values() if isinstance(item, dict)
            for method, op in item.items() if method in PARAMETER_HOLDERS and isinstance(op, dict)]


def _form_media(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for operation in _operations(document):
        body = operation.get("requestBody")
        if isinstance(body, dict) and isinstance(body.get("$ref"), str):
            body = _pointer(document, body["$ref"])
        content = body.get("content") if isinstance(body, dict) else None
        for media_type, media in (content or {}).items():
            if media_type.startswith(FORM_MEDIA_TYPES) and isinstance(media, dict):
                found.append(media)
    return found


def _default_array_encodings(media: dict[str, Any], document: dict[str, Any]) -> None:
    schema = _inlined(media.get("schema"), document, levels=2)  # enough to see the properties
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return
    encoding = media.setdefault("encoding", {})
    for name, prop in properties.items():
        if isinstance(prop, dict) and "array" in _type_names(prop) and name not in encoding:
            encoding[name] = {"style": "form", "explode": True}


def _type_names(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


def _parameters(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every parameter object: in path items, in operations, in components."""
    components = (document.get("components") or {}).get("parameters") or {}
    found = [p for p in components.values() if isinstance(p, dict)]
    for holder in _parameter_lists(document):
        found += [p for p in holder["parameters"] if isinstance(p, dict) and "$ref" not in p]
    return found


def _inlined(schema: Any, document: dict[str, Any], levels: int = 8) -> Any:
    """`schema` with local `$ref`s replaced by copies of their targets, `levels` deep at most
    (a recursive schema keeps its `$ref`s below that)."""
    if isinstance(schema, list):
        return [_inlined(s, document, levels) for s in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and levels > 0:
        target = _pointer(document, ref)
        if target is not None:
            return _inlined(target, document, levels - 1)
    return {k: _inlined(v, document, levels) for k, v in schema.items()}


def _pointer(document: Any, ref: str) -> Any:
    node = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def without_null(schema: Any) -> Any:
    """The schema minus every way it accepts null (3.0 `nullable`, 3.1 type arrays, null branches)."""
    if isinstance(schema, list):
        return [without_null(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: without_null(v) for k, v in schema.items() if k != "nullable"}
    if isinstance(out.get("type"), list) and "null" in out["type"] and len(out["type"]) > 1:
        out["type"] = [t for t in out["type"] if t != "null"]
        if len(out["type"]) == 1:
            out["type"] = out["type"][0]
    for keyword in ("anyOf", "oneOf"):
        branches = out.get(keyword)
        if isinstance(branches, list):
            kept = [b for b in branches if not _is_null_schema(b)]
            if kept and len(kept) < len(branches):
                out[keyword] = kept
    if isinstance(out.get("enum"), list) and None in out["enum"] and len(out["enum"]) > 1:
        out["enum"] = [v for v in out["enum"] if v is not None]
    return out


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and (schema.get("type") == "null" or schema.get("enum") == [None])


def has_external_refs(document: Any) -> bool:
    if isinstance(document, dict):
        ref = document.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return True
        return any(has_external_refs(v) for v in document.values())
    if isinstance(document, list):
        return any(has_external_refs(v) for v in document)
    return False


# -- the Prism process --------------------------------------------------------------------------


class PrismNotStarted(Exception):
    pass


class Prism:
    """One `prism mock --errors` process on 127.0.0.1; restartable (it can crash on odd input)."""

    def __init__(self, spec: Path, log: Path, start_timeout: float = 60.0):
        self.spec = spec
        self.log = log
        self.start_timeout = start_timeout
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def start(self) -> None:
        if not prism_installed():
            raise PrismNotStarted(PRISM_MISSING)
        self.port = free_port()
        # -v warn: Prism logs a few lines per request at "info"; the verdicts come from its answers.
        command = [str(PRISM_BIN), "mock", "--errors", "-v", "warn", "-h", "127.0.0.1", "-p", str(self.port),
                   str(self.spec)]
        with open(self.log, "ab") as log:
            # A session of its own, so stopping Prism also stops any child node process it forked.
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True, env={**os.environ, "SCARF_ANALYTICS": "false"})
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PrismNotStarted(f"prism exited with code {self.process.returncode}: {self._log_tail()}")
            if _answers(self.port):
                return
            time.sleep(0.2)
        self.stop()
        raise PrismNotStarted(f"prism did not answer within {self.start_timeout:g} s: {self._log_tail()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.start()

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=5)
        self.process = None

    def _log_tail(self) -> str:
        try:
            lines = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(lines[-3:])[-600:]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# -- the recording proxy ------------------------------------------------------------------------


@dataclass
class Exchange:
    """One request as the generated server sent it, and what Prism made of it."""

    method: str
    target: str  # the request target as sent: raw path and query, or an absolute URL
    headers: dict[str, str]
    body: bytes
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    upstream_error: str = ""  # Prism could not be reached (down or crashed)
    foreign_host: str = ""  # the request was not addressed to the base URL at all

    @property
    def path(self) -> str:
        return urlsplit(self.target).path if "://" in self.target else self.target.split("?", 1)[0]

    def as_dict(self, body_limit: int = 2000) -> dict[str, Any]:
        record: dict[str, Any] = {"method": self.method, "target": self.target}
        if self.foreign_host:
            record["foreign_host"] = self.foreign_host
        interesting = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("host", "accept-encoding", "connection", "user-agent", "content-length")}
        if interesting:
            record["headers"] = interesting
        if self.body:
            record["body"] = self.body[:body_limit].decode("utf-8", errors="replace")
        record["status"] = self.status
        if self.upstream_error:
            record["upstream_error"] = self.upstream_error
        return record


class RecordingProxy:
    """A threaded HTTP proxy on 127.0.0.1 that forwards to Prism and records every exchange.

    It also catches requests addressed elsewhere: the generated server runs with HTTP(S)_PROXY
    pointing here, so a request to a host other than the base URL (an operation-level server,
    say) is recorded and refused instead of leaving the machine.
    """

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> RecordingProxy:  # noqa: PYI034 - a plain class, not meant for subclassing
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def mark(self) -> int:
        with self._lock:
            return len(self.exchanges)

    def since(self, mark: int) -> list[Exchange]:
        with self._lock:
            return list(self.exchanges[mark:])

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)

    def forward(self, exchange: Exchange) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=30)
        try:
            headers = {k: v for k, v in exchange.headers.items() if k.lower() not in HOP_BY_HOP}
            connection.request(exchange.method, exchange.target, body=exchange.body or None, headers=headers)
            response = connection.getresponse()
            exchange.status = response.status
            exchange.response_headers = {k.lower(): v for k, v in response.getheaders()}
            exchange.response_body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            exchange.upstream_error = f"{type(exc).__name__}: {exc}"
            exchange.status = 502
        finally:
            connection.close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (a timed-out call) is not worth a traceback on the console.
        pass


def _handler_for(proxy: RecordingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the report says enough

        def _handle(self) -> None:
            headers = {k: v for k, v in self.headers.items()}
            exchange = Exchange(self.command, self.path, headers, self._read_body())
            if self.command == "CONNECT" or "://" in self.path:
                exchange.foreign_host = self.path.split("/")[2] if "://" in self.path else self.path
                exchange.status = 502
                proxy.record(exchange)
                self._reply(502, {"content-type": "text/plain"}, b"fidelity proxy: only the base URL is served")
                return
            proxy.forward(exchange)
            proxy.record(exchange)
            body = exchange.response_body if exchange.status != 502 or not exchange.upstream_error else (
                exchange.upstream_error.encode())
            self._reply(exchange.status, exchange.response_headers, body)

        def _read_body(self) -> bytes:
            length = self.headers.get("Content-Length")
            if length:
                return self.rfile.read(int(length))
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                return self._read_chunked()
            return b""

        def _read_chunked(self) -> bytes:
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()

        def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(0 if self.command == "HEAD" else len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_TRACE = do_CONNECT = _handle

    return Handler


def dump_json(document: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
