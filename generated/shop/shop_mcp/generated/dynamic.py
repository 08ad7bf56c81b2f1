# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Dynamic mode: the server starts small and the model adds the toolsets it needs.

tools/list starts with two tools, list_toolsets and enable_toolset, plus the toolsets chosen
with --toolsets and the hand-written tools of overrides.py. enable_toolset adds one toolset's
tools (those the regular tools would offer: --read-only, --tools, --exclude-tools and overrides
apply) and tells the client that the list changed: `notifications/tools/list_changed` to a
2025-era client (stdio, or the HTTP response of the call), a `ToolsListChanged` event on the
`subscriptions/listen` streams of 2026-07-28 clients. Where nothing can carry it (stateless HTTP
without a stream), the next tools/list simply returns the new list.

Enabled toolsets stay enabled until the process ends, and belong to the process: over stdio that
is one client; over HTTP every client of the process shares them. There is no disabling: a
toolset one client enabled never disappears under another's feet. The catalog is read when the
tools are first needed (at start only when toolsets are chosen or tools hand-written).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from mcp import types
from mcp.server import NotificationOptions, Server
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler, ToolsListChanged
from mcp.types.version import MODERN_PROTOCOL_VERSIONS

from .arguments import checked, validator_for
from .catalog import CatalogError, ToolsetEntry
from .context import request_context
from .display import printable
from .results import error_result
from .surface import Surface, SurfaceError

log = logging.getLogger(__name__)
LIST, ENABLE = "list_toolsets", "enable_toolset"
MAX_ENUM = 100  # more toolsets than this are not spelled out in enable_toolset's schema
MAX_NAMED = 50  # nor in the message answering an unknown name
INSTRUCTIONS = (" Only some tools are listed at first: list_toolsets shows the groups of tools (toolsets), and "
                "enable_toolset adds a toolset's tools to the list.")


def definitions(toolsets: list[str]) -> list[dict[str, Any]]:
    """The two tools of dynamic mode; the toolsets' names only as the schema's `enum` (data)."""
    name: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 200,
                            "description": "The toolset's name, as list_toolsets gives it."}
    if 0 < len(toolsets) <= MAX_ENUM:
        name["enum"] = list(toolsets)
    return [
        {
            "name": LIST,
            "title": "List toolsets",
            "description": ("The groups of tools (toolsets) this server can add to its tool list: each one's "
                            "name, description, number of tools and whether it is enabled. Only the tools of "
                            "enabled toolsets are listed and can be called; enable_toolset enables one."),
            "inputSchema": {"type": "object", "properties": {}, "additionalProperties": False},
            "annotations": {"title": "List toolsets", "readOnlyHint": True, "openWorldHint": False},
        },
        {
            "name": ENABLE,
            "title": "Enable a toolset",
            "description": ("Add the tools of one toolset (see list_toolsets) to this server's tool list, until "
                            "the server stops. Returns the names of its tools, which can be called from then on; "
                            "the client is told that the tool list changed. Enabling an enabled toolset changes "
                            "nothing."),
            "inputSchema": {"type": "object", "properties": {"toolset": name}, "required": ["toolset"],
                            "additionalProperties": False},
            "annotations": {"title": "Enable a toolset", "readOnlyHint": False, "destructiveHint": False,
                            "idempotentHint": True, "openWorldHint": False},
        },
    ]


class Dynamic:
    """The tool surface of dynamic mode; the server treats it like the tools of tools mode.

    `definitions` is what tools/list returns now; `revision` counts its changes (the server caches
    one listing per revision)."""

    def __init__(self, toolsets: Mapping[str, ToolsetEntry], enabled: frozenset[str],
                 make_surface: Callable[[], Surface], load_now: bool = False):
        self.toolsets = dict(toolsets)
        self.enabled: dict[str, None] = dict.fromkeys(t for t in self.toolsets if t in enabled)
        self.revision = 0
        self.bus = InMemorySubscriptionBus()
        self._streams: list[ListenHandler] = []  # serving subscriptions/listen, closed with the surface
        self._own = definitions(list(self.toolsets))
        self._schemas: dict[str, dict[str, Any]] = {d["name"]: d["inputSchema"] for d in self._own}
        # Arguments are checked without the enum, so that an unknown name gets its own message.
        self._validators = {name: validator_for({**schema, "properties": {
            key: {k: v for k, v in value.items() if k != "enum"} for key, value in schema["properties"].items()}})
            for name, schema in self._schemas.items()}
        self._make_surface = make_surface
        self._surface: Surface | None = None
        self._loading = threading.Lock()  # the first call and the HTTP server's warm-up (hosting.Readiness)
        self._shadowed: set[str] = set()
        self._listed: dict[str, Any] = {}  # the API's and hand-written tools listed now, by name
        self.definitions: list[Any] = list(self._own)
        if load_now or self.enabled:
            self._update(self.surface())  # a broken catalog or overrides.py stops the server at start

    def surface(self) -> Surface:
        if self._surface is None:
            with self._loading:
                if self._surface is None:
                    self._surface = self._make_surface()
        return self._surface

    def warm(self) -> None:
        """Load the catalog now, not when the first toolset is enabled."""
        self.surface()

    def attach(self, server: Server[Any]) -> None:
        """Serve `subscriptions/listen` (2026-07-28 clients then see tools.listChanged) and declare
        tools.listChanged at initialize (2025-era clients) whoever asks for the options: stdio,
        in-process clients and stateless HTTP alike. The instructions say how tools are found."""
        server.instructions = (server.instructions or "").rstrip() + INSTRUCTIONS
        listen = ListenHandler(self.bus)
        self._streams.append(listen)
        server.add_request_handler("subscriptions/listen", types.SubscriptionsListenRequestParams, listen)
        options = server.create_initialization_options

        def with_list_changes(notification_options: NotificationOptions | None = None,
                              *args: Any, **kwargs: Any) -> Any:
            return options(notification_options or NotificationOptions(tools_changed=True), *args, **kwargs)

        server.create_initialization_options = with_list_changes  # type: ignore[method-assign]

    def knows(self, name: str) -> bool:
        return name in self._schemas or name in self._listed

    def input_schema(self, name: str) -> dict[str, Any] | None:
        if name in self._schemas:
            return self._schemas[name]
        return self.surface().input_schema(name) if name in self._listed else None

    async def close(self) -> None:
        for listen in self._streams:
            listen.close()  # the listen streams end with their final result, not abruptly
        if self._surface is not None:
            await self._surface.close()

    async def call(self, name: str, arguments: Mapping[str, Any] | None) -> types.CallToolResult:
        if name not in self._schemas:
            result: types.CallToolResult = await self.surface().call(name, arguments)
            return result
        arguments = dict(arguments or {})
        problems = await checked(self._validators[name], arguments)
        if problems:
            return error_result("Invalid arguments:\n" + "\n".join(f"- {p}" for p in problems))
        if name == ENABLE and arguments["toolset"] not in self.toolsets:
            return self._unknown(arguments["toolset"])
        try:
            surface = self.surface()
        except (SurfaceError, CatalogError) as exc:  # a broken overrides.py or catalog: say so, keep serving
            return error_result(f"The server's tools cannot be loaded: {exc}")
        if name == LIST:
            return self._list(surface)
        return await self._enable(surface, arguments["toolset"])

    # -- the two tools --------------------------------------------------------------------

    def _members(self, surface: Surface) -> dict[str, list[str]]:
        """The tools each toolset would list (after --read-only, the patterns and overrides)."""
        members: dict[str, list[str]] = {name: [] for name in self.toolsets}
        for definition in surface.definitions:
            plan: Mapping[str, Any] = surface.plan(definition["name"]) or {}
            for toolset in plan.get("toolsets", ()):
                if toolset in members and definition["name"] not in self._schemas:
                    members[toolset].append(definition["name"])
        return members

    def _update(self, surface: Surface) -> list[str]:
        """List the tools of the enabled toolsets and the hand-written ones; the names newly listed.
        The list only grows, at its end: the tools listed before keep their places."""
        members = self._members(surface)
        wanted = {name for toolset in self.enabled for name in members[toolset]}
        listed = dict(self._listed)
        for definition in surface.definitions:
            name = definition["name"]
            if name in listed:
                continue
            if name in self._schemas:
                if name not in self._shadowed:
                    self._shadowed.add(name)
                    log.warning("the tool %r is not offered in dynamic mode, whose own tool has that name: rename "
                                "it in rest2mcp.toml or overrides.py", printable(name))
            elif name in wanted or surface.plan(name) is None:
                listed[name] = definition
        added = [name for name in listed if name not in self._listed]
        if added:
            self._listed = listed
            self.definitions = self._own + list(listed.values())
            self.revision += 1
        return added

    def _list(self, surface: Surface) -> types.CallToolResult:
        members = self._members(surface)
        toolsets = []
        for name, entry in self.toolsets.items():
            item: dict[str, Any] = {"name": name}
            if entry.get("description"):
                item["description"] = entry["description"]
            item["tools"] = len(members[name])
            item["enabled"] = name in self.enabled
            toolsets.append(item)
        return _json_result({"toolsets": toolsets})

    async def _enable(self, surface: Surface, toolset: str) -> types.CallToolResult:
        already = toolset in self.enabled
        self.enabled[toolset] = None
        added = self._update(surface)
        tools = self._members(surface)[toolset]
        result: dict[str, Any] = {"toolset": toolset, "tools": tools, "added": added}
        if already:
            result["note"] = "This toolset was already enabled."
        elif not tools:
            result["note"] = ("None of this toolset's tools is offered: the server's options (--read-only, --tools, "
                              "--exclude-tools) or overrides leave them out.")
        if added:
            await self._announce()
        return _json_result(result)

    def _unknown(self, name: Any) -> types.CallToolResult:
        names = list(self.toolsets)
        shown = ", ".join(printable(n) for n in names[:MAX_NAMED]) + (", ..." if len(names) > MAX_NAMED else "")
        given = printable(json.dumps(name, ensure_ascii=False))
        return error_result(f"No toolset is named {given}. The toolsets are: {shown or '(none)'}. "
                            "list_toolsets describes them.")

    async def _announce(self) -> None:
        """Tell clients that the tool list changed, as their protocol era can hear it; never fails the call."""
        try:
            await self.bus.publish(ToolsListChanged())
        except Exception:  # a notification is advisory
            log.debug("publishing the tool list change failed", exc_info=True)
        ctx = request_context()
        if ctx is None or getattr(ctx, "protocol_version", None) in MODERN_PROTOCOL_VERSIONS:
            return  # 2026-07-28 clients hear of changes only on their subscriptions/listen streams
        try:  # with the request: over stdio the same stream, over HTTP the call's response stream
            await ctx.session.send_notification(types.ToolListChangedNotification(),
                                                related_request_id=ctx.request_id)
        except Exception:  # no channel to the client: the next tools/list tells it
            log.debug("the tool list change could not be sent", exc_info=True)


def _json_result(value: dict[str, Any]) -> types.CallToolResult:
    text = printable(json.dumps(value, ensure_ascii=False, indent=1), keep="\n")
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], structured_content=value)
