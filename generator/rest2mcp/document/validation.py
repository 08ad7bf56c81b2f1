"""Check a document against the OpenAPI specification, every error as a diagnostic.

The validator reads nothing but the document it is given: references to other documents that are
still there after bundling (refused, or unreadable) are pointed at an empty placeholder before it
runs, and its reference resolver refuses every URI scheme, so it never fetches a URL or reads a file
itself (it would by default).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, NoReturn

from rest2mcp import cache
from rest2mcp.diagnostics import Diagnostics, pointer_join
from rest2mcp.document.refs import Resolver, UnresolvableRef, decode_pointer, without_external_refs

MAX_REPORTED = 50
# Where references to other documents point while the validator runs: nothing it could complain about.
PLACEHOLDER_KEY = "x-rest2mcp-not-read"


class NotRetrieved(Exception):
    """The validator asked for another document: it gets none."""


def _refuse(uri: str) -> NoReturn:
    raise NotRetrieved(f"{uri} is not read during validation")


class _NoRetrieval(Mapping[str, Any]):
    """Resolver handlers for every URI scheme, each refusing. (An empty mapping would not do: for a
    scheme without a handler, jsonschema-path falls back to fetching the URI with urllib.)"""

    def __getitem__(self, scheme: str) -> Any:
        return _refuse

    def __contains__(self, scheme: object) -> bool:
        return True

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0


def openapi_version(document: dict[str, Any], diagnostics: Diagnostics) -> str | None:
    """'2.0', '3.0' or '3.1' for a supported document; None (with an error) otherwise."""
    version = document.get("openapi")
    if str(document.get("swagger")) == "2.0" and version is None:
        return "2.0"
    if isinstance(version, str) and version.startswith("3.0"):
        return "3.0"
    if isinstance(version, str) and version.startswith("3.1"):
        return "3.1"
    if "swagger" in document:
        diagnostics.error(
            "E201",
            f"unsupported Swagger version {document.get('swagger')!r}",
            "/swagger",
            "rest2mcp reads Swagger 2.0 and OpenAPI 3.0 and 3.1 documents",
        )
        return None
    if version is None:
        diagnostics.error(
            "E201",
            "not an OpenAPI document: no 'openapi' field",
            "",
            "an OpenAPI 3 document starts with 'openapi: 3.0.3' or 'openapi: 3.1.0'",
        )
    else:
        diagnostics.error(
            "E201",
            f"unsupported OpenAPI version {version!r}",
            "/openapi",
            "rest2mcp reads OpenAPI 3.0 and 3.1 documents",
        )
    return None


VALIDATION_HINT = (
    "fix the document; rest2mcp maps what it can, but the operations concerned may misbehave "
    "(--strict refuses such documents)"
)


def validate(document: dict[str, Any], version: str, diagnostics: Diagnostics) -> None:
    """Append one W202 diagnostic per finding of openapi-spec-validator.

    Findings are warnings, not errors: real documents are often slightly invalid (a default of
    the wrong type, an unknown field, a duplicate operationId) and still describe a usable API.
    `--strict` turns them into errors; operations that really cannot be mapped are skipped by
    the build with a warning of their own. The findings of a document already validated come
    from the cache (see rest2mcp.cache), keyed by the document's content.
    """
    entry = cache.key("validation", version, cache.library_version("openapi-spec-validator"),
                      cache.library_version("jsonschema-rs"), cache.source_digest(__file__), cache.document_key(document))
    for code, message, pointer, hint in cache.cached("validation", entry, lambda: findings(_placeheld(document), version)):
        diagnostics.warning(code, message, pointer, hint)


def findings(local: dict[str, Any], version: str) -> list[tuple[str, str, str, str | None]]:
    """The validator's findings as (code, message, pointer, hint).

    The document is checked against the OpenAPI schema by jsonschema-rs when it is installed (a
    few times faster than jsonschema on large documents); it says nothing more than whether the
    document is valid. When it is not, the check runs again with jsonschema, whose messages are
    the ones reported: the two agree on validity, not on wording.
    """
    try:
        errors = list(_validator_class(version, fast=True)(local).iter_errors()) if _has_fast_backend() else None
        if errors is None or errors:
            errors = list(_validator_class(version, fast=False)(local).iter_errors())
    except RecursionError:
        return [("W201", "the validator could not finish on this document (too deeply nested)", "", None)]
    except Exception as exc:  # noqa: BLE001 -- the validator's own failures must not stop generation
        return [("W201", f"the validator could not finish: {type(exc).__name__}: {_shorten(str(exc))}", "", None)]
    found: list[tuple[str, str, str, str | None]] = []
    for error in errors[:MAX_REPORTED]:
        path = _where(local, list(getattr(error, "absolute_path", []) or []))
        message = getattr(error, "message", str(error))
        found.append(("W202", _shorten(message), pointer_join(*path), VALIDATION_HINT))
    if len(errors) > MAX_REPORTED:
        found.append(("W202", f"... and {len(errors) - MAX_REPORTED} more validation findings", "", None))
    return found


@functools.lru_cache(maxsize=1)
def _has_fast_backend() -> bool:
    from openapi_spec_validator.schemas.backend.jsonschema_rs import has_jsonschema_rs_validators

    return bool(has_jsonschema_rs_validators())


@functools.cache
def _validator_class(version: str, fast: bool) -> type:
    """openapi-spec-validator's class for `version`, reading no other document, checking the
    document against the OpenAPI schema with jsonschema-rs (`fast`) or jsonschema. Built once a
    process: compiling the OpenAPI schema is part of the cost."""
    from openapi_spec_validator import (
        OpenAPIV2SpecValidator,
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
    )
    from openapi_spec_validator.schemas import schema_v2, schema_v30, schema_v31
    from openapi_spec_validator.schemas.backend.jsonschema import create_validator as slow
    from openapi_spec_validator.schemas.backend.jsonschema_rs import create_validator as rust

    base = {"2.0": OpenAPIV2SpecValidator, "3.1": OpenAPIV31SpecValidator}.get(version, OpenAPIV30SpecValidator)
    schema = {"2.0": schema_v2, "3.1": schema_v31}.get(version, schema_v30)
    checker = rust(dict(schema)) if fast else slow(schema)
    members: dict[str, Any] = {"resolver_handlers": _NoRetrieval(), "schema_validator": checker}
    if not fast:  # the run whose findings are reported: each says where it was found
        members["keyword_validators"] = {
            name: _located(keyword, name == "default") for name, keyword in base.keyword_validators.items()}
    return type(base.__name__, (base,), members)


def _located(keyword: type, of_default: bool) -> type:
    """`keyword` (one of openapi-spec-validator's checks of a part of the document) with each finding
    it makes given the part's path from the document's root.

    These checks (a schema against its dialect, a default against its schema, duplicate parameters)
    report paths relative to the part they check, or none: "#/properties/code/pattern" would be
    placed at the document's first line. The innermost check places a finding: it was made there.
    The path is the one walked, through `$ref`s (see `_where`); a default's findings are relative to
    the default, which is the checked part's `default`.
    """
    from jsonschema_path import SchemaPath

    check = keyword.__call__

    def located_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        part = next((arg for arg in args if isinstance(arg, SchemaPath)), None)
        for error in check(self, *args, **kwargs):
            if part is not None and not getattr(error, LOCATED, False):
                setattr(error, LOCATED, True)
                error.path.extendleft(reversed([*part.parts, *(["default"] if of_default else [])]))
            yield error

    return type(keyword.__name__, (keyword,), {"__call__": located_call})


LOCATED = "_rest2mcp_located"


def _where(document: Any, path: list[Any]) -> list[Any]:
    """The path in `document` of what `path` names, where `path` may go through `$ref`s: a step that
    is not in a `$ref` object is taken in what it refers to (inside this document), so a finding in a
    shared schema is placed in the schema, where it is fixed."""
    resolver, node, where = Resolver(document), document, []
    for step in path:
        for _ in range(32):  # a chain of references; a cycle is left where it is
            ref = node.get("$ref") if isinstance(node, dict) and step not in node else None
            if not (isinstance(ref, str) and ref.startswith("#")):
                break
            try:
                node, where = resolver.lookup(ref), list(decode_pointer(ref[1:]))
            except UnresolvableRef:
                return path
        try:
            node = node[step]
        except (LookupError, TypeError):
            return path
        where.append(step)
    return where



def _placeheld(document: dict[str, Any]) -> dict[str, Any]:
    """The document with each reference to another document pointed at a placeholder of its own: an
    object the validator reads as an empty schema, or as a parameter with a name no other one has."""
    placeholders: list[dict[str, str]] = []

    def placeholder(ref: str) -> dict[str, str]:
        placeholders.append({"name": ref, "in": f"not read ({len(placeholders)})"})
        return {"$ref": f"#/{PLACEHOLDER_KEY}/{len(placeholders) - 1}"}

    local = without_external_refs(document, placeholder)
    return {**local, PLACEHOLDER_KEY: placeholders} if placeholders else document


def _shorten(message: str, limit: int = 300) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 3] + "..."
