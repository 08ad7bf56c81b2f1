"""The load benchmark's harness (bench/load.py) at a small size, so that a generated server that
drops, fails or mixes up concurrent calls over authenticated Streamable HTTP fails the tests.
No timing is asserted: the benchmark reports those."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import ROOT

pytestmark = pytest.mark.e2e


def test_five_authenticated_clients_making_a_hundred_calls_all_get_their_own_pet(tmp_path):
    out = tmp_path / "load"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--clients", "5", "--calls", "100", "--configs", "ours-auth",
         "--client-processes", "2", "--timeout", "120", "--out", str(out)],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    row = json.loads(out.with_suffix(".json").read_text())["configs"]["ours-auth"]
    # Each call's result was checked against the pet the upstream returned for its own id, and the
    # upstream saw every call once, with the operator's API key and without the client's MCP token.
    assert (row["calls"], row["ok"], row["errors"], row["upstream_requests"]) == (100, 100, 0, 100), row["error_kinds"]
    assert "ours + `--auth-token`" in out.with_suffix(".md").read_text()
