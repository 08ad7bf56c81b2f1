"""What several test modules share: paths, the examples, child processes, the MCP client.

Fixtures are in conftest.py; test modules import plain helpers from here, never from each other.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters, types
from regen_golden import EXAMPLES  # noqa: F401 -- re-exported: the committed examples, spec -> folder

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
GENERATED = ROOT / "generated"
# The shared corpus beside the repository; REST2MCP_CORPUS names another folder.
CORPUS = Path(os.environ.get("REST2MCP_CORPUS") or ROOT.parent / "shared" / "corpus")
CORPUS_MISSING = "needs ../shared/corpus (the shared corpus beside the repository)"



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}: {process.stderr.read() if process.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a server process: PATH and friends, no credentials unless given."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT")}
    return {**keep, **extra}


def ruff() -> list[str]:
    found = shutil.which("ruff")
    return [found] if found else [sys.executable, "-m", "ruff"]


def write(path: Path, text: str) -> Path:
    """Write dedented text, creating the parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


# -- the generated servers, through the official MCP client --------------------------------------


def stdio(venv: Path, command: str, base_url: str, *extra: str, **env: str) -> StdioServerParameters:
    """An installed server's console script in `venv`, over stdio, with only the given credentials."""
    return StdioServerParameters(
        command=str(venv / "bin" / command), args=["--base-url", base_url, *extra], env=child_env(**env)
    )


async def user_approves(context, params) -> types.ElicitResult:
    """A client whose user approves every call the server asks about (approval.py)."""
    return types.ElicitResult(action="accept", content={})


def run(target, mode: str, steps, elicitation=user_approves):
    """Connect, run `steps(client)`, return what it returns. The client's user approves the calls
    the server asks about (`elicitation`; None: a client that cannot ask)."""

    async def main():
        async with Client(target, mode=mode, elicitation_callback=elicitation) as client:
            return await steps(client)

    return anyio.run(main)


def text_of(result) -> str:
    return "\n".join(block.text for block in result.content if getattr(block, "type", "") == "text")


def api_text(result) -> str:
    """The API's own text in a result: what the server set between its untrusted-data marker lines."""
    from rest2mcp.runtime.untrusted import unmarked

    text = text_of(result)
    data = unmarked(text)
    if data is None and result.content and getattr(result.content[0], "type", "") == "text":
        data = unmarked(result.content[0].text)  # the server's notes follow in blocks of their own
    assert data is not None, f"not marked as API data: {text[:300]!r}"
    return data


# -- generated servers in this process ------------------------------------------------------------


def in_memory_server(out: Path, module: str, *argv: str, environ: dict[str, str] | None = None,
                     overrides: object = None):
    """The MCP server a generated package in `out` runs for `argv`, built in this process by the
    runtime's own `build` (rest2mcp/runtime, of which the package carries a copy) from the
    package's data: serve it with `mcp.Client(server)`."""
    from rest2mcp.runtime.options import parser, server_options_from
    from rest2mcp.runtime.server import build, build_resources, create_server, read_index

    data = out / module / "generated"
    index = read_index((data / "index.json").read_bytes())
    args = parser(index, "0").parse_args(list(argv))
    surface = build(args, index, (data / "tools.json").read_bytes, overrides, "0", environ or {})
    resources = build_resources(args, index, surface, overrides, lambda name: (data / name).read_bytes(), environ or {})
    return create_server(surface, index, "0", server_options_from(
        args, index, {index["envPrefix"] + "_AUDIT_LOG": "off", **(environ or {})}), resources=resources)


def call_in_memory(server, steps, mode: str = "auto", elicitation=user_approves):
    """Connect to `server` in memory, run `steps(client)`, return what it returns (the client's user
    approves what the server asks about, see `run`)."""

    async def main():
        async with Client(server, mode=mode, elicitation_callback=elicitation) as client:
            return await steps(client)

    return anyio.run(main)


_FAILING_PREPARE = r"""
import os, sys
from rest2mcp.diagnostics import GenerationFailed
from rest2mcp.options import Options
from rest2mcp.pipeline import prepare
{setup}
try:
    prepare(sys.argv[1], Options({options}))
except GenerationFailed as failed:
    print(failed.diagnostics[0].code)
try:
    os.waitpid(-1, os.WNOHANG)
    print("a child is left")
except ChildProcessError:
    print("no child left")
"""


def failing_prepare(spec: Path, options: str, setup: str = "") -> tuple[list[str], str]:
    """`prepare(spec, Options(<options>))` in a fresh interpreter (after `setup` code) with the second
    processes forced: (the first error's code and whether a child process is left, its stderr)."""
    env = {**os.environ, "REST2MCP_PROCESSES": "2", "REST2MCP_CACHE_DIR": "off"}
    done = subprocess.run([sys.executable, "-c", _FAILING_PREPARE.format(setup=setup, options=options), str(spec)],
                          env=env, capture_output=True, text=True, check=False, timeout=60)
    return done.stdout.split(), done.stderr[-2000:]
