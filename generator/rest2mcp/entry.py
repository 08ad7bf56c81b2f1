"""The `rest2mcp` command: a plain `generate` command line (plain_generate.py) runs without importing
Typer, which with its pydantic validators took a tenth of a second of every run; any other command
line goes to the Typer application (cli.py)."""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

from rest2mcp.plain_generate import generate_command, internal_error, plain_generate


def run(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default: the process's arguments); the exit code."""
    values = plain_generate(sys.argv[1:] if argv is None else argv)
    return _typer(argv) if values is None else _generate(values)


def main() -> None:
    values = plain_generate(sys.argv[1:])
    if values is None:
        sys.exit(_typer(None))
    # A generation makes millions of objects that all live until it ends: the cycle collector would
    # walk them again and again to free nothing (see pipeline.prepare). Off from here, for the
    # imports too, to the end of the process.
    gc.disable()
    code = _generate(values)
    # The process ends here. What a generation leaves behind (a large API's document and the caches
    # built from it: millions of objects) would otherwise be freed one by one at exit, a twentieth
    # of a second of nothing; every file is written and closed by now, and no thread was started.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken pipe: left to sys.exit, as before
        sys.exit(code)
    os._exit(code)


def _typer(argv: list[str] | None) -> int:
    from rest2mcp.cli import run as run_typer

    return run_typer(argv)


def _generate(values: dict[str, Any]) -> int:
    try:
        return generate_command(**values)
    except KeyboardInterrupt:  # what Typer does with these
        return 130
    except EOFError:
        sys.stderr.write("\n")
        return 1
    except Exception as exc:  # noqa: BLE001 -- an unexpected failure is a bug: say so without a traceback
        return internal_error(exc)
