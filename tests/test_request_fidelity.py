"""Requests servers accept: path templates with a fragment, "." and ".." path values, keywords beside
a `$ref`, and base64 contents. A small spec is generated, its server run in this process and called
through the official MCP client against the recording upstream on 127.0.0.1; each test asserts the
exact request the API received, or that nothing was sent and the model was told why. The spec,
specs/request-fidelity.yaml, is also one to run `bench/fidelity.py` on."""

from __future__ import annotations

import base64
import json

import pytest
import yaml
from helpers import SPECS, call_in_memory, in_memory_server, text_of, write
from jsonschema import Draft202012Validator
from rest2mcp.pipeline import Options, generate, prepare
from upstream import Reply, Upstream

MODULE = "fidelity_mcp"

SPEC = yaml.safe_load((SPECS / "request-fidelity.yaml").read_text())


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("fidelity") / "out"
    generate(str(SPECS / "request-fidelity.yaml"), out, Options(models=False))
    return out


def _call(package, upstream: Upstream, name: str, arguments: dict):
    server = in_memory_server(package, MODULE, "--base-url", upstream.url)
    return call_in_memory(server, lambda client: client.call_tool(name, arguments))


def _tools(package, upstream: Upstream) -> dict:
    server = in_memory_server(package, MODULE, "--base-url", upstream.url)

    async def steps(client):
        return {t.name: t for t in (await client.list_tools()).tools}

    return call_in_memory(server, steps)


# -- 1. a fragment in a path template is not part of the request -------------------------------------


def test_a_path_fragment_is_left_out_of_the_request(package, upstream: Upstream):
    upstream.reply("GET", "/folders/f1", Reply.json({"id": "f1"}))
    shared = _call(package, upstream, "getSharedLink", {"folder_id": "f1", "fields": "shared_link"})
    plain = _call(package, upstream, "getFolder", {"folder_id": "f1"})
    assert not shared.is_error and not plain.is_error, text_of(shared) + text_of(plain)
    assert [(r.method, r.target) for r in upstream.requests] == [
        ("GET", "/folders/f1?fields=shared_link"), ("GET", "/folders/f1")]


def _prepared(tmp_path, spec: dict):
    return prepare(str(write(tmp_path / "spec.json", json.dumps(spec))), Options(models=False))


def test_a_path_fragment_keeps_tools_apart_and_is_reported(tmp_path):
    spec = {**SPEC, "paths": {
        "/folders/{folder_id}": {"get": {"responses": {"200": {"description": "ok"}}}},
        "/folders/{folder_id}#shared": {"get": {"responses": {"200": {"description": "ok"}}}},
    }}
    spec["paths"] = {path: {"parameters": [{"$ref": "#/components/parameters/folder_id"}], **item}
                     for path, item in spec["paths"].items()}
    generated = _prepared(tmp_path, spec)
    tools = {tool.name: tool.path for tool in generated.api.tools}
    assert len(tools) == 2 and set(tools.values()) == {"/folders/{folder_id}"}
    (note,) = [d for d in generated.diagnostics if d.code == "I305"]
    assert note.pointer == "/paths/~1folders~1{folder_id}#shared"
    assert "'#shared'" in note.message


# -- 2. "." and ".." cannot be path values -----------------------------------------------------------


@pytest.mark.parametrize("arguments,field", [
    ({"folder_id": "."}, "folder_id"),
    ({"folder_id": ".."}, "folder_id"),
])
def test_relative_steps_are_refused_by_the_schema_and_nothing_is_sent(package, upstream, arguments, field):
    result = _call(package, upstream, "getFolder", arguments)
    assert result.is_error
    assert text_of(result) == (f"Invalid arguments:\n- {field}: '.' and '..' are not allowed in a path "
                               "parameter (they would change the path)")
    assert upstream.requests == []


@pytest.mark.parametrize("arguments,field", [
    ({"item_id": "..", "tag": "t"}, "item_id"),
    ({"item_id": "i1", "tag": "."}, "tag"),
])
def test_relative_steps_are_refused_whatever_the_parameter_schema(package, upstream, arguments, field):
    schema = _tools(package, upstream)["getItemTag"].input_schema
    validator = Draft202012Validator(schema)
    assert not validator.is_valid(arguments)
    assert validator.is_valid({"item_id": "a.b", "tag": "..."})
    upstream.reset()
    result = _call(package, upstream, "getItemTag", arguments)
    assert result.is_error
    assert text_of(result).startswith(f"Invalid arguments:\n- {field}: ")
    assert "'.' and '..' are not allowed" in text_of(result)
    assert upstream.requests == []


def test_dots_within_a_path_value_are_sent(package, upstream: Upstream):
    upstream.reply("GET", "/items/a.b/tags/...", Reply.json({}))
    result = _call(package, upstream, "getItemTag", {"item_id": "a.b", "tag": "..."})
    assert not result.is_error, text_of(result)
    assert upstream.last().target == "/items/a.b/tags/..."


# -- 3. keywords beside a $ref are honoured -----------------------------------------------------------


def test_a_required_list_beside_a_ref_is_honoured(package, upstream: Upstream):
    schema = _tools(package, upstream)["dropletAction"].input_schema
    assert sorted(schema["required"]) == ["droplet_ids", "type"]
    result = _call(package, upstream, "dropletAction", {"type": "power_off"})
    assert result.is_error
    assert "droplet_ids: required argument missing" in text_of(result)
    assert upstream.requests == []
    upstream.reply("POST", "/droplets/actions", Reply(204))
    sent = _call(package, upstream, "dropletAction", {"type": "power_off", "droplet_ids": [3, 4]})
    assert not sent.is_error, text_of(sent)
    (request,) = upstream.requests
    assert (request.method, request.target, request.json()) == (
        "POST", "/droplets/actions", {"type": "power_off", "droplet_ids": [3, 4]})


def test_ref_siblings_are_reported_where_they_are(tmp_path):
    generated = _prepared(tmp_path, SPEC)
    notes = [d for d in generated.diagnostics if d.code == "I309"]
    assert [d.pointer for d in notes] == [
        "/paths/~1droplets~1actions/post/requestBody/content/application~1json/schema"]
    assert "required" in notes[0].message


def test_siblings_merge_with_a_ref_in_every_schema(tmp_path):
    spec = {"openapi": "3.0.3", "info": {"title": "S", "version": "1"}, "paths": {"/pets": {"post": {
        "operationId": "createPet",
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
            "owner": {"$ref": "#/components/schemas/Owner", "nullable": True, "description": "Who owns it."},
            "name": {"$ref": "#/components/schemas/Name", "maxLength": 8},
        }}}}},
        "responses": {"204": {"description": "ok"}}}}},
        "components": {"schemas": {
            "Owner": {"type": "object", "properties": {"id": {"type": "integer"}}},
            "Name": {"type": "string", "minLength": 1}}}}
    generated = _prepared(tmp_path, spec)
    (tool,) = generated.api.tools
    properties = tool.input_schema["properties"]
    assert properties["name"] == {"type": "string", "minLength": 1, "maxLength": 8}
    validator = Draft202012Validator(tool.input_schema)
    assert validator.is_valid({"owner": None, "name": "Rex"})
    assert not validator.is_valid({"name": "Rexxxxxxxxx"})
    assert properties["owner"]["description"] == "Who owns it."


# -- 4. base64 contents are checked as base64 ---------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


@pytest.mark.parametrize("arguments,field", [
    ({"name": "a.png", "content": "not base64!"}, "content"),
    ({"name": "a.png", "content": "QUJD"[:3]}, "content"),
    ({"name": "a.png", "content": "QUJD", "thumbnails": ["QUJD", "%%%"]}, "thumbnails/1"),
])
def test_non_base64_content_is_refused_and_nothing_is_sent(package, upstream, arguments, field):
    schema = _tools(package, upstream)["createFile"].input_schema
    assert not Draft202012Validator(schema).is_valid(arguments)
    upstream.reset()
    result = _call(package, upstream, "createFile", arguments)
    assert result.is_error
    assert text_of(result) == f"Invalid arguments:\n- {field}: the value must be base64-encoded (RFC 4648, with padding)"
    assert upstream.requests == []


def test_base64_content_is_accepted_and_sent_as_given(package, upstream: Upstream):
    upstream.reply("POST", "/files", Reply(201))
    content = base64.b64encode(PNG).decode()
    result = _call(package, upstream, "createFile", {"name": "a.png", "content": content, "thumbnails": ["", "QQ=="]})
    assert not result.is_error, text_of(result)
    request = upstream.last()
    assert (request.method, request.target, request.json()) == (
        "POST", "/files", {"name": "a.png", "content": content, "thumbnails": ["", "QQ=="]})


def test_a_file_content_must_be_base64_and_is_sent_decoded(package, upstream: Upstream):
    schema = _tools(package, upstream)["upload"].input_schema
    validator = Draft202012Validator(schema)
    assert not validator.is_valid({"file": {"content": "hello world"}})
    result = _call(package, upstream, "upload", {"file": {"content": "hello world"}})
    assert result.is_error
    assert text_of(result) == "Invalid arguments:\n- file/content: the value must be base64-encoded (RFC 4648, with padding)"
    assert upstream.requests == []
    upstream.reply("POST", "/uploads", Reply(201))
    sent = _call(package, upstream, "upload", {"file": {"content": base64.b64encode(PNG).decode(), "filename": "a.png"}})
    assert not sent.is_error, text_of(sent)
    assert PNG in upstream.last().body
