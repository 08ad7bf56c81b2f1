"""The MCP Registry's `server.json` (schema 2025-12-11), published with `mcp-publisher publish`.

One `pypi` package (what `uvx NAME` runs), and an `oci` one when `[package] image` names a
container image. Its environment variables come from `variables.py`: the base URL, then every
credential, secrets marked `isSecret`, the recommended choice `isRequired`. The PyPI package proves
it owns the name with the line `mcp-name: NAME` that README.md carries.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from rest2mcp.emit.package import PackageInfo, default_description
from rest2mcp.emit.variables import Variable, credentials, settings
from rest2mcp.mapping.ir import Api
from rest2mcp.runtime.display import printable
from rest2mcp.runtime.environment import setting

SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
SERVER_JSON = "server.json"
TITLE_LIMIT = 100


def _entry(variable: Variable, default: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": variable.name, "description": variable.help, "format": "string",
                             "isRequired": variable.required, "isSecret": variable.secret}
    if default:
        entry["default"] = default
    return entry


def environment(api: Api) -> list[dict[str, Any]]:
    base = next(v for v in settings(api) if v.name == setting(api.env_prefix, "BASE_URL"))
    return [_entry(base, api.base_url), *(_entry(v) for v in credentials(api))]


def server_json(api: Api, info: PackageInfo) -> dict[str, Any]:
    title = " ".join(printable(api.title).split())[:TITLE_LIMIT] or api.package
    data: dict[str, Any] = {"$schema": SCHEMA, "name": info.registry_name(api), "title": title,
                            "description": info.description or default_description(api), "version": info.version}
    if info.repository:
        host = urlsplit(info.repository).hostname or ""
        data["repository"] = {"url": info.repository, "source": host.split(".")[-2] if host.count(".") else host}
    homepage = next((url for label, url in info.urls if label.lower() in ("homepage", "documentation")), None)
    if homepage:
        data["websiteUrl"] = homepage
    variables = environment(api)
    packages: list[dict[str, Any]] = [{"registryType": "pypi", "registryBaseUrl": "https://pypi.org",
                                       "identifier": api.package, "version": info.version, "runtimeHint": "uvx",
                                       "transport": {"type": "stdio"}, "environmentVariables": variables}]
    if info.image:
        token = setting(api.env_prefix, "AUTH_TOKENS")
        hosted = [*variables, {"name": token, "description": "bearer tokens the server's callers must send",
                               "format": "string", "isRequired": True, "isSecret": True}]
        packages.append({"registryType": "oci", "identifier": f"{info.image}:{info.version}",
                         "transport": {"type": "streamable-http", "url": "http://localhost:8000/mcp"},
                         "environmentVariables": hosted})
    data["packages"] = packages
    return data


def render_server_json(api: Api, info: PackageInfo) -> bytes:
    return (json.dumps(server_json(api, info), indent=2, ensure_ascii=True) + "\n").encode("utf-8")
