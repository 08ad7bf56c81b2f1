"""Load benchmark: many MCP clients calling a generated server's tool over Streamable HTTP.

50 concurrent `mcp.Client`s (default) make 10,000 `showPetById` calls in all against the generated
petstore server (`generated/petstore`, run as `python -m petstore_mcp --transport http`), which
calls a local upstream API for each. The same load runs, in the same run, against the floor: a
hand-written low-level `mcp` `Server` with that one tool doing the same httpx GET and returning
the same JSON as structured content, served the same way (stateless Streamable HTTP, uvicorn).

    python bench/load.py [--clients 50] [--calls 10000] [--rounds 1] [--out bench/results/load]

Configurations (`--configs`, comma-separated; default all but the profiled ones):

- `floor`: the hand-written server; `floor-auth`: the same behind the SDK's bearer middleware
  with a one-token verifier;
- `ours`: the generated server as shipped (audit lines on stderr, written to a file here);
- `ours-no-audit`: with `--audit-log off`;
- `ours-auth`: with `--auth-token` (every client sends `Authorization: Bearer ...`);
- `ours-auth-2w`: the same with `--workers 2`.

Every call is checked: a call counts as an error when it raises, when the result is `isError`, or
when its structured content is not the pet the upstream returned for that id. The upstream
counts what reached it and refuses a request without the operator's API key or carrying the
client's MCP token. Writes <out>.md (the table, also printed) and <out>.json; `--profile` runs
each server under cProfile and writes <out>.profile-<config>.txt and .prof (pstats; timings of a
profiled run are not comparable). Exit code 1 when any call failed.
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import platform
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = REPO_ROOT / "generated" / "petstore"
MODULE = "petstore_mcp"
TOOL = "showPetById"
DEFAULT_OUT = REPO_ROOT / "bench" / "results" / "load"
API_KEY = "load-api-key-" + "k" * 20
TOKEN = "load-token-" + "t" * 40
GOAL_RATIO = 0.8
ENV_KEEP = ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Config:
    name: str
    label: str
    server: str  # "floor" or "ours"
    auth: bool = False
    args: tuple[str, ...] = ()


CONFIGS = {c.name: c for c in (
    Config("floor", "floor: hand-written low-level server", "floor"),
    Config("floor-auth", "floor + SDK bearer check", "floor", auth=True),
    Config("ours", "**ours** (audit log on)", "ours"),
    Config("ours-no-audit", "ours, `--audit-log off`", "ours", args=("--audit-log", "off")),
    Config("ours-auth", "**ours + `--auth-token`**", "ours", auth=True),
    Config("ours-auth-2w", "ours + `--auth-token`, `--workers 2`", "ours", auth=True, args=("--workers", "2")),
)}
DEFAULT_CONFIGS = tuple(CONFIGS)


def expected(pet_id: int) -> dict[str, Any]:
    return {"id": pet_id, "name": f"pet-{pet_id}", "tag": None}


# -- the upstream API (its own process) ------------------------------------------------------------


def serve_upstream(port: int) -> None:
    """GET /pets/{id} -> the pet as JSON; GET /stats -> what it answered. A bare ASGI app, so that
    the upstream costs as little CPU as uvicorn allows."""
    import uvicorn

    stats = {"ok": 0, "refused": 0}
    key = API_KEY.encode()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = dict(scope["headers"])
        path = scope["path"]
        status, body = 404, b'{"code": 404, "message": "not found"}'
        if path == "/stats":
            status, body = 200, json.dumps(stats).encode()
        elif path.startswith("/pets/") and path[6:].isdigit():
            if not hmac.compare_digest(headers.get(b"x-api-key", b""), key) or b"authorization" in headers:
                stats["refused"] += 1
                status, body = 401, b'{"code": 401, "message": "wrong credentials"}'
            else:
                stats["ok"] += 1
                status, body = 200, json.dumps(expected(int(path[6:]))).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")


# -- the floor: a hand-written low-level server with the one tool ------------------------------------


def serve_floor(port: int, base_url: str, auth: bool) -> None:
    import httpx
    import uvicorn
    from mcp import types
    from mcp.server import Server

    catalog = json.loads((PACKAGE_DIR / MODULE / "generated" / "tools.json").read_text(encoding="utf-8"))
    # The generated tool's own definition, so that the clients validate the same schemas.
    tool = types.Tool.model_validate(next(t for t in catalog["tools"] if t["name"] == TOOL))
    listing = types.ListToolsResult(tools=[tool])
    http = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0))

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return listing

    async def call_tool(ctx: Any, params: Any) -> types.CallToolResult:
        response = await http.get(f"{base_url}/pets/{params.arguments['petId']}", headers={"X-API-Key": API_KEY})
        return types.CallToolResult(content=[types.TextContent(type="text", text=response.text)],
                                    structured_content=response.json(), is_error=response.status_code >= 400)

    server = Server("floor", version="0", on_list_tools=list_tools, on_call_tool=call_tool)
    verifier = settings = None
    if auth:
        from mcp.server.auth.provider import AccessToken
        from mcp.server.auth.settings import AuthSettings

        class OneToken:
            async def verify_token(self, token: str) -> AccessToken | None:
                if hmac.compare_digest(token.encode(), TOKEN.encode()):
                    return AccessToken(token=token, client_id="load", scopes=[])
                return None

        verifier = OneToken()
        settings = AuthSettings(issuer_url="https://floor.invalid", resource_server_url=None)  # type: ignore[arg-type]
    app = server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, host="127.0.0.1",
                                     auth=settings, token_verifier=verifier)
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    except KeyboardInterrupt:
        pass


# -- the clients (several processes, each running some of the concurrent clients) -------------------


def run_clients(spec: dict[str, Any]) -> None:
    """Connect spec["clients"] clients, make one untimed call each (the client lists the tools for
    its output schema), say "ready", wait for "go" on stdin, make the calls, print the results."""
    import anyio
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    headers = {"Authorization": f"Bearer {spec['token']}"} if spec.get("token") else {}
    latencies: list[float] = []
    errors: dict[str, int] = {}
    ok = 0
    go = anyio.Event()

    def failed(kind: str) -> None:
        errors[kind[:300]] = errors.get(kind[:300], 0) + 1

    async def one_client(number: int, calls: int, ready: list[int]) -> None:
        nonlocal ok
        try:
            async with httpx2.AsyncClient(headers=headers, timeout=60) as http, Client(
                    streamable_http_client(spec["url"], http_client=http), mode=spec["mode"]) as client:
                warm = await client.call_tool(TOOL, {"petId": str(number)})
                if warm.is_error or warm.structured_content != expected(number):
                    failed(f"warm-up call failed: {warm.content[0] if warm.content else warm}")
                ready.append(number)
                await go.wait()
                for call in range(calls):
                    pet_id = number * 100_000 + call
                    started = time.perf_counter()
                    try:
                        result = await client.call_tool(TOOL, {"petId": str(pet_id)})
                    except Exception as exc:  # noqa: BLE001 -- every failure is counted, by kind
                        latencies.append(time.perf_counter() - started)
                        failed(f"{type(exc).__name__}: {exc}")
                        continue
                    latencies.append(time.perf_counter() - started)
                    if result.is_error:
                        failed(f"isError: {result.content[0] if result.content else ''}")
                    elif result.structured_content != expected(pet_id):
                        failed(f"wrong data: {result.structured_content!r}")
                    else:
                        ok += 1
        except Exception as exc:  # noqa: BLE001
            failed(f"client {number}: {type(exc).__name__}: {exc}")
            ready.append(number)

    async def main() -> dict[str, Any]:
        ready: list[int] = []
        async with anyio.create_task_group() as group:
            for number, calls in spec["clients"]:
                group.start_soon(one_client, number, calls, ready)
            while len(ready) < len(spec["clients"]):
                await anyio.sleep(0.01)
            print("ready", flush=True)
            await anyio.to_thread.run_sync(sys.stdin.readline)
            usage = resource.getrusage(resource.RUSAGE_SELF)
            start = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process of the machine
            go.set()
        end = time.monotonic()
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
        return {"start": start, "end": end, "ok": ok, "errors": errors, "latencies": latencies, "cpu_s": cpu}

    print(json.dumps(anyio.run(main)), flush=True)


# -- the parent: processes, measurement, report ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and all its descendants (uvicorn's workers)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        total += times.get(current, 0.0)
        stack += [child for child, parent in parents.items() if parent == current]
    return total


def env(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k in ENV_KEEP}, **extra}


def stop(process: subprocess.Popen) -> None:
    """SIGINT first: uvicorn shuts down gracefully and a profiled server writes its profile."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def this_script(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


@dataclass
class Run:
    config: Config
    calls: int = 0
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    upstream_cpu_s: float = 0.0
    upstream_requests: int = 0


def start_server(config: Config, port: int, upstream_url: str, log: Path, profile: Path | None) -> subprocess.Popen:
    """The server of `config` on `port`; its stdout and stderr (the audit lines of `ours`) go to `log`."""
    prefix = [sys.executable] + (["-m", "cProfile", "-o", str(profile)] if profile else [])
    if config.server == "floor":
        command = prefix + [str(Path(__file__).resolve()), "--role", "floor", "--port", str(port),
                            "--base-url", upstream_url] + (["--auth"] if config.auth else [])
        extra = {}
    else:
        command = prefix + ["-m", MODULE, "--transport", "http", "--host", "127.0.0.1", "--port", str(port),
                            "--base-url", upstream_url, *config.args]
        extra = {"PYTHONPATH": str(PACKAGE_DIR), "PETSTORE_MCP_API_KEY": API_KEY}
        if config.auth:
            extra["PETSTORE_MCP_AUTH_TOKENS"] = TOKEN
    with open(log, "w", encoding="utf-8") as output:
        return subprocess.Popen(command, env=env(**extra), stderr=output, stdout=output)


def upstream_stats(url: str) -> dict[str, int]:
    import httpx

    return httpx.get(url + "/stats", timeout=10).json()


def measure(config: Config, args: argparse.Namespace, upstream: subprocess.Popen, upstream_url: str, work: Path,
            profile: Path | None) -> Run:
    port = free_port()
    log = work / f"{config.name}-{port}.log"
    server = start_server(config, port, upstream_url, log, profile)
    clients: list[subprocess.Popen] = []
    run = Run(config)
    try:
        try:
            wait_for_port(port, server)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{config.name}: {exc}:\n{log.read_text(encoding='utf-8')[-3000:]}") from None
        # Split the clients over the processes, and the calls over the clients.
        per_client = [args.calls // args.clients + (1 if n < args.calls % args.clients else 0)
                      for n in range(args.clients)]
        groups = [[(n + 1, per_client[n]) for n in range(p, args.clients, args.client_processes)]
                  for p in range(args.client_processes)]
        for group in groups:
            spec = {"url": f"http://127.0.0.1:{port}/mcp", "token": TOKEN if config.auth else None,
                    "mode": args.mode, "clients": group}
            clients.append(subprocess.Popen(this_script("--role", "clients", "--spec", json.dumps(spec)),
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env()))
        for client in clients:
            line = client.stdout.readline()  # type: ignore[union-attr]
            if line.strip() != "ready":
                raise RuntimeError(f"a client process did not get ready: {line!r}")
        before = upstream_stats(upstream_url)
        server_cpu, upstream_cpu = tree_cpu(server.pid), tree_cpu(upstream.pid)
        for client in clients:
            client.stdin.write("go\n")  # type: ignore[union-attr]
            client.stdin.flush()  # type: ignore[union-attr]
        results = [json.loads(client.communicate(timeout=args.timeout)[0]) for client in clients]
        run.server_cpu_s = tree_cpu(server.pid) - server_cpu
        run.upstream_cpu_s = tree_cpu(upstream.pid) - upstream_cpu
        after = upstream_stats(upstream_url)
        run.upstream_requests = after["ok"] - before["ok"]
        if after["refused"] != before["refused"]:
            run.errors["the upstream refused requests (credentials)"] = after["refused"] - before["refused"]
    finally:
        for client in clients:
            if client.poll() is None:
                client.kill()
                client.wait()
        stop(server)
    run.wall_s = max(r["end"] for r in results) - min(r["start"] for r in results)
    for result in results:
        run.ok += result["ok"]
        run.latencies += result["latencies"]
        run.client_cpu_s += result["cpu_s"]
        for kind, count in result["errors"].items():
            run.errors[kind] = run.errors.get(kind, 0) + count
    run.calls = len(run.latencies)
    return run


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def summarize(runs: list[Run]) -> dict[str, Any]:
    """One configuration over its rounds: medians of the rounds' figures, errors summed."""

    def median(values: list[float]) -> float:
        return statistics.median(values)

    errors: dict[str, int] = {}
    for run in runs:
        for kind, count in run.errors.items():
            errors[kind] = errors.get(kind, 0) + count
    return {
        "label": runs[0].config.label,
        "calls": sum(r.calls for r in runs),
        "ok": sum(r.ok for r in runs),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "upstream_requests": sum(r.upstream_requests for r in runs),
        "throughput": median([r.calls / r.wall_s for r in runs]),
        "p50_ms": median([percentile(r.latencies, 0.5) * 1000 for r in runs]),
        "p99_ms": median([percentile(r.latencies, 0.99) * 1000 for r in runs]),
        "max_ms": max(max(r.latencies) * 1000 for r in runs if r.latencies),
        "server_cpu_ms_per_call": median([r.server_cpu_s / r.calls * 1000 for r in runs]),
        "server_cores": median([r.server_cpu_s / r.wall_s for r in runs]),
        "client_cpu_ms_per_call": median([r.client_cpu_s / r.calls * 1000 for r in runs]),
        "upstream_cpu_ms_per_call": median([r.upstream_cpu_s / r.calls * 1000 for r in runs]),
        "rounds": [{"wall_s": round(r.wall_s, 3), "throughput": round(r.calls / r.wall_s, 1),
                    "p50_ms": round(percentile(r.latencies, 0.5) * 1000, 2),
                    "p99_ms": round(percentile(r.latencies, 0.99) * 1000, 2),
                    "server_cpu_s": round(r.server_cpu_s, 3), "client_cpu_s": round(r.client_cpu_s, 3),
                    "upstream_cpu_s": round(r.upstream_cpu_s, 3)} for r in runs],
    }


def version_of(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def markdown_report(report: dict[str, Any]) -> str:
    rows = report["configs"]
    floor = rows.get("floor")
    lines = [
        "# Load",
        "",
        (f"{report['clients']} concurrent `mcp.Client`s in {report['client_processes']} client processes, "
         f"{report['calls']:,} `{TOOL}` calls in all per configuration and round, over stateless Streamable HTTP "
         f"({report['protocol_era']}), against a local upstream. mcp {report['mcp']}, uvicorn {report['uvicorn']}, "
         f"Python {report['python']}, {report['machine']['cpus']} CPUs (load average at the start: "
         f"{', '.join(f'{x:.1f}' for x in report['machine']['load_average_at_start'])}, at the end: "
         f"{', '.join(f'{x:.1f}' for x in report['machine']['load_average_at_end'])}); "
         f"{report['rounds']} round(s), medians of the rounds."
         + (" **Profiled run: timings are not comparable.**" if report["profiled"] else "")),
        "",
        ("| configuration | calls | errors | calls/s | / floor | p50 | p99 | p99 / floor | server CPU per call"
         " | / floor | server's cores busy | clients' CPU per call |"),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows.values():
        ratio = f"{row['throughput'] / floor['throughput']:.2f}x" if floor else "-"
        p99_ratio = f"{row['p99_ms'] / floor['p99_ms']:.2f}x" if floor else "-"
        cpu_ratio = f"{row['server_cpu_ms_per_call'] / floor['server_cpu_ms_per_call']:.2f}x" if floor else "-"
        lines.append(
            f"| {row['label']} | {row['calls']:,} | {row['errors']} | {row['throughput']:,.0f} | {ratio} "
            f"| {row['p50_ms']:.1f} ms | {row['p99_ms']:.1f} ms | {p99_ratio} | {row['server_cpu_ms_per_call']:.2f} ms "
            f"| {cpu_ratio} | {row['server_cores']:.2f} | {row['client_cpu_ms_per_call']:.2f} ms |")
    if floor:
        lines += ["", f"Goal: at least {GOAL_RATIO}x the floor's throughput with 0 errors."]
        for name in ("ours", "ours-auth"):
            if name in rows:
                row = rows[name]
                met = row["errors"] == 0 and row["throughput"] / floor["throughput"] >= GOAL_RATIO
                lines.append(f"- {name}: {row['throughput'] / floor['throughput']:.2f}x, {row['errors']} errors: "
                             f"{'met' if met else 'not met'}")
    upstream = [row["upstream_cpu_ms_per_call"] for row in rows.values()]
    lines += [
        "",
        ("Server CPU is user + system time of the server process (and its workers) during the measured calls, "
         "and the cores it kept busy that CPU time over the wall time; clients' CPU is the client processes' own; "
         f"the upstream used {min(upstream):.2f} to {max(upstream):.2f} ms per call. The clients, the servers and "
         "the upstream share the machine's cores (and with whatever else runs on it), so throughput measures the "
         "whole chain and the share of the machine each server got; server CPU per call is what the server "
         "itself costs, and moves much less with other load."),
    ]
    problems = {name: row["error_kinds"] for name, row in rows.items() if row["errors"]}
    if problems:
        lines += ["", "## Errors", ""]
        for name, kinds in problems.items():
            for kind, count in sorted(kinds.items(), key=lambda item: -item[1]):
                lines.append(f"- {name}: {count} x {kind}")
    lines.append("")
    return "\n".join(lines)


def profile_text(path: Path, top: int = 35) -> str:
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent MCP clients (default 50)")
    parser.add_argument("--calls", type=int, default=10_000, help="tool calls in all, per configuration (default 10,000)")
    parser.add_argument("--client-processes", type=int, default=None,
                        help="processes the clients are spread over (default: the CPU count, at least 2)")
    parser.add_argument("--configs", default=",".join(DEFAULT_CONFIGS),
                        help=f"comma-separated, from: {', '.join(CONFIGS)} (default: all)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="times each configuration runs, interleaved (default 1); the report gives medians")
    parser.add_argument("--mode", default="auto", choices=["auto", "legacy"],
                        help="the clients' protocol era: auto (2026-07-28, default) or legacy (2025-11-25)")
    parser.add_argument("--profile", action="store_true", help="run each server under cProfile (timings distorted)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one configuration's calls may take")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report path without suffix")
    # Internal: the roles of the child processes.
    parser.add_argument("--role", choices=["upstream", "floor", "clients"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--auth", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client_processes is None:
        args.client_processes = max(2, os.cpu_count() or 1)
    args.client_processes = max(1, min(args.client_processes, args.clients))
    if args.clients < 1 or args.calls < args.clients or args.rounds < 1:
        parser.error("need at least one client, at least one call per client and at least one round")
    unknown = [name for name in args.configs.split(",") if name not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.role == "upstream":
        serve_upstream(args.port)
        return 0
    if args.role == "floor":
        serve_floor(args.port, args.base_url, args.auth)
        return 0
    if args.role == "clients":
        run_clients(json.loads(args.spec))
        return 0
    configs = [CONFIGS[name] for name in args.configs.split(",")]
    load_at_start = list(os.getloadavg())
    runs: dict[str, list[Run]] = {c.name: [] for c in configs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rest2mcp-load-") as temporary:
        work = Path(temporary)
        upstream_port = free_port()
        upstream_url = f"http://127.0.0.1:{upstream_port}"
        upstream = subprocess.Popen(this_script("--role", "upstream", "--port", str(upstream_port)), env=env())
        try:
            wait_for_port(upstream_port, upstream)
            for round_number in range(1, args.rounds + 1):
                for config in configs:
                    print(f"round {round_number}/{args.rounds}: {config.name} ...", file=sys.stderr, flush=True)
                    profile = work / f"{config.name}.prof" if args.profile and "--workers" not in config.args else None
                    run = measure(config, args, upstream, upstream_url, work, profile)
                    runs[config.name].append(run)
                    print(f"  {run.calls / run.wall_s:,.0f} calls/s, {sum(run.errors.values())} errors",
                          file=sys.stderr, flush=True)
                    if profile and profile.exists():
                        kept = f"{args.out.name}.profile-{config.name}"
                        args.out.with_name(kept + ".txt").write_text(profile_text(profile), encoding="utf-8")
                        args.out.with_name(kept + ".prof").write_bytes(profile.read_bytes())
        finally:
            stop(upstream)
    report = {
        "benchmark": "load",
        "python": platform.python_version(),
        "mcp": version_of("mcp"),
        "uvicorn": version_of("uvicorn"),
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": load_at_start,
                    "load_average_at_end": list(os.getloadavg())},
        "clients": args.clients,
        "calls": args.calls,
        "client_processes": args.client_processes,
        "rounds": args.rounds,
        "protocol_era": "2026-07-28" if args.mode == "auto" else "2025-11-25 (legacy)",
        "profiled": args.profile,
        "goal": f"at least {GOAL_RATIO}x the floor's throughput, 0 errors",
        "configs": {name: summarize(config_runs) for name, config_runs in runs.items()},
    }
    markdown = markdown_report(report)
    args.out.with_name(args.out.name + ".json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    args.out.with_name(args.out.name + ".md").write_text(markdown, encoding="utf-8")
    print(markdown)
    failed = any(row["errors"] or row["ok"] != row["calls"] or row["upstream_requests"] != row["calls"]
                 for row in report["configs"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
