"""The tools as the model sees them: the generated ones, changed by overrides.TOOLS, plus
overrides.EXTRA_TOOLS. With no overrides this adds nothing to start-up or to a call."""

from __future__ import annotations

import copy
import json
from typing import Any

from mcp import types

from .runtime import Caller, error_result


class Surface:
    def __init__(self, caller: Caller, overrides: Any, toolsets: frozenset[str] | None = None):
        """`toolsets`: expose only the tools of these groups (None: all)."""
        self.caller = caller
        catalog = caller.catalog
        self.outside: set[str] = set()  # generated tools left out by the toolset choice
        if toolsets is not None:
            self.outside = {name for name, plan in catalog.plans.items()
                            if toolsets.isdisjoint(plan.get("toolsets", ()))}
        changes: dict[str, dict[str, Any]] = dict(getattr(overrides, "TOOLS", None) or {})
        unknown = sorted(set(changes) - set(catalog.plans))
        if unknown:
            raise SystemExit(f"overrides.TOOLS names tools that do not exist: {', '.join(unknown)}")
        self.changes = changes
        self.exposed_to_generated: dict[str, str] = {}
        self.hidden: set[str] = set()
        definitions = catalog.definitions
        if self.outside:
            definitions = [d for d in definitions if d["name"] not in self.outside]
        if changes:
            generated, definitions = definitions, []
            for definition in generated:
                change = changes.get(definition["name"])
                if change is None:
                    definitions.append(definition)
                elif change.get("hidden"):
                    self.hidden.add(definition["name"])
                else:
                    changed = _changed_definition(definition, change)
                    self.exposed_to_generated[changed["name"]] = definition["name"]
                    definitions.append(changed)
        self.extra: dict[str, tuple[dict[str, Any], Any]] = {}
        for definition, handler in getattr(overrides, "EXTRA_TOOLS", None) or []:
            self.extra[definition["name"]] = (definition, handler)
            definitions = [*definitions, definition]
        self.definitions = definitions
        names = [d["name"] for d in definitions]
        duplicates = sorted({n for n in names if names.count(n) > 1}) if changes or self.extra else []
        if duplicates:
            raise SystemExit(f"overrides give two tools the same name: {', '.join(duplicates)}")
        self._by_name: dict[str, dict[str, Any]] = {}

    def generated_name(self, exposed: str) -> str | None:
        """The generated tool behind an exposed name, or None when there is none."""
        if exposed in self.exposed_to_generated:
            return self.exposed_to_generated[exposed]
        if exposed in self.hidden or exposed in self.outside or (exposed in self.changes and "name" in self.changes[exposed]):
            return None  # hidden, outside the chosen toolsets, or renamed away
        return exposed if exposed in self.caller.catalog.plans else None

    def knows(self, name: str) -> bool:
        return name in self.extra or self.generated_name(name) is not None

    def input_schema(self, name: str) -> dict[str, Any] | None:
        if not self._by_name:
            self._by_name = {d["name"]: d for d in self.definitions}
        definition = self._by_name.get(name)
        return definition.get("inputSchema") if definition else None

    def plan(self, exposed: str) -> dict[str, Any]:
        """The request plan behind an exposed generated tool ({} for an extra tool)."""
        generated = self.generated_name(exposed)
        return self.caller.catalog.plans[generated] if generated else {}

    async def close(self) -> None:
        await self.caller.close()

    async def call(self, name: str, arguments: dict[str, Any] | None) -> types.CallToolResult:
        if name in self.extra:
            return await _call_extra(*self.extra[name], arguments or {})
        generated = self.generated_name(name)
        change = self.changes.get(generated, {})
        if change:
            arguments = {**change.get("defaults", {}), **(arguments or {}), **change.get("fixed", {})}
        return await self.caller.call(generated, arguments)


def _changed_definition(definition: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(definition)
    for key in ("name", "title", "description"):
        if key in change:
            changed[key] = change[key]
    if "annotations" in change:
        changed["annotations"] = {**changed.get("annotations", {}), **change["annotations"]}
    schema = changed["inputSchema"]
    for argument in change.get("fixed", {}):
        schema.get("properties", {}).pop(argument, None)
        if argument in schema.get("required", []):
            schema["required"] = [r for r in schema["required"] if r != argument]
    for argument, value in change.get("defaults", {}).items():
        if argument in schema.get("properties", {}):
            schema["properties"][argument]["default"] = value
            schema["required"] = [r for r in schema.get("required", []) if r != argument]
    if not schema.get("required"):
        schema.pop("required", None)
    return changed


async def _call_extra(definition: dict[str, Any], handler: Any, arguments: dict[str, Any]) -> types.CallToolResult:
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(definition.get("inputSchema", {})).iter_errors(arguments), key=str)
    if errors:
        return error_result("Invalid arguments:\n" + "\n".join(f"- {e.message}" for e in errors))
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
