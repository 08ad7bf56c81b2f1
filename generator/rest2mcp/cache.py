"""A cache of the generator's slow and pure steps (validation findings, typed models), on disk.

Each entry is keyed by the sha256 of everything its result depends on: the step's input (the
document as JSON), the versions of rest2mcp and of the library doing the work, and the source of
the module calling it (a changed step never reads an older result). A hit returns exactly what
the step would compute, so the generated files are the same bytes with or without the cache; the
cache only saves time. It lives outside every output folder, in the user's cache directory:
`$REST2MCP_CACHE_DIR`, else `$XDG_CACHE_HOME/rest2mcp`, else `~/.cache/rest2mcp`.
`REST2MCP_CACHE_DIR=off` turns it off. An unreadable, corrupt or unwritable cache is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from rest2mcp import __version__

T = TypeVar("T")
ENVIRONMENT = "REST2MCP_CACHE_DIR"
OFF = ("off", "0", "no", "false", "none")


def directory() -> Path | None:
    """Where entries live, or None when the cache is off."""
    given = os.environ.get(ENVIRONMENT)
    if given is not None:
        return None if given.strip().lower() in OFF or not given.strip() else Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rest2mcp"


def library_version(distribution: str) -> str:
    from importlib import metadata  # here: importing it costs more than a generation that needs none of it

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def source_digest(module_file: str) -> str:
    """The sha256 of a module's source: a changed step does not reuse what the old one computed."""
    try:
        return hashlib.sha256(Path(module_file).read_bytes()).hexdigest()
    except OSError:
        return "unknown"


def document_key(document: Any) -> bytes:
    """The exact content of a parsed document, order included, as bytes to hash."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=repr).encode("utf-8", "surrogatepass")


def key(*parts: str | bytes) -> str:
    digest = hashlib.sha256(f"rest2mcp {__version__}".encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def cached(kind: str, entry_key: str, compute: Callable[[], T]) -> T:
    """`compute()`, or what it returned before for the same key. Results must be JSON values."""
    folder = directory()
    if folder is None:
        return compute()
    path = folder / kind / f"{entry_key}.json"
    try:
        stored = json.loads(path.read_text("utf-8"))
        if isinstance(stored, dict) and stored.get("key") == entry_key:
            return stored["value"]  # type: ignore[no-any-return]
    except (OSError, ValueError, KeyError):
        pass
    value = compute()
    _store(path, {"key": entry_key, "value": value})
    return value


def lookup(kind: str, entry_key: str) -> Any:
    """What `store` kept under `entry_key`, or None (none kept, the cache off or unreadable)."""
    folder = directory()
    if folder is None:
        return None
    try:
        stored = json.loads((folder / kind / f"{entry_key}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return stored.get("value") if isinstance(stored, dict) and stored.get("key") == entry_key else None


def store(kind: str, entry_key: str, value: Any) -> None:
    """Keep `value` (a JSON value) under `entry_key`; a cache that cannot be written is ignored."""
    folder = directory()
    if folder is not None:
        _store(folder / kind / f"{entry_key}.json", {"key": entry_key, "value": value})


def _store(path: Path, content: dict[str, Any]) -> None:
    """Written whole or not at all (a temporary file renamed), so a reader never sees half an entry."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".entry-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(content, file)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, ValueError, TypeError):
        pass  # a cache that cannot be written only costs time
