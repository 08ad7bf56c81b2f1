"""Regenerate the committed example packages in generated/ from specs/: one command.

    .venv/bin/python tests/regen_golden.py

Run it after changing the generator, the runtime or the templates, review the diff of generated/,
and commit it with the change. tests/test_golden.py fails until generated/ is what this writes.
The examples' overrides.py are reset to the current scaffold (a real package keeps its own).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The committed examples: spec (under specs/) -> folder under generated/.
EXAMPLES = {
    "petstore.yaml": "petstore",
    "everything.yaml": "everything",
    "library-3.1.yaml": "library",
    "petstore-2.0.yaml": "petstore2",
    "styles.yaml": "styles",
    "shop/openapi.yaml": "shop",  # with specs/shop/rest2mcp.toml
    "stocks.yaml": "stocks",  # the seed examples, with their upstreams in examples/
    "helpdesk.yaml": "helpdesk",
}


def main() -> int:
    from rest2mcp.emit.render import scaffold_paths
    from rest2mcp.pipeline import Options, generate

    os.chdir(ROOT)  # the manifests record each spec's path as given, relative to the checkout
    for spec, folder in EXAMPLES.items():
        out = Path("generated") / folder
        generated, report = generate(f"specs/{spec}", out, Options(), force=True)
        for path in scaffold_paths(generated.api):
            (out / path).write_bytes(generated.files[path])
        for backup in report.backups:
            (out / backup).unlink()
        changed = len(report.written) + len(report.deleted)
        print(f"{out}: {changed} file{'s' * (changed != 1)} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
