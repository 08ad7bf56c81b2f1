# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Access tokens the server fetches itself for oauth2 and openIdConnect schemes.

When a scheme's static token (`<PREFIX>_<SCHEME>_TOKEN`) is not set but its client id and client
secret are (or a client id and a refresh token), the server asks the token endpoint for a token:
the client credentials grant, or the refresh token grant. The endpoint is `..._TOKEN_URL`, else the
document's `tokenUrl` (relative ones against the base URL), else the `token_endpoint` of the
scheme's OpenID Connect discovery document. The client authenticates with HTTP basic
(`client_secret_basic`, the method every server must accept) unless `..._TOKEN_AUTH_METHOD` says
`client_secret_post` or the discovery document lists only that one.

A token is kept until shortly before it expires and shared by every call: one fetch at a time per
scheme (a lock), so concurrent calls wait for one fetch instead of each making its own. A 401 from
the API drops the token it was sent with (`renew`); the caller then retries once.

The protocol itself is authlib's (`AsyncOAuth2Client`), imported on the first fetch.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from .catalog import OAuthPlan, SchemePlan, ToolPlan
from .credentials import CallerCredentials, redact
from .errors import ToolError

if TYPE_CHECKING:
    import anyio

AUTH_METHODS = ("client_secret_basic", "client_secret_post")
EARLY = 60.0  # seconds before its expiry a token is fetched again (at most a tenth of its lifetime)


@dataclass
class Token:
    value: str
    expires: float | None  # time.monotonic() after which it is not used; None: until the API refuses it

    def fresh(self) -> bool:
        return self.expires is None or time.monotonic() < self.expires


class TokenSource:
    """The fetched tokens of one server, by scheme key."""

    def __init__(self, schemes: Mapping[str, SchemePlan], base_url: str, timeout: float, user_agent: str):
        self.schemes = schemes
        self.base_url = base_url
        self.timeout = timeout
        self.user_agent = user_agent
        self._tokens: dict[str, Token] = {}
        self._locks: dict[str, anyio.Lock] = {}
        self._refresh: dict[str, str] = {}  # a refresh token the server rotated
        self._endpoints: dict[str, tuple[str, str | None]] = {}  # discovered: token URL, preferred method
        # Whether any scheme may ever have its token fetched: without one, `tokens_for` is always {}.
        self.may_fetch = any(scheme.get("oauth") is not None for scheme in schemes.values())

    def secrets(self) -> list[str]:
        """The fetched tokens and rotated refresh tokens, to mask like the environment's secrets."""
        return [t.value for t in self._tokens.values()] + list(self._refresh.values())

    def fetchable(self, key: str, environ: Mapping[str, str]) -> bool:
        """Whether the server may fetch a token for scheme `key`: no static one, a client to ask with."""
        scheme = self.schemes[key]
        oauth = scheme.get("oauth")
        variable = scheme["env"][0]
        if oauth is None or environ.get(variable):
            return False
        if isinstance(environ, CallerCredentials) and variable in environ.sources:
            return False  # each caller brings its own token
        env = oauth["env"]
        return bool(environ.get(env["clientId"]) and (environ.get(env["clientSecret"])
                                                       or environ.get(env["refreshToken"])))

    async def tokens_for(self, plan: ToolPlan, environ: Mapping[str, str]) -> dict[str, str]:
        """Token variable -> fetched token, for the first alternative of the operation's security
        that the environment (static credentials) and fetchable schemes can satisfy."""
        for alternative in plan.get("security") or []:
            fetch = [key for key in alternative if self.fetchable(key, environ)]
            if all(key in fetch or _is_set(self.schemes[key], environ) for key in alternative):
                return {self.schemes[key]["env"][0]: await self.token(key, environ) for key in fetch}
        return {}

    async def token(self, key: str, environ: Mapping[str, str], stale: str | None = None) -> str:
        """Scheme `key`'s token: the kept one while fresh (and not `stale`), else a new one."""
        import anyio

        lock = self._locks.setdefault(key, anyio.Lock())
        async with lock:
            kept = self._tokens.get(key)
            if kept is not None and kept.fresh() and kept.value != stale:
                return kept.value
            self._tokens.pop(key, None)
            token = await self._fetch(key, environ)
            self._tokens[key] = token
            return token.value

    async def renew(self, used: Mapping[str, str], environ: Mapping[str, str]) -> dict[str, str]:
        """New tokens instead of `used` (variable -> token), which the API refused."""
        keys = {self.schemes[key]["env"][0]: key for key in self.schemes}
        return {variable: await self.token(keys[variable], environ, stale=value) for variable, value in used.items()}

    async def _fetch(self, key: str, environ: Mapping[str, str]) -> Token:
        import httpx
        from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError  # type: ignore[import-untyped]

        oauth = self.schemes[key].get("oauth")
        assert oauth is not None
        env = oauth["env"]
        client_id, secret = environ.get(env["clientId"]), environ.get(env["clientSecret"]) or None
        refresh = self._refresh.get(key) or environ.get(env["refreshToken"]) or None
        url, method = await self._endpoint(key, oauth, environ)
        scopes = environ.get(env["scopes"])
        scope = " ".join(scopes.replace(",", " ").split()) if scopes is not None else " ".join(oauth.get("scopes", []))
        hidden = [s for s in (secret, refresh) if s]
        where = f"the token endpoint {url} of {key}"
        try:
            async with AsyncOAuth2Client(client_id, secret, token_endpoint_auth_method=method if secret else "none",
                                         scope=scope or None, timeout=self.timeout, follow_redirects=False,
                                         headers={"User-Agent": self.user_agent}) as client:
                client.register_compliance_hook("access_token_response", _refused)
                client.register_compliance_hook("refresh_token_response", _refused)
                if refresh:
                    answer = await client.refresh_token(self._refresh_url(oauth, environ) or url, refresh_token=refresh)
                else:
                    answer = await client.fetch_token(url, grant_type="client_credentials")
        except OAuthError as exc:
            detail = f"{exc.error}" + (f": {exc.description}" if exc.description else "")
            raise ToolError(redact(f"{where} refused to give an access token ({detail}). Check "
                                   f"{_set_by(oauth, refresh is not None)}.", hidden)) from None
        except TokenRefused as exc:
            raise ToolError(redact(f"{where} answered {exc}. Check {_set_by(oauth, refresh is not None)}.",
                                   hidden)) from None
        except (httpx.HTTPError, ValueError) as exc:
            raise ToolError(redact(f"Could not get an access token from {where}: {type(exc).__name__}: {exc}",
                                   hidden)) from None
        value = answer.get("access_token")
        if not isinstance(value, str) or not value:
            raise ToolError(f"{where} answered without an access token.")
        if isinstance(answer.get("refresh_token"), str) and answer["refresh_token"] != refresh:
            self._refresh[key] = answer["refresh_token"]  # rotated: the old one may no longer work
        return Token(value, _expiry(answer.get("expires_in")))

    def _refresh_url(self, oauth: OAuthPlan, environ: Mapping[str, str]) -> str | None:
        """The document's `refreshUrl`, unless the operator set the token URL."""
        if environ.get(oauth["env"]["tokenUrl"]) or "refreshUrl" not in oauth:
            return None
        return urljoin(self.base_url, oauth["refreshUrl"])

    async def _endpoint(self, key: str, oauth: OAuthPlan, environ: Mapping[str, str]) -> tuple[str, str]:
        """The token URL and the client authentication method to use for scheme `key`."""
        env = oauth["env"]
        chosen = (environ.get(env["authMethod"]) or "").strip().lower() or None
        if chosen is not None and chosen not in AUTH_METHODS:
            raise ToolError(f"{env['authMethod']} must be one of {', '.join(AUTH_METHODS)}, not {chosen!r}.")
        url = environ.get(env["tokenUrl"]) or oauth.get("tokenUrl")
        preferred = None
        if not url and "discoveryUrl" in oauth:
            url, preferred = await self._discover(key, urljoin(self.base_url, oauth["discoveryUrl"]))
        if not url:
            raise ToolError(f"The API's document names no token endpoint for {key}: set {env['tokenUrl']} to its URL.")
        return urljoin(self.base_url, url), chosen or preferred or AUTH_METHODS[0]

    async def _discover(self, key: str, discovery: str) -> tuple[str, str | None]:
        """The token endpoint of an OpenID Connect provider, and `client_secret_post` if it takes only that."""
        import httpx

        if key not in self._endpoints:
            try:
                async with httpx.AsyncClient(timeout=self.timeout, headers={"User-Agent": self.user_agent}) as client:
                    response = await client.get(discovery)
                response.raise_for_status()
                metadata: Any = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise ToolError(f"Could not read the OpenID Connect discovery document {discovery} of {key}: "
                                f"{type(exc).__name__}: {exc}") from None
            endpoint = metadata.get("token_endpoint") if isinstance(metadata, dict) else None
            if not isinstance(endpoint, str) or not endpoint:
                raise ToolError(f"The OpenID Connect discovery document {discovery} of {key} names no token_endpoint.")
            methods = metadata.get("token_endpoint_auth_methods_supported")
            only_post = isinstance(methods, list) and "client_secret_post" in methods and "client_secret_basic" not in methods
            self._endpoints[key] = (endpoint, "client_secret_post" if only_post else None)
        return self._endpoints[key]


class TokenRefused(Exception):
    """The token endpoint answered an HTTP error without an OAuth error in its body."""


def _refused(response: Any) -> Any:
    """authlib's compliance hook: an error status whose body names no OAuth `error` is refused here,
    with its status (authlib would otherwise read such a body as a token)."""
    if response.status_code >= 400:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not (isinstance(body, dict) and "error" in body):
            raise TokenRefused(f"HTTP {response.status_code}")
    return response


def _expiry(expires_in: Any) -> float | None:
    try:
        lifetime = float(expires_in)
    except (TypeError, ValueError):
        return None
    return time.monotonic() + lifetime - min(EARLY, lifetime / 10)


def _is_set(scheme: SchemePlan, environ: Mapping[str, str]) -> bool:
    """The rule of `credentials_for`: every variable defined, the first one not empty."""
    found = [environ.get(var) for var in scheme["env"]]
    return bool(found[0]) and all(v is not None for v in found)


def _set_by(oauth: OAuthPlan, refreshing: bool) -> str:
    """What to check when the token endpoint refused: the variables the request was made from."""
    env = oauth["env"]
    if refreshing:
        return f"{env['clientId']} and {env['refreshToken']}"
    checked = f"{env['clientId']} and {env['clientSecret']}"
    flow = oauth.get("flow")
    if flow is not None and flow != "clientCredentials":
        # Asked with the client credentials grant, which the document does not list for this scheme.
        checked += (f"; the API describes this scheme with the {flow} flow only, whose server may not "
                    f"give tokens for client credentials: set {env['refreshToken']} (a refresh token from "
                    "a user's sign-in) instead")
    return checked
