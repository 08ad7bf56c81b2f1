"""The arguments of a plain `rest2mcp generate`, read without Typer.

Typer builds a pydantic validator for every option it reads, and importing pydantic for them cost a
tenth of a second on every run: as much as reading a large document. The command a build runs,
`generate SPEC [-o DIR] [flags]`, has nothing to validate beyond what the command itself checks, so
`entry.run` reads it here and calls `generate_command`, the function `cli.generate` calls, with the
values Typer would give it (without importing Typer at all).
Anything else returns None and goes through Typer, which then says what is wrong: another command,
--help, an option given twice or as --option=value, a value that looks like an option, a repeatable
or numeric option, shell completion.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

# Flags: the parameter of generate_command each sets, and to what.
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


def generate_command(spec: str, output: Path | None = None, name: str | None = None, base_url: str | None = None,
                     strict: bool = False, skip_validation: bool = False, allow_ref_host: list[str] | None = None,
                     allow_ref_dir: list[str] | None = None, prefer_body: list[str] | None = None,
                     force: bool = False, adopt: bool = False, models: bool | None = None,
                     max_output_schema: int | None = None, config: str | None = None, mode: str | None = None,
                     read_only: bool | None = None, allow_empty: bool = False, as_json: bool = False,
                     quiet: bool = False) -> int:
    """`rest2mcp generate` (its options are cli.generate's): print what it did; the exit code."""
    from rest2mcp import commands
    from rest2mcp.output import Style, progress, show

    style = Style(json=as_json, quiet=quiet)
    options = commands.options_for(output, {
        "name": name, "base_url": base_url, "strict": strict, "skip_validation": skip_validation,
        "allowed_ref_hosts": tuple(allow_ref_host or ()), "allowed_ref_dirs": tuple(allow_ref_dir or ()),
        "preferred_media_types": tuple(prefer_body or ()), "models": models,
        "output_schema_limit": max_output_schema, "config_path": config, "mode": mode, "read_only": read_only,
        "allow_empty": allow_empty})
    if isinstance(options, commands.Outcome):
        return show(options, style)
    with progress(style) as stage:
        outcome = commands.generate(spec, output, options, force=force, progress=stage, adopt=adopt)
    return show(outcome, style)


def internal_error(exc: Exception) -> int:
    """Say that an unexpected failure is a bug, without a traceback; the exit code."""
    from rest2mcp.runtime.display import printable

    sys.stderr.write(f"rest2mcp: internal error: {type(exc).__name__}: {printable(str(exc))}\n"
                     "  hint: please report this with the document that caused it\n")
    sys.stderr.flush()
    return 3
