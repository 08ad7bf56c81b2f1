"""Client configurations: Claude Desktop, Claude Code, Cursor, VS Code, Windsurf, and a remote connector.

Each names only the variables one needs (`variables.needed`: the base URL when the document has
none, then one choice of credentials). A value is never a placeholder that would be sent where
the client can read the user's environment or ask (Claude Code: `"$VAR"`; Cursor: `${env:VAR}`;
VS Code: an input, a password for secrets); where it cannot (Claude Desktop, Windsurf), the
placeholder names the variable, and the README says to replace it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rest2mcp.emit.variables import Variable, needed
from rest2mcp.mapping.ir import Api
from rest2mcp.runtime.environment import placeholder, setting

LOCAL_URL = "http://127.0.0.1:8000/mcp"
REMOTE_URL = "https://mcp.example.com/mcp"


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=True)


def _placeholder(variable: Variable) -> str:
    return placeholder(variable.name)


def _server(api: Api, env: dict[str, str], command: str | None = None, args: list[str] | None = None) -> dict[str, Any]:
    server: dict[str, Any] = {"command": command or api.package}
    if args:
        server["args"] = args
    if env:
        server["env"] = env
    return server


def claude_desktop(api: Api) -> str:
    """claude_desktop_config.json (also Windsurf's mcp_config.json: the same shape)."""
    env = {v.name: _placeholder(v) for v in needed(api)}
    return _json({"mcpServers": {api.package: _server(api, env)}})


def claude_code(api: Api) -> str:
    flags = "".join(f" --env {v.name}=\"${v.name}\"" for v in needed(api))
    return f"claude mcp add {api.package}{flags} -- {api.package}"


def cursor(api: Api) -> str:
    """.cursor/mcp.json: values from the environment Cursor was started in."""
    env = {v.name: f"${{env:{v.name}}}" for v in needed(api)}
    return _json({"mcpServers": {api.package: _server(api, env, "uvx", ["--from", "${workspaceFolder}", api.package])}})


def _input_id(variable: Variable) -> str:
    return re.sub(r"[^a-z0-9]+", "-", variable.name.lower()).strip("-")


def vscode(api: Api) -> str:
    """.vscode/mcp.json: VS Code asks for each value once (masked for secrets) and stores it."""
    variables = needed(api)
    inputs = [{"type": "promptString", "id": _input_id(v), "description": f"{v.name}: {v.help}", "password": v.secret}
              for v in variables]
    server = {"type": "stdio", **_server(api, {v.name: f"${{input:{_input_id(v)}}}" for v in variables},
                                         "uvx", ["--from", "${workspaceFolder}", api.package])}
    data: dict[str, Any] = {"inputs": inputs, "servers": {api.package: server}} if inputs else {"servers": {api.package: server}}
    return _json(data)


def remote(api: Api) -> tuple[str, str]:
    """A client of the server hosted over HTTP (see README "Hosting it for many people"): the
    connector's JSON and Claude Code's command. The API's credentials stay on the server; the
    client sends one of the server's own bearer tokens."""
    token = setting(api.env_prefix, "AUTH_TOKENS")
    data = {"mcpServers": {api.package: {"type": "http", "url": REMOTE_URL,
                                         "headers": {"Authorization": f"Bearer <one of {token}>"}}}}
    command = f'claude mcp add --transport http {api.package} {REMOTE_URL} --header "Authorization: Bearer $MCP_TOKEN"'
    return _json(data), command


def snippets(api: Api) -> dict[str, str]:
    """Every snippet the README shows, by name."""
    remote_json, remote_code = remote(api)
    return {"claude_desktop": claude_desktop(api), "claude_code": claude_code(api), "cursor": cursor(api),
            "vscode": vscode(api), "windsurf": claude_desktop(api), "remote_json": remote_json,
            "remote_claude_code": remote_code}
