"""Comparing two versions of a tool's input or output schema.

Input and output schemas are compared with opposite polarity. An input that accepts fewer values
breaks callers that sent the old ones; an output that can hold more values breaks consumers that
only expect the old ones. A property dropped from either side is breaking; one added is not,
unless it is a required input.
"""

from __future__ import annotations

import json
from typing import Any

from rest2mcp.diff.changes import BREAKING, COMPATIBLE, Change, shown, value_text

# Bounds that accept fewer values as they grow, and those that accept fewer as they shrink.
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
# Keywords that describe a value without restricting it (the generated server checks no formats).
_ANNOTATIONS = ("title", "description", "default", "format", "deprecated")
_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null",
               list: "array", dict: "object"}


def _pointer(root: Any, ref: str) -> Any:
    for part in ref[2:].split("/") if ref != "#" else []:
        root = root.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(root, dict) else None
    return root


def _resolve(schema: Any, root: dict[str, Any], hops: int = 0) -> dict[str, Any]:
    """The schema behind local `$ref`s, with `allOf` members merged (a `$ref` with siblings is one)."""
    if not isinstance(schema, dict):
        return {"not": {}} if schema is False else {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#") and hops < 32:
        target = _pointer(root, ref)
        if target is not None:
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**_resolve(target, root, hops + 1), **siblings}
    members = schema.get("allOf")
    if isinstance(members, list) and hops < 32:
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for member in (_resolve(m, root, hops + 1) for m in members):
            for key, value in member.items():
                if key == "properties" and isinstance(value, dict):
                    merged["properties"] = {**value, **(merged.get("properties") or {})}
                elif key == "required" and isinstance(value, list):
                    merged["required"] = list(dict.fromkeys([*(merged.get("required") or []), *value]))
                else:
                    merged.setdefault(key, value)
        schema = merged
    return schema


def _enum(schema: dict[str, Any]) -> dict[str, Any] | None:
    """Allowed values by canonical JSON text, or None when any value of the type will do."""
    values = [schema["const"]] if "const" in schema else schema.get("enum")
    if not isinstance(values, list):
        return None
    return {json.dumps(v, sort_keys=True, ensure_ascii=False): v for v in values}


def _types(schema: dict[str, Any], root: dict[str, Any]) -> frozenset[str] | None:
    """The JSON types a schema admits at its top; None for any type."""
    declared = schema.get("type")
    if isinstance(declared, (str, list)):
        return frozenset(t for t in ([declared] if isinstance(declared, str) else declared) if isinstance(t, str))
    members = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(members, list):
        found: set[str] = set()
        for member in members:
            inner = _types(_resolve(member, root), root)
            if inner is None:
                return None
            found |= inner
        return frozenset(found)
    values = _enum(schema)
    if values is not None:
        return frozenset(_JSON_TYPES.get(type(v), "object") for v in values.values())
    return None


def _within(inner: frozenset[str] | None, outer: frozenset[str] | None) -> bool:
    """True when every value of the `inner` types is one of the `outer` types (integers are numbers)."""
    if outer is None or inner is None:
        return outer is None
    return all(t in outer or (t == "integer" and "number" in outer) for t in inner)


def _type_text(types: frozenset[str] | None) -> str:
    return "any" if types is None else " | ".join(sorted(types)) or "nothing"


def _variants(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of a schema without a null branch (nullable wraps the real schema in anyOf)."""
    members = schema.get("anyOf") or schema.get("oneOf")
    if not isinstance(members, list):
        return [schema]
    return [m for m in (_resolve(m, root) for m in members) if m.get("type") != "null"]


class _SchemaComparison:
    """One input or output schema pair: their roots (for `$ref`s) and the changes found."""

    def __init__(self, old_root: dict[str, Any], new_root: dict[str, Any], output: bool):
        self.roots = (old_root, new_root)
        self.output = output
        self.prefix = "output-" if output else ""
        self.member = "output-property" if output else "argument"
        self.changes: list[Change] = []
        self.compared: set[tuple[Any, ...]] = set()  # pairs of `$defs` references already compared

    def record(self, kind: str, code: str, path: str, message: str) -> None:
        self.changes.append(Change(kind, code, path, f"`{path}`: {message}" if path else message))

    def directed(self, narrowed: bool, code: str, path: str, message: str) -> None:
        # Fewer accepted values break callers of an input; more possible values break readers of an output.
        self.record(BREAKING if narrowed != self.output else COMPATIBLE, self.prefix + code, path, message)

    def schema(self, old: Any, new: Any, path: str) -> None:
        # Only cyclic schemas keep their `$ref`s: a pair of definitions is compared once, where it first
        # appears, which ends every cycle and reports a change inside a definition once.
        mark = tuple(s.get("$ref") if isinstance(s, dict) else None for s in (old, new))
        if mark != (None, None):
            if mark in self.compared:
                return
            self.compared.add(mark)
        old, new = _resolve(old, self.roots[0]), _resolve(new, self.roots[1])
        for key in _ANNOTATIONS:
            if old.get(key) != new.get(key):
                self.record(COMPATIBLE, f"{self.prefix}{key}-changed", path,
                            f"{key} {shown(old, key)} -> {shown(new, key)}")
        old_types, new_types = _types(old, self.roots[0]), _types(new, self.roots[1])
        widened, narrowed = _within(old_types, new_types), _within(new_types, old_types)
        text = f"type {_type_text(old_types)} -> {_type_text(new_types)}"
        if widened != narrowed:
            self.directed(narrowed, "type-narrowed" if narrowed else "type-widened", path, text)
        elif not widened:  # neither contains the other
            self.record(BREAKING, f"{self.prefix}type-changed", path, text)
        # Alternatives of the same type are compared with each other; the type change covers the rest.
        olds, news = _variants(old, self.roots[0]), _variants(new, self.roots[1])
        if len(olds) == 1 == len(news):
            if widened or narrowed:  # after a change of type, what lies below no longer compares
                self._values(olds[0], news[0], path)
            return
        by_type: list[dict[Any, list[dict[str, Any]]]] = [{}, {}]
        for side, variants in enumerate((olds, news)):
            for variant in variants:
                by_type[side].setdefault(_types(variant, self.roots[side]), []).append(variant)
        for key, same in by_type[0].items():
            if len(same) == 1 == len(by_type[1].get(key, [])):
                self._values(same[0], by_type[1][key][0], path)

    def _values(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        self._enums(old, new, path)
        self._bounds(old, new, path)
        self._properties(old, new, path)
        if isinstance(old.get("items"), dict) or isinstance(new.get("items"), dict):
            self.schema(old.get("items", {}), new.get("items", {}), f"{path}[]")

    def _enums(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        before, after = _enum(old), _enum(new)
        if before is None and after is not None:
            self.directed(True, "enum-added", path, f"now limited to {', '.join(sorted(after))}")
        elif before is not None and after is None:
            self.directed(False, "enum-removed", path, "no longer limited to a list of values")
        elif before is not None and after is not None:
            for value in sorted(before.keys() - after.keys()):
                self.directed(True, "enum-value-removed", path, f"enum lost {value}")
            for value in sorted(after.keys() - before.keys()):
                self.directed(False, "enum-value-added", path, f"enum gained {value}")

    def _bounds(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        def tightened(narrowed: bool, text: str) -> None:
            self.directed(narrowed, "constraint-tightened" if narrowed else "constraint-loosened", path, text)

        for key in (*_LOWER_BOUNDS, *_UPPER_BOUNDS, "multipleOf", "pattern"):
            before, after = old.get(key), new.get(key)
            if before == after:
                continue
            numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (before, after))
            if before is None or after is None:
                tightened(before is None, f"{key} {value_text(before if after is None else after)} "
                                          f"{'added' if before is None else 'removed'}")
            elif numbers and key != "multipleOf":
                tightened((after > before) == (key in _LOWER_BOUNDS), f"{key} {before} -> {after}")
            elif numbers and before and after and ((after / before).is_integer() or (before / after).is_integer()):
                tightened((after / before).is_integer(), f"multipleOf {before} -> {after}")
            else:  # a pattern or a step where neither contains the other: both directions break
                self.record(BREAKING, f"{self.prefix}constraint-changed", path,
                            f"{key} {value_text(before)} -> {value_text(after)}")
        if bool(old.get("uniqueItems")) != bool(new.get("uniqueItems")):
            unique = bool(new.get("uniqueItems"))
            tightened(unique, f"uniqueItems {'added' if unique else 'removed'}")
        closed = [s.get("additionalProperties") in (False, {"not": {}}) for s in (old, new)]
        if closed[0] != closed[1]:
            tightened(closed[1], f"other properties {'no longer' if closed[1] else 'now'} allowed")
        # An optional body's fields: once one is given, these must be given too. A dependency on a
        # field that is required anyway adds or removes nothing (a body turning required drops them all).
        dependent = [s.get("dependentRequired") or {} for s in (old, new)]
        required = [set(s.get("required") or ()) for s in (old, new)]
        for name in sorted(dependent[0].keys() | dependent[1].keys()):
            before, after = (set(d.get(name, ())) for d in dependent)
            where = f"{path}.{name}" if path else name
            for narrowed, names in ((True, after - before - required[0]), (False, before - after - required[1])):
                if names:
                    self.directed(narrowed, "constraint-tightened" if narrowed else "constraint-loosened", where,
                                  f"once given, {'now also' if narrowed else 'no longer'} requires "
                                  f"{', '.join(sorted(names))}")

    def _properties(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        before, after = old.get("properties") or {}, new.get("properties") or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return
        old_required, new_required = set(old.get("required") or ()), set(new.get("required") or ())
        for name in [*before, *(n for n in after if n not in before)]:
            where = f"{path}.{name}" if path else name
            if name not in after:
                self.record(BREAKING, f"{self.member}-removed", where,
                            "no longer in the result" if self.output else "argument removed")
            elif name not in before and not self.output and name in new_required:
                self.record(BREAKING, "argument-added-required", where, "new required argument")
            elif name not in before:
                self.record(COMPATIBLE, f"{self.member}-added", where,
                            "new in the result" if self.output else "new optional argument")
            else:
                if (name in old_required) != (name in new_required):
                    # A required output property is one readers may count on; a required input one
                    # is one callers must give.
                    now = "required" if name in new_required else "optional"
                    kind = BREAKING if (now == "required") != self.output else COMPATIBLE
                    self.record(kind, f"{self.member}-now-{now}", where, f"now {now}")
                self.schema(before[name], after[name], where)


def compare_schemas(old: dict[str, Any], new: dict[str, Any], output: bool = False) -> list[Change]:
    comparison = _SchemaComparison(old, new, output)
    comparison.schema(old, new, "output" if output else "")
    return comparison.changes
