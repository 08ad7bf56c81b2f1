"""Typed models for custom code: pydantic v2 classes of the document's schemas.

datamodel-code-generator does the work, as a library and in memory. The module it produces is
for overrides.py (hooks and hand-written tools that want typed requests and responses); the
server never imports it. A document it cannot handle costs a warning, not the generation.
It reads nothing but the document: references to other documents left after bundling (refused or
unreadable) become schemas of any value first, and its own fetching of remote references is off.
"""

from __future__ import annotations

import ast
import io
import tokenize
import warnings
from typing import Any

from rest2mcp import cache
from rest2mcp.diagnostics import Diagnostics
from rest2mcp.document.refs import without_external_refs
from rest2mcp.forked import Forked, may_fork
from rest2mcp.runtime.display import has_unsafe, printable

HEADER = '"""Pydantic models of the API\'s schemas, for overrides.py. Import them where you use them."""\n\n'


def typed_models(document: dict[str, Any], diagnostics: Diagnostics, meanwhile: Meanwhile | None = None) -> str | None:
    """models.py for `document`, or None (with a W340 warning when the schemas could not be made
    into models). A document whose schemas were made into models before gets them from the cache
    (see rest2mcp.cache), keyed by the content of the document given to the model generator;
    `meanwhile`: the second process that began making them, if one did."""
    if not _has_schemas(document):
        return None
    made = meanwhile.result() if meanwhile is not None else None
    code, problem = made if made is not None else _made(*_entry(document))
    if problem is not None:
        diagnostics.warning("W340", problem[0], "/components/schemas", problem[1])
    return code


class Meanwhile:
    """Typed models begun by a second process (rest2mcp.forked) as soon as the document is read, so
    that they are made while this process validates and maps it: on a large API each takes seconds.
    The second process looks in the cache first, as this one would."""

    def __init__(self) -> None:
        self._process: Forked | None = None

    def start(self, document: dict[str, Any]) -> None:
        if self._process is not None or not _has_schemas(document) or not may_fork(large_enough=True):
            return
        try:
            self._process = Forked(lambda: _made(*_entry(document)))
        except OSError:  # no process to be had: made here, later
            self._process = None

    def result(self) -> Any | None:
        """What the second process made, as `_made` returns it; None when there is none."""
        if self._process is None:
            return None
        made = self._process.result()
        self._process = None
        return made if isinstance(made, (list, tuple)) and len(made) == 2 else None

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None


def _has_schemas(document: dict[str, Any]) -> bool:
    components = document.get("components")
    return isinstance(components, dict) and bool(components.get("schemas"))


def _entry(document: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The document the model generator is given (its schemas) and its cache key."""
    schemas_only = {**document, "paths": {}}  # the schemas are what custom code needs
    entry = cache.key("models", cache.library_version("datamodel-code-generator"), cache.source_digest(__file__),
                      cache.document_key(schemas_only))
    return schemas_only, entry


def _made(schemas_only: dict[str, Any], entry: str) -> Any:
    # references to other documents become schemas of any value: nothing outside the document is read
    return cache.cached("models", entry, lambda: _models(without_external_refs(schemas_only, lambda ref: {})))


def _models(source: dict[str, Any]) -> tuple[str | None, tuple[str, str] | None]:
    """(the module, None), or (None, (why there is none, hint))."""
    try:
        import datamodel_code_generator as codegen
        from datamodel_code_generator.format import Formatter

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = codegen.generate(
                source,
                input_file_type=codegen.InputFileType.OpenAPI,
                output_model_type=codegen.DataModelType.PydanticV2BaseModel,
                disable_timestamp=True,
                field_constraints=True,  # Field(min_length=...) rather than constr(): type checkers read it
                set_default_enum_member=True,  # an enum's default as its member (Tone.friendly): type checkers accept it
                formatters=[Formatter.BUILTIN],
                allow_remote_refs=False,  # never fetch a URL or read a file outside the document
            )
    except Exception as exc:  # noqa: BLE001 -- any failure of the model generator only costs the models
        return None, (f"typed models (models.py) not generated: {type(exc).__name__}: {str(exc)[:200]}",
                      "the server does not need them; they only serve custom code in overrides.py")
    if not isinstance(code, str):  # schema names with dots make a package of modules
        return None, ("typed models (models.py) not generated: the schemas need several modules",
                      "the server does not need them; they only serve custom code")
    lines = code.splitlines(keepends=True)
    body = "".join(line for line in lines if not line.startswith("#   filename:") and not line.startswith("# generated by"))
    return HEADER + escaped_literals(body.lstrip("\n")), None


def escaped_literals(code: str) -> str:
    """`code` with the control and format characters of its string literals written as escapes
    (the same values) and those of its comments shown escaped: document text (enum values,
    defaults, descriptions) must not reach the source raw, where it acts on a terminal or hides
    code (bidi overrides)."""
    if not has_unsafe(code):
        return code
    lines = code.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    replacements: list[tuple[int, int, str]] = []
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type not in (tokenize.STRING, tokenize.COMMENT) or not has_unsafe(token.string):
            continue
        if token.type == tokenize.STRING:
            value = ast.literal_eval(token.string)
            text = repr(value) if isinstance(value, (str, bytes)) else printable(token.string)
        else:
            text = printable(token.string)
        start = starts[token.start[0] - 1] + token.start[1]
        end = starts[token.end[0] - 1] + token.end[1]
        replacements.append((start, end, text))
    for start, end, text in reversed(replacements):
        code = code[:start] + text + code[end:]
    return printable(code, keep="\n")  # anything left between tokens (there should be nothing)
