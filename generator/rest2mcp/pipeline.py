"""The whole pipeline as plain functions: analyze (load, validate, configuration, IR) -> emit
(templates, catalog, typed models) -> write. `prepare` is the first two, `generate` all three."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rest2mcp import __version__
from rest2mcp.diagnostics import Diagnostic, Diagnostics, GenerationFailed, Severity
from rest2mcp.document import swagger2
from rest2mcp.document.bundling import bundle
from rest2mcp.document.loading import LoadedDocument, load
from rest2mcp.document.validation import openapi_version, validate
from rest2mcp.emit.package import package_info
from rest2mcp.mapping.ir import Api
from rest2mcp.mapping.naming import default_package_name, env_prefix, import_name, package_name_problem
from rest2mcp.mapping.operations import build_api
from rest2mcp.options import Options
from rest2mcp.surface.config import MODES
from rest2mcp.surface.config_file import load_config
from rest2mcp.surface.package import PackageMeta
from rest2mcp.writing.manifest import WritePlan, WriteReport, apply_plan, plan_write, sha256

if TYPE_CHECKING:
    from rest2mcp.emit.models import Meanwhile

MANY_TOOLS = 100  # above this, suggest discovery mode or toolsets
LARGE_LIST = 1_000_000  # bytes of a tools/list above which too (about 250,000 tokens)
BYTES_PER_TOKEN = 4  # of JSON text, roughly (bench/payload.py estimates the same way)

# Told the name of each stage as it begins (a progress display); the pipeline never prints.
Progress = Callable[[str], None]
# The tool names of an earlier generation for a package name: (METHOD, path) -> name.
PreviousNames = Callable[[str], Mapping[tuple[str, str], str]]


def _quiet(stage: str) -> None:
    pass


@dataclass
class Generated:
    api: Api
    files: dict[str, bytes]
    diagnostics: list[Diagnostic]
    header: dict  # what the manifest records about this run (no timestamps: output is deterministic)
    referenced: list[str] = field(default_factory=list)  # the files (or URLs) the document's $refs read


def _located(diagnostics: Diagnostics, loaded: LoadedDocument | None) -> list[Diagnostic]:
    if loaded is None:
        return list(diagnostics.items)
    return diagnostics.located(loaded.locate)


def _usage_error(code: str, message: str, hint: str) -> GenerationFailed:
    return GenerationFailed([Diagnostic(Severity.ERROR, code, message, None, hint)])


def check_options(options: Options) -> None:
    if options.name is not None:
        problem = package_name_problem(options.name)
        if problem:
            raise _usage_error("E401", f"invalid --name {options.name!r}", problem)
    if options.mode is not None and options.mode not in MODES:
        raise _usage_error("E405", f"invalid --mode {options.mode!r}", "use 'tools' (one tool per operation), 'discovery' or 'dynamic'")
    if options.base_url is not None and urlsplit(options.base_url).scheme not in ("http", "https"):
        raise _usage_error("E402", f"invalid --base-url {options.base_url!r}", "give an absolute http:// or https:// URL")


def validated(source: str, options: Options, progress: Progress = _quiet,
              before_validation: Callable[[LoadedDocument, str], None] | None = None,
              ) -> tuple[LoadedDocument, str, Diagnostics]:
    """Load and validate; raises GenerationFailed on any error. `before_validation(loaded, version)`
    is called once the document is read, bundled and of a version rest2mcp reads."""
    progress("reading the document")
    loaded = load(source)
    diagnostics = Diagnostics(source=source)
    progress("reading referenced files")
    read = loaded.document
    loaded.document, loaded.parts = bundle(loaded.document, source, loaded.url, diagnostics,
                                           options.allowed_ref_hosts, options.allowed_ref_dirs, loaded.referenced,
                                           text=loaded.utf8 if loaded.utf8 is not None else loaded.text)
    loaded.plain_json = loaded.plain_json and loaded.document is read  # parts of other files may be YAML
    version = openapi_version(loaded.document, diagnostics)
    if version and before_validation is not None:
        before_validation(loaded, version)
    if version and not options.skip_validation:
        progress("validating")
        validate(loaded.document, version, diagnostics)
    if diagnostics.errors or version is None:
        raise GenerationFailed(_located(diagnostics, loaded))
    return loaded, version, diagnostics


@dataclass
class Analysis:
    """What a spec and its configuration say, before any file is produced."""

    source: str
    loaded: LoadedDocument  # as read, validated and bundled (a 2.0 document stays 2.0 here)
    document: dict  # the OpenAPI 3.x document the IR was built from
    api: Api
    diagnostics: list[Diagnostic]  # located in the document as read
    config_file: Path | None
    config_sha256: str | None
    package: PackageMeta = field(default_factory=PackageMeta)  # [package]: the distribution's metadata
    # Every float of the document and the configuration is plain (numbers.py): msgspec may write the catalog.
    plain_floats: bool = False
    document_data: bytes | None = None  # `document` as the package serves it, when made already


def analyze(source: str, options: Options, progress: Progress = _quiet,
            previous_names: PreviousNames | None = None, models: Meanwhile | None = None) -> Analysis:
    """Load, validate and read the configuration, then build the IR; raises GenerationFailed on
    errors (and, with --strict, on warnings). `previous_names`: the names tools had in an earlier
    generation of the package (its output folder), which they keep. `models`: begun on the
    OpenAPI 3 document as soon as it is read (emit/models.py), when given."""
    check_options(options)
    explicit = Path(options.config_path) if options.config_path else None
    loaded_config = load_config(source, explicit)
    config = loaded_config.config
    if options.mode:
        config = replace(config, mode=options.mode)
    if options.read_only:
        config = replace(config, read_only=True)
    lifted: list[dict] = []  # the OpenAPI 3 document, made before validation so that models can begin

    def read(loaded: LoadedDocument, version: str) -> None:
        lifted.append(swagger2.convert(loaded.document, loaded.url) if version == "2.0" else loaded.document)
        if models is not None:
            models.start(lifted[0])

    loaded, version, diagnostics = validated(source, options, progress, read)
    document, version = lifted[0], "3.0" if version == "2.0" else version
    info = document.get("info")
    info = info if isinstance(info, dict) else {}
    package = (options.name or config.package.name
               or default_package_name(info.get("title") if isinstance(info.get("title"), str) else None))
    problem = package_name_problem(package) if options.name is None and config.package.name is None else None
    if problem:
        raise _usage_error("E401", f"the name {package!r} made from info.title cannot name the package",
                           f"{problem}, or pass --name")
    progress("mapping operations to tools")
    prepared: dict[str, bytes] = {}
    api = build_api(
        document,
        version,
        package=package,
        module=import_name(package),
        env_prefix=env_prefix(package),
        spec_url=loaded.url,
        spec_source=source,
        diagnostics=diagnostics,
        preferred_media_types=options.preferred_media_types,  # normalized where chosen
        output_schema_limit=options.output_schema_limit,
        config=config,
        previous_names=previous_names(package) if previous_names is not None else None,
        meanwhile=lambda: _prepare_rendering(loaded, prepared),
    )
    _suggest_fewer_tools(api, diagnostics)
    api = _base_url(api, options, diagnostics)
    analysis = Analysis(source, loaded, document, api, [], loaded_config.path,
                        sha256(loaded_config.raw) if loaded_config.raw is not None else None, config.package,
                        plain_floats=loaded.plain_json and loaded_config.floats_plain(),
                        document_data=prepared.get("document"))
    if not api.tools and not api.webhooks_only and not options.allow_empty:
        _no_tools(api, loaded_config.path, diagnostics)
        raise GenerationFailed(located(analysis, diagnostics))
    analysis.diagnostics = _strict(options, located(analysis, diagnostics))
    return analysis


def left_out_summary(api: Api) -> str:
    """'3 operations left out: 1 deprecated, 2 filtered', or '' when every operation is a tool."""
    counts = api.left_out_counts()
    total = sum(counts.values())
    if not total:
        return ""
    reasons = ", ".join(f"{count} {reason}" for reason, count in counts.items())
    return f"{total} operation{'s' * (total != 1)} left out: {reasons}"


def _no_tools(api: Api, config_file: Path | None, diagnostics: Diagnostics) -> None:
    """The error of a document that gives no tool: why each operation was left out, and what to change."""
    counts = api.left_out_counts()
    hints = []
    if counts.get("filtered"):
        where = config_file.as_posix() if config_file is not None else "the configuration"
        hints.append(f"check [include] and [exclude] in {where}")
    if counts.get("read-only"):
        hints.append("leave out --read-only (read_only = true): every operation changes something")
    if counts.get("deprecated"):
        hints.append("set deprecated = true in rest2mcp.toml")
    if counts.get("unmappable"):
        hints.append("fix what the warnings say")
    if not counts:
        hints.append("describe the API's operations under `paths`")
    hints.append("or pass --allow-empty to accept a package without tools")
    why = left_out_summary(api) or "the document describes no operation"
    diagnostics.add(Severity.ERROR, "E331", f"no tools: {why}", None, "; ".join(hints))


def _suggest_fewer_tools(api: Api, diagnostics: Diagnostics) -> None:
    """I601 in tools mode when the list is long (more than MANY_TOOLS) or large (more than
    LARGE_LIST bytes: a model's context holds all of it); it says the list's size either way."""
    if api.mode != "tools" or not api.tools:
        return
    import msgspec  # (imported already: the document was read with it)

    size = len(msgspec.json.encode([tool.definition() for tool in api.tools]))
    if len(api.tools) <= MANY_TOOLS and size <= LARGE_LIST:
        return
    diagnostics.add(Severity.INFO, "I601", f"{len(api.tools)} tools, a tools/list of {_megabytes(size)} (about "
                    f"{size // BYTES_PER_TOKEN:,} tokens, all of them in the model's context): many MCP clients "
                    "handle at most 40-128 tools and slow down on large tool lists", None,
                    "generate with --mode discovery (three tools that search, describe and call every operation) "
                    "or --mode dynamic (the model enables the toolsets it needs), start the server with "
                    "--toolsets, or select operations in rest2mcp.toml")


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"


def _base_url(api: Api, options: Options, diagnostics: Diagnostics) -> Api:
    """--base-url replaces the document's; without either, the server needs one at start."""
    if options.base_url:
        return Api(**{**api.__dict__, "base_url": options.base_url.rstrip("/"), "base_url_note": None})
    if api.base_url is None and api.tools:  # a package with no tools calls nothing
        diagnostics.add(Severity.INFO, "I602", f"no base URL for the API: {api.base_url_note}", None,
                        f"start the server with --base-url URL (or set {api.env_prefix}_BASE_URL), "
                        "or generate with --base-url")
    return api


def located(analysis: Analysis, diagnostics: Diagnostics) -> list[Diagnostic]:
    """Diagnostics about `analysis.document` with pointers and lines in the document as read."""
    if analysis.loaded.document is not analysis.document:  # lifted from Swagger 2.0
        diagnostics.items = [replace(d, pointer=swagger2.original_pointer(d.pointer)) if d.pointer else d
                             for d in diagnostics.items]
    return _located(diagnostics, analysis.loaded)


def _strict(options: Options, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics; with --strict, GenerationFailed when any is a warning (warnings become errors)."""
    if options.strict and any(d.severity is Severity.WARNING for d in diagnostics):
        raise GenerationFailed(diagnostics, refused_by_strict=True)
    return diagnostics


def _prepare_rendering(loaded: LoadedDocument, prepared: dict[str, bytes]) -> None:
    """What rendering needs that the mapping does not, made while a large API's second process
    finishes its outputs (mapping/output_process.py), not before or after the mapping: rendering's
    imports (Jinja's modules most of their time), the document as the package serves it, and the
    digest of its text the manifest records."""
    import rest2mcp.emit.models
    import rest2mcp.emit.render  # noqa: F401
    from rest2mcp.emit.catalog import document_json

    prepared["document"] = document_json(loaded.document, loaded.plain_json)
    loaded.sha256()


def emit(analysis: Analysis, options: Options, progress: Progress = _quiet,
         meanwhile: Meanwhile | None = None) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The package's files, and what typed models cost (a warning when they cannot be made);
    `meanwhile`: the typed models begun by `analyze`."""
    from rest2mcp.emit import models, render  # (see _prepare_rendering)

    api = analysis.api
    progress("rendering the package")
    config_dir = analysis.config_file.parent if analysis.config_file is not None else None
    files = render.render(api, spec_name_of(analysis.source), analysis.loaded.document,
                          package_info(analysis.package, config_dir), plain_json=analysis.loaded.plain_json,
                          plain_floats=analysis.plain_floats, document_data=analysis.document_data)
    diagnostics = Diagnostics(source=analysis.source)
    if options.models:
        progress("making typed models")
        code = models.typed_models(analysis.document, diagnostics, meanwhile)
        if code is not None:
            files = dict(sorted({**files, f"{api.module}/models.py": code.encode("utf-8")}.items()))
    return files, located(analysis, diagnostics)


def manifest_header(analysis: Analysis, options: Options) -> dict:
    """What the manifest records about this run (no timestamps: output is deterministic)."""
    settings = _config(options)
    header = {
        "generator": f"rest2mcp {__version__}",
        "spec": {"source": analysis.source, "sha256": analysis.loaded.sha256()},
        "config": settings,
        "config_sha256": sha256(json.dumps(settings, sort_keys=True).encode()),
    }
    if analysis.config_file is not None:
        header["config_file"] = {"path": analysis.config_file.as_posix(), "sha256": analysis.config_sha256}
    return header


def prepare(source: str, options: Options, progress: Progress = _quiet,
            previous_names: PreviousNames | None = None) -> Generated:
    """Everything but writing: the IR and the files, in memory."""
    from rest2mcp.emit.models import Meanwhile

    meanwhile = Meanwhile() if options.models else None
    try:
        with _no_cycle_collection():
            analysis = analyze(source, options, progress, previous_names, meanwhile)
            files, emitted = emit(analysis, options, progress, meanwhile)
    finally:
        if meanwhile is not None:
            meanwhile.stop()  # (a failure's: emit has waited for it otherwise)
    diagnostics = _strict(options, analysis.diagnostics + emitted)
    return Generated(analysis.api, files, diagnostics, manifest_header(analysis, options),
                     list(analysis.loaded.referenced))


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while it runs: a large document is millions of objects that all
    live until the package is made, and the collector walked them all again and again (a quarter of
    a generation's time) to find nothing to free. Reference counting still frees what is dropped."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was made meanwhile joins the oldest generation at once: left in the youngest, it would
        # all be examined by the first collection after resuming (a tenth of a second on a large API).
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def spec_name_of(source: str) -> str:
    return PurePosixPath(urlsplit(source).path).name if "://" in source else Path(source).name


def _config(options: Options) -> dict:
    """The options that shape the output (strictness and validation do not)."""
    settings = {"name": options.name, "base_url": options.base_url,
                "allowed_ref_hosts": list(options.allowed_ref_hosts),
                "preferred_media_types": list(options.preferred_media_types), "models": options.models,
                "output_schema_limit": options.output_schema_limit, "config_path": options.config_path,
                "mode": options.mode}
    if options.allowed_ref_dirs:  # only when given: the manifests of runs without it stay as they were
        settings["allowed_ref_dirs"] = list(options.allowed_ref_dirs)
    if options.read_only:  # the same
        settings["read_only"] = True
    return settings


def plan(generated: Generated, out_dir: Path) -> WritePlan:
    from rest2mcp.emit.render import scaffold_paths

    return plan_write(out_dir, generated.files, scaffold_paths(generated.api), generated.header)


def generate(source: str, out_dir: Path, options: Options, force: bool = False) -> tuple[Generated, WriteReport]:
    """Generate into `out_dir`; raises OwnershipConflict (nothing written) on hand edits unless `force`."""
    generated = prepare(source, options)
    return generated, apply_plan(out_dir, plan(generated, out_dir), force=force)
