"""The package templates' compiled code, kept between generations (emit/compiled_templates.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
import pytest
from rest2mcp.emit import compiled_templates, render
from rest2mcp.emit.compiled_templates import CompiledTemplates

ROOT = Path(__file__).resolve().parents[1]


def _environment(folder, options="o", text="Hello {{ name }}!\n"):
    loader = jinja2.DictLoader({"t.jinja": text})
    return jinja2.Environment(loader=loader, keep_trailing_newline=True,
                              bytecode_cache=CompiledTemplates(options, folder))


@pytest.fixture
def writes_bytecode(monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def test_a_template_is_compiled_once_then_read(tmp_path, writes_bytecode, monkeypatch):
    folder = tmp_path / "__pycache__"
    assert _environment(folder).get_template("t.jinja").render(name="a") == "Hello a!\n"
    kept = list(folder.iterdir())
    assert len(kept) == 1 and kept[0].name.endswith(f".{sys.implementation.cache_tag}.jinja")

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    assert _environment(folder).get_template("t.jinja").render(name="b") == "Hello b!\n"


def test_a_changed_template_or_other_options_are_compiled_anew(tmp_path, writes_bytecode):
    folder = tmp_path / "__pycache__"
    _environment(folder).get_template("t.jinja")
    assert _environment(folder, text="Bye {{ name }}\n").get_template("t.jinja").render(name="a") == "Bye a\n"
    assert len(list(folder.iterdir())) == 1  # the same key, written over
    _environment(folder, options="other").get_template("t.jinja")
    assert len(list(folder.iterdir())) == 2


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_a_damaged_file_is_compiled_again(tmp_path, writes_bytecode, damage):
    folder = tmp_path / "__pycache__"
    _environment(folder).get_template("t.jinja")
    kept = next(folder.iterdir())
    data = kept.read_bytes()
    kept.write_bytes(damage if damage is not None else data[: len(data) // 2])
    assert _environment(folder).get_template("t.jinja").render(name="c") == "Hello c!\n"
    assert kept.read_bytes() == data


def test_nothing_is_written_without_bytecode_or_where_the_folder_is_read_only(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    folder = tmp_path / "__pycache__"
    assert _environment(folder).get_template("t.jinja").render(name="a") == "Hello a!\n"
    assert not folder.exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert _environment(blocked / "__pycache__").get_template("t.jinja").render(name="a") == "Hello a!\n"


def test_the_package_renders_the_same_compiled_or_not(tmp_path, writes_bytecode, monkeypatch):
    from rest2mcp.options import Options
    from rest2mcp.pipeline import prepare

    monkeypatch.setenv("REST2MCP_CACHE_DIR", "off")
    api = prepare(str(ROOT / "specs" / "petstore.yaml"), Options(models=False)).api
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    plain = render.render(api, "petstore.yaml")
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    kept = tmp_path / "kept"
    monkeypatch.setattr(compiled_templates.CompiledTemplates.__init__, "__defaults__", (kept,))
    assert render.render(api, "petstore.yaml") == plain  # compiled, and kept
    assert len(list(kept.iterdir())) == len([t for t in render.templates_root().rglob("*.jinja")])
    assert render.render(api, "petstore.yaml") == plain  # read
