"""More document shapes: webhooks-only, OpenAPI 3.1 schemas, files in folders, URLs with nested
references, parameter styles and derived names, each checked where it matters (the diagnostics,
the inputSchema, and the exact request a real HTTP server on 127.0.0.1 receives)."""

from __future__ import annotations

import json
import subprocess
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from helpers import CORPUS, ROOT, SPECS, child_env, run, write
from mcp import StdioServerParameters
from rest2mcp.pipeline import Options, generate, prepare, validated
from upstream import Reply, Upstream

WEBHOOKS = CORPUS / "oai-examples/v3.1/webhook-example.yaml"
SEPARATE_JSON = CORPUS / "oai-examples/v2.0/json/petstore-separate/spec/swagger.json"
MULTI = SPECS / "multi" / "root.yaml"
PARAMS = SPECS / "params-more.yaml"


def server(server_venv: Path, out: Path, module: str, base_url: str) -> StdioServerParameters:
    """The package generated into `out`, run from there with the test venv's Python."""
    return StdioServerParameters(command=str(server_venv / "bin" / "python"),
                                 args=["-m", module, "--base-url", base_url], cwd=str(out), env=child_env())


def problems(generated) -> list:
    """Warnings and errors (infos such as "no base URL" are not problems of the document)."""
    return [d for d in generated.diagnostics if d.severity.value != "info"]


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr + result.stdout


# -- 1. webhooks only ---------------------------------------------------------------------------


@pytest.mark.corpus
def test_webhooks_only_document_gives_a_clean_zero_tool_package(tmp_path, server_venv, rest2mcp):
    out = tmp_path / "out"
    result = rest2mcp("generate", str(WEBHOOKS), "-o", str(out))
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith(("warning", "error"))] == [
        (f"warning[W330] {WEBHOOKS}:6 #/webhooks: the document describes only webhooks: no operations to call, "
        "no tools generated")]
    assert "webhook-example-mcp: 0 tools" in result.stdout
    assert json.loads((out / "webhook_example_mcp" / "generated" / "tools.json").read_text())["tools"] == []

    # --strict refuses the document for the warning: exit 1, nothing written.
    strict = rest2mcp("generate", str(WEBHOOKS), "-o", str(tmp_path / "strict"), "--strict")
    no_traceback(strict)
    assert strict.returncode == 1 and "warning[W330]" in strict.stderr and "refused by --strict" in strict.stderr
    assert not (tmp_path / "strict").exists()

    async def steps(client):
        return await client.list_tools()

    listed = run(server(server_venv, out, "webhook_example_mcp", "http://127.0.0.1:9"), "auto", steps)
    assert listed.tools == []


# -- 2. OpenAPI 3.1 schemas ---------------------------------------------------------------------

SPEC_31 = """
    openapi: 3.1.0
    info: {title: Tuples, version: "1"}
    paths:
      /points/{id}:
        post:
          operationId: addPoint
          parameters:
            - name: id
              in: path
              required: true
              schema: {type: [string, integer], examples: ["a", 1]}
            - name: key
              in: query
              schema: {$ref: "#/components/schemas/Point/$defs/Key"}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: "#/components/schemas/Point"}
          responses:
            "200": {description: ok}
    components:
      schemas:
        Point:
          type: object
          required: [coords]
          examples: [{coords: [1, 2.5, "x"]}]
          $defs:
            Label: {type: string, maxLength: 10, examples: ["hi"]}
            Key: {type: [string, integer, "null"]}
          properties:
            coords:
              type: array
              prefixItems:
                - {type: integer}
                - {type: number}
                - {$ref: "#/components/schemas/Point/$defs/Label"}
              items: false
              minItems: 2
            label: {$ref: "#/components/schemas/Point/$defs/Label"}
            either: {type: [string, integer], examples: [1]}
            maybe: {type: [boolean, "null"]}
"""


def test_openapi_31_tuples_defs_and_type_arrays(tmp_path, server_venv, upstream: Upstream):
    spec = write(tmp_path / "t31.yaml", SPEC_31)
    out = tmp_path / "out"
    generated, _ = generate(str(spec), out, Options())
    assert problems(generated) == []
    tool = generated.api.tools[0]
    label = {"type": "string", "maxLength": 10}
    assert tool.input_schema == {
        "type": "object",
        "properties": {
            # Type arrays become anyOf (some clients refuse type arrays); a required string is non-empty.
            "id": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}], "not": {"enum": [".", ".."]}},
            "key": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]},  # from $defs
            "coords": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "number"}, label],
                       "items": {"not": {}}, "minItems": 2},
            "label": label,
            "either": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "maybe": {"anyOf": [{"type": "boolean"}, {"type": "null"}]},
        },
        "required": ["id", "coords"],
        "additionalProperties": False,
    }
    listed_json = (out / "tuples_mcp" / "generated" / "tools.json").read_text()
    assert '"examples"' not in listed_json and "$defs" not in listed_json

    upstream.reply("POST", "/api/points/p-1", Reply.json({"ok": True}))

    async def steps(client):
        return (await client.call_tool("addPoint", {"id": "p-1", "key": 7, "coords": [1, 2.5, "hi"],
                                                    "label": "x", "either": "e", "maybe": None}),
                await client.call_tool("addPoint", {"id": 42, "key": "k", "coords": [3, 4], "either": 5}),
                await client.call_tool("addPoint", {"id": "p", "coords": [1, 2.5, "hi", 9]}),  # items: false
                await client.call_tool("addPoint", {"id": "", "coords": [1, 2]}),  # empty path segment
                await client.call_tool("addPoint", {"id": "p", "coords": [1, 2, "far too long"]}))  # $defs maxLength

    first, second, *refused = run(server(server_venv, out, "tuples_mcp", f"{upstream.url}/api"), "auto", steps)
    assert not first.is_error and not second.is_error
    one, two = upstream.requests
    assert (one.method, one.target) == ("POST", "/api/points/p-1?key=7")
    assert one.json() == {"coords": [1, 2.5, "hi"], "label": "x", "either": "e", "maybe": None}
    assert (two.target, two.json()) == ("/api/points/42?key=k", {"coords": [3, 4], "either": 5})
    assert all(r.is_error for r in refused) and len(upstream.requests) == 2


# -- 3. several files, URLs, pointers -----------------------------------------------------------


@pytest.mark.corpus
def test_json_multi_file_petstore_end_to_end(tmp_path, server_venv, upstream: Upstream):
    common = (str(SEPARATE_JSON.parents[1] / "common"),)  # beside the document's folder: read when allowed
    loaded, _, _ = validated(str(SEPARATE_JSON), Options(allowed_ref_dirs=common))
    # Bundled names are relative to the root document's folder: nothing depends on where it lies.
    assert sorted(loaded.document["x-bundled"]) == ["../common/Error.json#", "NewPet.json#", "Pet.json#",
                                                     "parameters.json#/limitsParam", "parameters.json#/tagsParam"]
    out = tmp_path / "out"
    generated, _ = generate(str(SEPARATE_JSON), out, Options(name="separate-json-mcp", allowed_ref_dirs=common))
    assert problems(generated) == []
    tools = {tool.name: tool for tool in generated.api.tools}
    assert sorted(tools) == ["addPet", "deletePet", "findPets", "find_pet_by_id"]
    # NewPet.json is allOf [Pet.json, {description: integer}] (sic, as the OAI example has it).
    assert tools["addPet"].input_schema["properties"]["description"] == {"type": "integer", "format": "int64"}
    assert tools["addPet"].input_schema["required"] == ["id", "name"]

    upstream.reply("GET", "/pets", Reply.json([]))
    upstream.reply("POST", "/pets", Reply.json({"id": 2, "name": "Tom"}))
    upstream.reply("GET", "/pets/7", Reply.json({"id": 7, "name": "Rex"}))
    upstream.reply("DELETE", "/pets/7", Reply(204))

    async def steps(client):
        return [await client.call_tool("findPets", {"tags": ["a", "b c"], "limit": 3}),
                await client.call_tool("addPet", {"id": 2, "name": "Tom", "description": 5}),
                await client.call_tool("find_pet_by_id", {"id": 7}),
                await client.call_tool("deletePet", {"id": 7})]

    results = run(server(server_venv, out, "separate_json_mcp", upstream.url), "auto", steps)
    assert [r.is_error for r in results] == [False] * 4
    assert [(r.method, r.target) for r in upstream.requests] == [
        ("GET", "/pets?tags=a,b%20c&limit=3"), ("POST", "/pets"), ("GET", "/pets/7"), ("DELETE", "/pets/7")]
    assert upstream.requests[1].json() == {"id": 2, "name": "Tom", "description": 5}


def test_refs_resolve_against_the_file_that_holds_them(tmp_path, server_venv, upstream: Upstream):
    # root.yaml -> schemas/a.yaml -> ./b.yaml (schemas/b.yaml, not the decoy multi/b.yaml),
    # ../common/c.yaml, and back to ../root.yaml; c.yaml's "#/Source" is c.yaml's own.
    out = tmp_path / "out"
    generated, _ = generate(str(MULTI), out, Options())
    assert problems(generated) == []  # the x- extension's and the example's references: not even a warning
    tool = generated.api.tools[0]
    assert tool.input_schema["properties"] == {
        "id": {"type": "integer"},
        "part": {"type": "object", "required": ["sku"],
                 "properties": {"sku": {"type": "string", "pattern": "^[A-Z]{3}$"},
                                "x-count": {"type": "integer", "maximum": 99}}},  # a property, not an extension
        "meta": {"type": "object", "properties": {"source": {"type": "string", "maxLength": 5}}},
        "tilde": {"type": "integer", "minimum": 7},  # "#/defs/a~0b": the key "a~b"
        "slash": {"type": "number", "maximum": 2},  # "#/defs/c~1d": the key "c/d"
        "spaced": {"type": "boolean"},  # "#/defs/with%20space"
        "tag": {"type": "string", "enum": ["red", "blue"]},
    }
    assert tool.input_schema["required"] == ["id", "part", "meta"]

    upstream.reply("PUT", "/api/things/5", Reply.json({"part": {"sku": "ABC"}, "meta": {}}))
    thing = {"part": {"sku": "ABC", "x-count": 3}, "meta": {"source": "web"}, "tilde": 8, "slash": 1.5,
             "spaced": True, "tag": "red"}

    async def steps(client):
        return (await client.call_tool("putThing", {"id": 5, **thing}),
                await client.call_tool("putThing", {"id": 5, **thing, "tilde": 6}))

    done, refused = run(server(server_venv, out, "multi_mcp", f"{upstream.url}/api"), "auto", steps)
    assert not done.is_error and refused.is_error  # 6 breaks the minimum found through "a~0b"
    (request,) = upstream.requests
    assert (request.method, request.target, request.json()) == ("PUT", "/api/things/5", thing)


@contextmanager
def static_site(root: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve the files under `root` on 127.0.0.1; yields the base URL and the paths requested."""
    requested: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self):
            requested.append(self.path)
            super().do_GET()

        def log_message(self, format, *args):
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{site.server_address[1]}", requested
    finally:
        site.shutdown()
        site.server_close()


def test_url_document_nested_refs_and_allow_ref_host(tmp_path, upstream: Upstream, rest2mcp):
    site = tmp_path / "site"
    other = f"127.0.0.1:{upstream.port}"  # another origin: same host, another port
    write(site / "api" / "openapi.yaml", f"""
        openapi: 3.0.3
        info: {{title: Remote, version: "1"}}
        paths:
          /things:
            post:
              operationId: addThing
              requestBody:
                content:
                  application/json:
                    schema: {{$ref: "schemas/thing.yaml#/Thing"}}
              responses:
                "200": {{description: ok}}
          /remote:
            post:
              operationId: addRemote
              requestBody:
                content:
                  application/json:
                    schema: {{$ref: "http://{other}/remote.yaml#/Remote"}}
              responses:
                "200": {{description: ok}}
    """)
    write(site / "api" / "schemas" / "thing.yaml", """
        Thing:
          type: object
          x-see: {$ref: "never.yaml"}
          properties:
            meta: {$ref: "../common/meta.yaml#/Meta"}
    """)
    write(site / "api" / "common" / "meta.yaml", """
        Meta:
          type: object
          properties:
            unit: {$ref: "./units.yaml#/Unit"}
    """)
    write(site / "api" / "common" / "units.yaml", "Unit: {type: string, enum: [kg, m]}\n")
    upstream.reply("GET", "/remote.yaml", Reply(200, b"Remote:\n  type: object\n  properties:\n"
                                                      b"    far: {type: boolean}\n", "application/yaml"))
    thing = {"meta": {"type": "object", "properties": {"unit": {"type": "string", "enum": ["kg", "m"]}}}}

    with static_site(site) as (base, requested):
        url = f"{base}/api/openapi.yaml"
        refused = rest2mcp("generate", url, "-o", str(tmp_path / "refused"))
        fetched_once = list(requested)
        strict = rest2mcp("generate", url, "-o", str(tmp_path / "strict"), "--strict")
        allowed = rest2mcp("generate", url, "-o", str(tmp_path / "allowed"), "--allow-ref-host", other)

    for result in (refused, strict, allowed):
        no_traceback(result)
    # Nested relative references are read from the folder of the file that holds them; x- never.
    assert fetched_once == ["/api/openapi.yaml", "/api/schemas/thing.yaml", "/api/common/meta.yaml",
                            "/api/common/units.yaml"]
    assert refused.returncode == 0, refused.stderr
    assert (f"warning[W106] {url}:20 #/paths/~1remote/post/requestBody/content/application~1json/schema: "
            f"$ref 'http://{other}/remote.yaml#/Remote' not followed: it points to another host ({other})\n"
            f"  hint: allow it with --allow-ref-host 127.0.0.1 (or HOST:PORT)") in refused.stderr
    assert "W301" in refused.stderr and "see warning W106" in refused.stderr  # the operation is skipped
    tools = json.loads((tmp_path / "refused" / "remote_mcp" / "generated" / "tools.json").read_text())["tools"]
    assert [t["name"] for t in tools] == ["addThing"]
    assert tools[0]["inputSchema"]["properties"] == thing

    assert strict.returncode == 1 and "warning[W106]" in strict.stderr and "refused by --strict" in strict.stderr
    assert not (tmp_path / "strict").exists()

    assert allowed.returncode == 0 and "W106" not in allowed.stderr and "W301" not in allowed.stderr
    tools = json.loads((tmp_path / "allowed" / "remote_mcp" / "generated" / "tools.json").read_text())["tools"]
    assert {t["name"]: t["inputSchema"]["properties"] for t in tools} == {
        "addThing": thing, "addRemote": {"far": {"type": "boolean"}}}
    assert [r.target for r in upstream.requests] == ["/remote.yaml"]  # only once allowed


# -- 4. and 5. parameter styles and derived names on the wire -----------------------------------


def test_parameter_diagnostics_name_the_spot(tmp_path, rest2mcp):
    result = rest2mcp("generate", str(PARAMS.relative_to(ROOT)), "-o", str(tmp_path / "out"))
    no_traceback(result)
    assert result.returncode == 0
    lines = [line for line in result.stderr.splitlines() if not line.startswith("  hint")]
    assert lines == [  # grouped by code, in the document's order within a code
        ("warning[W312] specs/params-more.yaml:30 #/paths/~1search/get/parameters/7: header parameter "
        "'Content-Type' ignored: the server sets it (OpenAPI 3 says such definitions are ignored)"),
        ("warning[W312] specs/params-more.yaml:31 #/paths/~1search/get/parameters/8: header parameter "
        "'accept' ignored: the server sets it (OpenAPI 3 says such definitions are ignored)"),
        ("warning[W312] specs/params-more.yaml:32 #/paths/~1search/get/parameters/9: header parameter "
        "'Authorization' ignored: the server sets it (OpenAPI 3 says such definitions are ignored)"),
        ("warning[W313] specs/params-more.yaml:22 #/paths/~1search/get/parameters/5/explode: style 'deepObject' "
        "with explode: false is undefined by OpenAPI; sent as name[key]=value, as with explode: true"),
    ]
    assert "hint: describe authentication with a securityScheme" in result.stderr
    assert "hint: the server sends the request body's media type" in result.stderr


def test_a_style_a_location_does_not_define_is_replaced_with_a_warning(tmp_path):
    spec = write(tmp_path / "api.yaml", """
        openapi: 3.0.3
        info: {title: Styles, version: "1"}
        paths:
          /a/{p}:
            get:
              operationId: getA
              parameters:
                - {name: p, in: path, required: true, style: form, schema: {type: string}}
                - {name: q, in: query, style: matrix, schema: {type: array, items: {type: string}}}
                - {name: h, in: header, style: deepObject, schema: {type: string}}
                - {name: d, in: query, style: deepObject, schema: {type: object}}  # explode absent: fine
              responses:
                "200": {description: ok}
    """)
    generated = prepare(str(spec), Options(skip_validation=True))
    found = [(d.code, d.pointer, d.message, d.hint) for d in problems(generated)]
    assert found == [
        ("W313", "/paths/~1a~1{p}/get/parameters/0/style", ("style 'form' is not defined for path parameters; "
         "'simple' is used"), "use one of simple, label, matrix"),
        ("W313", "/paths/~1a~1{p}/get/parameters/1/style", ("style 'matrix' is not defined for query parameters; "
         "'form' is used"), "use one of form, spaceDelimited, pipeDelimited, tabDelimited, deepObject"),
        ("W313", "/paths/~1a~1{p}/get/parameters/2/style", ("style 'deepObject' is not defined for header "
         "parameters; 'simple' is used"), "use one of simple"),
    ]
    styles = [(a.name, a.style, a.explode) for a in generated.api.tools[0].arguments]
    assert styles == [("p", "simple", False), ("q", "form", True), ("d", "deepObject", False), ("h", "simple", False)]


def test_parameter_styles_and_derived_names_on_the_wire(tmp_path, server_venv, upstream: Upstream):
    out = tmp_path / "out"
    generated, _ = generate(str(PARAMS), out, Options())
    tools = {tool.name: tool for tool in generated.api.tools}
    assert sorted(tools) == ["delete_repos_by_owner_by_repo_issues_by_number", "get_repos_by_owner_by_repo",
                             "label", "matrix", "search"]
    # The ignored headers are not arguments; the content-encoded one is the JSON value itself.
    assert list(tools["search"].input_schema["properties"]) == ["tags", "ids", "words", "codes", "filter", "range",
                                                                 "X-Meta"]
    assert tools["search"].input_schema["properties"]["X-Meta"] == {
        "type": "object", "properties": {"trace": {"type": "string"}, "n": {"type": "integer"}}}

    color, rgb = ["blue", "black"], {"R": 100, "G": 200}

    async def steps(client):
        return [
            await client.call_tool("search", {
                "tags": ["a", "b c"], "ids": [1, 2], "words": ["x", "y"], "codes": ["p", "q"],
                "filter": {"a": 1, "b": "two"}, "range": {"from": 1, "to": 5},
                "X-Meta": {"trace": "t 1", "n": 2}}),
            await client.call_tool("label", {"a": color, "ae": color, "o": rgb, "oe": rgb}),
            await client.call_tool("matrix", {"a": color, "ae": color, "o": rgb, "oe": rgb}),
            await client.call_tool("get_repos_by_owner_by_repo", {"owner": "a b", "repo": "c/d"}),
            await client.call_tool("delete_repos_by_owner_by_repo_issues_by_number",
                                   {"owner": "o", "repo": "r", "number": 12}),
        ]

    results = run(server(server_venv, out, "params_more_mcp", f"{upstream.url}/v1"), "auto", steps)
    assert [r.is_error for r in results] == [False] * 5
    search, label, matrix, repo, issue = upstream.requests
    # spaceDelimited/pipeDelimited exploded are form exploded (name repeated); form exploded objects are
    # their members; deepObject is name[key]=value.
    assert search.target == ("/v1/search?tags=a&tags=b%20c&ids=1&ids=2&words=x%20y&codes=p|q&a=1&b=two"
                             "&range[from]=1&range[to]=5")
    assert search.headers["x-meta"] == '{"trace":"t 1","n":2}'
    assert "authorization" not in search.headers and "content-type" not in search.headers
    assert label.target == "/v1/label/.blue,black/.blue.black/.R,100,G,200/.R=100.G=200"
    assert matrix.target == "/v1/matrix/;a=blue,black/;ae=blue;ae=black/;o=R,100,G,200/;R=100;G=200"
    assert (repo.method, repo.target) == ("GET", "/v1/repos/a%20b/c%2Fd")
    assert (issue.method, issue.target) == ("DELETE", "/v1/repos/o/r/issues/12")


def test_a_fragment_or_query_mark_in_a_path_template_is_reported(tmp_path, server_venv, upstream: Upstream):
    spec = tmp_path / "marks.yaml"
    spec.write_text(textwrap.dedent("""\
        openapi: 3.0.3
        info: {title: marks, version: "1"}
        paths:
          /send/#env/partners/{partnerId}:
            get:
              operationId: getPartner
              parameters: [{name: partnerId, in: path, required: true, schema: {type: string}}]
              responses: {"200": {description: ok}}
          /items/{id}?view=full:
            get:
              operationId: getItem
              parameters: [{name: id, in: path, required: true, schema: {type: string}}]
              responses: {"200": {description: ok}}
        """))
    generated = prepare(str(spec), Options(skip_validation=True))
    found = [(d.code, d.pointer, d.line) for d in generated.diagnostics if d.code in ("W305", "I305")]
    assert found == [("I305", "/paths/~1send~1#env~1partners~1{partnerId}", 4),
                     ("W305", "/paths/~1items~1{id}?view=full", 9)]

    # a fragment is no part of a request: left out; a "?" is sent as the document says, percent-encoded
    out = tmp_path / "out"
    generate(str(spec), out, Options(skip_validation=True))
    upstream.reply("GET", "/send/partners/p%231", Reply.json({}))
    upstream.reply("GET", "/items/i%3F1%3Fview=full", Reply.json({}))
    target = StdioServerParameters(command=str(server_venv / "bin" / "python"),
                                   args=["-m", "marks_mcp", "--base-url", upstream.url], cwd=str(out),
                                   env=child_env())

    async def steps(client):
        return [await client.call_tool("getPartner", {"partnerId": "p#1"}),
                await client.call_tool("getItem", {"id": "i?1"})]

    results = run(target, "auto", steps)
    assert [r.target for r in upstream.requests] == ["/send/partners/p%231", "/items/i%3F1%3Fview=full"]
    assert not any(r.is_error for r in results)


def test_shared_schemas_from_other_files_get_readable_defs_names(tmp_path):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "tree.yaml").write_text(textwrap.dedent("""\
        Node:
          type: object
          properties:
            label: {type: string}
            children: {type: array, items: {$ref: "#/Node"}}
        """))
    (tmp_path / "api.yaml").write_text(textwrap.dedent("""\
        openapi: 3.0.3
        info: {title: trees, version: "1"}
        paths:
          /trees:
            post:
              operationId: createTree
              requestBody:
                content:
                  application/json:
                    schema: {$ref: "schemas/tree.yaml#/Node"}
              responses: {"201": {description: created}}
        """))
    tool = prepare(str(tmp_path / "api.yaml"), Options(skip_validation=True)).api.tools[0]
    # the cycle is shared through $defs, named after the schema, not after the file's bundled key
    assert list(tool.input_schema["$defs"]) == ["Node"]
    assert tool.input_schema["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
