"""The report of bench/peers.py: Markdown tables (`markdown`, standard library only) and, run as a
script in the peers' environment (which has matplotlib), the chart:

    bench/peers/.venv/bin/python bench/peers_report.py bench/results/peers.json bench/results/peers.png
    .venv/bin/python bench/peers_report.py bench/results/peers.json bench/results/peers.md
"""

from __future__ import annotations

import json
import sys
from typing import Any

PEERS = (("rest2mcp", "rest2mcp"), ("fastmcp", "FastMCP.from_openapi"), ("omg", "openapi-mcp-generator"))


def _s(value: float | None) -> str:
    return "-" if value is None else (f"{value:.2f} s" if value < 10 else f"{value:.1f} s")


def _kb(value: int) -> str:
    return f"{value / 1024:,.0f} KB" if value < 10 * 1024 * 1024 else f"{value / 1024 / 1024:,.1f} MB"


def _ratio(value: float | None, base: float | None) -> str:
    return "-" if not value or not base else f"{value / base:.2f}x"


def _failed(run: dict[str, Any]) -> str:
    return "failed: " + str(run.get("error", "?")).replace("|", "/").replace("\n", " ")[:160]


def generation_table(report: dict[str, Any]) -> list[str]:
    lines = ["## Generation", "",
             ("Wall time and peak memory of one run of each generator (no cache). rest2mcp `fast` is "
             "`generate --skip-validation --no-models`; `full` validates the document and writes typed models. "
             "openapi-mcp-generator writes TypeScript, which `tsc` then builds (its own column). FastMCP.from_openapi "
             "has no generation step: it reads the document each time the server starts (in the start-up below)."), "",
             "| document | rest2mcp fast | rest2mcp full | openapi-mcp-generator | + tsc build | rest2mcp fast / openapi-mcp-generator |",
             "|---|---:|---:|---:|---:|---:|"]
    for row in report["documents"]:
        cells = []
        for key in ("rest2mcp_fast", "rest2mcp_full", "omg"):
            run = row["generate"][key]
            generated = run["ok"] or _build_failed(run)
            cells.append(f"{_s(run['seconds'])}, {run['peak_mb']:.0f} MB" if generated else _failed(run))
        omg = row["generate"]["omg"]
        fast = row["generate"]["rest2mcp_fast"]
        build = _s(omg.get("build_seconds")) if omg.get("build_seconds") else "-"
        if _build_failed(omg):
            build = f"{build}, {_failed(omg)}"
        ratio = _ratio(fast.get("seconds"), omg.get("seconds")) if (omg["ok"] or _build_failed(omg)) and fast["ok"] else "-"
        lines.append(f"| {row['document']} | {' | '.join(cells)} | {build} | {ratio} |")
    return lines


def _build_failed(run: dict[str, Any]) -> bool:
    """Generated, but its TypeScript did not build: a server that cannot run."""
    return not run["ok"] and str(run.get("error", "")).startswith("tsc build failed") and "seconds" in run


def serving_table(report: dict[str, Any]) -> list[str]:
    lines = ["## Start-up and tools/list", "",
             ("Spawn to a complete tools/list over stdio through the official `mcp.Client` (median of the runs), and "
             "what the list weighs: compact JSON of all tools, and the bytes of their input schemas, output schemas "
             "and descriptions."), "",
             "| document | server | tools | spawn to tools/list | / rest2mcp | tools/list | input schemas | output schemas | descriptions |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in report["documents"]:
        ours = row["serve"].get("rest2mcp", {}).get("list_seconds")
        for key, name in PEERS:
            run = row["serve"].get(key, {"ok": False, "error": "not run"})
            if not run["ok"]:
                lines.append(f"| {row['document']} | {name} | {_failed(run)} | | | | | | |")
                continue
            p = run["payload"]
            lines.append(f"| {row['document']} | {name} | {p['tools']:,} | {_s(run['list_seconds'])} | "
                         f"{_ratio(run['list_seconds'], ours)} | {_kb(p['bytes'])} | {_kb(p['input'])} | "
                         f"{_kb(p['output'])} | {_kb(p['description'])} |")
    return lines


def calls_table(report: dict[str, Any]) -> list[str]:
    calls = report["calls"]
    floor = calls.get("floor", {}).get("median_ms")
    lines = ["## Per call over stdio", "",
             ("One `showPetById` (GET /pets/{petId}, a JSON answer) per call, made back to back by one client over "
             "stdio, against an upstream on 127.0.0.1; the floor is a hand-written low-level `mcp` server making the "
             "same httpx call. The first 5 calls are not counted."), "",
             "| server | calls | median | p90 | median / floor |", "|---|---:|---:|---:|---:|"]
    for key, name in (("floor", "floor: hand-written low-level server"), *PEERS):
        run = calls.get(key, {"ok": False, "error": "not run"})
        if not run["ok"]:
            lines.append(f"| {name} | {_failed(run)} | | | |")
            continue
        lines.append(f"| {name} | {run['calls']} | {run['median_ms']:.2f} ms | {run['p90_ms']:.2f} ms | "
                     f"{_ratio(run['median_ms'], floor)} |")
    return lines


def http_table(report: dict[str, Any]) -> list[str]:
    http = report.get("http")
    if not http:
        return []
    lines = ["## Streamable HTTP, 50 clients (bench/load.py)", ""]
    if "report" not in http:
        return [*lines, _failed(http)]
    rows = http["report"]["configs"]
    floor = rows.get("floor", {}).get("throughput")
    lines += ["| server | calls | errors | calls/s | / floor | p50 | p99 |", "|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows.values():
        lines.append(f"| {row['label']} | {row['calls']:,} | {row['errors']} | {row['throughput']:.0f} | "
                     f"{_ratio(row['throughput'], floor)} | {row['p50_ms']:.1f} ms | {row['p99_ms']:.1f} ms |")
    lines += ["", "The peers are not in this table: bench/load.py drives the generated petstore package and its floor."]
    return lines


def markdown(report: dict[str, Any]) -> str:
    versions = report["versions"]
    machine = report["machine"]
    head = ["# rest2mcp and its peers", "",
            (f"{versions['rest2mcp']}, FastMCP {versions['fastmcp']}, openapi-mcp-generator "
            f"{versions['openapi-mcp-generator']} (Node {versions['node']}), Python {versions['python']}; "
            f"{machine['cpus']} CPUs, load average {', '.join(f'{x:.1f}' for x in machine['load_average'])} at the end "
            "(the machine was shared with other jobs: compare the ratios, measured in the same run, rather than the times)."),
            ""]
    sections = [generation_table(report), serving_table(report), calls_table(report), http_table(report)]
    return "\n".join(head + [line for section in sections if section for line in [*section, ""]])


def chart(report: dict[str, Any], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    documents = [row["document"] for row in report["documents"]]
    figure, (generation, listing, calls) = plt.subplots(1, 3, figsize=(16, 5))
    width = 0.25
    for offset, (key, label) in enumerate((("rest2mcp_fast", "rest2mcp (fast)"), ("rest2mcp_full", "rest2mcp (full)"),
                                           ("omg", "openapi-mcp-generator"))):
        values = [row["generate"][key].get("seconds", 0) if row["generate"][key]["ok"] or _build_failed(row["generate"][key])
                  else 0 for row in report["documents"]]
        generation.bar([i + offset * width for i in range(len(documents))], values, width, label=label)
    generation.set_title("Generation (s; 0 = failed)")
    for offset, (key, label) in enumerate(PEERS):
        values = [row["serve"].get(key, {}).get("list_seconds", 0) or 0 for row in report["documents"]]
        listing.bar([i + offset * width for i in range(len(documents))], values, width, label=label)
    listing.set_title("Spawn to complete tools/list (s; 0 = failed)")
    for axis in (generation, listing):
        axis.set_xticks([i + width for i in range(len(documents))], documents, rotation=15, fontsize=8)
        axis.legend(fontsize=8)
    names = [("floor", "floor"), *PEERS]
    values = [report["calls"].get(key, {}).get("median_ms", 0) or 0 for key, _ in names]
    calls.bar([label for _, label in names], values, color=["grey", "C0", "C1", "C2"])
    calls.set_title("Per call over stdio, median (ms; 0 = failed)")
    calls.tick_params(axis="x", labelsize=8, rotation=15)
    figure.tight_layout()
    figure.savefig(path, dpi=100)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as file:
        loaded = json.load(file)
    if sys.argv[2].endswith(".md"):
        with open(sys.argv[2], "w", encoding="utf-8") as file:
            file.write(markdown(loaded))
    else:
        chart(loaded, sys.argv[2])
