# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""A tool's arguments: checked against its inputSchema, with one message per bad field.

jsonschema is imported on first use, not at start (it costs about 0.1 s).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

MESSAGE_LIMIT = 500


def cut(text: str, limit: int) -> str:
    """`text` cut at `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters not shown]"


def validator_for(schema: Mapping[str, Any]) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema)


def argument_errors(validator: Draft202012Validator, arguments: Any) -> list[str]:
    """One message per bad field of `arguments`, naming it ("limit: 'ten' is not of type 'integer'")."""
    schema = validator.schema
    allowed = sorted(schema.get("properties", {}) if isinstance(schema, Mapping) else ())
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
            by_field.setdefault(where or "(arguments)", cut(_message(error), MESSAGE_LIMIT))
    return [f"{field_name}: {message}" for field_name, message in sorted(by_field.items())]


def _message(error: ValidationError) -> str:
    """jsonschema's message, except where it does not say what to change: a value matching no
    variant of a union gets each variant's first problem; a closed object's extra member, its name."""
    if error.validator == "not" and error.validator_value == {}:
        return "no value is allowed here"
    if error.validator in ("oneOf", "anyOf") and error.context:
        first: dict[int, ValidationError] = {}
        for sub in error.context:
            first.setdefault(int(sub.relative_schema_path[0]), sub)
        reasons = "; ".join(
            f"{n + 1}) {'/'.join(str(p) for p in sub.relative_path) or 'value'}: {_message(sub)}"
            for n, sub in sorted(first.items())
        )
        variants = error.validator_value if isinstance(error.validator_value, list) else []
        return f"matches none of the {len(variants)} variants: {reasons}"
    return str(error.message)


def value_problem(value: Any, schema: Mapping[str, Any], defs: Mapping[str, Any] | None = None) -> str | None:
    """Why `schema` (a property's, with the tool's `$defs`) rejects `value`, or None."""
    checked = {**schema, "$defs": defs} if defs else schema
    error = next(iter(validator_for(checked).iter_errors(value)), None)
    return str(error.message) if error is not None else None
