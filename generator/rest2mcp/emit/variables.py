"""The environment variables a generated server reads, listed once for every file that names them.

README's table, `.env.example`, `server.json`, the MCPB manifest's `user_config` and the client
snippets all come from `credentials(api)` and `settings(api)`, which walk the security schemes'
variables (`SecurityScheme.env`, named by `runtime/environment.py`): a new kind of credential
variable appears everywhere as soon as a scheme carries it.

Where operations accept alternative credentials (basic OR bearer), a client configuration names
only one choice (`recommended`): a placeholder for an alternative would be sent as a credential.
"""

from __future__ import annotations

from dataclasses import dataclass

from rest2mcp.mapping.ir import Api, SecurityScheme
from rest2mcp.runtime.display import printable
from rest2mcp.runtime.environment import SETTINGS, setting

# Parts of a credential that identify rather than authenticate: shown in clear, never masked.
_NOT_SECRET_SUFFIXES = ("_USERNAME", "_CLIENT_ID")
# Variables that get a token another way (OAuth client credentials or a refresh token) instead of
# the scheme's token: listed everywhere, but a client snippet names them only when the scheme has
# nothing else.
_OTHER_WAY_SUFFIXES = ("_CLIENT_ID", "_CLIENT_SECRET", "_REFRESH_TOKEN")


@dataclass(frozen=True)
class Variable:
    name: str
    help: str  # one plain-text line: what to put there
    secret: bool
    scheme: str | None = None  # the security scheme it belongs to; None: a server setting
    required: bool = False  # the server cannot do its work without it (the base URL when the document has none)


def credential_help(scheme: SecurityScheme, variable: str) -> str:
    """What `variable` of `scheme` holds, in one line of words (plain text: Markdown callers escape it)."""
    return " ".join(printable(_help(scheme, variable)).split())


def _help(scheme: SecurityScheme, variable: str) -> str:
    part = scheme.env.index(variable) if variable in scheme.env else 0
    if scheme.kind == "apiKey":
        return f"API key {scheme.key}, sent in the {scheme.location} {scheme.param}"
    if scheme.kind == "basic":
        return f"{'user name' if part == 0 else 'password'} for {scheme.key} (HTTP basic authentication)"
    if scheme.kind == "bearer" and len(scheme.env) == 1:
        return f"access token for {scheme.key}, sent as Authorization: Bearer <token>"
    words = variable.rsplit("_", 2)
    return f"{' '.join(w.lower() for w in words[-2:] if w)} for {scheme.key}"


def is_secret(variable: str) -> bool:
    return not variable.endswith(_NOT_SECRET_SUFFIXES)


def scheme_needs(scheme: SecurityScheme) -> tuple[str, ...]:
    """The variables of `scheme` that one must set to use it (all, but for other ways to get a token)."""
    main = tuple(var for var in scheme.env if not var.endswith(_OTHER_WAY_SUFFIXES))
    return main or scheme.env


# An OAuth scheme's variables for fetching a token (runtime/oauth.py): role -> (what it holds, secret).
_OAUTH_ROLES = {
    "clientId": ("client ID for {key}: with the secret, the server fetches its own token (client credentials)", False),
    "clientSecret": ("client secret for {key} (with the client ID)", True),
    "refreshToken": ("refresh token for {key}: with the client ID, fetch tokens with it instead", True),
    "tokenUrl": ("token endpoint for {key}, instead of the document's", False),
    "scopes": ("scopes to ask for {key}, space- or comma-separated", False),
    "authMethod": ("how the client authenticates to {key}'s token endpoint: client_secret_basic or client_secret_post",
                   False),
}


# The same where the document declares no client credentials flow, only flows in which a user signs
# in (authorizationCode, password): such a token endpoint gives tokens to a refresh token, and seldom
# to the client alone.
_USER_FLOW_ROLES = {
    **_OAUTH_ROLES,
    "clientId": ("client ID for {key}: with a refresh token, the server fetches its own access tokens", False),
    "clientSecret": ("client secret for {key}, when its token endpoint asks for one", True),
    "refreshToken": (("refresh token for {key} (from a user's sign-in, the document's {flow} flow): with the "
                      "client ID, the server fetches access tokens with it"), True),
}


def scheme_variables(scheme: SecurityScheme) -> list[tuple[str, str, bool]]:
    """Every variable of `scheme`: (name, what it holds, secret). Its `env` (key, token, user name
    and password), then the variables of other ways to a token (OAuth client credentials)."""
    found = [(var, credential_help(scheme, var), is_secret(var)) for var in scheme.env]
    oauth = scheme.oauth or {}
    oauth_env = oauth.get("env") or {}
    flow = oauth.get("flow")
    roles = _USER_FLOW_ROLES if flow in ("authorizationCode", "password") else _OAUTH_ROLES
    for role, (words, secret) in roles.items():
        if isinstance(oauth_env.get(role), str):
            found.append((oauth_env[role], " ".join(printable(words.format(key=scheme.key, flow=flow)).split()), secret))
    return found


def credentials(api: Api) -> list[Variable]:
    """Every credential variable of the schemes the tools use, in the document's order; `required`:
    part of the recommended choice."""
    chosen = {scheme.key for scheme in recommended(api)}
    return [Variable(var, words, secret, scheme.key, scheme.key in chosen and var in scheme_needs(scheme))
            for scheme in api.used_schemes() for var, words, secret in scheme_variables(scheme)]


def settings(api: Api) -> list[Variable]:
    """The server's own settings (README's configuration table lists the same names)."""
    secret = {"AUTH_TOKENS", "REQUEST_STATE_KEY"}
    base = "the API's base URL" + (" (required: the document gives none)" if not api.base_url else "")
    return [Variable(setting(api.env_prefix, name), base if name == "BASE_URL" else f"see README.md ({name.lower()})",
                     name in secret, None, name == "BASE_URL" and not api.base_url)
            for name in SETTINGS]


def recommended(api: Api) -> list[SecurityScheme]:
    """One choice of credentials that lets every tool call the API: for each tool whose alternatives
    the choice does not yet satisfy, the alternative that adds the fewest schemes, then the fewest
    variables (a token before a user name and password), then the first in the document's order.
    Tools that also accept anonymous calls need nothing."""
    chosen: list[str] = []
    # Each distinct set of alternatives once, in the order tools first have it: a tool with the same
    # alternatives as an earlier one is satisfied by then (APIs of thousands of tools have a handful).
    for security in dict.fromkeys(tool.security for tool in api.tools):
        alternatives = list(security)
        if not alternatives or () in alternatives or any(set(alt) <= set(chosen) for alt in alternatives):
            continue
        best = min(alternatives, key=lambda alternative: _cost(api, alternative, chosen))
        chosen += [key for key in best if key not in chosen]
    return [scheme for key, scheme in api.schemes.items() if key in chosen]


def _cost(api: Api, alternative: tuple[str, ...], chosen: list[str]) -> tuple[int, int]:
    """What choosing `alternative` adds: schemes, then variables."""
    new = [key for key in alternative if key not in chosen]
    return len(new), sum(len(scheme_needs(api.schemes[key])) for key in new)


def alternatives(api: Api) -> list[tuple[str, ...]]:
    """The variables of each scheme the recommended choice leaves out (another way to authenticate)."""
    chosen = {scheme.key for scheme in recommended(api)}
    return [scheme_needs(scheme) for scheme in api.used_schemes() if scheme.key not in chosen]


def needed(api: Api) -> list[Variable]:
    """What a client configuration must set: the base URL when the document has none, then the
    recommended credentials."""
    base = [v for v in settings(api) if v.required]
    return base + [v for v in credentials(api) if v.required]
