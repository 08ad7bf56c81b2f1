"""The processes bench/peers.py starts besides the generated servers.

    python bench/peers_servers.py measure REPORT TIMEOUT -- COMMAND...   # time and peak memory of COMMAND
    python bench/peers_servers.py upstream PORT            # GET /pets/{id} on 127.0.0.1:PORT
    python bench/peers_servers.py floor SPEC BASE_URL      # hand-written low-level mcp server, stdio
    bench/peers/.venv/bin/python bench/peers_servers.py fastmcp SPEC BASE_URL   # FastMCP.from_openapi, stdio

`fastmcp` runs in the peers' own environment (its `mcp` pin is not ours); the others in ours.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from typing import Any

# One operation with a path parameter and a JSON answer: what each per-call measurement calls.
PETS_SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1.0.0"},
    "servers": [{"url": "http://127.0.0.1:9"}],
    "paths": {"/pets/{petId}": {"get": {
        "operationId": "showPetById", "summary": "Info for a specific pet",
        "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "The pet", "content": {"application/json": {"schema": {
            "type": "object", "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "tag": {"type": "string", "nullable": True}}}}}}},
    }}},
}


def pet(pet_id: int) -> dict[str, Any]:
    return {"id": pet_id, "name": f"pet-{pet_id}", "tag": None}


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def upstream(port: int) -> None:
    """A bare ASGI app: it costs as little as uvicorn allows, so the servers' differences show."""
    import uvicorn

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        status, body = 404, b'{"message": "not found"}'
        if path.startswith("/pets/") and path[6:].isdigit():
            status, body = 200, json.dumps(pet(int(path[6:]))).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")


def floor(base_url: str) -> None:
    """The least a server can do: list one tool, and for a call make the same GET with one shared
    httpx client and return the JSON as text and structured content."""
    import anyio
    import httpx
    from mcp import types
    from mcp.server import Server
    from mcp.server.stdio import stdio_server

    tool = types.Tool(name="showPetById", description="Info for a specific pet",
                      input_schema={"type": "object", "properties": {"petId": {"type": "integer"}}, "required": ["petId"]})
    listing = types.ListToolsResult(tools=[tool])
    http = httpx.AsyncClient(timeout=30.0)

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return listing

    async def call_tool(ctx: Any, params: Any) -> types.CallToolResult:
        response = await http.get(f"{base_url}/pets/{int(params.arguments['petId'])}")
        return types.CallToolResult(content=[types.TextContent(type="text", text=response.text)],
                                    structured_content=response.json(), is_error=response.status_code >= 400)

    async def main() -> None:
        server = Server("floor", on_list_tools=list_tools, on_call_tool=call_tool)
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(main)


def fastmcp(spec_path: str, base_url: str) -> None:
    import httpx2
    from fastmcp import FastMCP

    with open(spec_path, encoding="utf-8") as file:
        spec = json.load(file)
    client = httpx2.AsyncClient(base_url=base_url, timeout=30.0)
    FastMCP.from_openapi(openapi_spec=spec, client=client, name="bench").run(show_banner=False)


def measure(report: str, timeout: float, command: list[str]) -> None:
    """Run `command`, write its wall time, peak memory (its own rusage, and its children's), exit code
    and the end of its output to `report` as JSON."""
    import os
    import subprocess
    import tempfile

    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                timed_out = True
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        output.seek(0, 2)
        output.seek(max(0, output.tell() - 4000))
        tail = output.read().decode("utf-8", "replace")
    with open(report, "w", encoding="utf-8") as file:
        json.dump({"seconds": seconds, "peak_kb": usage.ru_maxrss, "code": os.waitstatus_to_exitcode(status),
                   "timed_out": timed_out, "output": tail}, file)


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "measure":
        measure(sys.argv[2], float(sys.argv[3]), sys.argv[5:])
    elif kind == "upstream":
        upstream(int(sys.argv[2]))
    elif kind == "floor":
        floor(sys.argv[3])
    elif kind == "fastmcp":
        fastmcp(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(f"unknown process {kind!r}")
