"""The command line: parse options, call one command function (commands.py), print its outcome, exit with its code.

Exit codes: 0 ok, 1 spec or usage error, 2 ownership conflict (reserved), 3 internal error.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand

try:  # typer >= 0.20 ships its own copy of click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover
    # The same module (typer < 0.20 uses click itself); mypy sees two distinct modules bound to one name.
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

from rest2mcp import __version__
from rest2mcp.output import Style
from rest2mcp.plain_generate import generate_command, internal_error

if TYPE_CHECKING:  # the pipeline is imported by the command that runs, not for --help or --version
    from rest2mcp.commands import Outcome

EXAMPLES = """
Examples:

\b
  rest2mcp generate specs/petstore.yaml -o petstore-mcp

  rest2mcp generate https://example.com/openapi.json --name example-mcp

  rest2mcp tools openapi.yaml

  rest2mcp lint openapi.yaml --json

  rest2mcp serve openapi.yaml --base-url https://api.example.com

  rest2mcp update petstore-mcp

  rest2mcp validate openapi.yaml
"""

app = typer.Typer(
    name="rest2mcp",
    help="Generate an MCP server package (one tool per API operation) from a Swagger 2.0 or OpenAPI 3.0/3.1 document.\n" + EXAMPLES,
    add_completion=True,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


class _Command(TyperCommand):
    """Help in the plain style of click: `SPEC`, not `{SPEC}`, in the usage line, and no `<str>` or
    `<list[str]>` after the names of arguments and options."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [re.sub(r"^\{(.*)\}", r"\1", piece) for piece in super().collect_usage_pieces(ctx)]

    def format_options(self, ctx: Any, formatter: Any) -> None:
        sections: dict[str, list[tuple[str, str]]] = {"argument": [], "option": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None and param.param_type_name in sections:
                sections[param.param_type_name].append((re.sub(r" <[^>]*>$", "", record[0]), record[1]))
        for title, kind in (("Arguments", "argument"), ("Options", "option")):
            if sections[kind]:
                with formatter.section(title):
                    formatter.write_dl(sections[kind])


def command(**settings: Any) -> Any:
    """A command of the app, its help in the plain style (`_Command`), with the examples after it."""
    return app.command(cls=_Command, **{"epilog": EXAMPLES, **settings})


def _style(as_json: bool, quiet: bool) -> Style:
    return Style(json=as_json, quiet=quiet)


def _print(outcome: Outcome, style: Style | None = None) -> typer.Exit:
    """Print what a command said (output.py); the Exit carrying its code."""
    from rest2mcp.output import show

    return typer.Exit(show(outcome, style or Style()))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rest2mcp {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    pass


SPEC_HELP = "OpenAPI document: a path or an http(s) URL, JSON or YAML."
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
ALLOW_EMPTY_HELP = "Accept a document that gives no tool (by default an error, unless it has only webhooks)."
JSON_HELP = "Print the result as JSON on stdout, and each diagnostic as a JSON line on stderr."
QUIET_HELP = "Print only errors (and the warnings of a failure): no notes, no progress, no success report."
SKIP_VALIDATION_HELP = "Do not run OpenAPI validation (faster on very large documents)."
MAX_OUTPUT_HELP = ("Byte budget of each output schema (compact JSON, default 3072): a larger one keeps fewer nested "
                   "levels, and is left out when not even its top level fits (0: no output schemas).")


def _json_option() -> Any:
    return typer.Option(False, "--json", help=JSON_HELP)


def _quiet_option() -> Any:
    return typer.Option(False, "--quiet", "-q", help=QUIET_HELP)


@command()
def generate(
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    output: Path | None = typer.Option(None, "-o", "--output", metavar="DIR", help=OUTPUT_HELP),
    name: str | None = typer.Option(None, "--name", metavar="NAME", help=NAME_HELP),
    base_url: str | None = typer.Option(None, "--base-url", metavar="URL", help=BASE_URL_HELP),
    strict: bool = typer.Option(False, "--strict", help=STRICT_HELP),
    skip_validation: bool = typer.Option(False, "--skip-validation", help=SKIP_VALIDATION_HELP),
    allow_ref_host: list[str] = typer.Option([], "--allow-ref-host", metavar="HOST", help=REF_HOST_HELP),
    allow_ref_dir: list[str] = typer.Option([], "--allow-ref-dir", metavar="DIR", help=REF_DIR_HELP),
    prefer_body: list[str] = typer.Option([], "--prefer-body", metavar="MEDIA-TYPE", help=PREFER_HELP),
    force: bool = typer.Option(False, "--force", help="Overwrite generated files edited by hand (keeping FILE.orig backups)."),
    adopt: bool = typer.Option(False, "--adopt", help="Generate into a folder that holds files but no rest2mcp manifest "
                               "(an existing repository): its files stay as they are."),
    models: bool | None = typer.Option(None, "--models/--no-models", help="Write models.py, typed models for custom code (default: yes)."),
    max_output_schema: int | None = typer.Option(None, "--max-output-schema", metavar="BYTES", help=MAX_OUTPUT_HELP),
    config: str | None = typer.Option(None, "--config", metavar="FILE", help=CONFIG_HELP),
    mode: str | None = typer.Option(None, "--mode", metavar="MODE", help=MODE_HELP),
    read_only: bool | None = typer.Option(None, "--read-only/--no-read-only", help=READ_ONLY_HELP),
    allow_empty: bool = typer.Option(False, "--allow-empty", help=ALLOW_EMPTY_HELP),
    as_json: bool = _json_option(),
    quiet: bool = _quiet_option(),
) -> None:
    """Generate an MCP server package from SPEC (or update the one in the output folder)."""
    raise typer.Exit(generate_command(
        spec, output, name, base_url, strict, skip_validation, allow_ref_host, allow_ref_dir, prefer_body, force,
        adopt, models, max_output_schema, config, mode, read_only, allow_empty, as_json, quiet))


@command()
def check(
    spec: str | None = typer.Argument(None, metavar="SPEC",
                                      help=SPEC_HELP + " Default: the one the folder's manifest records."),
    output: Path = typer.Option(..., "-o", "--output", metavar="DIR", help="The generated folder to check."),
    name: str | None = typer.Option(None, "--name", metavar="NAME", help=NAME_HELP),
    base_url: str | None = typer.Option(None, "--base-url", metavar="URL", help=BASE_URL_HELP),
    allow_ref_host: list[str] = typer.Option([], "--allow-ref-host", metavar="HOST", help=REF_HOST_HELP),
    allow_ref_dir: list[str] = typer.Option([], "--allow-ref-dir", metavar="DIR", help=REF_DIR_HELP),
    prefer_body: list[str] = typer.Option([], "--prefer-body", metavar="MEDIA-TYPE", help=PREFER_HELP),
    config: str | None = typer.Option(None, "--config", metavar="FILE", help=CONFIG_HELP),
    mode: str | None = typer.Option(None, "--mode", metavar="MODE", help=MODE_HELP),
    read_only: bool | None = typer.Option(None, "--read-only/--no-read-only", help=READ_ONLY_HELP),
    allow_empty: bool = typer.Option(False, "--allow-empty", help=ALLOW_EMPTY_HELP),
    as_json: bool = _json_option(),
    quiet: bool = _quiet_option(),
) -> None:
    """Is the folder what generate would write? Exit 0 yes, 1 regeneration would change files, 2 hand edits."""
    from rest2mcp import commands
    from rest2mcp.output import progress

    style = _style(as_json, quiet)
    given = {"name": name, "base_url": base_url, "allowed_ref_hosts": tuple(allow_ref_host),
             "allowed_ref_dirs": tuple(allow_ref_dir), "preferred_media_types": tuple(prefer_body),
             "config_path": config, "mode": mode, "read_only": read_only, "allow_empty": allow_empty}
    with progress(style) as stage:
        outcome = commands.check_folder(spec, output, given, progress=stage)
    raise _print(outcome, style)


@command()
def update(
    folder: Path = typer.Argument(Path("."), metavar="DIR", help="The generated folder (default: the current one)."),
    force: bool = typer.Option(False, "--force", help="Overwrite generated files edited by hand (keeping FILE.orig backups)."),
    strict: bool = typer.Option(False, "--strict", help=STRICT_HELP),
    skip_validation: bool = typer.Option(False, "--skip-validation", help=SKIP_VALIDATION_HELP),
    allow_empty: bool = typer.Option(False, "--allow-empty", help=ALLOW_EMPTY_HELP),
    as_json: bool = _json_option(),
    quiet: bool = _quiet_option(),
) -> None:
    """Regenerate the package in DIR from the spec and the options its manifest recorded."""
    from rest2mcp import commands
    from rest2mcp.output import progress

    style = _style(as_json, quiet)
    with progress(style) as stage:
        outcome = commands.update(folder, {"strict": strict, "skip_validation": skip_validation,
                                           "allow_empty": allow_empty}, force=force, progress=stage)
    raise _print(outcome, style)


@command()
def diff(
    old: str = typer.Argument(..., metavar="OLD", help="The earlier version: a spec (path or URL) or a generated folder."),
    new: str = typer.Argument(..., metavar="NEW", help="The later version: a spec (path or URL) or a generated folder."),
    as_json: bool = typer.Option(False, "--json", help="Print the differences as JSON."),
    fail_on: str | None = typer.Option(None, "--fail-on", metavar="breaking|any",
                                       help="Exit 1 on 'breaking' changes (or on 'any' change)."),
    allow_ref_host: list[str] = typer.Option([], "--allow-ref-host", metavar="HOST", help=REF_HOST_HELP),
    allow_ref_dir: list[str] = typer.Option([], "--allow-ref-dir", metavar="DIR", help=REF_DIR_HELP),
    quiet: bool = _quiet_option(),
) -> None:
    """What changed in the tools the model sees: tools added, removed, renamed; breaking and compatible changes."""
    from rest2mcp import commands

    outcome = commands.diff(old, new, as_json=as_json, fail_on=fail_on, allowed_ref_hosts=tuple(allow_ref_host),
                            allowed_ref_dirs=tuple(allow_ref_dir))
    raise _print(outcome, _style(as_json, quiet))


@command()
def validate(
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    strict: bool = typer.Option(False, "--strict", help=STRICT_HELP),
    config: str | None = typer.Option(None, "--config", metavar="FILE", help=CONFIG_HELP),
    allow_ref_host: list[str] = typer.Option([], "--allow-ref-host", metavar="HOST", help=REF_HOST_HELP),
    allow_ref_dir: list[str] = typer.Option([], "--allow-ref-dir", metavar="DIR", help=REF_DIR_HELP),
    allow_empty: bool = typer.Option(False, "--allow-empty", help=ALLOW_EMPTY_HELP),
    as_json: bool = _json_option(),
    quiet: bool = _quiet_option(),
) -> None:
    """Check SPEC (and its configuration): OpenAPI validation and every problem generation would meet; writes nothing.

    Exits 1 when the document is not valid OpenAPI, when validation could not run or could not read all
    of it (a $ref not followed), when it gives no tool, or (with --strict) on any warning.
    """
    from rest2mcp import commands
    from rest2mcp.output import progress

    style = _style(as_json, quiet)
    options = commands.options_for(None, {"strict": strict, "config_path": config,
                                          "allowed_ref_hosts": tuple(allow_ref_host),
                                          "allowed_ref_dirs": tuple(allow_ref_dir), "allow_empty": allow_empty})
    if isinstance(options, commands.Outcome):
        raise _print(options, style)
    with progress(style) as stage:
        outcome = commands.validate(spec, options, progress=stage)
    raise _print(outcome, style)


@command()
def tools(
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    config: str | None = typer.Option(None, "--config", metavar="FILE", help=CONFIG_HELP),
    skip_validation: bool = typer.Option(False, "--skip-validation", help=SKIP_VALIDATION_HELP),
    allow_ref_host: list[str] = typer.Option([], "--allow-ref-host", metavar="HOST", help=REF_HOST_HELP),
    allow_ref_dir: list[str] = typer.Option([], "--allow-ref-dir", metavar="DIR", help=REF_DIR_HELP),
    prefer_body: list[str] = typer.Option([], "--prefer-body", metavar="MEDIA-TYPE", help=PREFER_HELP),
    max_output_schema: int | None = typer.Option(None, "--max-output-schema", metavar="BYTES", help=MAX_OUTPUT_HELP),
    mode: str | None = typer.Option(None, "--mode", metavar="MODE", help=MODE_HELP),
    read_only: bool = typer.Option(False, "--read-only", help=READ_ONLY_HELP),
    allow_empty: bool = typer.Option(False, "--allow-empty", help=ALLOW_EMPTY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the tools as a JSON list (each diagnostic as a JSON line on stderr)."),
    quiet: bool = _quiet_option(),
) -> None:
    """The tools SPEC gives: name, method, path, toolsets, annotations, number of arguments and schema bytes."""
    from rest2mcp import commands, inspection
    from rest2mcp.output import progress

    style = _style(as_json, quiet)
    options = commands.options_for(None, {
        "config_path": config, "skip_validation": skip_validation, "allowed_ref_hosts": tuple(allow_ref_host),
        "allowed_ref_dirs": tuple(allow_ref_dir), "preferred_media_types": tuple(prefer_body),
        "output_schema_limit": max_output_schema, "mode": mode, "read_only": read_only, "allow_empty": allow_empty,
        "models": False})
    if isinstance(options, commands.Outcome):
        raise _print(options, style)
    with progress(style) as stage:
        outcome = inspection.tools(spec, options, progress=stage)
    raise _print(outcome, style)


@command()
def lint(
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    config: str | None = typer.Option(None, "--config", metavar="FILE", help=CONFIG_HELP),
    skip_validation: bool = typer.Option(False, "--skip-validation", help=SKIP_VALIDATION_HELP),
    allow_ref_host: list[str] = typer.Option([], "--allow-ref-host", metavar="HOST", help=REF_HOST_HELP),
    allow_ref_dir: list[str] = typer.Option([], "--allow-ref-dir", metavar="DIR", help=REF_DIR_HELP),
    max_output_schema: int | None = typer.Option(None, "--max-output-schema", metavar="BYTES", help=MAX_OUTPUT_HELP),
    mode: str | None = typer.Option(None, "--mode", metavar="MODE", help=MODE_HELP),
    max_schema: int = typer.Option(8192, "--max-schema", metavar="BYTES",
                                   help="Report input schemas larger than this many bytes of JSON (L107)."),
    max_tools: int = typer.Option(40, "--max-tools", metavar="N", help="Report more tools than this (L201)."),
    ignore: list[str] = typer.Option([], "--ignore", metavar="CODE", help="Do not report this code (repeatable)."),
    fail_on: str = typer.Option("warning", "--fail-on", metavar="warning|info|never",
                                help="Exit 1 when a finding of this severity or above is reported (default: warning)."),
    allow_empty: bool = typer.Option(False, "--allow-empty", help=ALLOW_EMPTY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as a JSON list (each diagnostic as a JSON line on stderr)."),
    quiet: bool = _quiet_option(),
) -> None:
    """What in SPEC makes its tools hard for a model to use: findings with stable codes, locations and fixes."""
    from rest2mcp import commands, inspection
    from rest2mcp.lint.rules import Settings
    from rest2mcp.output import progress

    style = _style(as_json, quiet)
    options = commands.options_for(None, {
        "config_path": config, "skip_validation": skip_validation, "allowed_ref_hosts": tuple(allow_ref_host),
        "allowed_ref_dirs": tuple(allow_ref_dir), "output_schema_limit": max_output_schema, "mode": mode,
        "allow_empty": allow_empty, "models": False})
    if isinstance(options, commands.Outcome):
        raise _print(options, style)
    settings = Settings(max_schema=max_schema, max_tools=max_tools, ignore=frozenset(c.upper() for c in ignore))
    with progress(style) as stage:
        outcome = inspection.lint(spec, options, settings, fail_on=fail_on, progress=stage)
    raise _print(outcome, style)


SERVE_EPILOG = """
Every option after SPEC that is not one of these goes to the server, as a generated package's command
takes it (`rest2mcp serve SPEC -h` lists them), for example:

\b
  --transport http --port 8000, --base-url URL, --read-only, --toolsets a,b, --mode dynamic

Credentials come from the environment variables the package would read (<PREFIX>_*, PREFIX from the
package name).

\b
  rest2mcp serve openapi.yaml --base-url http://127.0.0.1:8080
  rest2mcp serve openapi.yaml --transport http --port 8000 --read-only
"""


@command(epilog=SERVE_EPILOG, context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def serve(
    context: typer.Context,
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    name: str | None = typer.Option(None, "--name", metavar="NAME", help=NAME_HELP + " Names the environment variables."),
    config: str | None = typer.Option(None, "--config", metavar="FILE", help=CONFIG_HELP),
    skip_validation: bool = typer.Option(False, "--skip-validation", help=SKIP_VALIDATION_HELP),
    allow_ref_host: list[str] = typer.Option([], "--allow-ref-host", metavar="HOST", help=REF_HOST_HELP),
    allow_ref_dir: list[str] = typer.Option([], "--allow-ref-dir", metavar="DIR", help=REF_DIR_HELP),
    prefer_body: list[str] = typer.Option([], "--prefer-body", metavar="MEDIA-TYPE", help=PREFER_HELP),
    max_output_schema: int | None = typer.Option(None, "--max-output-schema", metavar="BYTES", help=MAX_OUTPUT_HELP),
    allow_empty: bool = typer.Option(False, "--allow-empty", help=ALLOW_EMPTY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the document's diagnostics as JSON lines on stderr."),
    quiet: bool = _quiet_option(),
) -> None:
    """Run the MCP server of SPEC straight from the document, in memory (nothing is written): stdio by default."""
    from rest2mcp import commands, inspection
    from rest2mcp.output import progress

    style = _style(as_json, quiet)
    options = commands.options_for(None, {
        "name": name, "config_path": config, "skip_validation": skip_validation,
        "allowed_ref_hosts": tuple(allow_ref_host), "allowed_ref_dirs": tuple(allow_ref_dir),
        "preferred_media_types": tuple(prefer_body), "output_schema_limit": max_output_schema,
        "allow_empty": allow_empty, "models": False})
    if isinstance(options, commands.Outcome):
        raise _print(options, style)
    with progress(style) as stage:
        served = inspection.serving(spec, options, progress=stage)
    if isinstance(served, commands.Outcome):
        raise _print(served, style)
    _print(commands.Outcome(diagnostics=served.diagnostics), style)  # before the server takes over
    raise _print(inspection.serve(served, context.args), style)


def run(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default: the process's arguments); the exit code."""
    try:
        code = app(args=argv, prog_name="rest2mcp", standalone_mode=False)
    except click_exceptions.UsageError as exc:
        exc.show(file=sys.stderr)
        code = 1
    except (typer.Exit, typer.Abort) as exc:
        code = getattr(exc, "exit_code", 1)
    except SystemExit as exc:  # shell completion's own exits
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except Exception as exc:  # noqa: BLE001 -- an unexpected failure is a bug: say so without a traceback
        code = internal_error(exc)
    return code if isinstance(code, int) else 0


def main() -> None:
    sys.exit(run())
