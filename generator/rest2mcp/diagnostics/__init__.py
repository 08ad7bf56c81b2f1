"""Problems found in a document, as values.

Parsing code never raises for a problem in the spec: it appends a `Diagnostic` and goes on.
Only "cannot continue" situations raise `GenerationFailed`, which carries the diagnostics
collected so far; the CLI is the one place that turns them into text and an exit code.

Codes are stable: `rest2mcp.diagnostics.codes` registers each one with its severity and meaning
(the README's table is generated from it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import Enum

from rest2mcp.runtime.display import printable


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    pointer: str | None = None  # JSON pointer into the document ("" is the root)
    hint: str | None = None
    source: str | None = None  # file path or URL the pointer refers to
    line: int | None = None  # 1-based, filled in when the location is known

    def where(self) -> str:
        """`file:line #pointer`, as much of it as is known ('' for none), shown safely."""
        where = ""
        if self.source:
            where = printable(self.source) + (f":{self.line}" if self.line else "")
        if self.pointer is not None:
            where = f"{where} #{printable(self.pointer)}" if where else f"#{printable(self.pointer)}"
        return where

    def render(self) -> str:
        """The diagnostic for a terminal: document text in it has its control and format characters
        escaped (`printable`), so that it cannot act on the terminal or hide what it says."""
        where = self.where()
        head = f"{self.severity.value}[{self.code}]"
        message = printable(self.message, keep="\n")
        text = f"{head} {where}: {message}" if where else f"{head}: {message}"
        if self.hint:
            text += "\n  hint: " + printable(self.hint, keep="\n")
        return text


@dataclass
class Diagnostics:
    """An ordered collection the pipeline stages append to."""

    items: list[Diagnostic] = field(default_factory=list)
    source: str | None = None

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        pointer: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.items.append(Diagnostic(severity, code, message, pointer, hint, self.source))

    def error(self, code: str, message: str, pointer: str | None = None, hint: str | None = None) -> None:
        self.add(Severity.ERROR, code, message, pointer, hint)

    def warning(self, code: str, message: str, pointer: str | None = None, hint: str | None = None) -> None:
        self.add(Severity.WARNING, code, message, pointer, hint)

    def extend(self, more: Iterable[Diagnostic]) -> None:
        self.items.extend(more)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def located(self, locate: Callable[[str], tuple[str | None, str, int | None]]) -> list[Diagnostic]:
        """The diagnostics with their locations completed by `locate(pointer)`.

        `locate` answers the file the pointer really lies in (None: the diagnostic's own source), the
        pointer within that file and the line; diagnostics that already have a line are kept as they are.
        """
        located = []
        for d in self.items:
            if d.line is None and d.pointer is not None:
                source, pointer, line = locate(d.pointer)
                d = replace(d, source=source or d.source, pointer=pointer, line=line)
            located.append(d)
        return located


class GenerationFailed(Exception):
    """Generation cannot continue; `diagnostics` says why.

    `refused_by_strict`: nothing is wrong enough to stop but --strict refuses the warnings.
    """

    def __init__(self, diagnostics: list[Diagnostic], refused_by_strict: bool = False):
        reasons = [d for d in diagnostics if d.severity is Severity.ERROR]
        if refused_by_strict:
            reasons += [d for d in diagnostics if d.severity is Severity.WARNING]
        super().__init__("; ".join(d.message for d in reasons))
        self.diagnostics = diagnostics
        self.refused_by_strict = refused_by_strict


def pointer_join(*parts: object) -> str:
    """Build a JSON pointer (RFC 6901) from raw segments."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
