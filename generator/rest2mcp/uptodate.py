"""An unchanged generation answers at once: "up to date, nothing changed", with what the full run said.

After a successful `generate`, the user cache (cache.py) keeps, under a fingerprint of every input
of the run, what running it again over the same folder would report (its diagnostics, notes,
result and exit code), the sha256 of the folder's manifest and of every file the document's
`$ref`s read. The fingerprint covers: the document's bytes, the configuration file found for it
(path and bytes, or none), every option as resolved (those reused from the folder's manifest
included), the output folder and the working directory, and rest2mcp itself (its version and the
bytes of its own sources and templates, the runtime included: a changed generator never reuses
an older answer).

The next run with the same fingerprint checks that the referenced files, the manifest and every
generated file the manifest lists still have the recorded hashes; when they do, a full run would
write nothing and say exactly the recorded outcome, so that is the answer, without loading,
mapping or rendering. Anything different (a file edited by hand or deleted, a pending write, a
changed input) means the full run. Only local documents qualify: a URL (or a `$ref` to one) may
change behind the same address. `REST2MCP_CACHE_DIR=off` turns this off with the rest of the cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rest2mcp import __version__, cache
from rest2mcp.diagnostics import Diagnostic, Severity
from rest2mcp.outcome import Outcome

if TYPE_CHECKING:
    from rest2mcp.options import Options

KIND = "uptodate"
CONFIG_FILE = "rest2mcp.toml"  # surface.config_file.CONFIG_FILE, without importing the configuration
MANIFEST = ".rest2mcp/manifest.json"  # writing.manifest.MANIFEST, without importing the writer
_PACKAGE = Path(__file__).resolve().parent
_own_digest: str | None = None


def _sha256_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def own_digest() -> str:
    """The sha256 of rest2mcp's own sources and templates (paths and bytes), computed once."""
    global _own_digest
    if _own_digest is None:
        digest = hashlib.sha256(f"rest2mcp {__version__}".encode())
        roots = [_PACKAGE] + [p for p in (_PACKAGE / "templates", _PACKAGE.parents[1] / "templates") if p.is_dir()]
        for root in roots:
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for name in sorted(files):
                    if name.endswith((".pyc", ".pyo")):
                        continue
                    path = Path(folder) / name
                    digest.update(str(path.relative_to(root)).encode("utf-8", "surrogatepass") + b"\0")
                    digest.update(path.read_bytes())
                    digest.update(b"\0")
        _own_digest = digest.hexdigest()
    return _own_digest


def fingerprint(spec: str, output: Path | None, options: Options, force: bool, adopt: bool) -> str | None:
    """The key of this run's inputs; None when the run cannot be answered from the cache."""
    if cache.directory() is None or "://" in spec or output is None:
        return None
    document = _sha256_file(Path(spec))
    if document is None:
        return None
    settings = json.dumps({**dataclasses.asdict(options), "force": force, "adopt": adopt}, sort_keys=True)
    return cache.key(KIND, own_digest(), os.getcwd(), spec, os.path.abspath(spec), document,
                     str(output), os.path.abspath(output), settings, *_configuration(spec, options))


def _configuration(spec: str, options: Options) -> list[str]:
    """What the configuration can come from: the file given, else every file load_config
    (surface/config_file.py) looks at beside the spec, each with its sha256 (or none). A
    pyproject.toml counts whether or not it has a [tool.rest2mcp] table: reading it would cost more
    than a full run now and then."""
    candidates = ([Path(options.config_path)] if options.config_path
                  else [Path(spec).parent / CONFIG_FILE, Path(spec).parent / "pyproject.toml"])
    return [f"{path}={_sha256_file(path) if path.is_file() else None}" for path in candidates]


def answer(entry_key: str | None, output: Path) -> Outcome | None:
    """The recorded outcome, when every recorded file still has its recorded hash."""
    if entry_key is None:
        return None
    entry = cache.lookup(KIND, entry_key)
    if not isinstance(entry, dict):
        return None
    try:
        for path, recorded in entry["referenced"].items():
            if _sha256_file(Path(path)) != recorded:
                return None
        manifest = (output / MANIFEST).read_bytes()
        if hashlib.sha256(manifest).hexdigest() != entry["manifest"]:
            return None
        for relative, file in json.loads(manifest)["files"].items():
            if file.get("owner") == "generated" and _sha256_file(output / relative) != file["sha256"]:
                return None
        return _outcome(entry["outcome"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def remember(entry_key: str | None, output: Path, referenced: list[str], outcome: Outcome) -> None:
    """Record what an unchanged run over `output` says (`outcome`), with the hashes it depends on."""
    if entry_key is None or any("://" in location for location in referenced):
        return
    hashes = {location: _sha256_file(Path(location)) for location in referenced}
    manifest = _sha256_file(output / MANIFEST)
    if manifest is None or None in hashes.values():
        return
    cache.store(KIND, entry_key, {"referenced": hashes, "manifest": manifest, "outcome": _recorded(outcome)})


def _recorded(outcome: Outcome) -> dict[str, Any]:
    def diagnostic(d: Diagnostic) -> dict[str, Any]:
        return {**dataclasses.asdict(d), "severity": d.severity.value}

    return {"code": outcome.code, "diagnostics": [diagnostic(d) for d in outcome.diagnostics],
            "out": outcome.out, "err": outcome.err, "notes": outcome.notes,
            "findings": [diagnostic(d) for d in outcome.findings], "data": outcome.data}


def _outcome(recorded: dict[str, Any]) -> Outcome:
    def diagnostic(d: dict[str, Any]) -> Diagnostic:
        return Diagnostic(**{**d, "severity": Severity(d["severity"])})

    return Outcome(recorded["code"], [diagnostic(d) for d in recorded["diagnostics"]], list(recorded["out"]),
                   list(recorded["err"]), list(recorded["notes"]), [diagnostic(d) for d in recorded["findings"]],
                   recorded["data"])
