# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""MCP resources: the API's document, a Markdown page per toolset, and GET operations chosen at
generation as resource templates (`petstore-mcp://pets/{petId}`).

resources/list and resources/templates/list come from index.json; the document is read from its
file when it is read; pages and templates need the tools (tools.json, read on first need). A
template is read by calling its tool exactly as tools/call would (Surface.call: argument checks,
credentials, origins, redirects, limits, hooks). Only what the server's options expose is listed
or readable: --toolsets, --read-only, --tools, --exclude-tools and overrides.TOOLS hide pages and
templates as they hide tools.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from mcp import types
from mcp.shared.exceptions import MCPError

from .audit import AuditLog, CallRecord, audited
from .catalog import IndexData, ResourcesEntry, TemplateEntry
from .display import api_name, printable
from .options import read_only_from, tool_patterns_from, toolsets_from
from .pages import toolset_page
from .surface import Surface, SurfaceError
from .untrusted import unmarked
from .uris import TOOLSETS_PATH, matched, pattern, scheme_for, specificity, toolset_uri, variables_of

if TYPE_CHECKING:
    import argparse

    from .caller import Tool

_HTTP_STATUS = re.compile(r"The API answered HTTP (\d{3})")
_CLIENT_STATUSES = ("400", "404", "410", "422")  # the URI names nothing, or a value the API refuses


def tools_of(surface: Any) -> Callable[[], Surface] | None:
    """The generated tools behind a tool surface: itself (tools mode), or the Surface a surface
    makes on first use with its `surface()` (discovery and dynamic modes); None for any other kind."""
    if isinstance(surface, Surface):
        return lambda: surface
    make = getattr(surface, "surface", None)
    return make if callable(make) else None


def for_options(args: argparse.Namespace, index: IndexData, surface: Any, overrides: Any,
                read_data: Callable[[str], bytes] | None, environ: Mapping[str, str], mode: str) -> Resources:
    """The resources a server started with `args` serves (the options as `build` reads them). In
    dynamic mode every toolset's page and templates are served: --toolsets only chooses the toolsets
    enabled at start, and the model may enable any other one."""
    patterns = tool_patterns_from(args, index, environ)
    exact = read_only_from(args, index, environ) or bool(patterns.include or patterns.exclude
                                                         or getattr(overrides, "TOOLS", None))
    toolsets = None if mode == "dynamic" else toolsets_from(args, index, environ)
    return Resources(index, tools_of(surface), toolsets, exact, read_data, mode)


class Resources:
    """`tools`: the Surface (made when first needed); `toolsets`: the chosen ones (None: all);
    `mode`: the server's (tools, discovery or dynamic: how a toolset page says to call its tools);
    `exact`: list what the tools show (reading tools.json in discovery mode) rather than what
    index.json says, which is the same unless options or overrides hide tools beyond --toolsets;
    `read_data`: reads a data file beside index.json (the document). `audit` records the reads
    that call the API, as tool calls are recorded (the server sets its own)."""

    def __init__(self, index: IndexData, tools: Callable[[], Surface] | None = None,
                 toolsets: frozenset[str] | None = None, exact: bool = True,
                 read_data: Callable[[str], bytes] | None = None, mode: str = "tools"):
        self.index = index
        entry: ResourcesEntry = index.get("resources") or {"scheme": scheme_for(index["name"]), "templates": []}
        self.scheme = entry["scheme"]
        document = entry.get("document")
        plain = document is not None and re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*", document["file"])
        self.document = document if plain and read_data is not None else None  # a file beside index.json
        self.entries = entry["templates"]
        self._tools, self._toolsets, self._exact = tools, toolsets, exact
        self._read_data, self._mode = read_data, mode
        self._shown: tuple[dict[str, int], list[TemplateEntry]] | None = None
        self._by_generated: dict[str, Tool] | None = None
        self._compiled: list[tuple[TemplateEntry, re.Pattern[str], list[str]]] | None = None
        self.audit = AuditLog("off")
        # Whether the caller may use a tool, by its listed name (toolsets as OAuth scopes); None: all.
        self.allows: Callable[[str], bool] | None = None

    # -- what is shown ----------------------------------------------------------------------

    def _surface(self) -> Surface:
        if self._tools is None:
            raise MCPError(types.INVALID_PARAMS, "This server serves no tools, so no toolset pages or templates")
        try:
            return self._tools()
        except SurfaceError as exc:  # a broken overrides.py: say so instead of failing generically
            raise MCPError(types.INTERNAL_ERROR, f"The server's tool configuration is broken: {exc}") from None

    def _visible(self) -> dict[str, Tool]:
        """The generated tools the model may use, by their names in tools.json."""
        if self._by_generated is None:
            self._by_generated = {t.generated: t for t in self._surface().tools.values()}
        return self._by_generated

    def _chosen(self, toolsets: Any) -> bool:
        return self._toolsets is None or not self._toolsets.isdisjoint(toolsets)

    def shown(self) -> tuple[dict[str, int], list[TemplateEntry]]:
        """The toolsets that have a page (with their sizes) and the templates served."""
        if self._shown is None:
            if self._tools is None:
                self._shown = {}, []
            elif self._exact:
                visible = self._visible()
                sizes = {name: sum(name in t.plan.get("toolsets", ()) for t in visible.values())
                         for name in self.index["toolsets"] if self._chosen((name,))}
                self._shown = ({n: s for n, s in sizes.items() if s},
                               [e for e in self.entries if e["tool"] in visible])
            else:
                sizes = {name: entry["tools"] for name, entry in self.index["toolsets"].items()}
                self._shown = ({n: s for n, s in sizes.items() if s and self._chosen((n,))},
                               [e for e in self.entries if self._chosen(e["toolsets"])])
        return self._shown

    def _pages(self) -> dict[str, int]:
        """The toolsets whose page this caller may read, with the operations each page shows: with
        toolsets as OAuth scopes, a page shows only the tools the caller may use, and a toolset
        with none has no page for that caller (what it holds is not shown either)."""
        pages = self.shown()[0]
        if self.allows is None or not pages:
            return pages
        allowed = [t for t in self._visible().values() if self.allows(t.name)]
        sizes = {name: sum(name in t.plan.get("toolsets", ()) for t in allowed) for name in pages}
        return {name: size for name, size in sizes.items() if size}

    def _templates(self) -> list[tuple[TemplateEntry, re.Pattern[str], list[str]]]:
        """The templates served, the most literal first (where several match a URI, it serves it)."""
        if self._compiled is None:
            entries = sorted(self.shown()[1], key=lambda e: -specificity(e["uriTemplate"]))  # stable: index order
            self._compiled = [(e, pattern(e["uriTemplate"]), variables_of(e["uriTemplate"])) for e in entries]
        return self._compiled

    # -- the handlers -----------------------------------------------------------------------

    async def list_resources(self, ctx: Any, params: Any) -> types.ListResourcesResult:
        listed: list[types.Resource] = []
        document = self.document
        if document is not None:
            kind = "Swagger" if document["version"].startswith("2") else "OpenAPI"
            listed.append(types.Resource(
                uri=document["uri"], name="openapi", title=f"{api_name(self.index['title'])} document",
                description=(f"The {kind} {printable(document['version'][:20])} document this server was generated "
                             "from: every operation, parameter and schema of the API, as JSON."),
                mime_type=document["mimeType"], size=document["size"]))
        templates = self.shown()[1]
        for name, size in self._pages().items():
            given = self.index["toolsets"][name].get("description", "")
            listed.append(types.Resource(
                uri=toolset_uri(self.scheme, name), name=f"toolset-{name}", title=f"Toolset {name}",
                description=(given + " " if given else "") + f"The {size} operation{'s' * (size != 1)} of the "
                            f"toolset {name}: what each does and the arguments it takes (Markdown).",
                mime_type="text/markdown"))
        for entry in self._allowed(templates):
            if not entry["variables"]:
                listed.append(types.Resource(uri=entry["uriTemplate"], name=entry["name"], title=entry.get("title"),
                                             description=entry.get("description"), mime_type=entry.get("mimeType")))
        return types.ListResourcesResult(resources=listed)

    async def list_templates(self, ctx: Any, params: Any) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(resource_templates=[
            types.ResourceTemplate(uri_template=e["uriTemplate"], name=e["name"], title=e.get("title"),
                                   description=e.get("description"), mime_type=e.get("mimeType"))
            for e in self._allowed(self.shown()[1]) if e["variables"]])

    def _allowed(self, entries: list[TemplateEntry]) -> list[TemplateEntry]:
        if self.allows is None:
            return entries
        visible = self._visible()
        return [e for e in entries if e["tool"] in visible and self.allows(visible[e["tool"]].name)]

    async def read(self, ctx: Any, params: Any) -> types.ReadResourceResult | types.InputRequiredResult:
        uri = str(params.uri)
        document = self.document
        if document is not None and uri == document["uri"] and self._read_data is not None:
            import anyio

            try:  # in a worker thread: a document of megabytes must not hold the other requests
                text = (await anyio.to_thread.run_sync(self._read_data, document["file"])).decode("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise MCPError(types.INTERNAL_ERROR, f"The API document cannot be read: {exc}") from None
            return _text(uri, text, document["mimeType"])
        page = f"{self.scheme}://{TOOLSETS_PATH}/"
        if uri.startswith(page):
            name = next((n for n in self._pages() if toolset_uri(self.scheme, n) == uri), None)
            if name is not None:
                return _text(uri, self._page(name), "text/markdown")
        for entry, compiled, names in self._templates():
            values = matched(compiled, names, uri)
            if values is not None:
                return await self._call(ctx, uri, entry, values)
        raise MCPError(types.INVALID_PARAMS, f"Unknown resource: {_shown_uri(uri)}. resources/list and "
                                             "resources/templates/list give the ones this server serves.",
                       data={"uri": uri})

    # -- reading ----------------------------------------------------------------------------

    def _page(self, name: str) -> str:
        tools = [(t.definition, t.plan) for t in self._visible().values() if name in t.plan.get("toolsets", ())
                 and (self.allows is None or self.allows(t.name))]
        description = self.index["toolsets"][name].get("description", "")
        return toolset_page(self.index["title"], name, description, tools, self._mode)

    async def _call(self, ctx: Any, uri: str, entry: TemplateEntry,
                    values: dict[str, str]) -> types.ReadResourceResult | types.InputRequiredResult:
        surface = self._surface()
        tool = self._visible().get(entry["tool"])
        if tool is None or (self.allows is not None and not self.allows(tool.name)):
            # hidden by overrides.TOOLS although index.json lists it, or not this caller's (scopes)
            raise MCPError(types.INVALID_PARAMS, f"Unknown resource: {_shown_uri(uri)}", data={"uri": uri})
        properties = tool.definition["inputSchema"].get("properties") or {}
        arguments = {entry["variables"][name]: _coerced(value, properties.get(entry["variables"][name]))
                     for name, value in values.items()
                     if entry["variables"][name] not in tool.plan.get("fixed", {})}
        record = CallRecord(tool.name, arguments=arguments, event="resource_read", resource=entry["uriTemplate"])
        result = await audited(self.audit, record, ctx, lambda: surface.call(tool.name, arguments))
        if isinstance(result, types.InputRequiredResult):  # the user is asked first (approval.py)
            return result
        if result.is_error:
            raise _failure(uri, result, record.approval)
        return types.ReadResourceResult(contents=_contents(uri, result, entry.get("mimeType")))


def _shown_uri(uri: str) -> str:
    return printable(uri if len(uri) <= 300 else uri[:300] + "...")


def _text(uri: str, text: str, mime_type: str) -> types.ReadResourceResult:
    return types.ReadResourceResult(contents=[types.TextResourceContents(uri=uri, text=text, mime_type=mime_type)])


def _types(schema: Any) -> set[str]:
    if not isinstance(schema, Mapping):
        return set()
    kind = schema.get("type")
    found = {kind} if isinstance(kind, str) else {k for k in kind if isinstance(k, str)} if isinstance(kind, list) else set()
    for variant in schema.get("anyOf") or schema.get("oneOf") or ():
        found |= _types(variant)
    return found


def _coerced(value: str, schema: Any) -> Any:
    """A URI variable's text as the argument's JSON type (a number, a boolean), when it is one."""
    kinds = _types(schema)
    if not kinds or "string" in kinds:
        return value
    if "integer" in kinds and re.fullmatch(r"-?\d{1,30}", value):
        return int(value)
    if "number" in kinds and re.fullmatch(r"-?\d{1,30}(\.\d{1,30})?([eE][-+]?\d{1,3})?", value):
        number = float(value)
        if math.isfinite(number):
            return int(value) if re.fullmatch(r"-?\d+", value) else number
    if "boolean" in kinds and value in ("true", "false"):
        return value == "true"
    return value  # the tool's argument check names the problem


def _failure(uri: str, result: types.CallToolResult, approval: str) -> MCPError:
    """A failed call as the protocol error resources/read answers with: the result's text (what a
    tools/call would have said), INVALID_PARAMS when the URI is at fault (its values, or the API
    answering 404 Not Found and the like), INTERNAL_ERROR otherwise (the data say when the user did
    not approve the call)."""
    text = "\n".join(b.text for b in result.content if isinstance(b, types.TextContent))
    status = _HTTP_STATUS.search(text)
    data: dict[str, Any] = {"uri": uri}
    if status:
        data["status"] = int(status.group(1))
    if approval in ("declined", "cancelled", "unavailable"):
        data["approval"] = approval
    at_fault = text.startswith("Invalid arguments") or (status is not None and status.group(1) in _CLIENT_STATUSES)
    return MCPError(types.INVALID_PARAMS if at_fault else types.INTERNAL_ERROR,
                    f"Reading {_shown_uri(uri)} failed: {text}", data=data)


def _is_json(text: str, structured: Any) -> bool:
    if structured is None:
        return False
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return data == structured or (isinstance(structured, dict) and data == structured.get("result"))


def _contents(uri: str, result: types.CallToolResult,
              declared: str | None) -> list[types.TextResourceContents | types.BlobResourceContents]:
    """A tool's successful result as resource contents: JSON as application/json text, other text
    as the declared text type (else text/plain), images, audio and other bytes as blobs. The API's
    text comes cleaned as in tool results, without the untrusted-data markers a tool result has
    (a resource's contents are the resource: JSON must stay JSON)."""
    text_type = declared if declared and declared.startswith("text/") else "text/plain"
    contents: list[types.TextResourceContents | types.BlobResourceContents] = []
    for block in result.content:
        if isinstance(block, types.TextContent):
            text = unmarked(block.text)
            text = block.text if text is None else text
            json_text = _is_json(text, result.structured_content)
            contents.append(types.TextResourceContents(
                uri=uri, text=text, mime_type="application/json" if json_text else text_type))
        elif isinstance(block, (types.ImageContent, types.AudioContent)):
            contents.append(types.BlobResourceContents(uri=uri, blob=block.data, mime_type=block.mime_type))
        elif isinstance(block, types.EmbeddedResource):
            contents.append(block.resource.model_copy(update={"uri": uri}))
    return contents
