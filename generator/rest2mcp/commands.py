"""The commands as plain functions: arguments in, an Outcome out. No printing, no exiting.

`cli.py` parses the command line, calls one of these, prints the Outcome and exits with its code:
0 done, 1 the document or the options are wrong (nothing written), 2 generated files were edited
by hand (nothing written).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rest2mcp.diagnostics import Diagnostic, GenerationFailed, Severity
from rest2mcp.diff.report import FAIL_ON, diff_command
from rest2mcp.pipeline import Generated, Options, plan, prepare
from rest2mcp.writing.manifest import Conflict, apply_plan, read_manifest


@dataclass
class Outcome:
    """What a command has to say: its diagnostics first (on stderr), then its report (stdout) and
    its closing words (stderr), and the exit code."""

    code: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)


def summary(diagnostics: list[Diagnostic], refused_by_strict: bool = False) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    refused = " refused by --strict" if refused_by_strict else ""
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}{refused}"


def options_for(output: Path | None, given: dict[str, Any]) -> Options:
    """The options given on the command line; those it does not give come from the folder's last
    run (its manifest), then from the defaults. `given` holds None (or empty) for "not given"."""
    previous = ((read_manifest(output) or {}).get("config") or {}) if output is not None else {}

    def pick(key: str, default: Any) -> Any:
        value = given.get(key)
        if value is None or value == ():
            value = previous.get(key)
        return default if value is None else value

    return Options(
        name=pick("name", None),
        base_url=pick("base_url", None),
        strict=bool(given.get("strict")),
        skip_validation=bool(given.get("skip_validation")),
        allowed_ref_hosts=tuple(pick("allowed_ref_hosts", ())),
        allowed_ref_dirs=tuple(pick("allowed_ref_dirs", ())),
        preferred_media_types=tuple(pick("preferred_media_types", ())),
        models=pick("models", True),
        output_schema_limit=pick("output_schema_limit", Options.output_schema_limit),
        config_path=pick("config_path", None),
        mode=pick("mode", None),
    )


def _conflicts(conflicts: list[Conflict], out_dir: Path, advice: str) -> list[Diagnostic]:
    """One E501 per conflicting file; the advice, the same for all, follows the last one."""
    return [Diagnostic(Severity.ERROR, "E501", conflict.reason, None, advice if i == len(conflicts) - 1 else None,
                       str(out_dir / conflict.path))
            for i, conflict in enumerate(conflicts)]


def _prepared(spec: str, options: Options, closing: str) -> Generated | Outcome:
    """The generated files, or the Outcome of a refused document (`closing` names what was not done)."""
    try:
        return prepare(spec, options)
    except GenerationFailed as failed:
        return Outcome(1, failed.diagnostics, err=[f"{closing} ({summary(failed.diagnostics, failed.refused_by_strict)})"])


def generate(spec: str, output: Path | None, options: Options, force: bool = False) -> Outcome:
    """Generate a package from `spec` into `output` (default: ./<name>), or update the one there."""
    generated = _prepared(spec, options, "rest2mcp: nothing written")
    if isinstance(generated, Outcome):
        return generated
    outcome = Outcome(diagnostics=list(generated.diagnostics))
    out_dir = output if output is not None else Path(generated.api.package)
    if out_dir.exists() and not out_dir.is_dir():
        outcome.diagnostics.append(Diagnostic(Severity.ERROR, "E403", "exists and is not a folder", None,
                                              "pass another -o", str(out_dir)))
        return _refused(outcome, 1, "rest2mcp: nothing written")
    write_plan = plan(generated, out_dir)
    if write_plan.conflicts and not force:
        outcome.diagnostics += _conflicts(write_plan.conflicts, out_dir,
                                          "move your changes to overrides.py (see README.md), then run again; "
                                          "or pass --force to overwrite (FILE.orig keeps each old version)")
        return _refused(outcome, 2, "rest2mcp: nothing written")
    try:
        report = apply_plan(out_dir, write_plan, force=force)
    except OSError as exc:
        outcome.diagnostics.append(Diagnostic(Severity.ERROR, "E105", f"cannot write: {exc.strerror or exc}", None,
                                              "check the folder's permissions and the free disk space", str(out_dir)))
        outcome.code = 1
        return outcome
    api = generated.api
    tools = len(api.tools)
    changed = f"{len(report.written)} files written, {len(report.deleted)} deleted, {len(report.unchanged)} unchanged"
    if not report.written and not report.deleted:
        changed = f"nothing to write: {len(report.unchanged)} files already up to date"
    outcome.out.append(f"{api.package}: {tools} tool{'s' * (tools != 1)} in {out_dir} "
                       f"({changed}; {summary(generated.diagnostics)})")
    outcome.out += [f"kept the previous version as {out_dir / backup}" for backup in report.backups]
    if report.written and len(report.written) == len(generated.files):
        outcome.out.append(f"next: pip install {out_dir} && {api.package} --help")
    return outcome


def _refused(outcome: Outcome, code: int, closing: str) -> Outcome:
    outcome.code = code
    outcome.err.append(closing)
    return outcome


def check(spec: str, output: Path, options: Options) -> Outcome:
    """Is `output` what generate would write? 0 yes, 1 regeneration would change files, 2 hand edits."""
    generated = _prepared(spec, options, "rest2mcp: nothing written")
    if isinstance(generated, Outcome):
        return generated
    outcome = Outcome(diagnostics=list(generated.diagnostics))
    write_plan = plan(generated, output)
    if write_plan.conflicts:
        outcome.diagnostics += _conflicts(write_plan.conflicts, output,
                                          "generated files were edited by hand: move the changes to overrides.py")
        outcome.code = 2
        return outcome
    changes = [*(f"update {p}" for p in write_plan.write), *(f"create {p}" for p in write_plan.create),
               *(f"delete {p}" for p in write_plan.delete)]
    if changes or write_plan.manifest_changed:
        outcome.out += [f"{output}: would {change}" for change in changes or ["update the manifest"]]
        outcome.out.append(f"rest2mcp: {output} is out of date; run: rest2mcp generate {spec} -o {output}")
        outcome.code = 1
        return outcome
    outcome.out.append(f"{output}: up to date")
    return outcome


def diff(old: str, new: str, as_json: bool = False, fail_on: str | None = None) -> Outcome:
    """The tool surface's changes from `old` to `new` (specs or generated folders)."""

    if fail_on is not None and fail_on not in FAIL_ON:
        return Outcome(1, [Diagnostic(Severity.ERROR, "E404", f"invalid --fail-on {fail_on!r}", None,
                                      "use 'breaking' or 'any'")])
    try:
        text, code = diff_command(old, new, as_json=as_json, fail_on=fail_on)
    except GenerationFailed as failed:
        return Outcome(1, failed.diagnostics)
    return Outcome(code, out=[text])


def validate(spec: str, options: Options) -> Outcome:
    """Every problem generation would meet, OpenAPI validation included; 1 when not valid OpenAPI."""
    generated = _prepared(spec, options, f"rest2mcp: {spec}: invalid")
    if isinstance(generated, Outcome):
        return generated
    tools = len(generated.api.tools)
    findings = sum(d.code == "W202" for d in generated.diagnostics)
    verdict = f"not valid OpenAPI ({findings} validation finding{'s' * (findings != 1)})" if findings else "valid"
    line = f"{spec}: {verdict}, {tools} tool{'s' * (tools != 1)} ({summary(generated.diagnostics)})"
    return Outcome(1 if findings else 0, list(generated.diagnostics), out=[line])
