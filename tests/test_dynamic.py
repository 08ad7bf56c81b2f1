"""Dynamic mode: the server starts with list_toolsets and enable_toolset; enabling a toolset lists its
tools and tells the client that the tool list changed (notifications/tools/list_changed in the 2025
era, a subscriptions/listen event in the 2026-07-28 era). In process through mcp.Client, over stdio
and over stateless Streamable HTTP, against the recording upstream."""

from __future__ import annotations

import json
import subprocess
from types import SimpleNamespace

import anyio
import pytest
from helpers import GENERATED, SPECS, child_env, free_port, in_memory_server, stdio, text_of, wait_for_port
from mcp import Client, types
from mcp.shared.exceptions import MCPError
from rest2mcp.pipeline import Options, generate
from rest2mcp.runtime.catalog import read_index
from upstream import Reply, Upstream

OWN = ["list_toolsets", "enable_toolset"]
ORDERS = ["listOrders", "createOrder", "cancelOrder"]  # the shop's orders toolset, in catalog order
SHOP_TOOLSETS = [{"name": "admin", "tools": 1, "enabled": False}, {"name": "catalog", "tools": 3, "enabled": False},
                 {"name": "orders", "tools": 3, "enabled": False}, {"name": "other", "tools": 1, "enabled": False}]


SHOP_INDEX = read_index((GENERATED / "shop/shop_mcp/generated/index.json").read_bytes())


def shop_surface(upstream: Upstream, catalog=(GENERATED / "shop/shop_mcp/generated/tools.json").read_bytes):
    """The shop's tool surface in dynamic mode, built by the runtime's build() with `catalog` as tools.json."""
    from rest2mcp.runtime.options import parser
    from rest2mcp.runtime.server import build

    args = parser(SHOP_INDEX, "0").parse_args(["--base-url", upstream.url, "--mode", "dynamic"])
    return build(args, SHOP_INDEX, catalog, None, "0", {})


def shop(upstream: Upstream, *argv: str, **kwargs):
    return in_memory_server(GENERATED / "shop", "shop_mcp", "--base-url", upstream.url, "--mode", "dynamic", *argv,
                            **kwargs)


class Recorder:
    """A client's message_handler keeping the tools/list_changed notifications it receives."""

    def __init__(self) -> None:
        self.changes: list[types.ToolListChangedNotification] = []

    async def __call__(self, message) -> None:
        if isinstance(message, types.ToolListChangedNotification):
            self.changes.append(message)


async def unknown(client, name: str, arguments: dict) -> str:
    with pytest.raises(MCPError) as raised:
        await client.call_tool(name, arguments)
    return str(raised.value)


def names(listed) -> list[str]:
    return [tool.name for tool in listed.tools]


def _enable_steps(recorder: Recorder):
    """Enable the shop's orders toolset, with what happens around it (both eras)."""

    async def steps(client):
        before = await client.list_tools()
        toolsets = await client.call_tool("list_toolsets", {})
        hidden = await unknown(client, "listOrders", {})
        enabled = await client.call_tool("enable_toolset", {"toolset": "orders"})
        after = await client.list_tools()
        called = await client.call_tool("listOrders", {"status": "open"})
        other = await unknown(client, "listProducts", {})
        again = await client.call_tool("enable_toolset", {"toolset": "orders"})
        wrong = await client.call_tool("enable_toolset", {"toolset": "billing"})
        toolsets_after = await client.call_tool("list_toolsets", {})
        await client.list_tools()  # a round trip more: every notification sent has arrived
        assert client.instructions.endswith("enable_toolset adds a toolset's tools to the list.")
        return (client.server_capabilities, before, toolsets, hidden, enabled, after, called, other, again, wrong,
                toolsets_after, list(recorder.changes))

    return steps


def _check_enabling(results, upstream: Upstream, notifications: int | None) -> None:
    (capabilities, before, toolsets, hidden, enabled, after, called, other, again, wrong, toolsets_after,
     changes) = results
    assert capabilities.tools.list_changed is True
    assert names(before) == OWN
    assert before.tools[0].annotations.read_only_hint is True
    assert before.tools[1].input_schema["properties"]["toolset"]["enum"] == ["admin", "catalog", "orders", "other"]
    assert toolsets.structured_content == {"toolsets": SHOP_TOOLSETS}
    assert hidden == "Unknown tool: listOrders"
    assert not enabled.is_error
    assert enabled.structured_content == {"toolset": "orders", "tools": ORDERS, "added": ORDERS}
    if notifications is not None:
        assert len(changes) == notifications
    assert names(after) == OWN + ORDERS
    assert not called.is_error, text_of(called)
    assert other == "Unknown tool: listProducts"  # the catalog toolset is not enabled
    assert not again.is_error and again.structured_content["added"] == []
    assert wrong.is_error
    assert text_of(wrong) == ('No toolset is named "billing". The toolsets are: admin, catalog, orders, other. '
                              "list_toolsets describes them.")
    assert [t["enabled"] for t in toolsets_after.structured_content["toolsets"]] == [False, False, True, False]
    assert [(r.method, r.target) for r in upstream.requests] == [("GET", "/orders?status=open")]


# -- in process ---------------------------------------------------------------------------------


def test_enabling_a_toolset_sends_list_changed_and_lists_its_tools(upstream: Upstream):
    upstream.reply("GET", "/orders", Reply.json([]))
    recorder = Recorder()

    async def main():
        async with Client(shop(upstream), mode="legacy", message_handler=recorder) as client:
            return await _enable_steps(recorder)(client)

    _check_enabling(anyio.run(main), upstream, notifications=1)


def test_modern_clients_hear_of_the_change_on_their_listen_stream(upstream: Upstream):
    upstream.reply("GET", "/products", Reply.json([]))

    async def main():
        async with Client(shop(upstream)) as client:
            capabilities = client.server_capabilities
            async with client.listen(tools_list_changed=True) as subscription:
                enabled = await client.call_tool("enable_toolset", {"toolset": "catalog"})
                with anyio.fail_after(5):
                    event = await subscription.__anext__()
            listed = await client.list_tools()
            called = await client.call_tool("listProducts", {"q": "mug"})
            return capabilities, enabled, event, listed, called

    capabilities, enabled, event, listed, called = anyio.run(main)
    assert capabilities.tools.list_changed is True
    assert not enabled.is_error
    assert type(event).__name__ == "ToolsListChanged"
    assert names(listed) == OWN + ["listProducts", "createProduct", "product_details"]
    assert not called.is_error
    assert upstream.last().target == "/products?q=mug&limit=20&currency=EUR"


def test_toolsets_chosen_at_start_are_enabled_and_the_catalog_waits_otherwise(upstream: Upstream):
    recorder = Recorder()

    async def main(server):
        async with Client(server, mode="legacy", message_handler=recorder) as client:
            listed = await client.list_tools()
            return listed, await client.call_tool("list_toolsets", {})

    async def more(server):
        async with Client(server, mode="legacy", message_handler=recorder) as client:
            enabled = await client.call_tool("enable_toolset", {"toolset": "admin"})
            return enabled, await client.list_tools()

    server = shop(upstream, environ={"SHOP_MCP_TOOLSETS": "orders"})
    listed, toolsets = anyio.run(main, server)
    assert names(listed) == OWN + ORDERS
    assert [t["enabled"] for t in toolsets.structured_content["toolsets"]] == [False, False, True, False]
    assert recorder.changes == []
    enabled, listed = anyio.run(more, server)  # the others can still be enabled
    assert enabled.structured_content == {"toolset": "admin", "tools": ["createProduct"], "added": ["createProduct"]}
    assert names(listed) == OWN + ORDERS + ["createProduct"] and len(recorder.changes) == 1  # added at the end

    reads: list[str] = []

    def catalog() -> bytes:
        reads.append("tools.json")
        return (GENERATED / "shop/shop_mcp/generated/tools.json").read_bytes()

    from rest2mcp.runtime.server import create_server

    server = create_server(shop_surface(upstream, catalog), SHOP_INDEX, "0")
    assert names(anyio.run(_list, server)) == OWN
    assert reads == []  # start-up and tools/list do not read the catalog
    toolsets = anyio.run(main, server)[1]
    assert toolsets.structured_content == {"toolsets": SHOP_TOOLSETS}
    assert reads == ["tools.json"]  # list_toolsets counts the tools each toolset would add


@pytest.mark.parametrize("how", ["option", "environment"])
def test_toolsets_all_enables_every_toolset_from_the_start(upstream: Upstream, how: str):
    async def main(server):
        async with Client(server, mode="legacy") as client:
            listed = await client.list_tools()
            called = await client.call_tool("listOrders", {})
            return listed, await client.call_tool("list_toolsets", {}), called

    if how == "option":
        server = shop(upstream, "--toolsets", "all")
    else:
        server = shop(upstream, environ={"SHOP_MCP_TOOLSETS": " all "})
    upstream.reply("GET", "/orders", Reply.json([]))
    listed, toolsets, called = anyio.run(main, server)
    full = names(anyio.run(_list, in_memory_server(GENERATED / "shop", "shop_mcp", "--base-url", upstream.url)))
    assert sorted(names(listed)) == sorted(OWN + full) and len(full) == 7
    assert [t["enabled"] for t in toolsets.structured_content["toolsets"]] == [True, True, True, True]
    assert not called.is_error and (upstream.last().method, upstream.last().path) == ("GET", "/orders")


def test_a_notification_that_cannot_be_sent_does_not_fail_the_call(upstream: Upstream):
    from mcp.shared.exceptions import NoBackChannelError
    from rest2mcp.runtime.context import current_request

    class Session:
        async def send_notification(self, notification, related_request_id=None):
            raise NoBackChannelError(notification.method)

    surface = shop_surface(upstream)
    token = current_request.set(SimpleNamespace(protocol_version="2025-11-25", request_id=7, session=Session()))
    try:
        result = anyio.run(surface.call, "enable_toolset", {"toolset": "orders"})
    finally:
        current_request.reset(token)
    assert not result.is_error and result.structured_content["added"] == ORDERS
    assert [d["name"] for d in surface.definitions] == OWN + ORDERS


def test_read_only_applies_to_the_tools_a_toolset_adds(upstream: Upstream):
    server = in_memory_server(GENERATED / "petstore", "petstore_mcp", "--base-url", upstream.url, "--mode", "dynamic",
                              "--read-only", environ={"PETSTORE_MCP_API_KEY": "k"})

    async def main():
        async with Client(server, mode="legacy") as client:
            toolsets = await client.call_tool("list_toolsets", {})
            enabled = await client.call_tool("enable_toolset", {"toolset": "pets"})
            return toolsets, enabled, await client.list_tools(), await unknown(client, "deletePet", {"petId": "1"})

    toolsets, enabled, listed, refused = anyio.run(main)
    assert toolsets.structured_content == {"toolsets": [{"name": "pets", "tools": 2, "enabled": False}]}
    assert enabled.structured_content["tools"] == ["listPets", "showPetById"]
    assert names(listed) == OWN + ["listPets", "showPetById"]
    assert refused == "Unknown tool: deletePet"
    assert upstream.requests == []


def test_hand_written_tools_are_listed_from_the_start_and_own_names_win(upstream: Upstream, caplog):
    async def handler(arguments):
        return {"echo": arguments}

    def tool(name: str) -> dict:
        return {"name": name, "description": "hand-written", "inputSchema": {"type": "object"}}

    overrides = SimpleNamespace(EXTRA_TOOLS=[(tool("echo"), handler), (tool("list_toolsets"), handler)])
    server = shop(upstream, overrides=overrides)

    async def main():
        async with Client(server, mode="legacy") as client:
            listed = await client.list_tools()
            return listed, await client.call_tool("echo", {"a": 1}), await client.call_tool("list_toolsets", {})

    listed, echoed, toolsets = anyio.run(main)
    assert names(listed) == [*OWN, "echo"]
    assert echoed.structured_content == {"echo": {"a": 1}}
    assert "toolsets" in toolsets.structured_content  # dynamic mode's own list_toolsets
    assert "'list_toolsets' is not offered in dynamic mode" in caplog.text


def test_untrusted_toolset_names_are_data_and_escaped_where_shown():
    from rest2mcp.runtime.dynamic import Dynamic

    def never():
        raise AssertionError("not needed")

    evil = "x\u202e\x1b[2J"
    dynamic = Dynamic({"pets": {"tools": 1}, evil: {"tools": 1, "description": "d\x07"}}, frozenset(), never)
    assert dynamic.definitions[1]["inputSchema"]["properties"]["toolset"]["enum"] == ["pets", evil]
    assert evil not in json.dumps(dynamic.definitions[0], ensure_ascii=False)  # fixed text: no name in it
    result = anyio.run(dynamic.call, "enable_toolset", {"toolset": "y\x1b"})
    assert result.is_error
    assert text_of(result) == ('No toolset is named "y\\u001b". The toolsets are: pets, x\\u202e\\u001b[2J. '
                               "list_toolsets describes them.")


def test_dynamic_mode_is_a_generation_default(tmp_path, rest2mcp):
    out = tmp_path / "out"
    generate(str(SPECS / "petstore.yaml"), out, Options(models=False, mode="dynamic"))
    index = read_index((out / "petstore_mcp/generated/index.json").read_bytes())
    assert index["mode"] == "dynamic"
    assert "(or `PETSTORE_MCP_MODE=dynamic`), this package's default," in (out / "README.md").read_text()
    server = in_memory_server(out, "petstore_mcp", "--base-url", "http://127.0.0.1:9")
    assert names(anyio.run(_list, server)) == OWN
    wrong = rest2mcp("generate", str(SPECS / "petstore.yaml"), "-o", str(tmp_path / "x"), "--mode", "lazy")
    assert wrong.returncode == 1 and "'dynamic'" in wrong.stderr
    from rest2mcp.surface.config import parse_config

    assert parse_config({"mode": "dynamic"}, "rest2mcp.toml", 'mode = "dynamic"\n').mode == "dynamic"


async def _list(server):
    async with Client(server) as client:
        return await client.list_tools()


# -- installed packages: stdio, stateless Streamable HTTP ----------------------------------------


def test_enabling_over_stdio_sends_list_changed(server_venv, upstream: Upstream):
    upstream.reply("GET", "/orders", Reply.json([]))
    recorder = Recorder()

    async def main():
        target = stdio(server_venv, "shop-mcp", upstream.url, "--mode", "dynamic")
        async with Client(target, mode="legacy", message_handler=recorder) as client:
            return await _enable_steps(recorder)(client)

    _check_enabling(anyio.run(main), upstream, notifications=1)


def test_modern_clients_listen_over_stdio(server_venv, upstream: Upstream):
    async def main():
        async with Client(stdio(server_venv, "shop-mcp", upstream.url, "--mode", "dynamic")) as client:
            async with client.listen(tools_list_changed=True) as subscription:
                await client.call_tool("enable_toolset", {"toolset": "orders"})
                with anyio.fail_after(10):
                    event = await subscription.__anext__()
            return client.server_capabilities, event, await client.list_tools()

    capabilities, event, listed = anyio.run(main)
    assert capabilities.tools.list_changed is True
    assert type(event).__name__ == "ToolsListChanged"
    assert names(listed) == OWN + ORDERS


def test_over_stateless_http_the_next_list_of_any_client_has_the_tools(server_venv, upstream: Upstream):
    port = free_port()
    process = subprocess.Popen([str(server_venv / "bin" / "shop-mcp"), "--transport", "http", "--port", str(port),
                                "--base-url", upstream.url], env=child_env(SHOP_MCP_MODE="dynamic"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/mcp"
    recorder = Recorder()

    async def enable():
        async with Client(url, mode="legacy", message_handler=recorder) as client:
            before = await client.list_tools()
            enabled = await client.call_tool("enable_toolset", {"toolset": "orders"})
            return client.server_capabilities, before, enabled

    async def list_anew(mode: str):
        async with Client(url, mode=mode) as client:
            return await client.list_tools()

    try:
        wait_for_port(port, process=process)
        capabilities, before, enabled = anyio.run(enable)
        later_legacy, later_modern = anyio.run(list_anew, "legacy"), anyio.run(list_anew, "auto")
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert capabilities.tools.list_changed is True
    assert names(before) == OWN and not enabled.is_error
    assert len(recorder.changes) == 1  # on the response stream of the enable_toolset call
    assert names(later_legacy) == names(later_modern) == OWN + ORDERS
    assert upstream.requests == []
