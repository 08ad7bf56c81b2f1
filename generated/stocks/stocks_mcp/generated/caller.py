# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""One tool call: arguments checked, request built and sent with httpx, response made a result.

Every failure a model can act on (bad arguments, a missing credential, an HTTP error, a timeout,
an unreachable host) becomes an `isError` result; nothing escapes. httpx is imported on the
first call, not at start (it costs about 0.1 s).

Limits that hold whatever the API does: the whole call (connecting, redirects, reading) ends
within `timeout`; a response is read as a stream and refused past `max_bytes`; redirects are
followed only to the configured origins (the base URL's and the allowed ones), so credentials
never reach another host: a redirect elsewhere is reported with its target instead.

Toward the API the server behaves like a careful client: at most `max_concurrency` requests at a
time, retries of what may safely be repeated (retries.py, within the call's timeout), and OAuth
tokens it fetches itself when configured so (oauth.py): one fetch shared by concurrent calls, and
after a 401 one new token and one more attempt.
"""

from __future__ import annotations

import functools
import logging
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mcp import types

from .approval import InputRequired, Policy, ask, needs_approval
from .arguments import checked, has_patterns, validator_for
from .audit import count_attempt, note
from .catalog import SchemePlan, ToolDefinition, ToolPlan
from .credentials import redact, secret_values, short_secrets, with_tokens
from .errors import ToolError
from .oauth import TokenSource
from .progress import waiting
from .request import Request, build_request, origin
from .results import (
    DEFAULT_MAX_BINARY,
    Marker,
    Paging,
    error_result,
    failure_result,
    redacted,
    success_result,
    unread_result,
)
from .retries import RetryPolicy, Sent, Unreachable, give_up_note, idempotency_argument, may_retry, send
from .untrusted import marked

if TYPE_CHECKING:
    import anyio
    import httpx
    from jsonschema.protocols import Validator

log = logging.getLogger(__name__)
MAX_REDIRECTS = 10
# A 2xx body up to this size is made a result in the event loop; a larger one in a worker thread, so
# that parsing, fitting and checking it does not hold the other calls for long (the thread holds the
# GIL while it works, but hands it back every few milliseconds). A small one costs less than the hop.
QUICK_RESULT_BYTES = 64 * 1024


@dataclass
class Settings:
    base_url: str
    timeout: float = 60.0  # the whole call, from the first byte sent to the last one read
    connect_timeout: float = 10.0
    max_text: int = 100_000
    user_agent: str = "rest2mcp-server"
    max_bytes: int = 10_000_000  # a longer response is not read
    max_binary: int = DEFAULT_MAX_BINARY  # a longer image, audio or file is left out of the result, with a note
    allowed_origins: frozenset[str] = frozenset()  # besides the base URL's: may get operations and redirects
    approval: Policy = "configured"  # which calls wait for the user's approval (approval.py)
    mark_api_data: bool = True  # set the API's text apart as untrusted data (untrusted.py)
    retries: RetryPolicy = field(default_factory=RetryPolicy)
    max_concurrency: int = 16  # requests in flight toward the API; pauses between retries do not count

    def origins(self) -> frozenset[str]:
        """Where requests, and so credentials, may go."""
        return self.allowed_origins | {origin(self.base_url)}


class TooLarge(Exception):
    """The response is longer than `Settings.max_bytes`; `status` is its HTTP status."""

    def __init__(self, status: int = 0):
        super().__init__(status)
        self.status = status


class Redirected(Exception):
    """The API redirected to an origin requests may not go to; the message is the result's text."""


@dataclass
class Tool:
    """A tool as the model calls it: its definition and the plan behind it, with validators
    compiled on first use. `generated` is the catalog's name for it (what hooks are told)."""

    generated: str
    definition: ToolDefinition
    plan: ToolPlan
    _validators: dict[str, Validator] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.definition["name"]

    def validator(self, key: str) -> Validator | None:
        schema = self.definition.get(key)
        if not isinstance(schema, dict):
            return None
        if key not in self._validators:
            self._validators[key] = validator_for(schema)
        return self._validators[key]


class Caller:
    """Calls tools; `hooks` (the package's overrides module) may adjust requests and results."""

    def __init__(self, schemes: Mapping[str, SchemePlan], settings: Settings,
                 environ: Mapping[str, str] | None = None, hooks: Any = None):
        self.schemes = schemes
        self.settings = settings
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.hooks = hooks
        self._client: httpx.AsyncClient | None = None
        self._limiter: anyio.CapacityLimiter | None = None
        self.tokens = TokenSource(schemes, settings.base_url, settings.timeout, settings.user_agent)
        # Every credential this server holds, masked in audit records even when a call fails before
        # its own credentials are chosen (a model may paste one into an argument).
        self.credentials = secret_values(schemes, self.environ)
        for variable in short_secrets(schemes, self.environ):
            log.warning("%s is shorter than 8 characters: it is not masked in results and logs", variable)

    def held(self) -> list[str]:
        """Every secret to mask: the environment's and the tokens fetched so far."""
        return self.credentials + self.tokens.secrets()

    def client(self) -> httpx.AsyncClient:
        import httpx

        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.settings.timeout, connect=self.settings.connect_timeout),
                follow_redirects=False,  # followed here, only to the configured origins
            )
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def call(self, tool: Tool, arguments: Mapping[str, Any] | None) -> types.CallToolResult:
        import anyio
        import httpx

        plan, arguments = tool.plan, dict(arguments or {})
        note(operation=f"{plan['method']} {plan['path']}", secrets=self.held())
        secrets: list[str] = []
        settings = self.settings
        try:
            validator = tool.validator("inputSchema")
            problems = await checked(validator, arguments) if validator is not None else []
            if problems:
                return error_result("Invalid arguments:\n" + "\n".join(f"- {p}" for p in problems))
            if "defaults" in plan or "fixed" in plan:  # fixed arguments are hidden from the model
                arguments = {**plan.get("defaults", {}), **arguments, **plan.get("fixed", {})}
            key = idempotency_argument(plan)
            if key is not None and key not in arguments:  # one key per call: every attempt sends the same
                arguments[key] = str(uuid.uuid4())
            # One deadline for the token fetch and the exchange; waiting for the user's approval does not count.
            deadline = anyio.current_time() + settings.timeout
            fetched: dict[str, str] = {}
            if self.tokens.may_fetch:
                with anyio.fail_at(deadline):
                    fetched = await self.tokens.tokens_for(plan, self.environ)
            request = build_request(settings.base_url, settings.user_agent, plan, self.schemes, arguments,
                                    with_tokens(self.environ, fetched), settings.allowed_origins)
            secrets = request.secrets + self.held()
            if needs_approval(settings.approval, tool.definition, plan):
                title = tool.definition.get("title") or ""
                asked_at = anyio.current_time()
                outcome = await ask(tool.name, title, request.display, arguments)
                deadline += anyio.current_time() - asked_at
                note(approval=outcome.decision)
                if outcome.refusal is not None:
                    return outcome.refusal
            mark = self._marker(tool, secrets)
            before = getattr(self.hooks, "before_request", None)
            if before is not None:
                await before(tool.generated, request)
            with anyio.fail_at(deadline):
                sent = await waiting(lambda: self._send(plan, request, fetched, deadline), request.display)
                response = sent.response
                secrets = request.secrets + self.held()
                note(status=response.status_code)
                if 200 <= response.status_code < 300:
                    paging = Paging(plan, arguments, tool.definition["inputSchema"].get("properties", {}))
                    output_validator = tool.validator("outputSchema")
                    build = functools.partial(
                        success_result, response, plan.get("output"), output_validator, settings.max_text,
                        mark, paging=paging, max_binary=settings.max_binary)
                    quick = len(response.content) <= QUICK_RESULT_BYTES and (
                        output_validator is None or not has_patterns(output_validator.schema))
                    # a small body without patterns to match is built faster than a thread hop costs
                    result = build() if quick else await anyio.to_thread.run_sync(build)
                else:
                    result = failure_result(request, response, mark)
                    advice = give_up_note(sent, may_retry(plan), plan["method"].upper())
                    if advice is not None:
                        result.content.append(types.TextContent(type="text", text=advice))
                after = getattr(self.hooks, "after_response", None)
                if after is not None:
                    result = await after(tool.generated, response, result)
            return redacted(result, secrets)
        except InputRequired:
            raise  # the client asks the user, then calls again (approval.py)
        except ToolError as exc:
            return error_result(str(exc))
        except (Redirected, Unreachable) as exc:
            return error_result(redact(str(exc), secrets))
        except TooLarge as exc:
            return unread_result(exc.status, settings.max_bytes, plan.get("output"), tool.validator("outputSchema"))
        except (TimeoutError, httpx.TimeoutException) as exc:
            connect = isinstance(exc, httpx.ConnectTimeout)
            return error_result(
                f"The API did not answer in time ({'connect timeout after ' + format(settings.connect_timeout, 'g') if connect else 'the call took longer than ' + format(settings.timeout, 'g')} s). "
                "It may be slow or overloaded: try again, or raise the server's timeout."
            )
        except httpx.HTTPError as exc:
            return error_result(redact(f"Could not reach the API: {type(exc).__name__}: {exc}", secrets))
        except Exception as exc:  # noqa: BLE001 -- the server must answer, whatever happened
            log.error("tool %s failed: %s", tool.generated, type(exc).__name__)
            return error_result(redact(f"The server failed to make this call: {type(exc).__name__}: {exc}", secrets))

    def _marker(self, tool: Tool, secrets: list[str]) -> Marker:
        """How the API's text is shown: masked, cleaned and marked as untrusted data of `tool` (or as is)."""
        if not self.settings.mark_api_data:
            return lambda text, json_text: text
        return lambda text, json_text: marked(redact(text, secrets), tool.name, json_text)

    async def _send(self, plan: ToolPlan, request: Request, fetched: Mapping[str, str], deadline: float) -> Sent:
        """`request` sent, retried as `retries.py` allows; after a 401 to a token this server fetched,
        sent once more with a new token."""
        import anyio

        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.settings.max_concurrency)
        limiter = self._limiter

        async def attempt() -> httpx.Response:
            async with limiter:
                count_attempt()
                return await self._exchange(request)

        retryable = may_retry(plan)
        sent = await send(attempt, self.settings.retries, retryable, deadline)
        if sent.response.status_code != 401 or not fetched:
            return sent
        renewed = await self.tokens.renew(fetched, self.environ)
        for variable, old in fetched.items():
            if request.headers.get("Authorization") == f"Bearer {old}":
                request.headers["Authorization"] = f"Bearer {renewed[variable]}"
        request.secrets.extend(renewed.values())
        return await send(attempt, self.settings.retries, retryable, deadline)

    async def _exchange(self, request: Request) -> httpx.Response:
        """The final response to `request`, read whole: redirects followed within the configured origins."""
        client = self.client()
        allowed = self.settings.origins()
        outgoing = client.build_request(request.method, request.url, headers=request.headers, content=request.content)
        for _ in range(MAX_REDIRECTS + 1):
            response = await client.send(outgoing, stream=True)
            following = response.next_request
            if following is None:
                return await self._read(response)
            await response.aclose()
            target = str(following.url)
            if origin(target) not in allowed:
                raise Redirected(
                    f"The API redirected {request.display} to {target} (HTTP {response.status_code}). This server "
                    f"follows redirects only within {', '.join(sorted(allowed))}, so it did not follow this one "
                    "(the API's credentials are never sent elsewhere). To fetch it, use another tool or allow "
                    "that origin in the server's settings.")
            # httpx leaves the Cookie out of every redirect, and the Authorization out of one to another
            # origin; this one is the API's own origin or one the operator allowed, which gets them.
            for header in ("Cookie", "Authorization"):
                if header in request.headers:
                    following.headers[header] = request.headers[header]
            outgoing = following
        raise Redirected(f"The API redirected {request.display} more than {MAX_REDIRECTS} times; it was not followed further.")

    async def _read(self, response: httpx.Response) -> httpx.Response:
        """A streamed response read up to `max_bytes` (decoded), as a response with its whole body."""
        import httpx

        limit = self.settings.max_bytes
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit and "content-encoding" not in response.headers:
                raise TooLarge(response.status_code)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise TooLarge(response.status_code)
                chunks.append(chunk)
        finally:
            await response.aclose()
        framing = ("content-encoding", "content-length", "transfer-encoding")
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in framing]
        return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks),
                              request=response.request, extensions=response.extensions,
                              history=response.history)
