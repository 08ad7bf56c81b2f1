"""A real HTTP server on 127.0.0.1 that records every request it receives.

Tests script its answers per (method, path) and assert the exact request the API saw.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    method: str
    target: str  # path and query string exactly as sent
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    # A body written piece by piece as produced (never held whole): with `length` as its
    # Content-Length, else without one (the connection closes after it).
    stream: Callable[[], Iterator[bytes]] | None = None
    length: int | None = None

    @classmethod
    def json(cls, value: Any, status: int = 200) -> Reply:
        return cls(status, json.dumps(value).encode(), "application/json")


@dataclass
class Upstream:
    port: int
    requests: list[Recorded] = field(default_factory=list)
    replies: dict[tuple[str, str], Reply] = field(default_factory=dict)
    scripts: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)  # answered in turn, then `replies`

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reply(self, method: str, path: str, reply: Reply) -> None:
        self.replies[(method.upper(), path)] = reply

    def script(self, method: str, path: str, *replies: Reply) -> None:
        """Answer the next requests to (method, path) with `replies` in turn, then as `reply` says."""
        self.scripts[(method.upper(), path)] = list(replies)

    def next_reply(self, method: str, path: str) -> Reply | None:
        script = self.scripts.get((method, path))
        return script.pop(0) if script else self.replies.get((method, path))

    def reset(self) -> None:
        self.requests.clear()
        self.replies.clear()
        self.scripts.clear()

    def last(self) -> Recorded:
        assert self.requests, "the upstream received no request"
        return self.requests[-1]


def _handler(upstream: Upstream) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            recorded = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            upstream.requests.append(recorded)
            reply = upstream.next_reply(self.command, recorded.path) or Reply.json(
                {"method": self.command, "path": recorded.path}
            )
            if reply.delay:
                time.sleep(reply.delay)
            self.send_response(reply.status)
            if reply.content_type:
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.stream is not None:
                self._stream(reply)
                return
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)

        def _stream(self, reply: Reply) -> None:
            assert reply.stream is not None
            if reply.length is not None:
                self.send_header("Content-Length", str(reply.length))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            try:
                for piece in reply.stream():
                    self.wfile.write(piece)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away (a keep-alive connection reset, a cancelled call) is no error of the
        # test: printed, its traceback would land in whichever test captures stderr at that moment.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def start_upstream() -> tuple[Upstream, ThreadingHTTPServer]:
    upstream = Upstream(port=0)
    server = _Server(("127.0.0.1", 0), _handler(upstream))
    upstream.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return upstream, server
