"""Check a document against the OpenAPI specification, every error as a diagnostic."""

from __future__ import annotations

from typing import Any

from rest2mcp.diagnostics import Diagnostics, pointer_join

MAX_REPORTED = 50


def openapi_version(document: dict[str, Any], diagnostics: Diagnostics) -> str | None:
    """'3.0' or '3.1' for a supported document; None (with an error) otherwise."""
    version = document.get("openapi")
    if isinstance(version, str) and version.startswith("3.0"):
        return "3.0"
    if isinstance(version, str) and version.startswith("3.1"):
        return "3.1"
    if "swagger" in document:
        diagnostics.error(
            "E301",
            f"Swagger {document.get('swagger')} documents are not supported yet",
            "/swagger",
            "convert it to OpenAPI 3 (for example with swagger2openapi) and generate from the result",
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


def validate(document: dict[str, Any], version: str, diagnostics: Diagnostics) -> None:
    """Append one E202 diagnostic per validation error."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    validator_class = OpenAPIV31SpecValidator if version == "3.1" else OpenAPIV30SpecValidator
    try:
        errors = list(validator_class(document).iter_errors())
    except RecursionError:
        diagnostics.warning(
            "W201",
            "the validator could not finish on this document (too deeply nested); validation skipped",
            "",
        )
        return
    except Exception as exc:  # noqa: BLE001 -- the validator's own failures must not hide the rest of the run
        diagnostics.error(
            "E202",
            f"the validator stopped: {type(exc).__name__}: {exc}",
            "",
            "this usually means an unresolvable $ref; check the references in the document",
        )
        return
    for error in errors[:MAX_REPORTED]:
        path = list(getattr(error, "absolute_path", []) or [])
        message = getattr(error, "message", str(error))
        diagnostics.error(
            "E202",
            _shorten(message),
            pointer_join(*path),
            "fix the document, or pass --skip-validation to generate from it as it is",
        )
    if len(errors) > MAX_REPORTED:
        diagnostics.error("E202", f"... and {len(errors) - MAX_REPORTED} more validation errors", "")


def _shorten(message: str, limit: int = 300) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 3] + "..."
