# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""HTTP responses to MCP results: JSON as structured content, text, images, audio, blobs; errors
as `isError` results a model can act on; secrets masked in everything the model sees."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from mcp import types

from .arguments import cut, within_budget
from .credentials import redact, redact_value
from .media import is_json, is_text, media_base

if TYPE_CHECKING:
    import httpx
    from jsonschema.protocols import Validator

    from .request import Request

ERROR_BODY_LIMIT = 2000
# How text the API wrote is shown to the model: (text, is it JSON) -> text (see untrusted.py).
Marker = Callable[[str, bool], str]


def as_is(text: str, json_text: bool) -> str:
    return text

BINARY_SECRET_MIN = 4


def error_result(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)


def _media_type(response: httpx.Response) -> str:
    return media_base(response.headers.get("content-type", ""))


def success_result(response: httpx.Response, output: str | None, output_validator: Validator | None,
                   max_text: int, mark: Marker = as_is) -> types.CallToolResult:
    """The result of a 2xx response. `output`: the tool's declared output ("object": the body,
    "wrap": {"result": body}, None: none), checked with `output_validator`."""
    media_type = _media_type(response)
    status = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    raw = response.content

    if not raw:
        text = f"The request succeeded ({status}) with an empty response."
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)],
            structured_content={} if output else None,
        )

    if is_json(media_type) or (not media_type and raw[:1] in (b"{", b"[")):
        try:
            data = response.json()
        except ValueError:
            pass
        else:
            return _json_result(data, status, output, output_validator, max_text, mark)

    content: list[Any]
    if media_type.startswith("image/"):
        content = [types.ImageContent(type="image", data=base64.b64encode(raw).decode(), mime_type=media_type)]
    elif media_type.startswith("audio/"):
        content = [types.AudioContent(type="audio", data=base64.b64encode(raw).decode(), mime_type=media_type)]
    elif is_text(media_type) or not media_type:
        content = [types.TextContent(type="text", text=mark(cut(response.text, max_text), False))]
    else:
        resource = types.BlobResourceContents(
            uri=str(response.url.copy_with(query=None)), blob=base64.b64encode(raw).decode(), mime_type=media_type
        )
        content = [types.EmbeddedResource(type="resource", resource=resource)]
    return types.CallToolResult(content=content, structured_content={} if output else None)


def _json_result(data: Any, status: str, output: str | None, output_validator: Validator | None,
                 max_text: int, mark: Marker) -> types.CallToolResult:
    structured = data if (output == "object" or (output is None and isinstance(data, dict))) else {"result": data}
    text = json.dumps(data, ensure_ascii=False)
    if output and output_validator is not None:
        problem = _output_problem(output_validator, structured)
        if problem:
            return error_result(
                f"The request succeeded ({status}), but the response does not match this tool's "
                f"declared output schema ({problem}). The response was:\n{mark(cut(text, max_text), True)}"
            )
    if not output and len(text) > max_text:
        # Nothing requires structured content here, and a copy of the whole response would
        # undo the cut: the model gets the cut text and the note of how much was left out.
        structured = None
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=mark(cut(text, max_text), True))],
        structured_content=structured,
    )


def _output_problem(validator: Validator, structured: Any) -> str | None:
    errors = within_budget(validator, structured)
    if not errors:
        return None
    first = errors[0]
    where = "/".join(str(p) for p in first.absolute_path) or "(root)"
    return f"at {where}: {cut(first.message, 200)}"


def failure_result(request: Request, response: httpx.Response, mark: Marker = as_is) -> types.CallToolResult:
    media_type = _media_type(response)
    body = response.text if is_text(media_type) or not media_type else (
        f"<{len(response.content)} bytes of {media_type}>"
    )
    text = f"The API answered HTTP {response.status_code} {response.reason_phrase} to {request.display}."
    if body.strip():
        text += "\n" + mark(cut(body.strip(), ERROR_BODY_LIMIT), is_json(media_type))
    return error_result(text)


def redacted(result: types.CallToolResult, secrets: list[str]) -> types.CallToolResult:
    """The result with every secret used for the call masked (APIs sometimes echo them back): in
    texts, structured content, resource URIs and inside base64 data (images, audio, blobs)."""
    if not secrets:
        return result
    for block in result.content:
        if isinstance(block, types.TextContent):
            block.text = redact(block.text, secrets)
        elif isinstance(block, (types.ImageContent, types.AudioContent)):
            block.data = _redact_base64(block.data, secrets)
        elif isinstance(block, types.ResourceLink):
            block.uri = redact(str(block.uri), secrets)
        elif isinstance(block, types.EmbeddedResource):
            resource = block.resource
            resource.uri = redact(str(resource.uri), secrets)
            if isinstance(resource, types.TextResourceContents):
                resource.text = redact(resource.text, secrets)
            else:
                resource.blob = _redact_base64(resource.blob, secrets)
    if result.structured_content is not None:
        result.structured_content = redact_value(result.structured_content, secrets)
    return result


def _redact_base64(data: str, secrets: list[str]) -> str:
    """Base64 data with each secret's bytes (as is and percent-encoded) replaced by `***`. Secrets
    shorter than BINARY_SECRET_MIN characters are left alone there: in binary data they turn up by
    chance (a one-letter user name in every image), and masking them would only break the data."""
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:
        return redact(data, secrets)
    masked = raw
    for secret in sorted((s for s in secrets if len(s) >= BINARY_SECRET_MIN), key=len, reverse=True):
        for form in dict.fromkeys((secret, quote(secret, safe=""))):
            masked = masked.replace(form.encode(), b"***")
    return data if masked == raw else base64.b64encode(masked).decode()
