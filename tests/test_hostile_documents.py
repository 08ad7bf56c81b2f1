"""Hostile documents: each is refused with a located diagnostic, and nothing fetches, reads or grows
beyond what the document may have.

Every run of the generator is a child process with 1 GB of address space and 30 seconds: a document
that makes it fetch a URL, read a device or expand in memory fails here instead of on a user's machine.
References that must not be followed point at a listener on 127.0.0.1 that counts connections.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from helpers import write
from rest2mcp.document.loading import MAX_ALIAS_NODES, MAX_BYTES, MAX_DEPTH, MAX_NODES
from rest2mcp.schemas.convert import MAX_SCHEMA_DEPTH

# Every case runs the generator as a child process under memory and time limits.
pytestmark = pytest.mark.e2e

MEMORY = 1024 ** 3
TIMEOUT = 30

HEAD = 'openapi: 3.0.3\ninfo: {title: Hostile, version: "1"}\n'


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def rest2mcp(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The command line in a child process with 1 GB of address space and 30 seconds."""
    result = subprocess.run([sys.executable, "-m", "rest2mcp", *args], cwd=cwd, capture_output=True, text=True,
                            check=False, timeout=TIMEOUT, preexec_fn=_limits)
    assert result.returncode != 3 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "internal error" not in result.stderr, result.stderr[-2000:]
    return result


def refused(result: subprocess.CompletedProcess, code: str, out: Path | None = None) -> None:
    assert result.returncode == 1, result.stderr[-2000:]
    assert f"error[{code}]" in result.stderr, result.stderr[-2000:]
    if out is not None:
        assert not out.exists()


@contextmanager
def listener() -> Iterator[tuple[str, list[int]]]:
    """A TCP listener on 127.0.0.1: its host:port and the number of connections it accepted (in a list)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    accepted = [0]
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            accepted[0] += 1
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join()
        server.close()


@contextmanager
def serving(files: dict[str, str]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 with `files` (path -> text); its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write((body or "").encode())

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def operation(schema_ref: str) -> str:
    return HEAD + f"""paths:
  /things:
    get:
      operationId: getThing
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{$ref: '{schema_ref}'}}
  /other:
    get:
      operationId: getOther
      responses:
        "200": {{description: ok}}
"""


def written(out: Path) -> str:
    """Everything generation wrote into `out`, as one text."""
    return "".join(p.read_text(errors="replace") for p in sorted(out.rglob("*")) if p.is_file())


# -- references that must not be followed ----------------------------------------------------------


@pytest.mark.parametrize("command", ["generate", "strict", "validate", "diff"])
def test_refs_to_other_hosts_are_never_fetched(tmp_path, command):
    """The bundler refuses them (W106); validation and typed models must not fetch them either."""
    with listener() as (host, accepted):
        spec = write(tmp_path / "api.yaml", HEAD + f"""
            paths:
              /things/{{id}}:
                get:
                  operationId: getThing
                  parameters:
                    - $ref: 'http://{host}/parameter.yaml'
                    - {{name: id, in: path, required: true, schema: {{$ref: 'https://{host}/id.yaml#/Id'}}}}
                  responses:
                    "200":
                      description: ok
                      content:
                        application/json:
                          schema: {{$ref: 'http://{host}/thing.yaml#/Thing'}}
            components:
              schemas:
                Thing: {{$ref: 'http://{host}/thing.yaml#/Thing'}}
                Local:
                  type: object
                  properties:
                    far: {{$ref: 'http://169.254.169.254/latest/meta-data/#/x'}}
        """.replace("\n            ", "\n").lstrip("\n"))
        # Every operation needs a reference that is refused: no tools (accepted with --allow-empty).
        args = {"generate": ["generate", str(spec), "-o", str(tmp_path / "out"), "--allow-empty"],
                "strict": ["generate", str(spec), "-o", str(tmp_path / "out"), "--strict", "--allow-empty"],
                "validate": ["validate", str(spec), "--allow-empty"],
                "diff": ["diff", str(spec), str(spec)]}[command]
        result = rest2mcp(*args, cwd=tmp_path)
        assert accepted[0] == 0
    if command == "strict":
        assert result.returncode == 1 and "refused by --strict" in result.stderr
        assert not (tmp_path / "out").exists()
    elif command == "diff":
        assert result.returncode == 0, result.stderr
    else:
        # validate fails: what the references point to was not validated
        assert result.returncode == (1 if command == "validate" else 0), result.stderr
        assert f"$ref 'http://{host}/thing.yaml#/Thing' not followed" in result.stderr
        assert "W201" not in result.stderr  # validation ran to its end without them
    if command == "validate":
        assert "not completely validated: $refs not followed (W106" in result.stdout
    if command == "generate":
        assert "models.py" in {p.name for p in (tmp_path / "out").rglob("*.py")}


def test_schema_ids_do_not_make_validation_fetch(tmp_path):
    """An OpenAPI 3.1 `$id` makes a local-looking reference resolve against another host."""
    with listener() as (host, accepted):
        spec = write(tmp_path / "api.yaml", HEAD.replace("3.0.3", "3.1.0") + f"""
paths: {{}}
components:
  schemas:
    Far:
      $id: 'http://{host}/far.yaml'
      type: object
      properties:
        near: {{$ref: '#/Near'}}
""")
        result = rest2mcp("generate", str(spec), "-o", str(tmp_path / "out"), "--allow-empty", cwd=tmp_path)
        assert accepted[0] == 0
    assert result.returncode == 0, result.stderr


def test_a_document_read_from_a_url_reads_no_local_file(tmp_path):
    secret = write(tmp_path / "secret" / "secret.yaml", "Secret: {type: string, description: TOPSECRET}\n")
    document = operation(f"file://{secret}#/Secret") + f"""components:
  schemas:
    A: {{$ref: '{secret}#/Secret'}}
    B: {{$ref: 'file://{secret}#/Secret'}}
"""
    with serving({"/api.yaml": document}) as base:
        result = rest2mcp("generate", f"{base}/api.yaml", "-o", str(tmp_path / "out"), cwd=tmp_path / "secret")
        validated = rest2mcp("validate", f"{base}/api.yaml", cwd=tmp_path / "secret")
    assert result.returncode == 0, result.stderr
    assert "a document read from a URL cannot reference local files" in result.stderr
    for text in (result.stderr, validated.stderr, validated.stdout, written(tmp_path / "out")):
        assert "TOPSECRET" not in text


def test_refs_outside_the_documents_folder_are_not_read(tmp_path):
    write(tmp_path / "secret.yaml", "Secret: {type: string, description: TOPSECRET}\n")
    spec = write(tmp_path / "api" / "api.yaml", operation("../secret.yaml#/Secret") + """components:
  schemas:
    Passwd: {$ref: '/etc/passwd#/root'}
    Up: {$ref: '../../../../../../../../etc/hostname'}
""")
    result = rest2mcp("generate", "api/api.yaml", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ("warning[W106] api/api.yaml:12 #/paths/~1things/get/responses/200/content/application~1json/schema: "
            "$ref '../secret.yaml#/Secret' not followed: the file secret.yaml lies outside the document's folder\n"
            f"  hint: allow its folder with --allow-ref-dir {tmp_path}, or copy the file beside the document"
            ) in result.stderr
    assert "$ref '/etc/passwd#/root' not followed" in result.stderr
    out = written(tmp_path / "out")
    assert "TOPSECRET" not in out and "TOPSECRET" not in result.stderr and "root:x:0:0" not in out
    tools = json.loads((tmp_path / "out" / "hostile_mcp" / "generated" / "tools.json").read_text())["tools"]
    assert [t["name"] for t in tools] == ["getOther"]

    strict = rest2mcp("generate", str(spec), "-o", str(tmp_path / "strict"), "--strict", cwd=tmp_path)
    assert strict.returncode == 1 and "refused by --strict" in strict.stderr
    assert not (tmp_path / "strict").exists()


def test_allow_ref_dir_lets_a_folder_be_read(tmp_path):
    write(tmp_path / "shared" / "thing.yaml", "Thing: {type: string, description: SHARED}\n")
    spec = write(tmp_path / "api" / "api.yaml", operation("../shared/thing.yaml#/Thing"))
    result = rest2mcp("generate", str(spec), "-o", str(tmp_path / "out"), "--allow-ref-dir",
                      str(tmp_path / "shared"), cwd=tmp_path)
    assert result.returncode == 0 and "W106" not in result.stderr, result.stderr
    assert "SHARED" in (tmp_path / "out" / "hostile_mcp" / "generated" / "tools.json").read_text()
    manifest = json.loads((tmp_path / "out" / ".rest2mcp" / "manifest.json").read_text())
    assert manifest["config"]["allowed_ref_dirs"] == [str(tmp_path / "shared")]
    # The folder's last run remembers it.
    again = rest2mcp("generate", str(spec), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert again.returncode == 0 and "W106" not in again.stderr, again.stderr


def test_diff_reads_refs_from_the_allowed_folders_and_says_which_it_did_not_follow(tmp_path):
    for version, kinds in (("v1", "[a, b]"), ("v2", "[a]")):
        write(tmp_path / version / "shared" / "kind.yaml", f"Kind: {{type: string, enum: {kinds}}}\n")
        write(tmp_path / version / "api" / "api.yaml", HEAD + """paths:
  /things:
    get:
      operationId: getThing
      parameters:
        - {name: kind, in: query, required: true, schema: {$ref: '../shared/kind.yaml#/Kind'}}
      responses: {"200": {description: ok}}
""")
    specs = ("v1/api/api.yaml", "v2/api/api.yaml")
    allowed = rest2mcp("diff", *specs, "--fail-on", "breaking", "--allow-ref-dir", str(tmp_path / "v1" / "shared"),
                       "--allow-ref-dir", str(tmp_path / "v2" / "shared"), cwd=tmp_path)
    assert allowed.returncode == 1, allowed.stderr
    assert '| breaking | enum-value-removed | `kind`: enum lost "b" |' in allowed.stdout
    assert "W106" not in allowed.stderr
    # Not allowed: the schemas behind the references are not read, and the diff says so.
    refused = rest2mcp("diff", *specs, "--fail-on", "breaking", cwd=tmp_path)
    assert refused.returncode == 0 and "No changes in the tool surface." in refused.stdout
    for version in ("v1", "v2"):
        assert (f"warning[W106] {version}/api/api.yaml:8 #/paths/~1things/get/parameters/0/schema: $ref "
                f"'../shared/kind.yaml#/Kind' not followed") in refused.stderr
        assert f"hint: allow its folder with --allow-ref-dir {tmp_path / version / 'shared'}" in refused.stderr


@pytest.mark.parametrize("target", ["/dev/zero", "zero-link", "fifo"])
def test_refs_to_devices_and_fifos_are_not_read(tmp_path, target):
    (tmp_path / "api").mkdir()
    os.symlink("/dev/zero", tmp_path / "api" / "zero-link")
    os.mkfifo(tmp_path / "api" / "fifo")  # nobody writes to it: opening it for reading would wait forever
    spec = write(tmp_path / "api" / "api.yaml", operation(f"{target}#/X"))
    result = rest2mcp("generate", str(spec), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    reason = "not a regular file" if target == "fifo" else "lies outside the document's folder"
    assert f"$ref '{target}#/X'" in result.stderr and reason in result.stderr
    strict = rest2mcp("validate", str(spec), "--strict", cwd=tmp_path)
    assert strict.returncode == 1 and "warning[W106]" in strict.stderr


# -- size --------------------------------------------------------------------------------------------


def _sparse(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        file.write(HEAD.encode())
        file.truncate(size)
    return path


def test_a_document_over_the_size_limit_is_not_read(tmp_path):
    spec = _sparse(tmp_path / "huge.yaml", MAX_BYTES + 1)
    result = rest2mcp("generate", str(spec), "-o", str(tmp_path / "out"), cwd=tmp_path)
    refused(result, "E106", tmp_path / "out")
    assert "huge.yaml: larger than 64 MB: not read" in result.stderr


def test_a_device_as_the_document_is_read_up_to_the_size_limit(tmp_path):
    result = rest2mcp("validate", "/dev/zero", cwd=tmp_path)
    refused(result, "E106")


def test_a_referenced_file_over_the_size_limit_is_not_read(tmp_path):
    _sparse(tmp_path / "api" / "huge.yaml", MAX_BYTES + 1)
    spec = write(tmp_path / "api" / "api.yaml", operation("huge.yaml#/X"))
    result = rest2mcp("generate", str(spec), "-o", str(tmp_path / "out"), cwd=tmp_path)
    refused(result, "E106", tmp_path / "out")
    assert "api/huge.yaml: larger than 64 MB" in result.stderr


def test_too_many_values_are_refused_before_parsing(tmp_path):
    spec = tmp_path / "many.json"
    spec.write_text('{"openapi": "3.0.3", "paths": {}, "x-many": [' + "0," * MAX_NODES + "0]}")
    result = rest2mcp("generate", str(spec), "-o", str(tmp_path / "out"), cwd=tmp_path)
    refused(result, "E108", tmp_path / "out")


# -- YAML aliases --------------------------------------------------------------------------------------

LAUGHS = "\n".join(
    [f"  a: &a [{', '.join(['lol'] * 9)}]"]
    + [f"  {c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi")]
)


@pytest.mark.parametrize("where", ["x-lol", "components"])
def test_billion_laughs(tmp_path, where):
    body = f"x-lol:\n{LAUGHS}\npaths: {{}}\n" if where == "x-lol" else (
        "paths: {}\ncomponents:\n  schemas:\n    Laughs:\n      type: object\n      x-lol:\n"
        + LAUGHS.replace("\n", "\n      ").replace("  a:", "        a:", 1) + "\n")
    spec = write(tmp_path / "api.yaml", HEAD + body)
    assert len(spec.read_bytes()) < 1000
    result = rest2mcp("generate", str(spec), "-o", str(tmp_path / "out"), cwd=tmp_path)
    refused(result, "E108", tmp_path / "out")
    assert f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} values" in result.stderr
    assert "api.yaml:" in result.stderr  # with the line


def test_a_recursive_alias_is_refused(tmp_path):
    spec = write(tmp_path / "api.yaml", HEAD + "paths: {}\nx-loop: &loop {again: *loop}\n")
    result = rest2mcp("validate", str(spec), cwd=tmp_path)
    refused(result, "E108")
    assert "api.yaml:4: the YAML alias *loop lies inside the node it names" in result.stderr


def test_a_few_aliases_are_fine(tmp_path):
    spec = write(tmp_path / "api.yaml", HEAD + """
paths:
  /a:
    get:
      operationId: getA
      responses: &ok
        "200": {description: ok, content: {application/json: {schema: {type: string}}}}
  /b:
    get:
      operationId: getB
      responses: *ok
""")
    result = rest2mcp("validate", str(spec), cwd=tmp_path)
    assert result.returncode == 0 and "2 tools" in result.stdout, result.stderr


def test_aliases_in_a_referenced_file_are_refused(tmp_path):
    write(tmp_path / "api" / "laughs.yaml", f"X:\n  type: string\n  x-lol:\n{LAUGHS.replace(chr(10), chr(10) + '  ')}\n"
          .replace("x-lol:\n  a:", "x-lol:\n    a:"))
    spec = write(tmp_path / "api" / "api.yaml", operation("laughs.yaml#/X"))
    result = rest2mcp("generate", str(spec), "-o", str(tmp_path / "out"), cwd=tmp_path)
    refused(result, "E108", tmp_path / "out")
    assert "api/laughs.yaml:" in result.stderr


# -- nesting -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900, 100_000])
def test_deep_json(tmp_path, depth):
    spec = tmp_path / "deep.json"
    spec.write_text('{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "x-deep": '
                    + "[" * depth + "]" * depth + "}")
    result = rest2mcp("generate", str(spec), "-o", str(tmp_path / "out"), cwd=tmp_path)
    refused(result, "E107", tmp_path / "out")
    assert f"nested more than {MAX_DEPTH} levels deep" in result.stderr


def test_deep_json_names_where(tmp_path):
    value: object = 1
    for _ in range(MAX_DEPTH):
        value = {"a": value}
    spec = tmp_path / "deep.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "paths": {}, "x-deep": value}))
    result = rest2mcp("diff", str(spec), str(spec), cwd=tmp_path)
    refused(result, "E107")
    assert "(at #/x-deep/a/a/a/a/a/a/a/...)" in result.stderr


@pytest.mark.parametrize("style", ["block", "flow"])
def test_deep_yaml(tmp_path, style):
    if style == "block":
        deep = "x-deep:\n" + "".join("  " * i + "a:\n" for i in range(1, 400)) + "  " * 400 + "b: 1\n"
    else:
        deep = "x-deep: " + "[" * 5000 + "]" * 5000 + "\n"
    spec = write(tmp_path / "api.yaml", HEAD + "paths: {}\n" + deep)
    result = rest2mcp("generate", str(spec), "-o", str(tmp_path / "out"), cwd=tmp_path)
    refused(result, "E107", tmp_path / "out")
    line = MAX_DEPTH + 3 if style == "block" else 4
    assert f"api.yaml:{line}: nested more than {MAX_DEPTH} levels deep" in result.stderr


def _chain(count: int) -> str:
    """A response schema that nests `count` levels through references, each component shallow."""
    components = "".join(f"    S{i}:\n      type: object\n      properties:\n        next: {{$ref: '#/components/schemas/S{i + 1}'}}\n"
                         for i in range(count))
    return (operation("#/components/schemas/S0") + "components:\n  schemas:\n" + components
            + f"    S{count}: {{type: string}}\n")


@pytest.mark.parametrize("count", [MAX_SCHEMA_DEPTH, 300])
def test_deep_schemas_through_references(tmp_path, count):
    write(tmp_path / "api.yaml", _chain(count))
    result = rest2mcp("generate", "api.yaml", "-o", "out", "--no-models", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (f"warning[W307] api.yaml:{23 + 4 * (MAX_SCHEMA_DEPTH - 1)} #/components/schemas/S{MAX_SCHEMA_DEPTH - 1}"
            f"/properties/next: operation skipped: the schema nests more than {MAX_SCHEMA_DEPTH} levels deep here"
            ) in result.stderr
    tools = json.loads((tmp_path / "out" / "hostile_mcp" / "generated" / "tools.json").read_text())["tools"]
    assert [t["name"] for t in tools] == ["getOther"]
    strict = rest2mcp("validate", "api.yaml", "--strict", cwd=tmp_path)
    assert strict.returncode == 1 and "warning[W307]" in strict.stderr


def test_deep_inline_schemas_and_what_clients_can_list(tmp_path):
    """Nullable arrays nest three JSON levels per schema level ({anyOf: [{items: ...}, ...]}): the schema
    stays within the document's depth and the converter's, but a client could not list the tool. The
    deepest tool generated must serialize in a tools/list response as the server sends it."""
    from mcp.types import JSONRPCResponse, ListToolsResult, Tool

    def nested(levels: int) -> dict:
        schema: dict = {"type": "string"}
        for _ in range(levels):
            schema = {"type": "array", "items": schema, "nullable": True}
        return schema

    levels = (60, 66, 90, MAX_SCHEMA_DEPTH + 20)
    paths = {f"/n{n}": {"post": {"operationId": f"n{n}", "requestBody": {"content": {
        "application/json": {"schema": nested(n)}}}, "responses": {"200": {"description": "ok"}}}} for n in levels}
    spec = tmp_path / "api.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "Hostile", "version": "1"}, "paths": paths}))
    result = rest2mcp("generate", "api.json", "-o", "out", "--no-models", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (f"warning[W307] api.json:1 #/paths/~1n66/post: operation skipped: the tool's input schema nests "
            f"{3 * 66 + 3} levels deep, more than 200") in result.stderr
    assert "#/paths/~1n90/post: operation skipped" in result.stderr
    assert f"#/paths/~1n{MAX_SCHEMA_DEPTH + 20}/post/requestBody/content/application~1json/schema/items" in result.stderr
    tools = json.loads((tmp_path / "out" / "hostile_mcp" / "generated" / "tools.json").read_text())["tools"]
    assert [t["name"] for t in tools] == ["n60"]
    listed = ListToolsResult(tools=[Tool(name=t["name"], inputSchema=t["inputSchema"]) for t in tools])
    response = JSONRPCResponse(jsonrpc="2.0", id=1, result=listed.model_dump(by_alias=True, exclude_none=True))
    assert '"n60"' in response.model_dump_json(by_alias=True, exclude_none=True)
