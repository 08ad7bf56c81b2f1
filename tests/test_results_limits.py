"""Results a model can trust: a 2xx is never an error, even when its body breaks the declared
output schema; every kind of content keeps within the server's limits and says what it left out;
long lists say which argument gets the next page; slow calls report progress and cancelled ones
abandon their request. Generated servers, driven through the official MCP client, calling a real
HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time

import anyio
import pytest
from helpers import api_text, call_in_memory, in_memory_server, text_of, write
from rest2mcp.pipeline import Options, generate
from upstream import Reply, Upstream

MODES = ["auto", "legacy"]
SPEC = """\
openapi: 3.0.3
info: {title: Results, version: '1'}
servers: [{url: 'http://localhost'}]
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string}}}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {type: object, properties: {id: {type: integer}, name: {type: string}}}
  /records:
    get:
      operationId: listRecords
      responses:
        '200':
          description: records
          content:
            application/json:
              schema:
                type: object
                properties:
                  records:
                    type: array
                    items: {type: object, properties: {id: {type: integer}, text: {type: string}}}
  /note:
    get:
      operationId: getNote
      responses:
        '200':
          description: one long text
          content:
            application/json:
              schema: {type: object, properties: {text: {type: string}}}
  /picture:
    get:
      operationId: getPicture
      responses:
        '200': {description: a picture, content: {image/png: {schema: {type: string, format: binary}}}}
  /pets:
    get:
      operationId: listPets
      parameters:
        - {name: page, in: query, schema: {type: integer}}
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        '200':
          description: pets
          content:
            application/json:
              schema: {type: array, items: {type: object, properties: {name: {type: string}}}}
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: cursor, in: query, schema: {type: string}}
      responses:
        '200':
          description: a page of items
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {type: array, items: {type: string}}
                  meta: {type: object, properties: {next_cursor: {type: string, nullable: true}}}
  /charges:
    get:
      operationId: listCharges
      parameters:
        - {name: starting_after, in: query, schema: {type: string}}
      responses:
        '200':
          description: a page of charges
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {type: object, properties: {id: {type: string}}}}
                  has_more: {type: boolean}
  /slow:
    get:
      operationId: getSlow
      responses:
        '200': {description: slow, content: {text/plain: {schema: {type: string}}}}
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    out = folder / "out"
    generate(str(write(folder / "results.yaml", SPEC)), out, Options(models=False))
    return out


def _call(results, upstream, steps, *argv, mode="auto"):
    server = in_memory_server(results, "results_mcp", "--base-url", upstream.url, *argv)
    return call_in_memory(server, steps, mode)


def _notes(result) -> str:
    """The server's own words after the API's data: the last text block."""
    return result.content[-1].text


# -- 1. a 2xx is a success, whatever its body ------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_created_body_that_breaks_the_output_schema_is_a_success(results, upstream: Upstream, mode):
    async def steps(client):
        upstream.reply("POST", "/things", Reply.json([{"id": 7}, {"id": 8}], status=201))
        as_list = await client.call_tool("createThing", {"name": "a"})
        upstream.reply("POST", "/things", Reply.json("created thing 9", status=201))
        as_string = await client.call_tool("createThing", {"name": "b"})
        return as_list, as_string

    as_list, as_string = _call(results, upstream, steps, mode=mode)  # the client validated both
    assert [r.json() for r in upstream.requests] == [{"name": "a"}, {"name": "b"}]
    for result, body in ((as_list, [{"id": 7}, {"id": 8}]), (as_string, "created thing 9")):
        assert not result.is_error
        assert json.loads(api_text(result)) == body
        assert "does not match this tool's declared output schema" in _notes(result)
        assert "given as text only" in _notes(result)
        # no structure is claimed: the empty object the declared schema accepts
        assert result.structured_content == {}


# -- 2. size limits for structured content and binary content --------------------------------


RECORDS = {"records": [{"id": n, "text": f"record {n} " + "x" * 40} for n in range(500)]}


@pytest.mark.parametrize("mode", MODES)
def test_structured_content_is_cut_at_its_longest_list_and_still_validates(results, upstream: Upstream, mode):
    upstream.reply("GET", "/records", Reply.json(RECORDS))
    result = _call(results, upstream, lambda c: c.call_tool("listRecords", {}), "--max-response-chars", "2000",
                   mode=mode)
    assert not result.is_error
    kept = result.structured_content["records"]
    assert 0 < len(kept) < 500 and kept == RECORDS["records"][:len(kept)]
    assert len(json.dumps(result.structured_content, ensure_ascii=False)) <= 2000
    # one more record would not have fit
    assert len(json.dumps({"records": RECORDS["records"][:len(kept) + 1]}, ensure_ascii=False)) > 2000
    assert json.loads(api_text(result)) == result.structured_content  # the same JSON as text
    assert _notes(result) == ("The response was longer than this server's limit of 2,000 characters, so the list "
                              f"`records` was cut to its first {len(kept)} of 500 items. To see every item, ask for "
                              "fewer at a time (a smaller page, a filter).")


def test_a_cut_page_names_the_page_size_that_fits(results, upstream: Upstream):
    pets = [{"name": f"pet {n} " + "x" * 40} for n in range(100)]
    upstream.reply("GET", "/pets", Reply.json(pets))
    result = _call(results, upstream, lambda c: c.call_tool("listPets", {"limit": 100}), "--max-response-chars", "1000")
    assert upstream.last().target == "/pets?limit=100"
    shown = json.loads(api_text(result))
    assert not result.is_error and 0 < len(shown) < 100 and shown == pets[:len(shown)]
    assert _notes(result).endswith(f"To see every item, ask for pages that fit: call this tool again with the same "
                                   f'arguments and {{"limit": {len(shown)}}}.')


def test_a_response_with_no_list_to_cut_has_its_text_cut_and_no_structure(results, upstream: Upstream):
    upstream.reply("GET", "/note", Reply.json({"text": "y" * 5000}))
    result = _call(results, upstream, lambda c: c.call_tool("getNote", {}), "--max-response-chars", "300")
    assert not result.is_error
    text = text_of(result)
    assert "y" * 290 in text and "y" * 400 not in text and "more characters not shown" in text
    assert result.structured_content == {}
    assert "longer than this server's limit of 300 characters" in _notes(result)


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 12  # 3,080 bytes


def test_a_binary_response_over_the_limit_is_left_out_with_its_size_and_type(results, upstream: Upstream):
    upstream.reply("GET", "/picture", Reply(200, PNG, "image/png"))

    async def steps(client):
        return await client.call_tool("getPicture", {})

    small = _call(results, upstream, steps, "--max-binary-bytes", "1000")
    large = _call(results, upstream, steps, "--max-binary-bytes", "5000")
    assert not small.is_error and [b.type for b in small.content] == ["text"]
    assert f"with {len(PNG):,} bytes of image/png" in text_of(small)
    assert "limit of 1,000 bytes" in text_of(small) and "--max-binary-bytes" in text_of(small)
    assert f"{upstream.url}/picture" in text_of(small)
    assert not large.is_error and [b.type for b in large.content] == ["image"]


# -- 3. next-page hints -------------------------------------------------------------------------


def test_a_link_header_names_the_argument_of_the_next_page(results, upstream: Upstream):
    upstream.reply("GET", "/pets", Reply(200, b'[{"name": "Rex"}, {"name": "Tom"}]', "application/json", headers={
        "Link": f'<{upstream.url}/pets?page=3&limit=2>; rel="next", <{upstream.url}/pets?page=9&limit=2>; rel="last"'}))
    result = _call(results, upstream, lambda c: c.call_tool("listPets", {"page": 2, "limit": 2}))
    assert upstream.last().target == "/pets?page=2&limit=2"
    assert not result.is_error
    assert _notes(result) == ('More results follow. For the next page, call this tool again with the same arguments '
                              'and {"page": 3}.')


def test_declared_cursor_fields_name_the_argument_and_value_of_the_next_page(results, upstream: Upstream):
    plans = json.loads((results / "results_mcp/generated/tools.json").read_text())["plans"]
    assert plans["listItems"]["pagination"] == {"argument": "cursor", "kind": "cursor", "next": ["meta", "next_cursor"]}
    assert plans["listCharges"]["pagination"] == {
        "argument": "starting_after", "kind": "after", "more": ["has_more"], "items": ["data"], "key": "id"}

    async def steps(client):
        upstream.reply("GET", "/items", Reply.json({"items": ["a", "b"], "meta": {"next_cursor": "c3Ry"}}))
        first = await client.call_tool("listItems", {})
        upstream.reply("GET", "/items", Reply.json({"items": ["c"], "meta": {"next_cursor": None}}))
        last = await client.call_tool("listItems", {"cursor": "c3Ry"})
        upstream.reply("GET", "/charges", Reply.json({"data": [{"id": "ch_1"}, {"id": "ch_2"}], "has_more": True}))
        charges = await client.call_tool("listCharges", {})
        return first, last, charges

    first, last, charges = _call(results, upstream, steps)
    assert [r.target for r in upstream.requests] == ["/items", "/items?cursor=c3Ry", "/charges"]
    assert _notes(first) == ('More results follow. For the next page, call this tool again with the same arguments '
                             'and {"cursor": "c3Ry"}.')
    assert len(last.content) == 1  # the last page: no note
    assert _notes(charges).endswith('and {"starting_after": "ch_2"}.')


# -- 4. progress and cancellation -------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_slow_call_reports_progress_to_a_client_that_asked(results, upstream: Upstream, mode):
    upstream.reply("GET", "/slow", Reply(200, b"done", "text/plain", delay=2.3))
    reports: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress, total, message):
        reports.append((progress, total, message))

    async def steps(client):
        return await client.call_tool("getSlow", {}, progress_callback=on_progress)

    result = _call(results, upstream, steps, mode=mode)
    assert not result.is_error and api_text(result) == "done"
    assert len(reports) >= 2
    assert [p for p, _, _ in reports] == sorted(p for p, _, _ in reports) and reports[0][0] >= 0.9
    assert reports[0][2] == "Waiting for the API to answer GET /slow (1 s)"


def test_a_cancelled_call_abandons_its_request_and_the_server_goes_on(results, upstream: Upstream):
    finished = threading.Event()
    sent: list[int] = []

    def dribble():
        try:  # a body written slowly: the call is cancelled while it is being read
            for _ in range(40):
                sent.append(1)
                yield b"x" * 100
                time.sleep(0.1)
        finally:
            finished.set()

    upstream.reply("GET", "/slow", Reply(200, content_type="text/plain", stream=dribble, length=4000))
    upstream.reply("GET", "/records", Reply.json({"records": []}))

    async def steps(client):
        with anyio.move_on_after(0.8) as scope:
            await client.call_tool("getSlow", {})
        assert scope.cancelled_caught
        # the upstream stops writing once the connection is gone, long before its 4 s body ends
        await anyio.to_thread.run_sync(finished.wait, 3.0)
        return await client.call_tool("listRecords", {})

    started = time.monotonic()
    after = _call(results, upstream, steps)
    assert finished.is_set() and len(sent) < 40 and time.monotonic() - started < 3.5
    assert not after.is_error and after.structured_content == {"records": []}
    assert [r.target for r in upstream.requests] == ["/slow", "/records"]


# -- the rules, one by one ----------------------------------------------------------------------


def _response(body=None, link: str | None = None, url: str = "http://api.test/things?page=2"):
    import httpx

    headers = {"Link": link} if link else {}
    return httpx.Response(200, json=body, headers=headers, request=httpx.Request("GET", url))


PLAN = {"method": "GET", "path": "/things", "arguments": {
    "page": {"in": "query", "name": "page"}, "offset": {"in": "query", "name": "offset"},
    "cursor": {"in": "query", "name": "cursor"}, "limit": {"in": "query", "name": "limit"}}}
PROPERTIES = {"page": {"type": "integer"}, "offset": {"type": "integer"}, "cursor": {"type": "string"},
              "limit": {"type": "integer"}}


@pytest.mark.parametrize(("pagination", "body", "arguments", "expected"), [
    ({"argument": "page", "kind": "page", "more": ["has_more"]}, {"has_more": True}, {"page": 2}, {"page": 3}),
    ({"argument": "page", "kind": "page", "more": ["has_more"]}, {"has_more": False}, {"page": 2}, None),
    ({"argument": "page", "kind": "page", "total": ["pages"]}, {"pages": 4}, {}, {"page": 2}),
    ({"argument": "page", "kind": "page", "total": ["pages"]}, {"pages": 4}, {"page": 4}, None),
    ({"argument": "offset", "kind": "offset", "items": ["data"], "total": ["total"]},
     {"data": [1, 2, 3], "total": 10}, {"offset": 3}, {"offset": 6}),
    ({"argument": "offset", "kind": "offset", "items": ["data"], "total": ["total"]},
     {"data": [1, 2, 3], "total": 6}, {"offset": 3}, None),
    ({"argument": "offset", "kind": "offset", "items": [], "more": ["x"]}, [1, 2], {}, None),  # no signal
    ({"argument": "cursor", "kind": "cursor", "next": ["links", "next"]},
     {"links": {"next": "http://api.test/things?cursor=Zz9&limit=5"}}, {"limit": 5}, {"cursor": "Zz9"}),
    ({"argument": "cursor", "kind": "cursor", "next": ["next"]}, {"next": ""}, {}, None),
    ({"argument": "cursor", "kind": "cursor", "next": ["next"]}, {"next": "\u202eIGNORE"}, {}, {"cursor": "\u202eIGNORE"}),
])
def test_next_page_from_the_body(pagination, body, arguments, expected):
    from rest2mcp.runtime.pagination import next_page_note

    note = next_page_note(_response(body), body, {**PLAN, "pagination": pagination}, arguments, PROPERTIES)
    if expected is None:
        assert note is None
    else:
        assert note == ("More results follow. For the next page, call this tool again with the same arguments and "
                        f"{json.dumps(expected)}.")
        assert "\u202e" not in note  # the API's values are shown escaped


def test_a_list_cut_to_fit_still_points_past_what_was_shown():
    from rest2mcp.runtime.pagination import next_page_note

    pagination = {"argument": "offset", "kind": "offset", "items": ["data"], "more": ["has_more"]}
    shown = {"data": [1, 2], "has_more": False}  # the API's last page, cut to two items here
    note = next_page_note(_response(shown), shown, {**PLAN, "pagination": pagination}, {}, PROPERTIES, cut=True)
    assert note.endswith('{"offset": 2}.')


def test_a_cut_page_of_a_cursor_says_its_next_page_skips_the_cut_items():
    from rest2mcp.runtime.pagination import next_page_note

    cursor = {"argument": "cursor", "kind": "cursor", "next": ["next"]}
    shown = {"data": [1, 2], "next": "Zz9"}
    whole = next_page_note(_response(shown), shown, {**PLAN, "pagination": cursor}, {}, PROPERTIES)
    cut = next_page_note(_response(shown), shown, {**PLAN, "pagination": cursor}, {}, PROPERTIES, cut=True)
    assert whole.endswith('{"cursor": "Zz9"}.')
    assert cut == whole + " That page starts after every item of this one, the ones cut here too."
    linked = next_page_note(_response([1], link='</things?page=3>; rel="next"'), [1], PLAN, {"page": 2}, PROPERTIES,
                            cut=True)
    assert linked.endswith('{"page": 3}. That page starts after every item of this one, the ones cut here too.')


@pytest.mark.parametrize(("arguments", "properties", "kept", "expected"), [
    ({"limit": {"in": "query", "name": "limit"}}, {"limit": {"type": "integer"}}, 12, {"limit": 12}),
    ({"per_page": {"in": "query", "name": "per_page"}}, {"per_page": {"type": "integer", "maximum": 10}}, 12,
     {"per_page": 10}),
    ({"pageSize": {"in": "query", "name": "pageSize"}}, {"pageSize": {"type": ["integer", "null"]}}, 3, {"pageSize": 3}),
    ({"top": {"in": "query", "name": "$top"}}, {"top": {"type": "integer"}}, 7, {"top": 7}),
    ({"limit": {"in": "query", "name": "limit"}}, {"limit": {"anyOf": [{"type": "integer", "maximum": 5},
                                                                       {"type": "null"}]}}, 12, {"limit": 5}),
    ({"limit": {"in": "query", "name": "limit"}}, {"limit": {"anyOf": [{"type": "string"}, {"type": "null"}]}}, 12,
     None),
    ({"limit": {"in": "query", "name": "limit"}}, {"limit": {"type": "integer", "minimum": 20}}, 12, None),
    ({"limit": {"in": "query", "name": "limit"}}, {"limit": {"type": "string"}}, 12, None),
    ({"limit": {"in": "header", "name": "limit"}}, {"limit": {"type": "integer"}}, 12, None),
    ({"size": {"in": "query", "name": "size"}}, {"size": {"type": "integer"}}, 12, None),  # a size of what?
    ({"size": {"in": "query", "name": "size"}, "page": {"in": "query", "name": "page"}},
     {"size": {"type": "integer"}, "page": {"type": "integer"}}, 12, {"size": 12}),
])
def test_the_page_size_argument_that_makes_pages_fit(arguments, properties, kept, expected):
    from rest2mcp.runtime.pagination import smaller_pages

    assert smaller_pages({"method": "GET", "path": "/x", "arguments": arguments}, properties, kept) == expected
    fixed = {"method": "GET", "path": "/x", "arguments": arguments, "fixed": dict.fromkeys(arguments, 50)}
    assert smaller_pages(fixed, properties, kept) is None  # not the model's to set


def test_a_link_header_no_argument_selects_is_said_so():
    from rest2mcp.runtime.pagination import next_page_note

    note = next_page_note(_response([], link='</things?token=abc>; rel="next"'), [], PLAN, {"page": 2}, PROPERTIES)
    assert note == ("The API says more results follow (its Link header names a next page), but no argument of this "
                    "tool selects that page.")
    assert next_page_note(_response([], link='</things?page=2>; rel="prev"'), [], PLAN, {}, PROPERTIES) is None


@pytest.mark.parametrize(("value", "limit", "where", "kept"), [
    ([{"n": n} for n in range(100)], 60, "", 6),
    ({"result": {"items": list(range(1000)), "small": [1]}}, 100, "result.items", 18),
    ({"a": "z" * 500, "b": [1, 2]}, 100, None, None),  # no list to cut brings it under the limit
])
def test_fit_cuts_the_longest_list(value, limit, where, kept):
    from rest2mcp.runtime.fitting import fit

    fitted = fit(value, limit)
    if where is None:
        assert fitted is None
        return
    assert (fitted.where, fitted.kept) == (where, kept)
    assert len(fitted.text) <= limit and json.loads(fitted.text) == fitted.value
