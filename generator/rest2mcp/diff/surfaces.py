"""Tool surfaces, each read from a catalog: built from a spec, or found in a generated folder.

A spec is analyzed as generation would (document, configuration, IR) and its catalog is written
in memory; no template is rendered. A generated folder's catalog is read through the runtime's
reader, which knows every format version and refuses newer ones.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rest2mcp.diagnostics import Diagnostic, GenerationFailed, Severity
from rest2mcp.emit.catalog import catalog
from rest2mcp.pipeline import Options, analyze
from rest2mcp.runtime.catalog import CATALOG_FILE, CatalogData, CatalogError, read_catalog

# Where a package's module folder holds its catalog: packages of this version, then older ones.
CATALOG_PLACES = (f"generated/{CATALOG_FILE}", CATALOG_FILE)
_WHAT = "the catalog"  # how reader messages name it; the diagnostic gives the file


@dataclass(frozen=True)
class Tool:
    name: str
    definition: dict[str, Any]
    plan: dict[str, Any]

    @property
    def endpoint(self) -> tuple[str, str]:
        return str(self.plan.get("method", "")).upper(), str(self.plan.get("path", ""))

    @property
    def route(self) -> tuple[str, str]:
        """The endpoint with path variables unnamed: renaming `{petId}` to `{id}` keeps the route."""
        method, path = self.endpoint
        return method, re.sub(r"\{[^}/]*\}", "{}", path)


@dataclass
class Surface:
    source: str
    tools: dict[str, Tool]


def _unreadable(source: str, message: str,
                hint: str | None = "give a spec, or the output folder of one `rest2mcp generate` run"
                ) -> GenerationFailed:
    return GenerationFailed([Diagnostic(Severity.ERROR, "E101", message, None, hint, source)])


def surface_from_catalog(data: bytes | str | dict[str, Any] | CatalogData, source: str) -> Surface:
    """The tools of a catalog (any format version this reader knows); CatalogError if it is none."""
    if isinstance(data, dict):
        # Through JSON, so that a catalog built in memory and one read from disk compare equal.
        data = json.dumps(data)
    checked = read_catalog(data, _WHAT)
    plans = checked["plans"]
    tools = {}
    for definition in checked["tools"]:
        plan = plans[definition["name"]]
        if not isinstance(plan, dict):
            raise CatalogError(f"{_WHAT} is not a tool catalog: the plan of {definition['name']!r} is no object")
        tools[definition["name"]] = Tool(definition["name"], dict(definition), dict(plan))
    return Surface(source, tools)


def _module_catalog(module: Path) -> Path | None:
    return next((module / place for place in CATALOG_PLACES if (module / place).is_file()), None)


def find_catalog(folder: Path) -> Path:
    """The catalog of the package generated into `folder` (or of its module folder, given that)."""
    own = _module_catalog(folder)
    if own is not None:
        return own
    found = [c for c in (_module_catalog(sub) for sub in sorted(folder.iterdir()) if sub.is_dir()) if c]
    if len(found) != 1:
        raise _unreadable(str(folder), f"{'more than one' if found else 'no'} generated package "
                                       f"(MODULE/{CATALOG_PLACES[0]} or MODULE/{CATALOG_PLACES[1]}) in this folder")
    return found[0]


def load_surface(source: str, allowed_ref_hosts: tuple[str, ...] = (), allowed_ref_dirs: tuple[str, ...] = (),
                 unread: list[Diagnostic] | None = None) -> Surface:
    """A spec (path or URL) is analyzed in memory, its `$ref`s read where generation would read them
    (the allowed hosts and folders as `generate` takes them); a folder is read as earlier generated output.
    `unread` collects the warnings of `$ref`s not followed: what they point to is compared as "any value"."""
    folder = Path(source)
    if "://" in source or not folder.is_dir():
        # OpenAPI validation only reports findings; the tools are the same without it (and it is
        # the slowest step on large documents).
        options = Options(skip_validation=True, allow_empty=True, allowed_ref_hosts=allowed_ref_hosts,
                          allowed_ref_dirs=allowed_ref_dirs)
        analysis = analyze(source, options)
        if unread is not None:
            unread.extend(d for d in analysis.diagnostics if d.code == "W106")
        return surface_from_catalog(catalog(analysis.api), source)
    path = find_catalog(folder)
    try:
        return surface_from_catalog(path.read_bytes(), source)
    except OSError as error:
        raise _unreadable(str(path), f"cannot read the catalog: {error.strerror or error}") from error
    except CatalogError as error:
        # The reader's message says what is wrong and what to do (a newer format: upgrade).
        raise _unreadable(str(path), str(error), None) from None
