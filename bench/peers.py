"""rest2mcp side by side with its peers, FastMCP (`FastMCP.from_openapi`) and openapi-mcp-generator.

    bash bench/install_peers.sh          # once: the peers, pinned, under bench/peers/
    .venv/bin/python bench/peers.py      # bench/results/peers.{md,json,png}

On the largest documents of the shared corpus and a synthetic 10,000-operation document (the one
bench/startup.py writes): generation time and peak memory, spawn to a complete tools/list over
stdio, and the tools/list payload (bytes: all, input schemas, output schemas, descriptions). On a
one-operation API served on 127.0.0.1: the time of a tool call over stdio, next to a hand-written
low-level `mcp` server making the same httpx call (the floor). With `--http`, bench/load.py's
Streamable HTTP throughput at 50 clients (ours against its floor). Everything is measured in one
run, so ratios are comparable even on a busy machine; a peer that fails on a document is reported
as failed with its reason, and the run goes on.
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

import anyio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import peers_servers as servers
import startup

PEERS = ROOT / "bench" / "peers"
PEER_PYTHON = PEERS / ".venv" / "bin" / "python"
OMG = PEERS / "node_modules" / "openapi-mcp-generator" / "bin" / "openapi-mcp-generator.js"
# GitHub's REST API description (api.github.com, as published in the npm package @octokit/openapi,
# pinned by bench/peers/package.json): the largest real API we measure, 13 MB and 1,200 operations.
GITHUB = PEERS / "node_modules" / "@octokit" / "openapi" / "generated" / "api.github.com.json"
DEFAULT_OUT = ROOT / "bench" / "results" / "peers"
BUILD_TIMEOUT = 600  # seconds for tsc (it needs more than 6 minutes and 4 GB on 10,000 tools, then fails)
NAMES = {"rest2mcp": "rest2mcp", "fastmcp": "FastMCP.from_openapi", "omg": "openapi-mcp-generator"}


def timed(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
          timeout: float = 900) -> dict[str, Any]:
    """Wall time, peak resident memory and outcome of one command. A small helper process starts it
    and reads its rusage: a child forked from this (large) process would report this process's
    memory as its own peak (Linux keeps the high-water mark across exec)."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "measure.json"
        helper = [sys.executable, str(ROOT / "bench" / "peers_servers.py"), "measure", str(report), str(timeout), "--", *command]
        subprocess.run(helper, cwd=cwd, env=env, check=False)
        try:
            measured = json.loads(report.read_text("utf-8"))
        except (OSError, ValueError):
            return {"ok": False, "error": "not measured"}
    if measured.get("timed_out"):
        return {"ok": False, "error": f"timed out after {timeout:.0f} s"}
    result = {"ok": measured["code"] == 0, "seconds": measured["seconds"], "peak_mb": measured["peak_kb"] / 1024}
    if measured["code"] != 0:
        result["error"] = f"exit {measured['code']}: " + " / ".join(measured["output"].strip().splitlines()[-3:])[:300]
    return result


def environment(**extra: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {**kept, **extra}


# -- generation ------------------------------------------------------------------------------------


def generate_rest2mcp(spec: Path, out: Path, fast: bool) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    extra = ["--skip-validation", "--no-models"] if fast else []
    # no cache: every run does the whole work, as on a document never seen before
    run = timed([sys.executable, "-m", "rest2mcp", "generate", str(spec), "-o", str(out), "--name", "bench-mcp", *extra],
                env=environment(REST2MCP_CACHE_DIR="off", PYTHONPATH=str(ROOT / "generator")))
    return run


def generate_omg(spec: Path, out: Path) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    run = timed(["node", str(OMG), "-i", str(spec), "-o", str(out), "-n", "bench", "-b", "http://127.0.0.1:9"],
                env=environment())
    if not run["ok"]:
        return run
    # its project is TypeScript: built with tsc, against the dependencies installed once under bench/peers
    (out / "node_modules").symlink_to(PEERS / "node_modules")
    build = timed(["node", str(PEERS / "node_modules" / "typescript" / "bin" / "tsc")], cwd=out, env=environment(),
                  timeout=BUILD_TIMEOUT)
    run["build_seconds"] = build.get("seconds")
    if not build["ok"] or not (out / "build" / "index.js").is_file():
        run.update(ok=False, error="tsc build failed: " + build.get("error", "no build/index.js"))
    return run


# -- serving ---------------------------------------------------------------------------------------


def server_command(peer: str, spec: Path, package: Path | None, base_url: str) -> tuple[list[str], Path, dict[str, str]]:
    if peer == "rest2mcp":
        assert package is not None
        return ([sys.executable, "-m", "bench_mcp", "--base-url", base_url], package,
                environment(PYTHONPATH=str(ROOT / "generator")))
    if peer == "fastmcp":
        return [str(PEER_PYTHON), str(ROOT / "bench" / "peers_servers.py"), "fastmcp", str(spec), base_url], ROOT, environment()
    if peer == "omg":
        assert package is not None
        return ["node", str(package / "build" / "index.js")], package, environment(API_BASE_URL=base_url)
    if peer == "floor":
        return [sys.executable, str(ROOT / "bench" / "peers_servers.py"), "floor", str(spec), base_url], ROOT, environment()
    raise ValueError(peer)


async def _session(command: list[str], cwd: Path, env: dict[str, str], calls: int, timeout: float,
                   errlog: Any) -> dict[str, Any]:
    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client

    parameters = StdioServerParameters(command=command[0], args=command[1:], cwd=str(cwd), env=env)
    tools: list[Any] = []
    latencies = []
    with anyio.fail_after(timeout):
        started = time.perf_counter()
        async with Client(stdio_client(parameters, errlog=errlog), mode="legacy") as client:
            cursor = None
            while True:
                page = await client.list_tools(cursor=cursor)
                tools.extend(page.tools)
                cursor = page.next_cursor
                if not cursor:
                    break
            listed = time.perf_counter() - started
            if calls:
                name = next(t.name for t in tools if "pet" in t.name.lower())
                for number in range(calls + 5):
                    began = time.perf_counter()
                    result = await client.call_tool(name, {"petId": 1 + number % 50})
                    if result.is_error or "pet-" not in json.dumps(result.model_dump(mode="json")):
                        raise RuntimeError(f"call failed: {str(result.content)[:200]}")
                    if number >= 5:  # the first calls warm up the connection pool
                        latencies.append(time.perf_counter() - began)
    return {"list_seconds": listed, "tools": tools, "latencies": latencies}


def serve(peer: str, spec: Path, package: Path | None, base_url: str, calls: int = 0, timeout: float = 300) -> dict[str, Any]:
    command, cwd, env = server_command(peer, spec, package, base_url)
    try:
        with open(os.devnull, "w") as errlog:
            return {"ok": True, **anyio.run(_session, command, cwd, env, calls, timeout, errlog)}
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return {"ok": False, "error": f"{type(exc).__name__}: {str(exc)[:300]}"}


def payload(tools: list[Any]) -> dict[str, int]:
    dumped = [tool.model_dump(by_alias=True, exclude_none=True, mode="json") for tool in tools]

    def size(value: Any) -> int:
        return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()) if value is not None else 0

    return {"tools": len(dumped), "bytes": size(dumped), "input": sum(size(t.get("inputSchema")) for t in dumped),
            "output": sum(size(t.get("outputSchema")) for t in dumped),
            "description": sum(len((t.get("description") or "").encode()) for t in dumped)}


# -- the run ---------------------------------------------------------------------------------------


def documents(corpus: Path, count: int, work: Path, synthetic: int, github: bool) -> list[tuple[str, Path]]:
    index = json.loads((corpus / "INDEX.json").read_text("utf-8"))
    largest = sorted((r for r in index if not r.get("multi_file")), key=lambda r: -r["ops"])[:count]
    found = [(f"{r['id']} ({r['ops']} ops)", corpus / r["file"]) for r in largest]
    if github:
        operations = sum(1 for item in json.loads(GITHUB.read_text("utf-8"))["paths"].values()
                         for method in item if method in ("get", "put", "post", "delete", "patch", "head", "options", "trace"))
        found.insert(0, (f"github ({operations} ops)", GITHUB))
    if synthetic:
        path = work / f"synthetic-{synthetic}.json"
        path.write_text(json.dumps(startup.synthetic_spec(synthetic)), "utf-8")
        found.append((f"synthetic ({synthetic:,} ops)", path))
    return found


def measure_document(label: str, spec: Path, work: Path, repeat: int) -> dict[str, Any]:
    row: dict[str, Any] = {"document": label}
    slug = "".join(c if c.isalnum() else "-" for c in spec.stem)
    ours, omg = work / f"r2m-{slug}", work / f"omg-{slug}"
    row["generate"] = {"rest2mcp_fast": generate_rest2mcp(spec, ours.with_name(ours.name + "-fast"), fast=True),
                       "rest2mcp_full": generate_rest2mcp(spec, ours, fast=False), "omg": generate_omg(spec, omg)}
    packages = {"rest2mcp": ours, "fastmcp": None, "omg": omg}
    row["serve"] = {}
    for peer, package in packages.items():
        if peer == "omg" and not row["generate"]["omg"]["ok"]:
            row["serve"][peer] = {"ok": False, "error": "not generated"}
            continue
        runs = [serve(peer, spec, package, "http://127.0.0.1:9") for _ in range(repeat)]
        failed = next((r for r in runs if not r["ok"]), None)
        if failed:
            row["serve"][peer] = failed
            continue
        row["serve"][peer] = {"ok": True, "list_seconds": statistics.median(r["list_seconds"] for r in runs),
                              "payload": payload(runs[0]["tools"])}
        print(f"  {label}: {peer} listed in {row['serve'][peer]['list_seconds']:.2f} s", file=sys.stderr)
    return row


def measure_calls(work: Path, calls: int) -> dict[str, Any]:
    """Per-call time over stdio against one local upstream, each peer and the floor."""
    spec = work / "pets.json"
    spec.write_text(json.dumps(servers.PETS_SPEC), "utf-8")
    port = startup_port()
    upstream = subprocess.Popen([sys.executable, str(ROOT / "bench" / "peers_servers.py"), "upstream", str(port)],
                                env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        servers.wait_for_port(port)
        base = f"http://127.0.0.1:{port}"
        ours, omg = work / "r2m-pets", work / "omg-pets"
        generated = {"rest2mcp": generate_rest2mcp(spec, ours, fast=False), "omg": generate_omg(spec, omg)}
        results: dict[str, Any] = {}
        for peer, package in (("floor", None), ("rest2mcp", ours), ("fastmcp", None), ("omg", omg)):
            if peer in generated and not generated[peer]["ok"]:
                results[peer] = {"ok": False, "error": generated[peer].get("error")}
                continue
            run = serve(peer, spec, package, base, calls=calls)
            if run["ok"]:
                latencies = sorted(run.pop("latencies"))
                run.pop("tools")
                run.update(calls=len(latencies), median_ms=statistics.median(latencies) * 1000,
                           p90_ms=latencies[int(0.9 * (len(latencies) - 1))] * 1000)
            results[peer] = run
            print(f"  calls: {peer}: {run.get('median_ms', run.get('error'))}", file=sys.stderr)
        return results
    finally:
        upstream.terminate()
        upstream.wait(10)


def startup_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_throughput(calls: int, out: Path) -> dict[str, Any]:
    target = out.with_name(out.name + "-load")
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--configs", "floor,ours", "--calls", str(calls),
                          "--out", str(target)], check=False, capture_output=True, text=True)
    if not target.with_suffix(".json").is_file():
        return {"ok": False, "error": run.stderr.strip().splitlines()[-1:] or ["no report"]}
    return {"ok": run.returncode == 0, "report": json.loads(target.with_suffix(".json").read_text("utf-8"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--documents", type=int, default=2, help="how many of the corpus's largest documents")
    parser.add_argument("--synthetic", type=int, default=10_000, help="operations of the synthetic document (0: none)")
    parser.add_argument("--repeat", type=int, default=3, help="spawn-to-tools/list runs per server (median)")
    parser.add_argument("--calls", type=int, default=200, help="tool calls per server over stdio")
    parser.add_argument("--http", type=int, default=0, metavar="CALLS",
                        help="also run bench/load.py (50 clients, Streamable HTTP) with this many calls")
    parser.add_argument("--no-github", dest="github", action="store_false",
                        help="leave out GitHub's REST API document (installed with the peers)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    missing = [str(p) for p in (PEER_PYTHON, OMG, *([GITHUB] if args.github else [])) if not p.exists()]
    if missing:
        raise SystemExit(f"peers not installed ({', '.join(missing)}): run bash bench/install_peers.sh")
    work = Path(tempfile.mkdtemp(prefix="rest2mcp-peers-"))
    try:
        rows = []
        for label, spec in documents(args.corpus, args.documents, work, args.synthetic, args.github):
            print(f"{label}", file=sys.stderr)
            rows.append(measure_document(label, spec, work, args.repeat))
        report = {"documents": rows, "calls": measure_calls(work, args.calls), "machine": machine(),
                  "versions": versions(), "settings": vars(args) | {"corpus": str(args.corpus), "out": str(args.out)}}
        if args.http:
            report["http"] = load_throughput(args.http, args.out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(report, indent=1, default=str) + "\n", "utf-8")
    import peers_report

    args.out.with_suffix(".md").write_text(peers_report.markdown(report), "utf-8")
    chart = subprocess.run([str(PEER_PYTHON), str(ROOT / "bench" / "peers_report.py"), str(args.out.with_suffix(".json")),
                            str(args.out.with_suffix(".png"))], check=False, capture_output=True, text=True)
    if chart.returncode:
        print(f"chart not drawn: {chart.stderr.strip()[-300:]}", file=sys.stderr)
    print(args.out.with_suffix(".md").read_text("utf-8"))
    return 0


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "load_average": os.getloadavg()}


def versions() -> dict[str, str]:
    def run(command: list[str]) -> str:
        try:
            return subprocess.run(command, check=False, capture_output=True, text=True, timeout=60).stdout.strip()[:80]
        except OSError as exc:
            return str(exc)

    omg = json.loads((PEERS / "node_modules" / "openapi-mcp-generator" / "package.json").read_text("utf-8"))["version"]
    return {"rest2mcp": run([sys.executable, "-m", "rest2mcp", "--version"]),
            "fastmcp": run([str(PEER_PYTHON), "-c", "import fastmcp; print(fastmcp.__version__)"]),
            "openapi-mcp-generator": omg, "node": run(["node", "--version"]), "python": sys.version.split()[0]}


if __name__ == "__main__":
    sys.exit(main())
