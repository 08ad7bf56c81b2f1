"""The command line: parse options, call one pipeline function, print diagnostics, pick the exit code.

Exit codes: 0 ok, 1 spec or usage error, 2 ownership conflict (reserved), 3 internal error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

try:  # typer >= 0.20 ships its own copy of click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover
    from click import exceptions as click_exceptions

from rest2mcp import __version__
from rest2mcp.diagnostics import Diagnostic, GenerationFailed, Severity

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


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        typer.echo(diagnostic.render(), err=True)


def _summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rest2mcp {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    pass


def _options(output: Path | None, name: str | None, base_url: str | None, allow_ref_host: list[str],
             prefer_body: list[str], strict: bool = False, skip_validation: bool = False, models: bool | None = None,
             max_output_schema: int | None = None, config: str | None = None, mode: str | None = None):
    """Options from the command line; what it does not say comes from the folder's last run."""
    from rest2mcp.pipeline import Options
    from rest2mcp.writing.manifest import read_manifest

    previous = ((read_manifest(output) or {}).get("config") or {}) if output is not None else {}
    return Options(
        name=name or previous.get("name"),
        base_url=base_url or previous.get("base_url"),
        strict=strict,
        skip_validation=skip_validation,
        allowed_ref_hosts=tuple(allow_ref_host or previous.get("allowed_ref_hosts") or ()),
        preferred_media_types=tuple(prefer_body or previous.get("preferred_media_types") or ()),
        models=models if models is not None else previous.get("models", True),
        output_schema_limit=(max_output_schema if max_output_schema is not None
                             else previous.get("output_schema_limit", Options.output_schema_limit)),
        config_path=config or previous.get("config_path"),
        mode=mode or previous.get("mode"),
    )


def _prepared(spec: str, options):
    from rest2mcp.pipeline import prepare

    try:
        generated = prepare(spec, options)
    except GenerationFailed as failed:
        _print_diagnostics(failed.diagnostics)
        typer.echo(f"rest2mcp: nothing written ({_summary(failed.diagnostics)})", err=True)
        raise typer.Exit(1) from None
    _print_diagnostics(generated.diagnostics)
    return generated


def _print_conflicts(conflicts, out_dir: Path, advice: str) -> None:
    for conflict in conflicts:
        typer.echo(f"conflict[E501] {out_dir / conflict.path}: {conflict.reason}", err=True)
    typer.echo(f"  hint: {advice}", err=True)


OUTPUT_HELP = "Output folder (default: ./<name>)."
NAME_HELP = "Distribution and command name, e.g. foo-api (default: info.title + '-mcp', or the folder's last run)."
BASE_URL_HELP = "The API's base URL, instead of the document's servers."
REF_HOST_HELP = "Follow $refs to documents on this host, or HOST:PORT (repeatable). Other hosts are refused."
CONFIG_HELP = ("Tool-surface configuration: a rest2mcp.toml, or a pyproject.toml with [tool.rest2mcp] "
               "(default: the one beside the spec).")
MODE_HELP = ("The server's default mode: 'tools' (one tool per operation) or 'discovery' (three tools that "
             "search, describe and call operations). The server's --mode overrides it.")
PREFER_HELP = ("Request body media type to use when an operation offers it, e.g. multipart/form-data "
               "(repeatable, first wins; default: JSON, form, multipart).")


@app.command(epilog=EXAMPLES)
def generate(
    spec: str = typer.Argument(..., help="OpenAPI document: a path or an http(s) URL, JSON or YAML."),
    output: Path | None = typer.Option(None, "-o", "--output", help=OUTPUT_HELP),
    name: str | None = typer.Option(None, "--name", help=NAME_HELP),
    base_url: str | None = typer.Option(None, "--base-url", help=BASE_URL_HELP),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    skip_validation: bool = typer.Option(False, "--skip-validation", help="Do not run OpenAPI validation (faster on very large documents)."),
    allow_ref_host: list[str] = typer.Option([], "--allow-ref-host", help=REF_HOST_HELP),
    prefer_body: list[str] = typer.Option([], "--prefer-body", help=PREFER_HELP),
    force: bool = typer.Option(False, "--force", help="Overwrite generated files edited by hand (keeping FILE.orig backups)."),
    models: bool | None = typer.Option(None, "--models/--no-models", help="Write models.py, typed models for custom code (default: yes)."),
    max_output_schema: int | None = typer.Option(None, "--max-output-schema", help="Leave out output schemas larger than this many bytes of JSON (default 16384; 0: none)."),
    config: str | None = typer.Option(None, "--config", help=CONFIG_HELP),
    mode: str | None = typer.Option(None, "--mode", help=MODE_HELP),
) -> None:
    """Generate an MCP server package from SPEC (or update the one in the output folder)."""
    from rest2mcp.pipeline import plan
    from rest2mcp.writing.manifest import apply_plan

    generated = _prepared(spec, _options(output, name, base_url, allow_ref_host, prefer_body, strict, skip_validation,
                                         models, max_output_schema, config, mode))
    out_dir = output if output is not None else Path(generated.api.package)
    if out_dir.exists() and not out_dir.is_dir():
        typer.echo(f"error[E403]: {out_dir}: exists and is not a folder\n  hint: pass another -o", err=True)
        raise typer.Exit(1)
    write_plan = plan(generated, out_dir)
    if write_plan.conflicts and not force:
        _print_conflicts(write_plan.conflicts, out_dir,
                         "move your changes to overrides.py (see README.md), then run again; "
                         "or pass --force to overwrite (FILE.orig keeps each old version)")
        typer.echo("rest2mcp: nothing written", err=True)
        raise typer.Exit(2)
    try:
        report = apply_plan(out_dir, write_plan, force=force)
    except OSError as exc:
        typer.echo(f"error[E105]: {out_dir}: cannot write: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
    api = generated.api
    tools = len(api.tools)
    changed = f"{len(report.written)} files written, {len(report.deleted)} deleted, {len(report.unchanged)} unchanged"
    if not report.written and not report.deleted:
        changed = f"nothing to write: {len(report.unchanged)} files already up to date"
    typer.echo(f"{api.package}: {tools} tool{'s' * (tools != 1)} in {out_dir} ({changed}; {_summary(generated.diagnostics)})")
    for backup in report.backups:
        typer.echo(f"kept the previous version as {out_dir / backup}")
    if report.written and len(report.written) == len(generated.files):
        typer.echo(f"next: pip install {out_dir} && {api.package} --help")


@app.command(epilog=EXAMPLES)
def check(
    spec: str = typer.Argument(..., help="OpenAPI document: a path or an http(s) URL, JSON or YAML."),
    output: Path = typer.Option(..., "-o", "--output", help="The generated folder to check."),
    name: str | None = typer.Option(None, "--name", help=NAME_HELP),
    base_url: str | None = typer.Option(None, "--base-url", help=BASE_URL_HELP),
    allow_ref_host: list[str] = typer.Option([], "--allow-ref-host", help=REF_HOST_HELP),
    prefer_body: list[str] = typer.Option([], "--prefer-body", help=PREFER_HELP),
    config: str | None = typer.Option(None, "--config", help=CONFIG_HELP),
    mode: str | None = typer.Option(None, "--mode", help=MODE_HELP),
) -> None:
    """Is the folder what generate would write? Exit 0 yes, 1 regeneration would change files, 2 hand edits."""
    from rest2mcp.pipeline import plan

    generated = _prepared(spec, _options(output, name, base_url, allow_ref_host, prefer_body, config=config, mode=mode))
    write_plan = plan(generated, output)
    if write_plan.conflicts:
        _print_conflicts(write_plan.conflicts, output, "generated files were edited by hand: move the changes to overrides.py")
        raise typer.Exit(2)
    changes = [*(f"update {p}" for p in write_plan.write), *(f"create {p}" for p in write_plan.create),
               *(f"delete {p}" for p in write_plan.delete)]
    if changes or write_plan.manifest_changed:
        for change in changes or ["update the manifest"]:
            typer.echo(f"{output}: would {change}")
        typer.echo(f"rest2mcp: {output} is out of date; run: rest2mcp generate {spec} -o {output}")
        raise typer.Exit(1)
    typer.echo(f"{output}: up to date")


@app.command(epilog=EXAMPLES)
def diff(
    old: str = typer.Argument(..., help="The earlier version: a spec (path or URL) or a generated folder."),
    new: str = typer.Argument(..., help="The later version: a spec (path or URL) or a generated folder."),
    as_json: bool = typer.Option(False, "--json", help="Print the differences as JSON."),
    fail_on: str | None = typer.Option(None, "--fail-on", help="Exit 1 on 'breaking' changes (or on 'any' change)."),
) -> None:
    """What changed in the tools the model sees: tools added, removed, renamed; breaking and compatible changes."""
    from rest2mcp.diff.surface_diff import diff_command

    if fail_on not in (None, "breaking", "any"):
        typer.echo(f"error[E404]: invalid --fail-on {fail_on!r}\n  hint: use 'breaking' or 'any'", err=True)
        raise typer.Exit(1)
    try:
        text, code = diff_command(old, new, as_json=as_json, fail_on=fail_on)
    except GenerationFailed as failed:
        _print_diagnostics(failed.diagnostics)
        raise typer.Exit(1) from None
    typer.echo(text)
    raise typer.Exit(code)


@app.command(epilog=EXAMPLES)
def validate(
    spec: str = typer.Argument(..., help="OpenAPI document: a path or an http(s) URL, JSON or YAML."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    config: str | None = typer.Option(None, "--config", help=CONFIG_HELP),
) -> None:
    """Check SPEC (and its configuration): OpenAPI validation and every problem generation would meet; writes nothing.

    Exits 1 when the document is not valid OpenAPI (or, with --strict, on any warning).
    """
    from rest2mcp.pipeline import Options, prepare

    try:
        generated = prepare(spec, Options(strict=strict, config_path=config))
    except GenerationFailed as failed:
        _print_diagnostics(failed.diagnostics)
        typer.echo(f"rest2mcp: {spec}: invalid ({_summary(failed.diagnostics)})", err=True)
        raise typer.Exit(1) from None
    _print_diagnostics(generated.diagnostics)
    tools = len(generated.api.tools)
    findings = sum(d.code == "W202" for d in generated.diagnostics)
    verdict = f"not valid OpenAPI ({findings} validation finding{'s' * (findings != 1)})" if findings else "valid"
    typer.echo(f"{spec}: {verdict}, {tools} tool{'s' * (tools != 1)} ({_summary(generated.diagnostics)})")
    if findings:
        raise typer.Exit(1)


def run(argv: list[str]) -> int:
    """Run the command line with these arguments (without the program name); return the exit code."""
    try:
        code = app(args=argv, standalone_mode=False)
    except click_exceptions.UsageError as exc:
        exc.show(file=sys.stderr)
        code = 1
    except (typer.Exit, typer.Abort) as exc:
        code = getattr(exc, "exit_code", 1)
    except Exception as exc:  # noqa: BLE001 -- an unexpected failure is a bug: say so without a traceback
        typer.echo(
            f"rest2mcp: internal error: {type(exc).__name__}: {exc}\n"
            "  hint: please report this with the document that caused it",
            err=True,
        )
        code = 3
    return code or 0


def main() -> None:
    sys.exit(run(sys.argv[1:]))
