"""IR + templates -> {relative path: bytes}. In memory, no I/O but reading templates, deterministic.

Text from the document reaches generated files only through the filters below: `pyrepr`
(a Python literal), `tomlstr` (a TOML basic string), `docline` (a docstring-safe line),
`mdline`/`mdcode` (Markdown table cells), or as JSON data (tools.json, and the release files of
`registry.py`, `mcpb.py` and `clients.py`; `.env.example`'s comments are `printable` lines). The
text ones show control and format characters escaped (`runtime.display.printable`), never raw.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2

from rest2mcp import __version__
from rest2mcp.emit import clients, mcpb, registry
from rest2mcp.emit.catalog import DOCUMENT_FILE, catalog, document_entry, document_json, index, to_json
from rest2mcp.emit.compiled_templates import CompiledTemplates
from rest2mcp.emit.env_example import ENV_EXAMPLE, render_env_example
from rest2mcp.emit.package import DEFAULT_INFO, PackageInfo
from rest2mcp.emit.variables import alternatives, credentials, needed
from rest2mcp.mapping.ir import Api
from rest2mcp.runtime.catalog import CATALOG_FILE, INDEX_FILE
from rest2mcp.runtime.display import printable
from rest2mcp.runtime.environment import SETTINGS, setting

PACKAGE_PLACEHOLDER = "__pkg__"
# Created once, then the user's: never overwritten or deleted by regeneration.
SCAFFOLD_TEMPLATES = ("__pkg__/overrides.py",)


# The generated package's copy of rest2mcp/runtime: the generator's, byte for byte.
RUNTIME_FOLDER = "generated"


def runtime_modules() -> list[Path]:
    """The runtime's modules, copied verbatim into every generated package."""
    return sorted(Path(__file__).resolve().parents[1].joinpath("runtime").glob("*.py"))


def scaffold_paths(api: Api) -> set[str]:
    return {t.replace(PACKAGE_PLACEHOLDER, api.module) for t in SCAFFOLD_TEMPLATES}


def templates_root() -> Path:
    """Templates ship inside the wheel (rest2mcp/templates); in a checkout they are at the top."""
    package = Path(__file__).resolve().parents[1]  # rest2mcp/
    for candidate in (package / "templates", package.parents[1] / "templates"):
        if (candidate / "package").is_dir():
            return candidate
    raise FileNotFoundError("rest2mcp's templates folder is missing from this installation")


def pyrepr(value: Any) -> str:
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    raise TypeError(f"pyrepr takes str, int, bool or None, not {type(value).__name__}")


def tomlstr(value: str) -> str:
    """A TOML basic string showing `value` (unsafe characters escaped visibly, see `printable`).

    Characters beyond the BMP (emoji) stay as they are: TOML, unlike JSON, has no surrogate escapes.
    """
    text = printable(str(value)).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def docline(value: Any, limit: int = 100) -> str:
    """One line of a docstring showing `value`: its backslashes stay backslashes."""
    text = printable(" ".join(str(value).split())).replace('"', "'")
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return text.replace("\\", "\\\\")


def mdline(value: Any) -> str:
    text = printable(" ".join(str(value).split()))
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", text)


def mdcode(value: Any) -> str:
    return printable(" ".join(str(value).split())).replace("`", "'").replace("|", "\\|")


# What shapes the templates' compiled code besides their text (see compiled_templates.py).
_COMPILE_OPTIONS = "autoescape=False keep_trailing_newline=True"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_root())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        bytecode_cache=CompiledTemplates(_COMPILE_OPTIONS),
    )
    env.filters.update(pyrepr=pyrepr, tomlstr=tomlstr, docline=docline, mdline=mdline, mdcode=mdcode)
    return env


def render(api: Api, spec_name: str, document: dict[str, Any] | None = None,
           info: PackageInfo = DEFAULT_INFO, plain_json: bool = False, plain_floats: bool = False, document_data: bytes | None = None) -> dict[str, bytes]:
    """The package's files; `document`: the API's document as generated from, served as a resource
    (`plain_json`: as msgspec decoded it, see LoadedDocument); `info`: the distribution's metadata
    (`[package]` in rest2mcp.toml); `plain_floats`: every float of the document and the configuration
    is plain (rest2mcp/numbers.py), which lets msgspec write the catalog; `document_data`: the
    document's file (`catalog.document_json`), when made already."""
    env = _environment()
    context = {
        "api": api,
        "generator_version": __version__,
        "package": info,
        "package_description": info.description or f"MCP server for {api.title}",
        "mcp_name": info.registry_name(api),
        "mcp_name_is_placeholder": not info.has_registry_name(),
        "settings": {name: setting(api.env_prefix, name) for name in SETTINGS},
        "schemes": api.used_schemes(),
        "credentials": credentials(api),
        "needed": needed(api),
        "alternatives": alternatives(api),
        "spec_name": spec_name,
        "clients": clients.snippets(api),
    }
    files: dict[str, bytes] = {
        registry.SERVER_JSON: registry.render_server_json(api, info),
        mcpb.MANIFEST_FILE: mcpb.render_manifest(api, info),
        ".mcpbignore": mcpb.render_ignore(),
        ENV_EXAMPLE: render_env_example(api),
        ".vscode/mcp.json": (clients.vscode(api) + "\n").encode("utf-8"),
        ".cursor/mcp.json": (clients.cursor(api) + "\n").encode("utf-8"),
    }
    runtime = f"{api.module}/{RUNTIME_FOLDER}"
    for module in runtime_modules():
        files[f"{runtime}/{module.name}"] = module.read_bytes()
    files[f"{runtime}/{CATALOG_FILE}"] = to_json(catalog(api), plain_floats)
    entry = None
    if document is not None:
        data = document_data if document_data is not None else document_json(document, plain_json)
        files[f"{runtime}/{DOCUMENT_FILE}"] = data
        entry = document_entry(api, document, data)
    files[f"{runtime}/{INDEX_FILE}"] = to_json(index(api, entry), plain_floats)
    context["document"] = entry
    package_root = templates_root() / "package"
    for template in sorted(package_root.rglob("*")):
        if not template.is_file() or "__pycache__" in template.parts or template.suffix == ".pyc":
            continue
        relative = template.relative_to(package_root).as_posix()
        target = relative.replace(PACKAGE_PLACEHOLDER, api.module)
        if relative.endswith(".jinja"):
            text = env.get_template(f"package/{relative}").render(context)
            files[target[: -len(".jinja")]] = text.encode("utf-8")
        else:
            files[target] = template.read_bytes()
    return dict(sorted(files.items()))
