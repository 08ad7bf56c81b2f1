"""How well discovery mode's search_operations finds the operation a person means.

    .venv/bin/python bench/search_eval.py                 # bench/search_eval/queries.json
    .venv/bin/python bench/search_eval.py --misses        # also list every query not ranked first

Each query of the evaluation set names a document of the shared corpus and the operation(s) a
person would pick for the task. The document is mapped as `generate --mode discovery` maps it,
the search index is built by the very code the generated servers run
(`rest2mcp.runtime.discovery.search_index`), and the query is ranked as search_operations ranks
it. Reports top-1 and top-5 (the share of queries whose expected operation is first, or among
the first five), per document and in all, to stdout and `--out` (Markdown and JSON).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))

from rest2mcp.emit.catalog import catalog
from rest2mcp.pipeline import Options, analyze
from rest2mcp.runtime.discovery import ranked, search_index

DEFAULT_SET = ROOT / "bench" / "search_eval" / "queries.json"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def operations_of(spec: Path) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    analysis = analyze(str(spec), Options(skip_validation=True, models=False, mode="discovery", allow_empty=True))
    tools = catalog(analysis.api)
    return [(tool, tools["plans"].get(tool["name"]) or {}) for tool in tools["tools"]]


def evaluate(queries: list[dict[str, Any]], documents: dict[str, Path]) -> dict[str, Any]:
    """Every query's rank (1-based; None when not found), and top-1/top-5 per document and in all."""
    indexes = {}
    build_seconds = {}
    for name, spec in documents.items():
        operations = operations_of(spec)
        started = time.perf_counter()
        entries, index = search_index(operations)
        build_seconds[name] = time.perf_counter() - started
        indexes[name] = (entries, index)
    results = []
    for query in queries:
        entries, index = indexes[query["doc"]]
        known = {entry["name"] for entry in entries}
        missing = [name for name in query["expected"] if name not in known]
        if missing:
            raise SystemExit(f"{query['doc']}: {query['query']!r} expects unknown operations {missing}")
        order = [entries[number]["name"] for number in ranked(index, entries, query["query"])]
        rank = next((position + 1 for position, name in enumerate(order) if name in query["expected"]), None)
        results.append({**query, "rank": rank, "top": order[:5]})
    return {"results": results, "summary": _summary(results), "index_seconds": build_seconds,
            "operations": {name: len(entries) for name, (entries, _) in indexes.items()}}


def _summary(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict[str, Any]]] = {"all": results}
    for result in results:
        groups.setdefault(result["doc"], []).append(result)
    return {name: {"queries": len(items),
                   "top1": sum(1 for r in items if r["rank"] == 1) / len(items),
                   "top5": sum(1 for r in items if r["rank"] is not None and r["rank"] <= 5) / len(items)}
            for name, items in groups.items()}


def markdown(report: dict[str, Any], misses: bool) -> str:
    lines = ["| document | operations | queries | top-1 | top-5 | index built in |", "|---|---:|---:|---:|---:|---:|"]
    for name, figures in report["summary"].items():
        operations = report["operations"].get(name, sum(report["operations"].values()))
        seconds = report["index_seconds"].get(name, sum(report["index_seconds"].values()))
        lines.append(f"| {name} | {operations} | {figures['queries']} | {figures['top1']:.1%} | {figures['top5']:.1%} "
                     f"| {seconds * 1000:.0f} ms |")
    if misses:
        lines += ["", "| document | query | expected | rank | first five |", "|---|---|---|---:|---|"]
        for r in report["results"]:
            if r["rank"] != 1:
                lines.append(f"| {r['doc']} | {r['query']} | {', '.join(r['expected'])} | {r['rank'] or '-'} "
                             f"| {', '.join(r['top'])} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="the evaluation set (JSON)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the shared corpus folder")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "search_eval")
    parser.add_argument("--misses", action="store_true", help="list the queries whose operation was not first")
    args = parser.parse_args(argv)
    evaluation = json.loads(args.set.read_text("utf-8"))
    documents = {name: args.corpus / path for name, path in evaluation["documents"].items()}
    report = evaluate(evaluation["queries"], documents)
    text = markdown(report, args.misses)
    print(text, end="")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(markdown(report, True), "utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
