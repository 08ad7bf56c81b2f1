"""Fixtures: the recording upstream, the server environment, the command line in this process."""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

import pytest
from helpers import EXAMPLES, GENERATED, ROOT
from rest2mcp.cli import run as run_cli
from upstream import Upstream, start_upstream


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


@pytest.fixture
def rest2mcp(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """The rest2mcp command line, run in this process from `cwd` (default: the checkout).

    Returns what a subprocess would: the exit code, stdout and stderr.
    """

    def invoke(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = run_cli(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["rest2mcp", *args], code, out, err)

    return invoke
