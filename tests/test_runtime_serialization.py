"""Unit tests of the runtime copied into every generated package (rest2mcp/runtime: request building
and wire.py, the value encodings it uses).

The serialization rules are those of OpenAPI 3.0.3 "Style Examples"
(https://spec.openapis.org/oas/v3.0.3#style-examples) and RFC 6570, with the value
    color = "blue" | ["blue", "black", "brown"] | {"R": 100, "G": 200, "B": 150}.
No network, no subprocess: requests are built and inspected, never sent.
"""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from rest2mcp.runtime import wire
from rest2mcp.runtime.arguments import argument_errors, validator_for
from rest2mcp.runtime.caller import Settings
from rest2mcp.runtime.credentials import credentials_for, redact
from rest2mcp.runtime.errors import ToolError
from rest2mcp.runtime.request import build_request

PRIMITIVE = "blue"
ARRAY = ["blue", "black", "brown"]
OBJECT = {"R": 100, "G": 200, "B": 150}


# -- scalar ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (None, ""),
        (0, "0"),
        (-3, "-3"),
        (2.0, "2"),
        (-0.0, "0"),
        (2.5, "2.5"),
        (1e20, "100000000000000000000"),
        ("text", "text"),
        ("", ""),
        ("café", "café"),
        ({"a": [1, True]}, '{"a":[1,true]}'),
        ([1, "x"], '[1,"x"]'),
    ],
)
def test_scalar(value, expected):
    assert wire.scalar(value) == expected


# -- path -----------------------------------------------------------------------------------

# (style, explode, value) -> expected, straight from the OpenAPI 3.0.3 style table.
PATH_TABLE = [
    ("simple", False, PRIMITIVE, "blue"),
    ("simple", True, PRIMITIVE, "blue"),
    ("simple", False, ARRAY, "blue,black,brown"),
    ("simple", True, ARRAY, "blue,black,brown"),
    ("simple", False, OBJECT, "R,100,G,200,B,150"),
    ("simple", True, OBJECT, "R=100,G=200,B=150"),
    ("label", False, PRIMITIVE, ".blue"),
    ("label", True, PRIMITIVE, ".blue"),
    ("label", False, ARRAY, ".blue,black,brown"),
    ("label", True, ARRAY, ".blue.black.brown"),
    ("label", False, OBJECT, ".R,100,G,200,B,150"),
    ("label", True, OBJECT, ".R=100.G=200.B=150"),
    ("matrix", False, PRIMITIVE, ";color=blue"),
    ("matrix", True, PRIMITIVE, ";color=blue"),
    ("matrix", False, ARRAY, ";color=blue,black,brown"),
    ("matrix", True, ARRAY, ";color=blue;color=black;color=brown"),
    ("matrix", False, OBJECT, ";color=R,100,G,200,B,150"),
    ("matrix", True, OBJECT, ";R=100;G=200;B=150"),
]


@pytest.mark.parametrize(("style", "explode", "value", "expected"), PATH_TABLE)
def test_path_value_style_table(style, explode, value, expected):
    assert wire.path_value(value, style, explode, "color") == expected


@pytest.mark.parametrize(
    ("style", "expected"),
    [("simple", ""), ("label", "."), ("matrix", ";color")],  # the "empty" row of the style table
)
def test_path_value_empty_string(style, expected):
    assert wire.path_value("", style, False, "color") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a/b", "a%2Fb"),
        ("?x", "%3Fx"),
        ("#", "%23"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("a b", "a%20b"),
        ("50%", "50%25"),
        ("a;b=c,d", "a%3Bb%3Dc%2Cd"),
        ("{id}", "%7Bid%7D"),
        ("é", "%C3%A9"),
        ("a.b", "a.b"),  # a dot inside a segment is harmless
        ("~x_y-z", "~x_y-z"),
        (True, "true"),
        (2.0, "2"),
    ],
)
def test_path_value_encodes_everything_structural(value, expected):
    assert wire.path_value(value, "simple", False, "id") == expected


@pytest.mark.parametrize("style", ["simple", "label", "matrix"])
@pytest.mark.parametrize("explode", [False, True])
@pytest.mark.parametrize(
    "value", ["a/b", "?x", "#", "..", ".", ["a/b", ".."], {"k/": "v?#"}, "../../admin"]
)
def test_path_value_never_changes_path_structure(style, explode, value):
    text = wire.path_value(value, style, explode, "id")
    assert not set(text) & set("/?#"), text
    assert text not in (".", "..")
    url = f"http://h/v1/items/{text}/sub"
    parts = urlsplit(url)
    assert parts.query == "" and parts.fragment == ""
    segments = parts.path.split("/")
    assert segments[:3] == ["", "v1", "items"] and segments[-1] == "sub" and len(segments) == 5
    assert segments[3] not in (".", "..")


# -- query ----------------------------------------------------------------------------------

QUERY_TABLE = [
    ("form", True, PRIMITIVE, ["color=blue"]),
    ("form", False, PRIMITIVE, ["color=blue"]),
    ("form", True, ARRAY, ["color=blue", "color=black", "color=brown"]),
    ("form", False, ARRAY, ["color=blue,black,brown"]),
    ("form", True, OBJECT, ["R=100", "G=200", "B=150"]),
    ("form", False, OBJECT, ["color=R,100,G,200,B,150"]),
    ("spaceDelimited", False, ARRAY, ["color=blue%20black%20brown"]),
    ("spaceDelimited", False, OBJECT, ["color=R%20100%20G%20200%20B%20150"]),
    ("pipeDelimited", False, ARRAY, ["color=blue|black|brown"]),
    ("pipeDelimited", False, OBJECT, ["color=R|100|G|200|B|150"]),
    ("deepObject", True, OBJECT, ["color[R]=100", "color[G]=200", "color[B]=150"]),
    ("deepObject", False, OBJECT, ["color[R]=100", "color[G]=200", "color[B]=150"]),
]


@pytest.mark.parametrize(("style", "explode", "value", "expected"), QUERY_TABLE)
def test_query_pairs_style_table(style, explode, value, expected):
    assert wire.query_pairs("color", value, style, explode, False) == expected


def test_query_deep_object_nested():
    value = {"where": {"price": {"gte": 10, "lt": 20.0}}, "active": True, "skip": None}
    assert wire.query_pairs("filter", value, "deepObject", True, False) == [
        "filter[where][price][gte]=10",
        "filter[where][price][lt]=20",
        "filter[active]=true",
    ]


def test_query_deep_object_keys_are_encoded():
    pairs = wire.query_pairs("f", {"a b": "x&y", "k]": "=", "é": "ü"}, "deepObject", True, False)
    assert pairs == ["f[a%20b]=x%26y", "f[k%5D]=%3D", "f[%C3%A9]=%C3%BC"]


@pytest.mark.parametrize("style", ["form", "spaceDelimited", "pipeDelimited"])
@pytest.mark.parametrize("explode", [False, True])
def test_query_empty_array_sends_nothing(style, explode):
    # RFC 6570 2.3: a list with zero members is undefined, and undefined variables are omitted.
    assert wire.query_pairs("tags", [], style, explode, False) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, ["flag=true"]),
        (False, ["flag=false"]),
        (2.0, ["flag=2"]),
        (2.5, ["flag=2.5"]),
        (0, ["flag=0"]),
        ("", ["flag="]),
        ([True, 1.0, 1.5], ["flag=true,1,1.5"]),
    ],
)
def test_query_scalars(value, expected):
    assert wire.query_pairs("flag", value, "form", False, False) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a b", "q=a%20b"),
        ("café ü", "q=caf%C3%A9%20%C3%BC"),
        ("1+1=2", "q=1%2B1%3D2"),
        ("a&b=c#d", "q=a%26b%3Dc%23d"),
        ("x/y?z", "q=x%2Fy%3Fz"),
        ("50%", "q=50%25"),
    ],
)
def test_query_percent_encoding(value, expected):
    [pair] = wire.query_pairs("q", value, "form", True, False)
    assert pair == expected
    assert "+" not in pair  # spaces are %20, never '+'
    assert parse_qsl(pair) == [("q", value)]


def test_query_array_items_with_commas_are_encoded():
    assert wire.query_pairs("ids", ["a,b", "c"], "form", False, False) == ["ids=a%2Cb,c"]


def test_query_parameter_name_is_encoded():
    assert wire.query_pairs("my key&x", "v", "form", True, False) == ["my%20key%26x=v"]


def test_query_allow_reserved_keeps_reserved_characters():
    [pair] = wire.query_pairs("path", "/a/b:c@d!$'()*,;", "form", True, True)
    assert pair == "path=/a/b:c@d!$'()*,;"


def test_query_allow_reserved_still_cannot_break_the_query():
    # '&' would start a new parameter, '#' would end the query, '+' reads as a space: all stay encoded.
    value = "a/b?c&d=e#f+g h"
    [pair] = wire.query_pairs("q", value, "form", True, True)
    assert "&" not in pair and "#" not in pair and "+" not in pair and " " not in pair
    assert parse_qsl(pair) == [("q", value)]


def test_query_form_object_skips_null_members():
    # RFC 6570 expands only the defined members of an associative array; the exploded form already does.
    assert wire.query_pairs("color", {"R": 1, "G": None}, "form", True, False) == ["R=1"]
    assert wire.query_pairs("color", {"R": 1, "G": None}, "form", False, False) == ["color=R,1"]


# -- header and cookie ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("explode", "value", "expected"),
    [
        (False, PRIMITIVE, "blue"),
        (False, ARRAY, "blue,black,brown"),
        (True, ARRAY, "blue,black,brown"),
        (False, OBJECT, "R,100,G,200,B,150"),
        (True, OBJECT, "R=100,G=200,B=150"),
        (False, True, "true"),
        (False, 3.0, "3"),
        (False, [False, 2.0], "false,2"),
    ],
)
def test_header_value(explode, value, expected):
    assert wire.header_value(value, explode) == expected


@pytest.mark.parametrize(
    ("explode", "value", "expected"),
    [
        (True, PRIMITIVE, "blue"),
        (False, ARRAY, "blue,black,brown"),
        (False, OBJECT, "R,100,G,200,B,150"),
        (True, False, "false"),
        (True, 7.0, "7"),
        (True, "a b;c=d,e", "a%20b%3Bc%3Dd%2Ce"),  # ';' would end the cookie, ' ' and ',' are not cookie-octets
        (True, "é", "%C3%A9"),
    ],
)
def test_cookie_value(explode, value, expected):
    assert wire.cookie_value(value, explode) == expected


# -- form bodies ----------------------------------------------------------------------------


def test_form_body_exact():
    fields = {
        "a": 1,
        "b": "x y&z=w",
        "c": None,
        "d": True,
        "e": [1, 2.0],
        "o": {"k": {"n": "v"}},
        "f": 2.0,
        "plus": "1+1",
    }
    assert wire.form_body(fields) == "a=1&b=x%20y%26z%3Dw&d=true&e=1&e=2&o%5Bk%5D%5Bn%5D=v&f=2&plus=1%2B1"


def test_form_body_round_trips():
    fields = {"name": "Ünïcode & co", "note": "a=b;c", "empty": ""}
    assert parse_qsl(wire.form_body(fields), keep_blank_values=True) == list(fields.items())


def test_form_body_empty():
    assert wire.form_body({}) == ""


# -- redact ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secrets", "expected"),
    [
        ("token s3cr3t-token echoed", ["s3cr3t-token"], "token *** echoed"),
        ("url ?k=a%2Fb%20c-long", ["a/b c-long"], "url ?k=***"),
        ("nothing here", ["absent-secret"], "nothing here"),
        ("empty secrets are ignored", [""], "empty secrets are ignored"),
        ("twice secret99 secret99", ["secret99"], "twice *** ***"),
        ("a=KEY1-long b=KEY2-long", ["KEY1-long", "KEY2-long"], "a=*** b=***"),
        ("short ones stay: s3cr3t admin", ["s3cr3t", "admin"], "short ones stay: s3cr3t admin"),
    ],
)
def test_redact(text, secrets, expected):
    assert redact(text, secrets) == expected


def test_redact_leaves_no_part_of_a_longer_secret():
    # A secret that starts with another one must not come out as '***123'.
    assert redact("password is password-admin123", ["password-admin", "password-admin123"]) == "password is ***"


# -- argument_errors ------------------------------------------------------------------------

INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "limit": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
        "filter": {"type": "object", "properties": {"max": {"type": "number"}}},
    },
    "required": ["id", "name"],
    "additionalProperties": False,
}


@pytest.fixture
def catalog():
    return validator_for(INPUT_SCHEMA)


def test_arguments_valid(catalog):
    assert argument_errors(catalog, {"id": 1, "name": "x", "limit": None, "filter": {"max": 2.5}}) == []


def test_arguments_missing_required(catalog):
    assert argument_errors(catalog, {}) == [
        "id: required argument missing",
        "name: required argument missing",
    ]


def test_arguments_unknown(catalog):
    problems = argument_errors(catalog, {"id": 1, "name": "x", "idd": 2})
    assert problems == ["idd: unknown argument (expected one of: filter, id, limit, name, status)"]


def test_arguments_wrong_types_one_message_per_field(catalog):
    problems = argument_errors(catalog, {"id": "7", "name": 3, "limit": 0, "filter": {"max": "x"}})
    fields = [p.split(":", 1)[0] for p in problems]
    assert sorted(fields) == ["filter/max", "id", "limit", "name"]
    assert any(p.startswith("id: ") and "integer" in p for p in problems)
    assert any(p.startswith("name: ") and "string" in p for p in problems)


def test_arguments_enum_field_of_wrong_type_gets_one_message(catalog):
    problems = argument_errors(catalog, {"id": 1, "name": "x", "status": 5})
    assert len(problems) == 1, problems
    assert problems[0].startswith("status: ")


def test_arguments_every_kind_at_once(catalog):
    problems = argument_errors(catalog, {"name": True, "zz": 1})
    fields = sorted(p.split(":", 1)[0] for p in problems)
    assert fields == ["id", "name", "zz"]


# -- credentials ----------------------------------------------------------------------------

SCHEMES = {
    "key": {"kind": "apiKey", "env": ["API_KEY"], "in": "header", "name": "X-Key"},
    "qkey": {"kind": "apiKey", "env": ["Q_KEY"], "in": "query", "name": "api key"},
    "ckey": {"kind": "apiKey", "env": ["C_KEY"], "in": "cookie", "name": "sid"},
    "bearer": {"kind": "bearer", "env": ["TOKEN"]},
    "basic": {"kind": "basic", "env": ["USER", "PASS"]},
}


def test_credentials_none_needed():
    for plan in ({}, {"security": []}):
        applied = credentials_for(plan, SCHEMES, {})
        assert (applied.headers, applied.query, applied.cookies, applied.secrets) == ({}, [], [], [])


def test_credentials_first_satisfied_alternative_wins():
    plan = {"security": [["basic"], ["bearer"], ["key"]]}
    env = {"TOKEN": "token-12345678", "API_KEY": "k"}
    applied = credentials_for(plan, SCHEMES, env)
    assert applied.headers == {"Authorization": "Bearer token-12345678"}
    assert applied.secrets == ["token-12345678"]


def test_credentials_all_schemes_of_an_alternative():
    plan = {"security": [["key", "bearer"]]}
    applied = credentials_for(plan, SCHEMES, {"TOKEN": "token-12345678", "API_KEY": "k"})
    assert applied.headers == {"X-Key": "k", "Authorization": "Bearer token-12345678"}
    assert applied.secrets == ["token-12345678"]  # "k" is too short to be masked


def test_credentials_in_query_and_cookie():
    applied = credentials_for({"security": [["qkey", "ckey"]]}, SCHEMES, {"Q_KEY": "a/b", "C_KEY": "c"})
    assert (applied.query, applied.cookies) == (["api%20key=a%2Fb"], ["sid=c"])


def test_credentials_partly_satisfied_alternative_is_skipped():
    plan = {"security": [["key", "bearer"], ["basic"]]}
    applied = credentials_for(plan, SCHEMES, {"API_KEY": "k", "USER": "u", "PASS": "password-1"})
    token = base64.b64encode(b"u:password-1").decode()
    assert applied.headers == {"Authorization": f"Basic {token}"}
    assert applied.secrets == ["password-1", token]  # the user name is no secret


@pytest.mark.parametrize("security", [[[]], [["key"], []], [[], ["key"]]])
def test_credentials_empty_alternative_allows_anonymous(security):
    applied = credentials_for({"security": security}, SCHEMES, {})
    assert (applied.headers, applied.secrets) == ({}, [])


def test_credentials_empty_alternative_still_uses_a_credential_listed_first():
    applied = credentials_for({"security": [["key"], []]}, SCHEMES, {"API_KEY": "k"})
    assert applied.headers == {"X-Key": "k"}


def test_credentials_missing_names_every_env_var():
    plan = {"security": [["basic"], ["bearer"]]}
    with pytest.raises(ToolError) as info:
        credentials_for(plan, SCHEMES, {"USER": "u"})
    message = str(info.value)
    for var in ("USER", "PASS", "TOKEN"):
        assert var in message


def test_credentials_empty_value_counts_as_missing():
    with pytest.raises(ToolError, match="API_KEY"):
        credentials_for({"security": [["key"]]}, SCHEMES, {"API_KEY": ""})


# -- build_request --------------------------------------------------------------------------

PLAN = {
    "method": "PUT",
    "path": "/items/{itemId}",
    "arguments": {
        "itemId": {"in": "path", "name": "itemId", "style": "simple", "explode": False},
        "q": {"in": "query", "name": "q", "style": "form", "explode": True},
        "b": {"in": "body_field", "name": "b"},
    },
    "body": {"mediaType": "application/json", "required": True},
    "security": [["k"]],
    "accept": "application/json",
}
PLAN_SCHEMES = {"k": {"kind": "apiKey", "env": ["X_K"], "in": "header", "name": "X-Key"}}
ENV = {"X_K": "secret-key"}
SETTINGS = Settings(base_url="http://h/v1")


def build(arguments, plan=PLAN, schemes=PLAN_SCHEMES, env=ENV, settings=SETTINGS):
    return build_request(settings.base_url, settings.user_agent, plan, schemes, arguments, env,
                         settings.allowed_origins)


def test_build_request_exact():
    request = build({"itemId": "a/b", "q": "x y", "b": 1.5})
    assert request.method == "PUT"
    assert request.url == "http://h/v1/items/a%2Fb?q=x%20y"
    assert request.headers == {
        "User-Agent": "rest2mcp-server",
        "X-Key": "secret-key",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    assert request.content == b'{"b": 1.5}'
    assert request.secrets == ["secret-key"]
    assert request.display == "PUT /items/a%2Fb"


def test_build_request_null_query_is_omitted():
    request = build({"itemId": "7", "q": None, "b": "x"})
    assert request.url == "http://h/v1/items/7"


def test_build_request_required_body_without_fields_sends_empty_object():
    request = build({"itemId": "7"})
    assert request.content == b"{}"
    assert request.headers["Content-Type"] == "application/json"


def test_build_request_optional_body_without_fields_sends_nothing():
    plan = {**PLAN, "body": {"mediaType": "application/json", "required": False}}
    request = build({"itemId": "7", "q": "x"}, plan=plan)
    assert request.content is None
    assert "Content-Type" not in request.headers
    assert request.url == "http://h/v1/items/7?q=x"


def test_build_request_null_path_value_is_an_error():
    with pytest.raises(ToolError, match="itemId"):
        build({"itemId": None})


@pytest.mark.parametrize("value", ["", []])
def test_build_request_empty_path_value_cannot_reach_another_resource(value):
    # PUT /items/{itemId} with itemId "" must not become PUT /items/ (the collection): path parameters are
    # always required (OAS 3.0.3 Parameter Object), and an empty segment silently retargets the call.
    try:
        request = build({"itemId": value, "b": 1})
    except ToolError:
        return
    assert not request.url.startswith("http://h/v1/items/?") and request.url != "http://h/v1/items/", request.url


def test_build_request_null_header_and_cookie_are_omitted():
    plan = {
        "method": "GET",
        "path": "/p",
        "arguments": {
            "h": {"in": "header", "name": "X-H", "style": "simple", "explode": False},
            "c": {"in": "cookie", "name": "c", "style": "form", "explode": True},
            "q": {"in": "query", "name": "q", "style": "form", "explode": True},
        },
    }
    request = build({"h": None, "c": None, "q": None}, plan=plan, schemes={}, env={})
    assert request.url == "http://h/v1/p"
    assert request.headers == {"User-Agent": "rest2mcp-server"}


def test_build_request_missing_credential_is_an_error():
    with pytest.raises(ToolError, match="X_K"):
        build({"itemId": "7"}, env={})


def test_build_request_unicode_body_and_path():
    request = build({"itemId": "é", "b": "ü"})
    assert request.url == "http://h/v1/items/%C3%A9"
    assert json.loads(request.content) == {"b": "ü"}
    assert request.content == '{"b": "ü"}'.encode()


def test_build_request_trailing_slash_in_base_url_and_server_override():
    request = build({"itemId": "1"}, settings=Settings(base_url="http://h/v1/"))
    assert request.url == "http://h/v1/items/1"
    request = build({"itemId": "1"}, plan={**PLAN, "server": "http://h:80/api/"})
    assert request.url == "http://h:80/api/items/1"  # the base URL's origin
    allowed = Settings(base_url="http://h/v1", allowed_origins=frozenset({"https://other.example:443"}))
    request = build({"itemId": "1"}, plan={**PLAN, "server": "https://other.example/api/"}, settings=allowed)
    assert request.url == "https://other.example/api/items/1"


def test_build_request_an_operation_server_elsewhere_yields_to_the_base_url():
    request = build({"itemId": "1"}, plan={**PLAN, "server": "https://other.example/api/"})
    assert request.url == "http://h/v1/items/1"


def test_build_request_all_locations():
    plan = {
        "method": "GET",
        "path": "/a/{x}/b/{y}",
        "arguments": {
            "x": {"in": "path", "name": "x", "style": "label", "explode": True},
            "y": {"in": "path", "name": "y", "style": "matrix", "explode": True},
            "tags": {"in": "query", "name": "tags", "style": "form", "explode": True},
            "ids": {"in": "query", "name": "ids", "style": "form", "explode": False},
            "words": {"in": "query", "name": "words", "style": "spaceDelimited", "explode": False},
            "codes": {"in": "query", "name": "codes", "style": "pipeDelimited", "explode": False},
            "filter": {"in": "query", "name": "filter", "style": "deepObject", "explode": True},
            "json_q": {"in": "query", "name": "j", "contentType": "application/json"},
            "trace": {"in": "header", "name": "X-Trace", "style": "simple", "explode": False},
            "session": {"in": "cookie", "name": "session", "style": "form", "explode": True},
            "prefs": {"in": "cookie", "name": "prefs", "style": "form", "explode": False},
        },
    }
    request = build(
        {
            "x": ["p", "q"],
            "y": {"m": 1},
            "tags": ["a", "b"],
            "ids": [1, 2.0],
            "words": ["w 1", "w2"],
            "codes": ["c1", "c2"],
            "filter": {"n": {"o": True}},
            "json_q": {"a": 1},
            "trace": ["t1", "t2"],
            "session": "s;1",
            "prefs": ["x", "y"],
        },
        plan=plan,
        schemes={},
        env={},
    )
    assert request.url == (
        "http://h/v1/a/.p.q/b/;m=1"
        "?tags=a&tags=b&ids=1,2&words=w%201%20w2&codes=c1|c2&filter[n][o]=true&j=%7B%22a%22%3A1%7D"
    )
    assert request.headers == {"User-Agent": "rest2mcp-server", "X-Trace": "t1,t2", "Cookie": "session=s%3B1; prefs=x,y"}
    assert request.content is None
    assert request.method == "GET"


@pytest.mark.parametrize(
    ("scheme", "env", "url", "headers"),
    [
        (
            {"kind": "apiKey", "env": ["K"], "in": "header", "name": "X-Api-Key"},
            {"K": "value-123"},
            "http://h/v1/p",
            {"X-Api-Key": "value-123"},
        ),
        (
            {"kind": "apiKey", "env": ["K"], "in": "query", "name": "api_key"},
            {"K": "a/b&c"},
            "http://h/v1/p?q=1&api_key=a%2Fb%26c",
            {},
        ),
        (
            {"kind": "apiKey", "env": ["K"], "in": "cookie", "name": "sid"},
            {"K": "v"},
            "http://h/v1/p",
            {"Cookie": "sid=v"},
        ),
        (
            {"kind": "bearer", "env": ["T"]},
            {"T": "tok"},
            "http://h/v1/p",
            {"Authorization": "Bearer tok"},
        ),
        (
            {"kind": "basic", "env": ["U", "P"]},
            {"U": "user-name-long", "P": "pa:ss-word"},
            "http://h/v1/p",
            {"Authorization": "Basic " + base64.b64encode(b"user-name-long:pa:ss-word").decode()},
        ),
    ],
)
def test_build_request_security_kinds(scheme, env, url, headers):
    plan = {
        "method": "GET",
        "path": "/p",
        "arguments": {"q": {"in": "query", "name": "q", "style": "form", "explode": True}},
        "security": [["s"]],
    }
    request = build({"q": 1}, plan=plan, schemes={"s": scheme}, env=env)
    expected_url = url if "?" in url else url + "?q=1"
    assert request.url == expected_url
    assert request.headers == {"User-Agent": "rest2mcp-server", **headers}
    for name, value in env.items():
        assert (value in request.secrets) == (name != "U" and len(value) >= 8)


def test_build_request_basic_token_is_a_secret():
    plan = {"method": "GET", "path": "/p", "arguments": {}, "security": [["s"]]}
    env = {"U": "alice", "P": "correct horse"}
    request = build({}, plan=plan, schemes={"s": {"kind": "basic", "env": ["U", "P"]}}, env=env)
    token = base64.b64encode(b"alice:correct horse").decode()
    assert token in request.secrets
    assert redact(f"echo {request.headers['Authorization']}", request.secrets) == "echo Basic ***"


def test_build_request_anonymous_alternative_sends_no_credentials():
    plan = {"method": "GET", "path": "/p", "arguments": {}, "security": [["s"], []]}
    request = build({}, plan=plan, schemes={"s": {"kind": "bearer", "env": ["T"]}}, env={})
    assert request.headers == {"User-Agent": "rest2mcp-server"}
    assert request.secrets == []


def test_build_request_whole_body():
    plan = {
        "method": "POST",
        "path": "/items/batch",
        "arguments": {"body": {"in": "body"}},
        "body": {"mediaType": "application/json", "required": True},
    }
    request = build({"body": [{"id": 1}, {"id": 2}]}, plan=plan, schemes={}, env={})
    assert request.content == b'[{"id": 1}, {"id": 2}]'
    assert request.headers["Content-Type"] == "application/json"


def test_build_request_form_urlencoded_body():
    plan = {
        "method": "POST",
        "path": "/login",
        "arguments": {"user": {"in": "body_field", "name": "user"}, "tags": {"in": "body_field", "name": "tags"}},
        "body": {"mediaType": "application/x-www-form-urlencoded", "required": True},
    }
    request = build({"user": "a b&c", "tags": ["x", "y"]}, plan=plan, schemes={}, env={})
    assert request.content == b"user=a%20b%26c&tags=x&tags=y"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_build_request_wildcard_media_type_sends_json():
    plan = {
        "method": "POST",
        "path": "/x",
        "arguments": {"a": {"in": "body_field", "name": "a"}},
        "body": {"mediaType": "*/*", "required": False},
    }
    request = build({"a": True}, plan=plan, schemes={}, env={})
    assert request.headers["Content-Type"] == "application/json"
    assert request.content == b'{"a": true}'


_FIELD_VALUE = re.compile(r"[\x20-\x7e\t]*")


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "line\nbreak", "José"])
def test_build_request_header_argument_is_always_sendable(value):
    """A header argument either becomes a valid field value (RFC 9110 5.5: no CR/LF, visible ASCII) or a
    ToolError the model can act on; it must never reach httpx as something h11 or httpx refuse to send."""
    plan = {
        "method": "GET",
        "path": "/p",
        "arguments": {"h": {"in": "header", "name": "X-Name", "style": "simple", "explode": False}},
    }
    try:
        request = build({"h": value}, plan=plan, schemes={}, env={})
    except ToolError:
        return
    for name, text in request.headers.items():
        assert _FIELD_VALUE.fullmatch(text), (name, text)
