# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Discovery mode: three tools that reach every operation, whatever the API's size.

search_operations ranks operations by keywords (BM25 over name, title, tags, path, method and
description, with the words reduced to common terms: see search_terms); describe_operation returns one operation's schemas; call_operation validates
the arguments against that schema and calls the operation exactly as its own tool would.
The catalog is loaded on the first use, so tools/list costs the same for 10 or 10,000
operations.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mcp import types

from .arguments import checked, validator_for
from .display import api_name
from .results import error_result
from .search_terms import intent, method_terms, terms
from .surface import Surface, SurfaceError

_NAME = {"type": "string", "minLength": 1, "maxLength": 200,
         "description": "The operation's name, as search_operations returns it."}


def definitions(api_title: str, operations: int, toolsets: list[str]) -> list[dict[str, Any]]:
    """The three tools as listed by tools/list: small and independent of the API's size."""
    groups = f" Groups (tags): {', '.join(toolsets[:30])}{', ...' if len(toolsets) > 30 else ''}." if len(toolsets) > 1 else ""
    return [
        {
            "name": "search_operations",
            "title": "Search operations",
            "description": (f"Find operations of the {api_name(api_title)} ({operations} in all) by keywords: matched "
                            f"against their names, summaries, descriptions, tags and paths.{groups} Returns the "
                            "best matches first. Then call describe_operation for an operation's arguments, "
                            "and call_operation to run it."),
            "inputSchema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "minLength": 1, "maxLength": 500,
                              "description": "Keywords, e.g. 'create invoice' or 'list users by team'."},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10,
                              "description": "How many operations to return (default 10)."},
                },
                "required": ["query"],
                "additionalProperties": False,
            },
            "annotations": {"title": "Search operations", "readOnlyHint": True, "openWorldHint": False},
        },
        {
            "name": "describe_operation",
            "title": "Describe an operation",
            "description": ("The full description of one operation: what it does, its HTTP method and path, "
                            "the JSON Schema of its arguments (inputSchema) and of its result (outputSchema, "
                            "when known)."),
            "inputSchema": {"type": "object", "properties": {"name": _NAME}, "required": ["name"],
                            "additionalProperties": False},
            "annotations": {"title": "Describe an operation", "readOnlyHint": True, "openWorldHint": False},
        },
        {
            "name": "call_operation",
            "title": "Call an operation",
            "description": ("Call one operation of the API with arguments matching its inputSchema (see "
                            "describe_operation). The arguments are checked before anything is sent; the "
                            "result is the API's answer."),
            "inputSchema": {
                "type": "object",
                "properties": {
                    "name": _NAME,
                    "arguments": {"type": "object", "default": {},
                                  "description": "The operation's arguments, as its inputSchema describes."},
                },
                "required": ["name"],
                "additionalProperties": False,
            },
            "annotations": {"title": "Call an operation", "readOnlyHint": False, "destructiveHint": True,
                            "openWorldHint": True},
        },
    ]


class Index:
    """Okapi BM25 over one short document per operation (names and titles weigh more).

    Pure Python on purpose: ranking a few thousand short documents takes milliseconds, and
    generated servers stay free of numerical libraries."""

    K1 = 1.2
    B = 0.75

    def __init__(self, documents: list[list[str]]):
        self.postings: dict[str, list[tuple[int, int]]] = {}
        self.lengths = [len(d) for d in documents]
        self.average = (sum(self.lengths) / len(documents)) if documents else 1.0
        for number, document in enumerate(documents):
            for term, count in Counter(document).items():
                self.postings.setdefault(term, []).append((number, count))
        total = len(documents)
        self.idf = {term: math.log(1 + (total - len(p) + 0.5) / (len(p) + 0.5)) for term, p in self.postings.items()}

    def rank(self, query: list[str]) -> list[tuple[float, int]]:
        scores: dict[int, float] = {}
        for term in dict.fromkeys(query):
            for number, count in self.postings.get(term, ()):
                norm = count + self.K1 * (1 - self.B + self.B * self.lengths[number] / self.average)
                scores[number] = scores.get(number, 0.0) + self.idf[term] * count * (self.K1 + 1) / norm
        return sorted(((score, number) for number, score in scores.items()), key=lambda s: (-s[0], s[1]))


# How often each field's terms count in an operation's document: the name and title say what an
# operation does, the description mostly how; only the description's start is kept (long ones would
# outweigh the name in BM25's length normalization). Tuned on bench/search_eval.
NAME_WEIGHT = 4
PATH_WEIGHT = 2
VERB_WEIGHT = 3
DESCRIPTION_TERMS = 10
INTENT_BOOST = 1.2


def search_index(operations: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> tuple[list[dict[str, Any]], Index]:
    """The entries search_operations returns and the index ranking them, from each operation's
    tool definition and plan (method, path, tags)."""
    entries: list[dict[str, Any]] = []
    documents = []
    for definition, plan in operations:
        entry = {"name": definition["name"], "summary": _summary(definition)}
        if plan:
            entry["method"] = plan["method"]
            entry["path"] = plan["path"]
        if plan.get("tags"):
            entry["tags"] = plan["tags"]
        entries.append(entry)
        heavy = terms(" ".join([definition["name"], definition.get("title") or "", " ".join(plan.get("tags", ()))]))
        path = terms(plan.get("path", ""))
        verb = method_terms(plan.get("method", ""), plan.get("path", "")) if plan else []
        described = terms(definition.get("description") or "")[:DESCRIPTION_TERMS]
        documents.append(heavy * NAME_WEIGHT + path * PATH_WEIGHT + verb * VERB_WEIGHT + described)
    return entries, Index(documents)


def ranked(index: Index, entries: list[dict[str, Any]], query: str) -> list[int]:
    """The numbers of the matching entries, best first; an exact name first of all."""
    exact = [i for i, e in enumerate(entries) if e["name"].lower() == query.strip().lower()]
    scored = index.rank(terms(query, first_is_verb=True))
    wanted = intent(query)
    if wanted is not None:  # a task that acts prefers operations that act; a question, those that read
        def fits(number: int) -> bool:
            return bool((entries[number].get("method", "GET") == "GET") == (wanted == "read"))

        scored = sorted(((score * (INTENT_BOOST if fits(number) else 1.0), number) for score, number in scored),
                        key=lambda s: (-s[0], s[1]))
    return exact + [number for _, number in scored if number not in exact]


def _summary(definition: Mapping[str, Any]) -> str:
    text = definition.get("title") or definition.get("description") or ""
    return " ".join(text.split())[:200]


class Discovery:
    """The tool surface of discovery mode; the server treats it like the tools of tools mode."""

    def __init__(self, api_title: str, operations: int, toolsets: list[str], make_surface: Callable[[], Surface]):
        self.definitions = definitions(api_title, operations, toolsets)
        self._schemas = {d["name"]: d["inputSchema"] for d in self.definitions}
        self._make_surface = make_surface
        self._surface: Surface | None = None
        self._entries: list[dict[str, Any]] = []
        self._index: Index | None = None
        self._validators: dict[str, Any] = {}
        # The catalog and the search index are made once, by the first call or by the HTTP server's
        # warm-up thread (hosting.Readiness), whichever comes first.
        self._loading = threading.RLock()

    def knows(self, name: str) -> bool:
        return name in self._schemas

    def warm(self) -> None:
        """Load the catalog and make the search index now, not at the first call."""
        self._ensure_index(self.surface())

    def _validator(self, name: str) -> Any:
        if name not in self._validators:
            self._validators[name] = validator_for(self._schemas[name])
        return self._validators[name]

    def input_schema(self, name: str) -> dict[str, Any] | None:
        return self._schemas.get(name)

    def surface(self) -> Surface:
        if self._surface is None:
            with self._loading:
                if self._surface is None:
                    self._surface = self._make_surface()
        return self._surface

    async def close(self) -> None:
        if self._surface is not None:
            await self._surface.close()

    async def call(self, name: str, arguments: Mapping[str, Any] | None) -> types.CallToolResult:
        arguments = dict(arguments or {})
        problems = await checked(self._validator(name), arguments)
        if problems:
            return error_result("Invalid arguments:\n" + "\n".join(f"- {p}" for p in problems))
        try:
            surface = self.surface()
        except SurfaceError as exc:  # a broken overrides.py: say so instead of stopping the server
            return error_result(f"The server's tool configuration is broken: {exc}")
        if name == "search_operations":
            return self._search(surface, arguments["query"], int(arguments.get("limit", 10)))
        if name == "describe_operation":
            return self._describe(surface, arguments["name"])
        return await self._call(surface, arguments["name"], arguments.get("arguments") or {})

    # -- the three tools ------------------------------------------------------------------

    def _ensure_index(self, surface: Surface) -> None:
        if self._index is not None:
            return
        with self._loading:
            if self._index is None:
                operations: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = [
                    (definition, surface.plan(definition["name"]) or {}) for definition in surface.definitions]
                self._entries, self._index = search_index(operations)

    def _search(self, surface: Surface, query: str, limit: int) -> types.CallToolResult:
        self._ensure_index(surface)
        assert self._index is not None
        order = ranked(self._index, self._entries, query)
        found = [self._entries[number] for number in order[:limit]]
        result = {"operations": found, "matches": len(order), "total": len(self._entries)}
        if not found:
            result["hint"] = "No operation matches these words: try other or fewer keywords."
        return _json_result(result)

    def _unknown(self, surface: Surface, name: str) -> types.CallToolResult:
        self._ensure_index(surface)
        assert self._index is not None
        close = [self._entries[n]["name"] for _, n in self._index.rank(terms(name))[:5]]
        hint = f" Did you mean: {', '.join(close)}?" if close else " Use search_operations to find operations."
        return error_result(f"No operation is named {name!r}.{hint}")

    def _describe(self, surface: Surface, name: str) -> types.CallToolResult:
        if not surface.knows(name):
            return self._unknown(surface, name)
        definition = surface.definition(name)
        plan = surface.plan(name)
        described: dict[str, Any] = {"name": name}
        if definition.get("title"):
            described["title"] = definition["title"]
        described["description"] = definition.get("description", "")
        if plan:
            described["method"], described["path"] = plan["method"], plan["path"]
        described["inputSchema"] = definition.get("inputSchema", {"type": "object"})
        if "outputSchema" in definition:
            described["outputSchema"] = definition["outputSchema"]
        if definition.get("annotations"):
            described["annotations"] = definition["annotations"]
        return _json_result(described)

    async def _call(self, surface: Surface, name: str, arguments: Any) -> types.CallToolResult:
        if not surface.knows(name):
            return self._unknown(surface, name)
        key = "operation:" + name
        if key not in self._validators:
            self._validators[key] = validator_for(surface.input_schema(name) or {"type": "object"})
        problems = await checked(self._validators[key], arguments)
        if problems:
            return error_result(f"Invalid arguments for {name} (see describe_operation):\n"
                                + "\n".join(f"- {p}" for p in problems))
        result: types.CallToolResult = await surface.call(name, arguments)
        return result


def _json_result(value: dict[str, Any]) -> types.CallToolResult:
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], structured_content=value)
