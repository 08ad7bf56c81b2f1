"""Per-call overhead over stdio: a generated server against the floor (a hand-written low-level
`mcp` server making the same httpx GET, bench/peers_servers.py), in one run.

    .venv/bin/python bench/call_overhead.py                          # 5 rounds of 300 calls each
    .venv/bin/python bench/call_overhead.py --against 471a2a1        # and the server that commit generates
    .venv/bin/python bench/call_overhead.py --variant "--audit-log off" --variant "--no-mark-api-data"
    .venv/bin/python bench/call_overhead.py --rounds 1 --calls 2000 --profile /tmp/overhead   # cProfile each server

Every server is started once per round and kept open; the calls go to each in turn (the order
rotates), so a change in the machine's load touches each alike, which back-to-back runs of one
server after another (bench/peers.py) cannot promise on a shared machine. Per round: the median
latency of a call as the client sees it, and the server's CPU time per call (user + system, from
/proc). The ratios to the floor are per round; the summary gives their median and range.
`--profile DIR` runs each server under cProfile and writes DIR/<server>.prof (pstats) and .txt (the
top functions by own and by cumulative time); a profiled run's timings are not comparable.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from contextlib import AsyncExitStack
from io import BytesIO
from pathlib import Path
from typing import Any

import anyio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import peers
import peers_servers as servers
from load import profile_text

Config = tuple[list[str], Path, dict[str, str]]


def _children() -> set[int]:
    found: set[int] = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children", encoding="ascii") as file:
            found |= {int(pid) for pid in file.read().split()}
    return found


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as file:
        fields = file.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _open(config: Config, stack: AsyncExitStack, errlog: Any) -> tuple[Any, int, str]:
    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client

    command, cwd, env = config
    before = _children()
    parameters = StdioServerParameters(command=command[0], args=command[1:], cwd=str(cwd), env=env)
    client = await stack.enter_async_context(Client(stdio_client(parameters, errlog=errlog), mode="legacy"))
    (pid,) = _children() - before
    tools = (await client.list_tools()).tools
    return client, pid, next(t.name for t in tools if "pet" in t.name.lower())


async def measure(configs: dict[str, Config], rounds: int, calls: int, errlog: Any) -> dict[str, dict[str, list[float]]]:
    names = list(configs)
    latency: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        async with AsyncExitStack() as stack:
            opened = {name: await _open(configs[name], stack, errlog) for name in names}
            for _ in range(5):  # warm up the connection pools
                for client, _pid, tool in opened.values():
                    await client.call_tool(tool, {"petId": 1})
            started = {name: _cpu_seconds(pid) for name, (_c, pid, _t) in opened.items()}
            times: dict[str, list[float]] = {name: [] for name in names}
            for call in range(calls):
                for name in names[call % len(names):] + names[:call % len(names)]:
                    client, _pid, tool = opened[name]
                    began = time.perf_counter()
                    result = await client.call_tool(tool, {"petId": 1 + call % 50})
                    times[name].append(time.perf_counter() - began)
                    if result.is_error or "pet-" not in json.dumps(result.model_dump(mode="json")):
                        raise RuntimeError(f"{name}: call failed: {str(result.content)[:200]}")
            for name, (_c, pid, _t) in opened.items():
                cpu[name].append((_cpu_seconds(pid) - started[name]) / calls * 1000)
                latency[name].append(statistics.median(times[name]) * 1000)
        print(f"round {number + 1}: " + "; ".join(
            f"{name} {latency[name][-1]:.2f} ms ({latency[name][-1] / latency['floor'][-1]:.2f}x), "
            f"CPU {cpu[name][-1]:.2f} ms ({cpu[name][-1] / cpu['floor'][-1]:.2f}x)" for name in names), file=sys.stderr)
    return {"latency_ms": latency, "cpu_ms": cpu}


def generate(generator_root: Path, spec: Path, out: Path) -> None:
    env = peers.environment(REST2MCP_CACHE_DIR="off", PYTHONPATH=str(generator_root / "generator"))
    subprocess.run([sys.executable, "-m", "rest2mcp", "generate", str(spec), "-o", str(out), "--name", "bench-mcp"],
                   env=env, check=True, stdout=subprocess.DEVNULL)


def checkout(ref: str, into: Path) -> Path:
    """The generator and templates of `ref` (a git commit), extracted under `into`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "generator", "templates"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _file_name(label: str) -> str:
    return "".join(c if c.isalnum() or c in "-_@" else "_" for c in label)


def _profiled(config: Config, path: Path) -> Config:
    """`config`'s server under cProfile, its profile written to `path`.prof when it exits (stdin closed)."""
    command, cwd, env = config
    assert command[0] == sys.executable
    return [sys.executable, "-m", "cProfile", "-o", str(path.with_suffix(".prof")), *command[1:]], cwd, env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=300, help="calls per server per round")
    parser.add_argument("--against", metavar="GIT_REF", help="also measure the server this commit generates")
    parser.add_argument("--variant", action="append", default=[], metavar="ARGS",
                        help="also measure ours started with these extra arguments (repeatable)")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="run each server under cProfile, writing DIR/<server>.prof")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="rest2mcp-overhead-"))
    spec = work / "pets.json"
    spec.write_text(json.dumps(servers.PETS_SPEC), "utf-8")
    port = peers.startup_port()
    upstream = subprocess.Popen([sys.executable, str(ROOT / "bench" / "peers_servers.py"), "upstream", str(port)],
                                env=peers.environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        servers.wait_for_port(port)
        base = f"http://127.0.0.1:{port}"
        configs: dict[str, Config] = {"floor": peers.server_command("floor", spec, None, base)}
        trees = [(f"ours@{args.against}", checkout(args.against, work / "against"))] if args.against else []
        for label, tree in [*trees, ("ours", ROOT)]:
            generate(tree, spec, work / label)
            command, cwd, env = peers.server_command("rest2mcp", spec, work / label, base)
            configs[label] = (command, cwd, {k: v for k, v in env.items() if k != "PYTHONPATH"})
        for variant in args.variant:
            command, cwd, env = configs["ours"]
            configs[f"ours {variant}"] = ([*command, *variant.split()], cwd, env)
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            configs = {name: _profiled(config, args.profile / _file_name(name)) for name, config in configs.items()}
        with open(os.devnull, "w") as errlog:
            measured = anyio.run(measure, configs, args.rounds, args.calls, errlog)
    finally:
        upstream.terminate()
        upstream.wait(10)
    if args.profile:
        for name in configs:
            path = args.profile / _file_name(name)
            if path.with_suffix(".prof").exists():
                path.with_suffix(".txt").write_text(profile_text(path.with_suffix(".prof"), top=40), "utf-8")
    latency, cpu = measured["latency_ms"], measured["cpu_ms"]
    print(f"floor: {statistics.median(latency['floor']):.2f} ms per call, {statistics.median(cpu['floor']):.2f} ms "
          f"server CPU (medians of {args.rounds} rounds of {args.calls} calls; load average {os.getloadavg()[0]:.1f})")
    for name in list(configs)[1:]:
        lat = [o / f for o, f in zip(latency[name], latency["floor"])]
        use = [o / f for o, f in zip(cpu[name], cpu["floor"])]
        print(f"{name}: latency {statistics.median(lat):.2f}x the floor (rounds {min(lat):.2f} to {max(lat):.2f}), "
              f"server CPU per call {statistics.median(use):.2f}x ({min(use):.2f} to {max(use):.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
