"""Request fidelity: does every request a generated tool sends fit the original spec?

For each spec: generate the MCP server, start Prism (a validating mock of the spec) behind a
recording proxy, start the server against the proxy, and call every tool with argument sets
drawn from its own inputSchema. Each call is judged by the requests that reached Prism:

  accepted   Prism found nothing wrong with the request (and neither did our own path check)
  violation  Prism (or our path check) flagged it; the messages say why
  not_sent   the tool answered isError without sending anything: it refused arguments its
             own schema accepts, or failed before sending
  failed     an exception or a timeout on the client side, or Prism became unreachable

Usage:
  python bench/fidelity.py SPEC [SPEC ...] [--calls N] [--seed S] [--out bench/results/fidelity]
  python bench/fidelity.py --folder ../shared/corpus/sample --calls 5 --jobs 2
  python bench/fidelity.py --ci      # a few small specs; exit 1 on anything but `accepted`
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from rest2mcp.diagnostics import GenerationFailed
from rest2mcp.document.loading import load
from rest2mcp.pipeline import Options, prepare
from rest2mcp.writing.manifest import write_files

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CORPUS = REPO.parent / "shared" / "corpus"
sys.path.insert(0, str(BENCH))

from fidelity_classify import FAILED, classify
from fidelity_draw import ArgumentDrawer
from fidelity_prism import (
    PRISM_MISSING,
    Prism,
    PrismNotStarted,
    RecordingProxy,
    dump_json,
    has_external_refs,
    prism_document,
    prism_installed,
)
from fidelity_report import CallRecord, SpecReport, totals, write_reports

# With the repository's own specs: small corpus specs with API keys in a header and in the
# query, form-urlencoded bodies, path parameters, and the OAI examples.
CI_CORPUS_SPECS = [
    "04-facecheck.id.json",
    "36-text2data.org.json",
    "40-oai_examples_examples_v3.0_petstore.yaml",
    "41-oai_examples_examples_v3.0_uspto.yaml",
]
CI_CALLS = 4
SPEC_SUFFIXES = (".json", ".yaml", ".yml")
DUMMY_SECRET = "dummy-secret"
CALL_TIMEOUT = 30.0  # seconds for one tools/call; the server's own HTTP timeout is below it
SERVER_HTTP_TIMEOUT = 20.0
RESULT_TEXT_LIMIT = 1000


@dataclass
class Settings:
    calls: int  # argument sets per tool
    seed: int
    prism_timeout: float
    max_tools: int | None
    work: Path  # each spec's generated server, Prism's copy of the spec and the logs

    def public(self) -> dict[str, Any]:
        return {"calls": self.calls, "seed": self.seed, "max_tools": self.max_tools}


# -- one spec -----------------------------------------------------------------------------------


def run_spec(spec: Path, settings: Settings, validate_against: Path | None = None) -> SpecReport:
    """Generate, serve and call every tool of `spec`; Prism validates against `validate_against`
    (default: the spec itself; another document lets a check be made against a stricter variant)."""
    report = SpecReport(spec=_display(spec))
    started = time.monotonic()
    try:
        generated = prepare(str(spec), Options())
    except GenerationFailed as exc:
        return _skipped(report, "refused by the generator", _first_line(str(exc)), started)
    except Exception as exc:  # noqa: BLE001 - a generator crash is a finding, not the end of the run
        return _skipped(report, "generator crashed", f"{type(exc).__name__}: {exc}", started)
    if not generated.api.tools:
        return _skipped(report, "no tools", "", started)

    work = settings.work / _slug(spec)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    write_files(work / "server", generated.files)
    prism = Prism(_prism_spec(validate_against or spec, work), work / "prism.log", settings.prism_timeout)
    try:
        prism.start()
    except PrismNotStarted as exc:
        return _skipped(report, "prism did not start", str(exc), started)
    try:
        with RecordingProxy(prism.port) as proxy:
            session = Session(generated.api, work, proxy, prism, settings, report)
            anyio.run(session.run)
    except Exception as exc:  # noqa: BLE001 - one broken spec must not end the run
        report.status, report.detail = "error", f"{type(exc).__name__}: {exc}"
    finally:
        report.prism_restarts = prism.restarts
        prism.stop()
    report.seconds = time.monotonic() - started
    return report


def _skipped(report: SpecReport, status: str, detail: str, started: float) -> SpecReport:
    report.status, report.detail, report.seconds = status, detail, time.monotonic() - started
    return report


def _prism_spec(spec: Path, work: Path) -> Path:
    """The copy Prism reads (see prism_document); the original when it has external `$ref`s,
    which a copy elsewhere could not resolve."""
    document = load(str(spec)).document
    if has_external_refs(document):
        return spec
    copy = work / "prism-spec.json"
    dump_json(prism_document(document), copy)
    return copy


def multi_segment_template(tool: Any) -> str:
    """The tool's path template, with `{name*}` for a path parameter whose value may hold "/"
    (allowReserved): our own path check then lets that value span several segments."""
    template = tool.path
    for argument in tool.arguments:
        if argument.location == "path" and argument.allow_reserved:
            template = template.replace("{" + argument.wire + "}", "{" + argument.wire + "*}")
    return template


class Session:
    """The generated server, started against the proxy, and every call made to it."""

    def __init__(self, api: Any, work: Path, proxy: RecordingProxy, prism: Prism, settings: Settings,
                 report: SpecReport):
        self.api = api
        self.work = work
        self.proxy = proxy
        self.prism = prism
        self.settings = settings
        self.report = report
        self.templates = {tool.name: multi_segment_template(tool) for tool in api.tools}
        self.drawer = ArgumentDrawer(settings.calls, settings.seed)

    def environment(self) -> dict[str, str]:
        secrets = {var: DUMMY_SECRET for scheme in self.api.used_schemes() for var in scheme.env}
        # Any request not addressed to the base URL goes to the proxy, which records and refuses
        # it: no request of the run can leave the machine.
        proxies = {name: self.proxy.url for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                                                      "http_proxy", "https_proxy", "all_proxy")}
        return {**os.environ, **secrets, **proxies, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}

    async def run(self) -> None:
        parameters = StdioServerParameters(
            command=sys.executable,
            # Every operation is called as the model would; no user is there to approve writes.
            args=["-m", self.api.module, "--base-url", self.proxy.url, "--timeout", str(SERVER_HTTP_TIMEOUT),
                  "--approval", "none"],
            cwd=str(self.work / "server"), env=self.environment(),
        )
        with (self.work / "server.log").open("w") as errlog:
            async with Client(stdio_client(parameters, errlog=errlog)) as client:
                tools = await list_all_tools(client)
                self.report.tools_listed = len(tools)
                for tool in tools[: self.settings.max_tools]:
                    await self.exercise(client, tool)

    async def exercise(self, client: Any, tool: Any) -> None:
        argument_sets, source = self.drawer.draw(tool.input_schema)
        self.report.draw_sources[source] += 1
        if not argument_sets:
            self.report.undrawable.append(tool.name)
        for arguments in argument_sets:
            record = await self.call(client, tool.name, arguments)
            if record.outcome == FAILED and not self.prism.alive():
                # Prism crashed on this request: restart it and give the call a second chance.
                self.prism.restart()
                self.proxy.upstream_port = self.prism.port
                record = await self.call(client, tool.name, arguments)
            self.report.calls.append(record)

    async def call(self, client: Any, name: str, arguments: dict[str, Any]) -> CallRecord:
        mark = self.proxy.mark()
        is_error, text, error = None, "", None
        try:
            with anyio.fail_after(CALL_TIMEOUT):
                result = await client.call_tool(name, arguments)
            is_error = bool(result.is_error)
            text = _result_text(result) if is_error else ""
        except TimeoutError:
            error = f"no answer within {CALL_TIMEOUT:g} s"
        except Exception as exc:  # noqa: BLE001 - any client-side failure is a `failed` call
            error = f"{type(exc).__name__}: {_first_line(str(exc))}"
        exchanges = self.proxy.since(mark)
        verdict = classify(exchanges, self.templates.get(name), is_error, error)
        return CallRecord(name, arguments, verdict.outcome, verdict.messages, verdict.notes,
                          [e.as_dict() for e in exchanges], text[:RESULT_TEXT_LIMIT])


async def list_all_tools(client: Any) -> list[Any]:
    tools, cursor = [], None
    while True:
        page = await client.list_tools(cursor=cursor)
        tools.extend(page.tools)
        cursor = page.next_cursor
        if not cursor:
            return tools


def _result_text(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content).strip()


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _display(spec: Path) -> str:
    for root in (CORPUS, REPO):
        try:
            return str(spec.resolve().relative_to(root.resolve()))
        except ValueError:
            continue
    return str(spec)


def _slug(spec: Path) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in _display(spec))[-80:]


# -- the command --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Check the requests generated MCP tools send against Prism.")
    parser.add_argument("specs", nargs="*", type=Path, help="OpenAPI documents")
    parser.add_argument("--folder", type=Path, help="every .json/.yaml/.yml file directly in this folder")
    parser.add_argument("--ci", action="store_true",
                        help="a few small specs with few calls; exit 1 unless every call is accepted")
    parser.add_argument("--calls", type=int, default=None, help="argument sets per tool (default 5; 4 with --ci)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the argument draws (default 0)")
    parser.add_argument("--max-tools", type=int, default=None, help="call at most this many tools per spec")
    parser.add_argument("--jobs", type=int, default=1, help="specs run side by side, each in its own process")
    parser.add_argument("--prism-timeout", type=float, default=60.0, help="seconds to wait for Prism to start")
    parser.add_argument("--all-calls", action="store_true",
                        help="keep every call in the JSON report (default: only calls not accepted)")
    parser.add_argument("--out", type=Path, default=None,
                        help="report path without suffix (default bench/results/fidelity, or fidelity-ci)")
    return parser.parse_args(argv)


def chosen_specs(args: argparse.Namespace) -> list[Path]:
    specs = list(args.specs)
    if args.folder:
        specs += sorted(p for p in args.folder.iterdir() if p.is_file() and p.suffix in SPEC_SUFFIXES)
    if args.ci:
        specs += sorted((REPO / "specs").glob("*.yaml")) + [CORPUS / "sample" / name for name in CI_CORPUS_SPECS]
    return specs


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_on_sigterm()
    specs = chosen_specs(args)
    if not specs:
        print("give SPEC files, --folder DIR or --ci", file=sys.stderr)
        return 2
    if not prism_installed():
        print(PRISM_MISSING, file=sys.stderr)
        return 2
    out = args.out or BENCH / "results" / ("fidelity-ci" if args.ci else "fidelity")
    calls = args.calls or (CI_CALLS if args.ci else 5)
    settings = Settings(calls, args.seed, args.prism_timeout, args.max_tools, out.parent / (out.name + ".work"))
    started = time.monotonic()
    reports = run_all(specs, settings, args.jobs)
    json_path, md_path = write_reports(reports, out, settings.public(), args.all_calls)
    total = totals(reports)
    print(f"total: {total['calls']} calls, accepted {total['accepted']}, violation {total['violation']}, "
          f"not_sent {total['not_sent']}, failed {total['failed']}; tools fully accepted "
          f"{total['tools_fully_accepted']}/{total['tools_called']}; {time.monotonic() - started:.0f} s")
    print(f"reports: {json_path} {md_path}")
    if args.ci:
        return ci_exit_code(reports)
    return 0


def run_all(specs: list[Path], settings: Settings, jobs: int) -> list[SpecReport]:
    """Every spec's report, in the order given; progress printed as each one ends."""
    if jobs <= 1:
        reports = []
        for spec in specs:
            reports.append(run_spec(spec, settings))
            print(_progress_line(reports[-1]), flush=True)
        return reports
    with ProcessPoolExecutor(max_workers=jobs, initializer=exit_on_sigterm) as pool:
        futures = {pool.submit(run_spec, spec, settings): index for index, spec in enumerate(specs)}
        done: dict[int, SpecReport] = {}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            print(_progress_line(done[futures[future]]), flush=True)
    return [done[index] for index in range(len(specs))]


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so the `finally` blocks stop Prism and the server: Prism runs
    in a session of its own and would outlive a process killed without them."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def ci_exit_code(reports: list[SpecReport]) -> int:
    """1 when any call was not accepted or any CI spec could not be run at all."""
    total = totals(reports)
    bad = total["violation"] + total["not_sent"] + total["failed"]
    return 1 if bad or total["specs_run"] != len(reports) else 0


def _progress_line(report: SpecReport) -> str:
    if report.status != "ok":
        return f"{report.spec}: {report.status} {report.detail[:200]}"
    s = report.summary()
    return (f"{report.spec}: {s['tools']} tools, {s['calls']} calls: accepted {s['accepted']}, violation "
            f"{s['violation']}, not_sent {s['not_sent']}, failed {s['failed']} ({s['seconds']} s)")


if __name__ == "__main__":
    sys.exit(main())
