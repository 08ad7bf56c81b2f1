# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""How to get the next page of a list: the argument (and value) a model passes to get it.

Two sources. An RFC 8288 `Link` header with `rel="next"`, on any response: its URL's query
parameters are matched to the tool's query arguments. And the response body, as the document
declares it (the generator's mapping/pagination.py records it in the plan as `pagination`): a
cursor field (`next_cursor`, `nextPageToken`, `links.next`), `has_more` with the last item's id
(`starting_after`), or a page number or offset to advance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urljoin, urlsplit

MAX_HINT = 2000  # characters of the arguments a next-page note repeats

if TYPE_CHECKING:
    import httpx

    from .catalog import PaginationPlan, ToolPlan


def next_page_note(response: httpx.Response, body: Any, plan: ToolPlan, arguments: Mapping[str, Any],
                   properties: Mapping[str, Any], cut: bool = False) -> str | None:
    """What to pass for the next page, or None when nothing says there is one. `body`: the parsed
    JSON response (as shown: with its list cut when `cut`), None for others."""
    link = _link_next(response)
    chosen: dict[str, Any] | None = None
    if link is not None:
        chosen = _from_url(urljoin(str(response.url), link), plan, arguments)
        if not chosen:
            return ("The API says more results follow (its Link header names a next page), but no argument of "
                    "this tool selects that page.")
    elif "pagination" in plan and body is not None:
        chosen = _from_body(body, plan["pagination"], plan, arguments, cut)
    if not chosen:
        return None
    typed = {name: _typed(value, properties.get(name)) for name, value in chosen.items()}
    # The values are the API's (a cursor, a page number) in the server's own words: as ASCII JSON,
    # nothing in them can hide or pass for more than a value; an overlong one is not repeated.
    shown = json.dumps(typed, ensure_ascii=True)
    if len(shown) > MAX_HINT:
        return ("More results follow, but the value that selects the next page is too long to repeat here; "
                "the response names it.")
    note = f"More results follow. For the next page, call this tool again with the same arguments and {shown}."
    if cut and (link is not None or plan.get("pagination", {}).get("kind") in ("cursor", "page")):
        # The API's cursor (or next page number) points past its whole page, cut items included; an
        # offset or a last id is worked out here from the items shown, so it leaves none out.
        note += " That page starts after every item of this one, the ones cut here too."
    return note


# Query parameters, as compared (`compared_name`), that select a page: by a cursor, a page number, an
# offset (the generator's mapping/pagination.py pairs them with response fields); and that say how
# many items a page holds ("size" only beside a page selector: Spring's page and size).
CURSOR_PARAMETERS = frozenset({"cursor", "pagetoken", "nexttoken", "continuationtoken", "continuation", "marker",
                               "after", "startingafter", "startcursor", "pagecursor", "nextcursor", "next",
                               "paginationtoken", "skiptoken", "nextpagetoken"})
PAGE_PARAMETERS = frozenset({"page", "pagenumber", "pageno", "pagenum", "pageindex"})
OFFSET_PARAMETERS = frozenset({"offset", "skip", "startindex"})
PAGE_SELECTORS = CURSOR_PARAMETERS | PAGE_PARAMETERS | OFFSET_PARAMETERS
PAGE_SIZE_PARAMETERS = frozenset({"limit", "perpage", "pagesize", "maxresults", "maxitems", "top", "pagelimit",
                                  "resultsperpage", "itemsperpage", "maxpagesize", "numresults", "rows"})


def smaller_pages(plan: ToolPlan, properties: Mapping[str, Any], kept: int) -> dict[str, int] | None:
    """The argument and value that ask for pages of `kept` items, when the tool has a page size the
    model may set and its schema allows that many; None otherwise."""
    hidden = plan.get("fixed", {})
    queries = {name: compared_name(argument.get("name", name)) for name, argument in plan["arguments"].items()
               if argument["in"] == "query" and name not in hidden}
    selects = any(key in PAGE_SELECTORS for key in queries.values())
    for name, key in queries.items():
        if not (key in PAGE_SIZE_PARAMETERS or (key == "size" and selects)):
            continue
        schema = _integer(properties.get(name))
        if schema is None:
            continue
        value = kept
        maximum = schema.get("maximum")
        if isinstance(maximum, (int, float)) and not isinstance(maximum, bool):
            value = min(value, int(maximum))
        minimum = schema.get("minimum", 1)
        if not isinstance(minimum, (int, float)) or isinstance(minimum, bool) or value < max(minimum, 1):
            return None
        return {name: value}
    return None


def _integer(schema: Any) -> Mapping[str, Any] | None:
    """The integer schema of an argument: itself, or its integer member when it may also be null
    (OpenAPI 3.0's `nullable`, an `anyOf` with null here); None for any other type."""
    if not isinstance(schema, Mapping):
        return None
    kinds = schema.get("type")
    if kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds):
        return schema
    members = schema.get("anyOf")
    return next((member for member in members if isinstance(member, Mapping) and member.get("type") == "integer"),
                None) if isinstance(members, list) else None


def compared_name(name: str) -> str:
    """A name as compared: "per_page", "perPage", "next_page-token" and "@odata.nextLink" alike."""
    return "".join(c for c in name.lower() if c.isalnum())


def _link_next(response: httpx.Response) -> str | None:
    if "link" not in response.headers:
        return None
    try:
        found = response.links.get("next")
    except (ValueError, IndexError):  # a malformed header is no hint
        return None
    url = found.get("url") if found else None
    return url or None


def _from_url(url: str, plan: ToolPlan, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The tool's query arguments that the next page's URL sets to values other than this call's."""
    hidden = plan.get("fixed", {})
    by_wire = {argument.get("name", name): name for name, argument in plan["arguments"].items()
               if argument["in"] == "query" and name not in hidden}
    chosen: dict[str, Any] = {}
    for wire, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        name = by_wire.get(wire)
        if name is not None and _as_text(arguments.get(name)) != value:
            chosen[name] = value
    return chosen


def _from_body(body: Any, pagination: PaginationPlan, plan: ToolPlan, arguments: Mapping[str, Any],
               cut: bool) -> dict[str, Any] | None:
    name, kind = pagination["argument"], pagination["kind"]
    if name in plan.get("fixed", {}) or name not in plan["arguments"]:
        return None
    more = _more(body, pagination) or cut
    if kind == "cursor":
        value = _at(body, pagination.get("next"))
        if value in (None, "", False) or isinstance(value, (dict, list)):
            return None
        if isinstance(value, str) and ("://" in value or value.startswith(("/", "?"))):
            return _from_url(value, plan, arguments) or None
        return {name: value}
    items = _at(body, pagination.get("items"))
    count = len(items) if isinstance(items, list) else None
    if kind == "after":
        key = pagination.get("key", "id")
        if not more or not count or not isinstance(items, list) or not isinstance(items[-1], dict):
            return None
        last = items[-1].get(key)
        return {name: last} if isinstance(last, (str, int)) and not isinstance(last, bool) else None
    current = _number(arguments.get(name), _number(plan.get("defaults", {}).get(name), 1 if kind == "page" else 0))
    total = _number(_at(body, pagination.get("total")), -1)
    if kind == "page":
        if more or (total >= 0 and current < total):
            return {name: current + 1}
        return None
    if count and (more or (total >= 0 and current + count < total)):
        return {name: current + count}
    return None


def _more(body: Any, pagination: PaginationPlan) -> bool:
    return _at(body, pagination.get("more")) is True


def _at(body: Any, path: list[str] | None) -> Any:
    """The value at `path` (object keys) in `body`: the body itself for [], None where there is none."""
    if path is None:
        return None
    for key in path:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


def _number(value: Any, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return default


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _typed(value: Any, schema: Any) -> Any:
    """A value from a URL as the argument's schema wants it: "3" for an integer argument is 3."""
    if not isinstance(value, str) or not isinstance(schema, dict):
        return value
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "string" in types:
        return value
    if "integer" in types and value.lstrip("-").isdigit():
        return int(value)
    if "number" in types:
        try:
            return float(value)
        except ValueError:
            return value
    if "boolean" in types and value in ("true", "false"):
        return value == "true"
    return value
