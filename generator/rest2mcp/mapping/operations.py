"""A validated OpenAPI 3.x document to the IR: one tool per operation.

An operation that cannot be mapped is skipped with a warning; the others are generated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from rest2mcp.diagnostics import Diagnostics, Severity, pointer_join
from rest2mcp.document.refs import Resolver, UnresolvableRef
from rest2mcp.mapping import output_process
from rest2mcp.mapping.bodies import UnsupportedBody
from rest2mcp.mapping.drafts import Context, MissingPathParameter, draft_of
from rest2mcp.mapping.ir import Api, LeftOut, Tool
from rest2mcp.mapping.naming import NameRequest, assign_tool_names
from rest2mcp.mapping.paths import PLACEHOLDERS, without_fragments
from rest2mcp.mapping.responses import DEFAULT_OUTPUT_SCHEMA_LIMIT
from rest2mcp.mapping.security import map_schemes
from rest2mcp.runtime.uris import scheme_for
from rest2mcp.schemas.convert import MAX_SCHEMA_JSON_DEPTH, SchemaTooDeep
from rest2mcp.schemas.defs import DocumentSchemas, names_agree
from rest2mcp.surface.config import Config, all_prompts
from rest2mcp.surface.resources import resource_templates
from rest2mcp.surface.selection import shape

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def build_api(
    document: dict[str, Any],
    version: str,
    *,
    package: str,
    module: str,
    env_prefix: str,
    spec_url: str | None,
    spec_source: str,
    diagnostics: Diagnostics,
    preferred_media_types: tuple[str, ...] = (),
    output_schema_limit: int = DEFAULT_OUTPUT_SCHEMA_LIMIT,
    config: Config | None = None,
    previous_names: Mapping[tuple[str, str], str] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Api:
    """The IR of `document`. `previous_names`: (METHOD, path) -> tool name of an earlier generation
    (the output folder's), so that an operation keeps its name when a new one would derive the same.
    A large API's output schemas are made by a second process where one is at hand (output_process.py);
    `meanwhile`: the caller's work for this process while it waits for the second one."""
    settings = _Settings(package, module, env_prefix, spec_url, spec_source, preferred_media_types,
                         output_schema_limit, config or Config(), previous_names)
    paths = document.get("paths")
    operations = _operation_list(paths if isinstance(paths, dict) else {}, Resolver(document))
    if output_process.wanted(len(operations)):
        attempt = Diagnostics(source=diagnostics.source)
        api = _build(document, version, settings, attempt, operations, meanwhile)
        if api is not None:
            diagnostics.extend(attempt.items)
            return api
    api = _build(document, version, settings, diagnostics)
    assert api is not None  # (one process: nothing to disagree with)
    return api


def _operation_list(paths: dict[str, Any], resolver: Resolver) -> list[tuple[str, Any]]:
    """(pointer, responses) of each operation `_build` maps, in its order: the second process's work."""
    found = []
    for path, raw_item in paths.items():
        if not str(path).startswith("/"):
            continue
        try:
            item = resolver.deref(raw_item)
        except UnresolvableRef:
            continue
        if isinstance(item, dict):
            item_pointer = pointer_join("paths", path)
            found += [(item_pointer + pointer_join(method), item[method].get("responses"))
                      for method in METHODS if isinstance(item.get(method), dict)]
    return found


@dataclass(frozen=True)
class _Settings:
    """What `build_api` was asked, but the document and where diagnostics go."""

    package: str
    module: str
    env_prefix: str
    spec_url: str | None
    spec_source: str
    preferred_media_types: tuple[str, ...]
    output_schema_limit: int
    config: Config
    previous_names: Mapping[tuple[str, str], str] | None


def _build(document: dict[str, Any], version: str, settings: _Settings, diagnostics: Diagnostics,
           operations: list[tuple[str, Any]] | None = None, meanwhile: Callable[[], object] | None = None,
           ) -> Api | None:
    """See `build_api`; `operations` (see `_operation_list`): their outputs are made by a second
    process. None when the two processes could disagree: mapped again in one."""
    resolver = Resolver(document)
    schemas = DocumentSchemas(resolver, version, diagnostics)
    schemes = map_schemes(document, resolver, settings.env_prefix, diagnostics)
    process = None
    if operations is not None:
        try:
            process = output_process.OutputProcess(operations, resolver, schemas, settings.output_schema_limit)
        except OSError:  # no process to be had (memory, limits): one does it all
            return None
    context = Context(document, resolver, schemas, schemes, diagnostics, settings.preferred_media_types,
                      settings.output_schema_limit, process, meanwhile)
    try:
        return _mapped(document, settings, context)
    finally:
        if process is not None:
            process.stop()


def _mapped(document: dict[str, Any], settings: _Settings, context: Context) -> Api | None:
    config, spec_url, package = settings.config, settings.spec_url, settings.package
    resolver, schemes, diagnostics = context.resolver, context.schemes, context.diagnostics
    info = document.get("info")
    info = info if isinstance(info, dict) else {}
    base_url, base_note = server_url(document.get("servers"), spec_url)

    drafts: list[dict[str, Any]] = []
    named_paths: list[str] = []
    unmappable: list[LeftOut] = []
    extensions: dict[str, Any] = {}  # operation pointer -> its x-mcp settings
    paths = document.get("paths")
    paths = paths if isinstance(paths, dict) else {}
    for path, raw_item in paths.items():
        item_pointer = pointer_join("paths", path)
        if str(path).startswith("x-"):  # an extension of the Paths Object, not a path
            continue
        if not str(path).startswith("/"):
            # appended to the base URL, "@host:port/x" or ".host/x" would send the requests, with
            # their credentials, to another host
            diagnostics.warning("W306", f"operations of the path {path!r} skipped: a path must start with '/'",
                                item_pointer, "start the path with '/'; the host belongs in `servers`")
            unmappable += _operations_of(path, raw_item, item_pointer)
            continue
        try:
            item = resolver.deref(raw_item)
        except UnresolvableRef as exc:
            diagnostics.warning("W301", f"path item skipped: {exc}", item_pointer)
            unmappable += _operations_of(path, raw_item, item_pointer) or [LeftOut("*", path, "unmappable", item_pointer)]
            continue
        if not isinstance(item, dict):
            continue
        template, fragments = without_fragments(path)
        if fragments:
            diagnostics.add(Severity.INFO, "I305", f"the path {path!r} is sent as {template!r}: "
                            f"{', '.join(repr(f) for f in fragments)} is a URL fragment, which no request carries",
                            item_pointer)
        if any(c in PLACEHOLDERS.sub("", template) for c in "#?"):
            diagnostics.warning(
                "W305", f"the path {path!r} contains '#' or '?', which end a URL's path: they are sent "
                "percent-encoded (%23, %3F) as part of the path, which is rarely a path the API serves", item_pointer,
                "a server variable or a query parameter was probably meant: fix the path in the document")
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            pointer = item_pointer + pointer_join(method)
            skipped = LeftOut(method.upper(), path, "unmappable", pointer)
            try:
                draft = draft_of(template, method, item, operation, pointer, context)
            except UnresolvableRef as exc:
                diagnostics.warning("W301", f"operation skipped: {exc}", pointer, "fix the reference in the document")
                unmappable.append(skipped)
                continue
            except MissingPathParameter as exc:
                diagnostics.warning("W301", f"operation skipped: {exc}", pointer,
                                    "declare a path parameter for every {variable} of the path")
                unmappable.append(skipped)
                continue
            except UnsupportedBody as exc:
                diagnostics.warning("W310", f"operation skipped: {exc}", pointer + "/requestBody")
                unmappable.append(skipped)
                continue
            except SchemaTooDeep as exc:
                diagnostics.warning("W307", f"operation skipped: {exc}", exc.pointer,
                                    "MCP clients cannot even list a tool whose schema nests this deeply: "
                                    "flatten the schema (no API needs such nesting)")
                unmappable.append(skipped)
                continue
            draft["server"] = _operation_server(operation, item, spec_url, base_url)
            drafts.append(draft)
            named_paths.append(path)  # the document's own: operations kept apart by a fragment keep apart names
            if "x-mcp" in operation:
                extensions[pointer] = operation["x-mcp"]

    webhooks_only = not paths and isinstance(document.get("webhooks"), dict)
    if webhooks_only:
        diagnostics.warning("W330", "the document describes only webhooks: no operations to call, no tools generated",
                            "/webhooks", "webhooks are requests the API sends, not ones a client makes; describe "
                            "the API's own operations under `paths` to get tools")

    names = assign_tool_names([NameRequest(d["method"], named, d["operation_id"]) for d, named in zip(drafts, named_paths)],
                              settings.previous_names)
    tools = tuple(Tool(name=name, **d) for name, d in zip(names, drafts))
    tools, toolsets, left_out = shape(tools, config, extensions, diagnostics)
    scheme = scheme_for(package)
    templates = resource_templates(tools, scheme, toolsets, config.source, config.line_of, diagnostics)
    prompts, problems = all_prompts(config, document)
    for problem in problems:
        diagnostics.add(problem.severity, problem.code, problem.message, problem.pointer, problem.hint)
    if context.process is not None:  # the outputs, now: nothing above reads them
        completed = _with_outputs(tools, drafts, context.process, context)
        if completed is None:
            return None
        tools = completed
    return Api(
        title=str(info.get("title") or package),
        version=str(info.get("version") or ""),
        description=str(info.get("description") or ""),
        package=package,
        module=settings.module,
        env_prefix=settings.env_prefix,
        base_url=base_url,
        base_url_note=base_note,
        tools=tools,
        schemes=schemes,
        spec_source=settings.spec_source,
        mode=config.mode,
        toolsets=toolsets,
        scheme=scheme,
        resources=templates,
        prompts=prompts,
        left_out=tuple(left_out) + tuple(unmappable),
        webhooks_only=webhooks_only,
    )


def _with_outputs(tools: tuple[Tool, ...], drafts: list[dict[str, Any]], process: output_process.OutputProcess,
                  context: Context) -> tuple[Tool, ...] | None:
    """`tools` with the outputs the second process made for the operations of `drafts` (all those mapped),
    and the diagnostics with what it said; None when one process could have done otherwise (see
    output_process.py)."""
    if context.meanwhile is not None:
        context.meanwhile()
    made = process.made()
    if made is None or not names_agree(context.schemas.def_names(), made.def_names):
        return None
    outputs = {}
    for draft in drafts:
        output = made.outputs.get(draft["pointer"])
        if output is None or context.depth(output.schema) > MAX_SCHEMA_JSON_DEPTH:
            return None  # one process skips the operation, with a warning: it does so then
        outputs[draft["pointer"]] = output
    diagnostics = context.diagnostics
    merged = output_process.merged_diagnostics(diagnostics.items, context.schemas.said_once, process.places, made,
                                               set(outputs))
    if merged is None:
        return None
    diagnostics.items[:] = merged
    return tuple(tool.with_fields(output_schema=output.schema, wrap_output=output.wrap,
                                  output_left_out=output.left_out_bytes)
                 for tool in tools for output in (outputs[tool.pointer],))


def _operations_of(path: str, item: Any, pointer: str) -> list[LeftOut]:
    """The operations a skipped path item declares (none when it is no object)."""
    if not isinstance(item, dict):
        return []
    return [LeftOut(method.upper(), path, "unmappable", pointer + pointer_join(method))
            for method in METHODS if isinstance(item.get(method), dict)]


def _substitute(url: str, variables: Any) -> str:
    if not isinstance(variables, dict):
        return url

    def value(match: re.Match[str]) -> str:
        var = variables.get(match.group(1))
        return str(var.get("default", "")) if isinstance(var, dict) else match.group(0)

    return re.sub(r"\{([^}]+)\}", value, url)


def server_url(servers: Any, spec_url: str | None) -> tuple[str | None, str | None]:
    """The absolute base URL from `servers`, or None and the reason."""
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        if spec_url:
            origin = urlsplit(spec_url)
            return f"{origin.scheme}://{origin.netloc}", None
        return None, "the document declares no server (OpenAPI servers, Swagger 2.0 host)"
    first = servers[0]
    url = _substitute(str(first.get("url", "")), first.get("variables"))
    if urlsplit(url).scheme in ("http", "https"):
        return url.rstrip("/"), None
    if spec_url:
        return urljoin(spec_url, url).rstrip("/"), None
    example = "https://api.example.com" + ("" if url.startswith("/") else "/") + url
    return None, f"the document's server URL {url!r} is relative; the base URL must include it, e.g. {example}"


def _operation_server(operation: dict[str, Any], item: dict[str, Any], spec_url: str | None, base_url: str | None) -> str | None:
    for holder in (operation, item):
        servers = holder.get("servers")
        if isinstance(servers, list) and servers:
            url, _ = server_url(servers, spec_url)
            if url and url != base_url:
                return url
    return None
