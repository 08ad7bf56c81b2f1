"""Security schemes to credentials read from the environment, and operations' requirements.

Secrets never pass through the generator: it only names the environment variables the
generated server reads them from, by the runtime's own rule (`runtime/environment.py`):
apiKey -> <PREFIX>_<SCHEME>; http bearer, oauth2, openIdConnect -> <PREFIX>_<SCHEME>_TOKEN (an
access token the user obtains); http basic -> <PREFIX>_<SCHEME>_USERNAME and _PASSWORD.
oauth2 and openIdConnect schemes also get <PREFIX>_<SCHEME>_CLIENT_ID, _CLIENT_SECRET, _REFRESH_TOKEN,
_TOKEN_URL, _SCOPES and _TOKEN_AUTH_METHOD, with which the server fetches its own token when no
static one is set; the plan carries the document's token URL (or OpenID Connect discovery URL) and
the scopes the operations require.
"""

from __future__ import annotations

from typing import Any

from rest2mcp.diagnostics import Diagnostics, pointer_join
from rest2mcp.document.refs import Resolver, UnresolvableRef
from rest2mcp.mapping.ir import SecurityScheme
from rest2mcp.runtime.environment import credential_variables, oauth_variables, reserved


def map_schemes(document: dict[str, Any], resolver: Resolver, prefix: str, diagnostics: Diagnostics) -> dict[str, SecurityScheme]:
    components = document.get("components")
    raw = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(raw, dict):
        return {}
    schemes: dict[str, SecurityScheme] = {}
    taken = reserved(prefix)  # the server's own settings
    for key, value in raw.items():
        pointer = pointer_join("components", "securitySchemes", key)
        try:
            scheme = resolver.deref(value)
        except UnresolvableRef as exc:
            diagnostics.warning("W320", str(exc), pointer)
            continue
        if not isinstance(scheme, dict):
            continue
        mapped = _map_scheme(key, scheme, pointer, diagnostics)
        if mapped is None:
            continue
        env = credential_variables(prefix, key, mapped.kind, taken)
        oauth = _oauth_plan(key, scheme, document, resolver, prefix, taken) if scheme.get("type") in (
            "oauth2", "openIdConnect") else None
        schemes[key] = SecurityScheme(mapped.key, mapped.kind, env, mapped.location, mapped.param, mapped.description,
                                      oauth)
    return schemes


# The flows whose token endpoint a server can use on its own, in the order they are preferred.
_TOKEN_FLOWS = ("clientCredentials", "authorizationCode", "password")


def _oauth_plan(key: str, scheme: dict[str, Any], document: dict[str, Any], resolver: Resolver, prefix: str,
                taken: set[str]) -> dict[str, Any]:
    plan: dict[str, Any] = {"env": oauth_variables(prefix, key, taken)}
    flows = scheme.get("flows")
    for name in _TOKEN_FLOWS:
        flow = flows.get(name) if isinstance(flows, dict) else None
        if isinstance(flow, dict) and isinstance(flow.get("tokenUrl"), str) and flow["tokenUrl"]:
            plan["tokenUrl"], plan["flow"] = flow["tokenUrl"], name
            if isinstance(flow.get("refreshUrl"), str) and flow["refreshUrl"]:
                plan["refreshUrl"] = flow["refreshUrl"]
            break
    discovery = scheme.get("openIdConnectUrl")
    if isinstance(discovery, str) and discovery:
        plan["discoveryUrl"] = discovery
    scopes = _required_scopes(key, document, resolver)
    if scopes:
        plan["scopes"] = scopes
    return plan


def _required_scopes(key: str, document: dict[str, Any], resolver: Resolver) -> list[str]:
    """Every scope the document's requirements name for scheme `key`, in the order first named."""
    requirements: list[Any] = [document.get("security")]
    paths = document.get("paths")
    for item in paths.values() if isinstance(paths, dict) else ():
        try:
            item = resolver.deref(item)
        except UnresolvableRef:
            continue
        if isinstance(item, dict):
            requirements.extend(op.get("security") for op in item.values() if isinstance(op, dict))
    scopes: dict[str, None] = {}
    for raw in requirements:
        for requirement in raw if isinstance(raw, list) else ():
            named = requirement.get(key) if isinstance(requirement, dict) else None
            if isinstance(named, list):
                scopes.update((s, None) for s in named if isinstance(s, str) and s)
    return list(scopes)


def _map_scheme(key: str, scheme: dict[str, Any], pointer: str, diagnostics: Diagnostics) -> SecurityScheme | None:
    """The scheme's kind and where its credential goes; its variables are named by the caller."""
    kind = scheme.get("type")
    description = scheme.get("description")
    description = description if isinstance(description, str) else ""
    if kind == "apiKey":
        location = scheme.get("in")
        name = scheme.get("name")
        if location not in ("header", "query", "cookie") or not isinstance(name, str) or not name:
            diagnostics.warning("W321", "apiKey scheme needs 'in' (header, query, cookie) and 'name'", pointer)
            return None
        return SecurityScheme(key, "apiKey", (), location, name, description)
    if kind == "http":
        http_scheme = str(scheme.get("scheme", "")).lower()
        if http_scheme == "bearer":
            return SecurityScheme(key, "bearer", (), description=description)
        if http_scheme == "basic":
            return SecurityScheme(key, "basic", (), description=description)
        diagnostics.warning(
            "W322", f"HTTP authentication scheme {http_scheme!r} is not supported; operations that need it will report so",
            pointer,
        )
        return None
    if kind in ("oauth2", "openIdConnect"):
        return SecurityScheme(key, "bearer", (), description=description or f"{kind} access token")
    diagnostics.warning("W322", f"security scheme type {kind!r} is not supported", pointer)
    return None


def requirements(
    operation: dict[str, Any], document: dict[str, Any], schemes: dict[str, SecurityScheme],
    pointer: str, diagnostics: Diagnostics,
) -> tuple[tuple[str, ...], ...]:
    """The operation's alternatives, each a tuple of scheme keys; () in the result = no auth needed.

    Alternatives naming an unsupported or unknown scheme are dropped; when nothing remains,
    the operation is called without credentials and a warning says so.
    """
    raw = operation.get("security", document.get("security"))
    if not isinstance(raw, list) or not raw:
        return ()
    alternatives: list[tuple[str, ...]] = []
    dropped: set[str] = set()
    for requirement in raw:
        if not isinstance(requirement, dict):
            continue
        keys = tuple(requirement)
        missing = [k for k in keys if k not in schemes]
        if missing:
            dropped.update(missing)
            continue
        if keys not in alternatives:
            alternatives.append(keys)
    if not alternatives and dropped:
        diagnostics.warning(
            "W323",
            f"no supported security scheme for this operation ({', '.join(sorted(dropped))}); it is called without credentials",
            pointer + "/security" if "security" in operation else "/security",
        )
    return tuple(alternatives)
