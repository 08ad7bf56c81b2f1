"""The registry of diagnostic codes, the codes the generator uses and the README's table agree."""

from __future__ import annotations

import re

import pytest
from helpers import ROOT
from rest2mcp.diagnostics import Severity
from rest2mcp.diagnostics.codes import (
    CODES,
    REGISTRY,
    TABLE_END,
    TABLE_START,
    main,
    markdown_table,
    with_table,
)

GENERATOR = ROOT / "generator" / "rest2mcp"
README = ROOT / "README.md"
CODE_LITERAL = re.compile(r"""["']([EWI]\d{3})["']|\b(?:error|warning|info)\[([EWI]\d{3})\]""")


def used_codes() -> dict[str, list[str]]:
    """Every code written in the generator's source, with the files that use it (the registry excluded)."""
    found: dict[str, list[str]] = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        if path.name == "codes.py" and path.parent.name == "diagnostics":
            continue
        for match in CODE_LITERAL.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(1) or match.group(2), []).append(str(path.relative_to(ROOT)))
    return found


def test_every_code_used_is_registered_and_every_registered_code_is_used():
    used = used_codes()
    assert sorted(set(used) - set(REGISTRY)) == [], "codes used but not in rest2mcp/diagnostics/codes.py"
    assert sorted(set(REGISTRY) - set(used)) == [], "codes registered but used nowhere"


def test_the_registry_is_consistent():
    assert len(REGISTRY) == len(CODES), "a code is registered twice"
    letters = {Severity.ERROR: "E", Severity.WARNING: "W", Severity.INFO: "I"}
    for entry in CODES:
        assert re.fullmatch(r"[EWI]\d{3}", entry.code)
        assert entry.code[0] == letters[entry.severity], entry.code
        assert entry.meaning and "\n" not in entry.meaning and "|" not in entry.meaning, entry.code


def readme_codes() -> list[tuple[str, str, str]]:
    text = README.read_text(encoding="utf-8")
    table = text[text.index(TABLE_START) + len(TABLE_START):text.index(TABLE_END)]
    return re.findall(r"^\| ([EWI]\d{3}) \| (\w+) \| (.+) \|$", table, flags=re.MULTILINE)


def test_the_readme_lists_exactly_the_registered_codes():
    listed = readme_codes()
    assert [code for code, _, _ in listed] == [entry.code for entry in CODES], (
        "run: python -m rest2mcp.diagnostics.codes README.md")
    assert listed == [(e.code, e.severity.value, e.meaning) for e in CODES]
    text = README.read_text(encoding="utf-8")
    assert with_table(text) == text, "the README's table is stale: run python -m rest2mcp.diagnostics.codes README.md"


def test_the_table_script_rewrites_only_the_table(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text(f"# Title\n\n{TABLE_START}| old | table |\n{TABLE_END}\n\nafter\n", encoding="utf-8")
    assert main([str(page)]) == 0
    assert page.read_text(encoding="utf-8") == f"# Title\n\n{TABLE_START}{markdown_table()}{TABLE_END}\n\nafter\n"
    assert main([]) == 0
    assert capsys.readouterr().out == markdown_table()
    with pytest.raises(ValueError):
        with_table("no markers here")
