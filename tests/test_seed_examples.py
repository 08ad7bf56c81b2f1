"""The seed examples end to end: specs/stocks.yaml and specs/helpdesk.yaml, their upstream APIs
(examples/stocks_api.py, examples/helpdesk_api.py) started as their one command each, their
committed packages (generated/stocks, generated/helpdesk) installed into a fresh environment and
driven through the official MCP client over stdio: every tool, answered from the demo data.
The tests that start servers are end to end (they use `server_venv`)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import GENERATED, ROOT, api_text, child_env, free_port, run, stdio, text_of, wait_for_port

MODES = ["auto", "legacy"]
STOCKS_KEY = "stocks-test-key"
HELPDESK_TOKEN = "helpdesk-test-token"
AAPL = {"symbol": "AAPL", "name": "Apple Inc.", "exchange": "NASDAQ", "currency": "USD", "price": 234.56,
        "previous_close": 231.1, "change": 3.46, "change_percent": 1.5, "volume": 48213700,
        "as_of": "2026-11-27T21:00:00Z"}


def _upstream(script: str, *args: str) -> Iterator[str]:
    """examples/SCRIPT on a free port, as its README command starts it; yields its URL."""
    port = free_port()
    process = subprocess.Popen([sys.executable, str(ROOT / "examples" / script), "--port", str(port), *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def stocks_api() -> Iterator[str]:
    yield from _upstream("stocks_api.py", "--api-key", STOCKS_KEY)


@pytest.fixture(scope="module")
def helpdesk_api() -> Iterator[str]:
    yield from _upstream("helpdesk_api.py", "--token", HELPDESK_TOKEN)


def _catalog(folder: str) -> dict:
    return json.loads(next((GENERATED / folder).glob("*/generated/tools.json")).read_text())


def test_the_seed_packages_point_at_their_documents():
    for folder, tools in {"stocks": ["get_stock_price", "compare_stocks"],
                          "helpdesk": ["search_knowledge_base", "get_customer_history", "classify_ticket",
                                       "draft_response"]}.items():
        manifest = json.loads((GENERATED / folder / ".rest2mcp" / "manifest.json").read_text())
        assert manifest["spec"]["source"] == f"specs/{folder}.yaml"
        catalog = _catalog(folder)
        assert [tool["name"] for tool in catalog["tools"]] == tools
        for tool in catalog["tools"]:  # nothing asks for approval: every tool only reads
            assert tool["annotations"]["readOnlyHint"] is True and "outputSchema" in tool
            assert not tool["annotations"].get("destructiveHint")


# -- stocks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_stocks_every_tool(server_venv: Path, stocks_api: str, mode: str):
    async def steps(client):
        return {
            "tools": await client.list_tools(),
            "price": await client.call_tool("get_stock_price", {"symbol": "AAPL"}),
            "euros": await client.call_tool("get_stock_price", {"symbol": "msft", "currency": "EUR"}),
            "compare": await client.call_tool("compare_stocks", {"symbols": ["AAPL", "MSFT", "RIVN"]}),
            "yen": await client.call_tool("compare_stocks", {"symbols": ["BRK.B", "KO"], "currency": "JPY"}),
            "unknown": await client.call_tool("get_stock_price", {"symbol": "ZZZZ"}),
            "currency": await client.call_tool("get_stock_price", {"symbol": "AAPL", "currency": "XYZ"}),
            "one": await client.call_tool("compare_stocks", {"symbols": ["AAPL"]}),
        }

    r = run(stdio(server_venv, "stocks-mcp", stocks_api, STOCKS_MCP_API_KEY=STOCKS_KEY), mode, steps)
    assert [tool.name for tool in r["tools"].tools] == ["get_stock_price", "compare_stocks"]
    assert all(tool.annotations.read_only_hint for tool in r["tools"].tools)

    assert not r["price"].is_error
    assert r["price"].structured_content == AAPL
    assert json.loads(api_text(r["price"])) == AAPL
    euros = r["euros"].structured_content
    assert (euros["symbol"], euros["currency"], euros["price"], euros["change"]) == ("MSFT", "EUR", 404.77, -2.17)

    compared = r["compare"].structured_content
    assert [s["symbol"] for s in compared["stocks"]] == ["AAPL", "MSFT", "RIVN"]
    assert (compared["best_performer"], compared["worst_performer"]) == ("AAPL", "RIVN")
    assert compared["stocks"][2] == {"symbol": "RIVN", "name": "Rivian Automotive, Inc.", "price": 12.41,
                                     "change_percent": -3.57, "market_cap": 12.7, "pe_ratio": None,
                                     "dividend_yield": 0.0}
    yen = r["yen"].structured_content
    assert yen["currency"] == "JPY" and [s["price"] for s in yen["stocks"]] == [72362.43, 9705.84]

    # the API's refusal, and arguments refused before any request
    assert r["unknown"].is_error
    assert "HTTP 404" in text_of(r["unknown"]) and "unknown_symbol" in text_of(r["unknown"])
    assert r["currency"].is_error and "currency" in text_of(r["currency"])
    assert r["one"].is_error and "symbols" in text_of(r["one"])


def test_stocks_credentials(server_venv: Path, stocks_api: str):
    missing = run(stdio(server_venv, "stocks-mcp", stocks_api), "auto",
                  lambda client: client.call_tool("get_stock_price", {"symbol": "AAPL"}))
    assert missing.is_error and "STOCKS_MCP_API_KEY" in text_of(missing)
    wrong = run(stdio(server_venv, "stocks-mcp", stocks_api, STOCKS_MCP_API_KEY="wrong"), "auto",
                lambda client: client.call_tool("get_stock_price", {"symbol": "AAPL"}))
    assert wrong.is_error and "HTTP 401" in text_of(wrong)


def _try(server_venv: Path, script: str, *args: str) -> str:
    """examples/SCRIPT run by the environment's Python, where the packages are installed: its output."""
    done = subprocess.run([str(server_venv / "bin" / "python"), str(ROOT / "examples" / script), *args],
                          capture_output=True, text=True, timeout=60, env=child_env(), check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr  # all of it shows when an assertion about it fails


def test_try_stocks_prints_a_price_through_mcp(server_venv: Path):
    """examples/try_stocks.py, the README's first command, with the installed package."""
    out = _try(server_venv, "try_stocks.py", "NVDA")
    assert "tools: get_stock_price, compare_stocks" in out
    assert "NVIDIA Corporation (NVDA, NASDAQ): 138.25 USD, +3.18 (+2.35%)" in out


def test_try_helpdesk_triages_a_ticket_through_mcp(server_venv: Path):
    out = _try(server_venv, "try_helpdesk.py", "My package never arrived!", "--subject", "Where is my order",
               "--customer", "C-1002", "--tone", "concise")
    assert "tools: search_knowledge_base, get_customer_history, classify_ticket, draft_response" in out
    assert "Grace Hopper <grace@example.com>, enterprise plan since 2019-07-01, 1 open ticket(s)" in out
    assert "shipping, normal priority (confidence 0.95; words: order, package, arrived)" in out
    assert "KB-105 Track your order (https://help.example.com/articles/kb-105)" in out
    assert "Re: Where is my order (a draft, sent: false)" in out
    assert "  | - Track your order: https://help.example.com/articles/kb-105" in out


# -- helpdesk --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_helpdesk_every_tool(server_venv: Path, helpdesk_api: str, mode: str):
    ticket = {"subject": "Charged twice this month", "customer_id": "C-1001",
              "body": "I was charged twice for my subscription, please refund one of them urgently."}

    async def steps(client):
        return {
            "tools": await client.list_tools(),
            "search": await client.call_tool("search_knowledge_base", {"query": "refund for a duplicate payment", "limit": 1}),
            "history": await client.call_tool("get_customer_history", {"customer_id": "C-1001", "limit": 2}),
            "classified": await client.call_tool("classify_ticket", ticket),
            "question": await client.call_tool("classify_ticket", {
                "subject": "A question", "body": "How long does delivery take?", "customer_id": "C-1002"}),
            "draft": await client.call_tool("draft_response", {
                "customer_id": "C-1001", "subject": "Charged twice", "message": ticket["body"],
                "tone": "formal", "article_ids": ["KB-103"]}),
            "prompt": await client.get_prompt("triage-ticket", {"customer_id": "C-1003", "message": "Locked out!"}),
            "unknown": await client.call_tool("get_customer_history", {"customer_id": "C-9999"}),
            "malformed": await client.call_tool("get_customer_history", {"customer_id": "1001"}),
            "tone": await client.call_tool("draft_response", {"customer_id": "C-1001", "message": "hi", "tone": "rude"}),
            "article": await client.call_tool("draft_response", {
                "customer_id": "C-1001", "message": "hi", "article_ids": ["KB-999"]}),
        }

    r = run(stdio(server_venv, "helpdesk-mcp", helpdesk_api, HELPDESK_MCP_AGENT_TOKEN=HELPDESK_TOKEN), mode, steps)
    names = ["search_knowledge_base", "get_customer_history", "classify_ticket", "draft_response"]
    assert [tool.name for tool in r["tools"].tools] == names
    assert all(t.annotations.read_only_hint and not t.annotations.destructive_hint for t in r["tools"].tools)

    assert r["search"].structured_content == {"query": "refund for a duplicate payment", "total": 2, "results": [{
        "id": "KB-103", "title": "Refunds and duplicate charges", "score": 9,
        "snippet": "A duplicate charge is refunded within 5 business days.",
        "url": "https://help.example.com/articles/kb-103"}]}
    history = r["history"].structured_content
    assert history["customer"]["name"] == "Ada Lovelace" and history["open_tickets"] == 1
    assert [t["id"] for t in history["tickets"]] == ["T-5240", "T-5012"]
    assert r["classified"].structured_content == {"category": "billing", "priority": "high", "confidence": 0.95,
                                                  "matched_keywords": ["charged", "subscription", "refund", "urgently"]}
    # a question is low priority, but never for an enterprise customer
    assert r["question"].structured_content == {"category": "shipping", "priority": "normal", "confidence": 0.65,
                                                "matched_keywords": ["delivery"]}
    draft = r["draft"].structured_content
    assert (draft["subject"], draft["sent"], draft["tone"]) == ("Re: Charged twice", False, "formal")
    assert draft["body"].startswith("Dear Ada Lovelace,")
    assert "- Refunds and duplicate charges: https://help.example.com/articles/kb-103" in draft["body"]
    assert "C-1003" in r["prompt"].messages[0].content.text

    assert r["unknown"].is_error and "HTTP 404" in text_of(r["unknown"]) and "unknown_customer" in text_of(r["unknown"])
    assert r["malformed"].is_error and "customer_id" in text_of(r["malformed"])
    assert r["tone"].is_error and "tone" in text_of(r["tone"])
    assert r["article"].is_error and "unknown_article" in text_of(r["article"])


def test_helpdesk_read_only_keeps_every_tool(server_venv: Path, helpdesk_api: str):
    """The POST operations store nothing and say so (x-mcp annotations): --read-only keeps them."""

    async def steps(client):
        listed = await client.list_tools()
        return listed, await client.call_tool("classify_ticket", {"subject": "Crash", "body": "The app crashes"})

    target = stdio(server_venv, "helpdesk-mcp", helpdesk_api, "--read-only", HELPDESK_MCP_AGENT_TOKEN=HELPDESK_TOKEN)
    listed, classified = run(target, "auto", steps)
    assert len(listed.tools) == 4
    assert classified.structured_content["category"] == "bug"


def test_helpdesk_refuses_a_wrong_token(server_venv: Path, helpdesk_api: str):
    wrong = run(stdio(server_venv, "helpdesk-mcp", helpdesk_api, HELPDESK_MCP_AGENT_TOKEN="nope"), "auto",
                lambda client: client.call_tool("search_knowledge_base", {"query": "password"}))
    assert wrong.is_error and "HTTP 401" in text_of(wrong) and "unauthorized" in text_of(wrong)
