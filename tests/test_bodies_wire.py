"""Request bodies and responses on the wire: specs/bodies.yaml generated into a temporary folder,
run from there by the test virtual environment's Python, driven through the official MCP client,
against the recording upstream on 127.0.0.1. Each test asserts the exact request the API received
(method, target, Content-Type, bytes) and, for responses, the exact MCP result."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SPECS, api_text, child_env, run, text_of
from jsonschema import Draft202012Validator
from mcp import StdioServerParameters
from rest2mcp.mapping.bodies import field_encodings
from rest2mcp.pipeline import Options, generate, prepare
from rest2mcp.runtime import wire
from upstream import Reply, Upstream

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
MODULE = "bodies_mcp"


@pytest.fixture(scope="module")
def bodies(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bodies") / "out"
    generate(str(SPECS / "bodies.yaml"), out, Options())
    return out


def server(venv: Path, out: Path, upstream: Upstream, *extra: str, **env: str) -> StdioServerParameters:
    # `python -m` from the generated folder: the package under test, not an installed copy.
    return StdioServerParameters(command=str(venv / "bin" / "python"),
                                 args=["-m", MODULE, "--base-url", upstream.url, *extra],
                                 cwd=str(out), env=child_env(**env))


def _multipart(request) -> tuple[str, bytes]:
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    return content_type.split("boundary=", 1)[1], request.body


# -- 1. text and XML: a string, sent verbatim with its media type ------------------------------


def test_text_and_xml_bodies_are_sent_verbatim(bodies, server_venv, upstream: Upstream):
    upstream.reply("POST", "/notes", Reply(201))
    upstream.reply("PUT", "/documents/d1", Reply(204))
    upstream.reply("POST", "/legacy", Reply(200, b"<ok/>", "application/xml"))
    note = "Hello,\n  world & <friends> \u2713\n"
    document = '<?xml version="1.0"?>\n<document><title>A &amp; B</title></document>'

    async def steps(client):
        listed = {t.name: t for t in (await client.list_tools()).tools}
        return (listed,
                await client.call_tool("createNote", {"body": note}),
                await client.call_tool("putDocument", {"docId": "d1", "body": document}),
                await client.call_tool("postLegacy", {"body": "<ping/>"}),
                await client.call_tool("createNote", {"body": ""}),
                await client.call_tool("createNote", {"body": {"text": "not a string"}}))

    listed, noted, put, legacy, empty, structured = run(server(server_venv, bodies, upstream), "auto", steps)
    assert listed["putDocument"].input_schema["properties"]["body"] == {
        "description": "The document as XML. The application/xml document itself, sent as given; "
                       "root element <document>, with: title (string).", "type": "string", "minLength": 1}
    assert listed["postLegacy"].input_schema["properties"]["body"] == {"type": "string"}

    post_note, put_doc, post_legacy = upstream.requests
    assert (post_note.method, post_note.target, post_note.headers["content-type"]) == ("POST", "/notes", "text/plain")
    assert post_note.body == note.encode()
    assert (put_doc.method, put_doc.target, put_doc.headers["content-type"]) == (
        "PUT", "/documents/d1", "application/xml")
    assert put_doc.body == document.encode()
    assert (post_legacy.headers["content-type"], post_legacy.body) == ("text/xml", b"<ping/>")
    assert not noted.is_error and not put.is_error
    assert not legacy.is_error and api_text(legacy) == "<ok/>"
    # refused before any request, naming the argument
    assert empty.is_error and text_of(empty).startswith("Invalid arguments:\n- body: ")
    assert structured.is_error and "body: {'text': 'not a string'} is not of type 'string'" in text_of(structured)


# -- 2. JSON media types other than application/json -----------------------------------------


def test_json_media_types_keep_their_content_type(bodies, server_venv, upstream: Upstream):
    operations = [{"op": "replace", "path": "/name", "value": "Bo"}, {"op": "remove", "path": "/email"}]
    article = {"type": "articles", "attributes": {"title": "Hi", "tags": ["a"]}}

    async def steps(client):
        listed = {t.name: t for t in (await client.list_tools()).tools}
        return (listed,
                await client.call_tool("mergePatchUser", {"userId": 7, "name": "Ann", "email": None}),
                await client.call_tool("jsonPatchUser", {"userId": 7, "body": operations}),
                await client.call_tool("createArticle", {"data": article}),
                await client.call_tool("jsonPatchUser", {"userId": 7, "body": [{"op": "rename", "path": "/a"}]}),
                await client.call_tool("jsonPatchUser", {"userId": 7, "body": {"op": "add"}}))

    listed, merged, patched, created, bad_op, not_array = run(server(server_venv, bodies, upstream), "auto", steps)
    assert listed["jsonPatchUser"].input_schema["properties"]["body"]["type"] == "array"
    assert sorted(listed["mergePatchUser"].input_schema["properties"]) == ["email", "name", "userId"]

    merge, patch, post = upstream.requests
    assert (merge.method, merge.target) == ("PATCH", "/users/7")
    assert merge.headers["content-type"] == "application/merge-patch+json"
    assert merge.body == b'{"name": "Ann", "email": null}'  # null means "remove" in a merge patch: kept
    assert (patch.method, patch.target) == ("PATCH", "/users/7/ops")
    assert patch.headers["content-type"] == "application/json-patch+json"
    assert patch.json() == operations
    assert (post.method, post.target, post.headers["content-type"]) == ("POST", "/articles", "application/vnd.api+json")
    assert post.json() == {"data": article}
    assert not merged.is_error and not patched.is_error and not created.is_error
    assert bad_op.is_error and "- body/0/op: 'rename' is not one of" in text_of(bad_op)
    assert not_array.is_error and "is not of type 'array'" in text_of(not_array)


# -- 3. bodies on GET and DELETE --------------------------------------------------------------


def test_get_and_delete_send_their_declared_bodies(bodies, server_venv, upstream: Upstream):
    upstream.reply("GET", "/search", Reply.json({"hits": 1}))
    upstream.reply("DELETE", "/items", Reply(204))

    async def steps(client):
        return (await client.call_tool("searchWithBody", {"limit": 5, "query": "cats", "fields": ["name"]}),
                await client.call_tool("deleteItems", {"ids": [1, 2]}),
                await client.call_tool("deleteItems", {}))

    searched, deleted, missing = run(server(server_venv, bodies, upstream), "auto", steps)
    get, delete = upstream.requests
    assert (get.method, get.target, get.headers["content-type"]) == ("GET", "/search?limit=5", "application/json")
    assert get.body == b'{"query": "cats", "fields": ["name"]}'
    assert searched.structured_content == {"hits": 1}
    assert (delete.method, delete.target, delete.headers["content-type"]) == ("DELETE", "/items", "application/json")
    assert delete.body == b'{"ids": [1, 2]}'
    assert not deleted.is_error
    assert missing.is_error and text_of(missing) == "Invalid arguments:\n- ids: required argument missing"


# -- 4. unions: nested under `body`, variants and discriminator values visible ----------------


CAT = {"petType": "cat", "name": "Tom", "indoor": True}
KITTEN = {"petType": "kitten", "name": "Mini"}
DOG = {"petType": "dog", "name": "Rex", "goodBoy": True}
LIZARD = {"petType": "Lizard", "scales": 120}


def test_union_bodies_list_every_variant_and_send_the_chosen_one(bodies, server_venv, upstream: Upstream):
    shapes = [{"radius": 2.5}, {"width": 1, "height": 2}]

    async def steps(client):
        listed = {t.name: t for t in (await client.list_tools()).tools}
        pets = [await client.call_tool("createPet", {"body": pet}) for pet in (CAT, KITTEN, DOG, LIZARD)]
        drawn = [await client.call_tool("createShape", {"body": shape}) for shape in shapes]
        refused = [await client.call_tool("createPet", {"body": {"petType": "cow", "name": "Bella"}}),
                   await client.call_tool("createPet", {"body": {"petType": "dog"}}),
                   await client.call_tool("createShape", {"body": {"radius": 1, "width": 2}})]
        return listed, pets, drawn, refused

    listed, pets, drawn, refused = run(server(server_venv, bodies, upstream), "auto", steps)

    pet_schema = listed["createPet"].input_schema
    assert pet_schema["type"] == "object" and list(pet_schema["properties"]) == ["body"]
    assert pet_schema["required"] == ["body"] and "oneOf" not in pet_schema and "anyOf" not in pet_schema
    union = pet_schema["properties"]["body"]
    assert union["description"] == "One of 3 variants, chosen by `petType`: cat, kitten, dog, Lizard."
    cat, dog, lizard = union["oneOf"]
    # the discriminator's values pin each variant (mapping by reference, by bare name, implicit)
    assert cat["properties"]["petType"] == {"enum": ["cat", "kitten"]} and cat["required"] == ["petType"]
    assert dog["properties"]["petType"] == {"const": "dog"}
    assert lizard["properties"]["petType"] == {"type": "string", "const": "Lizard"}
    listing = json.dumps(union)
    for field in ("name", "indoor", "goodBoy", "scales"):  # every variant's properties, inherited ones too
        assert f'"{field}"' in listing
    shape_schema = listed["createShape"].input_schema
    assert list(shape_schema["properties"]) == ["body"] and len(shape_schema["properties"]["body"]["anyOf"]) == 2

    assert [r.is_error for r in pets + drawn] == [False] * 6
    sent = upstream.requests
    assert [(r.method, r.target, r.headers["content-type"]) for r in sent] == (
        [("POST", "/pets", "application/json")] * 4 + [("POST", "/shapes", "application/json")] * 2)
    assert [r.body for r in sent] == [json.dumps(b).encode() for b in (CAT, KITTEN, DOG, LIZARD, *shapes)]

    cow, nameless_dog, both_shapes = refused  # no request made for any of them
    assert all(r.is_error and text_of(r).startswith("Invalid arguments:\n- body: ") for r in refused)
    # each variant's first problem, so the model sees what to change
    assert text_of(cow) == (
        "Invalid arguments:\n- body: matches none of the 3 variants: 1) petType: 'cow' is not one of "
        "['cat', 'kitten']; 2) petType: 'dog' was expected; 3) petType: 'Lizard' was expected")
    assert "2) value: 'name' is a required property" in text_of(nameless_dog)
    assert text_of(both_shapes) == ("Invalid arguments:\n- body: matches none of the 2 variants: "
                                    "1) width: no value is allowed here; 2) value: 'height' is a required property")
    assert len(upstream.requests) == 6


def test_discriminator_of_a_referenced_union_with_shared_large_variants(tmp_path):
    """The union behind a $ref, its variants large enough to be shared $defs: the variants are
    pinned beside their references, and the shared schemas (another tool uses them) stay as they were."""
    big = {f"field{n}": {"type": "string", "description": "x" * 60} for n in range(40)}
    variant = {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}, **big}}
    body = {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}}
    spec = {
        "openapi": "3.0.3", "info": {"title": "Events", "version": "1"},
        "paths": {"/events": {"post": {"operationId": "sendEvent", "requestBody": body,
                                       "responses": {"204": {"description": "ok"}}}},
                  "/clicks": {"post": {"operationId": "sendClick", "requestBody": {"content": {
                      "application/json": {"schema": {"$ref": "#/components/schemas/Click"}}}},
                      "responses": {"204": {"description": "ok"}}}}},
        "components": {"schemas": {
            "Event": {"oneOf": [{"$ref": "#/components/schemas/Click"}, {"$ref": "#/components/schemas/View"}],
                      "discriminator": {"propertyName": "kind"}},
            "Click": variant, "View": variant}},
    }
    source = tmp_path / "events.json"
    source.write_text(json.dumps(spec))
    tools = {t.name: t for t in prepare(str(source), Options(skip_validation=True)).api.tools}
    event = tools["sendEvent"].input_schema
    assert event["properties"]["body"]["oneOf"] == [
        {"allOf": [{"$ref": "#/$defs/Click"}], "properties": {"kind": {"const": "Click"}}, "required": ["kind"]},
        {"allOf": [{"$ref": "#/$defs/View"}], "properties": {"kind": {"const": "View"}}, "required": ["kind"]},
    ]
    assert sorted(event["$defs"]) == ["Click", "View"] and "const" not in json.dumps(event["$defs"])
    assert "const" not in json.dumps(tools["sendClick"].input_schema)
    validator = Draft202012Validator(event)
    assert validator.is_valid({"body": {"kind": "View", "field1": "a"}})
    assert not validator.is_valid({"body": {"kind": "Other"}})


# -- 5. form and multipart: nested values and the media type's `encoding` ----------------------


def test_form_body_brackets_and_encoding_styles(bodies, server_venv, upstream: Upstream):
    upstream.reply("POST", "/payments", Reply.json({"id": "pi_1"}))
    arguments = {
        "amount": 1000,
        "metadata": {"order_id": "A&1", "note": "x y"},
        "items": [{"price": "price_1", "quantity": 2}, {"price": "price_2"}],
        "expand": ["customer", "invoice.lines"],  # encoding: deepObject
        "tags": ["a", "b c"],  # encoding: form, explode false
        "codes": [1, 2],  # encoding: pipeDelimited
        "shipping": {"name": "Ann", "address": {"city": "K\u00f6ln", "lines": ["1 Main St", "Apt 2"]}},
    }

    async def steps(client):
        return (await client.call_tool("createPayment", arguments),
                await client.call_tool("createPayment", {"amount": 5, "tags": [], "metadata": {}}),
                await client.call_tool("createPayment", {"amount": 5, "items": [{"price": 3}]}))

    paid, minimal, bad = run(server(server_venv, bodies, upstream), "auto", steps)
    full, small = upstream.requests
    assert (full.method, full.target) == ("POST", "/payments")
    assert full.headers["content-type"] == "application/x-www-form-urlencoded"
    assert full.body.decode().split("&") == [  # the exact body, one pair a line
        "amount=1000",
        "metadata%5Border_id%5D=A%261", "metadata%5Bnote%5D=x%20y",
        "items%5B0%5D%5Bprice%5D=price_1", "items%5B0%5D%5Bquantity%5D=2", "items%5B1%5D%5Bprice%5D=price_2",
        "expand%5B0%5D=customer", "expand%5B1%5D=invoice.lines",
        "tags=a%2Cb%20c",
        "codes=1%7C2",
        "shipping%5Bname%5D=Ann", "shipping%5Baddress%5D%5Bcity%5D=K%C3%B6ln",
        "shipping%5Baddress%5D%5Blines%5D%5B0%5D=1%20Main%20St", "shipping%5Baddress%5D%5Blines%5D%5B1%5D=Apt%202",
    ]
    assert paid.structured_content == {"id": "pi_1"}
    # an empty array and an empty object send nothing
    assert small.body == b"amount=5"
    assert not minimal.is_error
    assert bad.is_error and "- items/0/price: 3 is not of type 'string'" in text_of(bad)


def test_multipart_encoding_content_types(bodies, server_venv, upstream: Upstream):
    upstream.reply("POST", "/uploads", Reply(201))
    encoded = base64.b64encode(PNG).decode()

    async def steps(client):
        return (await client.call_tool("uploadAsset", {
                    "file": {"content": encoded, "filename": "a.png"}, "meta": {"owner": "ann"},
                    "caption": "# Hi", "settings": '{"dark":true}'}),
                await client.call_tool("uploadAsset", {
                    "file": {"content": encoded, "filename": "b.jpg", "contentType": "image/jpeg"}}),
                await client.call_tool("uploadAsset", {"file": {"content": "%%%"}}))

    first, second, bad = run(server(server_venv, bodies, upstream), "auto", steps)
    one, two = upstream.requests
    boundary, body = _multipart(one)
    assert body == (
        # the encoding's contentType is the file's type when the model gives none
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
        "Content-Type: image/png\r\n\r\n".encode() + PNG + b"\r\n"
        + f'--{boundary}\r\nContent-Disposition: form-data; name="meta"\r\n'
          'Content-Type: application/json\r\n\r\n{"owner": "ann"}\r\n'
          f'--{boundary}\r\nContent-Disposition: form-data; name="caption"\r\n'
          "Content-Type: text/markdown\r\n\r\n# Hi\r\n"
          # a string field declared as JSON is the JSON text itself, not quoted again
          f'--{boundary}\r\nContent-Disposition: form-data; name="settings"\r\n'
          'Content-Type: application/json\r\n\r\n{"dark":true}\r\n'
          f"--{boundary}--\r\n".encode()
    )
    boundary, body = _multipart(two)
    assert body == (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode() + PNG + b"\r\n" + f"--{boundary}--\r\n".encode()
    )
    assert not first.is_error and not second.is_error
    assert bad.is_error and "content" in text_of(bad)


def test_field_encodings_are_computed_at_generation():
    fields = {"a": {}, "b": {}, "c": {}, "d": {}, "e": {}}
    encodings = field_encodings({
        "a": {"explode": False},  # style defaults to form
        "b": {"style": "spaceDelimited"},  # explode defaults to false for it
        "c": {"contentType": "text/plain\r\nX-Injected: 1"},  # not a header value: dropped
        "d": {"contentType": "image/*, image/webp", "headers": {"X-Ignored": {}}},
        "e": {"style": "matrix"},  # not a body style: form
        "ghost": {"style": "form"},  # not a field
    }, fields)
    assert {k: (v.style, v.explode, v.content_type) for k, v in encodings.items()} == {
        "a": ("form", False, None), "b": ("spaceDelimited", False, None),
        "d": (None, False, "image/webp"), "e": ("form", True, None)}


def test_form_body_defaults_and_styles_unit():
    nested = {"o": {"tags": ["x", "y"]}, "rows": [[1, 2]], "top": ["a", "b"]}
    assert wire.form_body(nested) == "o%5Btags%5D%5B0%5D=x&o%5Btags%5D%5B1%5D=y&rows%5B0%5D%5B0%5D=1&rows%5B0%5D%5B1%5D=2&top=a&top=b"
    styled = {"flat": {"R": 1, "G": 2}, "spread": {"R": 1, "G": None}, "json": {"k": [1]}, "text": "t"}
    encodings = {"flat": {"style": "form", "explode": False}, "spread": {"style": "form", "explode": True},
                 "json": {"contentType": "application/json"}, "text": {"contentType": "application/json"}}
    assert wire.form_body(styled, encodings) == "flat=R%2C1%2CG%2C2&R=1&json=%7B%22k%22%3A%5B1%5D%7D&text=t"


# -- 6. media-type preference: JSON first by default, overridable per run ----------------------


def test_preferred_media_type_changes_what_is_sent(bodies, tmp_path, server_venv, upstream: Upstream):
    upstream.reply("POST", "/messages", Reply(202))
    as_form = tmp_path / "form"
    generate(str(SPECS / "bodies.yaml"), as_form, Options(preferred_media_types=("application/x-www-form-urlencoded",)))
    as_multipart = tmp_path / "multipart"  # through the command line's flag
    subprocess.run([sys.executable, "-m", "rest2mcp", "generate", str(SPECS / "bodies.yaml"), "-o", str(as_multipart),
                    "--prefer-body", "multipart/form-data"], check=True, capture_output=True)
    message = {"to": "ann", "text": "hi there"}

    async def steps(client):
        return await client.call_tool("sendMessage", message)

    results = [run(server(server_venv, out, upstream), "auto", steps) for out in (bodies, as_form, as_multipart)]
    assert [r.is_error for r in results] == [False, False, False]
    default, form, multipart = upstream.requests
    assert (default.headers["content-type"], default.body) == ("application/json", b'{"to": "ann", "text": "hi there"}')
    assert (form.headers["content-type"], form.body) == ("application/x-www-form-urlencoded", b"to=ann&text=hi%20there")
    boundary, body = _multipart(multipart)
    assert body == (f'--{boundary}\r\nContent-Disposition: form-data; name="to"\r\n\r\nann\r\n'
                    f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi there\r\n'
                    f"--{boundary}--\r\n").encode()


# -- 7. responses: audio, other binary, text, and large JSON cut -------------------------------

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(200))
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_binary_and_text_responses(bodies, server_venv, upstream: Upstream, mode):
    upstream.reply("GET", "/audio", Reply(200, MP3, "audio/mpeg"))
    upstream.reply("GET", "/report", Reply(200, PDF, "application/pdf"))
    upstream.reply("GET", "/blob", Reply(200, bytes(range(256)), "application/octet-stream"))
    upstream.reply("GET", "/readme", Reply(200, "Gr\u00fc\u00dfe\n".encode(), "text/plain; charset=utf-8"))

    async def steps(client):
        return [await client.call_tool(name, {}) for name in ("getAudio", "getReport", "getBlob", "getReadme")]

    audio, report, blob, readme = run(server(server_venv, bodies, upstream), mode, steps)
    assert [r.headers["accept"] for r in upstream.requests] == [
        "audio/mpeg", "application/pdf", "application/octet-stream", "text/plain"]
    assert not any(r.is_error for r in (audio, report, blob, readme))

    (sound,) = audio.content
    assert (sound.type, sound.mime_type, base64.b64decode(sound.data)) == ("audio", "audio/mpeg", MP3)
    for result, path, mime, data in ((report, "/report", "application/pdf", PDF),
                                      (blob, "/blob", "application/octet-stream", bytes(range(256)))):
        (block,) = result.content
        assert block.type == "resource"
        assert (str(block.resource.uri), block.resource.mime_type) == (upstream.url + path, mime)
        assert base64.b64decode(block.resource.blob) == data
        assert result.structured_content is None
    (text,) = readme.content
    assert text.type == "text" and api_text(readme) == "Gr\u00fc\u00dfe\n"


RECORDS = {"records": [{"id": n, "text": "x" * 20} for n in range(10)]}


def test_large_json_responses_are_cut_with_a_note(bodies, server_venv, upstream: Upstream):
    upstream.reply("GET", "/records", Reply.json(RECORDS))
    upstream.reply("GET", "/dump", Reply.json(RECORDS))
    whole = json.dumps(RECORDS)

    async def steps(client):
        return (await client.call_tool("listRecords", {}), await client.call_tool("dumpRecords", {}))

    by_flag = run(server(server_venv, bodies, upstream, "--max-response-chars", "50"), "auto", steps)
    by_env = run(server(server_venv, bodies, upstream, BODIES_MCP_MAX_RESPONSE_CHARS="120"), "auto", steps)
    unlimited = run(server(server_venv, bodies, upstream), "auto", steps)

    # 50 characters hold no record: the text is cut, and no structure is claimed
    declared, free = by_flag
    cut = whole[:50] + f"\n[... {len(whole) - 50} more characters not shown]"
    assert not declared.is_error and api_text(declared) == cut
    assert declared.structured_content == {}  # what the output schema accepts for "none"
    assert not free.is_error and api_text(free) == cut and free.structured_content is None
    assert "longer than this server's limit of 50 characters" in declared.content[-1].text
    # 120 hold two: the list is cut, the text and the structured content are the same JSON
    two = {"records": RECORDS["records"][:2]}
    for result in by_env:
        assert not result.is_error and json.loads(api_text(result)) == result.structured_content == two
        assert "so the list `records` was cut to its first 2 of 10 items." in result.content[-1].text
    declared, free = unlimited
    assert api_text(declared) == api_text(free) == whole
    assert declared.structured_content == free.structured_content == RECORDS
    assert len(upstream.requests) == 6


# -- raw base64 text declared nullable; a required body of any JSON value -----------------------


def test_nullable_base64_text_and_required_any_value_bodies(bodies, server_venv, upstream: Upstream):
    upstream.reply("PUT", "/photos/p1", Reply(204))
    upstream.reply("PUT", "/values/k", Reply(204))
    encoded = base64.b64encode(PNG).decode()

    async def steps(client):
        listed = {t.name: t for t in (await client.list_tools()).tools}
        return (listed,
                await client.call_tool("putPhoto", {"name": "p1", "body": encoded}),
                await client.call_tool("putValue", {"key": "k", "body": [1, "two"]}),
                await client.call_tool("putValue", {"key": "k", "body": None}))

    listed, photo, value, null = run(server(server_venv, bodies, upstream), "auto", steps)
    assert listed["putPhoto"].input_schema["properties"]["body"]["contentEncoding"] == "base64"
    assert listed["putValue"].input_schema["properties"]["body"] == {"not": {"type": "null"}}
    put_photo, put_value = upstream.requests
    # nullable `format: byte` is still base64 text: sent as given, not decoded
    assert (put_photo.target, put_photo.headers["content-type"], put_photo.body) == (
        "/photos/p1", "image/jpeg", encoded.encode("ascii"))
    assert (put_value.target, put_value.headers["content-type"]) == ("/values/k", "application/json")
    assert put_value.json() == [1, "two"]
    assert not photo.is_error and not value.is_error
    # JSON null for a required body reads as no body: refused before any request
    assert null.is_error and "body" in text_of(null) and len(upstream.requests) == 2


def test_structured_schema_under_a_bytes_media_type_is_reported(tmp_path):
    spec = tmp_path / "typo.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: typo, version: '1'}\npaths:\n  /accounts:\n    post:\n"
        "      requestBody:\n        content:\n          application/form-data:\n"
        "            schema: {type: object, properties: {name: {type: string}}}\n"
        "      responses: {'201': {description: created}}\n"
        "  /avatars:\n    put:\n      requestBody:\n        content:\n          image/png:\n"
        "            schema: {type: string, format: binary}\n      responses: {'204': {description: ok}}\n")
    generated = prepare(str(spec), Options(skip_validation=True))
    found = [d for d in generated.diagnostics if d.code == "W314"]
    assert [(d.pointer, d.line) for d in found] == [
        ("/paths/~1accounts/post/requestBody/content/application~1form-data", 8)]
    assert "application/form-data" in found[0].message and "multipart/form-data" in found[0].hint
    # the tool still exists and takes the bytes, so the API stays reachable
    tools = {t.name: t for t in generated.api.tools}
    assert tools["post_accounts"].input_schema["properties"]["body"]["contentEncoding"] == "base64"


def test_xml_body_with_a_data_schema_describes_the_document(bodies, server_venv, upstream: Upstream):
    upstream.reply("POST", "/invoices", Reply(201))
    invoice = "<Invoice><number>7</number><total>9.5</total></Invoice>"

    async def steps(client):
        listed = {t.name: t for t in (await client.list_tools()).tools}
        return listed, await client.call_tool("createInvoice", {"body": invoice})

    listed, created = run(server(server_venv, bodies, upstream), "auto", steps)
    # the model writes the XML: the schema's shape is in the description (a string cannot carry it)
    assert listed["createInvoice"].input_schema["properties"]["body"] == {
        "type": "string", "minLength": 1,
        "description": "The invoice. The application/xml document itself, sent as given; root element <Invoice>, "
                       "with: number (string, required), total (number), lines (array)."}
    (post,) = upstream.requests
    assert (post.target, post.headers["content-type"], post.body) == ("/invoices", "application/xml", invoice.encode())
    assert not created.is_error


def test_discriminated_unions_below_the_root_are_pinned_too(bodies, server_venv, upstream: Upstream):
    upstream.reply("POST", "/households", Reply(201))
    household = {"owner": "ann", "favourite": {"petType": "dog", "name": "rex", "goodBoy": True},
                 "pets": [{"petType": "cat", "name": "tom"}, {"petType": "dog", "name": "rex"}]}

    async def steps(client):
        listed = {t.name: t for t in (await client.list_tools()).tools}
        return (listed, await client.call_tool("createHousehold", household),
                await client.call_tool("createHousehold", {"owner": "bo", "pets": [{"petType": "bird", "name": "x"}]}))

    listed, created, refused = run(server(server_venv, bodies, upstream), "auto", steps)
    properties = listed["createHousehold"].input_schema["properties"]
    for union in (properties["favourite"], properties["pets"]["items"]):
        assert "chosen by `petType`: cat, dog" in union["description"]
        assert ['{"const": "cat"}' in json.dumps(v) for v in union["oneOf"]] == [True, False]
        assert ['{"const": "dog"}' in json.dumps(v) for v in union["oneOf"]] == [False, True]
    # Cat and Dog have the same required fields: only the pinned petType tells them apart, so
    # each value matches exactly one variant and is sent as given
    assert not created.is_error and upstream.requests[0].json() == household
    assert refused.is_error and "pets/0" in text_of(refused) and len(upstream.requests) == 1


EMPTY_FORMS = {
    "openapi": "3.0.3", "info": {"title": "Empty forms", "version": "1"},
    "paths": {
        "/things": {
            # Stripe's GET operations: a form body that can carry nothing, not required
            "get": {"operationId": "listThings",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "requestBody": {"required": False, "content": {"application/x-www-form-urlencoded": {
                        "schema": {"type": "object", "properties": {}, "additionalProperties": False}}}},
                    "responses": {"200": {"description": "ok"}}},
            "post": {"operationId": "touchThings",
                     "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                         "schema": {"type": "object", "additionalProperties": False}}}},
                     "responses": {"200": {"description": "ok"}}},
            # a form of any fields is still no form rest2mcp can offer
            "put": {"operationId": "putThings",
                    "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}},
                    "responses": {"200": {"description": "ok"}}},
        },
    },
}


def test_a_form_body_that_can_carry_nothing_is_no_argument(tmp_path, upstream: Upstream):
    from helpers import call_in_memory, in_memory_server

    (tmp_path / "openapi.json").write_text(json.dumps(EMPTY_FORMS))
    generated, _ = generate(str(tmp_path / "openapi.json"), tmp_path / "out", Options(models=False))
    tools = {tool.name: tool for tool in generated.api.tools}
    assert sorted(tools) == ["listThings", "touchThings"]  # putThings: W310
    assert [d.code for d in generated.diagnostics if d.code.startswith("W")] == ["W310"]
    assert list(tools["listThings"].input_schema["properties"]) == ["limit"]
    assert tools["touchThings"].input_schema.get("properties", {}) == {}
    server = in_memory_server(tmp_path / "out", "empty_forms_mcp", "--base-url", upstream.url)

    async def steps(client):
        return [await client.call_tool("listThings", {"limit": 3}), await client.call_tool("touchThings", {})]

    listed, touched = call_in_memory(server, steps)
    assert not listed.is_error and not touched.is_error
    get, post = upstream.requests
    assert (get.method, get.target, get.body, get.headers.get("content-type")) == ("GET", "/things?limit=3", b"", None)
    assert (post.method, post.target, post.body) == ("POST", "/things", b"")
    assert post.headers["content-type"] == "application/x-www-form-urlencoded"
