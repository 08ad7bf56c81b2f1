"""IR + templates -> {relative path: bytes}. In memory, no I/O but reading templates, deterministic.

Text from the document reaches generated files only through the filters below: `pyrepr`
(a Python literal), `tomlstr` (a TOML basic string), `docline` (a docstring-safe line),
`mdline`/`mdcode` (Markdown table cells), or as JSON data in tools.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jinja2

from rest2mcp import __version__
from rest2mcp.emit.catalog import catalog
from rest2mcp.mapping.ir import Api, SecurityScheme

PACKAGE_VERSION = "0.1.0"
PACKAGE_PLACEHOLDER = "__pkg__"
# Created once, then the user's: never overwritten or deleted by regeneration.
SCAFFOLD_TEMPLATES = ("__pkg__/overrides.py",)


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
    # JSON escapes are valid TOML basic-string escapes; TOML also forbids a raw DEL.
    return json.dumps(str(value), ensure_ascii=True).replace("\x7f", "\\u007f")


def docline(value: Any, limit: int = 100) -> str:
    text = " ".join(str(value).split())
    text = re.sub(r"[^\x20-\x7e\u00a0-\uffff]", "", text).replace("\\", "/").replace('"', "'")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def mdline(value: Any) -> str:
    text = " ".join(str(value).split())
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", text)


def mdcode(value: Any) -> str:
    return " ".join(str(value).split()).replace("`", "'").replace("|", "\\|")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_root())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters.update(pyrepr=pyrepr, tomlstr=tomlstr, docline=docline, mdline=mdline, mdcode=mdcode)
    env.globals["scheme_help"] = scheme_help
    return env


def scheme_help(scheme: SecurityScheme, index: int) -> str:
    name = mdcode(scheme.key)
    if scheme.kind == "apiKey":
        return f"API key `{name}`, sent in the {scheme.location} `{mdcode(scheme.param)}`"
    if scheme.kind == "basic":
        return f"{'user name' if index == 0 else 'password'} for `{name}` (HTTP basic authentication)"
    return f"access token for `{name}`, sent as `Authorization: Bearer <token>`"


def instructions(api: Api) -> str:
    text = f"Tools that call the {api.title} API"
    if api.version:
        text += f" (version {api.version})"
    text += ". Each tool is one API operation; arguments are validated before the request is sent."
    return text


def toolset_index(api: Api) -> dict[str, Any]:
    """What the server reads at start to check --toolsets and to describe discovery mode."""
    sizes = api.toolset_sizes()
    groups = {}
    for name, size in sizes.items():
        groups[name] = {"tools": size, **({"description": api.toolsets[name]} if api.toolsets.get(name) else {})}
    return {"tools": len(api.tools), "toolsets": groups}


def _client_snippets(api: Api) -> tuple[str, str]:
    env = {var: "..." for scheme in api.used_schemes() for var in scheme.env}
    if not api.base_url:
        env = {f"{api.env_prefix}_BASE_URL": "https://...", **env}
    server: dict[str, Any] = {"command": api.package}
    if env:
        server["env"] = env
    desktop = json.dumps({"mcpServers": {api.package: server}}, indent=2)
    flags = "".join(f" --env {var}=..." for var in env)
    code = f"claude mcp add {api.package}{flags} -- {api.package}"
    return desktop, code


def render(api: Api, spec_name: str) -> dict[str, bytes]:
    env = _environment()
    desktop, code = _client_snippets(api)
    context = {
        "api": api,
        "generator_version": __version__,
        "package_version": PACKAGE_VERSION,
        "instructions": instructions(api),
        "schemes": api.used_schemes(),
        "spec_name": spec_name,
        "claude_desktop": desktop,
        "claude_code": code,
    }
    files: dict[str, bytes] = {}
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
    data = json.dumps(catalog(api), ensure_ascii=False, indent=1) + "\n"
    files[f"{api.module}/tools.json"] = data.encode("utf-8")
    toolsets = json.dumps(toolset_index(api), ensure_ascii=False, indent=1) + "\n"
    files[f"{api.module}/toolsets.json"] = toolsets.encode("utf-8")
    return dict(sorted(files.items()))
