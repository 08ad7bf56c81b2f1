"""What a command's Outcome looks like on a terminal, in a log, or as JSON.

Diagnostics are grouped: errors, then warnings, then notes, each severity by code, in the order they
were found within a code; a hint shared by every diagnostic of a group is shown once, after its last
one. On a terminal (stderr is one, or FORCE_COLOR is set; NO_COLOR turns colours off) each group has
a heading with its count and meaning, and severities are coloured; otherwise the text is plain, one
self-contained `severity[CODE] where: message` line per diagnostic. `--json` prints the command's
result as one JSON value on stdout and each diagnostic as one JSON object per line on stderr.
`--quiet` leaves out notes, progress and the lines that only report success; errors always show, and
warnings when the command fails.

Text from documents, paths and manifests is shown with its control and format characters escaped.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from rest2mcp.diagnostics import Diagnostic, Severity
from rest2mcp.forked import QUIET, QUIET_THREAD
from rest2mcp.runtime.display import printable

if TYPE_CHECKING:
    from rich.console import Console

    from rest2mcp.commands import Outcome
    from rest2mcp.pipeline import Progress

ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
COLOURS = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold cyan"}
PLURAL = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "notes"}


@dataclass(frozen=True)
class Style:
    """How to show outcomes: `json` for machines, `quiet` for scripts; `color` None: when on a terminal."""

    json: bool = False
    quiet: bool = False
    color: bool | None = None


def grouped(diagnostics: list[Diagnostic]) -> list[list[Diagnostic]]:
    """The diagnostics in groups of one severity and code: errors first, then by code; within a
    group, in the order they were found."""
    groups: dict[tuple[int, str], list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        groups.setdefault((ORDER[diagnostic.severity], diagnostic.code), []).append(diagnostic)
    return [groups[key] for key in sorted(groups)]


def _shared_hint(group: list[Diagnostic]) -> str | None:
    """The hint every diagnostic of the group has, when there are several and it is the same."""
    hints = {d.hint for d in group}
    return group[0].hint if len(group) > 1 and len(hints) == 1 else None


def plain_lines(diagnostics: list[Diagnostic]) -> list[str]:
    """The grouped diagnostics as plain text, one entry per diagnostic (a hint on its own line)."""
    lines = []
    for group in grouped(diagnostics):
        shared = _shared_hint(group)
        for i, diagnostic in enumerate(group):
            last = i == len(group) - 1
            if shared is not None and not last:
                diagnostic = Diagnostic(diagnostic.severity, diagnostic.code, diagnostic.message, diagnostic.pointer,
                                        None, diagnostic.source, diagnostic.line)
            lines.append(diagnostic.render())
    return lines


def meaning(code: str) -> str:
    """What a code means, from its registry (diagnostics or lint); '' for an unknown code."""
    from rest2mcp.diagnostics.codes import REGISTRY
    from rest2mcp.lint.codes import LINT_REGISTRY

    entry = REGISTRY.get(code) or LINT_REGISTRY.get(code)
    return entry.meaning.replace("`", "") if entry is not None else ""


def console_for(stream: IO[str], color: bool | None) -> Console | None:
    """A rich console writing to `stream` when it is a terminal (or colour is forced); else None."""
    if color is False or (color is None and not _may_be_terminal(stream)):
        return None
    from rich.console import Console

    console = Console(file=stream, highlight=False, soft_wrap=True, emoji=False, markup=False,
                      force_terminal=True if color else None)
    return console if console.is_terminal else None


# What makes rich treat a stream that is not a TTY as a terminal: then rich itself decides.
_TERMINAL_VARIABLES = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


def _may_be_terminal(stream: IO[str]) -> bool:
    """False when rich would certainly say `stream` is no terminal: a build or a pipe then writes
    plain lines without importing rich (a fiftieth of a second, a noticeable part of a generation)."""
    if any(name in os.environ for name in _TERMINAL_VARIABLES):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def print_rich(console: Console, diagnostics: list[Diagnostic]) -> None:
    """The grouped diagnostics with a heading per group and coloured severities."""
    from rich.text import Text

    for group in grouped(diagnostics):
        first = group[0]
        if len(group) > 1:  # a heading with the count and what the code means
            heading = Text()
            heading.append(f"{first.severity.value}[{first.code}] × {len(group)}", COLOURS[first.severity])
            about = meaning(first.code)
            if about:
                heading.append(f"  {about}", "dim")
            console.rule(heading, align="left", style="dim")
        shared = _shared_hint(group)
        for diagnostic in group:
            line = Text()
            line.append(f"{diagnostic.severity.value}[{diagnostic.code}]", COLOURS[diagnostic.severity])
            where = diagnostic.where()
            if where:
                line.append(" " + where, "cyan")
            message, *rest = printable(diagnostic.message, keep="\n").split("\n")
            line.append(": " + message)
            console.print(line)
            for extra in rest:
                console.print(Text("  " + extra))
            if diagnostic.hint and shared is None:
                console.print(Text("  hint: " + printable(diagnostic.hint, keep="\n"), "dim"))
        if shared is not None:
            console.print(Text("  hint: " + printable(shared, keep="\n"), "dim"))


def diagnostic_json(diagnostic: Diagnostic) -> dict[str, Any]:
    """A diagnostic as a JSON object (every key present; null when unknown)."""
    return {"severity": diagnostic.severity.value, "code": diagnostic.code, "message": diagnostic.message,
            "file": diagnostic.source, "line": diagnostic.line, "pointer": diagnostic.pointer,
            "hint": diagnostic.hint}


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def shown(diagnostics: list[Diagnostic], code: int, quiet: bool) -> list[Diagnostic]:
    """The diagnostics --quiet keeps: errors, and warnings when the command fails."""
    if not quiet:
        return diagnostics
    return [d for d in diagnostics
            if d.severity is Severity.ERROR or (d.severity is Severity.WARNING and code != 0)]


def echo(text: str, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def show(outcome: Outcome, style: Style) -> int:
    """Print what a command said; its exit code."""
    if style.json:
        for diagnostic in outcome.diagnostics:
            echo(json.dumps(diagnostic_json(diagnostic), ensure_ascii=False), err=True)
        if outcome.data is not None:
            echo(to_json(outcome.data))
        return outcome.code
    diagnostics = shown(outcome.diagnostics, outcome.code, style.quiet)
    console = console_for(sys.stderr, style.color) if diagnostics else None
    if console is not None:
        print_rich(console, diagnostics)
    else:
        for line in plain_lines(diagnostics):
            echo(line, err=True)
    findings = shown(outcome.findings, 1, style.quiet)  # a linter's findings are its report: on stdout
    out_console = console_for(sys.stdout, style.color) if findings else None
    if out_console is not None:
        print_rich(out_console, findings)
    else:
        for line in plain_lines(findings):
            echo(line)
    for line in outcome.out + ([] if style.quiet else outcome.notes):
        echo(printable(line, keep="\n\t"))
    for line in outcome.err:
        echo(printable(line, keep="\n\t"), err=True)
    return outcome.code


@contextmanager
def progress(style: Style) -> Iterator[Progress | None]:
    """A spinner on stderr naming the stage the pipeline is in, when stderr is a terminal (not with
    --quiet or --json): the callback to give the pipeline, or None."""
    console = None if style.quiet or style.json else console_for(sys.stderr, style.color)
    if console is None:
        yield None
        return
    from rich.live import Live
    from rich.spinner import Spinner

    # Drawn by a thread of our own, which keeps quiet while the pipeline forks (rest2mcp/forked.py):
    # rich's own refresh thread would keep a generation from using a second process.
    spinner = Spinner("dots", text="starting")
    stopped = threading.Event()
    with Live(spinner, console=console, auto_refresh=False, transient=True) as live:
        def draw() -> None:
            while not stopped.wait(0.1):
                with QUIET:
                    live.refresh()

        def stage(name: str) -> None:
            with QUIET:
                spinner.update(text=name + " …")
                live.refresh()

        drawing = threading.Thread(target=draw, name=QUIET_THREAD, daemon=True)
        drawing.start()
        try:
            yield stage
        finally:
            stopped.set()
            drawing.join()
