# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""One tool call: arguments checked, request built and sent with httpx, response made a result.

Every failure a model can act on (bad arguments, a missing credential, an HTTP error, a timeout,
an unreachable host) becomes an `isError` result; nothing escapes. httpx is imported on the
first call, not at start (it costs about 0.1 s).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mcp import types

from .arguments import argument_errors, validator_for
from .catalog import SchemePlan, ToolDefinition, ToolPlan
from .credentials import redact
from .errors import ToolError
from .request import build_request
from .results import error_result, failure_result, redacted, success_result

if TYPE_CHECKING:
    import httpx
    from jsonschema import Draft202012Validator

log = logging.getLogger(__name__)


@dataclass
class Settings:
    base_url: str
    timeout: float = 60.0
    connect_timeout: float = 10.0
    max_text: int = 100_000
    user_agent: str = "rest2mcp-server"


@dataclass
class Tool:
    """A tool as the model calls it: its definition and the plan behind it, with validators
    compiled on first use. `generated` is the catalog's name for it (what hooks are told)."""

    generated: str
    definition: ToolDefinition
    plan: ToolPlan
    _validators: dict[str, Draft202012Validator] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.definition["name"]

    def validator(self, key: str) -> Draft202012Validator | None:
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

    async def call(self, tool: Tool, arguments: Mapping[str, Any] | None) -> types.CallToolResult:
        import httpx

        plan, arguments = tool.plan, dict(arguments or {})
        secrets: list[str] = []
        try:
            validator = tool.validator("inputSchema")
            problems = argument_errors(validator, arguments) if validator is not None else []
            if problems:
                return error_result("Invalid arguments:\n" + "\n".join(f"- {p}" for p in problems))
            if "defaults" in plan or "fixed" in plan:  # fixed arguments are hidden from the model
                arguments = {**plan.get("defaults", {}), **arguments, **plan.get("fixed", {})}
            settings = self.settings
            request = build_request(settings.base_url, settings.user_agent, plan, self.schemes, arguments, self.environ)
            secrets = request.secrets
            before = getattr(self.hooks, "before_request", None)
            if before is not None:
                await before(tool.generated, request)
            response = await self.client().request(
                request.method, request.url, headers=request.headers, content=request.content
            )
            if 200 <= response.status_code < 300:
                result = success_result(response, plan.get("output"), tool.validator("outputSchema"), settings.max_text)
            else:
                result = failure_result(request, response)
            after = getattr(self.hooks, "after_response", None)
            if after is not None:
                result = await after(tool.generated, response, result)
            return redacted(result, secrets)
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
            log.error("tool %s failed: %s", tool.generated, type(exc).__name__)
            return error_result(redact(f"The server failed to make this call: {type(exc).__name__}: {exc}", secrets))
