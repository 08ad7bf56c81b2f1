"""A support ticket triaged through MCP: the helpdesk's demo upstream, its generated server, the client.

    python examples/try_helpdesk.py [MESSAGE] [--subject SUBJECT] [--customer C-1001] [--tone friendly]

Starts the helpdesk API (examples/helpdesk_api.py) on a free port of 127.0.0.1 with a fresh token,
starts the generated MCP server over stdio (`python -m helpdesk_mcp`: install it first with
`pip install ./generated/helpdesk`) with that token in its environment and `--base-url` pointing at
the upstream, and calls its four tools as an assistant would: the customer's history, the ticket's
classification, the knowledge-base articles for the words that decided it, and a draft reply citing
them (a draft: nothing is sent). Then it stops both.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import secrets
import sys
from typing import Any

import anyio
from _shared import upstream
from mcp import Client, StdioServerParameters

MODULE = "helpdesk_mcp"  # the generated package's import name (its command: helpdesk-mcp)
MESSAGE = "I was charged twice for my subscription this month, please refund one of them urgently."


class ToolFailed(Exception):
    """A tool answered with an error result."""


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    print(f"\n{tool} {json.dumps(arguments)}")
    result = await client.call_tool(tool, arguments)
    if result.is_error:
        text = "\n".join(getattr(block, "text", "") for block in result.content)
        raise ToolFailed(f"{tool} answered with an error:\n{text}")
    assert isinstance(result.structured_content, dict)
    return result.structured_content


async def triage(base_url: str, token: str, args: argparse.Namespace) -> int:
    server = StdioServerParameters(command=sys.executable, args=["-m", MODULE, "--base-url", base_url],
                                   env={"HELPDESK_MCP_AGENT_TOKEN": token, "HELPDESK_MCP_AUDIT_LOG": "off"})
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
        print(f"MCP server: {MODULE.replace('_', '-')} over stdio (protocol {client.protocol_version}), "
              f"tools: {', '.join(tool.name for tool in tools)}")
        try:
            await steps(client, args)
        except ToolFailed as failure:
            print(failure, file=sys.stderr)
            return 1
    return 0


async def steps(client: Client, args: argparse.Namespace) -> None:
    """The customer's history, the ticket's classification, the articles, the draft."""
    history = await call(client, "get_customer_history", {"customer_id": args.customer, "limit": 3})
    customer = history["customer"]
    print(f"  {customer['name']} <{customer['email']}>, {customer['plan']} plan since "
          f"{customer['customer_since']}, {history['open_tickets']} open ticket(s)")
    for ticket in history["tickets"]:
        print(f"  {ticket['id']} {ticket['status']:<8} {ticket['subject']}")

    ticket = {"subject": args.subject, "body": args.message, "customer_id": args.customer}
    found = await call(client, "classify_ticket", ticket)
    print(f"  {found['category']}, {found['priority']} priority (confidence {found['confidence']}; "
          f"words: {', '.join(found['matched_keywords']) or 'none'})")

    query = " ".join(found["matched_keywords"]) or args.subject
    articles = (await call(client, "search_knowledge_base", {"query": query, "limit": 2}))["results"]
    for article in articles:
        print(f"  {article['id']} {article['title']} ({article['url']})")

    draft = await call(client, "draft_response", {
        "customer_id": args.customer, "subject": args.subject, "message": args.message, "tone": args.tone,
        "article_ids": [article["id"] for article in articles]})
    print(f"  {draft['subject']} (a draft, sent: {str(draft['sent']).lower()})")
    print("".join(f"  | {line}\n" for line in draft["body"].splitlines()), end="")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("message", nargs="?", default=MESSAGE, help="the customer's message")
    parser.add_argument("--subject", default="Charged twice this month")
    parser.add_argument("--customer", default="C-1001", help="C-1001 (default), C-1002 or C-1003")
    parser.add_argument("--tone", default="friendly", help="friendly (default), formal or concise")
    args = parser.parse_args(argv)
    if importlib.util.find_spec(MODULE) is None:
        print(f"{MODULE} is not installed in {sys.prefix}: pip install ./generated/helpdesk", file=sys.stderr)
        return 2
    token = secrets.token_urlsafe(16)
    with upstream("helpdesk_api.py", HELPDESK_TOKEN=token) as url:
        print(f"upstream: the helpdesk API (examples/helpdesk_api.py, demo data) at {url}")
        return anyio.run(triage, url, token, args)


if __name__ == "__main__":
    sys.exit(main())
