"""Writing the output folder safely: ownership, hand edits, stale files, atomic steps.

The manifest (`.rest2mcp/manifest.json`) records every file the generator wrote, its sha256 and
its owner: "generated" files belong to the generator (rewritten when they change, deleted when
no longer produced, refused when edited by hand); "scaffold" files (overrides.py) are created
once and then belong to the user. Files the manifest does not list are never touched.

Each file is written atomically (temporary file + rename). Before the first write the manifest
is saved with the new hashes as `pending`; after the last, without them. An interrupted run
therefore leaves a manifest that describes every file on disk, and the next run finishes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = ".rest2mcp/manifest.json"
GENERATED, SCAFFOLD = "generated", "scaffold"
FOREIGN = "exists and was not written by rest2mcp"  # a conflict's reason: a file of the user's in the way


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Conflict:
    path: str
    reason: str


@dataclass
class WritePlan:
    write: dict[str, bytes] = field(default_factory=dict)  # new or changed generated files
    create: dict[str, bytes] = field(default_factory=dict)  # scaffold files that do not exist yet
    delete: list[str] = field(default_factory=list)  # generated files no longer produced
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    manifest_changed: bool = False
    previous_files: dict[str, Any] = field(default_factory=dict)  # the old manifest's entries

    @property
    def changes(self) -> bool:
        return bool(self.write or self.create or self.delete or self.manifest_changed)


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    backups: list[str] = field(default_factory=list)


class OwnershipConflict(Exception):
    def __init__(self, conflicts: list[Conflict]):
        super().__init__(", ".join(c.path for c in conflicts))
        self.conflicts = conflicts


def safe_target(root: Path, relative: str) -> Path:
    """`root / relative`, refusing any path that would leave `root`."""
    target = (root / relative).resolve()
    if root.resolve() not in target.parents:
        raise ValueError(f"refusing to write outside the output folder: {relative}")
    return target


class ManifestError(Exception):
    """The folder's manifest is not one rest2mcp writes: its options and files cannot be trusted."""


# The options a manifest records (pipeline._config) and what each must be.
_STRINGS = "a list of strings"
CONFIG_KEYS: dict[str, tuple[str, Any]] = {
    "name": ("a string or null", lambda v: v is None or isinstance(v, str)),
    "base_url": ("a string or null", lambda v: v is None or isinstance(v, str)),
    "allowed_ref_hosts": (_STRINGS, lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)),
    "allowed_ref_dirs": (_STRINGS, lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)),
    "preferred_media_types": (_STRINGS, lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)),
    "models": ("true or false", lambda v: isinstance(v, bool)),
    "output_schema_limit": ("a number of bytes", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0),
    "config_path": ("a string or null", lambda v: v is None or isinstance(v, str)),
    "mode": ("a string or null", lambda v: v is None or isinstance(v, str)),
    "read_only": ("true or false", lambda v: isinstance(v, bool)),
}
_TOP_KEYS = {"generator", "spec", "config", "config_sha256", "config_file", "files", "pending"}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _relative_problem(root: Path, relative: Any) -> str | None:
    if not isinstance(relative, str) or not relative:
        return f"a file name that is not a string: {relative!r}"
    parts = relative.split("/")
    if relative.startswith("/") or "\\" in relative or ":" in parts[0] or any(p in ("", ".", "..") for p in parts):
        return f"the file {relative!r} is not a plain relative path inside the folder"
    try:
        safe_target(root, relative)
    except ValueError:
        return f"the file {relative!r} lies outside the folder"
    return None


def manifest_problem(root: Path, manifest: Any) -> str | None:
    """What makes `manifest` (the parsed JSON of root's manifest) other than what rest2mcp writes."""
    if not isinstance(manifest, dict):
        return "not a JSON object"
    unknown = sorted(set(manifest) - _TOP_KEYS)
    if unknown:
        return f"unknown key {unknown[0]!r}"
    files = manifest.get("files")
    if not isinstance(files, dict):
        return "'files' is missing or not an object"
    for relative, entry in files.items():
        problem = _relative_problem(root, relative)
        if problem:
            return problem
        if (not isinstance(entry, dict) or set(entry) != {"sha256", "owner"} or entry["owner"] not in (GENERATED, SCAFFOLD)
                or not isinstance(entry["sha256"], str) or not _SHA256.fullmatch(entry["sha256"])):
            return f"the entry of {relative!r} is not {{\"sha256\": <64 hex digits>, \"owner\": \"generated\" or \"scaffold\"}}"
    pending = manifest.get("pending", {})
    if not isinstance(pending, dict):
        return "'pending' is not an object"
    for relative, digest in pending.items():
        problem = _relative_problem(root, relative)
        if problem:
            return problem
        if digest is not None and not (isinstance(digest, str) and _SHA256.fullmatch(digest)):
            return f"the pending hash of {relative!r} is not 64 hex digits or null"
    for key in ("generator", "config_sha256"):
        if key in manifest and not isinstance(manifest[key], str):
            return f"{key!r} is not a string"
    for key in ("spec", "config_file"):
        if key in manifest and not (isinstance(manifest[key], dict)
                                    and all(v is None or isinstance(v, str) for v in manifest[key].values())):
            return f"{key!r} is not an object of strings"
    config = manifest.get("config", {})
    if not isinstance(config, dict):
        return "'config' is not an object"
    for key, value in config.items():
        if key not in CONFIG_KEYS:
            return f"unknown option {key!r} in 'config'"
        meaning, valid = CONFIG_KEYS[key]
        if not valid(value):
            return f"the option {key!r} in 'config' is {json.dumps(value)[:80]}, not {meaning}"
    return None


def foreign_entries(root: Path) -> list[str]:
    """What a folder without a rest2mcp manifest holds (sorted names); [] when it has a manifest,
    is empty or does not exist. Generating into such a folder would mix the package with files
    that are not the generator's. A git repository's own folder (`.git`) is not such a file: a new
    repository (`git init`) is an empty folder to generate into."""
    if not root.is_dir() or (root / MANIFEST).exists():
        return []
    return sorted(entry.name for entry in root.iterdir() if entry.name != ".git")


def read_manifest(root: Path) -> dict[str, Any] | None:
    """The folder's manifest; None when it has none. ManifestError when it holds one rest2mcp did not write."""
    path = root / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ManifestError(f"cannot be read as JSON: {exc}") from None
    problem = manifest_problem(root, manifest)
    if problem:
        raise ManifestError(problem)
    return manifest


def _disk_hash(path: Path) -> str | None:
    return sha256(path.read_bytes()) if path.is_file() else None


def plan_write(root: Path, files: dict[str, bytes], scaffold: set[str], header: dict[str, Any]) -> WritePlan:
    """What generating `files` into `root` would do, without doing it."""
    old = read_manifest(root) or {"files": {}}
    old_files: dict[str, Any] = old["files"]
    pending: dict[str, Any] = old.get("pending") or {}
    plan = WritePlan()
    entries: dict[str, dict[str, str]] = {}

    def owned_and_untouched(relative: str, on_disk: str | None) -> bool:
        recorded = old_files.get(relative, {}).get("sha256")
        return on_disk in (recorded, pending.get(relative)) or (on_disk is None and relative in pending)

    for relative, data in files.items():
        target = safe_target(root, relative)
        on_disk = _disk_hash(target)
        if relative in scaffold:
            previous = old_files.get(relative)
            if previous is not None and previous.get("owner") == SCAFFOLD:
                entries[relative] = previous  # the user's now, whatever it holds
            elif on_disk is None:
                plan.create[relative] = data
                entries[relative] = {"sha256": sha256(data), "owner": SCAFFOLD}
            else:  # a file of that name already there: it becomes the scaffold as it is
                entries[relative] = {"sha256": on_disk, "owner": SCAFFOLD}
            continue
        digest = sha256(data)  # once: the document and the catalog are megabytes
        entries[relative] = {"sha256": digest, "owner": GENERATED}
        if on_disk == digest:
            plan.unchanged.append(relative)
            continue
        if on_disk is not None and relative not in old_files and relative not in pending:
            plan.conflicts.append(Conflict(relative, FOREIGN))
        elif on_disk is not None and not owned_and_untouched(relative, on_disk):
            plan.conflicts.append(Conflict(relative, "edited by hand since it was generated"))
        plan.write[relative] = data

    for relative, entry in sorted(old_files.items()):
        if relative in files or entry.get("owner") != GENERATED:
            continue
        on_disk = _disk_hash(safe_target(root, relative))
        if on_disk is None:
            continue
        if not owned_and_untouched(relative, on_disk):
            plan.conflicts.append(Conflict(relative, "edited by hand, and no longer generated"))
        plan.delete.append(relative)

    plan.manifest = {**header, "files": dict(sorted(entries.items()))}
    plan.previous_files = old_files
    plan.manifest_changed = {k: v for k, v in old.items() if k != "pending"} != plan.manifest or bool(pending)
    return plan


def current_umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it: set it back at once
    os.umask(mask)
    return mask


def file_mode(data: bytes, umask: int | None = None) -> int:
    """The mode a new file of `data` gets, as `open` would create it: 0666 less the umask (0644
    under 022), or 0777 less the umask for a script (`#!`)."""
    mask = current_umask() if umask is None else umask
    return (0o777 if data.startswith(b"#!") else 0o666) & ~mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file renamed into place; the file gets the mode `file_mode` says
    (a temporary file is created 0600, which would otherwise stay)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, file_mode(data))
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _save_manifest(root: Path, manifest: dict[str, Any]) -> None:
    write_atomic(root / MANIFEST, (json.dumps(manifest, indent=1, sort_keys=False) + "\n").encode())


def apply_plan(root: Path, plan: WritePlan, force: bool = False) -> WriteReport:
    """Carry out a plan; conflicts stop it before any write unless `force` (which keeps .orig backups)."""
    if plan.conflicts and not force:
        raise OwnershipConflict(plan.conflicts)
    report = WriteReport(unchanged=list(plan.unchanged))
    if not plan.changes:
        return report
    # While files change, the manifest lists their old hashes and, as pending, their new ones.
    during = {**plan.manifest["files"], **{p: e for p, e in plan.previous_files.items() if e.get("owner") == GENERATED}}
    journal = {**plan.manifest, "files": dict(sorted(during.items())),
               "pending": {**{p: _planned_hash(plan, p, d) for p, d in plan.write.items()},
                           **{p: None for p in plan.delete}}}
    _save_manifest(root, journal)
    for conflict in plan.conflicts:
        target = safe_target(root, conflict.path)
        if target.is_file():
            shutil.copy2(target, target.with_name(target.name + ".orig"))
            report.backups.append(conflict.path + ".orig")
    for relative, data in {**plan.write, **plan.create}.items():
        write_atomic(safe_target(root, relative), data)
        report.written.append(relative)
    for relative in plan.delete:
        target = safe_target(root, relative)
        target.unlink(missing_ok=True)
        _remove_empty_folders(root, target.parent)
        report.deleted.append(relative)
    _save_manifest(root, plan.manifest)
    return report


def _planned_hash(plan: WritePlan, relative: str, data: bytes) -> str:
    """The hash of a file to write, as the plan's manifest records it (computed when it does not)."""
    entry = plan.manifest.get("files", {}).get(relative)
    return entry["sha256"] if entry is not None and entry.get("owner") == GENERATED else sha256(data)


def _remove_empty_folders(root: Path, folder: Path) -> None:
    """Folders emptied by deleting stale files go too (up to `root`); a folder holding anything,
    if only Python's byte-code cache of the deleted modules, stays."""
    root = root.resolve()
    folder = folder.resolve()
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty: it holds something that is not ours
            return
        folder = folder.parent


def write_files(root: Path, files: dict[str, bytes]) -> WriteReport:
    """Write every file as it is, with no manifest: for scratch folders (benchmarks, tests)."""
    report = WriteReport()
    for relative, data in files.items():
        write_atomic(safe_target(root, relative), data)
        report.written.append(relative)
    return report
