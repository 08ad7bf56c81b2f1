"""Fixtures and the test layers.

Layers: `pytest -m "not e2e"` is the fast layer (no network, no servers); the tests marked `e2e`
install the example packages into a fresh virtual environment, run generated servers as subprocesses
or start Prism. Tests marked `corpus` read the shared corpus and are skipped when it is absent.
"""

from __future__ import annotations

import os
import subprocess
import sysconfig
import venv
from pathlib import Path

import pytest
from helpers import CORPUS, CORPUS_MISSING, EXAMPLES, GENERATED, ROOT
from rest2mcp.cli import run as run_cli
from upstream import Upstream, start_upstream

# Tests see every step run (a test may break the validator on purpose); tests/test_generation_cache.py
# turns the cache on where it is the subject. Subprocesses inherit this.
os.environ["REST2MCP_CACHE_DIR"] = "off"

# Fixtures that make a test end to end: the server environment, Prism.
E2E_FIXTURES = {"server_venv", "prism_ready", "tiny_prism"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    corpus_missing = not CORPUS.is_dir()
    for item in items:
        if E2E_FIXTURES & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("e2e") is None:
            item.add_marker(pytest.mark.e2e)
        if corpus_missing and item.get_closest_marker("corpus") is not None:
            # first, so this reason wins over "got empty parameter set" for a glob of the corpus
            item.add_marker(pytest.mark.skip(reason=CORPUS_MISSING), append=False)


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
    """A fresh virtual environment with the committed example packages installed into it, offline.

    The test environment's own site-packages are visible in it (a .pth file), so the servers'
    dependencies and the build backend come from there; only the example packages are installed.
    """
    path = tmp_path_factory.mktemp("servers") / "venv"
    venv.EnvBuilder(with_pip=True).create(path)
    python = path / "bin" / "python"
    site_packages = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    ours = sysconfig.get_paths()
    shared = dict.fromkeys([ours["purelib"], ours["platlib"]])  # the same folder on most systems
    (Path(site_packages) / "rest2mcp-tests.pth").write_text("".join(f"{folder}\n" for folder in shared))
    packages = [str(GENERATED / folder) for folder in EXAMPLES.values()]
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-index", "--no-deps", "--no-build-isolation", *packages],
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
