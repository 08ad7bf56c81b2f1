"""Calls the API for a tool: arguments in, MCP result out.

Everything here is driven by the precomputed plans in tools.json; the OpenAPI document is
never read. Every failure a model can act on (bad arguments, a missing credential, an HTTP
error, a timeout, an unreachable host) becomes an `isError` result; nothing escapes.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from mcp import types

from .wire import (
    ToolError,
    cookie_value,
    encode_body,
    header_value,
    is_json_type,
    path_value,
    query_pairs,
    slashed_path,
)

if TYPE_CHECKING:  # httpx is imported on the first call, not at start (it costs ~0.1 s)
    import httpx

log = logging.getLogger(__name__)

ERROR_BODY_LIMIT = 2000
_HEADER_VALUE = re.compile(r"^([\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?)?$")


@dataclass
class Settings:
    base_url: str
    timeout: float = 60.0
    connect_timeout: float = 10.0
    max_text: int = 100_000
    user_agent: str = "rest2mcp-server"


@dataclass
class Catalog:
    """The precomputed tool data: MCP definitions, request plans, security schemes."""

    definitions: list[dict[str, Any]]
    plans: dict[str, dict[str, Any]]
    schemes: dict[str, dict[str, Any]]
    _validators: dict[str, Any] = field(default_factory=dict)
    _by_name: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: bytes) -> Catalog:
        raw = json.loads(data)
        return cls(raw["tools"], raw["plans"], raw["schemes"])

    def definition(self, name: str) -> dict[str, Any]:
        if not self._by_name:
            self._by_name = {d["name"]: d for d in self.definitions}
        return self._by_name[name]

    def validator(self, name: str, key: str) -> Any:
        """A compiled validator for the tool's inputSchema or outputSchema, built on first use."""
        cache_key = (name, key)
        if cache_key not in self._validators:
            from jsonschema import Draft202012Validator

            self._validators[cache_key] = Draft202012Validator(self.definition(name)[key])
        return self._validators[cache_key]



# -- results -------------------------------------------------------------------------------


def error_result(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters not shown]"


# -- arguments -----------------------------------------------------------------------------


def argument_errors(catalog: Catalog, name: str, arguments: dict[str, Any]) -> list[str]:
    """One message per bad field, naming it."""
    return validation_errors(catalog.validator(name, "inputSchema"), arguments)


def validation_errors(validator: Any, arguments: dict[str, Any]) -> list[str]:
    """One message per bad field of `arguments`, naming it."""
    allowed = sorted(validator.schema.get("properties", {}))
    by_field: dict[str, str] = {}
    for error in validator.iter_errors(arguments):
        where = "/".join(str(p) for p in error.absolute_path)
        if error.validator == "required" and not where:
            for missing in error.validator_value:
                if missing not in error.instance:
                    by_field.setdefault(missing, "required argument missing")
        elif error.validator == "additionalProperties" and not where:
            for unknown in sorted(set(error.instance) - set(allowed)):
                by_field.setdefault(unknown, f"unknown argument (expected one of: {', '.join(allowed) or 'none'})")
        else:
            by_field.setdefault(where or "(arguments)", _cut(_message(error), 500))
    return [f"{field_name}: {message}" for field_name, message in sorted(by_field.items())]


def _message(error: Any) -> str:
    """jsonschema's message, except where it does not say what to change: a value matching no
    variant of a union gets each variant's first problem; a closed object's extra member, its name."""
    if error.validator == "not" and error.validator_value == {}:
        return "no value is allowed here"
    if error.validator in ("oneOf", "anyOf") and error.context:
        first: dict[int, Any] = {}
        for sub in error.context:
            first.setdefault(sub.relative_schema_path[0], sub)
        reasons = "; ".join(
            f"{n + 1}) {'/'.join(str(p) for p in sub.relative_path) or 'value'}: {_message(sub)}"
            for n, sub in sorted(first.items())
        )
        return f"matches none of the {len(error.validator_value)} variants: {reasons}"
    return error.message


# -- the request ----------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    url: str
    headers: dict[str, str]
    content: bytes | None
    secrets: list[str]
    display: str  # method and path, without query string or host, for messages


def credentials(plan: dict[str, Any], schemes: dict[str, dict[str, Any]], environ: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """The schemes to apply with their secret values, for the first satisfied alternative."""
    alternatives = plan.get("security")
    if not alternatives:
        return [], []
    for alternative in alternatives:
        applied: list[dict[str, Any]] = []
        for key in alternative:
            scheme = schemes[key]
            values = [environ.get(var) for var in scheme["env"]]
            # Set means: every variable defined, the first (key, token or user name) non-empty.
            if not values[0] or any(v is None for v in values):
                break
            applied.append({**scheme, "values": values})
        else:
            return applied, [v for a in applied for v in a["values"]]
    needed = " or ".join(
        " and ".join(var for key in alt for var in schemes[key]["env"]) for alt in alternatives if alt
    )
    raise ToolError(
        f"This operation needs credentials that are not set: set the environment variable {needed} "
        "in the MCP server's configuration, then restart it."
    )


def _encoded_template(template: str) -> str:
    """The path template with its literal parts percent-encoded ("#" or "?" in a path is data)."""
    parts = re.split(r"(\{[^}]*\})", template)
    return "".join(p if p.startswith("{") else quote(p, safe="/:@!$&'()*+,;=-._~%") for p in parts)


def build_request(settings: Settings, plan: dict[str, Any], schemes: dict[str, dict[str, Any]],
                  arguments: dict[str, Any], environ: Any) -> Request:
    path = _encoded_template(plan["path"])
    query: list[str] = []
    headers: dict[str, str] = {"User-Agent": settings.user_agent}
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
                raise ToolError(f"Invalid arguments:\n- {name}: a path parameter needs a non-empty value")
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
            if not _HEADER_VALUE.fullmatch(text.replace("\t", " ") if style == "tabDelimited" else text):
                raise ToolError(
                    f"Invalid arguments:\n- {name}: a header value must be printable ASCII without line breaks "
                    "or blanks at either end"
                )
            headers[wire] = text
        elif location == "cookie":
            cookies.append(f"{wire}={cookie_value(value, explode)}")

    applied, secrets = credentials(plan, schemes, environ)
    for scheme in applied:
        kind, values = scheme["kind"], scheme["values"]
        if kind == "apiKey":
            if scheme["in"] == "header":
                headers[scheme["name"]] = values[0]
            elif scheme["in"] == "query":
                query.append(f"{quote(scheme['name'], safe='[]')}={quote(values[0], safe='')}")
            else:
                cookies.append(f"{scheme['name']}={values[0]}")
        elif kind == "bearer":
            headers["Authorization"] = f"Bearer {values[0]}"
        elif kind == "basic":
            token = base64.b64encode(f"{values[0]}:{values[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
            secrets.append(token)
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

    base = (plan.get("server") or settings.base_url).rstrip("/")
    url = base + path + ("?" + "&".join(query) if query else "")
    return Request(plan["method"], url, headers, content, secrets, f"{plan['method']} {path}")


def redact(text: str, secrets: list[str]) -> str:
    # Longest first: a short secret (a user name) must not unmask part of a longer one.
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
    return text


# -- the response ---------------------------------------------------------------------------


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _is_text(media_type: str) -> bool:
    return (
        media_type.startswith("text/")
        or is_json_type(media_type)
        or media_type.endswith("xml")
        or media_type in ("application/javascript", "application/x-www-form-urlencoded", "application/yaml")
    )


def success_result(catalog: Catalog, name: str, plan: dict[str, Any], response: httpx.Response,
                   settings: Settings) -> types.CallToolResult:
    media_type = _media_type(response)
    status = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    output = plan.get("output")
    raw = response.content

    if not raw:
        text = f"The request succeeded ({status}) with an empty response."
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)],
            structured_content={} if output else None,
        )

    if is_json_type(media_type) or (not media_type and raw[:1] in (b"{", b"[")):
        try:
            data = response.json()
        except ValueError:
            data = None
        else:
            structured = data if (output == "object" or (output is None and isinstance(data, dict))) else {"result": data}
            text = json.dumps(data, ensure_ascii=False)
            if output:
                problem = _output_problem(catalog, name, structured)
                if problem:
                    return error_result(
                        f"The request succeeded ({status}), but the response does not match this tool's "
                        f"declared output schema ({problem}). The response was:\n{_cut(text, settings.max_text)}"
                    )
            if not output and len(text) > settings.max_text:
                # Nothing requires structured content here, and a copy of the whole response would
                # undo the cut: the model gets the cut text and the note of how much was left out.
                structured = None
            return types.CallToolResult(
                content=[types.TextContent(type="text", text=_cut(text, settings.max_text))],
                structured_content=structured,
            )

    content: list[Any]
    if media_type.startswith("image/"):
        content = [types.ImageContent(type="image", data=base64.b64encode(raw).decode(), mime_type=media_type)]
    elif media_type.startswith("audio/"):
        content = [types.AudioContent(type="audio", data=base64.b64encode(raw).decode(), mime_type=media_type)]
    elif _is_text(media_type) or not media_type:
        content = [types.TextContent(type="text", text=_cut(response.text, settings.max_text))]
    else:
        resource = types.BlobResourceContents(
            uri=str(response.url.copy_with(query=None)), blob=base64.b64encode(raw).decode(), mime_type=media_type
        )
        content = [types.EmbeddedResource(type="resource", resource=resource)]
    return types.CallToolResult(content=content, structured_content={} if output else None)


def _output_problem(catalog: Catalog, name: str, structured: Any) -> str | None:
    errors = list(catalog.validator(name, "outputSchema").iter_errors(structured))
    if not errors:
        return None
    first = errors[0]
    where = "/".join(str(p) for p in first.absolute_path) or "(root)"
    return f"at {where}: {_cut(first.message, 200)}"


def failure_result(request: Request, response: httpx.Response) -> types.CallToolResult:
    body = response.text if _is_text(_media_type(response)) or not _media_type(response) else (
        f"<{len(response.content)} bytes of {_media_type(response)}>"
    )
    text = f"The API answered HTTP {response.status_code} {response.reason_phrase} to {request.display}."
    if body.strip():
        text += "\n" + _cut(body.strip(), ERROR_BODY_LIMIT)
    return error_result(text)


# -- the call -------------------------------------------------------------------------------


class Caller:
    """Calls generated tools; `hooks` (the package's overrides module) may adjust requests and results."""

    def __init__(self, catalog: Catalog, settings: Settings, environ: Any = None, hooks: Any = None):
        self.catalog = catalog
        self.settings = settings
        self.environ = os.environ if environ is None else environ
        self.hooks = hooks
        self._client: httpx.AsyncClient | None = None

    def client(self) -> httpx.AsyncClient:
        import httpx

        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.settings.timeout, connect=self.settings.connect_timeout),
                follow_redirects=True,
            )
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def call(self, name: str, arguments: dict[str, Any] | None) -> types.CallToolResult:
        import httpx

        plan = self.catalog.plans[name]
        arguments = arguments or {}
        secrets: list[str] = []
        try:
            problems = argument_errors(self.catalog, name, arguments)
            if problems:
                return error_result("Invalid arguments:\n" + "\n".join(f"- {p}" for p in problems))
            if "defaults" in plan or "fixed" in plan:  # configured at generation: fixed ones are hidden
                arguments = {**plan.get("defaults", {}), **arguments, **plan.get("fixed", {})}
            request = build_request(self.settings, plan, self.catalog.schemes, arguments, self.environ)
            secrets = request.secrets
            before = getattr(self.hooks, "before_request", None)
            if before is not None:
                await before(name, request)
            response = await self.client().request(
                request.method, request.url, headers=request.headers, content=request.content
            )
            if 200 <= response.status_code < 300:
                result = success_result(self.catalog, name, plan, response, self.settings)
            else:
                result = failure_result(request, response)
            after = getattr(self.hooks, "after_response", None)
            if after is not None:
                result = await after(name, response, result)
            return _redacted(result, secrets)
        except ToolError as exc:
            return error_result(str(exc))
        except httpx.TimeoutException as exc:
            kind = "connect" if isinstance(exc, httpx.ConnectTimeout) else "read"
            limit = self.settings.connect_timeout if kind == "connect" else self.settings.timeout
            return error_result(
                f"The API did not answer in time ({kind} timeout after {limit:g} s). "
                "It may be slow or overloaded: try again, or raise the server's timeout."
            )
        except httpx.HTTPError as exc:
            return error_result(redact(f"Could not reach the API: {type(exc).__name__}: {exc}", secrets))
        except Exception as exc:  # noqa: BLE001 -- the server must answer, whatever happened
            log.error("tool %s failed: %s", name, type(exc).__name__)
            return error_result(redact(f"The server failed to make this call: {type(exc).__name__}: {exc}", secrets))


def _redacted(result: types.CallToolResult, secrets: list[str]) -> types.CallToolResult:
    """The result with every secret used for the call masked (APIs sometimes echo them back)."""
    if not secrets:
        return result
    for block in result.content:
        if isinstance(block, types.TextContent):
            block.text = redact(block.text, secrets)
    if result.structured_content is not None:
        result.structured_content = _redact_value(result.structured_content, secrets)
    return result


def _redact_value(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {k: _redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_value(v, secrets) for v in value]
    return value
