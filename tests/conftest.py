from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest
from upstream import Upstream, start_upstream

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
GENERATED = ROOT / "generated"
CORPUS = ROOT.parent / "shared" / "corpus"

# The committed examples: spec file -> folder under generated/.
EXAMPLES = {
    "petstore.yaml": "petstore",
    "everything.yaml": "everything",
    "library-3.1.yaml": "library",
    "petstore-2.0.yaml": "petstore2",
    "styles.yaml": "styles",
    "shop/openapi.yaml": "shop",  # with specs/shop/rest2mcp.toml
}


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


@pytest.fixture(scope="session")
def upstream_server():
    upstream, server = start_upstream()
    yield upstream
    server.shutdown()


@pytest.fixture
def upstream(upstream_server: Upstream) -> Upstream:
    upstream_server.reset()
    return upstream_server


@pytest.fixture(scope="session")
def server_venv(tmp_path_factory) -> Path:
    """A fresh virtual environment with the committed example packages pip-installed into it."""
    path = tmp_path_factory.mktemp("servers") / "venv"
    venv.EnvBuilder(with_pip=True).create(path)
    python = path / "bin" / "python"
    packages = [str(GENERATED / folder) for folder in EXAMPLES.values()]
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *packages],
        check=True,
    )
    return path


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a server process: PATH and friends, no credentials unless given."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT")}
    return {**keep, **extra}


def ruff() -> list[str]:
    found = shutil.which("ruff")
    return [found] if found else [sys.executable, "-m", "ruff"]
