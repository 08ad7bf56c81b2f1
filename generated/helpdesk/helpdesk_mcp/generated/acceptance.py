# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""A quick yes for a value that a simple schema accepts, before jsonschema walks it.

Most tools' schemas use a few keywords (types, properties, required members, lengths, bounds, string
enums) and most values a model or an API sends are valid. jsonschema takes tens of microseconds
for such a check, on every call, twice (arguments and structured content); the function made here
from the schema takes a few. It decides exactly as jsonschema does for the keywords it knows (the
same type checker, the same comparisons), and a schema with any other keyword jsonschema applies
(`$ref`, `pattern`, `patternProperties`, ...) gets no such function. Only its yes is used: a value
it refuses is checked by jsonschema again, which says what is wrong (arguments.within_budget).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

Check = Callable[[Any], bool]
_TYPES = frozenset(("array", "boolean", "integer", "null", "number", "object", "string"))
_made: dict[int, tuple[Any, Check | None]] = {}  # id(schema) -> (schema, check); the schema keeps its id
_MADE_LIMIT = 4096


class _Unknown(Exception):
    """The schema uses a keyword (or a form of one) this module does not decide."""


def acceptor(validator: Validator) -> Check | None:
    """The quick check of `validator`'s schema: True exactly when the schema accepts the value;
    None when the schema uses something it does not decide. Made once per schema object."""
    schema = validator.schema
    known = _made.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    try:
        check: Check | None = _compile(schema, validator, frozenset(type(validator).VALIDATORS))
    except _Unknown:
        check = None
    if len(_made) >= _MADE_LIMIT:
        _made.clear()
    _made[id(schema)] = (schema, check)
    return check


def _compile(schema: Any, validator: Validator, keywords: frozenset[str]) -> Check:
    if schema is True:
        return lambda value: True
    if schema is False:
        return lambda value: False
    if not isinstance(schema, Mapping) or "$schema" in schema:  # another dialect's rules would apply below it
        raise _Unknown
    is_type = validator.is_type
    checks: list[Check] = []
    for keyword, argument in schema.items():
        if keyword not in keywords or keyword == "format":  # annotations; format: no format checker is set
            continue
        make = _KEYWORDS.get(keyword)
        if make is None:
            raise _Unknown
        checks.append(make(argument, schema, validator, keywords, is_type))
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


Maker = Callable[[Any, Mapping[str, Any], "Validator", frozenset[str], Callable[[Any, str], bool]], Check]


def _type(argument: Any, schema: Mapping[str, Any], validator: Validator, keywords: frozenset[str],
          is_type: Callable[[Any, str], bool]) -> Check:
    names = [argument] if isinstance(argument, str) else argument
    if not isinstance(names, list) or not names or any(name not in _TYPES for name in names):
        raise _Unknown  # jsonschema raises on an unknown type name: leave that to it
    if len(names) == 1:
        name = names[0]
        return lambda value: is_type(value, name)
    return lambda value: any(is_type(value, name) for name in names)


def _properties(argument: Any, schema: Mapping[str, Any], validator: Validator, keywords: frozenset[str],
                is_type: Callable[[Any, str], bool]) -> Check:
    if not isinstance(argument, Mapping):
        raise _Unknown
    members = [(name, _compile(sub, validator, keywords)) for name, sub in argument.items()]
    return lambda value: not is_type(value, "object") or all(
        check(value[name]) for name, check in members if name in value)


def _additional(argument: Any, schema: Mapping[str, Any], validator: Validator, keywords: frozenset[str],
                is_type: Callable[[Any, str], bool]) -> Check:
    if "patternProperties" in schema:
        raise _Unknown
    declared = schema.get("properties", {})
    if argument is False:
        return lambda value: not is_type(value, "object") or all(name in declared for name in value)
    check = _compile(argument, validator, keywords)
    return lambda value: not is_type(value, "object") or all(
        check(item) for name, item in value.items() if name not in declared)


def _required(argument: Any, schema: Mapping[str, Any], validator: Validator, keywords: frozenset[str],
              is_type: Callable[[Any, str], bool]) -> Check:
    if not isinstance(argument, list):
        raise _Unknown
    names = list(argument)
    return lambda value: not is_type(value, "object") or all(name in value for name in names)


def _enum(argument: Any, schema: Mapping[str, Any], validator: Validator, keywords: frozenset[str],
          is_type: Callable[[Any, str], bool]) -> Check:
    # jsonschema's equality for strings and null is Python's; for numbers, booleans, lists and
    # objects it differs (1 is not true): those are left to it.
    if not isinstance(argument, list) or any(not (member is None or isinstance(member, str)) for member in argument):
        raise _Unknown
    texts = frozenset(member for member in argument if isinstance(member, str))
    null = None in argument
    return lambda value: (value is None and null) or (isinstance(value, str) and value in texts)


def _const(argument: Any, schema: Mapping[str, Any], validator: Validator, keywords: frozenset[str],
           is_type: Callable[[Any, str], bool]) -> Check:
    return _enum([argument], schema, validator, keywords, is_type)


def _not(argument: Any, schema: Mapping[str, Any], validator: Validator, keywords: frozenset[str],
         is_type: Callable[[Any, str], bool]) -> Check:
    check = _compile(argument, validator, keywords)
    return lambda value: not check(value)


def _all_of(argument: Any, schema: Mapping[str, Any], validator: Validator, keywords: frozenset[str],
            is_type: Callable[[Any, str], bool]) -> Check:
    checks = _each(argument, validator, keywords)
    return lambda value: all(check(value) for check in checks)


def _any_of(argument: Any, schema: Mapping[str, Any], validator: Validator, keywords: frozenset[str],
            is_type: Callable[[Any, str], bool]) -> Check:
    checks = _each(argument, validator, keywords)
    return lambda value: any(check(value) for check in checks)


def _one_of(argument: Any, schema: Mapping[str, Any], validator: Validator, keywords: frozenset[str],
            is_type: Callable[[Any, str], bool]) -> Check:
    checks = _each(argument, validator, keywords)
    return lambda value: sum(1 for check in checks if check(value)) == 1


def _each(argument: Any, validator: Validator, keywords: frozenset[str]) -> list[Check]:
    if not isinstance(argument, list) or not argument:
        raise _Unknown
    return [_compile(sub, validator, keywords) for sub in argument]


def _items(argument: Any, schema: Mapping[str, Any], validator: Validator, keywords: frozenset[str],
           is_type: Callable[[Any, str], bool]) -> Check:
    if "prefixItems" in schema:
        raise _Unknown
    check = _compile(argument, validator, keywords)
    return lambda value: not is_type(value, "array") or all(check(item) for item in value)


def _size(kind: str, longest: bool) -> Maker:
    """minLength and maxLength (strings), minItems and maxItems (arrays), minProperties and maxProperties."""

    def make(argument: Any, schema: Mapping[str, Any], validator: Validator, keywords: frozenset[str],
             is_type: Callable[[Any, str], bool]) -> Check:
        if not isinstance(argument, (int, float)) or isinstance(argument, bool):
            raise _Unknown
        if longest:
            return lambda value: not is_type(value, kind) or not len(value) > argument
        return lambda value: not is_type(value, kind) or not len(value) < argument

    return make


def _bound(refuses: Callable[[Any, Any], bool]) -> Maker:
    """minimum, maximum and their exclusive forms, with jsonschema's comparisons."""

    def make(argument: Any, schema: Mapping[str, Any], validator: Validator, keywords: frozenset[str],
             is_type: Callable[[Any, str], bool]) -> Check:
        if not isinstance(argument, (int, float)) or isinstance(argument, bool):
            raise _Unknown
        return lambda value: not is_type(value, "number") or not refuses(value, argument)

    return make


_KEYWORDS: dict[str, Maker] = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "enum": _enum,
    "const": _const,
    "not": _not,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "items": _items,
    "minLength": _size("string", longest=False),
    "maxLength": _size("string", longest=True),
    "minItems": _size("array", longest=False),
    "maxItems": _size("array", longest=True),
    "minProperties": _size("object", longest=False),
    "maxProperties": _size("object", longest=True),
    "minimum": _bound(lambda value, bound: value < bound),
    "maximum": _bound(lambda value, bound: value > bound),
    "exclusiveMinimum": _bound(lambda value, bound: value <= bound),
    "exclusiveMaximum": _bound(lambda value, bound: value >= bound),
}
