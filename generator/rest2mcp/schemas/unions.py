"""Discriminated unions in inputs: the discriminator's values made visible to the model.

The schema converter drops `discriminator` (it is not JSON Schema). For a oneOf/anyOf of
referenced schemas with a `discriminator.propertyName`, wherever it sits in an input (the body,
a property, an array's items), each variant gets the values that select it as `const` (or
`enum`) of that property, which it then requires. The model sees which value goes with which
variant, and validation tells the variants apart: without it, two variants whose fields are all
optional both match and `oneOf` rejects every value. Output schemas are left as they are (they
are lenient by design).
"""

from __future__ import annotations

from typing import Any

_SCHEMAS = "#/components/schemas/"


def pin_variants(raw: dict[str, Any], converted: dict[str, Any]) -> dict[str, Any]:
    """`converted` (the conversion of the union `raw`) with each variant pinned to its values."""
    discriminator = raw.get("discriminator")
    if not isinstance(discriminator, dict) or not isinstance(discriminator.get("propertyName"), str):
        return converted
    prop = discriminator["propertyName"]
    key = next((k for k in ("oneOf", "anyOf") if isinstance(raw.get(k), list)), None)
    if key is None:
        return converted
    variants = converted.get(key)
    if not isinstance(variants, list) or len(variants) != len(raw[key]):
        return converted  # the converter changed the union's shape (e.g. dropped a bad member)
    by_ref = _values_by_ref(raw[key], discriminator.get("mapping"))
    pinned, shown = [], []
    for raw_variant, variant in zip(raw[key], variants):
        ref = raw_variant.get("$ref") if isinstance(raw_variant, dict) else None
        values = by_ref.get(ref, []) if isinstance(ref, str) else []
        pinned.append(_pinned(variant, prop, values) if values else variant)
        shown.extend(values)
    if not shown:
        return converted
    out = {**converted, key: pinned}
    out.setdefault("description", f"One of {len(variants)} variants, chosen by `{prop}`: {', '.join(shown)}.")
    return out


def _values_by_ref(variants: list[Any], mapping: Any) -> dict[str, list[str]]:
    """Each referenced variant's discriminator values: those the mapping gives it (a reference or
    a bare schema name), else its schema's name (OpenAPI's implicit mapping)."""
    refs = [v["$ref"] for v in variants if isinstance(v, dict) and isinstance(v.get("$ref"), str)]
    values: dict[str, list[str]] = {ref: [] for ref in refs}
    for value, target in (mapping.items() if isinstance(mapping, dict) else ()):
        if not isinstance(target, str):
            continue
        ref = target if target in values else _SCHEMAS + target
        if ref in values and str(value) not in values[ref]:
            values[ref].append(str(value))
    for ref in refs:
        if not values[ref]:
            values[ref] = [ref.rsplit("/", 1)[-1]]
    return values


def _pinned(variant: dict[str, Any], prop: str, values: list[str]) -> dict[str, Any]:
    pin: dict[str, Any] = {"const": values[0]} if len(values) == 1 else {"enum": values}
    if "$ref" in variant:  # a shared $defs entry: constrained beside it, never changed
        return {"allOf": [variant], "properties": {prop: pin}, "required": [prop]}
    properties = variant.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    required = list(variant.get("required") or [])
    return {
        **variant,
        "properties": {**properties, prop: {**properties.get(prop, {}), **pin}},
        "required": required if prop in required else [*required, prop],
    }
