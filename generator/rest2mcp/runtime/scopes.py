# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Toolsets as OAuth scopes (`--toolset-scope TOOLSET=SCOPE`): a caller's token decides which
toolsets it sees and may call. A tool in no mapped toolset is every caller's; a tool in mapped
toolsets is listed and callable for a caller holding the scope of at least one of them. Static
tokens are the operator's and see everything; so does a call without HTTP authentication (stdio)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

STATIC_CLAIM = "rest2mcp_static_token"


def caller_scopes() -> frozenset[str] | None:
    """The scopes of the authenticated caller's OAuth token; None when everything is allowed
    (no HTTP authentication, or one of the operator's static tokens)."""
    from mcp.server.auth.middleware.auth_context import get_access_token

    token = get_access_token()
    if token is None or (token.claims or {}).get(STATIC_CLAIM):
        return None
    return frozenset(token.scopes)


class ToolsetScopes:
    def __init__(self, mapping: Mapping[str, str], toolsets_of: Callable[[str], Sequence[str] | None]):
        """`mapping`: toolset -> scope; `toolsets_of`: a tool's toolsets by its name (None: unknown)."""
        self.mapping = dict(mapping)
        self.toolsets_of = toolsets_of

    def allows(self, name: str, scopes: frozenset[str] | None) -> bool:
        if scopes is None or not self.mapping:
            return True
        needed = [self.mapping[t] for t in self.toolsets_of(name) or () if t in self.mapping]
        return not needed or any(scope in scopes for scope in needed)

    def visible(self, definitions: Sequence[Any], scopes: frozenset[str] | None) -> list[Any]:
        return [d for d in definitions if self.allows(d["name"], scopes)]
