# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Serving over HTTP to a network: authentication, Host and Origin checks, health, workers.

Safe by default: the server refuses to listen beyond the loopback interface unless callers must
authenticate (static tokens or OAuth), or the operator says a gateway in front does
(`--allow-unauthenticated`). Host and Origin headers are checked on every bind (DNS rebinding),
against the loopback names plus the public names given with `--allowed-hosts` and
`--allowed-origins`. `/healthz` and `/readyz` answer without a token; `/readyz` says whether the
tools can be served without first loading the catalog (see `Readiness`).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .catalog import IndexData
from .environment import setting
from .options import OptionError, switch

if TYPE_CHECKING:
    from mcp.server import Server
    from starlette.applications import Starlette

LOOPBACK = ("127.0.0.1", "localhost", "::1")
_LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
_LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
PATH = "/mcp"


def add_http_arguments(parser: argparse.ArgumentParser, prefix: str) -> None:
    group = parser.add_argument_group("HTTP transport (--transport http)")
    group.add_argument("--auth-token", action="append", default=None, metavar="TOKEN",
                       help=f"a bearer token callers must send (repeatable, for rotation; sha256:<hex> gives its "
                            f"SHA-256 instead; or {setting(prefix, 'AUTH_TOKENS')}, comma-separated)")
    group.add_argument("--oauth-issuer", default=None, metavar="URL",
                       help=f"accept OAuth access tokens (JWT) of this authorization server, compared exactly "
                            f"(or {setting(prefix, 'OAUTH_ISSUER')})")
    group.add_argument("--jwks-url", default=None, metavar="URL",
                       help=f"the issuer's signing keys (default: from its metadata; or {setting(prefix, 'JWKS_URL')})")
    group.add_argument("--audience", default=None, metavar="URL",
                       help=f"this server's resource URL, the audience tokens must name (default "
                            f"http://HOST:PORT/mcp; or {setting(prefix, 'AUDIENCE')})")
    group.add_argument("--required-scope", action="append", default=None, metavar="SCOPE",
                       help=f"a scope every OAuth token must carry (repeatable; or "
                            f"{setting(prefix, 'REQUIRED_SCOPES')}, comma-separated)")
    group.add_argument("--allow-unauthenticated", action="store_true", default=None,
                       help=f"listen beyond loopback without authentication, for a gateway that authenticates "
                            f"in front (or {setting(prefix, 'ALLOW_UNAUTHENTICATED')}=true)")
    group.add_argument("--allowed-hosts", default=None, metavar="HOSTS",
                       help=f"Host headers accepted besides the loopback names, comma-separated, e.g. "
                            f"mcp.example.com or mcp.example.com:* (or {setting(prefix, 'HTTP_ALLOWED_HOSTS')})")
    group.add_argument("--allowed-origins", default=None, metavar="ORIGINS",
                       help=f"browser Origin headers accepted besides the loopback ones, comma-separated "
                            f"(or {setting(prefix, 'HTTP_ALLOWED_ORIGINS')})")
    group.add_argument("--workers", type=int, default=None,
                       help=f"worker processes serving the port (or {setting(prefix, 'WORKERS')}; default 1)")
    group.add_argument("--toolset-scope", action="append", default=None, metavar="TOOLSET=SCOPE",
                       help=f"only OAuth callers whose token has SCOPE see and call the tools of TOOLSET "
                            f"(repeatable; or {setting(prefix, 'TOOLSET_SCOPES')}, comma-separated)")
    group.add_argument("--user-credential", action="append", default=None, metavar="VARIABLE=header:NAME",
                       help=f"take an API credential from each caller's request instead of the environment: "
                            f"VARIABLE=header:NAME (a header of the MCP request) or VARIABLE=claim:NAME (a claim "
                            f"of the caller's OAuth token); repeatable (or {setting(prefix, 'USER_CREDENTIALS')})")


@dataclass(frozen=True)
class HttpOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    sessions: bool = False
    tokens: tuple[str, ...] = ()
    issuer: str | None = None
    jwks_url: str | None = None
    audience: str = ""
    scopes: tuple[str, ...] = ()
    allow_unauthenticated: bool = False
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    workers: int = 1
    user_credentials: dict[str, tuple[str, str]] = field(default_factory=dict)  # variable -> (header|claim, name)
    toolset_scopes: dict[str, str] = field(default_factory=dict)  # toolset -> the OAuth scope that shows it

    @property
    def authenticated(self) -> bool:
        return bool(self.tokens or self.issuer)


def _listed(given: list[str] | str | None, environ: Mapping[str, str], variable: str) -> tuple[str, ...]:
    raw = given if given is not None else environ.get(variable, "")
    items = raw if isinstance(raw, list) else [raw]
    return tuple(part.strip() for item in items for part in item.split(",") if part.strip())


def http_options_from(args: argparse.Namespace, index: IndexData,
                      environ: Mapping[str, str] = os.environ) -> HttpOptions:
    """The HTTP settings, checked: raises OptionError with what to change."""
    prefix = index["envPrefix"]
    tokens = _listed(args.auth_token, environ, setting(prefix, "AUTH_TOKENS"))
    for token in tokens:
        if token.startswith("sha256:") and len(token) != 71 or len(token) < 16:
            raise OptionError("an auth token must be at least 16 characters (or sha256: and 64 hex digits): "
                              "make one with `python -c 'import secrets; print(secrets.token_urlsafe(32))'`")
        if token.startswith("sha256:"):
            try:
                bytes.fromhex(token[7:])
            except ValueError:
                raise OptionError("an auth token given as sha256: must be followed by 64 hex digits") from None
    issuer = args.oauth_issuer or environ.get(setting(prefix, "OAUTH_ISSUER")) or None
    jwks_url = args.jwks_url or environ.get(setting(prefix, "JWKS_URL")) or None
    for name, url in (("--oauth-issuer", issuer), ("--jwks-url", jwks_url)):
        if url is not None and not url.startswith(("https://", "http://")):
            raise OptionError(f"{name} must be an http(s) URL, not {url!r}")
    if jwks_url and not issuer:
        raise OptionError("--jwks-url needs --oauth-issuer (the issuer the tokens must name)")
    display_host = f"[{args.host}]" if ":" in args.host else args.host
    audience = args.audience or environ.get(setting(prefix, "AUDIENCE")) or f"http://{display_host}:{args.port}{PATH}"
    allow = switch(args.allow_unauthenticated, index, environ, "ALLOW_UNAUTHENTICATED", False)
    workers_raw = args.workers if args.workers is not None else (environ.get(setting(prefix, "WORKERS")) or "1")
    try:
        workers = int(workers_raw)
    except ValueError:
        raise OptionError(f"{setting(prefix, 'WORKERS')} must be a number of processes, not {workers_raw!r}") from None
    if workers < 1:
        raise OptionError("--workers must be at least 1")
    if workers > 1 and args.http_sessions:
        raise OptionError("--workers and --http-sessions do not go together: a session lives in one process "
                          "(run one process per client group, or drop --http-sessions)")
    user_credentials: dict[str, tuple[str, str]] = {}
    for entry in _listed(args.user_credential, environ, setting(prefix, "USER_CREDENTIALS")):
        variable, _, source = entry.partition("=")
        kind, _, name = source.partition(":")
        if not variable or kind not in ("header", "claim") or not name:
            raise OptionError(f"a user credential is VARIABLE=header:NAME or VARIABLE=claim:NAME, not {entry!r}")
        if kind == "header" and name.lower() in ("authorization", "cookie", "host"):
            raise OptionError(f"the {name} header of the MCP request cannot carry an API credential: it belongs to "
                              "the connection to this server (use e.g. X-Upstream-Authorization)")
        user_credentials[variable] = (kind, name)
    toolset_scopes: dict[str, str] = {}
    for entry in _listed(args.toolset_scope, environ, setting(prefix, "TOOLSET_SCOPES")):
        toolset, _, scope = entry.partition("=")
        if toolset not in index["toolsets"] or not scope:
            raise OptionError(f"a toolset scope is TOOLSET=SCOPE with one of the toolsets "
                              f"({', '.join(index['toolsets'])}), not {entry!r}")
        toolset_scopes[toolset] = scope
    if toolset_scopes and not issuer:
        raise OptionError("toolsets as scopes need OAuth (--oauth-issuer): static tokens see every toolset")
    if any(kind == "claim" for kind, _ in user_credentials.values()) and not issuer:
        raise OptionError("a credential from a token claim needs OAuth (--oauth-issuer)")
    options = HttpOptions(
        host=args.host, port=args.port, sessions=bool(args.http_sessions), tokens=tokens, issuer=issuer,
        jwks_url=jwks_url, audience=audience,
        scopes=_listed(args.required_scope, environ, setting(prefix, "REQUIRED_SCOPES")),
        allow_unauthenticated=allow,
        allowed_hosts=_listed(args.allowed_hosts, environ, setting(prefix, "HTTP_ALLOWED_HOSTS")),
        allowed_origins=_listed(args.allowed_origins, environ, setting(prefix, "HTTP_ALLOWED_ORIGINS")),
        workers=workers, user_credentials=user_credentials, toolset_scopes=toolset_scopes)
    if args.transport == "http" and args.host not in LOOPBACK and not options.authenticated and not allow:
        raise OptionError(
            f"refusing to listen on {args.host} without authentication: anyone who can reach the port would call "
            f"the API with this server's credentials. Require a token (--auth-token, or "
            f"{setting(prefix, 'AUTH_TOKENS')}) or OAuth (--oauth-issuer), or, when a gateway in front "
            "authenticates every request, say so with --allow-unauthenticated.")
    if user_credentials and not options.authenticated and not allow:
        raise OptionError("per-user credentials need callers that authenticate (--auth-token or --oauth-issuer)")
    return options


def verifier_and_settings(http: HttpOptions) -> tuple[Any, Any]:
    """The SDK's (TokenVerifier, AuthSettings) for the options; (None, None) without authentication."""
    if not http.authenticated:
        return None, None
    from mcp.server.auth.settings import AuthSettings

    from .tokens import JwtTokens, StaticTokens, Verifiers

    verifiers: list[StaticTokens | JwtTokens] = []
    if http.tokens:
        verifiers.append(StaticTokens(http.tokens, http.scopes))
    if http.issuer:
        verifiers.append(JwtTokens(http.issuer, http.audience, http.jwks_url))
        settings = AuthSettings(issuer_url=http.issuer, resource_server_url=http.audience,  # type: ignore[arg-type]
                                required_scopes=list(http.scopes) or None)
    else:
        # Static tokens only: no authorization server to announce, so no metadata document; the
        # SDK's settings still need an issuer, which is never published (resource_server_url is None).
        settings = AuthSettings(issuer_url="https://static-tokens.invalid",  # type: ignore[arg-type]
                                resource_server_url=None, required_scopes=list(http.scopes) or None)
    return Verifiers(verifiers), settings


def transport_security(http: HttpOptions) -> Any:
    from mcp.server.transport_security import TransportSecuritySettings

    hosts = list(_LOOPBACK_HOSTS)
    if http.host not in LOOPBACK and http.host not in ("0.0.0.0", "::"):
        hosts.append(f"{http.host}:*")
    for host in http.allowed_hosts:  # without a port: as is (a proxy on 443 sends none) and with any port
        hosts += [host] if ":" in host.rsplit("]", 1)[-1] else [host, f"{host}:*"]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=list(dict.fromkeys(hosts)),
                                     allowed_origins=list(dict.fromkeys(_LOOPBACK_ORIGINS + list(http.allowed_origins))))


class Readiness:
    """Whether the server answers calls without loading its catalog first.

    Tools mode loads the catalog before it listens. Discovery and dynamic modes load it on first use,
    which keeps a stdio start fast; over HTTP the server warms it in a thread as soon as it listens
    (`start`), and `/readyz` answers 503 until that is done, so a load balancer sends no caller a
    request that would wait for it. A catalog that cannot load (a broken overrides.py) keeps it at
    503 ("failed"); the calls say what is wrong.
    """

    def __init__(self, surface: Any):
        self._warm: Callable[[], Any] | None = getattr(surface, "warm", None)
        self.state = "starting" if self._warm is not None else "ready"
        self._started = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Warm the catalog in a thread, once (later calls do nothing)."""
        with self._lock:
            if self._started or self._warm is None:
                return
            self._started = True
        threading.Thread(target=self._run, name="catalog-warm-up", daemon=True).start()

    def _run(self) -> None:
        assert self._warm is not None
        try:
            self._warm()
        except Exception as exc:  # noqa: BLE001 -- the server stays up; its calls report the same error
            logging.getLogger(__name__).error("the tools could not be loaded: %s", exc)
            self.state = "failed"
        else:
            self.state = "ready"


def http_app(server: Server[Any], http: HttpOptions, surface: Any) -> Starlette:
    """The server's Streamable HTTP app, with `/healthz` and `/readyz`; `surface` (its tools) begins
    warming up now (see Readiness)."""
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        readiness.start()
        state = readiness.state
        return JSONResponse({"status": state}, status_code=200 if state == "ready" else 503)

    readiness = Readiness(surface)
    readiness.start()
    verifier, settings = verifier_and_settings(http)
    return server.streamable_http_app(
        streamable_http_path=PATH, stateless_http=not http.sessions, host=http.host,
        transport_security=transport_security(http), auth=settings, token_verifier=verifier,
        custom_starlette_routes=[Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])])


def warn_unauthenticated(http: HttpOptions, name: str) -> None:
    if http.host not in LOOPBACK and not http.authenticated:
        print(f"{name}: WARNING: listening on {http.host} without authentication (--allow-unauthenticated): "
              "only a gateway in front that authenticates every request keeps the API's credentials safe",
              file=sys.stderr)


def shared_state_key(environ: Mapping[str, str], prefix: str) -> dict[str, str]:
    """For workers: the environment variable sealing approval round trips, the same in every worker
    (made now when the operator gave none, so a client's next round may reach another worker)."""
    variable = setting(prefix, "REQUEST_STATE_KEY")
    if environ.get(variable):
        return {}
    return {variable: hashlib.sha256(os.urandom(32)).hexdigest()}
