"""The fast paths of a generation give exactly what the plain standard-library paths give."""

from __future__ import annotations

import json
from inspect import signature
from pathlib import Path

import pytest
from rest2mcp import cli, entry
from rest2mcp.document import bundling, loading
from rest2mcp.emit import catalog, indented_json
from rest2mcp.emit.safe_bytes import utf8_if_safe
from rest2mcp.numbers import plain_float
from rest2mcp.plain_generate import generate_command, plain_generate
from rest2mcp.runtime.display import UNSAFE_CHARACTERS
from rest2mcp.schemas.convert import json_depth, json_levels

ROOT = Path(__file__).resolve().parents[1]

EDGE_JSON = [
    '{"a": 1, "a": 2, "b": 3}', "[123456789012345678901234567890, -9223372036854775809, 18446744073709551615]",
    "[1.0, 1E5, -0, -0.0, 0.1e-310, 1.5e-7, 5e-324, 2.5e-324, 1e16, 1e-5]", '{"\\u0024ref": "\\u00e9\\/"}',
    '["\\u0000", "\\ud83d\\ude00", "\u2028"]', "  [1]  \n", '{"a": {"b": [[], {}]}}',
]


@pytest.mark.parametrize("text", EDGE_JSON)
def test_msgspec_reads_json_as_the_standard_library_does(text):
    fast = loading._fast_json(text)
    assert fast is not None
    assert fast[0] == json.loads(text)
    assert json.dumps(fast[0]) == json.dumps(json.loads(text))  # same order, same types (1.0 stays a float)


@pytest.mark.parametrize("text, plain", [("[1.5, 0.0001, 9999999999999998.0, -0.0]", True), ("[1e-5]", False),
                                         ("[1e16]", False), ("[1e400]", False), ("[-1e400]", False)])
def test_a_document_is_plain_when_msgspec_writes_its_floats_as_python_does(text, plain):
    fast = loading._fast_json(text)
    assert fast is not None
    assert fast == (json.loads(text), plain)


@pytest.mark.parametrize("text", ["[NaN]", "[Infinity]", '["\\ud800"]', "[1,]", '["a\tb"]'])
def test_what_msgspec_reads_otherwise_is_left_to_the_standard_library(text):
    assert loading._fast_json(text) is None


def test_a_document_with_nan_is_read_by_the_standard_library_and_written_as_before(tmp_path):
    spec = tmp_path / "nan.json"
    spec.write_text('{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "x-n": NaN}')
    loaded = loading.load(str(spec))
    assert not loaded.plain_json
    assert catalog.document_json(loaded.document, loaded.plain_json).endswith(b'"x-n":"nan"}\n')


def test_the_tree_check_measures_depth_as_before():
    deep = "[" * loading.MAX_DEPTH + "1" + "]" * loading.MAX_DEPTH
    with pytest.raises(loading.GenerationFailed) as failed:
        loading.parse_text(deep, "deep.json")
    assert failed.value.diagnostics[0].code == "E107"
    fits = "[" * (loading.MAX_DEPTH - 1) + "1" + "]" * (loading.MAX_DEPTH - 1)
    assert loading.parse_text(fits, "fits.json")
    assert loading.parse_text("[" * loading.MAX_DEPTH + "]" * loading.MAX_DEPTH, "empty.json")  # an empty list holds no value


def test_every_unsafe_character_is_found_in_utf8():
    for code in range(0x110000):
        character = chr(code)
        unsafe = UNSAFE_CHARACTERS.match(character) is not None and character != "\n"
        assert (utf8_if_safe("ab" + character + "é") is None) == unsafe, hex(code)


def test_indented_json_both_ways():
    values = [{"k": [1.0, 1e16, 1e-7, 10 ** 30, None, True]}, "é\u2028\x01\"\\", [[], {}], float("nan"), "\ud800"]
    for value in values:
        expected = json.dumps(value, ensure_ascii=False, indent=1)
        assert indented_json.dumps(value) == expected
        for indent in (1, 2):
            for ascii_only in (True, False):
                expected = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
                assert indented_json.dumps(value, indent, ascii_only) == expected


PLAIN_VALUES = [
    {"k": [1.0, 0.0001, 9999999999999998.0, 123.5, -0.0, 10 ** 30, None, True]}, [0.5], 123.5,
    {"d": "x:1e5", "e": "[0.00001", "f": "é\u2028\x01\"\\"}, [[], {}], {1: "int key"}, {1.5: "float key"},
]


@pytest.mark.parametrize("value", PLAIN_VALUES)
def test_msgspec_writes_plain_values_indented_as_the_standard_library(value):
    assert indented_json.msgspec_bytes(value) == json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


@pytest.mark.parametrize("number", [1e16, 1e-5, 1e-7, -1.5e300, float("nan"), float("inf")])
def test_floats_written_otherwise_are_not_plain(number):
    assert not plain_float(number)
    assert indented_json.msgspec_bytes([number]) != json.dumps([number], indent=1).encode()


@pytest.mark.parametrize("value", [{True: 1}, {None: 1}, ["\ud800"]])
def test_what_msgspec_refuses_is_left_to_the_standard_library(value):
    assert indented_json.msgspec_bytes(value) is None
    assert catalog.to_json(value, plain_floats=True) == catalog.to_json(value)


def test_the_catalog_is_the_same_either_way():
    data = {"tools": [{"name": "t", "description": "é \u202e", "inputSchema": {"minimum": 0.5, "maximum": 2.5}}],
            "plans": {"t": {"method": "GET", "fixed": {"a": 10 ** 20, "b": 0.5}}}}
    assert catalog.to_json(data, plain_floats=True) == catalog.to_json(data)  # U+202E: printable escapes it
    del data["tools"][0]["description"]
    assert catalog.to_json(data, plain_floats=True) == catalog.to_json(data)


FLOATS = ["0.1", "100.0", "-0.0", "1e15", "1e16", "1.5e300", "1e-4", "1e-5", "5e-324", "123456.789", "-2.5e-8",
          "1.7976931348623157e308", "1e400", "12.50", "7E3"]


@pytest.mark.parametrize("number", FLOATS)
def test_the_document_written_by_msgspec_is_the_standard_librarys(number, tmp_path):
    spec = tmp_path / "floats.json"
    spec.write_text(f'{{"a": [{number}, 1, "x:1e5", {{"b": {number}}}], "c": {number}, "d": "\u00e9\u2028", "e": "é"}}')
    loaded = loading.load(str(spec))
    slow = catalog.document_json(loaded.document)
    assert catalog.document_json(loaded.document, loaded.plain_json) == slow
    if loaded.plain_json:
        assert catalog._msgspec_json(loaded.document) is None  # U+2028 is escaped by printable
        del loaded.document["d"]
        assert catalog._msgspec_json(loaded.document) + b"\n" == catalog.document_json(loaded.document)


@pytest.mark.parametrize("text, external", [
    ('{"$ref": "#/a"}', False), ('{"a": {"$ref" : "other.json#/a"}}', True), ('{"a": {"\\u0024ref": "#/x"}}', True),
    ('{"a": {"$ref": "\\u0023/x"}}', True), ("$ref: other.yaml", True), ('{"description": "$ref: other.json"}', False),
])
def test_a_json_text_without_references_to_files_is_known_by_its_text(text, external):
    assert bundling._json_may_have_external_refs(text) is external
    assert bundling._json_may_have_external_refs(text.encode()) is external
    if not external:
        assert not bundling._has_external_refs(json.loads(text))


@pytest.mark.parametrize("argv, values", [
    (["generate", "a.yaml"], {"spec": "a.yaml"}),
    (["generate", "-o", "out", "a.yaml", "--skip-validation", "--no-models", "-q"],
     {"spec": "a.yaml", "output": Path("out"), "skip_validation": True, "models": False, "quiet": True}),
    (["generate", "a.yaml", "--name", "x-mcp", "--mode", "discovery", "--read-only", "--json"],
     {"spec": "a.yaml", "name": "x-mcp", "mode": "discovery", "read_only": True, "as_json": True}),
])
def test_a_plain_generate_is_read_without_typer(argv, values):
    assert plain_generate(argv) == values


@pytest.mark.parametrize("argv", [
    [], ["tools", "a.yaml"], ["generate"], ["generate", "--help"], ["generate", "a.yaml", "b.yaml"],
    ["generate", "a.yaml", "-o", "x", "-o", "y"], ["generate", "a.yaml", "--output=x"], ["generate", "a.yaml", "-o"],
    ["generate", "a.yaml", "-o", "--force"], ["generate", "a.yaml", "--models", "--no-models"],
    ["generate", "a.yaml", "--max-output-schema", "10"], ["generate", "a.yaml", "--allow-ref-host", "h"],
    ["generate", "-"], ["generate", "a.yaml", "--"], ["generate", "", "-o", "x"], ["generate", "a.yaml", "-o", ""],
])
def test_anything_else_is_left_to_typer(argv):
    assert plain_generate(argv) is None


@pytest.mark.parametrize("spec", ["specs/petstore.yaml", "specs/nope.yaml", "specs/broken/invalid.yaml"])
def test_a_plain_generate_does_what_typer_does(spec, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("REST2MCP_CACHE_DIR", "off")
    first, second = tmp_path / "plain", tmp_path / "typer"
    plain = entry.run(["generate", spec, "-o", str(first), "--no-models"])
    said = capsys.readouterr()
    through_typer = cli.run(["generate", spec, "-o", str(second), "--no-models"])
    typer_said = capsys.readouterr()
    assert plain == through_typer
    assert said.out.replace(str(first), "OUT") == typer_said.out.replace(str(second), "OUT")
    assert said.err.replace(str(first), "OUT") == typer_said.err.replace(str(second), "OUT")
    if plain == 0:
        assert sorted(p.relative_to(first) for p in first.rglob("*")) == sorted(p.relative_to(second) for p in second.rglob("*"))
        for path in first.rglob("*"):
            if path.is_file():
                assert path.read_bytes() == (second / path.relative_to(first)).read_bytes(), path


def test_the_plain_generate_has_the_defaults_typer_gives():
    typer_defaults = {name: parameter.default.default for name, parameter in signature(cli.generate).parameters.items()}
    plain_defaults = {name: parameter.default for name, parameter in signature(generate_command).parameters.items()}
    assert typer_defaults.keys() == plain_defaults.keys()
    for name, default in typer_defaults.items():
        assert plain_defaults[name] == (None if default == [] else default) or name == "spec", name


def test_every_option_the_plain_generate_reads_is_typers_with_the_same_meaning():
    import typer.main
    from rest2mcp.plain_generate import FLAGS, VALUED

    generate = typer.main.get_command(cli.app).commands["generate"]  # type: ignore[attr-defined]
    meanings = {}
    for option in generate.params:
        for name in option.opts:
            meanings[name] = (option.name, True if getattr(option, "is_flag", False) else None)
        for name in getattr(option, "secondary_opts", ()):
            meanings[name] = (option.name, False)
    for name, (parameter, value) in FLAGS.items():
        assert meanings[name] == (parameter, value), name
    for name, parameter in VALUED.items():
        assert meanings[name] == (parameter, None), name


def test_the_plain_generate_says_an_internal_error_as_typer_does(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("boom\x1b[31m")

    monkeypatch.setattr("rest2mcp.commands.options_for", broken)
    assert entry.run(["generate", "a.yaml"]) == 3
    plain = capsys.readouterr().err
    assert cli.run(["generate", "a.yaml"]) == 3
    assert capsys.readouterr().err == plain == ("rest2mcp: internal error: RuntimeError: boom\\u001b[31m\n"
                                                 "  hint: please report this with the document that caused it\n")


def test_json_levels_is_the_depth_of_json_depth():
    shared = {"a": [{"b": {}}]}
    values = [1, "x", {}, [], {"a": 1}, {"a": {}}, [[[]]], {"p": shared, "q": [shared, {"r": shared}]},
              {"deep": [[{"k": [None, {"z": []}]}]]}]
    for value in values:
        assert json_levels(value) == json_depth(value)[0]


@pytest.mark.parametrize("content", ['{"openapi": "3.0.3", "x": "é😀"}', '\ufeff{"openapi": "3.0.3"}', "openapi: 3.0.3\nx: é\n"])
def test_the_bytes_read_are_the_texts(content, tmp_path):
    spec = tmp_path / "doc"
    spec.write_text(content, encoding="utf-8")
    loaded = loading.load(str(spec))
    assert loaded.utf8 == loaded.text.encode("utf-8") == loaded.text_utf8()
    assert loaded.document == loading.parse_text(loaded.text, str(spec))


@pytest.mark.parametrize("content, code", [
    (b'{"a": "\xff"}', "E103"), (b'\xef\xbb\xbf{"a": \xff}', "E103"), (b'{"a": NaN', "E104"), (b"{" * 300, "E104"),
    (b"[" * 250 + b"]" * 250, "E107"), (b"[1]", "E201"), (b"  \n ", "E104"), (b'{"a": 1}x', "E104"),
])
def test_a_file_read_as_bytes_fails_as_the_text_does(content, code, tmp_path):
    spec = tmp_path / "doc.json"
    spec.write_bytes(content)
    with pytest.raises(loading.GenerationFailed) as failed:
        loading.load(str(spec))
    assert [d.code for d in failed.value.diagnostics] == [code]


def test_a_json_file_is_decoded_only_when_its_text_is_wanted(tmp_path):
    spec = tmp_path / "doc.json"
    spec.write_bytes('\ufeff {"openapi": "3.0.3", "x": "é😀"}'.encode())
    loaded = loading.load(str(spec))
    assert loaded.decoded is None and loaded.plain_json
    assert loaded.text == ' {"openapi": "3.0.3", "x": "é😀"}' and loaded.line_of("/x") == 1


@pytest.mark.parametrize("toml, plain", [
    ("", True), ("[operations.a.arguments.b]\nfixed = 1.5\n", True), ("x = 1_000.5\ny = 1e15\n", True),
    ("[operations.a.arguments.b]\nfixed = nan\n", False), ("x = -inf\n", False), ("x = [1.0, +inf]\n", False),
    ("x = 1e16\n", False), ("x = 0.00001\n", False), ("x = 'not TOML\n", False),
])
def test_a_configuration_says_whether_its_floats_are_plain(toml, plain, tmp_path):
    from rest2mcp.surface.config import Config
    from rest2mcp.surface.config_file import LoadedConfig

    assert LoadedConfig(Config(), tmp_path / "rest2mcp.toml", toml.encode()).floats_plain() is plain
    assert LoadedConfig(Config()).floats_plain()


@pytest.mark.parametrize("value, written", [("nan", "NaN"), ("1e16", "1e+16"), ("0.00001", "1e-05")])
def test_a_fixed_float_of_the_configuration_is_written_to_the_catalog_as_before(value, written, tmp_path, monkeypatch):
    monkeypatch.setenv("REST2MCP_CACHE_DIR", "off")
    spec = tmp_path / "api.json"
    spec.write_text(json.dumps({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "servers": [{"url": "https://api.example.com"}],
        "paths": {"/a": {"get": {"operationId": "getA", "parameters": [
            {"name": "x", "in": "query", "schema": {"type": "number"}}, {"name": "y", "in": "query", "schema": {"type": "number"}}],
            "responses": {"200": {"description": "ok"}}}}}}))
    (tmp_path / "rest2mcp.toml").write_text(f"[operations.getA.arguments.x]\nfixed = {value}\n")
    assert entry.run(["generate", str(spec), "-o", str(tmp_path / "out"), "--no-models", "--quiet"]) == 0
    tools = (tmp_path / "out" / "t_mcp" / "generated" / "tools.json").read_text()
    assert f'"x": {written}' in tools  # as json.dumps writes it, where msgspec would not


def _nested(depth: int, inner: str, pretty: bool) -> str:
    text = inner
    for level in range(depth):
        text = f'{{"k{level}": {text}, "s": "[\\n ]"}}' if level % 2 else f"[1, {text}]"
    return json.dumps(json.loads(text), indent=2) if pretty else text


@pytest.mark.parametrize("depth", [loading.MAX_DEPTH - 2, loading.MAX_DEPTH - 1, loading.MAX_DEPTH, loading.MAX_DEPTH + 3])
@pytest.mark.parametrize("inner", ["1", "[]", "{}", '{"a": []}', "[[]]"])
@pytest.mark.parametrize("pretty", [False, True])
def test_the_depth_of_a_json_file_is_checked_as_the_tree_check_does(depth, inner, pretty, tmp_path):
    def refused_by_the_tree_check(text: str) -> bool:
        try:
            loading._check_tree(json.loads(text), "t.json")
        except loading.GenerationFailed:
            return True
        return False

    text = _nested(depth, inner, pretty)
    assert loading._nests_too_deep(text.encode()) is refused_by_the_tree_check(text)
    document = '{"openapi": "3.0.3", "x": ' + text + "}"
    spec = tmp_path / "deep.json"
    spec.write_text(document)
    if refused_by_the_tree_check(document):
        with pytest.raises(loading.GenerationFailed) as failed:
            loading.load(str(spec))
        assert failed.value.diagnostics[0].code == "E107"
        assert "(at #/x/" in failed.value.diagnostics[0].message
    else:
        assert loading.load(str(spec)).plain_json
