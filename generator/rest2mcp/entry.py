"""The `rest2mcp` command: a plain `generate` command line (plain_generate.py) runs without importing
Typer, which with its pydantic validators took a tenth of a second of every run; any other command
line goes to the Typer application (cli.py)."""

from __future__ import annotations

import sys

from rest2mcp.plain_generate import generate_command, internal_error, plain_generate


def run(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default: the process's arguments); the exit code."""
    values = plain_generate(sys.argv[1:] if argv is None else argv)
    if values is None:
        from rest2mcp.cli import run as run_typer

        return run_typer(argv)
    try:
        return generate_command(**values)
    except KeyboardInterrupt:  # what Typer does with these
        return 130
    except EOFError:
        sys.stderr.write("\n")
        return 1
    except Exception as exc:  # noqa: BLE001 -- an unexpected failure is a bug: say so without a traceback
        return internal_error(exc)


def main() -> None:
    sys.exit(run())
