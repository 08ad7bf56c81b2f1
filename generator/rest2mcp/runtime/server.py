# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""The MCP server: the low-level `mcp` Server over stdio or Streamable HTTP, and the command line.

A generated package's console script is this module's `main`. Everything it needs to know about
the API comes from the data next to it: `index.json` at start, `tools.json` when the tools are
first needed (and `openapi.json`, the API's document, when it is read as a resource). The
package's own `overrides.py` (a sibling of this folder) is loaded if present.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from importlib import resources
from typing import TYPE_CHECKING, Any, Protocol

from .audit import AuditLog, CallRecord, JsonLines, audited
from .caller import Caller
from .catalog import CATALOG_FILE, INDEX_FILE, Catalog, CatalogError, IndexData, read_index
from .credentials import CallerCredentials
from .display import printable
from .hosting import (
    HttpOptions,
    http_app,
    http_options_from,
    shared_state_key,
    warn_unauthenticated,
)
from .options import (
    OptionError,
    ServerOptions,
    all_toolsets_named,
    log_json_from,
    mode_from,
    parser,
    read_only_from,
    server_options_from,
    settings_from,
    tool_patterns_from,
    toolsets_from,
)
from .prompts import Prompts
from .resources import Resources, for_options, tools_of
from .scopes import ToolsetScopes, caller_scopes
from .surface import Surface, SurfaceError
from .untrusted import INSTRUCTIONS_NOTE

if TYPE_CHECKING:
    import argparse

    from mcp import types
    from mcp.server import Server


class ToolSurface(Protocol):
    """What the server serves: the tools of tools mode (Surface), the three of discovery mode, or
    those of dynamic mode, whose list changes: that one also has `revision`, counting its changes,
    and `attach(server)`, which sets the server up to tell clients about them (dynamic.py)."""

    definitions: list[Any]

    def knows(self, name: str) -> bool: ...

    def input_schema(self, name: str) -> dict[str, Any] | None: ...

    async def call(self, name: str, arguments: Any) -> types.CallToolResult: ...

    async def close(self) -> None: ...


APPROVAL_NOTE = ("Some tools ask the user to approve the call before anything is sent; when the user declines, "
                 "do not retry unless the user asks for it again.")


def instructions(index: IndexData, options: ServerOptions) -> str:
    notes = [index["instructions"], APPROVAL_NOTE if options.approval != "none" else ""]
    notes.append(INSTRUCTIONS_NOTE if options.mark_api_data else "")
    return " ".join(note for note in notes if note)


def create_server(surface: ToolSurface, index: IndexData, version: str,
                  options: ServerOptions | None = None, resources: Resources | None = None) -> Server[Any]:
    """The MCP server of `surface`; `resources` default to what index.json and the tools give (no
    document: `build_resources` makes the ones a command line asks for)."""
    from mcp import types
    from mcp.server import Server
    from mcp.server.request_state import RequestStateBoundary, RequestStateSecurity
    from mcp.shared.exceptions import MCPError

    options = options or ServerOptions()
    audit = options.audit or AuditLog("off")

    listing: dict[tuple[int, frozenset[str] | None], types.ListToolsResult] = {}  # by revision and scopes
    plan_of = getattr(surface, "plan", None)
    scoped = ToolsetScopes(options.toolset_scopes or {},
                           lambda name: (plan_of(name) or {}).get("toolsets") if plan_of is not None else None)

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        key = getattr(surface, "revision", 0), caller_scopes() if scoped.mapping else None
        if key not in listing:
            tools = [types.Tool.model_validate(d) for d in scoped.visible(surface.definitions, key[1])]
            if len(listing) > 64 or any(k[0] != key[0] for k in listing):
                listing.clear()
            listing[key] = types.ListToolsResult(tools=tools)
        return listing[key]

    async def call_tool(ctx: Any, params: Any) -> types.CallToolResult | types.InputRequiredResult:
        record = CallRecord(params.name, arguments=params.arguments)
        if not surface.knows(params.name) or (scoped.mapping and not scoped.allows(params.name, caller_scopes())):
            audit.write(record, "unknown_tool", ctx)
            raise MCPError(types.INVALID_PARAMS, f"Unknown tool: {params.name}")
        return await audited(audit, record, ctx, lambda: surface.call(params.name, params.arguments))

    resources = resources if resources is not None else Resources(index, tools_of(surface))
    resources.audit = audit  # reading an operation's resource calls the API: recorded as calls are
    if scoped.mapping:  # a template is the caller's only when its tool is
        resources.allows = lambda name: scoped.allows(name, caller_scopes())
    prompts = Prompts(index)
    server: Server[Any] = Server(
        index["name"],
        version=version,
        instructions=instructions(index, options),
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        get_tool_input_schema=surface.input_schema,
        on_list_resources=resources.list_resources,
        on_list_resource_templates=resources.list_templates,
        on_read_resource=resources.read,
        on_list_prompts=prompts.list_prompts if prompts else None,
        on_get_prompt=prompts.get_prompt if prompts else None,
    )
    # The 2026-07-28 approval round trip carries its state through the client: sealed here, so a
    # client cannot forge an answer the user never gave (approval.py).
    keys = options.request_state_keys
    security = RequestStateSecurity(keys=list(keys)) if keys else RequestStateSecurity.ephemeral()
    server.middleware.append(RequestStateBoundary(security, default_audience=index["name"]))
    attach = getattr(surface, "attach", None)
    if attach is not None:
        attach(server)
    return server


def load_catalog(data: bytes) -> Catalog:
    """The precomputed tools. The collector is paused while they load and then told to leave them
    alone (they live as long as the process): rescanning them dominates start-up for large APIs."""
    gc.disable()
    try:
        catalog = Catalog.from_json(data)
    finally:
        gc.enable()
    gc.freeze()
    return catalog


def build_surface(index: IndexData, mode: str, toolsets: frozenset[str] | None,
                  make_tools: Callable[[], Surface], hand_written: bool = False) -> ToolSurface:
    """`make_tools` makes the regular tools (in dynamic mode, of every toolset); `hand_written`: the
    overrides add tools (dynamic mode lists them from the start)."""
    if mode == "dynamic":
        from .dynamic import Dynamic

        return Dynamic(index["toolsets"], toolsets or frozenset(), make_tools, load_now=hand_written)
    if mode != "discovery":
        return make_tools()
    from .discovery import Discovery

    groups = sorted(toolsets) if toolsets is not None else list(index["toolsets"])
    operations = sum(index["toolsets"][g]["tools"] for g in groups) if toolsets is not None else index["tools"]
    return Discovery(index["title"], operations, groups, make_tools)


async def serve(args: argparse.Namespace, server: Server[Any], surface: ToolSurface, http: HttpOptions) -> None:
    try:
        if args.transport == "http":
            import uvicorn

            app = http_app(server, http, surface)
            config = uvicorn.Config(app, host=http.host, port=http.port, log_level="warning")
            await uvicorn.Server(config).serve()
        else:
            from mcp.server.stdio import stdio_server

            async with stdio_server() as (read_stream, write_stream):
                await server.run(read_stream, write_stream, server.create_initialization_options())
    finally:
        await surface.close()


def build(args: argparse.Namespace, index: IndexData, read_catalog_bytes: Callable[[], bytes], overrides: Any,
          version: str, environ: Mapping[str, str] | None = None) -> ToolSurface:
    """The tools the command line `args` asks for (settings from `environ`, default the process's);
    raises OptionError, SurfaceError or CatalogError with what to change."""
    environ = os.environ if environ is None else environ
    settings = settings_from(args, index, version, environ)
    http = http_options_from(args, index, environ)
    if http.user_credentials:
        environ = CallerCredentials(environ, http.user_credentials)
    toolsets = toolsets_from(args, index, environ)
    mode = mode_from(args, index, environ)
    # dynamic mode starts with no toolset unless some are named: `all` names every one
    enabled = frozenset(index["toolsets"]) if mode == "dynamic" and all_toolsets_named(args, index, environ) else toolsets
    read_only = read_only_from(args, index, environ)
    patterns = tool_patterns_from(args, index, environ)

    def make_tools() -> Surface:
        catalog = load_catalog(read_catalog_bytes())
        caller = Caller(catalog.schemes, settings, environ, hooks=overrides)
        chosen = None if mode == "dynamic" else toolsets  # dynamic mode enables toolsets as it runs
        return Surface(catalog, caller, overrides, chosen, read_only, patterns.allows)

    return build_surface(index, mode, enabled, make_tools, bool(getattr(overrides, "EXTRA_TOOLS", None)))


def build_resources(args: argparse.Namespace, index: IndexData, surface: ToolSurface, overrides: Any,
                    read_data: Callable[[str], bytes] | None, environ: Mapping[str, str] | None = None) -> Resources:
    """The resources of the server `build` made for `args`: `read_data` reads the data files beside
    index.json by name (the API's document)."""
    environ = os.environ if environ is None else environ
    return for_options(args, index, surface, overrides, read_data, environ, mode_from(args, index, environ))


def run(index: IndexData, read_catalog_bytes: Callable[[], bytes], overrides: Any, version: str,
        argv: Sequence[str] | None = None, read_data: Callable[[str], bytes] | None = None,
        package: str | None = None) -> None:
    """The command line of a server for `index`, whose catalog `read_catalog_bytes` reads on demand
    (and `read_data` the other data files, by name)."""
    import anyio

    args = parser(index, version).parse_args(argv)
    if args.list_toolsets:
        for name, group in index["toolsets"].items():
            print(f"{printable(name)}\t{group['tools']} tools\t{printable(group.get('description', ''))}".rstrip())
        return
    handler = logging.StreamHandler(sys.stderr)
    try:
        if log_json_from(args, index):
            handler.setFormatter(JsonLines())
    except OptionError as exc:
        raise SystemExit(printable(f"{index['name']}: {exc}", keep="\n")) from None
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    try:
        http = http_options_from(args, index)
        if args.transport == "http" and http.workers > 1:
            return _run_workers(index, http, package, argv)
        surface = build(args, index, read_catalog_bytes, overrides, version)
        options = replace(server_options_from(args, index), toolset_scopes=http.toolset_scopes)
        resources = build_resources(args, index, surface, overrides, read_data)
    except (OptionError, SurfaceError, CatalogError) as exc:
        raise SystemExit(printable(f"{index['name']}: {exc}", keep="\n")) from None
    if args.transport == "http":
        warn_unauthenticated(http, index["name"])
    try:
        anyio.run(serve, args, create_server(surface, index, version, options, resources), surface, http)
    except KeyboardInterrupt:
        pass


_WORKER_ARGV = "REST2MCP_WORKER_ARGV"


def _run_workers(index: IndexData, http: HttpOptions, package: str | None, argv: Sequence[str] | None) -> None:
    """Several processes on one port (uvicorn's workers), each building the same server from the
    same command line. The HTTP transport is stateless, so any worker may answer any request."""
    import json

    import uvicorn

    if package is None:
        raise OptionError("--workers needs the installed package (run its console script)")
    os.environ[_WORKER_ARGV] = json.dumps(list(sys.argv[1:] if argv is None else argv))
    os.environ.update(shared_state_key(os.environ, index["envPrefix"]))
    warn_unauthenticated(http, index["name"])
    uvicorn.run(f"{package}.generated.server:worker_app", factory=True, host=http.host, port=http.port,
                workers=http.workers, log_level="warning")


def worker_app() -> Any:
    """One worker's HTTP app (uvicorn calls this in each worker process; see _run_workers)."""
    import json

    data = resources.files(__package__)
    index = read_index(data.joinpath(INDEX_FILE).read_bytes())
    package = __package__.rpartition(".")[0]
    version = str(getattr(importlib.import_module(package), "__version__", "0"))
    args = parser(index, version).parse_args(json.loads(os.environ[_WORKER_ARGV]))
    overrides = load_overrides(package, index["name"])
    surface = build(args, index, data.joinpath(CATALOG_FILE).read_bytes, overrides, version)
    http = http_options_from(args, index)
    served = create_server(surface, index, version, replace(server_options_from(args, index),
                                                            toolset_scopes=http.toolset_scopes),
                           build_resources(args, index, surface, overrides, lambda name: data.joinpath(name).read_bytes()))
    return http_app(served, http, surface)


def main(argv: Sequence[str] | None = None) -> None:
    """The generated package's console script: its data beside this module, its overrides beside this folder."""
    data = resources.files(__package__)
    index = read_index(data.joinpath(INDEX_FILE).read_bytes())
    package = __package__.rpartition(".")[0]
    version = str(getattr(sys.modules.get(package) or importlib.import_module(package), "__version__", "0"))
    run(index, data.joinpath(CATALOG_FILE).read_bytes, load_overrides(package, index["name"]), version, argv,
        lambda name: data.joinpath(name).read_bytes(), package)


# Modules of packages generated before the runtime moved into MODULE/generated/, and where their
# names went, for overrides.py files that still import them.
_MOVED = {"runtime": "generated.errors (ToolError) or generated.caller", "wire": "generated.wire",
          "customize": "generated.surface", "server": "generated.server"}


def load_overrides(package: str, name: str) -> Any:
    """The package's overrides module (None without one); a broken one stops the server with a message."""
    try:
        return importlib.import_module(f"{package}.overrides")
    except ModuleNotFoundError as exc:
        if exc.name == f"{package}.overrides":
            return None
        moved = _MOVED.get((exc.name or "").removeprefix(f"{package}."))
        hint = f": import it from .{moved} instead" if moved else ""
        raise SystemExit(f"{name}: overrides.py imports {exc.name}, which does not exist{hint}") from None
    except Exception as exc:  # noqa: BLE001 -- the user's code: say what failed instead of a traceback
        raise SystemExit(f"{name}: overrides.py failed to load: {type(exc).__name__}: {exc}") from None


