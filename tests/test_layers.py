"""The test layers themselves: without the shared corpus its tests are skipped, with the reason."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from helpers import CORPUS_MISSING, ROOT


def test_corpus_tests_are_skipped_with_a_reason_when_the_corpus_is_absent(tmp_path):
    missing = tmp_path / "no-corpus"
    # test_diff.py has both kinds: tests that open a corpus file, and one parametrized by a glob of it
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_diff.py", "-m", "corpus", "-q", "-rs", "-p", "no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "REST2MCP_CORPUS": str(missing)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"(\d+) skipped, \d+ deselected in .*", summary), summary
    skipped = int(summary.split()[0])
    reasons = [line.split(": ", 1)[1] for line in result.stdout.splitlines() if line.startswith("SKIPPED [1] ")]
    assert skipped > 0 and reasons == [CORPUS_MISSING] * skipped
    assert not missing.exists()
