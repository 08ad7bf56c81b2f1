# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Credentials toward the API: read from the environment, applied to a request, masked in results.

Which variables hold a scheme's secret is decided at generation (see `environment.py`) and recorded
in the catalog's schemes; nothing here invents a variable name.

Masking replaces only secrets (keys, tokens, passwords, client secrets, refresh tokens) of at least
MIN_SECRET_LENGTH characters: a user name or a client id is no secret, and a value that short would
turn up by chance in results (`admin` in `/api/v1/admin/users/administrator`) and corrupt them.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .catalog import SchemePlan, ToolPlan
from .context import request_context
from .environment import placeholder
from .errors import ToolError

MIN_SECRET_LENGTH = 8
# The variables of an oauth scheme that hold secrets (the others: client id, token URL, scopes, method).
OAUTH_SECRETS = ("clientSecret", "refreshToken")


class CallerCredentials(Mapping[str, str]):
    """The environment, except the variables the operator chose to take from each caller: a header
    of the caller's MCP request, or a claim of its validated OAuth token (`--user-credential`).
    Read afresh on every call, never kept: one caller's credential is never another's."""

    def __init__(self, environ: Mapping[str, str], sources: Mapping[str, tuple[str, str]]):
        self.environ = environ
        self.sources = dict(sources)

    def __getitem__(self, variable: str) -> str:
        if variable not in self.sources:
            return self.environ[variable]
        kind, name = self.sources[variable]
        value = _from_caller(kind, name)
        if value is None:
            raise KeyError(variable)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.environ)

    def __len__(self) -> int:
        return len(self.environ)

    def describe(self, variable: str) -> str:
        """Where a caller gives this variable's value, for the missing-credential message."""
        if variable not in self.sources:
            return variable
        kind, name = self.sources[variable]
        return f"the {name} header of the MCP request" if kind == "header" else f"the {name} claim of the token"


def _from_caller(kind: str, name: str) -> str | None:
    if kind == "header":
        request = getattr(request_context(), "request", None)
        headers = getattr(request, "headers", None)
        value = headers.get(name) if headers is not None else None
        return value if isinstance(value, str) and value else None
    from mcp.server.auth.middleware.auth_context import get_access_token

    token = get_access_token()
    claim = (token.claims or {}).get(name) if token is not None else None
    return claim if isinstance(claim, str) and claim else None


class WithTokens(Mapping[str, str]):
    """`environ` with access tokens the server fetched (variable -> token) where it has none."""

    def __init__(self, environ: Mapping[str, str], tokens: Mapping[str, str]):
        self.environ, self.tokens = environ, tokens

    def __getitem__(self, variable: str) -> str:
        value = self.environ.get(variable)
        if value:
            return value
        return self.tokens[variable] if variable in self.tokens else self.environ[variable]

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self.environ), **dict.fromkeys(self.tokens)})

    def __len__(self) -> int:
        return len(set(self.environ) | set(self.tokens))


def with_tokens(environ: Mapping[str, str], tokens: Mapping[str, str]) -> Mapping[str, str]:
    """`environ` completed with fetched tokens; a static token in it still wins."""
    if not tokens:
        return environ
    if isinstance(environ, CallerCredentials):
        return CallerCredentials(WithTokens(environ.environ, tokens), environ.sources)
    return WithTokens(environ, tokens)


def secret_variables(scheme: SchemePlan) -> list[str]:
    """The scheme's variables that hold secrets: not a basic user name, not an OAuth client id."""
    found = scheme["env"][1:] if scheme["kind"] == "basic" else list(scheme["env"])
    oauth = scheme.get("oauth")
    if oauth is not None:
        found.extend(oauth["env"][role] for role in OAUTH_SECRETS if role in oauth["env"])
    return found


def secret_values(schemes: Mapping[str, SchemePlan], environ: Mapping[str, str]) -> list[str]:
    """Every secret this server holds long enough to be masked, the longest first."""
    values = {environ[v] for scheme in schemes.values() for v in secret_variables(scheme) if environ.get(v)}
    return sorted((v for v in values if len(v) >= MIN_SECRET_LENGTH), key=len, reverse=True)


def short_secrets(schemes: Mapping[str, SchemePlan], environ: Mapping[str, str]) -> list[str]:
    """The variables whose secret is too short to be masked (a warning at start says so)."""
    return sorted({v for scheme in schemes.values() for v in secret_variables(scheme)
                   if 0 < len(environ.get(v) or "") < MIN_SECRET_LENGTH})


def needed(scheme: SchemePlan, describe: Any = str) -> str:
    """What to set for one scheme, for the missing-credential message."""
    names = " and ".join(describe(var) for var in scheme["env"])
    oauth = scheme.get("oauth")
    if oauth is None:
        return names
    env = oauth["env"]
    with_secret, with_refresh = f"{env['clientId']} and {env['clientSecret']}", f"{env['clientId']} and {env['refreshToken']}"
    # a flow in which a user signs in gives tokens to a refresh token; its endpoint seldom serves the client alone
    ways = (with_refresh, with_secret) if oauth.get("flow") in ("authorizationCode", "password") else (with_secret, with_refresh)
    return f"{names} (or {ways[0]}, or {ways[1]}, for the server to fetch its own token)"


@dataclass
class Applied:
    """What the chosen credentials add to a request, and the secrets to mask in its result."""

    headers: dict[str, str] = field(default_factory=dict)
    query: list[str] = field(default_factory=list)  # encoded `k=v` pieces
    cookies: list[str] = field(default_factory=list)  # `k=v` pieces
    secrets: list[str] = field(default_factory=list)


def credentials_for(plan: ToolPlan, schemes: Mapping[str, SchemePlan], environ: Mapping[str, str]) -> Applied:
    """The first alternative of the operation's security whose variables are all set, applied.

    A scheme is set when every variable is defined and the first (key, token or user name) is
    not empty; a value that is still the placeholder `<VARIABLE>` of the README's snippets counts as unset. Raises ToolError naming the variables when no alternative is set.
    """
    alternatives = plan.get("security")
    if not alternatives:
        return Applied()
    for alternative in alternatives:
        chosen: list[tuple[SchemePlan, list[str]]] = []
        for key in alternative:
            scheme = schemes[key]
            found = [_given(environ, var) for var in scheme["env"]]
            if not found[0] or any(v is None for v in found):
                break
            chosen.append((scheme, [v for v in found if v is not None]))
        else:
            applied = Applied()
            for scheme, values in chosen:
                _apply(scheme, values, applied)
            return applied
    if isinstance(environ, CallerCredentials) and any(
            var in environ.sources for alternative in alternatives for key in alternative for var in schemes[key]["env"]):
        wanted = " or ".join(" and ".join(needed(schemes[key], environ.describe) for key in alternative)
                             for alternative in alternatives if alternative)
        raise ToolError(f"This operation needs credentials that this call did not bring: send {wanted}.")
    wanted = " or ".join(
        " and ".join(needed(schemes[key]) for key in alternative) for alternative in alternatives if alternative
    )
    raise ToolError(
        f"This operation needs credentials that are not set: set the environment variable {wanted} "
        "in the MCP server's configuration, then restart it."
    )


def _given(environ: Mapping[str, str], variable: str) -> str | None:
    """The variable's value; None while it still holds the README snippets' placeholder `<VARIABLE>`,
    which would otherwise be sent to the API as the credential."""
    value = environ.get(variable)
    return None if value == placeholder(variable) else value


def _apply(scheme: SchemePlan, values: list[str], applied: Applied) -> None:
    kind = scheme["kind"]
    # A user name is no secret: masked, it would corrupt every result that contains it.
    applied.secrets.extend(v for v in (values[1:] if kind == "basic" else values) if len(v) >= MIN_SECRET_LENGTH)
    if kind == "apiKey":
        name, location = scheme.get("name", ""), scheme.get("in")
        if location == "header":
            applied.headers[name] = values[0]
        elif location == "query":
            applied.query.append(f"{quote(name, safe='[]')}={quote(values[0], safe='')}")
        else:
            applied.cookies.append(f"{name}={values[0]}")
    elif kind == "bearer":
        applied.headers["Authorization"] = f"Bearer {values[0]}"
    elif kind == "basic":
        token = base64.b64encode(f"{values[0]}:{values[1]}".encode()).decode()
        applied.headers["Authorization"] = f"Basic {token}"
        applied.secrets.extend([token] if len(token) >= MIN_SECRET_LENGTH else [])


def redact(text: str, secrets: list[str]) -> str:
    """`text` with each secret (of MIN_SECRET_LENGTH characters or more), as is and percent-encoded, as `***`."""
    # Longest first: a shorter secret must not unmask part of a longer one.
    for secret in sorted((s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH), key=len, reverse=True):
        text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
    return text


def redact_value(value: Any, secrets: list[str]) -> Any:
    """A JSON value with every secret masked in its strings."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {k: redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v, secrets) for v in value]
    return value
