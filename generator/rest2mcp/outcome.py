"""What a command has to say (its Outcome), and the words every command's report shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rest2mcp.diagnostics import Diagnostic, Severity


@dataclass
class Outcome:
    """What a command has to say: its diagnostics first (on stderr), then its findings and report
    (stdout), the lines that only report success (`notes`, stdout, left out by --quiet), its closing
    words (stderr), and the exit code. `data` is the result as JSON (--json)."""

    code: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)
    data: Any = None


def counts(diagnostics: list[Diagnostic]) -> dict[str, int]:
    return {"errors": sum(d.severity is Severity.ERROR for d in diagnostics),
            "warnings": sum(d.severity is Severity.WARNING for d in diagnostics),
            "notes": sum(d.severity is Severity.INFO for d in diagnostics)}


def with_result(command: str, outcome: Outcome, **fields: Any) -> Outcome:
    """`outcome` with its JSON result: the command, its exit code, its diagnostics counted, `fields`."""
    outcome.data = {"command": command, "ok": outcome.code == 0, "exit_code": outcome.code, **fields,
                    **counts(outcome.diagnostics)}
    if outcome.err:
        outcome.data["message"] = " ".join(outcome.err)
    return outcome


def summary(diagnostics: list[Diagnostic], refused_by_strict: bool = False) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    refused = " refused by --strict" if refused_by_strict else ""
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}{refused}"
