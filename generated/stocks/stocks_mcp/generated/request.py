# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""A tool's arguments to an HTTP request, by the tool's plan alone (the document is never read)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from .arguments import RELATIVE_STEP_MESSAGE, STEP_VALUES
from .catalog import SchemePlan, ToolPlan
from .credentials import credentials_for
from .errors import ToolError
from .media import header_value_ok
from .wire import cookie_value, encode_body, header_value, path_value, query_pairs, slashed_path


@dataclass
class Request:
    """What will be sent; `overrides.before_request` may change url, headers and content."""

    method: str
    url: str
    headers: dict[str, str]
    content: bytes | None
    display: str  # method and path, without query string or host, for messages
    secrets: list[str] = field(default_factory=list)  # credential values, masked in results


def _encoded_template(template: str) -> str:
    """The path template with its literal parts percent-encoded ("#" or "?" in a path is data)."""
    parts = re.split(r"(\{[^}]*\})", template)
    return "".join(p if p.startswith("{") else quote(p, safe="/:@!$&'()*+,;=-._~%") for p in parts)


def _invalid(name: str, problem: str) -> ToolError:
    return ToolError(f"Invalid arguments:\n- {name}: {problem}")


@functools.lru_cache(maxsize=256)  # the base URL's, on every call
def origin(url: str) -> str:
    """`scheme://host:port` of an absolute URL, the default port spelled out: what credentials are bound to."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port or {'http': 80, 'https': 443}.get(scheme, '')}"


def base_for(plan: ToolPlan, base_url: str, allowed_origins: frozenset[str]) -> str:
    """Where an operation is sent: its own server (from the document) only when that server's origin
    is the base URL's or one the operator allowed; otherwise the base URL, which then governs."""
    server = plan.get("server")
    if server and (origin(server) == origin(base_url) or origin(server) in allowed_origins):
        return server
    return base_url


def _relative_step(value: Any) -> bool:
    """Whether a path value is, or holds, "." or "..", which URL parsers read as a step up the path."""
    if isinstance(value, dict):
        return any(_relative_step(k) or _relative_step(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_relative_step(v) for v in value)
    return isinstance(value, str) and value in STEP_VALUES


def build_request(base_url: str, user_agent: str, plan: ToolPlan, schemes: Mapping[str, SchemePlan],
                  arguments: Mapping[str, Any], environ: Mapping[str, str],
                  allowed_origins: frozenset[str] = frozenset()) -> Request:
    """The request for `arguments` (already validated and completed with defaults and fixed values).
    `allowed_origins`: origins besides the base URL's that operations may name as their server."""
    if not plan["path"].startswith("/"):
        # appended to the base URL, "@host/x" or ".host/x" would send the request (and its credentials)
        # to another host
        raise ToolError(f"The operation's path {plan['path']!r} does not start with '/': the request is not sent")
    path = _encoded_template(plan["path"])
    query: list[str] = []
    headers: dict[str, str] = {"User-Agent": user_agent}
    cookies: list[str] = []
    body_fields: dict[str, Any] = {}
    whole_body: Any = None
    has_whole_body = False

    for name, spec in plan["arguments"].items():
        if name not in arguments:
            continue
        value = arguments[name]
        location = spec["in"]
        wire = spec.get("name", "")
        if location == "body_field":
            body_fields[wire] = value
            continue
        if location == "body":
            whole_body, has_whole_body = value, True
            continue
        if spec.get("contentType") and value is not None:
            value = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        style = spec.get("style", "form")
        explode = spec.get("explode", False)
        if location == "path":
            if value is None or value == "" or value == [] or value == {}:
                raise _invalid(name, "a path parameter needs a non-empty value")
            if _relative_step(value):
                raise _invalid(name, RELATIVE_STEP_MESSAGE)
            if spec.get("allowReserved") and isinstance(value, str) and style == "simple":
                path = path.replace("{" + wire + "}", slashed_path(name, value))
            else:
                path = path.replace("{" + wire + "}", path_value(value, style, explode, wire))
        elif value is None:
            continue  # an explicit null means "leave it out" for query, header and cookie
        elif location == "query":
            query.extend(query_pairs(wire, value, style, explode, spec.get("allowReserved", False)))
        elif location == "header":
            text = header_value(value, explode, style)
            if not header_value_ok(text.replace("\t", " ") if style == "tabDelimited" else text):
                raise _invalid(name, "a header value must be printable ASCII without line breaks or blanks at either end")
            headers[wire] = text
        elif location == "cookie":
            cookies.append(f"{wire}={cookie_value(value, explode)}")

    credentials = credentials_for(plan, schemes, environ)
    headers.update(credentials.headers)
    query.extend(credentials.query)
    cookies.extend(credentials.cookies)
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    if plan.get("accept"):
        headers["Accept"] = plan["accept"]

    content = None
    body = plan.get("body")
    if body is not None:
        payload = whole_body if has_whole_body else (body_fields if (body_fields or body["required"]) else None)
        if payload is not None or (has_whole_body and body["required"]):
            content, headers["Content-Type"] = encode_body(body, payload, plan["arguments"])

    base = base_for(plan, base_url, allowed_origins).rstrip("/")
    url = base + path + ("?" + "&".join(query) if query else "")
    return Request(plan["method"], url, headers, content, f"{plan['method']} {path}", credentials.secrets)
