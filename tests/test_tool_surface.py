"""The configured tool surface end to end: generated/shop (specs/shop/openapi.yaml with its
rest2mcp.toml and x-mcp settings) driven through mcp.Client, in tools mode, with toolsets,
and in discovery mode, against the recording upstream."""

from __future__ import annotations

import json
import subprocess

import pytest
from helpers import SPECS, child_env, free_port, run, stdio, text_of, wait_for_port
from mcp import StdioServerParameters
from mcp.shared.exceptions import MCPError
from rest2mcp.pipeline import Options, generate
from upstream import Reply, Upstream


async def _unknown_tool(client, name: str, arguments: dict) -> str:
    """Calling a tool the server does not list is a protocol error: its message."""
    with pytest.raises(MCPError) as raised:
        await client.call_tool(name, arguments)
    return str(raised.value)


EXPECTED_TOOLS = ["cancelOrder", "createOrder", "createProduct", "get_search", "listOrders", "listProducts",
                  "product_details"]


def test_configured_tools_are_listed_and_call_the_api(server_venv, upstream: Upstream):
    upstream.reply("GET", "/products", Reply.json([{"id": "p1", "name": "Mug", "price": 7.5}]))
    upstream.reply("POST", "/orders", Reply.json({"id": "o1", "status": "open"}, status=201))
    upstream.reply("GET", "/products/p1", Reply.json({"id": "p1", "name": "Mug", "price": 7.5}))

    async def steps(client):
        listed = await client.list_tools()
        return (listed,
                await client.call_tool("listProducts", {"q": "mug"}),
                await client.call_tool("listProducts", {"q": "mug", "limit": 3}),
                await client.call_tool("listProducts", {"currency": "USD"}),
                await client.call_tool("createOrder", {"productId": "p1", "quantity": 2}),
                await client.call_tool("createOrder", {"productId": "p1", "quantity": 1, "channel": "web"}),
                await client.call_tool("product_details", {"productId": "p1"}),
                await _unknown_tool(client, "getProduct", {"productId": "p1"}))

    listed, default_limit, given_limit, fixed_currency, order, web_order, product, old_name = run(
        stdio(server_venv, "shop-mcp", upstream.url), "auto", steps)
    tools = {tool.name: tool for tool in listed.tools}
    # healthCheck (tag internal), DELETE /admin/cache (path /admin/**) and the deprecated listOrdersLegacy are out.
    assert sorted(tools) == EXPECTED_TOOLS
    products = tools["listProducts"].input_schema
    assert "currency" not in products["properties"] and "required" not in products
    assert products["properties"]["limit"]["default"] == 20  # from x-mcp
    assert tools["product_details"].description == "One product of the catalog, by its id."  # config wins over x-mcp
    assert tools["createOrder"].title == "Place an order"
    assert tools["createOrder"].annotations.title == "Place an order"
    assert tools["createOrder"].annotations.destructive_hint is False
    assert tools["createOrder"].input_schema["properties"]["channel"]["default"] == "assistant"

    first, second, third, fourth, fifth = upstream.requests
    assert (first.method, first.target) == ("GET", "/products?q=mug&limit=20&currency=EUR")
    assert second.target == "/products?q=mug&limit=3&currency=EUR"
    assert not default_limit.is_error and not given_limit.is_error
    assert fixed_currency.is_error and "currency" in text_of(fixed_currency)  # hidden: not an argument
    assert (third.method, third.target, third.json()) == ("POST", "/orders", {"productId": "p1", "quantity": 2,
                                                                               "channel": "assistant"})
    assert fourth.json() == {"productId": "p1", "quantity": 1, "channel": "web"}
    assert not order.is_error and not web_order.is_error
    assert (fifth.method, fifth.target) == ("GET", "/products/p1")
    assert product.structured_content == {"id": "p1", "name": "Mug", "price": 7.5}
    assert old_name == "Unknown tool: getProduct"  # renamed by x-mcp
    assert len(upstream.requests) == 5


def test_toolsets_choose_the_tools_at_start(server_venv, upstream: Upstream):
    upstream.reply("DELETE", "/orders/o1", Reply(204))

    async def steps(client):
        listed = await client.list_tools()
        return (listed, await client.call_tool("cancelOrder", {"orderId": "o1"}),
                await _unknown_tool(client, "get_search", {"q": "x"}))

    listed, cancelled, outside = run(stdio(server_venv, "shop-mcp", upstream.url, "--toolsets", "orders"), "auto", steps)
    assert sorted(t.name for t in listed.tools) == ["cancelOrder", "createOrder", "listOrders"]
    assert not cancelled.is_error and upstream.last().target == "/orders/o1"
    assert outside == "Unknown tool: get_search" and len(upstream.requests) == 1

    async def names(client):
        return sorted(t.name for t in (await client.list_tools()).tools)

    from_env = StdioServerParameters(command=str(server_venv / "bin" / "shop-mcp"), args=["--base-url", upstream.url],
                                     env=child_env(SHOP_MCP_TOOLSETS="admin,other"))
    assert run(from_env, "auto", names) == ["createProduct", "get_search"]


def test_toolset_errors_and_listing(server_venv):
    command = str(server_venv / "bin" / "shop-mcp")
    listed = subprocess.run([command, "--list-toolsets"], capture_output=True, text=True, timeout=60, check=True)
    assert listed.stdout.splitlines() == ["admin\t1 tools", "catalog\t3 tools", "orders\t3 tools", "other\t1 tools"]
    wrong = subprocess.run([command, "--base-url", "http://x", "--toolsets", "orders,billing"], capture_output=True,
                           text=True, timeout=60, stdin=subprocess.DEVNULL, env=child_env(), check=False)
    assert wrong.returncode == 1
    assert "unknown toolset billing; the toolsets are: admin, catalog, orders, other" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def _discovery_steps(upstream: Upstream):
    upstream.reply("POST", "/orders", Reply.json({"id": "o9", "status": "open"}, status=201))

    async def steps(client):
        listed = await client.list_tools()
        search = await client.call_tool("search_operations", {"query": "place an order"})
        described = await client.call_tool("describe_operation", {"name": "createOrder"})
        called = await client.call_tool("call_operation", {"name": "createOrder",
                                                            "arguments": {"productId": "p2", "quantity": 3}})
        invalid = await client.call_tool("call_operation", {"name": "createOrder", "arguments": {"quantity": 0}})
        hidden = await client.call_tool("call_operation", {"name": "listProducts", "arguments": {"currency": "USD"}})
        unknown = await client.call_tool("describe_operation", {"name": "createOrders"})
        excluded = await client.call_tool("call_operation", {"name": "healthCheck", "arguments": {}})
        return listed, search, described, called, invalid, hidden, unknown, excluded

    return steps


def _check_discovery(results, upstream: Upstream, listing_bytes: int) -> None:
    listed, search, described, called, invalid, hidden, unknown, excluded = results
    assert [t.name for t in listed.tools] == ["search_operations", "describe_operation", "call_operation"]
    assert listing_bytes < 10_000
    found = search.structured_content["operations"]
    assert found[0]["name"] == "createOrder"
    assert found[0] == {"name": "createOrder", "summary": "Place an order", "method": "POST", "path": "/orders",
                        "tags": ["orders"]}
    assert search.structured_content["total"] == len(EXPECTED_TOOLS)
    description = described.structured_content
    assert description["method"] == "POST" and description["path"] == "/orders"
    assert description["inputSchema"]["required"] == ["productId", "quantity"]
    assert description["inputSchema"]["properties"]["channel"]["default"] == "assistant"
    assert "outputSchema" in description
    assert not called.is_error and called.structured_content == {"id": "o9", "status": "open"}
    assert invalid.is_error and "productId: required argument missing" in text_of(invalid)
    assert "quantity" in text_of(invalid)
    assert hidden.is_error and "currency: unknown argument" in text_of(hidden)
    assert unknown.is_error and "Did you mean: createOrder" in text_of(unknown)
    assert excluded.is_error and "No operation is named 'healthCheck'" in text_of(excluded)
    assert len(upstream.requests) == 1  # only the valid call reached the API
    sent = upstream.last()
    assert (sent.method, sent.target, sent.json()) == ("POST", "/orders", {"productId": "p2", "quantity": 3,
                                                                           "channel": "assistant"})


def _listing_bytes(listed) -> int:
    return len(json.dumps(listed.model_dump(by_alias=True, exclude_none=True, mode="json")))


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_discovery_mode_over_stdio(server_venv, upstream: Upstream, mode):
    results = run(stdio(server_venv, "shop-mcp", upstream.url, "--mode", "discovery"), mode, _discovery_steps(upstream))
    _check_discovery(results, upstream, _listing_bytes(results[0]))


def test_discovery_mode_over_streamable_http(server_venv, upstream: Upstream):
    port = free_port()
    process = subprocess.Popen([str(server_venv / "bin" / "shop-mcp"), "--transport", "http", "--port", str(port),
                                "--base-url", upstream.url], env=child_env(SHOP_MCP_MODE="discovery"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process=process)
        results = run(f"http://127.0.0.1:{port}/mcp", "auto", _discovery_steps(upstream))
    finally:
        process.terminate()
        process.wait(timeout=20)
    _check_discovery(results, upstream, _listing_bytes(results[0]))


def test_discovery_mode_chosen_at_generation_with_toolsets(tmp_path, server_venv, upstream: Upstream):
    out = tmp_path / "out"
    generate(str(SPECS / "shop" / "openapi.yaml"), out, Options(mode="discovery"))
    upstream.reply("GET", "/orders", Reply.json([]))
    target = StdioServerParameters(command=str(server_venv / "bin" / "python"),
                                   args=["-m", "shop_mcp", "--base-url", upstream.url, "--toolsets", "orders"],
                                   cwd=str(out), env=child_env())

    async def steps(client):
        listed = await client.list_tools()
        return (listed, await client.call_tool("search_operations", {"query": "product", "limit": 50}),
                await client.call_tool("search_operations", {"query": "list orders", "limit": 1}),
                await client.call_tool("call_operation", {"name": "listOrders", "arguments": {"status": "open"}}))

    listed, products, orders, called = run(target, "auto", steps)
    assert len(listed.tools) == 3 and "(3 in all)" in listed.tools[0].description
    assert all("product" not in op["name"].lower() for op in products.structured_content["operations"])
    assert products.structured_content["total"] == 3  # the orders toolset only
    assert [op["name"] for op in orders.structured_content["operations"]] == ["listOrders"]
    assert not called.is_error and upstream.last().target == "/orders?status=open"


def test_search_ranks_by_words_of_every_field():
    from rest2mcp.runtime import discovery as module
    from rest2mcp.runtime.search_terms import terms

    assert terms("listPetsByOwner GET /v1/pet_owners/{ownerId}") == [
        "list", "pet", "owner", "get", "v", "1", "pet", "owner", "owner", "id"]
    index = module.Index([terms("createInvoice create an invoice") * 3,
                          terms("listInvoices list invoices"),
                          terms("deleteUser remove a user account")])
    assert [n for _, n in index.rank(terms("invoices"))] == [0, 1]
    assert [n for _, n in index.rank(terms("remove account"))] == [2]
    assert index.rank(terms("weather")) == []
