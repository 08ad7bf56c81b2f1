"""The stock-quote API of specs/stocks.yaml, with fixed demo data (not live market data).

    python examples/stocks_api.py [--host 127.0.0.1] [--port 8081] [--api-key demo-key]

Every request needs the header `X-API-Key` (401 otherwise); bad arguments get 400, unknown symbols
404, each with a JSON body `{"error": ..., "message": ...}`. Needs starlette and uvicorn, which the
`mcp` SDK installs.
"""

from __future__ import annotations

import re

from _shared import ApiError, application, serve
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

AS_OF = "2026-11-27T21:00:00Z"
DEFAULT_API_KEY = "demo-key"
SYMBOL = re.compile(r"[A-Za-z]{1,5}(\.[A-Za-z])?")
# US dollars are worth this much of each currency (fixed for the demo).
RATES = {"USD": 1.0, "EUR": 0.9461, "GBP": 0.7934, "JPY": 151.37}


def _stock(name: str, exchange: str, price: float, previous_close: float, volume: int,
           market_cap: float, pe_ratio: float | None, dividend_yield: float) -> dict:
    return {"name": name, "exchange": exchange, "price": price, "previous_close": previous_close,
            "volume": volume, "market_cap": market_cap, "pe_ratio": pe_ratio, "dividend_yield": dividend_yield}


# symbol -> the company; prices in US dollars, market capitalization in billions of them.
STOCKS = {
    "AAPL": _stock("Apple Inc.", "NASDAQ", 234.56, 231.10, 48_213_700, 3520.0, 35.8, 0.43),
    "MSFT": _stock("Microsoft Corporation", "NASDAQ", 427.83, 430.12, 19_877_400, 3180.0, 36.1, 0.78),
    "GOOGL": _stock("Alphabet Inc.", "NASDAQ", 171.42, 169.90, 25_640_100, 2110.0, 23.4, 0.47),
    "AMZN": _stock("Amazon.com, Inc.", "NASDAQ", 207.89, 208.55, 38_901_200, 2180.0, 44.2, 0.0),
    "NVDA": _stock("NVIDIA Corporation", "NASDAQ", 138.25, 135.07, 201_334_500, 3390.0, 54.6, 0.03),
    "TSLA": _stock("Tesla, Inc.", "NASDAQ", 338.59, 345.16, 87_512_300, 1090.0, 92.7, 0.0),
    "BRK.B": _stock("Berkshire Hathaway Inc. Class B", "NYSE", 478.05, 476.44, 3_120_500, 1030.0, 9.6, 0.0),
    "KO": _stock("The Coca-Cola Company", "NYSE", 64.12, 63.98, 11_204_800, 276.0, 26.3, 3.03),
    "RIVN": _stock("Rivian Automotive, Inc.", "NASDAQ", 12.41, 12.87, 30_112_000, 12.7, None, 0.0),
}


def _change_percent(stock: dict) -> float:
    return round((stock["price"] - stock["previous_close"]) / stock["previous_close"] * 100, 2)


def _currency(request: Request) -> str:
    currency = request.query_params.get("currency", "USD")
    if currency not in RATES:
        raise ApiError(400, "bad_currency", f"currency must be one of {', '.join(RATES)}, not {currency!r}")
    return currency


def _lookup(symbol: str) -> tuple[str, dict]:
    if not SYMBOL.fullmatch(symbol):
        raise ApiError(400, "bad_symbol", f"{symbol!r} is not a ticker symbol (letters, as in AAPL or BRK.B)")
    symbol = symbol.upper()
    if symbol not in STOCKS:
        raise ApiError(404, "unknown_symbol", f"no listed company has the symbol {symbol}; known: {', '.join(STOCKS)}")
    return symbol, STOCKS[symbol]


def quote(symbol: str, currency: str = "USD") -> dict:
    """The quote get_stock_price returns for `symbol` (upper case) in `currency`."""
    stock, rate = STOCKS[symbol], RATES[currency]
    price, previous = round(stock["price"] * rate, 2), round(stock["previous_close"] * rate, 2)
    return {"symbol": symbol, "name": stock["name"], "exchange": stock["exchange"], "currency": currency,
            "price": price, "previous_close": previous, "change": round(price - previous, 2),
            "change_percent": _change_percent(stock), "volume": stock["volume"], "as_of": AS_OF}


async def get_stock_price(request: Request) -> JSONResponse:
    symbol, _ = _lookup(request.path_params["symbol"])
    return JSONResponse(quote(symbol, _currency(request)))


async def compare_stocks(request: Request) -> JSONResponse:
    currency = _currency(request)
    asked = [s for s in request.query_params.get("symbols", "").split(",") if s]
    if not 2 <= len(asked) <= 10:
        raise ApiError(400, "bad_symbols", "symbols must name 2 to 10 stocks, comma-separated (AAPL,MSFT)")
    found = [_lookup(symbol) for symbol in asked]
    if len({symbol for symbol, _ in found}) != len(found):
        raise ApiError(400, "bad_symbols", "each symbol may be given once")
    rate = RATES[currency]
    stocks = [{"symbol": symbol, "name": stock["name"], "price": round(stock["price"] * rate, 2),
               "change_percent": _change_percent(stock), "market_cap": round(stock["market_cap"] * rate, 1),
               "pe_ratio": stock["pe_ratio"], "dividend_yield": stock["dividend_yield"]} for symbol, stock in found]
    ranked = sorted(stocks, key=lambda s: s["change_percent"])
    return JSONResponse({"currency": currency, "as_of": AS_OF, "stocks": stocks,
                         "best_performer": ranked[-1]["symbol"], "worst_performer": ranked[0]["symbol"]})


def create_app(api_key: str = DEFAULT_API_KEY) -> Starlette:
    """The API, answering requests that send `api_key` in the X-API-Key header."""
    routes = {"/stocks/compare": ("GET", compare_stocks), "/stocks/{symbol}/price": ("GET", get_stock_price)}
    return application(routes, "X-API-Key", api_key)


if __name__ == "__main__":
    serve(create_app, __doc__, 8081, ("--api-key", "STOCKS_API_KEY", DEFAULT_API_KEY))
