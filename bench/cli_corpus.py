"""Run the command line's `tools`, `lint`, `serve` and `update` over a corpus, as a user would.

    python bench/cli_corpus.py                          # ../shared/corpus/sample
    python bench/cli_corpus.py ../shared/corpus/swagger2 some.yaml --jobs 4 --out /tmp/cli

For each spec (found as bench/sweep.py finds them: files, and the root of each multi-file folder), in
separate processes of the installed `rest2mcp` (`python -m rest2mcp`):

- `tools SPEC --json`: the exit code and the number of tools;
- `lint SPEC --json --fail-on never`: the findings, counted by code;
- `serve SPEC --base-url http://127.0.0.1:9` over stdio, through the official `mcp.Client`: it must
  list as many tools as `tools` said (every page);
- `generate SPEC -o TMP`, then `update TMP` (nothing to write) and `check -o TMP` (up to date).

Writes `<out>.json` (every record and the totals) and `<out>.md` (a row per spec, the lint counts
by code over the corpus, and every failure). Exit code 1 when any step failed (a spec the generator
refuses with diagnostics, exit 1 everywhere, is not a failure: it is counted as refused).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from sweep import Spec, collect_specs

CORPUS = Path(os.environ.get("REST2MCP_CORPUS") or HERE.parents[1] / "shared" / "corpus")
SERVER_BASE_URL = "http://127.0.0.1:9"  # nothing listens: listing tools calls no API
KEEP_ENV = ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT")


def rest2mcp(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rest2mcp", *args], capture_output=True, text=True,
                          timeout=timeout, check=False, stdin=subprocess.DEVNULL)


def json_lines(text: str) -> list[dict[str, Any]]:
    found = []
    for line in text.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found


async def list_over_stdio(spec: str, timeout: float, errlog: Any) -> int:
    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client

    parameters = StdioServerParameters(
        command=sys.executable, args=["-m", "rest2mcp", "serve", spec, "--quiet", "--base-url", SERVER_BASE_URL],
        env={k: v for k, v in os.environ.items() if k in KEEP_ENV})
    with anyio.fail_after(timeout):
        async with Client(stdio_client(parameters, errlog=errlog), mode="legacy") as client:
            count, cursor = 0, None
            while True:
                page = await client.list_tools(cursor=cursor)
                count += len(page.tools)
                cursor = page.next_cursor
                if not cursor:
                    return count


def check_spec(spec: Spec, timeout: float) -> dict[str, Any]:
    record: dict[str, Any] = {"spec": spec.id, "failures": []}
    started = time.perf_counter()

    def fail(step: str, message: str) -> None:
        record["failures"].append({"step": step, "message": message[:2000]})

    listed = rest2mcp("tools", spec.path, "--json", timeout=timeout)
    record["tools_exit"] = listed.returncode
    if listed.returncode == 0:
        record["tools"] = len(json.loads(listed.stdout))
    elif listed.returncode == 1 and "Traceback" not in listed.stderr:
        record["refused"] = sorted({d["code"] for d in json_lines(listed.stderr) if d.get("severity") == "error"})
    else:
        fail("tools", listed.stderr[-2000:])

    linted = rest2mcp("lint", spec.path, "--json", "--fail-on", "never", timeout=timeout)
    if linted.returncode == 0:
        findings = json.loads(linted.stdout)
        by_code: dict[str, int] = {}
        for finding in findings:
            by_code[finding["code"]] = by_code.get(finding["code"], 0) + 1
        record["lint"] = dict(sorted(by_code.items()))
    elif not (linted.returncode == 1 and "refused" in record):
        fail("lint", f"exit {linted.returncode}: {linted.stderr[-2000:]}")

    if "tools" in record:
        with tempfile.TemporaryDirectory(prefix="rest2mcp-cli-") as folder:
            errors = Path(folder) / "serve-stderr.txt"
            with errors.open("w") as errlog:
                try:
                    served = anyio.run(list_over_stdio, spec.path, timeout, errlog)
                    if served != record["tools"]:
                        fail("serve", f"listed {served} tools, `tools` said {record['tools']}")
                    record["served"] = served
                except Exception as exc:  # noqa: BLE001 -- whatever stops the listing is the finding
                    fail("serve", f"{type(exc).__name__}: {exc}; stderr: {errors.read_text()[-1500:]}")
            out = str(Path(folder) / "package")
            generated = rest2mcp("generate", spec.path, "-o", out, "--no-models", "--quiet", timeout=timeout)
            if generated.returncode != 0:
                fail("generate", generated.stderr[-2000:])
            else:
                updated = rest2mcp("update", out, "--json", timeout=timeout)
                result = json.loads(updated.stdout) if updated.stdout.strip() else {}
                if updated.returncode != 0 or result.get("files", {}).get("written"):
                    fail("update", f"exit {updated.returncode}, wrote {result.get('files', {}).get('written')}: "
                         f"{updated.stderr[-1500:]}")
                checked = rest2mcp("check", "-o", out, timeout=timeout)
                if checked.returncode != 0:
                    fail("check", checked.stdout[-1000:] + checked.stderr[-1000:])
    record["seconds"] = round(time.perf_counter() - started, 2)
    return record


def report(records: list[dict[str, Any]], out: Path) -> int:
    totals: dict[str, int] = {}
    for record in records:
        for code, count in (record.get("lint") or {}).items():
            totals[code] = totals.get(code, 0) + count
    totals = dict(sorted(totals.items()))
    failures = [(r["spec"], f) for r in records for f in r["failures"]]
    summary = {"specs": len(records), "listed": sum("tools" in r for r in records),
               "refused": sum("refused" in r for r in records), "linted": sum("lint" in r for r in records),
               "served": sum("served" in r for r in records), "failures": len(failures),
               "findings": sum(totals.values()), "lint_by_code": totals}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps({"summary": summary, "records": records}, indent=1) + "\n")
    lines = ["# rest2mcp tools / lint / serve / update over a corpus", "",
             "| spec | tools | served | lint findings | refused | failures | seconds |", "|---|---|---|---|---|---|---|"]
    for r in records:
        lint = sum((r.get("lint") or {}).values()) if "lint" in r else ""
        lines.append(f"| {r['spec']} | {r.get('tools', '')} | {r.get('served', '')} | {lint} | "
                     f"{','.join(r.get('refused', []))} | {len(r['failures'])} | {r['seconds']} |")
    lines += ["", "## Lint findings by code", "", "| code | findings | specs |", "|---|---|---|"]
    for code, count in totals.items():
        specs = sum(code in (r.get("lint") or {}) for r in records)
        lines.append(f"| {code} | {count} | {specs} |")
    lines += ["", f"Totals: {json.dumps({k: v for k, v in summary.items() if k != 'lint_by_code'})}", ""]
    if failures:
        lines += ["## Failures", ""] + [f"- {spec}: {f['step']}: {f['message']}" for spec, f in failures]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print(json.dumps(summary, indent=1))
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", type=Path, help="corpus folders or spec files (default: the sample)")
    parser.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per step")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "cli_corpus")
    args = parser.parse_args(argv)
    specs = collect_specs(args.targets or [CORPUS / "sample"], directory=False)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        records = list(pool.map(lambda spec: check_spec(spec, args.timeout), specs))
    for record in records:
        status = "ok" if not record["failures"] else "FAILED " + ", ".join(f["step"] for f in record["failures"])
        print(f"{record['spec']}: {record.get('tools', 'refused')} tools, {status}", file=sys.stderr)
    return report(records, args.out)


if __name__ == "__main__":
    sys.exit(main())
