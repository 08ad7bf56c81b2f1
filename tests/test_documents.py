"""Documents in all their shapes: several files, URLs, references of every kind."""

from __future__ import annotations

import json
import textwrap

import pytest
from helpers import CORPUS, child_env, run, write
from mcp import StdioServerParameters
from rest2mcp.diagnostics import GenerationFailed
from rest2mcp.pipeline import Options, prepare
from rest2mcp.writing.manifest import write_files
from upstream import Reply, Upstream

SEPARATE = CORPUS / "oai-examples/v2.0/yaml/petstore-separate/spec/swagger.yaml"


def codes(generated) -> list[str]:
    return [d.code for d in generated.diagnostics]


@pytest.mark.corpus
def test_multi_file_petstore_end_to_end(tmp_path, server_venv, upstream: Upstream):
    # The example's shared files lie in a folder beside the document's: read when allowed.
    generated = prepare(str(SEPARATE), Options(allowed_ref_dirs=(str(SEPARATE.parents[1] / "common"),)))
    assert codes(generated) == []
    tools = {tool.name: tool for tool in generated.api.tools}
    assert sorted(tools) == ["addPet", "deletePet", "findPets", "find_pet_by_id"]
    # NewPet.yaml is allOf [Pet.yaml, {required: [name], ...}]: merged, from three files.
    assert sorted(tools["addPet"].input_schema["properties"]) == ["description", "id", "name", "tag"]
    assert tools["findPets"].input_schema["properties"]["tags"]["description"] == "tags to filter by"

    write_files(tmp_path, generated.files)
    upstream.reply("GET", "/pets", Reply.json([{"id": 1, "name": "Rex"}]))
    upstream.reply("POST", "/pets", Reply.json({"id": 2, "name": "Tom"}))
    target = StdioServerParameters(command=str(server_venv / "bin" / "python"),
                                   args=["-m", generated.api.module, "--base-url", upstream.url],
                                   cwd=str(tmp_path), env=child_env())

    async def steps(client):
        return (await client.call_tool("findPets", {"tags": ["a", "b"], "limit": 3}),
                await client.call_tool("addPet", {"id": 2, "name": "Tom"}))

    found, added = run(target, "auto", steps)
    get, post = upstream.requests
    assert get.target == "/pets?tags=a,b&limit=3"
    assert post.json() == {"id": 2, "name": "Tom"}
    assert not found.is_error and not added.is_error


def test_url_document_follows_same_origin_refs_only(tmp_path, upstream: Upstream):
    upstream.reply("GET", "/api/openapi.yaml", Reply(200, textwrap.dedent("""
        openapi: 3.0.3
        info: {title: Remote, version: "1"}
        servers: [{url: /v1}]
        paths:
          /things:
            post:
              operationId: addThing
              requestBody:
                content:
                  application/json:
                    schema: {$ref: "schemas/thing.yaml#/Thing"}
              responses:
                "200": {description: ok}
          /other:
            post:
              operationId: addOther
              requestBody:
                content:
                  application/json:
                    schema: {$ref: "http://other.invalid/thing.yaml#/Thing"}
              responses:
                "200": {description: ok}
    """).encode(), "application/yaml"))
    upstream.reply("GET", "/api/schemas/thing.yaml", Reply(200, b"Thing:\n  type: object\n  properties:\n"
                                                            b"    label: {type: string}\n", "application/yaml"))
    generated = prepare(f"{upstream.url}/api/openapi.yaml", Options())
    tools = {tool.name: tool for tool in generated.api.tools}
    assert tools["addThing"].input_schema["properties"] == {"label": {"type": "string"}}
    assert "addOther" not in tools  # its reference points to another host: not followed
    refused = [d for d in generated.diagnostics if d.code == "W106"]
    assert len(refused) == 1 and "it points to another host (other.invalid)" in refused[0].message
    assert generated.api.base_url == f"{upstream.url}/v1"


def test_file_document_refs_to_a_host_need_permission(tmp_path, upstream: Upstream):
    upstream.reply("GET", "/thing.yaml", Reply(200, b"type: object\nproperties:\n  n: {type: integer}\n"))
    spec = write(tmp_path / "api.yaml", f"""
        openapi: 3.0.3
        info: {{title: Mixed, version: "1"}}
        paths:
          /things:
            post:
              operationId: addThing
              requestBody:
                content:
                  application/json:
                    schema: {{$ref: "{upstream.url}/thing.yaml"}}
              responses:
                "200": {{description: ok}}
    """)
    refused = prepare(str(spec), Options(allow_empty=True))
    assert "W106" in codes(refused) and refused.api.tools == ()
    with pytest.raises(GenerationFailed) as failed:  # without --allow-empty, no tools is an error
        prepare(str(spec), Options())
    assert [d.code for d in failed.value.diagnostics if d.severity.value == "error"] == ["E331"]
    allowed = prepare(str(spec), Options(allowed_ref_hosts=("127.0.0.1",)))
    assert allowed.api.tools[0].input_schema["properties"] == {"n": {"type": "integer"}}


def test_pointer_escapes_refs_into_paths_and_extensions(tmp_path):
    spec = write(tmp_path / "api.yaml", """
        openapi: 3.0.3
        info: {title: Pointers, version: "1"}
        x-tooling: {$ref: "does-not-exist.yaml"}
        paths:
          /a:
            get:
              operationId: getA
              x-extra: {$ref: "#/nowhere"}
              parameters:
                - name: q
                  in: query
                  schema: {$ref: "#/components/schemas/a~1b"}
                - name: r
                  in: query
                  schema: {$ref: "#/components/schemas/with%20space"}
              responses:
                "200": {description: ok}
          /b:
            get:
              operationId: getB
              parameters:
                - $ref: "#/paths/~1a/get/parameters/0"
              responses:
                "200": {description: ok}
        components:
          schemas:
            a/b: {type: integer}
            with space: {type: boolean}
    """)
    generated = prepare(str(spec), Options())
    assert [d for d in generated.diagnostics if d.severity.value != "info"] == []
    a, b = generated.api.tools
    assert a.input_schema["properties"] == {"q": {"type": "integer"}, "r": {"type": "boolean"}}
    assert b.input_schema["properties"] == {"q": {"type": "integer"}}


def test_missing_referenced_file_is_reported_where_it_is_referenced(tmp_path):
    spec = write(tmp_path / "api.yaml", """
        openapi: 3.0.3
        info: {title: Missing, version: "1"}
        paths:
          /a:
            get:
              operationId: getA
              parameters:
                - $ref: "params.yaml#/limit"
              responses:
                "200": {description: ok}
          /b:
            get:
              operationId: getB
              responses:
                "200": {description: ok}
    """)
    generated = prepare(str(spec), Options(skip_validation=True))
    missing = [d for d in generated.diagnostics if d.code == "W106"]
    assert missing[0].pointer == "/paths/~1a/get/parameters/0"
    assert "no such file" in missing[0].message
    assert [t.name for t in generated.api.tools] == ["getB"]
    assert json.dumps(generated.api.tools[0].input_schema)  # the rest is generated


def test_a_file_that_cannot_be_read_is_said_once_with_how_many_references_it_cost(tmp_path):
    write(tmp_path / "present.yaml", "Limit: {name: limit, in: query, schema: {type: integer}}\n")
    spec = write(tmp_path / "api.yaml", """
        openapi: 3.0.3
        info: {title: Missing, version: "1"}
        paths:
          /a:
            get:
              parameters:
                - $ref: "params.yaml#/limit"
                - $ref: "params.yaml#/offset"
                - $ref: "present.yaml#/Nope"
                - $ref: "present.yaml#/Gone"
              responses:
                "200": {description: ok, content: {application/json: {schema: {$ref: "models.yaml#/A"}}}}
          /b:
            get:
              parameters:
                - $ref: "params.yaml#/limit"
                - $ref: "http://example.com/p.yaml#/x"
                - $ref: "http://example.com/p.yaml#/y"
              responses:
                "200": {description: ok}
    """)
    generated = prepare(str(spec), Options(skip_validation=True, allow_empty=True))
    said = [(d.pointer, d.message) for d in generated.diagnostics if d.code == "W106"]
    assert said == [
        ("/paths/~1a/get/parameters/0", ("$ref 'params.yaml#/limit' cannot be resolved: no such file; "
                                        "2 more $refs to that file are not followed either")),
        # a pointer that names nothing in a file that was read: said for each reference
        ("/paths/~1a/get/parameters/2", "$ref 'present.yaml#/Nope' cannot be resolved: no 'Nope' there"),
        ("/paths/~1a/get/parameters/3", "$ref 'present.yaml#/Gone' cannot be resolved: no 'Gone' there"),
        ("/paths/~1a/get/responses/200/content/application~1json/schema",
         "$ref 'models.yaml#/A' cannot be resolved: no such file"),
        ("/paths/~1b/get/parameters/1", ("$ref 'http://example.com/p.yaml#/x' not followed: it points to another "
                                        "host (example.com); 1 more $ref to that URL is not followed either")),
    ]


def test_body_media_type_preference(tmp_path):
    spec = write(tmp_path / "api.yaml", """
        openapi: 3.0.3
        info: {title: Choice, version: "1"}
        paths:
          /upload:
            post:
              operationId: upload
              requestBody:
                content:
                  multipart/form-data:
                    schema:
                      type: object
                      properties:
                        file: {type: string, format: binary}
                  application/x-www-form-urlencoded:
                    schema:
                      type: object
                      properties:
                        file: {type: string}
                  application/vnd.api+json:
                    schema:
                      type: object
                      properties:
                        file: {type: string}
                  application/json:
                    schema:
                      type: object
                      properties:
                        file: {type: string}
              responses:
                "204": {description: ok}
    """)
    default = prepare(str(spec), Options()).api.tools[0]
    assert default.body.media_type == "application/json"
    preferred = prepare(str(spec), Options(preferred_media_types=("multipart/form-data",))).api.tools[0]
    assert (preferred.body.media_type, preferred.body.kind) == ("multipart/form-data", "multipart")
    assert preferred.input_schema["properties"]["file"]["properties"]["content"]["contentEncoding"] == "base64"
    form = prepare(str(spec), Options(preferred_media_types=("text/csv", "application/x-www-form-urlencoded"))).api.tools[0]
    assert form.body.kind == "form"


def test_large_shared_schemas_go_to_defs_and_large_outputs_are_left_out(tmp_path):
    big = {"type": "object", "properties": {f"field_{i}": {"type": "string", "description": "x" * 40} for i in range(60)}}
    document = {
        "openapi": "3.0.3", "info": {"title": "Big", "version": "1"},
        "paths": {"/orders": {"post": {
            "operationId": "createOrder",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"billing": {"$ref": "#/components/schemas/Address"},
                                                 "shipping": {"$ref": "#/components/schemas/Address"}}}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Address"}}}}},
        }}},
        "components": {"schemas": {"Address": big}},
    }
    spec = tmp_path / "big.json"
    spec.write_text(json.dumps(document))
    tool = prepare(str(spec), Options()).api.tools[0]
    schema = tool.input_schema
    assert schema["properties"]["billing"] == {"$ref": "#/$defs/Address"}
    assert schema["properties"]["shipping"] == {"$ref": "#/$defs/Address"}
    assert list(schema["$defs"]) == ["Address"] and len(schema["$defs"]["Address"]["properties"]) == 60
    assert tool.output_schema is not None  # about 4 KB: under the default limit
    assert prepare(str(spec), Options(output_schema_limit=1000)).api.tools[0].output_schema is None
