"""`.env.example`: every variable the server reads, one `NAME=` line each, every value empty.

Credentials first (what each holds; alternatives said in words), then the server's settings,
whose meaning README.md's "Configuration" table gives; an empty value means the default.
"""

from __future__ import annotations

from rest2mcp.emit.variables import alternatives, credentials, settings
from rest2mcp.mapping.ir import Api

ENV_EXAMPLE = ".env.example"


def render_env_example(api: Api) -> bytes:
    lines = [f"# {api.package}: copy to .env and fill in what you use. Never commit a filled-in .env.",
             "# An empty value means unset (a setting's default)."]
    creds = credentials(api)
    if creds:
        lines += ["", "# API credentials: read from the environment only, never shown in results or logs."]
        if alternatives(api):
            lines.append("# Where operations accept several kinds of credentials, one kind is enough: fill in only those.")
        for variable in creds:
            lines += [f"# {variable.help}{' (secret)' if variable.secret else ''}", f"{variable.name}="]
    lines += ["", "# Server settings: README.md, \"Configuration\", says what each one does."]
    for variable in settings(api):
        if variable.required:
            lines.append(f"# {variable.help}")
        lines.append(f"{variable.name}=")
    return ("\n".join(lines) + "\n").encode("utf-8")
