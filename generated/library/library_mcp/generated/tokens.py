# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Who may call the server over HTTP: the bearer tokens it accepts (the SDK's TokenVerifier).

Two kinds, usable together:

- static tokens, given by the operator (several, for rotation). Only their SHA-256 is kept, and a
  token is compared by its digest in constant time; a token may be given as `sha256:<hex>` so that
  the secret itself never sits in a configuration file.
- OAuth 2.1 access tokens: JWTs signed by the authorization server (`--oauth-issuer`), checked with
  PyJWT against the issuer's published keys (JWKS, from `--jwks-url` or the issuer's metadata):
  signature, issuer (compared exactly), audience (this server's resource URL), expiry.

The MCP client's token authorizes the call to this server only: it is never sent to the API.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mcp.server.auth.provider import AccessToken

if TYPE_CHECKING:
    from jwt import PyJWKClient

log = logging.getLogger(__name__)
HASHED = "sha256:"
# Asymmetric algorithms only: a symmetric one would let anyone who knows the key's bytes sign.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
LEEWAY_SECONDS = 30  # clock skew between the issuer and this server


def digest_of(token: str) -> bytes:
    """The SHA-256 a token is kept as: of the token itself, or the one given as `sha256:<hex>`."""
    if token.startswith(HASHED):
        return bytes.fromhex(token[len(HASHED):])
    return hashlib.sha256(token.encode()).digest()


class StaticTokens:
    """The operator's tokens; each caller is named by its token's digest (never the token)."""

    def __init__(self, tokens: Sequence[str], scopes: Sequence[str] = ()):
        self.digests = [digest_of(t) for t in tokens]
        self.scopes = list(scopes)  # a static token passes every scope check: it is the operator's

    async def verify_token(self, token: str) -> AccessToken | None:
        given = hashlib.sha256(token.encode()).digest()
        # Every digest is compared, so the time taken does not say which one matched.
        matched = [hmac.compare_digest(given, known) for known in self.digests]
        if not any(matched):
            return None
        name = "token:" + hashlib.sha256(given).hexdigest()[:12]
        return AccessToken(token=token, client_id=name, scopes=self.scopes, subject=name,
                           claims={"rest2mcp_static_token": True})


class JwtTokens:
    """OAuth access tokens (JWT) of one issuer, for one audience."""

    def __init__(self, issuer: str, audience: str, jwks_url: str | None = None, timeout: float = 10.0):
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self.timeout = timeout
        self._keys: PyJWKClient | None = None

    async def _key_client(self) -> PyJWKClient:
        from jwt import PyJWKClient

        if self._keys is None:
            url = self.jwks_url or await self._discover_jwks_url()
            self._keys = PyJWKClient(url, cache_keys=True, lifespan=300, timeout=int(self.timeout))
        return self._keys

    async def _discover_jwks_url(self) -> str:
        """`jwks_uri` from the issuer's metadata: RFC 8414, then OpenID Connect Discovery."""
        import httpx

        base = self.issuer.rstrip("/")
        _host, _, path = base.partition("://")[2].partition("/")
        root = base[: len(base) - len(path) - 1] if path else base
        candidates = [f"{root}/.well-known/oauth-authorization-server" + (f"/{path}" if path else ""),
                      f"{base}/.well-known/openid-configuration"]
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            for url in candidates:
                try:
                    response = await client.get(url)
                    if response.status_code == 200:
                        found = response.json().get("jwks_uri")
                        if isinstance(found, str) and found.startswith(("https://", "http://")):
                            return found
                except (httpx.HTTPError, ValueError):
                    continue
        raise LookupError(f"the issuer {self.issuer} publishes no jwks_uri in its metadata: give --jwks-url")

    async def verify_token(self, token: str) -> AccessToken | None:
        import anyio
        import jwt

        try:
            keys = await self._key_client()
            key = await anyio.to_thread.run_sync(keys.get_signing_key_from_jwt, token)
            claims: dict[str, Any] = jwt.decode(
                token, key.key, algorithms=ALGORITHMS, audience=self.audience, issuer=self.issuer,
                leeway=LEEWAY_SECONDS, options={"require": ["exp", "iss", "aud"]})
        except (jwt.PyJWTError, LookupError, OSError) as exc:
            log.info("refused a bearer token: %s", type(exc).__name__)
            return None
        raw_scopes = claims.get("scope", claims.get("scp", ""))
        scopes = raw_scopes.split() if isinstance(raw_scopes, str) else [str(s) for s in raw_scopes or []]
        subject = claims.get("sub")
        client = claims.get("client_id") or claims.get("azp") or subject or "unknown"
        return AccessToken(token=token, client_id=str(client), scopes=scopes, expires_at=int(claims["exp"]),
                           resource=self.audience, subject=str(subject) if subject else None,
                           claims=claims)


class Verifiers:
    """Static tokens first, then OAuth: the first that accepts the token decides."""

    def __init__(self, verifiers: Sequence[StaticTokens | JwtTokens]):
        self.verifiers = list(verifiers)

    async def verify_token(self, token: str) -> AccessToken | None:
        for verifier in self.verifiers:
            accepted = await verifier.verify_token(token)
            if accepted is not None:
                return accepted
        return None
