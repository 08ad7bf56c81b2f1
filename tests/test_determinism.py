"""Generation does not depend on the process: string hashing is randomized per process
(PYTHONHASHSEED), so set or dict orders that leak into the output show up between two processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpers import EXAMPLES, ROOT

# Generate every example and print one line per file: spec, path, sha256 of the bytes.
GENERATE_ALL = """
import hashlib, json, sys
from rest2mcp.pipeline import Options, prepare
for spec in json.loads(sys.argv[1]):
    files = prepare(spec, Options()).files
    for path in sorted(files):
        print(spec, path, hashlib.sha256(files[path]).hexdigest())
"""


def test_every_example_is_generated_identically_under_different_hash_seeds():
    specs = [f"specs/{spec}" for spec in sorted(EXAMPLES)]
    processes = [
        subprocess.Popen([sys.executable, "-c", GENERATE_ALL, json.dumps(specs)], cwd=ROOT, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env={**os.environ, "PYTHONHASHSEED": seed})
        for seed in ("0", "12345")
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        outputs.append(out.splitlines())

    first, second = outputs
    assert {line.split()[0] for line in first} == set(specs), "every example is generated"
    assert len(first) > 10 * len(specs)
    assert first == second
