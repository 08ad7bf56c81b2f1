"""End to end: the committed example packages, pip-installed into a fresh virtual environment,
driven through the official MCP client over stdio and Streamable HTTP, calling a real HTTP
server on 127.0.0.1 whose received requests are asserted exactly."""

from __future__ import annotations

import base64
import json
import subprocess

import pytest
from helpers import GENERATED, api_text, child_env, free_port, run, stdio, text_of, wait_for_port
from upstream import Reply, Upstream

pytestmark = pytest.mark.e2e

API_KEY = "sekret-api-key-123"
MODES = ["auto", "legacy"]


# -- petstore over stdio, both protocol eras --------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_petstore_over_stdio(server_venv, upstream: Upstream, mode):
    upstream.reply("GET", "/pets", Reply.json([{"id": 1, "name": "Rex", "tag": None}]))
    upstream.reply("POST", "/pets", Reply.json({"id": 2, "name": "Tom", "tag": "cat"}, status=201))
    upstream.reply("DELETE", "/pets/a%2Fb%20c", Reply(204))

    async def steps(client):
        listed = await client.list_tools()
        listing = await client.call_tool("listPets", {"limit": 2})
        created = await client.call_tool("createPet", {"name": "Tom", "tag": "cat"})
        deleted = await client.call_tool("deletePet", {"petId": "a/b c"})
        return listed, listing, created, deleted

    target = stdio(server_venv, "petstore-mcp", upstream.url, PETSTORE_MCP_API_KEY=API_KEY)
    listed, listing, created, deleted = run(target, mode, steps)

    expected = json.loads((GENERATED / "petstore/petstore_mcp/generated/tools.json").read_text())["tools"]
    assert [t.name for t in listed.tools] == ["listPets", "createPet", "showPetById", "deletePet"]
    for tool, definition in zip(listed.tools, expected):
        assert tool.input_schema == definition["inputSchema"]
        assert tool.output_schema == definition.get("outputSchema")
    assert listed.tools[3].annotations.destructive_hint is True
    assert listed.tools[0].annotations.read_only_hint is True

    get, post, delete = upstream.requests
    assert (get.method, get.target) == ("GET", "/pets?limit=2")
    assert get.headers["x-api-key"] == API_KEY
    assert get.headers["accept"] == "application/json"
    assert get.body == b""
    assert not listing.is_error
    assert listing.structured_content == {"result": [{"id": 1, "name": "Rex", "tag": None}]}
    assert json.loads(api_text(listing)) == [{"id": 1, "name": "Rex", "tag": None}]

    assert (post.method, post.target) == ("POST", "/pets")
    assert post.headers["content-type"] == "application/json"
    assert post.json() == {"name": "Tom", "tag": "cat"}
    assert created.structured_content == {"id": 2, "name": "Tom", "tag": "cat"}

    assert (delete.method, delete.target) == ("DELETE", "/pets/a%2Fb%20c")
    assert not deleted.is_error
    assert "HTTP 204" in text_of(deleted)


# -- error paths ------------------------------------------------------------------------------


class Dribble:
    """A slow response body (40 pieces, 0.1 s apart) that records whether the API got to write it all."""

    def __init__(self) -> None:
        import threading

        self.finished = threading.Event()
        self.written = 0

    def body(self):
        import time

        try:
            for _ in range(40):
                self.written += 1
                yield b"x" * 50
                time.sleep(0.1)
        finally:
            self.finished.set()

    def stopped_early(self) -> bool:
        return self.finished.is_set() and self.written < 40


@pytest.mark.parametrize("mode", MODES)
def test_progress_and_cancellation_over_stdio(server_venv, upstream: Upstream, mode):
    """A slow call reports progress to a client that sent a token; a call the client cancels
    (notifications/cancelled over stdio) closes its request to the API; the server goes on."""
    import anyio

    dribble = Dribble()
    reports: list[float] = []

    async def on_progress(progress, total, message):
        reports.append(progress)

    async def steps(client):
        upstream.reply("GET", "/pets/1", Reply(200, b'{"id": 1, "name": "Rex"}', "application/json", delay=2.2))
        slow = await client.call_tool("showPetById", {"petId": "1"}, progress_callback=on_progress)
        upstream.reply("GET", "/pets/2", Reply(200, content_type="text/plain", stream=dribble.body, length=2000))
        with anyio.move_on_after(0.8):
            await client.call_tool("showPetById", {"petId": "2"})
        await anyio.to_thread.run_sync(dribble.finished.wait, 3.0)
        upstream.reply("GET", "/pets/3", Reply.json({"id": 3, "name": "Tom"}))
        return slow, await client.call_tool("showPetById", {"petId": "3"})

    slow, after = run(stdio(server_venv, "petstore-mcp", upstream.url, PETSTORE_MCP_API_KEY=API_KEY), mode, steps)
    assert not slow.is_error and slow.structured_content == {"id": 1, "name": "Rex"}
    assert len(reports) >= 2 and reports == sorted(reports)
    assert dribble.stopped_early()  # the API stopped writing: its connection was closed
    assert not after.is_error and after.structured_content == {"id": 3, "name": "Tom"}
    assert [r.target for r in upstream.requests] == ["/pets/1", "/pets/2", "/pets/3"]


def test_error_results(server_venv, upstream: Upstream):
    upstream.reply("GET", "/pets/404", Reply.json({"code": 404, "message": "no such pet"}, status=404))
    upstream.reply("GET", "/pets/500", Reply(500, b"upstream exploded " + b"x" * 5000, "text/plain"))
    upstream.reply("GET", "/pets/echo", Reply.json({"id": 3, "name": f"key was {API_KEY}"}))

    async def steps(client):
        return {
            "missing": await client.call_tool("showPetById", {}),
            "wrong": await client.call_tool("listPets", {"limit": "ten", "bogus": 1}),
            "empty": await client.call_tool("showPetById", {"petId": ""}),
            "404": await client.call_tool("showPetById", {"petId": "404"}),
            "500": await client.call_tool("showPetById", {"petId": "500"}),
            "echo": await client.call_tool("showPetById", {"petId": "echo"}),
        }

    results = run(stdio(server_venv, "petstore-mcp", upstream.url, PETSTORE_MCP_API_KEY=API_KEY), "legacy", steps)
    assert [r.target for r in upstream.requests] == ["/pets/404", "/pets/500", "/pets/echo"]

    assert results["missing"].is_error
    assert "petId: required argument missing" in text_of(results["missing"])
    wrong = text_of(results["wrong"])
    assert results["wrong"].is_error
    assert "limit: 'ten' is not of type 'integer'" in wrong
    assert "bogus: unknown argument" in wrong
    assert "petId" in text_of(results["empty"]) and results["empty"].is_error

    assert results["404"].is_error
    assert "HTTP 404 Not Found to GET /pets/404" in text_of(results["404"])
    assert "no such pet" in text_of(results["404"])
    assert results["500"].is_error
    text_500 = text_of(results["500"])
    assert "HTTP 500" in text_500 and "upstream exploded" in text_500
    assert len(text_500) < 2300  # the body is cut near 2,000 characters

    assert not results["echo"].is_error
    assert API_KEY not in text_of(results["echo"])
    assert API_KEY not in json.dumps(results["echo"].structured_content)


def test_missing_credential_names_the_variable(server_venv, upstream: Upstream):
    result = run(
        stdio(server_venv, "petstore-mcp", upstream.url),
        "auto",
        lambda client: client.call_tool("listPets", {}),
    )
    assert result.is_error
    assert "PETSTORE_MCP_API_KEY" in text_of(result)
    assert upstream.requests == []


def test_unreachable_upstream_and_timeout(server_venv, upstream: Upstream):
    closed = f"http://127.0.0.1:{free_port()}"
    unreachable = run(
        stdio(server_venv, "petstore-mcp", closed, PETSTORE_MCP_API_KEY=API_KEY),
        "auto",
        lambda client: client.call_tool("listPets", {}),
    )
    assert unreachable.is_error
    assert "Could not reach the API" in text_of(unreachable)

    upstream.reply("GET", "/pets", Reply(200, b"[]", "application/json", delay=3))
    slow = run(
        stdio(server_venv, "petstore-mcp", upstream.url, "--timeout", "0.5", PETSTORE_MCP_API_KEY=API_KEY),
        "auto",
        lambda client: client.call_tool("listPets", {}),
    )
    assert slow.is_error
    assert "did not answer in time (the call took longer than 0.5 s)" in text_of(slow)

    upstream.reply("GET", "/pets", Reply(200, b"x" * 500, "text/plain"))
    cut = run(
        stdio(server_venv, "petstore-mcp", upstream.url, "--max-response-chars", "100", PETSTORE_MCP_API_KEY=API_KEY),
        "auto",
        lambda client: client.call_tool("listPets", {}),
    )
    assert not cut.is_error
    assert api_text(cut) == "x" * 100 + "\n[... 400 more characters not shown]"


# -- every parameter location, collisions, circular and array bodies --------------------------


@pytest.mark.parametrize("mode", MODES)
def test_everything_wire_requests(server_venv, upstream: Upstream, mode):
    item = {"id": "b1", "name": "chair", "price": 2.5, "labels": {"room": "hall"}, "color": None}
    upstream.reply("PUT", "/items/7", Reply.json({**item, "createdAt": "2024-01-01T00:00:00Z"}))
    upstream.reply("GET", "/search", Reply.json({"items": [], "total": 0}))
    upstream.reply("POST", "/items/batch", Reply.json([11, 12]))
    tree = {"name": "oak", "children": [{"name": "branch", "children": [{"name": "leaf"}]}]}
    upstream.reply("POST", "/trees", Reply.json(tree, status=201))

    async def steps(client):
        return [
            await client.call_tool(
                "updateItem",
                {"itemId": 7, "id__query": "q 1", "X-Trace-Id": "trace-9", "session": "s=1;x", **item},
            ),
            await client.call_tool(
                "get_search",
                {
                    "tags": ["a", "b"], "ids": [1, 2], "filter": {"color": "red", "size": 3},
                    "words": ["x", "y"], "codes": ["p", "q"], "q": "hello world & more", "exact": True,
                },
            ),
            await client.call_tool("createItems", {"body": [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}]}),
            await client.call_tool("plantTree", tree),
        ]

    target = stdio(
        server_venv, "everything-mcp", upstream.url,
        EVERYTHING_MCP_BASIC_AUTH_USERNAME="ann", EVERYTHING_MCP_BASIC_AUTH_PASSWORD="pw",
    )
    updated, searched, batch, planted = run(target, mode, steps)
    put, search, post_batch, post_tree = upstream.requests

    assert (put.method, put.target) == ("PUT", "/items/7?id=q%201")
    assert put.headers["x-trace-id"] == "trace-9"
    assert put.headers["cookie"] == "session=s%3D1%3Bx"
    assert put.headers["authorization"] == "Basic " + base64.b64encode(b"ann:pw").decode()
    assert put.headers["content-type"] == "application/json"
    assert put.json() == item
    assert not updated.is_error
    assert updated.structured_content["createdAt"] == "2024-01-01T00:00:00Z"

    assert search.method == "GET"
    assert search.target == (
        "/search?tags=a&tags=b&ids=1,2&filter[color]=red&filter[size]=3&words=x%20y&codes=p|q"
        "&q=hello%20world%20%26%20more&exact=true"
    )
    assert "authorization" not in search.headers  # security: [] on this operation
    assert searched.structured_content == {"items": [], "total": 0}

    assert (post_batch.method, post_batch.target) == ("POST", "/items/batch")
    assert post_batch.json() == [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}]
    assert batch.structured_content == {"result": [11, 12]}

    assert post_tree.json() == tree
    assert planted.structured_content == tree


def test_bearer_alternative_and_header_validation(server_venv, upstream: Upstream):
    async def steps(client):
        bad = await client.call_tool("deleteItem", {"itemId": 1, "X-Trace-Id": " padded "})
        good = await client.call_tool("deleteItem", {"itemId": 1})
        return bad, good

    bad, good = run(stdio(server_venv, "everything-mcp", upstream.url, EVERYTHING_MCP_BEARER_AUTH_TOKEN="tok"), "auto", steps)
    assert bad.is_error and "X-Trace-Id" in text_of(bad)
    assert not good.is_error
    (delete,) = upstream.requests
    assert delete.headers["authorization"] == "Bearer tok"


# -- Streamable HTTP, OpenAPI 3.1 -------------------------------------------------------------


@pytest.fixture
def library_over_http(server_venv, upstream_server: Upstream):
    port = free_port()
    process = subprocess.Popen(
        [str(server_venv / "bin" / "library-mcp"), "--transport", "http", "--port", str(port),
         "--base-url", upstream_server.url],
        env=child_env(LIBRARY_MCP_TOKEN="lib-token"),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("mode", MODES)
def test_library_over_streamable_http(library_over_http, upstream: Upstream, mode):
    upstream.reply("GET", "/books", Reply.json([{"title": "Dune", "isbn": "1", "year": None, "id": 5}]))
    upstream.reply("POST", "/books/978-3-16-1/loans", Reply(204))

    async def steps(client):
        listed = await client.list_tools()
        books = await client.call_tool("listBooks", {"author": None, "page": 2})
        lent = await client.call_tool("lendBook", {"isbn": "978-3-16-1", "reader": "ann", "kind": "loan", "days": None})
        wrong = await client.call_tool("lendBook", {"isbn": "978-3-16-1", "reader": "ann", "kind": "gift"})
        partial = await client.call_tool("lendBook", {"isbn": "978-3-16-1", "days": 3})
        return listed, books, lent, wrong, partial

    listed, books, lent, wrong, partial = run(library_over_http, mode, steps)
    assert [t.name for t in listed.tools] == ["listBooks", "addBook", "lendBook"]
    get, post = upstream.requests
    assert (get.method, get.target) == ("GET", "/books?page=2")
    assert get.headers["authorization"] == "Bearer lib-token"
    assert books.structured_content == {"result": [{"title": "Dune", "isbn": "1", "year": None, "id": 5}]}
    assert (post.method, post.target) == ("POST", "/books/978-3-16-1/loans")
    assert post.json() == {"reader": "ann", "kind": "loan", "days": None}
    assert not lent.is_error
    assert wrong.is_error and "kind" in text_of(wrong)
    # The body is optional, but once any of its fields is given its required ones must be too.
    assert partial.is_error and "reader" in text_of(partial)


# A 2025-era client's cancel reaches a call over HTTP only with sessions: the SDK's stateless
# transport of that era neither routes notifications/cancelled to the call nor sees the client go.
@pytest.mark.parametrize(("mode", "sessions"), [("auto", False), ("legacy", True)])
def test_progress_cancellation_and_next_page_over_streamable_http(server_venv, upstream: Upstream, mode, sessions):
    import anyio

    dribble = Dribble()
    reports: list[float] = []

    async def on_progress(progress, total, message):
        reports.append(progress)

    async def steps(client):
        upstream.reply("GET", "/books", Reply(200, b"[]", "application/json", delay=2.2,
                                              headers={"Link": '</books?page=3>; rel="next"'}))
        slow = await client.call_tool("listBooks", {"page": 2}, progress_callback=on_progress)
        upstream.reply("GET", "/books", Reply(200, content_type="text/plain", stream=dribble.body, length=2000))
        with anyio.move_on_after(0.8):
            await client.call_tool("listBooks", {})
        await anyio.to_thread.run_sync(dribble.finished.wait, 3.0)
        upstream.reply("GET", "/books", Reply.json([]))
        return slow, await client.call_tool("listBooks", {})

    port = free_port()
    process = subprocess.Popen(
        [str(server_venv / "bin" / "library-mcp"), "--transport", "http", "--port", str(port),
         "--base-url", upstream.url, *(["--http-sessions"] if sessions else [])],
        env=child_env(LIBRARY_MCP_TOKEN="lib-token"), stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process=process)
        slow, after = run(f"http://127.0.0.1:{port}/mcp", mode, steps)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert not slow.is_error and slow.content[-1].text.endswith('the same arguments and {"page": 3}.')
    assert len(reports) >= 2 and reports == sorted(reports)
    assert dribble.stopped_early()  # the API stopped writing: its connection was closed
    assert not after.is_error and after.structured_content == {"result": []}


# -- Swagger 2.0: body and formData parameters, collection formats, query API key -------------


def test_swagger2_petstore_wire_requests(server_venv, upstream: Upstream):
    upstream.reply("GET", "/pets", Reply.json([{"id": 1, "name": "Rex", "tag": None}]))
    upstream.reply("POST", "/pets", Reply.json({"id": 2, "name": "Tom", "tag": None}))
    upstream.reply("POST", "/pets/2", Reply.json({"id": 2, "name": "Tim"}))
    upstream.reply("DELETE", "/pets/2", Reply(204))

    async def steps(client):
        return [
            await client.call_tool("findPets", {"tags": ["a", "b c"], "status": ["available", "sold"],
                                                "codes": [1, 2], "limit": 5}),
            await client.call_tool("addPet", {"name": "Tom", "tag": None}),
            await client.call_tool("updatePetWithForm", {"id": 2, "name": "Tim & Co", "status": "sold"}),
            await client.call_tool("deletePet", {"id": 2, "X-Reason": None}),
        ]

    target = stdio(server_venv, "petstore-two-mcp", upstream.url, PETSTORE_TWO_MCP_KEY="k&y",
                   PETSTORE_TWO_MCP_BASIC_USERNAME="u", PETSTORE_TWO_MCP_BASIC_PASSWORD="p")
    found, added, updated, deleted = run(target, "auto", steps)
    get, post, form, delete = upstream.requests

    assert get.target == "/pets?tags=a,b%20c&status=available&status=sold&codes=1|2&limit=5&api_key=k%26y"
    assert found.structured_content == {"result": [{"id": 1, "name": "Rex", "tag": None}]}
    assert (post.method, post.target) == ("POST", "/pets")
    assert post.headers["authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
    assert post.json() == {"name": "Tom", "tag": None}
    assert not added.is_error
    assert (form.method, form.target) == ("POST", "/pets/2?api_key=k%26y")
    assert form.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form.body == b"name=Tim%20%26%20Co&status=sold"
    assert updated.structured_content == {"id": 2, "name": "Tim"}
    assert (delete.method, delete.target) == ("DELETE", "/pets/2?api_key=k%26y")
    assert "x-reason" not in delete.headers
    assert not deleted.is_error


# -- files: multipart upload, binary body, binary download -------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def test_files_upload_and_download(server_venv, upstream: Upstream):
    upstream.reply("POST", "/files", Reply.json({"id": "f1"}, status=201))
    upstream.reply("PUT", "/files/f1/raw", Reply(204))
    upstream.reply("GET", "/files/f1/raw", Reply(200, PNG, "image/png"))
    encoded = base64.b64encode(PNG).decode()

    async def steps(client):
        return [
            await client.call_tool("uploadFile", {
                "file": {"content": encoded, "filename": "pic.png", "contentType": "image/png"},
                "meta": {"owner": "ann"}, "tags": ["a", "b"],
            }),
            await client.call_tool("replaceFileContent", {"fileId": "f1", "body": encoded}),
            await client.call_tool("downloadFile", {"fileId": "f1"}),
            await client.call_tool("replaceFileContent", {"fileId": "f1", "body": "not base64!"}),
        ]

    target = stdio(server_venv, "everything-mcp", upstream.url, EVERYTHING_MCP_BEARER_AUTH_TOKEN="t")
    uploaded, replaced, downloaded, bad = run(target, "auto", steps)
    upload, put, get = upstream.requests

    content_type = upload.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=", 1)[1]
    assert upload.body == (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="pic.png"\r\n'
        f"Content-Type: image/png\r\n\r\n".encode() + PNG + b"\r\n"
        + f'--{boundary}\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n'
          f'{{"owner": "ann"}}\r\n'
          f'--{boundary}\r\nContent-Disposition: form-data; name="tags"\r\n\r\na\r\n'
          f'--{boundary}\r\nContent-Disposition: form-data; name="tags"\r\n\r\nb\r\n'
          f"--{boundary}--\r\n".encode()
    )
    assert uploaded.structured_content == {"id": "f1"}

    assert (put.method, put.target) == ("PUT", "/files/f1/raw")
    assert put.headers["content-type"] == "application/octet-stream"
    assert put.body == PNG
    assert not replaced.is_error

    assert get.headers["accept"] == "image/png, application/octet-stream"
    (image,) = downloaded.content
    assert image.type == "image" and image.mime_type == "image/png"
    assert base64.b64decode(image.data) == PNG

    assert bad.is_error and "body: the value must be base64-encoded" in bad.content[0].text


# -- raw bodies: base64 text (format byte) vs bytes (format binary); YAML bodies ----------------


def test_base64_text_binary_and_yaml_bodies(server_venv, upstream: Upstream):
    upstream.reply("PUT", "/files/f1/encoded", Reply(204))
    upstream.reply("PUT", "/files/f1/raw", Reply(204))
    upstream.reply("POST", "/deployments", Reply.json({"name": "web"}, status=201))
    upstream.reply("PUT", "/deployments", Reply(204))
    encoded = base64.b64encode(PNG).decode()
    fields = {"name": "web", "replicas": 3, "labels": {"tier": "front", "note": "a: b # c"}}
    manifest = "name: web\nreplicas: 3\n"

    async def steps(client):
        return [
            await client.call_tool("replaceFileEncoded", {"fileId": "f1", "body": encoded}),
            await client.call_tool("replaceFileContent", {"fileId": "f1", "body": encoded}),
            await client.call_tool("applyDeployment", fields),
            await client.call_tool("replaceDeploymentManifest", {"body": manifest}),
            await client.call_tool("replaceFileEncoded", {"fileId": "f1", "body": "not base64!"}),
            await client.call_tool("replaceFileEncoded", {"fileId": "f1", "body": "YWJj="}),
        ]

    target = stdio(server_venv, "everything-mcp", upstream.url, EVERYTHING_MCP_BEARER_AUTH_TOKEN="t")
    as_text, as_bytes, applied, replaced, bad, badly_padded = run(target, "auto", steps)
    put_text, put_bytes, post_yaml, put_yaml = upstream.requests

    # format: byte: the body is the base64 text itself, byte for byte, never decoded
    assert (put_text.method, put_text.target) == ("PUT", "/files/f1/encoded")
    assert put_text.headers["content-type"] == "application/octet-stream"
    assert put_text.body == encoded.encode("ascii")
    assert not as_text.is_error
    # format: binary: the model's base64 is decoded, the raw bytes are sent
    assert put_bytes.headers["content-type"] == "application/octet-stream"
    assert put_bytes.body == PNG
    assert not as_bytes.is_error

    # a YAML object body: arguments spread, sent as JSON text (valid YAML 1.2) with the YAML type
    assert (post_yaml.method, post_yaml.target) == ("POST", "/deployments")
    assert post_yaml.headers["content-type"] == "application/x-yaml"
    assert post_yaml.body == json.dumps(fields, ensure_ascii=False).encode()
    assert applied.structured_content == {"name": "web"}
    # a YAML string body stays the document's text
    assert put_yaml.headers["content-type"] == "text/yaml"
    assert put_yaml.body == manifest.encode()
    assert not replaced.is_error

    # not base64, or base64 without its padding: refused before any request
    for refused in (bad, badly_padded):
        assert refused.is_error and "body: the value must be base64-encoded (RFC 4648, with padding)" in text_of(refused)


# -- every serialization style --------------------------------------------------------------


def test_every_style_on_the_wire(server_venv, upstream: Upstream):
    path = "/label/.red.green/matrix/;point=x,1,y,2/files/docs/a%20b.txt"
    upstream.reply("GET", path, Reply(200, b"ok", "text/plain"))

    async def steps(client):
        return (
            await client.call_tool("styledPath", {
                "colors": ["red", "green"], "point": {"x": 1, "y": 2}, "filePath": "docs/a b.txt",
                "X-Dims": {"w": 3, "h": 4}, "X-Ids": [5, 6], "q": "a/b?c", "filter": {"owner": "ann"},
                "point2": {"x": 7, "y": 8}, "prefs": ["dark", "compact"],
            }),
            await client.call_tool("styledPath", {"colors": ["r"], "point": {"x": 1}, "filePath": "../etc/passwd"}),
        )

    styled, escaping = run(stdio(server_venv, "styles-mcp", upstream.url), "auto", steps)
    (request,) = upstream.requests
    assert request.target == path + "?q=a/b?c&filter=%7B%22owner%22%3A%22ann%22%7D&point2=x,7,y,8"
    assert request.headers["x-dims"] == "w=3,h=4"
    assert request.headers["x-ids"] == "5,6"
    assert request.headers["cookie"] == "prefs=dark,compact"
    assert not styled.is_error and api_text(styled) == "ok"
    assert escaping.is_error and "filePath: '../etc/passwd' does not match" in text_of(escaping)
