"""The commands as plain functions: arguments in, an Outcome out. No printing, no exiting.

`cli.py` parses the command line, calls one of these, prints the Outcome (output.py) and exits with
its code: 0 done, 1 the document or the options are wrong (nothing written), 2 generated files were
edited by hand (nothing written). `serve` is the one command that runs something: the runtime's
server, in this process.
"""

from __future__ import annotations

import copy
import json
import os
import shlex
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rest2mcp.diagnostics import Diagnostic, GenerationFailed, Severity
from rest2mcp.options import Options
from rest2mcp.outcome import Outcome, counts, summary, with_result

__all__ = ["Outcome", "counts", "summary", "with_result"]  # also the commands' own, as before
from rest2mcp.writing.manifest import (
    FOREIGN,
    GENERATED,
    MANIFEST,
    Conflict,
    ManifestError,
    WritePlan,
    WriteReport,
    apply_plan,
    foreign_entries,
    read_manifest,
)

if TYPE_CHECKING:
    from types import ModuleType

    from rest2mcp.pipeline import Generated, Progress


def _pipeline() -> ModuleType:
    """The pipeline, imported when a command needs it: an up-to-date generation (uptodate.py) does not."""
    from rest2mcp import pipeline

    return pipeline


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
        allow_empty=bool(given.get("allow_empty")),
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


def previous_names(folder: Path) -> dict[tuple[str, str], str]:
    """(METHOD, path) -> tool name in the catalog of the package generated into `folder` (the one
    its manifest lists); empty when there is none or it cannot be read."""
    from rest2mcp.diff.surfaces import surface_from_catalog
    from rest2mcp.runtime.catalog import CATALOG_FILE, CatalogError

    try:
        manifest = read_manifest(folder)
    except ManifestError:
        return {}
    entries = (manifest or {}).get("files") or {}
    catalogs = sorted(path for path, entry in entries.items()
                      if entry.get("owner") == GENERATED and path.endswith("/" + CATALOG_FILE))
    names: dict[tuple[str, str], str] = {}
    for relative in catalogs[:1]:
        try:
            surface = surface_from_catalog((folder / relative).read_bytes(), str(folder / relative))
        except (OSError, CatalogError, ValueError):
            return {}
        for tool in surface.tools.values():
            names.setdefault(tool.endpoint, tool.name)
    return names


def refusal(failed: GenerationFailed, closing: str) -> Outcome:
    return Outcome(1, failed.diagnostics, err=[f"{closing} ({summary(failed.diagnostics, failed.refused_by_strict)})"])


def _prepared(spec: str, options: Options, closing: str, progress: Progress | None = None,
              output: Path | None = None) -> Generated | Outcome:
    """The generated files, or the Outcome of a refused document (`closing` names what was not done).
    Tools keep the names they have in the package in `output` (default: ./<name>), if any."""
    def names(package: str) -> Mapping[tuple[str, str], str]:
        return previous_names(output if output is not None else Path(package))

    try:
        return _pipeline().prepare(spec, options, progress or silent, names)
    except GenerationFailed as failed:
        return refusal(failed, closing)


def silent(stage: str) -> None:
    pass


@dataclass
class _Planned:
    generated: Generated
    out_dir: Path
    write_plan: WritePlan
    outcome: Outcome  # what the command says so far: reused options, the document's diagnostics


def _planned(spec: str, output: Path | None, options: Options, progress: Progress | None = None) -> _Planned | Outcome:
    """What writing `spec`'s package into `output` (default: ./<name>) would change; or the Outcome
    of a refusal (the document, an output that is no folder, a manifest rest2mcp did not write)."""
    notes = _reused_note(options, output) if output is not None else []
    generated = _prepared(spec, options, "rest2mcp: nothing written", progress, output)
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
        return _Planned(generated, out_dir, _pipeline().plan(generated, out_dir), outcome)
    except ManifestError as exc:
        refused = _bad_manifest(out_dir, exc)
        refused.diagnostics[:0] = outcome.diagnostics
        return refused


def generate(spec: str, output: Path | None, options: Options, force: bool = False,
             progress: Progress | None = None, command: str = "generate", adopt: bool = False) -> Outcome:
    """Generate a package from `spec` into `output` (default: ./<name>), or update the one there.
    A folder that holds files but no rest2mcp manifest is refused unless `adopt`. An unchanged
    run over its own folder is answered from the user cache (uptodate.py), without the work."""
    from rest2mcp import uptodate

    fingerprint = uptodate.fingerprint(spec, output, options, force, adopt) if command == "generate" else None
    answered = uptodate.answer(fingerprint, output) if output is not None else None
    if answered is not None:
        return answered
    planned = _planned(spec, output, options, progress)
    if isinstance(planned, Outcome):
        return with_result(command, planned, spec=spec)
    generated, out_dir, write_plan, outcome = planned.generated, planned.out_dir, planned.write_plan, planned.outcome
    foreign = foreign_entries(out_dir)
    if foreign and not adopt:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        outcome.diagnostics.append(Diagnostic(
            Severity.ERROR, "E520", f"the folder is not empty and rest2mcp did not generate it (it holds {shown})", None,
            "generate into a new or empty folder (-o DIR); or pass --adopt to generate into this one: your files "
            "stay as they are, and a file the package needs that is already there stops the run", str(out_dir)))
        return with_result(command, _refused(outcome, 2, "rest2mcp: nothing written"), spec=spec, folder=str(out_dir))
    if write_plan.conflicts and not force:
        if all(c.reason == FOREIGN for c in write_plan.conflicts):  # the user's own files, not edits of ours
            hint = ("move or rename these files of yours, then run again (--force would replace them, "
                    "keeping FILE.orig)")
        else:
            hint = ("move your changes to overrides.py (see README.md), then run again; "
                    "or pass --force to overwrite (FILE.orig keeps each old version)")
        outcome.diagnostics += _conflicts(write_plan.conflicts, out_dir, hint)
        return with_result(command, _refused(outcome, 2, "rest2mcp: nothing written"), spec=spec, folder=str(out_dir))
    if progress is not None:
        progress("writing files")
    try:
        report = apply_plan(out_dir, write_plan, force=force)
    except OSError as exc:
        outcome.diagnostics.append(Diagnostic(Severity.ERROR, "E105", f"cannot write: {exc.strerror or exc}", None,
                                              "check the folder's permissions and the free disk space", str(out_dir)))
        outcome.code = 1
        return with_result(command, outcome, spec=spec, folder=str(out_dir))
    if outcome.code == 0 and fingerprint is not None:  # what the same run will say next time: nothing to write
        unchanged = WriteReport(unchanged=sorted(p for p, e in write_plan.manifest["files"].items() if e["owner"] == GENERATED))
        again = _written(command, spec, generated, out_dir, unchanged, copy.deepcopy(outcome))
        uptodate.remember(fingerprint, out_dir, generated.referenced, again)
    return _written(command, spec, generated, out_dir, report, outcome)


def _written(command: str, spec: str, generated: Generated, out_dir: Path, report: WriteReport,
             outcome: Outcome) -> Outcome:
    """The Outcome of a generation that wrote what `report` says."""
    api = generated.api
    tools = len(api.tools)
    changed = f"{len(report.written)} files written, {len(report.deleted)} deleted, {len(report.unchanged)} unchanged"
    if not report.written and not report.deleted:
        changed = f"nothing to write: {len(report.unchanged)} files already up to date"
    left_out = _pipeline().left_out_summary(api)
    outcome.notes.append(f"{api.package}: {tools} tool{'s' * (tools != 1)} in {out_dir} "
                         f"({changed}; {left_out + '; ' if left_out else ''}{summary(generated.diagnostics)})")
    outcome.out += [f"kept the previous version as {out_dir / backup}" for backup in report.backups]
    if report.written and len(report.written) == len(generated.files):
        outcome.notes.append(f"next: pip install {install_path(out_dir)} && {api.package} --help "
                             f"(or without installing: uvx --from {install_path(out_dir)} {api.package} --help)")
    return with_result(command, outcome, spec=spec, package=api.package, folder=str(out_dir), tools=tools,
                   left_out=api.left_out_counts(),
                   files={"written": report.written, "deleted": report.deleted, "unchanged": len(report.unchanged),
                          "backups": report.backups})


def install_path(folder: Path) -> str:
    """`folder` as pip and uvx read a local path (`./petstore`, not `petstore`, which names a
    distribution on PyPI), quoted for a POSIX shell."""
    text = folder.as_posix()
    if not folder.is_absolute() and not text.startswith(("./", "../")) and text not in (".", ".."):
        text = "./" + text
    return shlex.quote(text)


def _refused(outcome: Outcome, code: int, closing: str) -> Outcome:
    outcome.code = code
    outcome.err.append(closing)
    return outcome


def check(spec: str, output: Path, options: Options, progress: Progress | None = None) -> Outcome:
    """Is `output` what generate would write? 0 yes, 1 regeneration would change files, 2 hand edits."""
    planned = _planned(spec, output, options, progress)
    if isinstance(planned, Outcome):
        return with_result("check", planned, spec=spec, folder=str(output))
    write_plan, outcome = planned.write_plan, planned.outcome
    if write_plan.conflicts:
        outcome.diagnostics += _conflicts(write_plan.conflicts, output,
                                          "generated files were edited by hand: move the changes to overrides.py")
        outcome.code = 2
        return with_result("check", outcome, spec=spec, folder=str(output), up_to_date=False)
    changes = [*(f"update {p}" for p in write_plan.write), *(f"create {p}" for p in write_plan.create),
               *(f"delete {p}" for p in write_plan.delete)]
    if changes or write_plan.manifest_changed:
        outcome.out += [f"{output}: would {change}" for change in changes or ["update the manifest"]]
        outcome.out.append(f"rest2mcp: {output} is out of date; run: rest2mcp update {output}")
        outcome.code = 1
        return with_result("check", outcome, spec=spec, folder=str(output), up_to_date=False,
                       changes=changes or ["update the manifest"])
    outcome.notes.append(f"{output}: up to date")
    return with_result("check", outcome, spec=spec, folder=str(output), up_to_date=True, changes=[])


def recorded_spec(folder: Path) -> tuple[str, Path] | Outcome:
    """The spec the package in `folder` was generated from, as its manifest records it, and the folder
    its relative paths (the spec's, the configuration's) start from: the current one, or else the
    nearest folder above `folder` where the spec is. The Outcome of a refusal when there is no
    manifest, or the spec is not found."""
    try:
        manifest = read_manifest(folder)
    except ManifestError as exc:
        return _bad_manifest(folder, exc)
    if manifest is None:
        what = "no such folder" if not folder.exists() else f"no {MANIFEST}: rest2mcp did not generate this folder"
        return Outcome(1, [Diagnostic(Severity.ERROR, "E509", what, None,
                                      "give the folder of a package rest2mcp generated, or generate one: "
                                      "rest2mcp generate SPEC -o DIR", str(folder))], err=["rest2mcp: nothing done"])
    source = str(manifest["spec"]["source"])
    here = Path.cwd()
    if "://" in source or Path(source).is_absolute() or Path(source).exists():
        return source, here
    for base in [folder.resolve(), *folder.resolve().parents]:
        if (base / source).exists():
            return source, base
    return Outcome(1, [Diagnostic(Severity.ERROR, "E101", "no such file: the spec this folder was generated from",
                                  None, f"run rest2mcp from the folder it was generated from, or give the spec: "
                                  f"rest2mcp generate SPEC -o {folder}", source)], err=["rest2mcp: nothing done"])


@contextmanager
def _working_in(folder: Path) -> Iterator[None]:
    """The current folder is `folder` for a while: the recorded paths are relative to it."""
    here = Path.cwd()
    if folder == here:
        yield
        return
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)


Regeneration = Callable[[str, Path, Options], Outcome]


def from_manifest(folder: Path, given: dict[str, Any], command: str, action: Regeneration) -> Outcome:
    """`action(spec, folder, options)` with the spec and the options `folder`'s manifest recorded (those
    in `given` win), run from the folder the recorded paths are relative to (said in a note when that
    is not the current one)."""
    recorded = recorded_spec(folder)
    if isinstance(recorded, Outcome):
        return with_result(command, recorded, folder=str(folder))
    spec, base = recorded
    target = Path(os.path.relpath(folder.resolve(), base)) if base != Path.cwd() else folder
    with _working_in(base):
        options = options_for(target, given)
        outcome = with_result(command, options, folder=str(folder)) if isinstance(options, Outcome) \
            else action(spec, target, options)
    if base != Path.cwd():
        outcome.notes.insert(0, f"rest2mcp: paths as the manifest records them, from {base}")
    return outcome


def update(folder: Path, given: dict[str, Any], force: bool = False, progress: Progress | None = None) -> Outcome:
    """Regenerate the package in `folder` from the spec and options its manifest recorded."""
    def regenerate(spec: str, target: Path, options: Options) -> Outcome:
        return generate(spec, target, options, force=force, progress=progress, command="update")

    return from_manifest(folder, given, "update", regenerate)


def check_folder(spec: str | None, folder: Path, given: dict[str, Any], progress: Progress | None = None) -> Outcome:
    """`check` of `folder` against `spec`, or (None) against the spec its manifest recorded."""
    if spec is None:
        return from_manifest(folder, given, "check", lambda s, target, o: check(s, target, o, progress))
    options = options_for(folder, given)
    return with_result("check", options, folder=str(folder)) if isinstance(options, Outcome) \
        else check(spec, folder, options, progress)


def diff(old: str, new: str, as_json: bool = False, fail_on: str | None = None,
         allowed_ref_hosts: tuple[str, ...] = (), allowed_ref_dirs: tuple[str, ...] = ()) -> Outcome:
    """The tool surface's changes from `old` to `new` (specs or generated folders; a spec's `$ref`s
    are read from the hosts and folders `generate` would read them from, and those allowed)."""
    from rest2mcp.diff.report import FAIL_ON, diff_command  # here: only this command needs it

    if fail_on is not None and fail_on not in FAIL_ON:
        return Outcome(1, [Diagnostic(Severity.ERROR, "E404", f"invalid --fail-on {fail_on!r}", None,
                                      "use 'breaking' or 'any'")])
    unread: list[Diagnostic] = []  # a $ref not followed is compared as "any value": say so
    try:
        text, code = diff_command(old, new, as_json=as_json, fail_on=fail_on, allowed_ref_hosts=allowed_ref_hosts,
                                  allowed_ref_dirs=allowed_ref_dirs, unread=unread)
    except GenerationFailed as failed:
        return Outcome(1, failed.diagnostics)
    if as_json:
        return Outcome(code, unread, data=json.loads(text))
    return Outcome(code, unread, out=[text])


def validate(spec: str, options: Options, progress: Progress | None = None) -> Outcome:
    """Every problem generation would meet, OpenAPI validation included; 1 when not valid OpenAPI, or
    when validation could not run or could not read all of the document (a `$ref` not followed)."""
    try:
        analysis = _pipeline().analyze(spec, options, progress or silent)
    except GenerationFailed as failed:
        return with_result("validate", refusal(failed, f"rest2mcp: {spec}: invalid"), spec=spec, valid=False)
    diagnostics = analysis.diagnostics
    tools = len(analysis.api.tools)
    findings = sum(d.code == "W202" for d in diagnostics)
    not_run = sum(d.code == "W201" for d in diagnostics)
    not_read = sum(d.code == "W106" for d in diagnostics)
    if findings:
        verdict = f"not valid OpenAPI ({findings} validation finding{'s' * (findings != 1)})"
    elif not_run:
        verdict = "not validated: the validator could not finish (W201)"
    elif not_read:
        verdict = ("not completely validated: $refs not followed (W106: one warning per file or URL not read), "
                   "so what they point to was not checked")
    else:
        verdict = "valid"
    left_out = _pipeline().left_out_summary(analysis.api)
    line = (f"{spec}: {verdict}, {tools} tool{'s' * (tools != 1)} "
            f"({left_out + '; ' if left_out else ''}{summary(diagnostics)})")
    outcome = Outcome(0 if verdict == "valid" else 1, list(diagnostics), out=[line])
    return with_result("validate", outcome, spec=spec, valid=verdict == "valid", tools=tools,
                   left_out=analysis.api.left_out_counts())
