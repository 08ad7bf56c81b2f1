"""The arguments of a plain `rest2mcp generate`, read without Typer.

Typer builds a pydantic validator for every option it reads, and importing pydantic for them cost a
tenth of a second on every run: as much as reading a large document. The command a build runs,
`generate SPEC [-o DIR] [flags]`, has nothing to validate beyond what the command itself checks, so
`cli.run` reads it here and calls the same `generate` function with the values Typer would give it.
Anything else returns None and goes through Typer, which then says what is wrong: another command,
--help, an option given twice or as --option=value, a value that looks like an option, a repeatable
or numeric option, shell completion.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# Flags: the parameter of cli.generate each sets, and to what.
FLAGS: dict[str, tuple[str, Any]] = {
    "--skip-validation": ("skip_validation", True),
    "--strict": ("strict", True),
    "--force": ("force", True),
    "--adopt": ("adopt", True),
    "--allow-empty": ("allow_empty", True),
    "--models": ("models", True),
    "--no-models": ("models", False),
    "--read-only": ("read_only", True),
    "--no-read-only": ("read_only", False),
    "--json": ("as_json", True),
    "--quiet": ("quiet", True),
    "-q": ("quiet", True),
}
# Options with one value: the parameter each sets.
VALUED = {"-o": "output", "--output": "output", "--name": "name", "--base-url": "base_url",
          "--config": "config", "--mode": "mode"}


def plain_generate(argv: list[str]) -> dict[str, Any] | None:
    """The values `generate SPEC ...` in `argv` gives the parameters it names (a Path for the output
    folder, as Typer converts it); None when Typer must read `argv`."""
    if not argv or argv[0] != "generate" or "_REST2MCP_COMPLETE" in os.environ:
        return None
    values: dict[str, Any] = {}
    rest = iter(argv[1:])
    for arg in rest:
        if arg in FLAGS:
            name, value = FLAGS[arg]
        elif arg in VALUED:
            name, value = VALUED[arg], next(rest, None)
            if value is None or value.startswith("-") or not value:
                return None
        elif arg.startswith("-") or not arg:
            return None
        else:
            name, value = "spec", arg
        if name in values:
            return None
        values[name] = value
    if "spec" not in values:
        return None
    if "output" in values:
        values["output"] = Path(values["output"])
    return values
