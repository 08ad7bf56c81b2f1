"""The commands that look at a spec's tools without writing anything: `tools`, `lint` and `serve`.

Plain functions as in commands.py: arguments in, an Outcome out. `serve` runs the runtime's server
in this process, from data made in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rest2mcp.commands import Outcome, counts, refusal, silent, summary, with_result
from rest2mcp.diagnostics import Diagnostic, GenerationFailed, Severity
from rest2mcp.pipeline import Options, Progress, analyze, left_out_summary


def _analyzed(spec: str, options: Options, progress: Progress | None, command: str) -> Any:
    try:
        return analyze(spec, options, progress or silent)
    except GenerationFailed as failed:
        return with_result(command, refusal(failed, f"rest2mcp: {spec}: no tools listed"), spec=spec)


ANNOTATION_WORDS = (("readOnlyHint", True, "read-only"), ("destructiveHint", True, "destructive"),
                    ("idempotentHint", True, "idempotent"), ("openWorldHint", False, "closed-world"))


def _compact(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def tool_rows(api: Any) -> list[dict[str, Any]]:
    """One JSON object per tool: what tools/list shows of it and what it costs."""
    rows = []
    for tool in api.tools:
        properties = tool.input_schema.get("properties") or {}
        definition = tool.definition()
        rows.append({
            "name": tool.name, "title": tool.title, "method": tool.method.upper(), "path": tool.path,
            "operationId": tool.operation_id, "toolsets": list(tool.toolsets), "annotations": tool.annotations,
            "arguments": len(properties), "required": len(tool.input_schema.get("required") or []),
            "inputSchemaBytes": _compact(tool.input_schema),
            "outputSchemaBytes": _compact(tool.output_schema) if tool.output_schema is not None else 0,
            "definitionBytes": _compact(definition),
        })
    return rows


def table(header: Sequence[str], rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()) -> list[str]:
    """Aligned columns, two spaces apart; the columns in `right` aligned right."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [str(cell).rjust(w) if i in right else str(cell).ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return lines


def tools(spec: str, options: Options, progress: Progress | None = None) -> Outcome:
    """The tools `spec` gives (with its configuration): name, method, path, toolsets, annotations,
    arguments and schema size, as a table (or JSON)."""
    analysis = _analyzed(spec, options, progress, "tools")
    if isinstance(analysis, Outcome):
        analysis.data = None  # --json prints a list of tools: nothing when there are none
        return analysis
    api = analysis.api
    rows = tool_rows(api)
    shown = [[row["name"], row["method"], row["path"], ",".join(row["toolsets"]),
              ",".join(word for key, value, word in ANNOTATION_WORDS if row["annotations"].get(key) is value) or "-",
              str(row["arguments"]), f"{row['inputSchemaBytes'] + row['outputSchemaBytes']:,}"] for row in rows]
    outcome = Outcome(0, list(analysis.diagnostics), data=rows)
    if rows:
        outcome.out = table(["NAME", "METHOD", "PATH", "TOOLSETS", "ANNOTATIONS", "ARGS", "SCHEMA"], shown,
                            frozenset({5, 6}))
    listed = _compact([tool.definition() for tool in api.tools])
    left_out = left_out_summary(api)
    outcome.notes.append(f"{len(rows)} tool{'s' * (len(rows) != 1)}, {listed:,} bytes of tools/list"
                         + (f"; {left_out}" if left_out else "") + (f"; mode {api.mode}" if api.mode != "tools" else ""))
    return outcome


LINT_FAIL_ON = ("warning", "info", "never")


def lint(spec: str, options: Options, settings: Any = None, fail_on: str = "warning",
         progress: Progress | None = None) -> Outcome:
    """The findings that make `spec`'s tools hard for a model to use; exit 1 when any is at least
    `fail_on` ('warning', 'info', or 'never')."""
    from rest2mcp.lint.codes import LINT_REGISTRY
    from rest2mcp.lint.rules import lint as run_lint

    if fail_on not in LINT_FAIL_ON:
        return Outcome(1, [Diagnostic(Severity.ERROR, "E404", f"invalid --fail-on {fail_on!r}", None,
                                      "use 'warning', 'info' or 'never'")])
    unknown = sorted(code for code in (settings.ignore if settings is not None else ()) if code not in LINT_REGISTRY)
    if unknown:
        return Outcome(1, [Diagnostic(Severity.ERROR, "E406", f"unknown lint code {unknown[0]!r} in --ignore", None,
                                      "use the codes of the README's lint table: " + ", ".join(LINT_REGISTRY))])
    analysis = _analyzed(spec, options, progress, "lint")
    if isinstance(analysis, Outcome):
        analysis.data = None
        analysis.err = [f"rest2mcp: {spec}: not linted ({summary(analysis.diagnostics)})"]
        return analysis
    if progress is not None:
        progress("linting")
    found = run_lint(analysis, settings)
    findings = [f.diagnostic for f in found]
    failing = {"warning": (Severity.WARNING,), "info": (Severity.WARNING, Severity.INFO), "never": ()}[fail_on]
    code = 1 if any(d.severity in failing for d in findings) else 0
    by_code: dict[str, int] = {}
    for finding in found:
        by_code[finding.code] = by_code.get(finding.code, 0) + 1
    tally = counts(findings)
    line = (f"{spec}: {len(findings)} finding{'s' * (len(findings) != 1)} ({tally['warnings']} warning"
            f"{'s' * (tally['warnings'] != 1)}, {tally['notes']} note{'s' * (tally['notes'] != 1)}) "
            f"over {len(analysis.api.tools)} tool{'s' * (len(analysis.api.tools) != 1)}")
    if by_code:
        line += ": " + ", ".join(f"{c} {n}" for c, n in by_code.items())
    return Outcome(code, list(analysis.diagnostics), findings=findings, notes=[line],
                   data=[f.as_json() for f in found])


@dataclass
class Served:
    """A server's data made in memory from a spec: what a generated package would read from its files."""

    index: Any  # IndexData
    catalog: bytes  # tools.json
    data: dict[str, bytes]  # the other data files, by name (the API's document)
    package: str
    diagnostics: list[Diagnostic]  # what the document's analysis found


def serving(spec: str, options: Options, progress: Progress | None = None) -> Served | Outcome:
    """The data of the server `spec` gives, in memory (nothing is written); or the Outcome of a refusal."""
    from rest2mcp.emit.catalog import DOCUMENT_FILE, catalog, document_entry, document_json, index, to_json
    from rest2mcp.runtime.catalog import read_index

    try:
        analysis = analyze(spec, options, progress or silent)
    except GenerationFailed as failed:
        return refusal(failed, "rest2mcp: not served")
    api = analysis.api
    document = document_json(analysis.loaded.document)
    entry = document_entry(api, analysis.loaded.document, document)
    return Served(read_index(to_json(index(api, entry))), to_json(catalog(api)), {DOCUMENT_FILE: document},
                  api.package, list(analysis.diagnostics))


def serve(served: Served, argv: Sequence[str], run: Callable[..., None] | None = None) -> Outcome:
    """Run the server of `served` with the server's own command line `argv` (stdio by default) until it
    stops: the runtime's `run`, the one every generated package's console script calls."""
    from rest2mcp import __version__
    from rest2mcp.runtime.server import run as runtime_run

    start = run or runtime_run
    try:
        start(served.index, lambda: served.catalog, None, __version__, list(argv), lambda name: served.data[name])
    except SystemExit as stopped:  # the server's own refusals (a bad option, no base URL) and --help
        if stopped.code is None or isinstance(stopped.code, int):
            return Outcome(stopped.code or 0)
        return Outcome(1, err=[str(stopped.code)])
    return Outcome(0)
