"""The generator's own code and the examples stay lint-clean (the generated code is checked in test_golden)."""

import subprocess

from helpers import ROOT, ruff


def test_generator_passes_ruff():
    result = subprocess.run([*ruff(), "check", "--no-cache", "generator", "bench", "examples"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
