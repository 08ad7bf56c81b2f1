"""The output schemas of a large API made by a second process while this one maps everything else.

Output schemas are the larger part of mapping a large API (GitHub's: three fifths of it), and they
depend on nothing else the mapping makes. So on a machine with a second core a forked process makes
them (it starts with the document and everything read so far, and sends back only what it made)
while this one maps parameters, bodies and security; the two meet after the last operation.

The result is the one a single process gives, byte for byte, diagnostics included and in order:
- the diagnostics made while an operation's output was made go where a single process would have made
  them: after the operation's input ones (`OutputProcess.place` marks the spot);
- a diagnostic said once per place (`DocumentSchemas.warn_once`: the two processes each said it the
  first time they met it) is kept at the first place of the merged order only, as a single
  process says it;
- where the processes could disagree (a `$defs` name given by both, an operation one skipped while the
  other said something about it, an output that could not be made), the caller maps the document again
  in one process.

The process is forked (`rest2mcp.forked`, which says when: Linux, a second core, no other thread;
`REST2MCP_PROCESSES=1` keeps to one process, `=2` uses a second one for any size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest2mcp.diagnostics import Diagnostic, Diagnostics
from rest2mcp.document.refs import Resolver, UnresolvableRef
from rest2mcp.forked import Forked, may_fork
from rest2mcp.mapping.responses import OutputInput, map_responses
from rest2mcp.schemas.convert import SchemaConverter, SchemaTooDeep
from rest2mcp.schemas.defs import DocumentSchemas

# Fewer operations than this are mapped in one process: starting the second costs about 10 ms.
SMALLEST = 150


def wanted(operations: int) -> bool:
    """Whether to make the outputs of `operations` operations in a second process."""
    return may_fork(operations >= SMALLEST)


@dataclass(frozen=True)
class Made:
    """What the second process made: each operation's output (None: its making failed), what it said
    meanwhile (each diagnostic with whether it is said once per place), and the `$defs` names it gave."""

    outputs: dict[str, OutputInput | None]
    said: dict[str, list[tuple[Diagnostic, bool]]]
    def_names: dict[str, str]


class OutputProcess:
    """The second process, making the output of each operation of `operations` ((pointer, responses),
    in the document's order) from the state `schemas` has now."""

    def __init__(self, operations: list[tuple[str, Any]], resolver: Resolver, schemas: DocumentSchemas,
                 limit: int) -> None:
        self.places: dict[str, int] = {}  # pointer -> where its output diagnostics go in this process's
        self._process = Forked(lambda: _make(operations, resolver, schemas, limit))

    def place(self, pointer: str, diagnostics: Diagnostics) -> None:
        """The operation at `pointer` has its output made by the second process: its diagnostics go here."""
        self.places[pointer] = len(diagnostics.items)

    def made(self) -> Made | None:
        """What the second process made (waiting for it), or None when it failed."""
        made = self._process.result()
        return made if isinstance(made, Made) else None

    def stop(self) -> None:
        """The second process ended and waited for, unless `made` did (this process is failing)."""
        self._process.stop()


def _make(operations: list[tuple[str, Any]], resolver: Resolver, schemas: DocumentSchemas, limit: int) -> Made:
    said = Diagnostics(source=schemas.diagnostics.source)
    schemas.diagnostics = said  # (this process's copy)
    outputs: dict[str, OutputInput | None] = {}
    diagnostics: dict[str, list[tuple[Diagnostic, bool]]] = {}
    for pointer, responses in operations:
        start = len(said.items)
        try:
            outputs[pointer] = map_responses(responses, pointer, resolver, SchemaConverter(schemas, "output"), limit)
        except (UnresolvableRef, SchemaTooDeep):
            outputs[pointer] = None
        if len(said.items) > start:
            diagnostics[pointer] = [(d, id(d) in schemas.said_once) for d in said.items[start:]]
    return Made(outputs, diagnostics, schemas.def_names())


def merged_diagnostics(own: list[Diagnostic], said_once: set[int], places: dict[str, int],
                       made: Made, mapped: set[str]) -> list[Diagnostic] | None:
    """This process's diagnostics `own` with the second process's put in their places (see the module's
    text); None when a single process could have said otherwise: the second said something about an
    operation this one did not map (`mapped`: the pointers of the operations it did)."""
    if any(pointer not in mapped for pointer in made.said):
        return None
    inserts = sorted((places[pointer], pointer) for pointer in made.said)
    out: list[Diagnostic] = []
    once: set[tuple[str, str | None]] = set()
    position = 0

    def add(diagnostic: Diagnostic, said_once_per_place: bool) -> None:
        if said_once_per_place:
            key = (diagnostic.code, diagnostic.pointer)
            if key in once:
                return  # said already, at an earlier place of the merged order
            once.add(key)
        out.append(diagnostic)

    for index, pointer in inserts:
        for diagnostic in own[position:index]:
            add(diagnostic, id(diagnostic) in said_once)
        position = index
        for diagnostic, said_once_per_place in made.said[pointer]:
            add(diagnostic, said_once_per_place)
    for diagnostic in own[position:]:
        add(diagnostic, id(diagnostic) in said_once)
    return out
