# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Environment variable names: the server's own settings and the API credentials.

The generator names each credential's variables with `credential_variables` and the server reads
its settings with `setting`; both use the names defined here, so a security scheme can never get
the name of a setting (an API key scheme called `mode` gets `<PREFIX>_MODE_KEY`, not `<PREFIX>_MODE`).
"""

from __future__ import annotations

import re

# The server's settings, each read from <PREFIX>_<NAME> (and a command-line option).
SETTINGS = ("BASE_URL", "TIMEOUT", "MAX_RESPONSE_CHARS", "MAX_RESPONSE_BYTES", "MAX_BINARY_BYTES", "ALLOWED_ORIGINS", "MODE", "TOOLSETS",
            "READ_ONLY", "TOOLS", "EXCLUDE_TOOLS", "APPROVAL", "MARK_API_DATA", "AUDIT_LOG", "AUDIT_ARGUMENTS",
            "REQUEST_STATE_KEY", "AUTH_TOKENS", "OAUTH_ISSUER", "JWKS_URL", "AUDIENCE", "REQUIRED_SCOPES",
            "ALLOW_UNAUTHENTICATED", "HTTP_ALLOWED_HOSTS", "HTTP_ALLOWED_ORIGINS", "WORKERS", "USER_CREDENTIALS", "LOG_JSON", "TOOLSET_SCOPES",
            "RETRY_ATTEMPTS", "RETRY_MAX_WAIT", "MAX_CONCURRENCY")
# What each kind of credential is made of, and the word that tells its variable apart.
_PARTS = {"apiKey": ((), "KEY"), "bearer": (("token",), "TOKEN"), "basic": (("username", "password"), "")}


def env_var(prefix: str, *parts: str) -> str:
    """`env_var("PETSTORE_MCP", "apiKey")` -> "PETSTORE_MCP_API_KEY": camelCase split, other characters `_`."""
    words = [prefix]
    for part in parts:
        part = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", part)
        words.append(re.sub(r"[^A-Za-z0-9]+", "_", part).strip("_").upper())
    return "_".join(w for w in words if w)


def placeholder(variable: str) -> str:
    """What the README's client snippets put where a variable's value goes; the server reads it as unset."""
    return f"<{variable}>"


def env_prefix(module: str) -> str:
    """The variables' prefix for a package's import name: petstore_mcp -> PETSTORE_MCP."""
    return module.upper()


def setting(prefix: str, name: str) -> str:
    assert name in SETTINGS, name
    return f"{prefix}_{name}"


def reserved(prefix: str) -> set[str]:
    return {setting(prefix, name) for name in SETTINGS}


def credential_variables(prefix: str, key: str, kind: str, taken: set[str]) -> tuple[str, ...]:
    """The variables holding one scheme's secret(s), distinct from `taken` (which they join).

    apiKey: <PREFIX>_<SCHEME>; bearer: <PREFIX>_<SCHEME>_TOKEN (no second TOKEN when the scheme's
    name ends with it); basic: <PREFIX>_<SCHEME>_USERNAME and _PASSWORD.
    """
    parts, word = _PARTS[kind]
    if kind == "bearer" and key.lower().endswith("token"):
        parts = ()
    names = []
    for part in parts or ("",):
        name = env_var(prefix, key, part)
        if name in taken and word and not name.endswith("_" + word):
            name = f"{name}_{word}"  # a scheme named like a setting: `mode` -> <PREFIX>_MODE_KEY
        candidate, counter = name, 2
        while candidate in taken:
            candidate = f"{name}_{counter}"
            counter += 1
        taken.add(candidate)
        names.append(candidate)
    return tuple(names)


# An OAuth 2 or OpenID Connect scheme's variables besides its access token: role -> the word after
# <PREFIX>_<SCHEME>. The server fetches a token with them when no static token is set (oauth.py).
OAUTH_ROLES = {"clientId": "CLIENT_ID", "clientSecret": "CLIENT_SECRET", "refreshToken": "REFRESH_TOKEN",
               "tokenUrl": "TOKEN_URL", "scopes": "SCOPES", "authMethod": "TOKEN_AUTH_METHOD"}


def oauth_variables(prefix: str, key: str, taken: set[str]) -> dict[str, str]:
    """`<PREFIX>_<SCHEME>_CLIENT_ID`, `_CLIENT_SECRET`, `_REFRESH_TOKEN`, `_TOKEN_URL`, `_SCOPES` and
    `_TOKEN_AUTH_METHOD`, distinct from `taken` (which they join)."""
    names = {}
    for role, word in OAUTH_ROLES.items():
        name = env_var(prefix, key, word)
        candidate, counter = name, 2
        while candidate in taken:
            candidate = f"{name}_{counter}"
            counter += 1
        taken.add(candidate)
        names[role] = candidate
    return names
