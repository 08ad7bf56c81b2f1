"""The helpdesk API of specs/helpdesk.yaml, with fixed demo data; it never changes anything.

    python examples/helpdesk_api.py [--host 127.0.0.1] [--port 8082] [--token demo-agent-token]

Every request needs `Authorization: Bearer <token>` (401 otherwise); bad arguments get 400, unknown
customers and articles 404, each with a JSON body `{"error": ..., "message": ...}`. Needs starlette
and uvicorn, which the `mcp` SDK installs.
"""

from __future__ import annotations

import json
import re

from _shared import ApiError, application, serve
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

DEFAULT_TOKEN = "demo-agent-token"
CUSTOMER_ID = re.compile(r"C-[0-9]{4}")


# id -> title, tags, text
ARTICLES = {a[0]: {"title": a[1], "tags": a[2].split(), "body": a[3]} for a in [
    ("KB-101", "Reset your password", "password login account reset",
     "Choose Forgot password on the sign-in page. The emailed link works for 30 minutes."),
    ("KB-102", "Set up two-factor authentication", "2fa security login account",
     "Turn it on under Settings, Security. Keep the recovery codes in a safe place."),
    ("KB-103", "Refunds and duplicate charges", "refund billing charge payment",
     "A duplicate charge is refunded within 5 business days. Other refunds: within 30 days of payment."),
    ("KB-104", "Update your payment method", "billing card payment invoice",
     "Change the card under Settings, Billing. The next invoice is charged to the new card."),
    ("KB-105", "Track your order", "shipping tracking delivery order",
     "Every shipped order has a tracking link in its confirmation email and on the Orders page."),
    ("KB-106", "Delivery times by region", "shipping delivery",
     "Orders arrive in 2 to 4 business days in Europe and North America, 5 to 10 elsewhere."),
    ("KB-107", "Export your data", "export data account",
     "Settings, Data, Export builds a ZIP of every project. Large accounts get it by email."),
    ("KB-108", "Report a bug or an error message", "bug error crash",
     "Send the exact error message, the time it happened and the steps that led to it."),
]}
CUSTOMERS = {c[0]: dict(zip(("id", "name", "email", "plan", "customer_since"), c)) for c in [
    ("C-1001", "Ada Lovelace", "ada@example.com", "pro", "2021-03-14"),
    ("C-1002", "Grace Hopper", "grace@example.com", "enterprise", "2019-07-01"),
    ("C-1003", "Alan Turing", "alan@example.com", "free", "2025-01-20"),
]}
TICKETS = {  # customer -> past tickets (id, subject, status, category, opened), in any order
    customer: [dict(zip(("id", "subject", "status", "category", "opened_at"), t)) for t in tickets]
    for customer, tickets in {
        "C-1001": [("T-4875", "How do I add a teammate?", "closed", "account", "2026-06-11T09:30:00Z"),
                   ("T-5240", "Cannot export my projects", "pending", "bug", "2026-11-20T08:40:00Z"),
                   ("T-5012", "Invoice shows the wrong VAT number", "closed", "billing", "2026-09-02T10:15:00Z")],
        "C-1002": [("T-5301", "Report export fails with error 500", "open", "bug", "2026-11-26T14:02:00Z"),
                   ("T-5100", "Renewal quote for 2027", "closed", "billing", "2026-10-05T16:20:00Z")],
    }.items()
}
KEYWORDS = {  # category -> the words that suggest it, tried in this order
    "billing": {"refund", "charge", "charged", "invoice", "payment", "card", "billing", "subscription"},
    "account": {"password", "login", "locked", "2fa", "account", "username", "email"},
    "shipping": {"delivery", "package", "tracking", "shipped", "shipping", "order", "arrived"},
    "bug": {"error", "crash", "crashes", "broken", "bug", "fails", "failing"},
}
URGENT = {"urgent", "urgently", "asap", "immediately", "outage", "down"}
CASUAL = {"question", "wondering", "curious"}
STOPWORDS = {"a", "an", "and", "are", "can", "do", "for", "how", "i", "in", "is", "it", "my", "of", "on", "or",
             "the", "to", "what", "with"}
TONES = {  # tone -> the reply's opening and closing
    "friendly": ("Hi {first},\n\nThanks for reaching out about {topic}, and sorry for the trouble.",
                 "Best,\nThe Support Team"),
    "formal": ("Dear {name},\n\nThank you for contacting us regarding {topic}.", "Kind regards,\nCustomer Support"),
    "concise": ("Hi {first},\n\nAbout {topic}:", "Support"),
}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _int(request: Request, name: str, default: int, most: int) -> int:
    value = request.query_params.get(name, str(default))
    if not value.isdigit() or not 1 <= int(value) <= most:
        raise ApiError(400, "bad_argument", f"{name} must be a whole number from 1 to {most}, not {value!r}")
    return int(value)


def _customer(customer_id: object) -> dict:
    if not isinstance(customer_id, str) or not CUSTOMER_ID.fullmatch(customer_id):
        raise ApiError(400, "bad_argument", f"customer_id must look like C-1001, not {customer_id!r}")
    if customer_id not in CUSTOMERS:
        raise ApiError(404, "unknown_customer", f"no customer has the id {customer_id}")
    return CUSTOMERS[customer_id]


async def _body(request: Request, required: tuple[str, ...], texts: tuple[str, ...]) -> dict:
    try:
        body = json.loads(await request.body())
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_body", "the body must be a JSON object")
    for name in required:
        if not body.get(name):
            raise ApiError(400, "bad_body", f"{name} is required")
    for name in texts:
        if not isinstance(body.get(name, ""), str):
            raise ApiError(400, "bad_body", f"{name} must be a string")
    return body


async def search_knowledge_base(request: Request) -> JSONResponse:
    query, limit = request.query_params.get("query", ""), _int(request, "limit", 5, 20)
    words = set(_words(query)) - STOPWORDS
    if not words:
        raise ApiError(400, "bad_argument", f"query must have a word to look for, not {query!r}")
    scored = []
    for article_id, article in ARTICLES.items():
        title, body = set(_words(article["title"])), set(_words(article["body"]))
        score = sum(3 * (w in title) + 2 * (w in article["tags"]) + (w in body) for w in words)
        if score:
            snippet = article["body"].split(". ")[0].rstrip(".") + "."
            scored.append({"id": article_id, "title": article["title"], "snippet": snippet, "score": score,
                           "url": f"https://help.example.com/articles/{article_id.lower()}"})
    scored.sort(key=lambda a: (-a["score"], a["id"]))
    return JSONResponse({"query": query, "total": len(scored), "results": scored[:limit]})


async def get_customer_history(request: Request) -> JSONResponse:
    customer, limit = _customer(request.path_params["customer_id"]), _int(request, "limit", 10, 50)
    tickets = sorted(TICKETS.get(customer["id"], []), key=lambda t: t["opened_at"], reverse=True)
    still_open = sum(t["status"] != "closed" for t in tickets)
    return JSONResponse({"customer": customer, "open_tickets": still_open, "tickets": tickets[:limit]})


async def classify_ticket(request: Request) -> JSONResponse:
    ticket = await _body(request, ("subject", "body"), ("subject", "body"))
    customer = _customer(ticket["customer_id"]) if "customer_id" in ticket else None
    words = list(dict.fromkeys(_words(f"{ticket['subject']} {ticket['body']}")))
    hits = {category: [w for w in words if w in keys] for category, keys in KEYWORDS.items()}
    category = max(hits, key=lambda c: len(hits[c])) if any(hits.values()) else "other"
    urgent = [w for w in words if w in URGENT]
    priority = "high" if urgent else "low" if CASUAL & set(words) else "normal"
    if customer and customer["plan"] == "enterprise" and priority == "low":
        priority = "normal"
    found = hits.get(category, [])
    confidence = round(min(0.95, 0.5 + 0.15 * len(found)), 2) if found else 0.3
    matched = [w for w in words if w in found or w in urgent]
    return JSONResponse({"category": category, "priority": priority, "confidence": confidence,
                         "matched_keywords": matched})


async def draft_response(request: Request) -> JSONResponse:
    asked = await _body(request, ("customer_id", "message"), ("message", "subject"))
    customer = _customer(asked["customer_id"])
    tone = asked.get("tone", "friendly")
    if tone not in TONES:
        raise ApiError(400, "bad_body", f"tone must be one of {', '.join(TONES)}, not {tone!r}")
    article_ids = asked.get("article_ids") or []
    if not isinstance(article_ids, list) or len(article_ids) > 5:
        raise ApiError(400, "bad_body", "article_ids must be a list of at most 5 article ids")
    for article_id in article_ids:
        if article_id not in ARTICLES:
            raise ApiError(404, "unknown_article", f"no knowledge-base article has the id {article_id!r}")
    subject = asked.get("subject") or ""
    topic = f'"{subject}"' if subject else "your message"
    opening, closing = TONES[tone]
    lines = [opening.format(first=customer["name"].split()[0], name=customer["name"], topic=topic), ""]
    if article_ids:
        lines += ["These articles should help:", *(
            f"- {ARTICLES[a]['title']}: https://help.example.com/articles/{a.lower()}" for a in article_ids)]
    else:
        lines.append("We are looking into it and will get back to you within one business day.")
    return JSONResponse({"customer_id": customer["id"], "tone": tone, "article_ids": article_ids, "sent": False,
                         "subject": f"Re: {subject}" if subject else "Re: your message to support",
                         "body": "\n".join([*lines, "", closing])})


def create_app(token: str = DEFAULT_TOKEN) -> Starlette:
    """The API, answering requests that send `Authorization: Bearer <token>`."""
    routes = {"/kb/search": ("GET", search_knowledge_base),
              "/customers/{customer_id}/history": ("GET", get_customer_history),
              "/tickets/classify": ("POST", classify_ticket),
              "/tickets/draft-response": ("POST", draft_response)}
    return application(routes, "Authorization", f"Bearer {token}", challenge="Bearer")


if __name__ == "__main__":
    serve(create_app, __doc__, 8082, ("--token", "HELPDESK_TOKEN", DEFAULT_TOKEN))
