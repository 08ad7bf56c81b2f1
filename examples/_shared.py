"""What the examples share. The demo upstream APIs (stocks_api.py, helpdesk_api.py): JSON error
bodies, the credential check on every request, the command line that serves them with uvicorn.
The scripts that try them through MCP (try_stocks.py, try_helpdesk.py): an upstream in a child process."""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

Endpoint = Callable[[Request], Awaitable[JSONResponse]]


class ApiError(Exception):
    """An answer other than 200: the status and the JSON body `{"error": code, "message": message}`."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def application(routes: dict[str, tuple[str, Endpoint]], header: str, expected: str, challenge: str = "") -> Starlette:
    """An app serving `routes` (path -> method, endpoint) to requests whose `header` is `expected`."""

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        headers = {"WWW-Authenticate": challenge} if exc.status == 401 and challenge else None
        return JSONResponse({"error": exc.error, "message": exc.message}, exc.status, headers)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        error = "not_found" if exc.status_code == 404 else "bad_request"
        message = f"{exc.detail}: {request.method} {request.url.path}"
        return JSONResponse({"error": error, "message": message}, exc.status_code)

    def guarded(endpoint: Endpoint) -> Endpoint:
        async def check(request: Request) -> JSONResponse:
            if not secrets.compare_digest(request.headers.get(header, "").encode(), expected.encode()):
                raise ApiError(401, "unauthorized", f"send a valid credential in the {header} header")
            return await endpoint(request)

        return check

    return Starlette(routes=[Route(path, guarded(endpoint), methods=[method])
                             for path, (method, endpoint) in routes.items()],
                     exception_handlers={ApiError: api_error, HTTPException: http_error})


def serve(make_app: Callable[[str], Starlette], doc: str, port: int, secret: tuple[str, str, str],
          argv: list[str] | None = None) -> None:
    """The command line: --host, --port and the credential's option `secret` (name, variable, default)."""
    option, variable, default = secret
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    parser.add_argument("--port", type=int, default=port, help=f"default: {port}")
    parser.add_argument(option, dest="secret", default=os.environ.get(variable, default),
                        help=f"the credential clients must send (default: ${variable}, else {default})")
    args = parser.parse_args(argv)
    print(f"serving on http://{args.host}:{args.port} (Ctrl-C stops)", flush=True)
    uvicorn.run(make_app(args.secret), host=args.host, port=args.port, log_level="warning")


def _start(script: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """examples/SCRIPT on a free port with `env` added to its environment, once it accepts connections:
    the process and the port. A port another program took between our choice and the child's bind
    means another port."""
    attempts = 3
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        process = subprocess.Popen([sys.executable, str(Path(__file__).with_name(script)), "--port", str(port)],
                                   env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return process, port
            except OSError:
                if time.monotonic() > deadline:
                    process.kill()
                    raise SystemExit(f"{script} did not listen on 127.0.0.1:{port} within 30 s") from None
                time.sleep(0.05)
        error = process.stderr.read().decode(errors="replace") if process.stderr else ""
        attempts -= 1
        if "address already in use" not in error or not attempts:
            raise SystemExit(f"{script} did not start (exit code {process.returncode}):\n{error}")


@contextmanager
def upstream(script: str, **env: str) -> Iterator[str]:
    """examples/SCRIPT (an upstream API) on a free port of 127.0.0.1, in a child process with `env` (its
    credential) added to its environment, once it accepts connections: yields its URL, and stops it
    at the end."""
    process, port = _start(script, env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
