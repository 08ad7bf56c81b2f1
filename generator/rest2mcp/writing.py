"""Write rendered files into the output folder: each file atomically, unchanged files untouched."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def safe_target(root: Path, relative: str) -> Path:
    """`root / relative`, refusing any path that would leave `root`."""
    target = (root / relative).resolve()
    if root.resolve() not in target.parents:
        raise ValueError(f"refusing to write outside the output folder: {relative}")
    return target


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def write_files(root: Path, files: dict[str, bytes]) -> WriteReport:
    report = WriteReport()
    targets = {relative: safe_target(root, relative) for relative in files}  # all checked before any write
    for relative, data in files.items():
        target = targets[relative]
        if target.is_file() and target.read_bytes() == data:
            report.unchanged.append(relative)
            continue
        write_atomic(target, data)
        report.written.append(relative)
    return report
