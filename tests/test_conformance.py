"""The official MCP conformance suite (@modelcontextprotocol/conformance, npm) against a generated
server over Streamable HTTP: the scenarios that apply to any server, whatever its tools.

`bash bench/install_conformance.sh` installs the suite and the Node 22 it needs into
bench/conformance/node_modules. Without it these tests are skipped, except in CI (`CI` set), where
a missing suite is a failure: CI must not pass without running them.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT, child_env, free_port, wait_for_port

pytestmark = pytest.mark.e2e

FOLDER = ROOT / "bench" / "conformance" / "node_modules"
NODE = FOLDER / ".bin" / "node"
SUITE = FOLDER / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
# The server scenarios of the suite that need no fixture tools, resources or prompts of the
# SDK's reference server (the others call tools such as test_simple_text).
SCENARIOS = ["server-initialize", "tools-list", "ping", "dns-rebinding-protection"]
MISSING = "needs the MCP conformance suite: bash bench/install_conformance.sh"


@pytest.fixture(scope="session")
def suite() -> Path:
    if not (NODE.exists() and SUITE.exists()):
        if os.environ.get("CI"):
            pytest.fail(f"{MISSING} (CI must run these tests)")
        pytest.skip(MISSING)
    return SUITE


@pytest.fixture(scope="module", params=["stateless", "sessions"])
def server_url(request, suite, server_venv):  # the suite first: no server environment built to be skipped
    """The petstore server over Streamable HTTP on 127.0.0.1: stateless (the default) and with --http-sessions."""
    port = free_port()
    extra = ["--http-sessions"] if request.param == "sessions" else []
    process = subprocess.Popen(
        [str(server_venv / "bin" / "petstore-mcp"), "--transport", "http", "--host", "127.0.0.1", "--port", str(port),
         "--base-url", "http://127.0.0.1:9", *extra],
        env=child_env(PETSTORE_MCP_AUDIT_LOG="off"), stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_conformance_scenario_passes(suite: Path, server_url: str, scenario: str, tmp_path: Path):
    done = subprocess.run(
        [str(NODE), str(suite), "server", "--url", server_url, "--scenario", scenario, "--output-dir", str(tmp_path)],
        env={**child_env(), "PATH": f"{NODE.parent}{os.pathsep}{os.environ.get('PATH', '')}", "NO_COLOR": "1"},
        capture_output=True, text=True, timeout=120, check=False)
    output = done.stdout + done.stderr
    # Each run saves its checks as <output-dir>/server-<scenario>-<time>/checks.json.
    saved = list(tmp_path.glob(f"server-{scenario}-*/checks.json"))
    assert len(saved) == 1, output
    checks = json.loads(saved[0].read_text())
    # The suite's verdict: a FAILURE or a WARNING fails the scenario (INFO checks are notes).
    failed = [{k: c.get(k) for k in ("id", "status", "description", "errorMessage", "details")}
              for c in checks if c["status"] not in ("SUCCESS", "INFO")]
    assert not failed, json.dumps(failed, indent=1)
    assert any(c["status"] == "SUCCESS" for c in checks), output
    assert done.returncode == 0, output
