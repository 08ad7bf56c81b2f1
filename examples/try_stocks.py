"""A stock price obtained through MCP: the demo upstream, the generated server, the official client.

    python examples/try_stocks.py [SYMBOL] [--currency USD|EUR|GBP|JPY]

Starts the stocks API (examples/stocks_api.py) on a free port of 127.0.0.1 with a fresh API key,
starts the generated MCP server over stdio (`python -m stocks_mcp`: install it first with
`pip install ./generated/stocks`, or a package you generated from specs/stocks.yaml) with that key
in its environment and `--base-url` pointing at the upstream, calls its tool `get_stock_price`
through `mcp.Client`, prints the quote, and stops both.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import secrets
import sys

import anyio
from _shared import upstream
from mcp import Client, StdioServerParameters

MODULE = "stocks_mcp"  # the generated package's import name (its command: stocks-mcp)


def describe(quote: dict) -> str:
    """A quote (get_stock_price's structuredContent) in one sentence."""
    sign = "+" if quote["change"] >= 0 else ""
    return (f"{quote['name']} ({quote['symbol']}, {quote['exchange']}): {quote['price']:,.2f} {quote['currency']}, "
            f"{sign}{quote['change']:,.2f} ({sign}{quote['change_percent']:.2f}%) since the previous close "
            f"of {quote['previous_close']:,.2f}; volume {quote['volume']:,}; as of {quote['as_of']}")


async def ask(base_url: str, api_key: str, symbol: str, currency: str) -> int:
    server = StdioServerParameters(command=sys.executable, args=["-m", MODULE, "--base-url", base_url],
                                   env={"STOCKS_MCP_API_KEY": api_key, "STOCKS_MCP_AUDIT_LOG": "off"})
    async with Client(server) as client:
        info = client.server_info
        tools = (await client.list_tools()).tools
        print(f"MCP server: {info.name if info else MODULE} over stdio (protocol {client.protocol_version}), "
              f"tools: {', '.join(tool.name for tool in tools)}")
        arguments = {"symbol": symbol, "currency": currency}
        print(f"calling get_stock_price {json.dumps(arguments)}")
        result = await client.call_tool("get_stock_price", arguments)
    if result.is_error:
        text = "\n".join(getattr(block, "text", "") for block in result.content)
        print(f"the tool answered with an error:\n{text}", file=sys.stderr)
        return 1
    quote = result.structured_content
    assert isinstance(quote, dict)
    print(f"\n{describe(quote)}\n\nstructuredContent: {json.dumps(quote)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("symbol", nargs="?", default="AAPL", help="a ticker symbol (default: AAPL)")
    parser.add_argument("--currency", default="USD", help="USD (default), EUR, GBP or JPY")
    args = parser.parse_args(argv)
    if importlib.util.find_spec(MODULE) is None:
        print(f"{MODULE} is not installed in {sys.prefix}: pip install ./generated/stocks", file=sys.stderr)
        return 2
    api_key = secrets.token_urlsafe(16)
    with upstream("stocks_api.py", STOCKS_API_KEY=api_key) as url:
        print(f"upstream: the stocks API (examples/stocks_api.py, demo data) at {url}")
        return anyio.run(ask, url, api_key, args.symbol, args.currency)


if __name__ == "__main__":
    sys.exit(main())
