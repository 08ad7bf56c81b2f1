# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""The tools as the model sees them: the catalog's, narrowed to the chosen toolsets, changed by
`overrides.TOOLS` (the same vocabulary and code as `rest2mcp.toml`, see changes.py), plus the
hand-written `overrides.EXTRA_TOOLS`."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from mcp import types

from .approval import Policy, ask, needs_approval
from .arguments import checked, validator_for
from .audit import note as note_fact
from .caller import Caller, Tool
from .catalog import Catalog, ToolDefinition, ToolPlan
from .changes import ARGUMENT_KEYS, CHANGE_KEYS, ToolChange, apply_change, from_legacy
from .results import error_result

log = logging.getLogger(__name__)
ExtraHandler = Callable[[dict[str, Any]], Awaitable[Any]]


class SurfaceError(Exception):
    """overrides.py asks for something impossible; the message names what to change."""


def tool_changes(overrides: Any, known: Mapping[str, Any]) -> dict[str, ToolChange]:
    """overrides.TOOLS checked: known tools, known keys; old spellings translated with a warning."""
    raw = getattr(overrides, "TOOLS", None) or {}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise SurfaceError(f"overrides.TOOLS names tools that do not exist: {', '.join(unknown)}")
    changes: dict[str, ToolChange] = {}
    for name, value in raw.items():
        change, notes = from_legacy(value)
        for note in notes:
            log.warning("overrides.TOOLS[%r]: %s (the old spelling still works)", name, note)
        bad = sorted(set(change) - set(CHANGE_KEYS))
        bad += [f"arguments.{a}.{k}" for a, c in (change.get("arguments") or {}).items() for k in c
                if k not in ARGUMENT_KEYS]
        if bad:
            raise SurfaceError(f"overrides.TOOLS[{name!r}]: unknown key {', '.join(bad)} "
                               f"(keys: {', '.join(CHANGE_KEYS)}; per argument: {', '.join(ARGUMENT_KEYS)})")
        changes[name] = change
    return changes


class Surface:
    def __init__(self, catalog: Catalog, caller: Caller, overrides: Any = None,
                 toolsets: frozenset[str] | None = None, read_only: bool = False,
                 chosen: Callable[[str], bool] | None = None):
        """`toolsets`: expose only the tools of these groups (None: all). `read_only`: only the tools
        whose annotations say they change nothing (readOnlyHint, as generated from the method or
        configured, or as a hand-written tool declares it). `chosen`: whether a tool, by the name it is
        listed under, is wanted (--tools, --exclude-tools)."""
        self.caller = caller
        changes = tool_changes(overrides, catalog.plans)
        self.tools: dict[str, Tool] = {}
        for definition in catalog.definitions:
            generated = definition["name"]
            plan = catalog.plans[generated]
            change = changes.get(generated)
            if change is not None:
                if change.get("exclude"):
                    continue
                definition, plan, problems = apply_change(definition, plan, change)
                if problems:
                    raise SurfaceError(f"overrides.TOOLS[{generated!r}]: " + "; ".join(p.message for p in problems))
            if toolsets is not None and toolsets.isdisjoint(plan.get("toolsets", ())):
                continue
            if read_only and not _read_only(definition):
                continue
            if chosen is not None and not chosen(definition["name"]):
                continue
            if definition["name"] in self.tools:
                raise SurfaceError(f"overrides give two tools the same name: {definition['name']}")
            self.tools[definition["name"]] = Tool(generated, definition, plan)
        self.extra: dict[str, tuple[dict[str, Any], ExtraHandler]] = {}
        for extra, handler in getattr(overrides, "EXTRA_TOOLS", None) or []:
            if (read_only and not _read_only(extra)) or (chosen is not None and not chosen(extra["name"])):
                continue
            if extra["name"] in self.tools or extra["name"] in self.extra:
                raise SurfaceError(f"overrides give two tools the same name: {extra['name']}")
            self.extra[extra["name"]] = (extra, handler)
        self.definitions: list[Any] = [t.definition for t in self.tools.values()]
        self.definitions += [extra for extra, _ in self.extra.values()]

    def knows(self, name: str) -> bool:
        return name in self.tools or name in self.extra

    def definition(self, name: str) -> ToolDefinition | dict[str, Any]:
        return self.tools[name].definition if name in self.tools else self.extra[name][0]

    def input_schema(self, name: str) -> dict[str, Any] | None:
        if not self.knows(name):
            return None
        schema = self.definition(name).get("inputSchema")
        return schema if isinstance(schema, dict) else None

    def plan(self, name: str) -> ToolPlan | None:
        """The request plan behind a generated tool (None for a hand-written one)."""
        tool = self.tools.get(name)
        return tool.plan if tool is not None else None

    async def close(self) -> None:
        await self.caller.close()

    async def call(self, name: str, arguments: Mapping[str, Any] | None) -> types.CallToolResult:
        if name in self.extra:
            return await _call_extra(*self.extra[name], dict(arguments or {}), self.caller.settings.approval)
        return await self.caller.call(self.tools[name], arguments)


def _read_only(definition: Mapping[str, Any]) -> bool:
    annotations = definition.get("annotations")
    return isinstance(annotations, Mapping) and annotations.get("readOnlyHint") is True


async def _call_extra(definition: dict[str, Any], handler: ExtraHandler, arguments: dict[str, Any],
                      approval: Policy) -> types.CallToolResult:
    problems = await checked(validator_for(definition.get("inputSchema") or {"type": "object"}), arguments)
    if problems:
        return error_result("Invalid arguments:\n" + "\n".join(f"- {p}" for p in problems))
    # A hand-written tool is asked about like a generated one: by its annotations (destructiveHint).
    if needs_approval(approval, cast("ToolDefinition", definition), {"method": "", "path": "", "arguments": {}}):
        outcome = await ask(definition["name"], definition.get("title") or "",
                            f"a call of the hand-written tool {definition['name']}", arguments)
        note_fact(approval=outcome.decision)
        if outcome.refusal is not None:
            return outcome.refusal
    try:
        result = await handler(arguments)
    except Exception as exc:  # noqa: BLE001 -- a hand-written tool's failure is reported, not fatal
        return error_result(f"The tool failed: {type(exc).__name__}: {exc}")
    if isinstance(result, types.CallToolResult):
        return result
    if isinstance(result, dict):
        text = json.dumps(result, ensure_ascii=False)
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)], structured_content=result)
    return types.CallToolResult(content=[types.TextContent(type="text", text=str(result))])
