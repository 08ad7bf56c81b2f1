"""How long `rest2mcp generate` takes, next to openapi-mcp-generator, in one run.

For GitHub's REST API (1,223 operations; the description bench/install_peers.sh installs from npm
`@octokit/openapi`, left out when absent or with `--no-github`), the largest document of the corpus
(Mist, 779 operations) and a synthetic document (`--synthetic` operations, bench/startup.py's
generator), each measured `--repeat` times, the
measures interleaved so that they share the machine's load:

- **first**: `generate SPEC -o DIR` into an empty folder with an empty cache (validation, typed
  models, everything computed); timed `--first-repeat` times (it takes a minute on 10,000 operations);
- **unchanged**: the same command again over its own folder (the answer of the up-to-date check);
- **fast**: `generate --skip-validation --no-models` into an empty folder, cache off; and the same
  in one process (`REST2MCP_PROCESSES=1`: a machine without a second core, or not Linux);
- **omg**: openapi-mcp-generator on the same document (`bash bench/install_peers.sh` installs it;
  generation only: its TypeScript build is bench/peers.py's business).

`--baseline REF` also measures rest2mcp as of a git ref (its `generator/` and `templates/`,
unpacked by `git archive`), for before/after numbers from the same run. Wall times are medians,
with the spread (min-max); ratios are taken within this run. Writes bench/results/generation.{md,json}.

    .venv/bin/python bench/generation.py
    .venv/bin/python bench/generation.py --repeat 5 --baseline main --synthetic 10000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import startup

OMG = ROOT / "bench" / "peers" / "node_modules" / "openapi-mcp-generator" / "bin" / "openapi-mcp-generator.js"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "sample"
DEFAULT_OUT = ROOT / "bench" / "results" / "generation"
MIST = "11-mist.com.json"
# GitHub's REST API description (npm @octokit/openapi, installed by bench/install_peers.sh)
GITHUB = ROOT / "bench" / "peers" / "node_modules" / "@octokit" / "openapi" / "generated" / "api.github.com.json"


def timed(command: list[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    run: dict[str, Any] = {"seconds": seconds, "ok": result.returncode == 0}
    if result.returncode != 0:
        run["error"] = f"exit {result.returncode}: " + " / ".join(result.stderr.strip().splitlines()[-3:])[:300]
    return run


class Generator:
    """One rest2mcp source tree (this checkout, or a baseline unpacked from git)."""

    def __init__(self, label: str, source: Path, work: Path):
        self.label, self.source, self.work = label, source, work

    def env(self, cache: Path | str) -> dict[str, str]:
        kept = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
        return {**kept, "PYTHONPATH": str(self.source / "generator"), "REST2MCP_CACHE_DIR": str(cache)}

    def command(self, spec: Path, out: Path, *extra: str) -> list[str]:
        return [sys.executable, "-m", "rest2mcp", "generate", str(spec), "-o", str(out), "--name", "bench-mcp",
                "--quiet", *extra]

    def first_and_unchanged(self, spec: Path, slug: str) -> tuple[dict[str, Any], dict[str, Any]]:
        out, cache = self.work / f"{self.label}-{slug}", self.work / f"{self.label}-{slug}-cache"
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        first = timed(self.command(spec, out), self.env(cache), self.work)
        return first, self.unchanged(spec, slug)

    def unchanged(self, spec: Path, slug: str) -> dict[str, Any]:
        out, cache = self.work / f"{self.label}-{slug}", self.work / f"{self.label}-{slug}-cache"
        return timed(self.command(spec, out), self.env(cache), self.work)

    def fast(self, spec: Path, slug: str, processes: str | None = None) -> dict[str, Any]:
        """The fast path; `processes` "1": in one process (REST2MCP_PROCESSES, see mapping/output_process.py)."""
        out = self.work / f"{self.label}-{slug}-fast"
        shutil.rmtree(out, ignore_errors=True)
        env = self.env("off") | ({"REST2MCP_PROCESSES": processes} if processes else {})
        return timed(self.command(spec, out, "--skip-validation", "--no-models"), env, self.work)


def omg(spec: Path, work: Path, slug: str) -> dict[str, Any]:
    out = work / f"omg-{slug}"
    shutil.rmtree(out, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return timed(["node", str(OMG), "-i", str(spec), "-o", str(out), "-n", "bench", "-b", "http://127.0.0.1:9"], env, work)


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    failed = next((r for r in runs if not r["ok"]), None)
    if failed is not None:
        return {"ok": False, "error": failed["error"]}
    seconds = [r["seconds"] for r in runs]
    return {"ok": True, "median": statistics.median(seconds), "min": min(seconds), "max": max(seconds),
            "runs": seconds}


def measure(label: str, spec: Path, generators: list[Generator], work: Path, repeat: int,
            first_repeat: int, with_omg: bool) -> dict[str, Any]:
    slug = "".join(c if c.isalnum() else "-" for c in spec.stem)
    runs: dict[str, list[dict[str, Any]]] = {}
    for round_ in range(repeat):
        for generator in generators:
            if round_ < first_repeat:
                first, unchanged = generator.first_and_unchanged(spec, slug)
                runs.setdefault(f"{generator.label} first", []).append(first)
            else:
                unchanged = generator.unchanged(spec, slug)
            runs.setdefault(f"{generator.label} unchanged", []).append(unchanged)
            runs.setdefault(f"{generator.label} fast", []).append(generator.fast(spec, slug))
            if generator.source == ROOT:  # what a machine without a second core (or not Linux) takes
                runs.setdefault(f"{generator.label} fast, one process", []).append(generator.fast(spec, slug, "1"))
        if with_omg:
            runs.setdefault("openapi-mcp-generator", []).append(omg(spec, work, slug))
        print(f"  {label}: round {round_ + 1}/{repeat} done", file=sys.stderr)
    return {"document": label, "measures": {name: summary(r) for name, r in runs.items()}}


def ratios(row: dict[str, Any], labels: list[str]) -> dict[str, float]:
    measures = row["measures"]

    def median(name: str) -> float | None:
        found = measures.get(name)
        return found["median"] if found and found["ok"] else None

    found: dict[str, float] = {}
    omg_time = median("openapi-mcp-generator")
    for label in labels:
        fast, first, unchanged = median(f"{label} fast"), median(f"{label} first"), median(f"{label} unchanged")
        if fast and omg_time:
            found[f"{label} fast / openapi-mcp-generator"] = fast / omg_time
        one = median(f"{label} fast, one process")
        if one and omg_time:
            found[f"{label} fast in one process / openapi-mcp-generator"] = one / omg_time
        if unchanged and first:
            found[f"{label} unchanged / first"] = unchanged / first
    if len(labels) == 2:
        for kind in ("first", "unchanged", "fast"):
            new, old = median(f"{labels[0]} {kind}"), median(f"{labels[1]} {kind}")
            if new and old:
                found[f"{kind}: {labels[0]} / {labels[1]}"] = new / old
    return found


def markdown(report: dict[str, Any]) -> str:
    header = (f"Load average at start {report['load'][0]:.2f}, at end {report['load'][1]:.2f}; "
              f"{report['repeat']} rounds (first run: {report['first_repeat']}); median wall seconds (min-max).")
    lines = ["# rest2mcp generate: timings", "", header, ""]
    for row in report["rows"]:
        lines += [f"## {row['document']}", "", "| measure | median s | min-max s |", "|---|---|---|"]
        for name, found in row["measures"].items():
            if found["ok"]:
                lines.append(f"| {name} | {found['median']:.2f} | {found['min']:.2f}-{found['max']:.2f} |")
            else:
                lines.append(f"| {name} | failed | {found['error']} |")
        lines += ["", *[f"- {name}: **{value:.2f}x**" for name, value in row["ratios"].items()], ""]
    return "\n".join(lines) + "\n"


def baseline_tree(ref: str, work: Path) -> Path:
    tree = work / "baseline-source"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", ref, "generator", "templates"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder holding 11-mist.com.json")
    parser.add_argument("--synthetic", type=int, default=10_000, help="operations of the synthetic document (0: none)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of every measure")
    parser.add_argument("--first-repeat", type=int, default=1, help="rounds that also time the first (cold) run")
    parser.add_argument("--baseline", metavar="REF", help="also measure rest2mcp as of this git ref")
    parser.add_argument("--no-github", dest="github", action="store_false",
                        help="leave out GitHub's REST API document (measured when bench/install_peers.sh installed it)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report path without extension")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rest2mcp-generation-") as scratch:
        work = Path(scratch)
        generators = [Generator("rest2mcp", ROOT, work)]
        if args.baseline:
            generators.append(Generator(f"baseline {args.baseline}", baseline_tree(args.baseline, work), work))
        documents = []
        if GITHUB.is_file() and args.github:
            documents.append(("GitHub (1,223 operations)", GITHUB))
        mist = args.corpus / MIST
        if mist.is_file():
            documents.append(("Mist (779 operations)", mist))
        else:
            print(f"no {mist}: only the synthetic document", file=sys.stderr)
        if args.synthetic:
            synthetic = work / f"synthetic-{args.synthetic}.json"
            synthetic.write_text(json.dumps(startup.synthetic_spec(args.synthetic)), "utf-8")
            documents.append((f"synthetic ({args.synthetic:,} operations)", synthetic))
        with_omg = OMG.is_file() and shutil.which("node") is not None
        if not with_omg:
            print("openapi-mcp-generator is not installed (bash bench/install_peers.sh): left out", file=sys.stderr)
        load_start = os.getloadavg()[0]
        rows = []
        for label, spec in documents:
            row = measure(label, spec, generators, work, args.repeat, min(args.first_repeat, args.repeat), with_omg)
            row["ratios"] = ratios(row, [g.label for g in generators])
            rows.append(row)
        report = {"rows": rows, "repeat": args.repeat, "first_repeat": args.first_repeat,
                  "load": [load_start, os.getloadavg()[0]], "python": sys.version.split()[0]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    text = markdown(report)
    args.out.with_suffix(".md").write_text(text, "utf-8")
    print(text)
    return 0 if all(m["ok"] for row in rows for m in row["measures"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
