"""What a fidelity run found, per spec and in total, as JSON and Markdown."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fidelity_classify import ACCEPTED, FAILED, NOT_SENT, OUTCOMES, VIOLATION

EXAMPLES_PER_MESSAGE = 1
ARGUMENT_TEXT_LIMIT = 400


@dataclass
class CallRecord:
    tool: str
    arguments: dict[str, Any]
    outcome: str
    messages: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    result: str = ""  # the tool's text when it reported an error

    def as_dict(self) -> dict[str, Any]:
        record = {"tool": self.tool, "arguments": self.arguments, "outcome": self.outcome}
        for key in ("messages", "notes", "requests", "result"):
            if getattr(self, key):
                record[key] = getattr(self, key)
        return record


@dataclass
class SpecReport:
    spec: str
    status: str = "ok"  # "ok", or why the spec was skipped
    detail: str = ""
    tools_listed: int = 0
    calls: list[CallRecord] = field(default_factory=list)
    undrawable: list[str] = field(default_factory=list)  # tools no valid argument set was found for
    draw_sources: Counter[str] = field(default_factory=Counter)
    prism_restarts: int = 0
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        counted = Counter(c.outcome for c in self.calls)
        return {outcome: counted.get(outcome, 0) for outcome in OUTCOMES}

    def tools_called(self) -> set[str]:
        return {c.tool for c in self.calls}

    def tools_fully_accepted(self) -> set[str]:
        bad = {c.tool for c in self.calls if c.outcome != ACCEPTED}
        return self.tools_called() - bad

    def messages(self) -> Counter[str]:
        return Counter(m for c in self.calls if c.outcome == VIOLATION for m in c.messages)

    def summary(self) -> dict[str, Any]:
        called = len(self.tools_called())
        accepted = len(self.tools_fully_accepted())
        return {
            "spec": self.spec, "status": self.status, "detail": self.detail,
            "tools": self.tools_listed, "tools_called": called, "calls": len(self.calls),
            **self.counts(),
            "tools_fully_accepted": accepted,
            "share_fully_accepted": round(accepted / called, 4) if called else None,
            "undrawable_tools": self.undrawable, "draw_sources": dict(self.draw_sources),
            "prism_restarts": self.prism_restarts, "seconds": round(self.seconds, 1),
        }

    def as_dict(self, all_calls: bool = False) -> dict[str, Any]:
        calls = [c.as_dict() for c in self.calls if all_calls or c.outcome != ACCEPTED]
        return {**self.summary(), "violation_messages": dict(self.messages().most_common()),
                ("calls" if all_calls else "problem_calls"): calls}


def totals(reports: list[SpecReport]) -> dict[str, Any]:
    ran = [r for r in reports if r.status == "ok"]
    counts = Counter()
    for report in ran:
        counts.update(report.counts())
    called = sum(len(r.tools_called()) for r in ran)
    accepted = sum(len(r.tools_fully_accepted()) for r in ran)
    return {
        "specs": len(reports), "specs_run": len(ran),
        "skipped": {r.spec: r.status for r in reports if r.status != "ok"},
        "tools": sum(r.tools_listed for r in ran), "tools_called": called,
        "calls": sum(len(r.calls) for r in ran), **{o: counts.get(o, 0) for o in OUTCOMES},
        "tools_fully_accepted": accepted,
        "share_fully_accepted": round(accepted / called, 4) if called else None,
        "seconds": round(sum(r.seconds for r in reports), 1),
    }


def all_messages(reports: list[SpecReport]) -> Counter[str]:
    total: Counter[str] = Counter()
    for report in reports:
        total.update(report.messages())
    return total


def examples(reports: list[SpecReport], outcome: str) -> list[tuple[str, str, CallRecord]]:
    """(key, spec, call): one example call for each distinct message (violations, failures)
    or each distinct first line of the tool's error text (not_sent)."""
    seen: Counter[str] = Counter()
    found = []
    for report in reports:
        for call in report.calls:
            if call.outcome != outcome:
                continue
            keys = call.messages if outcome != NOT_SENT else [result_key(call.result)]
            for key in keys:
                if seen[key] < EXAMPLES_PER_MESSAGE:
                    seen[key] += 1
                    found.append((key, report.spec, call))
    return found


def result_key(text: str) -> str:
    """What a tool's error text says, without the argument values: its first two lines."""
    return " ".join(text.strip().splitlines()[:2])[:200]


def write_reports(reports: list[SpecReport], out: Path, settings: dict[str, Any],
                  all_calls: bool = False) -> tuple[Path, Path]:
    out.parent.mkdir(parents=True, exist_ok=True)
    data = {"settings": settings, "totals": totals(reports),
            "violation_messages": dict(all_messages(reports).most_common()),
            "specs": [r.as_dict(all_calls) for r in reports]}
    json_path, md_path = out.with_suffix(".json"), out.with_suffix(".md")
    json_path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    md_path.write_text(markdown(reports, settings), encoding="utf-8")
    return json_path, md_path


def markdown(reports: list[SpecReport], settings: dict[str, Any]) -> str:
    total = totals(reports)
    lines = ["# Request fidelity against Prism", "",
             f"Settings: {', '.join(f'{k}={v}' for k, v in settings.items())}.", "",
             "| spec | tools | calls | accepted | violation | not_sent | failed | tools fully accepted | s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for report in reports:
        s = report.summary()
        if report.status != "ok":
            lines.append(f"| {report.spec} | {report.status}: {_cell(report.detail, 120)} | | | | | | | {s['seconds']} |")
            continue
        lines.append(f"| {report.spec} | {s['tools']} | {s['calls']} | {s['accepted']} | {s['violation']} | "
                     f"{s['not_sent']} | {s['failed']} | {s['tools_fully_accepted']}/{s['tools_called']} "
                     f"({_share(s['share_fully_accepted'])}) | {s['seconds']} |")
    lines.append(f"| **total ({total['specs_run']} specs)** | {total['tools']} | {total['calls']} | "
                 f"{total['accepted']} | {total['violation']} | {total['not_sent']} | {total['failed']} | "
                 f"{total['tools_fully_accepted']}/{total['tools_called']} "
                 f"({_share(total['share_fully_accepted'])}) | {total['seconds']} |")
    lines += ["", "## Violations", "", "| count | message |", "|---:|---|"]
    lines += [f"| {n} | {_cell(m, 300)} |" for m, n in all_messages(reports).most_common()]
    sections = ((VIOLATION, "Violation examples"),
                (NOT_SENT, "Not sent (the tool refused or failed before any request)"),
                (FAILED, "Failed calls"))
    for outcome, title in sections:
        found = examples(reports, outcome)
        if found:
            lines += ["", f"## {title}", ""]
            lines += [_example(key, spec, call) for key, spec, call in found]
    return "\n".join(lines) + "\n"


def _example(key: str, spec: str, call: CallRecord) -> str:
    arguments = json.dumps(call.arguments, ensure_ascii=False)
    text = f"- **{_cell(key, 300)}**\n  - {spec}, tool `{call.tool}`, arguments `{_cell(arguments, ARGUMENT_TEXT_LIMIT)}`"
    for request in call.requests:
        text += f"\n  - sent `{request['method']} {_cell(request['target'], 300)}`"
        if request.get("body"):
            text += f" body `{_cell(request['body'], 200)}`"
    if call.result and call.outcome != VIOLATION:
        text += f"\n  - result: {_cell(call.result, 300)}"
    return text


def _cell(text: str, limit: int) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|").replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
