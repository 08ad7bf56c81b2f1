"""Swagger 2.0 features end to end: a server generated from a small 2.0 document (specs/swagger2-features.yaml,
or one written here when it must name the upstream's port), driven through the official MCP client over
stdio, and the exact requests the recording HTTP server on 127.0.0.1 received."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
from helpers import SPECS, api_text, child_env, run, text_of
from mcp import StdioServerParameters
from rest2mcp.pipeline import Options, generate
from upstream import Reply, Upstream

MODULE = "swagger_two_features_mcp"
TOKEN = "oauth-token-123"
KEY = "header-key-456"
CREDENTIALS = {"SWAGGER_TWO_FEATURES_MCP_OAUTH_TOKEN": TOKEN, "SWAGGER_TWO_FEATURES_MCP_HEADER_KEY": KEY}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


@pytest.fixture(scope="module")
def features(tmp_path_factory) -> Path:
    """specs/swagger2-features.yaml generated once for this module."""
    out = tmp_path_factory.mktemp("swagger2") / "out"
    generated, _ = generate(str(SPECS / "swagger2-features.yaml"), out, Options())
    assert not [d for d in generated.diagnostics if d.severity.name != "INFO"]
    return out


def server(venv: Path, out: Path, module: str, *args: str, **env: str) -> StdioServerParameters:
    return StdioServerParameters(command=str(venv / "bin" / "python"), args=["-m", module, *args],
                                 cwd=str(out), env=child_env(**env))


def multipart_parts(recorded) -> list[bytes]:
    """The parts of a multipart/form-data body, after checking its framing."""
    content_type = recorded.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=", 1)[1].encode()
    assert recorded.body.endswith(b"--" + boundary + b"--\r\n")
    pieces = recorded.body[: -len(b"--" + boundary + b"--\r\n")].split(b"--" + boundary + b"\r\n")
    assert pieces[0] == b""
    assert all(p.endswith(b"\r\n") for p in pieces[1:])
    return [p[:-2] for p in pieces[1:]]


# -- 1. formData: files (multipart) mixed with fields; multipart without files ---------------------


def test_formdata_file_upload_and_multipart_fields(server_venv, features, upstream: Upstream):
    upstream.reply("POST", "/files", Reply.json({"id": "f1"}, status=201))
    upstream.reply("POST", "/profiles", Reply(204))
    encoded = base64.b64encode(PNG).decode()

    async def steps(client):
        listed = await client.list_tools()
        return (listed,
                await client.call_tool("uploadFile", {
                    "file": {"content": encoded, "filename": "pic.png", "contentType": "image/png"},
                    "note": "a \"quoted\" note", "tags": ["x", "y z"], "sizes": [1, 2, 3]}),
                await client.call_tool("uploadFile", {"file": {"content": base64.b64encode(b"plain").decode()}}),
                await client.call_tool("createProfile", {"name": "Ann", "age": 41}),
                await client.call_tool("uploadFile", {"file": {"content": "not base64!"}}))

    listed, uploaded, bare, profile, bad = run(server(server_venv, features, MODULE, "--base-url", upstream.url,
                                                      **CREDENTIALS), "auto", steps)
    tools = {t.name: t for t in listed.tools}
    file_schema = tools["uploadFile"].input_schema["properties"]["file"]
    assert file_schema["required"] == ["content"] and file_schema["description"] == "the file to store"
    assert sorted(file_schema["properties"]) == ["content", "contentType", "filename"]
    assert tools["uploadFile"].input_schema["required"] == ["file"]

    upload, upload_bare, create = upstream.requests
    assert (upload.method, upload.target) == ("POST", "/files")
    assert upload.headers["authorization"] == f"Bearer {TOKEN}"
    assert multipart_parts(upload) == [
        b'Content-Disposition: form-data; name="file"; filename="pic.png"\r\nContent-Type: image/png\r\n\r\n' + PNG,
        b'Content-Disposition: form-data; name="note"\r\n\r\na "quoted" note',
        b'Content-Disposition: form-data; name="tags"\r\n\r\nx',  # collectionFormat multi: one part each
        b'Content-Disposition: form-data; name="tags"\r\n\r\ny z',
        b'Content-Disposition: form-data; name="sizes"\r\n\r\n1,2,3',  # csv, the 2.0 default: one part
    ]
    assert uploaded.structured_content == {"id": "f1"} and not uploaded.is_error
    # no file name or type given: the field's name and application/octet-stream
    assert multipart_parts(upload_bare) == [
        (b'Content-Disposition: form-data; name="file"; filename="file"\r\n'
         b"Content-Type: application/octet-stream\r\n\r\nplain")]
    assert not bare.is_error

    # consumes multipart/form-data without any file
    assert (create.method, create.target) == ("POST", "/profiles")
    assert multipart_parts(create) == [b'Content-Disposition: form-data; name="name"\r\n\r\nAnn',
                                       b'Content-Disposition: form-data; name="age"\r\n\r\n41']
    assert not profile.is_error

    assert bad.is_error and "file/content: the value must be base64-encoded" in text_of(bad)
    assert len(upstream.requests) == 3


# -- 2. collectionFormat: ssv/tsv query, csv/pipes header and path, ssv/multi form fields ------------


def test_collection_formats_on_the_wire(server_venv, features, upstream: Upstream):
    upstream.reply("GET", "/search", Reply.json(["hit"]))
    upstream.reply("POST", "/tokens", Reply.json({"token": "t1"}))
    upstream.reply("GET", "/items/1,2/a%20b|c%7Cd|e", Reply.json(["a b", "c|d", "e"]))

    async def steps(client):
        return [
            await client.call_tool("search", {"words": ["red fox", "a&b"], "cols": ["name", "age"],
                                              "X-Ids": [3, 4], "X-Flags": ["new", "hot"], "X-Cols": ["a", "b c"]}),
            await client.call_tool("getItems", {"ids": [1, 2], "names": ["a b", "c|d", "e"]}),
            await client.call_tool("createToken", {"grant": "client credentials", "scopes": ["read", "write"],
                                                   "audience": ["api", "web"], "resources": ["r/1", "r,2"]}),
            await client.call_tool("createToken", {"grant": "refresh"}),
        ]

    searched, items, token, plain = run(server(server_venv, features, MODULE, "--base-url", upstream.url,
                                               **CREDENTIALS), "auto", steps)
    search, get_items, form, form_plain = upstream.requests

    assert (search.method, search.target) == ("GET", "/search?words=red%20fox%20a%26b&cols=name%09age")
    assert search.headers["x-ids"] == "3,4"  # csv
    assert search.headers["x-flags"] == "new|hot"  # pipes, from a #/parameters reference
    assert search.headers["x-cols"] == "a\tb c"  # tsv
    assert searched.structured_content == {"result": ["hit"]}

    # path arrays: csv (the default) and pipes; items percent-encoded, the delimiter not
    assert (get_items.method, get_items.target) == ("GET", "/items/1,2/a%20b|c%7Cd|e")
    assert items.structured_content == {"result": ["a b", "c|d", "e"]}

    assert (form.method, form.target) == ("POST", "/tokens")
    assert form.headers["content-type"] == "application/x-www-form-urlencoded"
    # ssv: one field, space-joined; multi: one field per value; csv (the default): comma-joined
    assert form.body == (b"grant=client%20credentials&scopes=read%20write&audience=api&audience=web"
                         b"&resources=r%2F1%2Cr%2C2")
    assert token.structured_content == {"token": "t1"}
    assert form_plain.body == b"grant=refresh"
    assert not plain.is_error


# -- 3. security (oauth2, apiKey header), #/responses and #/parameters refs, per-operation media types --


def test_security_shared_refs_and_media_types(server_venv, features, upstream: Upstream):
    upstream.reply("GET", "/reports/r1", Reply.json({"id": "r1", "total": 2.5}))
    upstream.reply("GET", "/notes/n1", Reply(200, b"first line\nsecond line", "text/plain"))
    upstream.reply("POST", "/documents", Reply(201))
    document = '<Report><id>r2</id><total>7</total></Report>'

    async def steps(client):
        listed = await client.list_tools()
        return (listed,
                await client.call_tool("getReport", {"id": "r1", "X-Trace-Id": "trace-7"}),
                await client.call_tool("getNoteText", {"id": "n1"}),
                await client.call_tool("postDocument", {"body": document}),
                await client.call_tool("getReport", {"id": "r1"}))

    listed, report, note, posted, untraced = run(server(server_venv, features, MODULE, "--base-url", upstream.url,
                                                        **CREDENTIALS), "auto", steps)
    tools = {t.name: t for t in listed.tools}
    # a shared response (#/responses/Report) gives the output schema
    assert tools["getReport"].output_schema == {"type": "object", "properties": {"id": {"type": ["string", "null"]},
                                                                                  "total": {"type": ["number", "null"]}}}
    # a shared header parameter (#/parameters/trace) is a required argument
    assert tools["getReport"].input_schema["required"] == ["id", "X-Trace-Id"]
    assert tools["getNoteText"].output_schema is None
    body_schema = tools["postDocument"].input_schema["properties"]["body"]
    assert body_schema == {
        "description": "the document to store. The application/xml document itself, sent as given; "
                       "root element <Report>, with: id (string, required), total (number).",
        "type": "string", "minLength": 1}

    get_report, get_note, post = upstream.requests
    assert (get_report.method, get_report.target) == ("GET", "/reports/r1")
    assert get_report.headers["x-api-key"] == KEY  # the operation's apiKey replaces the global oauth2
    assert "authorization" not in get_report.headers
    assert get_report.headers["x-trace-id"] == "trace-7"
    assert get_report.headers["accept"] == "application/json"
    assert report.structured_content == {"id": "r1", "total": 2.5}
    assert untraced.is_error and "X-Trace-Id: required argument missing" in text_of(untraced)

    # produces [text/plain] on the operation overrides the global application/json
    assert (get_note.target, get_note.headers["accept"]) == ("/notes/n1", "text/plain")
    assert get_note.headers["authorization"] == f"Bearer {TOKEN}"
    assert api_text(note) == "first line\nsecond line" and note.structured_content is None and not note.is_error

    # consumes [application/xml] on the operation: the document is sent as given
    assert (post.method, post.target) == ("POST", "/documents")
    assert post.headers["content-type"] == "application/xml"
    assert post.body == document.encode()
    assert not posted.is_error and "HTTP 201" in text_of(posted)
    assert len(upstream.requests) == 3

    readme = (features / "README.md").read_text()
    assert "| `SWAGGER_TWO_FEATURES_MCP_OAUTH_TOKEN` | | access token for oauth, sent as " \
           "Authorization: Bearer \\<token\\> (secret) |" in readme
    assert "| `SWAGGER_TWO_FEATURES_MCP_HEADER_KEY` | | API key headerKey, sent in the header X-API-Key (secret) |" \
        in readme


# -- 6. host, basePath and schemes as the default base URL; no host: --base-url is needed -----------

THINGS = """\
swagger: "2.0"
info: {{title: Things, version: "1"}}
{location}paths:
  /things/{{id}}:
    get:
      operationId: getThing
      security: [{{oauth: []}}]
      parameters:
        - {{name: id, in: path, required: true, type: string}}
      responses:
        "200":
          description: a thing
          schema: {{type: object, properties: {{id: {{type: string}}}}}}
securityDefinitions:
  oauth: {{type: oauth2, flow: application, tokenUrl: "https://auth.example.com/token", scopes: {{}}}}
"""


def test_host_base_path_and_schemes_are_the_default_base_url(tmp_path, server_venv, upstream: Upstream):
    spec = tmp_path / "things.yaml"
    spec.write_text(THINGS.format(location=f"host: 127.0.0.1:{upstream.port}\nbasePath: /api/v2\nschemes: [http]\n"))
    out = tmp_path / "out"
    generated, _ = generate(str(spec), out, Options())
    assert generated.api.base_url == f"http://127.0.0.1:{upstream.port}/api/v2"
    assert not generated.diagnostics
    upstream.reply("GET", "/api/v2/things/t%201", Reply.json({"id": "t 1"}))

    async def steps(client):
        return (await client.call_tool("getThing", {"id": "t 1"}),)

    (thing,) = run(server(server_venv, out, "things_mcp", THINGS_MCP_OAUTH_TOKEN="tok"), "auto", steps)
    (request,) = upstream.requests
    assert (request.method, request.target) == ("GET", "/api/v2/things/t%201")
    assert request.headers["authorization"] == "Bearer tok"
    assert thing.structured_content == {"id": "t 1"}


@pytest.mark.parametrize("location, note", [
    ("basePath: /api/v2\n", ("the document's server URL '/api/v2' is relative; the base URL must include it, "
                             "e.g. https://api.example.com/api/v2")),
    ("", "the document declares no server (OpenAPI servers, Swagger 2.0 host)"),
])
def test_without_host_the_base_url_is_required(tmp_path, server_venv, upstream: Upstream, location, note):
    spec = tmp_path / "things.yaml"
    spec.write_text(THINGS.format(location=location))
    out = tmp_path / "out"
    generated, _ = generate(str(spec), out, Options())
    assert generated.api.base_url is None
    (info,) = generated.diagnostics
    assert (info.severity.name, info.code, info.message) == ("INFO", "I602", f"no base URL for the API: {note}")
    assert info.hint == "start the server with --base-url URL (or set THINGS_MCP_BASE_URL), or generate with --base-url"
    assert f"| the API's base URL (required: {note}) |" in (out / "README.md").read_text()

    started = subprocess.run([str(server_venv / "bin" / "python"), "-m", "things_mcp"], cwd=out, capture_output=True,
                             text=True, env=child_env(), stdin=subprocess.DEVNULL, timeout=60, check=False)
    assert started.returncode == 1
    assert started.stderr == (f"things-mcp: no base URL for the API: {note}.\n"
                              "Pass the API's absolute URL with --base-url (or set THINGS_MCP_BASE_URL).\n")
    assert "Traceback" not in started.stderr

    # given at start, with the base path: the calls go there; a missing token is a clear tool error
    upstream.reply("GET", "/api/v2/things/a", Reply.json({"id": "a"}))

    async def steps(client):
        return (await client.call_tool("getThing", {"id": "a"}),)

    (missing,) = run(server(server_venv, out, "things_mcp", "--base-url", upstream.url + "/api/v2"), "auto", steps)
    assert missing.is_error and "THINGS_MCP_OAUTH_TOKEN" in text_of(missing)
    assert upstream.requests == []
    (thing,) = run(server(server_venv, out, "things_mcp", THINGS_MCP_BASE_URL=upstream.url + "/api/v2",
                          THINGS_MCP_OAUTH_TOKEN="tok"), "auto", steps)
    assert [r.target for r in upstream.requests] == ["/api/v2/things/a"]
    assert thing.structured_content == {"id": "a"}


def test_converted_oauth2_flows_and_encodings_are_kept(tmp_path):
    """The 3.0 form the pipeline reads: flows with their URLs, form encodings per collectionFormat."""
    from rest2mcp.document import swagger2
    from rest2mcp.document.loading import load

    converted = swagger2.convert(load(str(SPECS / "swagger2-features.yaml")).document, None)
    assert converted["servers"] == [{"url": "https://features.example.com/v1"}]
    assert converted["components"]["securitySchemes"]["oauth"]["flows"] == {"authorizationCode": {
        "scopes": {"read": "read things", "write": "write things"},
        "authorizationUrl": "https://auth.example.com/authorize", "tokenUrl": "https://auth.example.com/token"}}
    upload = converted["paths"]["/files"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert upload["encoding"] == {"sizes": {"style": "form", "explode": False}}
    tokens = converted["paths"]["/tokens"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert tokens["encoding"] == {"scopes": {"style": "spaceDelimited", "explode": False},
                                  "resources": {"style": "form", "explode": False}}
    assert json.dumps(converted, sort_keys=True) == json.dumps(
        swagger2.convert(load(str(SPECS / "swagger2-features.yaml")).document, None), sort_keys=True)
