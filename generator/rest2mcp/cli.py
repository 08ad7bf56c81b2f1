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


@app.command(epilog=EXAMPLES)
def generate(
    spec: str = typer.Argument(..., help="OpenAPI document: a path or an http(s) URL, JSON or YAML."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Output folder (default: ./<name>)."),
    name: str | None = typer.Option(None, "--name", help="Distribution and command name, e.g. foo-api (default: info.title + '-mcp')."),
    base_url: str | None = typer.Option(None, "--base-url", help="The API's base URL, instead of the document's servers."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    skip_validation: bool = typer.Option(False, "--skip-validation", help="Do not run OpenAPI validation (faster on very large documents)."),
    allow_ref_host: list[str] = typer.Option([], "--allow-ref-host", help="Follow $refs to this host (repeatable)."),
    prefer_body: list[str] = typer.Option(
        [], "--prefer-body", help="Request body media type to use when an operation offers it, e.g. multipart/form-data (repeatable, first wins; default: JSON, form, multipart)."
    ),
) -> None:
    """Generate an MCP server package from SPEC."""
    from rest2mcp.pipeline import Options, prepare
    from rest2mcp.writing import write_files

    options = Options(name=name, base_url=base_url, strict=strict, skip_validation=skip_validation,
                      allowed_ref_hosts=tuple(allow_ref_host), preferred_media_types=tuple(prefer_body))
    try:
        generated = prepare(spec, options)
    except GenerationFailed as failed:
        _print_diagnostics(failed.diagnostics)
        typer.echo(f"rest2mcp: nothing written ({_summary(failed.diagnostics)})", err=True)
        raise typer.Exit(1) from None
    _print_diagnostics(generated.diagnostics)
    out_dir = output if output is not None else Path(generated.api.package)
    if out_dir.exists() and not out_dir.is_dir():
        typer.echo(f"error[E403]: {out_dir}: exists and is not a folder\n  hint: pass another -o", err=True)
        raise typer.Exit(1)
    try:
        report = write_files(out_dir, generated.files)
    except OSError as exc:
        typer.echo(f"error[E105]: {out_dir}: cannot write: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
    api = generated.api
    tools = len(api.tools)
    typer.echo(
        f"{api.package}: {tools} tool{'s' * (tools != 1)} in {out_dir} "
        f"({len(report.written)} files written, {len(report.unchanged)} unchanged; {_summary(generated.diagnostics)})"
    )
    if report.written:
        typer.echo(f"next: pip install {out_dir} && {api.package} --help")


@app.command(epilog=EXAMPLES)
def validate(
    spec: str = typer.Argument(..., help="OpenAPI document: a path or an http(s) URL, JSON or YAML."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
) -> None:
    """Check SPEC: OpenAPI validation and every problem generation would meet; writes nothing.

    Exits 1 when the document is not valid OpenAPI (or, with --strict, on any warning).
    """
    from rest2mcp.pipeline import Options, prepare

    try:
        generated = prepare(spec, Options(strict=strict))
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


def main() -> None:
    try:
        code = app(standalone_mode=False)
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
    sys.exit(code or 0)
