# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Declarative tool changes: one vocabulary and one implementation for every place they come from.

The same words change a tool in `rest2mcp.toml`, in an operation's `x-mcp` extension (both applied
at generation) and in `overrides.TOOLS` (applied when the server starts):

    name, title, description      replace the tool's
    annotations                   merged into the tool's (e.g. {"destructiveHint": False})
    exclude                       True: no tool for this operation
    toolsets                      the groups `--toolsets` selects the tool by
    requires_approval             True: each call waits for the user's approval; False: never
                                  (default: destructive tools do; see approval.py)
    arguments: {argument: {description, default, fixed}}
        description               replaces the argument's
        default                   shown to the model, sent when it gives no value
        fixed                     hidden from the model, always sent
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from typing_extensions import TypedDict

from .arguments import value_problem
from .catalog import ToolDefinition, ToolPlan


class ArgumentChange(TypedDict, total=False):
    description: str
    default: Any
    fixed: Any


class ToolChange(TypedDict, total=False):
    name: str
    title: str
    description: str
    annotations: dict[str, Any]
    exclude: bool
    toolsets: list[str]
    requires_approval: bool
    arguments: dict[str, ArgumentChange]


CHANGE_KEYS = tuple(ToolChange.__annotations__)
ARGUMENT_KEYS = tuple(ArgumentChange.__annotations__)
# overrides.TOOLS spellings of versions before this vocabulary, and what they are now.
LEGACY_KEYS = {"hidden": "exclude", "fixed": "arguments.<argument>.fixed", "defaults": "arguments.<argument>.default"}


@dataclass(frozen=True)
class ChangeProblem:
    argument: str
    kind: str  # "unknown-argument" or "invalid-value"
    message: str


def from_legacy(change: Mapping[str, Any]) -> tuple[ToolChange, list[str]]:
    """A change written with the old overrides.TOOLS keys (`hidden`, `fixed`, `defaults`), in
    today's words, and a note per old key saying what to write instead."""
    notes = [f"{old!r} is now {new!r}" for old, new in LEGACY_KEYS.items() if old in change]
    if not notes:
        return ToolChange(**change), []  # type: ignore[typeddict-item]
    current: dict[str, Any] = {k: v for k, v in change.items() if k not in LEGACY_KEYS}
    if change.get("hidden"):
        current["exclude"] = True
    arguments: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (current.get("arguments") or {}).items()}
    for old, new in (("fixed", "fixed"), ("defaults", "default")):
        for argument, value in (change.get(old) or {}).items():
            arguments.setdefault(argument, {})[new] = value
    if arguments:
        current["arguments"] = arguments
    return ToolChange(**current), notes  # type: ignore[typeddict-item]


def apply_change(
    definition: ToolDefinition, plan: ToolPlan, change: ToolChange
) -> tuple[ToolDefinition, ToolPlan, list[ChangeProblem]]:
    """The tool's definition and plan with `change` applied (copies; `exclude` is the caller's to
    act on), and the argument changes that could not be applied."""
    definition = copy.deepcopy(definition)
    plan = copy.deepcopy(plan)
    problems: list[ChangeProblem] = []
    for key in ("name", "title", "description"):
        if key in change:
            definition[key] = change[key]
    annotations = dict(definition.get("annotations") or {})
    if "title" in change:
        annotations["title"] = change["title"]
    annotations.update(change.get("annotations") or {})
    definition["annotations"] = annotations
    if change.get("toolsets"):
        plan["toolsets"] = list(change["toolsets"])
    if isinstance(change.get("requires_approval"), bool):
        plan["approval"] = change["requires_approval"]
    schema = definition["inputSchema"]
    properties = schema.setdefault("properties", {})
    for argument, argument_change in (change.get("arguments") or {}).items():
        if argument not in properties:
            known = ", ".join(properties) or "none"
            problems.append(ChangeProblem(argument, "unknown-argument",
                                          f"no argument {argument!r} to change (arguments: {known})"))
            continue
        property_schema = properties[argument]
        if "description" in argument_change:
            property_schema["description"] = argument_change["description"]
        for kind in ("fixed", "default"):
            if kind not in argument_change:
                continue
            value = argument_change[kind]
            problem = value_problem(value, property_schema, schema.get("$defs"))
            if problem:
                problems.append(ChangeProblem(argument, "invalid-value",
                                              f"{kind} value for {argument!r} is not valid: {problem}"))
            elif kind == "fixed":
                plan.setdefault("fixed", {})[argument] = value
                remove_argument(schema, argument)
            else:
                plan.setdefault("defaults", {})[argument] = value
                property_schema["default"] = value
                unrequire(schema, argument)
    return definition, plan, problems


def unrequire(schema: dict[str, Any], argument: str) -> None:
    if argument in schema.get("required", []):
        schema["required"] = [r for r in schema["required"] if r != argument]
        if not schema["required"]:
            del schema["required"]


def remove_argument(schema: dict[str, Any], argument: str) -> None:
    """The argument gone from the schema: its property, and every requirement naming it."""
    schema["properties"].pop(argument)
    unrequire(schema, argument)
    dependent = schema.get("dependentRequired")
    if dependent:
        dependent.pop(argument, None)
        for key in list(dependent):
            dependent[key] = [r for r in dependent[key] if r != argument]
            if not dependent[key]:
                del dependent[key]
        if not dependent:
            del schema["dependentRequired"]
