# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Credentials toward the API: read from the environment, applied to a request, masked in results.

Which variables hold a scheme's secret is decided at generation (see `environment.py`) and recorded
in the catalog's schemes; nothing here invents a variable name.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .catalog import SchemePlan, ToolPlan
from .errors import ToolError


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
    not empty. Raises ToolError naming the variables when no alternative is set.
    """
    alternatives = plan.get("security")
    if not alternatives:
        return Applied()
    for alternative in alternatives:
        chosen: list[tuple[SchemePlan, list[str]]] = []
        for key in alternative:
            scheme = schemes[key]
            found = [environ.get(var) for var in scheme["env"]]
            if not found[0] or any(v is None for v in found):
                break
            chosen.append((scheme, [v for v in found if v is not None]))
        else:
            applied = Applied()
            for scheme, values in chosen:
                _apply(scheme, values, applied)
            return applied
    needed = " or ".join(
        " and ".join(var for key in alternative for var in schemes[key]["env"]) for alternative in alternatives if alternative
    )
    raise ToolError(
        f"This operation needs credentials that are not set: set the environment variable {needed} "
        "in the MCP server's configuration, then restart it."
    )


def _apply(scheme: SchemePlan, values: list[str], applied: Applied) -> None:
    applied.secrets.extend(values)
    kind = scheme["kind"]
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
        applied.secrets.append(token)


def redact(text: str, secrets: list[str]) -> str:
    # Longest first: a short secret (a user name) must not unmask part of a longer one.
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
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
