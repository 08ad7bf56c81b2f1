"""The whole output and exit code of the CLI on broken documents and refused runs, against snapshots.

Each case runs the command line in-process from the repository root with relative paths; the
temporary output folder is shown as `<tmp>`. A missing or different snapshot fails the test;
`UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py` rewrites them (review the diff before committing).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import ROOT, SPECS
from rest2mcp.cli import run

SNAPSHOTS = Path(__file__).parent / "snapshots"
BROKEN = SPECS / "broken"
MULTI = "specs/broken/multi/root.yaml"


def _broken_documents() -> list[str]:
    """Every broken document: the files in specs/broken/, and the root.yaml of each multi-file one."""
    files = [p for p in BROKEN.iterdir() if p.is_file()] + sorted(BROKEN.glob("*/root.yaml"))
    return sorted(p.relative_to(ROOT).as_posix() for p in files)


def _snapshot_name(spec: str) -> str:
    relative = Path(spec).relative_to("specs/broken")
    return (relative.parent.as_posix() if relative.name == "root.yaml" else relative.stem).replace("/", "-")


def _file_in_the_way(out: Path) -> None:
    out.write_text("not a folder")


def _foreign_readme(out: Path) -> None:
    out.mkdir()
    (out / "README.md").write_text("my own readme")


Setup = Callable[[Path], None]
CASES: dict[str, tuple[list[str], Setup | None]] = {
    **{f"validate-{_snapshot_name(spec)}": (["validate", spec], None) for spec in _broken_documents()},
    "generate-strict-invalid": (["generate", "specs/broken/invalid.yaml", "-o", "{out}", "--strict"], None),
    "generate-strict-multi": (["generate", MULTI, "-o", "{out}", "--strict"], None),
    "validate-strict-partly-unsupported": (["validate", "specs/broken/partly-unsupported.yaml", "--strict"], None),
    "generate-missing-file": (["generate", "specs/broken/nope.yaml", "-o", "{out}"], None),
    "generate-output-is-a-file": (["generate", "specs/petstore.yaml", "-o", "{out}"], _file_in_the_way),
    "generate-file-not-written-by-rest2mcp": (["generate", "specs/petstore.yaml", "-o", "{out}"], _foreign_readme),
    "diff-bad-fail-on": (["diff", "specs/petstore.yaml", "specs/petstore.yaml", "--fail-on", "some"], None),
}


def transcript(argv: list[str], code: int, out: str, err: str) -> str:
    return f"$ rest2mcp {' '.join(argv)}\nexit code: {code}\n--- stdout\n{out}--- stderr\n{err}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_output_matches_the_snapshot(name, tmp_path, monkeypatch, capsys):
    args, setup = CASES[name]
    out = tmp_path / "out"
    if setup is not None:
        setup(out)
    monkeypatch.chdir(ROOT)
    argv = [arg.replace("{out}", str(out)) for arg in args]
    capsys.readouterr()
    code = run(argv)
    captured = capsys.readouterr()
    shown = [arg.replace(str(tmp_path), "<tmp>") for arg in argv]
    actual = transcript(shown, code, captured.out, captured.err).replace(str(tmp_path), "<tmp>")
    snapshot = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        snapshot.write_text(actual, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot {snapshot.name}: run UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py"
    assert actual == snapshot.read_text(encoding="utf-8")
    if setup is None and name.startswith("generate"):
        assert not out.exists(), "a refused run writes nothing"


def test_every_snapshot_belongs_to_a_case():
    assert MULTI in _broken_documents()
    assert sorted(p.stem for p in SNAPSHOTS.glob("*.txt")) == sorted(CASES), "a snapshot without a case"

