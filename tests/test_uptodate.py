"""An unchanged `generate` over its own folder is answered from the user cache (rest2mcp.uptodate):
the same outcome and the same files as a full run, without the work; any changed input (the
document, a file it references, the configuration, an option, a generated file edited or removed)
means the full run again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import SPECS
from rest2mcp import commands, pipeline, uptodate


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _said(outcome: commands.Outcome) -> dict:
    return uptodate._recorded(outcome)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A multi-file document with a configuration beside it, the cache in tmp_path, and a counter
    of full runs."""
    spec = tmp_path / "spec"
    shutil.copytree(SPECS / "multi", spec)
    (spec / "rest2mcp.toml").write_text("# nothing to change yet\n", "utf-8")
    monkeypatch.setenv("REST2MCP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    full_runs: list[str] = []
    real = pipeline.prepare

    def counted(*args, **kwargs):
        full_runs.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "prepare", counted)
    return spec, tmp_path / "out", full_runs


def _generate(spec: Path, out: Path, **given) -> commands.Outcome:
    options = commands.options_for(out, given)
    assert isinstance(options, pipeline.Options)
    return commands.generate(str(spec / "root.yaml"), out, options)


def test_an_unchanged_run_does_no_work_and_says_and_leaves_what_a_full_run_does(project, monkeypatch):
    spec, out, full_runs = project
    first = _generate(spec, out)
    assert first.code == 0 and full_runs == [str(spec / "root.yaml")]
    written = _files(out)

    again = _generate(spec, out)
    assert len(full_runs) == 1  # answered without loading, mapping or rendering
    assert again.code == 0
    assert "nothing to write" in again.notes[0]
    assert _files(out) == written

    monkeypatch.setenv("REST2MCP_CACHE_DIR", "off")  # the full run, for comparison
    full = _generate(spec, out)
    assert len(full_runs) == 2
    assert _said(full) == _said(again)
    assert _files(out) == written


def test_the_diagnostics_of_the_document_are_said_again(project):
    spec, out, full_runs = project
    (spec / "root.yaml").write_text((spec / "root.yaml").read_text("utf-8").replace(
        "paths:", "x-unknown: 1\npaths:", 1), "utf-8")
    first = _generate(spec, out, strict=False)
    again = _generate(spec, out, strict=False)
    assert len(full_runs) == 1
    assert [d.render() for d in again.diagnostics] == [d.render() for d in first.diagnostics]
    assert again.data["exit_code"] == first.code == 0


def _edit_document(spec: Path, out: Path) -> None:
    path = spec / "root.yaml"
    path.write_text(path.read_text("utf-8") + "\n# edited\n", "utf-8")


def _edit_referenced(spec: Path, out: Path) -> None:
    path = spec / "schemas" / "a.yaml"
    path.write_text(path.read_text("utf-8") + "\n# edited\n", "utf-8")


def _edit_config(spec: Path, out: Path) -> None:
    (spec / "rest2mcp.toml").write_text("mode = \"discovery\"\n", "utf-8")


def _remove_config(spec: Path, out: Path) -> None:
    (spec / "rest2mcp.toml").unlink()


def _add_pyproject(spec: Path, out: Path) -> None:
    (spec / "pyproject.toml").write_text("[project]\nname = 'x'\n", "utf-8")


def _edit_generated(spec: Path, out: Path) -> None:
    readme = out / "README.md"
    readme.write_text(readme.read_text("utf-8") + "\nmine\n", "utf-8")


def _delete_generated(spec: Path, out: Path) -> None:
    (out / "README.md").unlink()


@pytest.mark.parametrize("change", [_edit_document, _edit_referenced, _edit_config, _remove_config,
                                    _add_pyproject, _edit_generated, _delete_generated])
def test_a_changed_input_or_output_means_the_full_run(project, change):
    spec, out, full_runs = project
    assert _generate(spec, out).code == 0
    change(spec, out)
    outcome = _generate(spec, out)
    assert len(full_runs) == 2
    if change is _edit_generated:
        assert outcome.code == 2  # refused as a hand edit, as without the cache
    else:
        assert outcome.code == 0
        assert _generate(spec, out).code == 0 and len(full_runs) == 2  # and then up to date again


@pytest.mark.parametrize("option", [{"mode": "discovery"}, {"models": False}, {"base_url": "https://api.example.com"},
                                    {"strict": True}, {"output_schema_limit": 100}])
def test_a_changed_option_means_the_full_run(project, option):
    spec, out, full_runs = project
    assert _generate(spec, out).code == 0
    _generate(spec, out, **option)
    assert len(full_runs) == 2


def test_a_new_generator_is_never_answered_by_an_older_one(project, monkeypatch):
    spec, out, full_runs = project
    assert _generate(spec, out).code == 0
    monkeypatch.setattr(uptodate, "_own_digest", "another rest2mcp")
    _generate(spec, out)
    assert len(full_runs) == 2


def test_the_fingerprint_reads_rest2mcp_s_own_templates_and_runtime(tmp_path, monkeypatch):
    package = tmp_path / "rest2mcp"
    shutil.copytree(Path(uptodate.__file__).parent / "runtime", package / "runtime")
    (package / "templates").mkdir()
    (package / "templates" / "a.jinja").write_text("one", "utf-8")
    monkeypatch.setattr(uptodate, "_PACKAGE", package)
    monkeypatch.setattr(uptodate, "_own_digest", None)
    before = uptodate.own_digest()
    (package / "templates" / "a.jinja").write_text("two", "utf-8")
    monkeypatch.setattr(uptodate, "_own_digest", None)
    assert uptodate.own_digest() != before


def test_off_with_the_rest_of_the_cache(project, monkeypatch):
    spec, out, full_runs = project
    monkeypatch.setenv("REST2MCP_CACHE_DIR", "off")
    _generate(spec, out)
    _generate(spec, out)
    assert len(full_runs) == 2


def test_the_names_it_repeats_are_the_writer_s_and_the_configuration_s():
    from rest2mcp.surface import config_file
    from rest2mcp.writing import manifest

    assert uptodate.MANIFEST == manifest.MANIFEST and uptodate.CONFIG_FILE == config_file.CONFIG_FILE
