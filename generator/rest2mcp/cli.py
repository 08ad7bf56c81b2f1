"""The command line: parse options, call one command function (commands.py), print its outcome, exit with its code.

Exit codes: 0 ok, 1 spec or usage error, 2 ownership conflict (reserved), 3 internal error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

try:  # typer >= 0.20 ships its own copy of click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover
    # The same module (typer < 0.20 uses click itself); mypy sees two distinct modules bound to one name.
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

from rest2mcp import __version__

if TYPE_CHECKING:  # the pipeline is imported by the command that runs, not for --help or --version
    from rest2mcp.commands import Outcome

EXAMPLES = """
Examples:

\b
  rest2mcp generate specs/petstore.yaml -o petstore-mcp

  rest2mcp generate https://example.com/openapi.json --name example-mcp

  rest2mcp generate openapi.yaml --base-url https://api.example.com

  rest2mcp validate openapi.yaml
"""

app = typer.Typer(
    name="rest2mcp",
    help="Generate an MCP server package (one tool per API operation) from a Swagger 2.0 or OpenAPI 3.0/3.1 document.\n" + EXAMPLES,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _print(outcome: Outcome) -> typer.Exit:
    """Print what a command said; the Exit carrying its code. Text from documents, paths and
    manifests is shown with its control and format characters escaped."""
    from rest2mcp.runtime.display import printable

    for diagnostic in outcome.diagnostics:
        typer.echo(diagnostic.render(), err=True)
    for line in outcome.out:
        typer.echo(printable(line, keep="\n\t"))
    for line in outcome.err:
        typer.echo(printable(line, keep="\n\t"), err=True)
    return typer.Exit(outcome.code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rest2mcp {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    pass


OUTPUT_HELP = "Output folder (default: ./<name>)."
NAME_HELP = "Distribution and command name, e.g. foo-api (default: info.title + '-mcp', or the folder's last run)."
BASE_URL_HELP = "The API's base URL, instead of the document's servers."
REF_HOST_HELP = "Follow $refs to documents on this host, or HOST:PORT (repeatable). Other hosts are refused."
REF_DIR_HELP = ("Follow $refs to files in this folder (repeatable). By default only files in the document's "
                "folder and below are read.")
CONFIG_HELP = ("Tool-surface configuration: a rest2mcp.toml, or a pyproject.toml with [tool.rest2mcp] "
               "(default: the one beside the spec).")
READ_ONLY_HELP = ("Only operations that change nothing (GET, HEAD, OPTIONS, and those configured with "
                  "annotations.readOnlyHint) become tools. The server's own --read-only narrows a full package at start.")
MODE_HELP = ("The server's default mode: 'tools' (one tool per operation), 'discovery' (three tools that "
             "search, describe and call operations) or 'dynamic' (list_toolsets and enable_toolset, which adds "
             "a toolset's tools as the server runs). The server's --mode overrides it.")
STRICT_HELP = "Refuse the document on any warning (validation findings included)."
PREFER_HELP = ("Request body media type to use when an operation offers it, e.g. multipart/form-data "
               "(repeatable, first wins; default: JSON, form, multipart).")


@app.command(epilog=EXAMPLES)
def generate(
    spec: str = typer.Argument(..., help="OpenAPI document: a path or an http(s) URL, JSON or YAML."),
    output: Path | None = typer.Option(None, "-o", "--output", help=OUTPUT_HELP),
    name: str | None = typer.Option(None, "--name", help=NAME_HELP),
    base_url: str | None = typer.Option(None, "--base-url", help=BASE_URL_HELP),
    strict: bool = typer.Option(False, "--strict", help=STRICT_HELP),
    skip_validation: bool = typer.Option(False, "--skip-validation", help="Do not run OpenAPI validation (faster on very large documents)."),
    allow_ref_host: list[str] = typer.Option([], "--allow-ref-host", help=REF_HOST_HELP),
    allow_ref_dir: list[str] = typer.Option([], "--allow-ref-dir", help=REF_DIR_HELP),
    prefer_body: list[str] = typer.Option([], "--prefer-body", help=PREFER_HELP),
    force: bool = typer.Option(False, "--force", help="Overwrite generated files edited by hand (keeping FILE.orig backups)."),
    models: bool | None = typer.Option(None, "--models/--no-models", help="Write models.py, typed models for custom code (default: yes)."),
    max_output_schema: int | None = typer.Option(None, "--max-output-schema", help="Leave out output schemas larger than this many bytes of JSON (default 16384; 0: none)."),
    config: str | None = typer.Option(None, "--config", help=CONFIG_HELP),
    mode: str | None = typer.Option(None, "--mode", help=MODE_HELP),
    read_only: bool | None = typer.Option(None, "--read-only/--no-read-only", help=READ_ONLY_HELP),
) -> None:
    """Generate an MCP server package from SPEC (or update the one in the output folder)."""
    from rest2mcp import commands

    options = commands.options_for(output, {
        "name": name, "base_url": base_url, "strict": strict, "skip_validation": skip_validation,
        "allowed_ref_hosts": tuple(allow_ref_host), "allowed_ref_dirs": tuple(allow_ref_dir),
        "preferred_media_types": tuple(prefer_body), "models": models,
        "output_schema_limit": max_output_schema, "config_path": config, "mode": mode, "read_only": read_only})
    if isinstance(options, commands.Outcome):
        raise _print(options)
    raise _print(commands.generate(spec, output, options, force=force))


@app.command(epilog=EXAMPLES)
def check(
    spec: str = typer.Argument(..., help="OpenAPI document: a path or an http(s) URL, JSON or YAML."),
    output: Path = typer.Option(..., "-o", "--output", help="The generated folder to check."),
    name: str | None = typer.Option(None, "--name", help=NAME_HELP),
    base_url: str | None = typer.Option(None, "--base-url", help=BASE_URL_HELP),
    allow_ref_host: list[str] = typer.Option([], "--allow-ref-host", help=REF_HOST_HELP),
    allow_ref_dir: list[str] = typer.Option([], "--allow-ref-dir", help=REF_DIR_HELP),
    prefer_body: list[str] = typer.Option([], "--prefer-body", help=PREFER_HELP),
    config: str | None = typer.Option(None, "--config", help=CONFIG_HELP),
    mode: str | None = typer.Option(None, "--mode", help=MODE_HELP),
    read_only: bool | None = typer.Option(None, "--read-only/--no-read-only", help=READ_ONLY_HELP),
) -> None:
    """Is the folder what generate would write? Exit 0 yes, 1 regeneration would change files, 2 hand edits."""
    from rest2mcp import commands

    options = commands.options_for(output, {
        "name": name, "base_url": base_url, "allowed_ref_hosts": tuple(allow_ref_host),
        "allowed_ref_dirs": tuple(allow_ref_dir), "preferred_media_types": tuple(prefer_body),
        "config_path": config, "mode": mode, "read_only": read_only})
    if isinstance(options, commands.Outcome):
        raise _print(options)
    raise _print(commands.check(spec, output, options))


@app.command(epilog=EXAMPLES)
def diff(
    old: str = typer.Argument(..., help="The earlier version: a spec (path or URL) or a generated folder."),
    new: str = typer.Argument(..., help="The later version: a spec (path or URL) or a generated folder."),
    as_json: bool = typer.Option(False, "--json", help="Print the differences as JSON."),
    fail_on: str | None = typer.Option(None, "--fail-on", help="Exit 1 on 'breaking' changes (or on 'any' change)."),
) -> None:
    """What changed in the tools the model sees: tools added, removed, renamed; breaking and compatible changes."""
    from rest2mcp import commands

    raise _print(commands.diff(old, new, as_json=as_json, fail_on=fail_on))


@app.command(epilog=EXAMPLES)
def validate(
    spec: str = typer.Argument(..., help="OpenAPI document: a path or an http(s) URL, JSON or YAML."),
    strict: bool = typer.Option(False, "--strict", help=STRICT_HELP),
    config: str | None = typer.Option(None, "--config", help=CONFIG_HELP),
    allow_ref_host: list[str] = typer.Option([], "--allow-ref-host", help=REF_HOST_HELP),
    allow_ref_dir: list[str] = typer.Option([], "--allow-ref-dir", help=REF_DIR_HELP),
) -> None:
    """Check SPEC (and its configuration): OpenAPI validation and every problem generation would meet; writes nothing.

    Exits 1 when the document is not valid OpenAPI (or, with --strict, on any warning).
    """
    from rest2mcp import commands

    options = commands.options_for(None, {"strict": strict, "config_path": config,
                                          "allowed_ref_hosts": tuple(allow_ref_host),
                                          "allowed_ref_dirs": tuple(allow_ref_dir)})
    if isinstance(options, commands.Outcome):
        raise _print(options)
    raise _print(commands.validate(spec, options))


def run(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default: the process's arguments); the exit code."""
    try:
        code = app(args=argv, prog_name="rest2mcp", standalone_mode=False)
    except click_exceptions.UsageError as exc:
        exc.show(file=sys.stderr)
        code = 1
    except (typer.Exit, typer.Abort) as exc:
        code = getattr(exc, "exit_code", 1)
    except Exception as exc:  # noqa: BLE001 -- an unexpected failure is a bug: say so without a traceback
        from rest2mcp.runtime.display import printable

        typer.echo(
            f"rest2mcp: internal error: {type(exc).__name__}: {printable(str(exc))}\n"
            "  hint: please report this with the document that caused it",
            err=True,
        )
        code = 3
    return code if isinstance(code, int) else 0


def main() -> None:
    sys.exit(run())
