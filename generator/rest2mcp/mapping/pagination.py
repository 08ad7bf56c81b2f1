"""Pagination: which argument of a list operation selects the next page, and where its response
says what to pass. Recorded in the tool's plan (`pagination`, runtime/catalog.py's PaginationPlan);
runtime/pagination.py reads it to tell the model how to get the rest of a list.

Found by name, as APIs spell it: a query parameter that selects a page (`cursor`, `page_token`,
`after`, `page`, `offset`...) and, in the primary 2xx JSON response's schema (its properties and
those of its objects: `links`, `meta`, `pagination`...), a field that names the next page
(`next`, `next_cursor`, `nextPageToken`, `links.next`), says whether more follow (`has_more`), or
counts them (`total`, `total_pages`). A pair of them is a plan; anything less is none (the
runtime still follows a `Link: <...>; rel="next"` header on any response).
"""

from __future__ import annotations

from typing import Any

from rest2mcp.document.refs import Resolver
from rest2mcp.mapping.ir import Argument
from rest2mcp.runtime.media import is_json

# The names of the query parameters that select a page, and how names compare, are the runtime's too.
from rest2mcp.runtime.pagination import CURSOR_PARAMETERS, OFFSET_PARAMETERS, PAGE_PARAMETERS, compared_name

AFTER_PARAMETERS = {"after", "startingafter"}
NEXT_FIELDS = ("nextcursor", "nextpagetoken", "nexttoken", "next", "nextpage", "nextlink", "odatanextlink",
               "nextpageurl", "nextpagecursor", "continuationtoken", "nextmarker", "cursor", "endcursor", "after")
MORE_FIELDS = ("hasmore", "hasnextpage", "hasnext", "more")
TOTAL_FIELDS = ("total", "totalcount", "totalresults", "totalitems", "totalsize")
PAGES_FIELDS = ("totalpages", "pagecount", "pages", "lastpage")
ITEM_FIELDS = ("data", "items", "results", "records", "entries", "values", "list")
# How deep fields are looked for: the response's, its objects' (`links.next`), theirs (`paging.next.after`).
DEPTH = 3



def detect_pagination(responses: Any, resolver: Resolver, arguments: tuple[Argument, ...]) -> dict[str, Any] | None:
    """The plan's `pagination` for an operation with these `responses` and `arguments`, or None."""
    by_key = {compared_name(a.wire): a.name for a in arguments if a.location == "query" and a.wire}
    parameter = next(((k, n) for k, n in by_key.items()
                      if k in CURSOR_PARAMETERS | PAGE_PARAMETERS | OFFSET_PARAMETERS), None)
    if parameter is None:
        return None
    try:
        fields = _fields(_response_schema(responses, resolver), resolver)
    except Exception:  # noqa: BLE001 -- an unreadable schema (bad $ref) only means no hint
        return None
    if fields is None:
        return None
    key, argument = parameter

    def first(names: tuple[str, ...]) -> list[str] | None:
        return next((fields[n] for n in names if n in fields), None)

    next_field, more, items = first(NEXT_FIELDS), first(MORE_FIELDS), fields.get("[items]")
    if next_field is not None:
        return {"argument": argument, "kind": "cursor", "next": next_field}
    if key in AFTER_PARAMETERS and more is not None and items is not None:
        return {"argument": argument, "kind": "after", "more": more, "items": items, "key": "id"}
    if key in PAGE_PARAMETERS:
        pages = first(PAGES_FIELDS)
        plan: dict[str, Any] = {"argument": argument, "kind": "page"}
        if more is not None:
            return {**plan, "more": more}
        return {**plan, "total": pages} if pages is not None else None
    if key in OFFSET_PARAMETERS and items is not None:
        total = first(TOTAL_FIELDS)
        plan = {"argument": argument, "kind": "offset", "items": items}
        if more is not None:
            return {**plan, "more": more}
        return {**plan, "total": total} if total is not None else None
    return None


def _response_schema(responses: Any, resolver: Resolver) -> Any:
    """The schema of the first 2xx JSON response (the one the output schema comes from)."""
    if not isinstance(responses, dict):
        return None
    for code in sorted(c for c in responses if isinstance(c, str) and len(c) == 3 and c.startswith("2")):
        response = resolver.deref(responses[code])
        content = response.get("content") if isinstance(response, dict) else None
        for media_type, media in (content.items() if isinstance(content, dict) else ()):
            if is_json(media_type) and isinstance(media, dict) and "schema" in media:
                return media["schema"]
    return None


def _fields(schema: Any, resolver: Resolver) -> dict[str, list[str]] | None:
    """Paging fields of a response schema by compared name, each the path to it; "[items]" is the
    list of items (the response itself, `[]`, when it is one). None: not an object or a list."""
    schema = _merged(schema, resolver)
    if schema.get("type") == "array" or "items" in schema and "properties" not in schema:
        return {"[items]": []}
    if not isinstance(schema.get("properties"), dict):
        return None
    found: dict[str, list[str]] = {}
    level: list[tuple[list[str], dict[str, Any]]] = [([], schema)]
    for _ in range(DEPTH):
        following: list[tuple[list[str], dict[str, Any]]] = []
        for path, node in level:
            for name, child in node.get("properties", {}).items():
                if not isinstance(name, str):
                    continue
                child = _merged(child, resolver)
                if not isinstance(child.get("properties"), dict):  # a value, not an object of more fields
                    found.setdefault(compared_name(name), [*path, name])
                if child.get("type") == "array" and not path:
                    if compared_name(name) in ITEM_FIELDS or "[items]" not in found:
                        found["[items]"] = [name]
                elif isinstance(child.get("properties"), dict):
                    following.append(([*path, name], child))
        level = following
    return found


def _merged(schema: Any, resolver: Resolver) -> dict[str, Any]:
    """The schema with its `$ref` followed and the properties of its `allOf` parts merged in."""
    schema = resolver.deref(schema)
    if not isinstance(schema, dict):
        return {}
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return schema
    properties: dict[str, Any] = dict(schema.get("properties") or {})
    for part in parts:
        part = resolver.deref(part)
        if isinstance(part, dict) and isinstance(part.get("properties"), dict):
            properties.update(part["properties"])
    return {**schema, "type": "object", "properties": properties}
