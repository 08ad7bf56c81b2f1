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
from rest2mcp.writing.manifest import MANIFEST, Conflict, ManifestError, WritePlan, apply_plan, read_manifest


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


# How the info line names each option reused from a manifest, and its value there.
_REUSED = {"name": "--name", "base_url": "--base-url", "allowed_ref_hosts": "--allow-ref-host",
           "allowed_ref_dirs": "--allow-ref-dir",
           "preferred_media_types": "--prefer-body", "models": "--models", "output_schema_limit": "--max-output-schema",
           "config_path": "--config", "mode": "--mode", "read_only": "--read-only"}


def options_for(output: Path | None, given: dict[str, Any]) -> Options | Outcome:
    """The options given on the command line; those it does not give come from the folder's last
    run (its manifest, each one reused listed in `Options.reused`), then from the defaults. `given`
    holds None (or empty) for "not given". The Outcome of a refusal when the folder holds a manifest
    rest2mcp did not write."""
    try:
        previous = ((read_manifest(output) or {}).get("config") or {}) if output is not None else {}
    except ManifestError as exc:
        return _bad_manifest(output, exc)
    reused: list[str] = []

    def pick(key: str, default: Any) -> Any:
        value = given.get(key)
        if value is None or value == ():
            value = previous.get(key)
            if value is not None and value != [] and value != default:
                reused.append(_reused(key, value))
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
        read_only=pick("read_only", False),
        reused=tuple(reused),
    )


def _reused(key: str, value: Any) -> str:
    option = _REUSED[key]
    if isinstance(value, bool):
        return option if value else "--no-" + option.removeprefix("--")
    if isinstance(value, list):
        return " ".join(f"{option} {item}" for item in value)
    return f"{option} {value}"


def _bad_manifest(output: Path | None, exc: ManifestError) -> Outcome:
    where = str(output / MANIFEST) if output is not None else MANIFEST
    return Outcome(1, [Diagnostic(Severity.ERROR, "E506", f"not a manifest rest2mcp writes: {exc}", None,
                                  "if you did not put it there, do not trust this folder; otherwise delete the file "
                                  "(rest2mcp then treats every file there as not written by it) or pass another -o",
                                  where)], err=["rest2mcp: nothing written"])


def _reused_note(options: Options, output: Path) -> list[Diagnostic]:
    """The info line that names the options taken from the folder's last run."""
    if not options.reused:
        return []
    return [Diagnostic(Severity.INFO, "I603", "options reused from the folder's last run: " + ", ".join(options.reused),
                       None, "give an option on the command line to change it", str(output / MANIFEST))]


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


@dataclass
class _Planned:
    generated: Generated
    out_dir: Path
    write_plan: WritePlan
    outcome: Outcome  # what the command says so far: reused options, the document's diagnostics


def _planned(spec: str, output: Path | None, options: Options) -> _Planned | Outcome:
    """What writing `spec`'s package into `output` (default: ./<name>) would change; or the Outcome
    of a refusal (the document, an output that is no folder, a manifest rest2mcp did not write)."""
    notes = _reused_note(options, output) if output is not None else []
    generated = _prepared(spec, options, "rest2mcp: nothing written")
    if isinstance(generated, Outcome):
        generated.diagnostics[:0] = notes
        return generated
    outcome = Outcome(diagnostics=notes + list(generated.diagnostics))
    out_dir = output if output is not None else Path(generated.api.package)
    if out_dir.exists() and not out_dir.is_dir():
        outcome.diagnostics.append(Diagnostic(Severity.ERROR, "E403", "exists and is not a folder", None,
                                              "pass another -o", str(out_dir)))
        return _refused(outcome, 1, "rest2mcp: nothing written")
    try:
        return _Planned(generated, out_dir, plan(generated, out_dir), outcome)
    except ManifestError as exc:
        refused = _bad_manifest(out_dir, exc)
        refused.diagnostics[:0] = outcome.diagnostics
        return refused


def generate(spec: str, output: Path | None, options: Options, force: bool = False) -> Outcome:
    """Generate a package from `spec` into `output` (default: ./<name>), or update the one there."""
    planned = _planned(spec, output, options)
    if isinstance(planned, Outcome):
        return planned
    generated, out_dir, write_plan, outcome = planned.generated, planned.out_dir, planned.write_plan, planned.outcome
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
    planned = _planned(spec, output, options)
    if isinstance(planned, Outcome):
        return planned
    write_plan, outcome = planned.write_plan, planned.outcome
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
