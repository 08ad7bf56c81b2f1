# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""A tool's arguments: checked against its inputSchema, with one message per bad field.

A document's `pattern` is matched with the `regex` module under a time limit, never with `re`:
a pattern such as `^(a|a)+$` would otherwise hold the process (and every client of it) on one
argument. All of one check's matches share `PATTERN_SECONDS`; a value not checked in that time is
refused, naming its field. `checked` runs the check in a worker thread (`regex` releases the GIL
while it matches), so other calls go on meanwhile. NaN and Infinity, which JSON has no spelling
for, are refused too.

jsonschema and regex are imported on first use, not at start (they cost about 0.1 s).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .acceptance import acceptor
from .media import PATTERN_END

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

MESSAGE_LIMIT = 500
# Base64 with its padding (RFC 4648), as validators check `format: byte` and strict decoders read
# it: the pattern inputSchemas give base64 text.
BASE64_PATTERN = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?" + PATTERN_END
# What a path value may not be: URL parsers read "." and "..", even percent-encoded, as steps up
# the path, so the request would reach another resource. inputSchemas say `not` this.
STEP_VALUES = (".", "..")
RELATIVE_STEPS: dict[str, Any] = {"enum": list(STEP_VALUES)}
RELATIVE_STEP_MESSAGE = "'.' and '..' are not allowed in a path parameter (they would change the path)"
BASE64_MESSAGE = "the value must be base64-encoded (RFC 4648, with padding)"
PATTERN_SECONDS = 1.0  # what all the pattern matches of one check may take together
_budget = threading.local()  # .deadline: when the current thread's check must end (time.monotonic)
_validator_class: list[type[Validator]] = []


def cut(text: str, limit: int) -> str:
    """`text` cut at `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters not shown]"


def _matches(pattern: str, text: str) -> bool | None:
    """Whether `pattern` matches somewhere in `text` (as JSON Schema says); None: not known in time."""
    import regex

    deadline = getattr(_budget, "deadline", None)
    remaining = PATTERN_SECONDS if deadline is None else deadline - time.monotonic()
    if remaining <= 0:
        return None
    try:
        return regex.search(pattern, text, timeout=remaining, concurrent=True) is not None
    except TimeoutError:
        return None


def _too_slow(pattern: str) -> str:
    return (f"could not be checked against the pattern {cut(pattern, 100)!r} within {PATTERN_SECONDS:g} s; "
            "give a shorter or simpler value")


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string"):
        matched = _matches(pattern, instance)
        if matched is None:
            yield ValidationError(_too_slow(pattern))
        elif not matched:
            yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any,
                        schema: Any) -> Iterator[ValidationError]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for name, value in instance.items():
            matched = _matches(pattern, name)
            if matched is None:
                yield ValidationError(f"the member name {cut(name, 100)!r} " + _too_slow(pattern))
            elif matched:
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _additional_properties(validator: Any, additional: Any, instance: Any,
                           schema: Any) -> Iterator[ValidationError]:
    """jsonschema's own, except that member names are matched against patternProperties as above."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

    patterns = schema.get("patternProperties") if isinstance(schema, Mapping) else None
    if not patterns or not validator.is_type(instance, "object"):
        yield from Draft202012Validator.VALIDATORS["additionalProperties"](validator, additional, instance, schema)
        return
    declared = schema.get("properties", {})
    extras = [name for name in instance
              if name not in declared and not any(_matches(p, name) is not False for p in patterns)]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif additional is False and extras:
        joined = ", ".join(repr(each) for each in sorted(extras))
        yield ValidationError(f"{joined} {'does' if len(extras) == 1 else 'do'} not match any of the regexes: "
                              + ", ".join(repr(each) for each in sorted(patterns)))


def validator_for(schema: Mapping[str, Any]) -> Validator:
    """A JSON Schema 2020-12 validator whose patterns are matched in bounded time (see above)."""
    if not _validator_class:
        from jsonschema import Draft202012Validator, validators

        extend: Callable[..., type[Validator]] = validators.extend
        _validator_class.append(extend(Draft202012Validator, {
            "pattern": _pattern, "patternProperties": _pattern_properties,
            "additionalProperties": _additional_properties,
        }))
    return _validator_class[0](schema)


def _non_finite(value: Any, where: str = "") -> Iterator[str]:
    """Where `value` holds NaN or an infinity (which JSON cannot carry): field paths."""
    if isinstance(value, float) and not math.isfinite(value):
        yield where or "(arguments)"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, f"{where}/{key}" if where else str(key))
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield from _non_finite(item, f"{where}/{number}" if where else str(number))


async def checked(validator: Validator, arguments: Any) -> list[str]:
    """`argument_errors`, in a worker thread when the schema has patterns (a slow match does not hold
    the other calls); otherwise the check is quick and a thread hop would cost more than it, alone
    or with other calls in flight: the check holds the GIL either way, so the thread would not let
    the event loop get on with the others, only make both pass the GIL back and forth."""
    if not has_patterns(validator.schema):
        return argument_errors(validator, arguments)
    import anyio.to_thread

    return await anyio.to_thread.run_sync(argument_errors, validator, arguments)


_PATTERN_KEYWORDS = frozenset(("pattern", "patternProperties"))
_pattern_scan: dict[int, tuple[Any, bool]] = {}  # id(schema) -> (schema, has patterns); the schema keeps its id
_PATTERN_SCAN_LIMIT = 4096


def has_patterns(schema: Any) -> bool:
    """Whether `schema` uses `pattern` or `patternProperties` anywhere (a property of that name counts
    too: it only costs a thread hop). Scanned once per schema."""
    known = _pattern_scan.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    found = _scan_patterns(schema)
    if len(_pattern_scan) >= _PATTERN_SCAN_LIMIT:
        _pattern_scan.clear()
    _pattern_scan[id(schema)] = (schema, found)
    return found


def _scan_patterns(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(key in _PATTERN_KEYWORDS or _scan_patterns(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_scan_patterns(item) for item in value)
    return False


def within_budget(validator: Validator, instance: Any) -> list[ValidationError]:
    """`validator`'s errors for `instance`, all its pattern matches within PATTERN_SECONDS. A value a
    simple schema accepts is known valid at once (acceptance.py); jsonschema checks the others."""
    accepts = acceptor(validator)
    if accepts is not None and accepts(instance):
        return []
    _budget.deadline = time.monotonic() + PATTERN_SECONDS
    try:
        return list(validator.iter_errors(instance))
    finally:
        _budget.deadline = None


def argument_errors(validator: Validator, arguments: Any) -> list[str]:
    """One message per bad field of `arguments`, naming it ("limit: 'ten' is not of type 'integer'")."""
    schema = validator.schema
    allowed = sorted(schema.get("properties", {}) if isinstance(schema, Mapping) else ())
    by_field: dict[str, str] = dict.fromkeys(
        _non_finite(arguments), "NaN and Infinity are not JSON numbers: give a finite number")
    error: Any
    for error in within_budget(validator, arguments):
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
    if error.validator == "not" and error.validator_value == RELATIVE_STEPS:
        return RELATIVE_STEP_MESSAGE
    if error.validator == "pattern" and error.validator_value == BASE64_PATTERN:
        return BASE64_MESSAGE
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
