"""Names: tools, arguments, the emitted package (environment variables: runtime/environment.py).

Tool names must match ^[A-Za-z0-9_-]{1,64}$ (the strictest real clients). A name taken
unchanged from an operationId is never renamed by what other operations are called; a name
that had to be changed (characters replaced, truncated, or derived from method + path) gets
a short hash of method + path when it would otherwise clash, so the outcome does not depend
on the order of operations in the document.

Given the names of an earlier generation (the output folder's catalog), an operation that had a
name keeps it: when a newcomer would get the same one, the newcomer gets the hash.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import keyword
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rest2mcp.runtime.catalog import INDEX_FILE
from rest2mcp.runtime.environment import env_prefix as runtime_env_prefix

TOOL_NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # whole names: fullmatch
ARGUMENT_NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
PACKAGE_NAME_RE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
MAX_TOOL_NAME = 64
MAX_PACKAGE_NAME = 40

# Import names the generated package depends on: a package of the same name would shadow them.
_RESERVED_MODULES = {"mcp", "mcp_types", "httpx", "httpx2", "jsonschema", "uvicorn", "anyio", "starlette",
                     "pydantic", "test", "tests", "rest2mcp"}
# Modules Python's `site` imports at every interpreter start, when importable.
_STARTUP_MODULES = {"sitecustomize", "usercustomize"}
# Import names of widely used distributions, installed here or not: a generated package of the same
# import name replaces the real one in any environment that has both (`--name yaml` and PyYAML).
WELL_KNOWN_MODULES = frozenset({
    "aiohttp", "annotated_types", "anthropic", "attr", "attrs", "black", "boto3", "botocore", "bs4", "celery",
    "certifi", "cffi", "charset_normalizer", "click", "colorama", "cryptography", "dateutil", "django", "docutils",
    "dotenv", "fastapi", "flask", "google", "grpc", "h11", "h2", "hatchling", "httpcore", "idna", "isort",
    "itsdangerous", "jinja2", "jwt", "kombu", "lxml", "markdown", "markupsafe", "matplotlib", "msgpack",
    "multidict", "mypy", "nacl", "numpy", "oauthlib", "openai", "orjson", "packaging", "pandas", "paramiko",
    "pip", "pkg_resources", "pluggy", "psutil", "psycopg", "psycopg2", "pyasn1", "pydantic_core",
    "pydantic_settings", "pygments", "pymysql", "pytest", "pytz", "redis", "referencing", "regex", "requests",
    "rich", "rpds", "ruamel", "ruff", "scipy", "setuptools", "simplejson", "six", "sklearn", "sniffio",
    "sqlalchemy", "sse_starlette", "tenacity", "toml", "tomli", "torch", "tornado", "tqdm", "typer",
    "typing_extensions", "ujson", "urllib3", "websockets", "werkzeug", "wheel", "wrapt", "yaml", "yarl",
    "zmq",
})


def short_hash(text: str, length: int = 6) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def _clean(text: str) -> str:
    text = re.sub(r"[^A-Za-z0-9_-]+", "_", text)
    return re.sub(r"_{2,}", "_", text).strip("_")


def derived_name(method: str, path: str) -> str:
    """A readable name from method and path: GET /repos/{owner}/{repo} -> get_repos_by_owner_by_repo."""
    words = [method.lower()]
    for segment in path.split("/"):
        if not segment:
            continue
        for piece in re.split(r"(\{[^}]*\})", segment):
            if piece.startswith("{") and piece.endswith("}"):
                words.append("by_" + piece[1:-1])
            elif piece:
                words.append(piece)
    return _clean("_".join(words)) or method.lower()


@dataclass(frozen=True)
class NameRequest:
    method: str
    path: str
    operation_id: str | None


def _with_hash(base: str, method: str, path: str) -> str:
    suffix = "_" + short_hash(f"{method.upper()} {path}")
    return base[: MAX_TOOL_NAME - len(suffix)].rstrip("_-") + suffix


def assign_tool_names(requests: list[NameRequest],
                      previous: Mapping[tuple[str, str], str] | None = None) -> list[str]:
    """One valid, unique tool name per request, in the same order. `previous`: (METHOD, path) -> the
    name each operation had in an earlier generation; an operation whose name would be the one it had
    keeps it, and the others that meet that name get a hash."""
    previous = previous or {}
    candidates: list[tuple[str, bool]] = []  # (name, exact: taken unchanged from operationId)
    for r in requests:
        if r.operation_id and TOOL_NAME_RE.fullmatch(r.operation_id):
            candidates.append((r.operation_id, True))
            continue
        base = _clean(r.operation_id or "") or derived_name(r.method, r.path)
        if len(base) > MAX_TOOL_NAME:
            candidates.append((_with_hash(base, r.method, r.path), False))
        else:
            candidates.append((base, False))

    exact_counts: dict[str, int] = {}
    for name, exact in candidates:
        if exact:
            exact_counts[name] = exact_counts.get(name, 0) + 1
    changed_counts: dict[str, int] = {}
    for name, exact in candidates:
        if not exact:
            changed_counts[name] = changed_counts.get(name, 0) + 1

    # The one operation of a clashing name that already had it (an earlier generation) keeps it.
    holders: dict[str, list[int]] = {}
    for i, ((name, _), r) in enumerate(zip(candidates, requests)):
        if previous.get((r.method.upper(), r.path)) == name:
            holders.setdefault(name, []).append(i)
    keeper = {name: found[0] for name, found in holders.items() if len(found) == 1}

    names: list[str] = []
    for i, ((name, exact), r) in enumerate(zip(candidates, requests)):
        if name in keeper:
            clash = keeper[name] != i
        elif exact:
            clash = exact_counts[name] > 1  # duplicate operationIds: neither may claim the name
        else:
            clash = name in exact_counts or changed_counts[name] > 1
        if not clash and previous.get((r.method.upper(), r.path)) == _with_hash(name, r.method, r.path):
            clash = True  # it had the hash (another operation had the name then): it keeps the hash
        names.append(_with_hash(name, r.method, r.path) if clash else name)

    # A hash suffix can itself meet another name (vanishingly rare): make it unique, deterministically.
    seen: dict[str, int] = {}
    unique = []
    for name, r in zip(names, requests):
        if name in seen:
            name = _with_hash(name + short_hash(r.path, 4), r.method, r.path)
        seen[name] = 1
        unique.append(name)
    return unique


def argument_name(wire_name: str) -> str:
    """An argument name clients accept (^[A-Za-z0-9_.-]{1,64}$) for a wire name."""
    if ARGUMENT_NAME_RE.fullmatch(wire_name):
        return wire_name
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", wire_name).strip("_") or "arg"
    if len(cleaned) > 64 or cleaned != wire_name:
        cleaned = cleaned[:57].rstrip("_") + "_" + short_hash(wire_name)
    return cleaned


def default_package_name(title: str | None) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (title or "").lower()).strip("-")
    if slug and slug[0].isdigit():
        slug = "api-" + slug
    slug = slug or "api"
    if len(slug) > MAX_PACKAGE_NAME - 4:
        slug = slug[: MAX_PACKAGE_NAME - 4].rsplit("-", 1)[0] or slug[: MAX_PACKAGE_NAME - 4]
    slug = slug.strip("-")
    if slug.endswith("-mcp") or slug == "mcp":
        return slug if slug != "mcp" else "api-mcp"
    return slug + "-mcp"


def package_name_problem(name: str) -> str | None:
    """Why `name` cannot name the emitted package, or None when it can."""
    if not PACKAGE_NAME_RE.fullmatch(name):
        return "use lowercase letters, digits and single hyphens, starting with a letter (e.g. 'petstore-mcp')"
    if len(name) > MAX_PACKAGE_NAME:
        return f"use at most {MAX_PACKAGE_NAME} characters (clients prefix tool names with it)"
    module = import_name(name)
    advice = "add a suffix such as '-mcp'"
    if keyword.iskeyword(module) or module in _RESERVED_MODULES or module in sys.stdlib_module_names:
        return f"the import name {module!r} would shadow a Python module; {advice}"
    if module in _STARTUP_MODULES:
        return f"the import name {module!r} would shadow the module Python runs at every start; {advice}"
    # Only a module that can be imported here is looked up among the installed distributions (a scan
    # of every one of them, slow): most names are not.
    owners = installed_modules().get(module) if _importable(module) else None
    if owners and not _generated_package(module):  # an earlier install of the package is no clash
        return (f"the import name {module!r} would shadow the module of the installed distribution "
                f"{', '.join(sorted(set(owners)))}; {advice}")
    if module in WELL_KNOWN_MODULES:
        return f"the import name {module!r} would shadow a widely used third-party module; {advice}"
    return None


@functools.lru_cache(maxsize=1)
def installed_modules() -> Mapping[str, list[str]]:
    """Top-level import names of the distributions installed here -> those distributions' names.
    Read once a process: it scans every installed distribution's metadata (about 0.15 s)."""
    from importlib.metadata import packages_distributions

    return packages_distributions()


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return True  # let the scan of the installed distributions say


def _generated_package(module: str) -> bool:
    """Whether the importable `module` is a package rest2mcp generated (it has generated/index.json)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return False
    folders = (spec.submodule_search_locations or ()) if spec is not None else ()
    return any((Path(folder) / "generated" / INDEX_FILE).is_file() for folder in folders)


def import_name(package_name: str) -> str:
    return package_name.replace("-", "_")


def env_prefix(package_name: str) -> str:
    return runtime_env_prefix(import_name(package_name))
