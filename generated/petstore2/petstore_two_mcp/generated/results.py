# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""HTTP responses to MCP results: JSON as structured content, text, images, audio, blobs; errors
as `isError` results a model can act on; secrets masked in everything the model sees.

A 2xx is always a success, whatever its body: a body the declared output schema does not accept
comes as text, with structured content that claims nothing (the empty object, which permissive
output schemas accept, so that clients that check results still take it). Every kind of content
keeps within the server's limits (fitting.py for JSON, `max_binary` for bytes), and what was left
out, or where the next page is (pagination.py), is said in a text block of the server's own."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from mcp import types

from .arguments import cut, within_budget
from .credentials import redact, redact_value
from .fitting import dumps, fit
from .media import is_json, is_text, media_base
from .pagination import next_page_note, smaller_pages

if TYPE_CHECKING:
    import httpx
    from jsonschema.protocols import Validator

    from .catalog import ToolPlan
    from .request import Request

ERROR_BODY_LIMIT = 2000
DEFAULT_MAX_BINARY = 1_000_000  # bytes of an image, audio or file given in a result
# How text the API wrote is shown to the model: (text, is it JSON) -> text (see untrusted.py).
Marker = Callable[[str, bool], str]


def as_is(text: str, json_text: bool) -> str:
    return text

BINARY_SECRET_MIN = 4


def error_result(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)


def _media_type(response: httpx.Response) -> str:
    return media_base(response.headers.get("content-type", ""))


@dataclass(frozen=True)
class Paging:
    """What a result needs to say how to get the next page: the tool's plan, the call's arguments
    and the tool's input properties (to give values their argument's type)."""

    plan: ToolPlan
    arguments: Mapping[str, Any]
    properties: Mapping[str, Any]


def success_result(response: httpx.Response, output: str | None, output_validator: Validator | None,
                   max_text: int, mark: Marker = as_is, *, paging: Paging | None = None,
                   max_binary: int = DEFAULT_MAX_BINARY) -> types.CallToolResult:
    """The result of a 2xx response, never an error: it is what the API answered. `output`: the
    tool's declared output ("object": the body, "wrap": {"result": body}, None: none), checked with
    `output_validator`. JSON is cut to `max_text` characters at its longest list, binary content
    over `max_binary` bytes is left out; the server's notes (what was left out, where the next
    page is) follow the API's data in a text block of their own."""
    media_type = _media_type(response)
    status = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    raw = response.content

    if not raw:
        text = f"The request succeeded ({status}) with an empty response."
        note = _next_page(response, None, paging, False)
        return _result([types.TextContent(type="text", text=text)], _placeholder(output, output_validator),
                       [note] if note else [])

    if is_json(media_type) or (not media_type and raw[:1] in (b"{", b"[")):
        try:
            data = response.json()
        except ValueError:
            pass
        else:
            return _json_result(response, data, output, output_validator, max_text, mark, paging)

    notes: list[str] = []
    content: list[Any]
    binary = media_type.startswith(("image/", "audio/")) or not (is_text(media_type) or not media_type)
    if binary and len(raw) > max_binary:
        content = []
        notes.append(
            f"The API answered {status} with {len(raw):,} bytes of {media_type}, more than this server's limit of "
            f"{max_binary:,} bytes for binary content, so they were left out of this result. They are at "
            f"{response.url.copy_with(query=None)} (with this tool's arguments and the API's credentials); to receive "
            "them here, raise the server's --max-binary-bytes.")
    elif media_type.startswith("image/"):
        content = [types.ImageContent(type="image", data=base64.b64encode(raw).decode(), mime_type=media_type)]
    elif media_type.startswith("audio/"):
        content = [types.AudioContent(type="audio", data=base64.b64encode(raw).decode(), mime_type=media_type)]
    elif not binary:
        content = [types.TextContent(type="text", text=mark(cut(response.text, max_text), False))]
    else:
        resource = types.BlobResourceContents(
            uri=str(response.url.copy_with(query=None)), blob=base64.b64encode(raw).decode(), mime_type=media_type
        )
        content = [types.EmbeddedResource(type="resource", resource=resource)]
    note = _next_page(response, None, paging, False)
    return _result(content, _placeholder(output, output_validator), notes + ([note] if note else []))


def unread_result(status: int, max_bytes: int, output: str | None,
                  output_validator: Validator | None) -> types.CallToolResult:
    """The result of a response longer than the server reads: a success when the API answered 2xx
    (the call did what it does: a model must not repeat it), an error otherwise."""
    limit = (f"larger than this server's limit of {max_bytes:,} bytes, so it was not read. Ask for less (a "
             "filter, a smaller page), or raise the server's --max-response-bytes.")
    if not 200 <= status < 300:
        answered = f"The API answered HTTP {status}, and its response is " if status else "The API's response is "
        return error_result(answered + limit)
    text = f"The request succeeded (HTTP {status}), but the API's response is {limit}"
    return _result([types.TextContent(type="text", text=text)], _placeholder(output, output_validator), [])


def _json_result(response: httpx.Response, data: Any, output: str | None, output_validator: Validator | None,
                 max_text: int, mark: Marker, paging: Paging | None) -> types.CallToolResult:
    notes: list[str] = []
    fitted = fit(data, max_text)
    if fitted is None:  # no list to cut brings it under the limit: its text is cut, not its structure
        text = cut(dumps(data), max_text)
        shown: Any = None
        notes.append(f"The response is longer than this server's limit of {max_text:,} characters: its text is cut "
                     "and it is not given as structured content. Ask for less (a filter, a smaller page).")
    else:
        text, shown = fitted.text, fitted.value
        if fitted.cut:
            smaller = smaller_pages(paging.plan, paging.properties, fitted.kept) if paging is not None else None
            notes.append(fitted.note(max_text, smaller))
    structured = _structured(shown, output) if shown is not None else None
    if structured is not None and output and output_validator is not None:
        problem = _output_problem(output_validator, structured)
        if problem:
            # The call succeeded: the model gets the API's answer as text, and the structured content
            # the declared schema allows (an empty object, when it does) so that clients accept it.
            notes.append(f"The response does not match this tool's declared output schema ({problem}), so it is "
                         "given as text only.")
            structured = None
    if structured is None:
        structured = _placeholder(output, output_validator)
    note = _next_page(response, shown, paging, fitted is not None and fitted.cut)
    if note:
        notes.append(note)
    return _result([types.TextContent(type="text", text=mark(text, True))], structured, notes)


def _structured(data: Any, output: str | None) -> Any:
    """The structured content of `data`: the body itself when the tool declares it as its output (or
    when it is an object and nothing is declared), else {"result": body}."""
    return data if (output == "object" or (output is None and isinstance(data, dict))) else {"result": data}


def _placeholder(output: str | None, validator: Validator | None) -> dict[str, Any] | None:
    """Structured content for a result whose body cannot be given as such: none without a declared
    output schema; with one, an empty object when the schema accepts it (clients refuse a result
    without structured content then), else none."""
    if not output:
        return None
    if validator is not None and within_budget(validator, {}):
        return None
    return {}


def _next_page(response: httpx.Response, body: Any, paging: Paging | None, cut_list: bool) -> str | None:
    if paging is None:
        return None
    return next_page_note(response, body, paging.plan, paging.arguments, paging.properties, cut_list)


def _result(content: list[Any], structured: Any, notes: list[str]) -> types.CallToolResult:
    if notes:
        content = [*content, types.TextContent(type="text", text="\n".join(notes))]
    return types.CallToolResult(content=content, structured_content=structured)


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
