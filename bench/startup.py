"""Start-up benchmark: how long a client waits before it can see a generated server's tools.

For three API sizes (the largest spec of the corpus, a synthetic 10-operation spec and a synthetic
10,000-operation spec) it measures, in one run:

- generation time, with openapi-spec-validator and without it;
- the generated server: wall time from spawning `python -m <module>` to a complete tools/list
  (every page) through the official `mcp.Client` over stdio in the 2025-11-25 ("legacy") era,
  the median of --repeat runs, and the size of the tool list the client received;
- two floors, measured the same way in the same run: (a) a bare low-level `mcp.server.Server`
  with one tool, (b) a bare low-level Server that serves the same tool list from a JSON file
  with the most direct code (json.load, one ListToolsResult built at start).

    python bench/startup.py [--repeat 5] [--out bench/results/startup]

Writes <out>.md (the table, also printed) and <out>.json (every run). The goal it reports against
(it asserts nothing): spawn-to-full-tools/list within 1.1x of floor (b) at every size; the same
package started with --mode discovery within 1.1x of floor (a), its tools/list under 10 kB.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from rest2mcp import __version__ as GENERATOR_VERSION
from rest2mcp.pipeline import Options, prepare
from rest2mcp.writing.manifest import write_files

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
DEFAULT_OUT = REPO_ROOT / "bench" / "results" / "startup"

# Listing tools sends no API request; a base URL is only needed because a document without
# servers makes the generated server refuse to start without one. Port 9 is "discard".
SERVER_BASE_URL = "http://127.0.0.1:9"
SERVER_ENV_KEEP = ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT")
SYNTHETIC_SIZES = (10, 10_000)
GOAL_RATIO = 1.1
DISCOVERY_LIST_LIMIT = 10_000  # bytes of tools/list in discovery mode
# Generation is repeated like the server runs only when one run is cheap: validating a
# 10,000-operation document takes minutes, and its spread is not what this benchmark is about.
REPEAT_GENERATION_UNDER_SECONDS = 2.0
STDERR_LINES_KEPT = 15


# -- synthetic specs ---------------------------------------------------------------------------

AREAS = (
    "billing", "catalog", "shipping", "identity", "analytics", "support", "inventory", "payments",
    "marketing", "staffing", "compliance", "logistics", "procurement", "security", "messaging",
    "scheduling", "reporting", "storage", "networking", "pricing", "loyalty", "onboarding",
    "documents", "accounting", "fleet", "facilities", "research", "training", "legal", "quality",
    "warranty", "rentals", "events", "surveys", "media", "search", "partners", "tax", "audit", "forms",
)
NOUNS = (
    ("invoice", "invoices"), ("customer", "customers"), ("order", "orders"), ("product", "products"),
    ("shipment", "shipments"), ("ticket", "tickets"), ("report", "reports"), ("campaign", "campaigns"),
    ("employee", "employees"), ("warehouse", "warehouses"), ("coupon", "coupons"),
    ("subscription", "subscriptions"), ("refund", "refunds"), ("vendor", "vendors"),
    ("contract", "contracts"), ("asset", "assets"), ("device", "devices"), ("project", "projects"),
    ("task", "tasks"), ("note", "notes"), ("budget", "budgets"), ("policy", "policies"),
    ("license", "licenses"), ("account", "accounts"), ("webhook", "webhooks"), ("label", "labels"),
    ("region", "regions"), ("team", "teams"), ("role", "roles"), ("session", "sessions"),
    ("template", "templates"), ("batch", "batches"), ("quote", "quotes"), ("payment", "payments"),
    ("return", "returns"), ("review", "reviews"), ("attachment", "attachments"), ("comment", "comments"),
    ("schedule", "schedules"), ("route", "routes"), ("vehicle", "vehicles"), ("supplier", "suppliers"),
    ("location", "locations"), ("category", "categories"), ("discount", "discounts"),
    ("milestone", "milestones"), ("alert", "alerts"), ("export", "exports"), ("import", "imports"),
    ("channel", "channels"),
)
# Property kinds a resource draws from: (name, schema). Names repeat across resources, as in
# real APIs; which ones a resource has, and how many, varies.
FIELDS = (
    ("name", {"type": "string", "minLength": 1, "maxLength": 200, "description": "Display name."}),
    ("status", {"type": "string", "enum": ["draft", "active", "archived"], "description": "Lifecycle state."}),
    ("amount", {"type": "number", "minimum": 0, "description": "Amount in the account's currency."}),
    ("quantity", {"type": "integer", "minimum": 0, "maximum": 1_000_000}),
    ("tags", {"type": "array", "items": {"type": "string"}, "maxItems": 20, "description": "Free-form labels."}),
    ("active", {"type": "boolean", "description": "Whether it is in use."}),
    ("due_date", {"type": "string", "format": "date"}),
    ("email", {"type": "string", "format": "email", "description": "Where notifications go."}),
    ("notes", {"type": "string", "maxLength": 2000}),
    ("priority", {"type": "integer", "minimum": 1, "maximum": 5, "description": "1 is the most urgent."}),
    ("currency", {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code."}),
    ("owner_id", {"type": "string", "format": "uuid"}),
    ("metadata", {"type": "object", "additionalProperties": {"type": "string"}}),
    ("address", {"type": "object", "properties": {
        "line1": {"type": "string"}, "city": {"type": "string"}, "postal_code": {"type": "string"},
        "country": {"type": "string", "minLength": 2, "maxLength": 2}}, "required": ["line1", "country"]}),
)
SORT_ORDERS = ["created_at", "-created_at", "updated_at", "-updated_at", "name"]


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _camel(*words: str) -> str:
    return "".join(word.replace("_", " ").title().replace(" ", "") for word in words)


def synthetic_spec(operations: int) -> dict[str, Any]:
    """An OpenAPI 3.0 document of `operations` operations: five per resource (list, get,
    create, update, delete), each with path and query parameters, a JSON body where it fits
    and a JSON response. Deterministic: the same count always gives the same document."""
    if operations % 5:
        raise ValueError("operations must be a multiple of 5")
    resources = operations // 5
    if resources > len(AREAS) * len(NOUNS):
        raise ValueError(f"at most {5 * len(AREAS) * len(NOUNS)} operations")
    rng = random.Random(operations)
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for i in range(resources):
        # (i % A, (i // A * (A + 1) + i % A) % N) visits every (area, noun) pair once, since
        # A + 1 = 41 and N = 50 are coprime, and neighbours differ in both words.
        area = AREAS[i % len(AREAS)]
        noun, plural = NOUNS[(i // len(AREAS) * (len(AREAS) + 1) + i % len(AREAS)) % len(NOUNS)]
        model = _camel(area, noun)
        fields = rng.sample(FIELDS, rng.randint(3, 6))
        properties = {field: dict(schema) for field, schema in fields}
        schemas[model] = {
            "type": "object",
            "description": f"{_a(noun).capitalize()} of the {area} service.",
            "properties": {
                "id": {"type": "string", "readOnly": True},
                **properties,
                "created_at": {"type": "string", "format": "date-time", "readOnly": True},
            },
            "required": ["id", fields[0][0]],
        }
        schemas[f"{model}Input"] = {
            "type": "object",
            "properties": properties,
            "required": [fields[0][0]],
        }
        schemas[f"{model}Page"] = {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{model}"}},
                "next_cursor": {"type": "string", "nullable": True},
            },
        }
        one = {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}}
        body = {"required": True, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{model}Input"}}}}
        id_param = {"name": f"{noun}_id", "in": "path", "required": True,
                    "schema": {"type": "string", "minLength": 1}, "description": f"The {noun}'s id."}
        filter_field, filter_schema = fields[rng.randrange(len(fields))]
        if filter_schema["type"] in ("object", "array"):
            filter_field, filter_schema = "name", {"type": "string"}
        collection, item = f"/{area}/{plural}", f"/{area}/{plural}/{{{noun}_id}}"
        tag = [area]
        paths[collection] = {
            "get": {
                "operationId": f"list{_camel(area, plural)}", "tags": tag,
                "summary": f"List {plural} in {area}",
                "description": f"Returns the {area} {plural} the caller can see, newest first. "
                               "Pass `cursor` from the previous page to continue.",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                 "maximum": 100, "default": 20}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": SORT_ORDERS}},
                    {"name": filter_field, "in": "query", "schema": dict(filter_schema),
                     "description": f"Only {plural} with this {filter_field.replace('_', ' ')}."},
                ],
                "responses": {"200": {"description": "One page.", "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{model}Page"}}}}},
            },
            "post": {
                "operationId": f"create{model}", "tags": tag, "summary": f"Create {_a(noun)} in {area}",
                "parameters": [{"name": "dry_run", "in": "query", "schema": {"type": "boolean"},
                                "description": "Validate without creating."}],
                "requestBody": body,
                "responses": {"201": {"description": "Created.", "content": one}},
            },
        }
        paths[item] = {
            "parameters": [id_param],
            "get": {
                "operationId": f"get{model}", "tags": tag, "summary": f"Get {_a(noun)} of {area}",
                "parameters": [{"name": "expand", "in": "query", "style": "form", "explode": False,
                                "schema": {"type": "array", "items": {"type": "string",
                                                                      "enum": ["owner", "history"]}}}],
                "responses": {"200": {"description": f"The {noun}.", "content": one}},
            },
            "patch": {
                "operationId": f"update{model}", "tags": tag, "summary": f"Update {_a(noun)} of {area}",
                "description": f"Changes the given fields of the {noun}; the others keep their values.",
                "parameters": [{"name": "If-Match", "in": "header", "schema": {"type": "string"},
                                "description": "The ETag read before, to refuse a lost update."}],
                "requestBody": body,
                "responses": {"200": {"description": f"The updated {noun}.", "content": one}},
            },
            "delete": {
                "operationId": f"delete{model}", "tags": tag, "summary": f"Delete {_a(noun)} of {area}",
                "parameters": [{"name": "force", "in": "query", "schema": {"type": "boolean"},
                                "description": "Delete even when other records refer to it."}],
                "responses": {"200": {"description": "Deleted.", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "id": {"type": "string"}, "deleted": {"type": "boolean"}}}}}}},
            },
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": f"Synthetic {operations}", "version": "1.0.0",
                 "description": f"A generated API of {operations} operations for start-up measurements."},
        "servers": [{"url": "https://api.example.com/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }


def largest_corpus_spec(corpus: Path) -> tuple[Path, int]:
    index = json.loads((corpus / "INDEX.json").read_text(encoding="utf-8"))
    entry = max(index, key=lambda e: e.get("ops") or 0)
    return corpus / entry["file"], entry["ops"]


# -- the floors ----------------------------------------------------------------------------------

# Both floors run the same SDK code path as the generated server (low-level Server, stdio
# transport, both eras) and nothing else, so the difference to them is what the generated
# code adds.
FLOOR_ONE_TOOL = textwrap.dedent('''\
    import anyio
    from mcp import types
    from mcp.server import Server
    from mcp.server.stdio import stdio_server

    LISTING = types.ListToolsResult(tools=[types.Tool(
        name="echo",
        description="Echo the text back.",
        input_schema={"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    )])


    async def list_tools(ctx, params):
        return LISTING


    async def main():
        server = Server("floor-one-tool", on_list_tools=list_tools)
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())


    anyio.run(main)
''')

FLOOR_TOOLS_JSON = textwrap.dedent('''\
    import json
    from pathlib import Path

    import anyio
    from mcp import types
    from mcp.server import Server
    from mcp.server.stdio import stdio_server

    with open(Path(__file__).with_name("tools.json"), "rb") as file:
        LISTING = types.ListToolsResult.model_validate({"tools": json.load(file)})


    async def list_tools(ctx, params):
        return LISTING


    async def main():
        server = Server("floor-tools-json", on_list_tools=list_tools)
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())


    anyio.run(main)
''')


# -- one measured start ----------------------------------------------------------------------------


@dataclass
class Command:
    label: str
    args: list[str]  # after the interpreter
    cwd: Path


def server_environment() -> dict[str, str]:
    """PATH and friends only: the machine's credentials and *_BASE_URL stay out."""
    return {key: value for key, value in os.environ.items() if key in SERVER_ENV_KEEP}


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def list_over_stdio(command: Command, errlog: Any, timeout: float) -> dict[str, Any]:
    """Spawn the server, list every page of tools, return the timings and what was listed."""
    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client

    parameters = StdioServerParameters(
        command=sys.executable, args=command.args, cwd=str(command.cwd), env=server_environment()
    )
    tools: list[Any] = []
    pages = 0
    with anyio.fail_after(timeout):
        # The clock starts before the transport spawns the process: what a client waits for.
        # stdio_client is built here rather than by Client only so that stderr goes to a file.
        started = time.perf_counter()
        async with Client(stdio_client(parameters, errlog=errlog), mode="legacy") as client:
            ready = time.perf_counter()
            cursor = None
            while True:
                page = await client.list_tools(cursor=cursor)
                tools.extend(page.tools)
                pages += 1
                cursor = page.next_cursor
                if not cursor:
                    break
            listed = time.perf_counter()
    return {"ready_s": ready - started, "total_s": listed - started, "tools": tools, "pages": pages}


def measure(command: Command, work: Path, timeout: float, keep_payload: bool) -> dict[str, Any]:
    stderr_path = work / f"{command.label}.stderr.txt"
    # The server is a direct child that the transport reaps on exit, so the growth of the
    # children's CPU time is that server's (start, listing and shutdown): a figure that the
    # machine's other load changes much less than wall time.
    cpu_before = children_cpu_seconds()
    # The client runs in this process, whose heap holds what the generator and the previous
    # runs left behind. Collected and frozen, it is neither collected nor scanned during the
    # timed run, so the client's own garbage collection costs the same for every command
    # (otherwise a collection left pending by a 10,000-tool run lands in whichever run is next).
    gc.collect()
    gc.freeze()
    with stderr_path.open("w", encoding="utf-8") as errlog:
        try:
            run = anyio.run(list_over_stdio, command, errlog, timeout)
        except Exception as exc:  # a server that fails is reported with its stderr
            errlog.flush()
            tail = stderr_path.read_text(encoding="utf-8", errors="replace").splitlines()[-STDERR_LINES_KEPT:]
            raise SystemExit(f"{command.label}: {type(exc).__name__}: {exc}\n" + "\n".join(tail)) from exc
    tools = run.pop("tools")
    run["cpu_s"] = children_cpu_seconds() - cpu_before
    run["tool_count"] = len(tools)
    if keep_payload:
        run["payload"] = tools_payload(tools)
    return run


def tools_payload(tools: list[Any]) -> bytes:
    """The tool list as the client received it, as compact JSON."""
    dumped = [tool.model_dump(by_alias=True, exclude_none=True, mode="json") for tool in tools]
    return json.dumps(dumped, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# -- the run ---------------------------------------------------------------------------------------


@dataclass
class Size:
    key: str  # "corpus", "synthetic-10", ...
    label: str  # for the table
    spec: Path
    operations: int
    report: dict[str, Any]
    ours: Command | None = None
    floor_b: Command | None = None
    discovery: Command | None = None  # the same package started with --mode discovery


def timed_prepare(spec: Path, skip_validation: bool) -> tuple[float, Any]:
    os.environ["REST2MCP_CACHE_DIR"] = "off"  # every generation does the whole work (no earlier run's findings)
    started = time.perf_counter()
    generated = prepare(str(spec), Options(skip_validation=skip_validation, models=False))
    return time.perf_counter() - started, generated


def generation(size: Size, repeat: int) -> Any:
    """Time generation with and without validation; return the validated result."""
    timings: dict[str, list[float]] = {}
    generated = None
    for key, skip in (("validated", False), ("skip_validation", True)):
        seconds, result = timed_prepare(size.spec, skip)
        runs = [seconds]
        if seconds < REPEAT_GENERATION_UNDER_SECONDS:
            runs += [timed_prepare(size.spec, skip)[0] for _ in range(repeat - 1)]
        timings[key] = runs
        if not skip:
            generated = result
    size.report["generate_s"] = {key: statistics.median(runs) for key, runs in timings.items()}
    size.report["generate_runs"] = timings
    return generated


def prepare_size(size: Size, work: Path, repeat: int) -> None:
    print(f"generating {size.label} ...", file=sys.stderr, flush=True)
    generated = generation(size, repeat)
    folder = work / size.key
    write_files(folder / "package", generated.files)
    module = generated.api.module
    tools = json.loads(generated.files[f"{module}/generated/tools.json"])["tools"]
    (folder / "floor_b").mkdir(parents=True)
    (folder / "floor_b" / "tools.json").write_text(json.dumps(tools, ensure_ascii=False), encoding="utf-8")
    (folder / "floor_b" / "floor_tools_json.py").write_text(FLOOR_TOOLS_JSON, encoding="utf-8")
    size.report.update(module=module, generated_tools=len(tools))
    size.ours = Command(f"{size.key}-ours", ["-m", module, "--base-url", SERVER_BASE_URL], folder / "package")
    size.floor_b = Command(f"{size.key}-floor_b", ["floor_tools_json.py"], folder / "floor_b")
    size.discovery = Command(f"{size.key}-discovery", ["-m", module, "--base-url", SERVER_BASE_URL, "--mode",
                                                       "discovery"], folder / "package")


def run_servers(sizes: list[Size], floor_a: Command, work: Path, repeat: int, timeout: float) -> dict[str, Any]:
    """Every command once per round, interleaved, so that a change in the machine's load
    during the run touches ours and the floors alike. Round 0 warms the caches (bytecode of
    the freshly written package, the file system) and is not counted."""
    commands = [floor_a] + [c for s in sizes for c in (s.ours, s.floor_b, s.discovery)]
    runs: dict[str, list[dict[str, Any]]] = {c.label: [] for c in commands}
    payloads: dict[str, bytes] = {}
    for round_number in range(repeat + 1):
        print(f"round {round_number}/{repeat}{' (warm-up)' if round_number == 0 else ''} ...",
              file=sys.stderr, flush=True)
        for command in commands:
            run = measure(command, work, timeout, keep_payload=round_number == 0)
            if round_number == 0:
                payloads[command.label] = run.pop("payload")
            else:
                runs[command.label].append(run)
    return {"runs": runs, "payloads": payloads}


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "total_s": statistics.median(r["total_s"] for r in runs),
        "ready_s": statistics.median(r["ready_s"] for r in runs),
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "tools": runs[0]["tool_count"],
        "pages": runs[0]["pages"],
        "runs": [{k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()} for r in runs],
    }


def build_report(sizes: list[Size], floor_a: Command, measured: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    runs, payloads = measured["runs"], measured["payloads"]
    floor_a_summary = summary(runs[floor_a.label])
    floor_a_summary["payload_bytes"] = len(payloads[floor_a.label])
    rows = []
    for size in sizes:
        ours = summary(runs[size.ours.label])
        floor_b = summary(runs[size.floor_b.label])
        ours["payload_bytes"] = len(payloads[size.ours.label])
        floor_b["payload_bytes"] = len(payloads[size.floor_b.label])
        ratio_b = ours["total_s"] / floor_b["total_s"]
        discovery = summary(runs[size.discovery.label])
        discovery["payload_bytes"] = len(payloads[size.discovery.label])
        discovery_ratio = discovery["total_s"] / floor_a_summary["total_s"]
        rows.append({
            **size.report,
            "ours": ours,
            "floor_b": floor_b,
            # The floor must serve what we serve, or the comparison says nothing.
            "same_listing_as_floor_b": payloads[size.ours.label] == payloads[size.floor_b.label],
            "ratio_to_floor_b": ratio_b,
            "ratio_to_floor_a": ours["total_s"] / floor_a_summary["total_s"],
            "cpu_ratio_to_floor_b": ours["cpu_s"] / floor_b["cpu_s"],
            "goal_met": ratio_b <= GOAL_RATIO,
            "discovery": discovery,
            "discovery_ratio_to_floor_a": discovery_ratio,
            "discovery_goal_met": discovery_ratio <= GOAL_RATIO and discovery["payload_bytes"] < DISCOVERY_LIST_LIMIT,
        })
    return {
        "benchmark": "startup",
        "generator_version": GENERATOR_VERSION,
        "python": platform.python_version(),
        "mcp": _version("mcp"),
        "machine": {"cpus": os.cpu_count(), "load_average_at_end": list(os.getloadavg())},
        "repeat": args.repeat,
        "protocol_era": "2025-11-25 (legacy)",
        "goal": f"spawn to complete tools/list within {GOAL_RATIO}x of floor (b) at every size",
        "goal_met": all(row["goal_met"] for row in rows),
        "discovery_goal": (f"discovery mode: spawn to complete tools/list within {GOAL_RATIO}x of floor (a), "
                           f"tools/list under {DISCOVERY_LIST_LIMIT:,} bytes"),
        "discovery_goal_met": all(row["discovery_goal_met"] for row in rows),
        "floor_a": floor_a_summary,
        "sizes": rows,
    }


def _version(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


# -- the report ------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def sec(seconds: float) -> str:
    return f"{seconds:,.2f} s"


def size_text(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.1f} kB"
    return f"{size} B"


def markdown_report(report: dict[str, Any]) -> str:
    floor_a = report["floor_a"]
    rows = report["sizes"]
    lines = [
        "# Start-up",
        "",
        (f"rest2mcp {report['generator_version']}, mcp {report['mcp']}, Python {report['python']}, "
         f"{report['machine']['cpus']} CPUs (load average at the end: "
         f"{', '.join(f'{x:.1f}' for x in report['machine']['load_average_at_end'])}). "
         f"Server times are medians of {report['repeat']} runs after one warm-up, listed over stdio in the "
         f"{report['protocol_era']} era."),
        "",
        "| | " + " | ".join(row["label"] for row in rows) + " |",
        "|---|" + "---:|" * len(rows),
    ]

    def line(title: str, cells: list[str]) -> None:
        lines.append(f"| {title} | " + " | ".join(cells) + " |")

    line("operations / tools", [f"{r['operations']:,} / {r['ours']['tools']:,}" for r in rows])
    line("tools/list payload", [size_text(r["ours"]["payload_bytes"]) for r in rows])
    line("generate (validated)", [sec(r["generate_s"]["validated"]) for r in rows])
    line("generate (--skip-validation)", [sec(r["generate_s"]["skip_validation"]) for r in rows])
    line("**ours**: spawn to full tools/list", [f"**{ms(r['ours']['total_s'])}**" for r in rows])
    line("floor (b) same list from JSON", [ms(r["floor_b"]["total_s"]) for r in rows])
    line("floor (a) one tool", [ms(floor_a["total_s"])] * len(rows))
    line("**ours / floor (b)**", [f"**{r['ratio_to_floor_b']:.2f}x**" for r in rows])
    line("ours / floor (a)", [f"{r['ratio_to_floor_a']:.2f}x" for r in rows])
    line(f"goal: within {GOAL_RATIO}x of (b)", ["met" if r["goal_met"] else "not met" for r in rows])
    line("ours: spawn to initialized", [ms(r["ours"]["ready_s"]) for r in rows])
    line("floor (b): spawn to initialized", [ms(r["floor_b"]["ready_s"]) for r in rows])
    line("floor (a): spawn to initialized", [ms(floor_a["ready_s"])] * len(rows))
    line("server CPU: ours / floor (b)", [f"{ms(r['ours']['cpu_s'])} / {ms(r['floor_b']['cpu_s'])} "
                                          f"({r['cpu_ratio_to_floor_b']:.2f}x)" for r in rows])
    line("server CPU: floor (a)", [ms(floor_a["cpu_s"])] * len(rows))
    line("**discovery mode**: spawn to full tools/list", [f"**{ms(r['discovery']['total_s'])}**" for r in rows])
    line("discovery tools/list payload", [size_text(r["discovery"]["payload_bytes"]) for r in rows])
    line("**discovery / floor (a)**", [f"**{r['discovery_ratio_to_floor_a']:.2f}x**" for r in rows])
    line(f"goal: within {GOAL_RATIO}x of (a), list < 10 kB", ["met" if r["discovery_goal_met"] else "not met"
                                                              for r in rows])
    line("server CPU: discovery", [ms(r["discovery"]["cpu_s"]) for r in rows])
    lines += [
        "",
        ("Wall times include the client's own work (spawning, the handshake, parsing the list), which is "
         "the same for ours and floor (b). Server CPU is user + system time of the server process "
         "(start, listing, shutdown): less sensitive to other load on the machine than wall time."),
    ]
    different = [r["label"] for r in rows if not r["same_listing_as_floor_b"]]
    if different:
        lines += ["", f"**Warning**: floor (b) listed different tools than ours for: {', '.join(different)}."]
    short = [r["label"] for r in rows if r["ours"]["tools"] != r["generated_tools"]]
    if short:
        lines += ["", f"**Warning**: the server listed another number of tools than generated for: {', '.join(short)}."]
    lines.append("")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="measured server starts per command (default 5)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="report path without suffix (default bench/results/startup)")
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help="corpus folder with INDEX.json (default ../shared/corpus)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds one server start and listing may take (default 300)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    corpus_spec, corpus_ops = largest_corpus_spec(args.corpus)
    with tempfile.TemporaryDirectory(prefix="rest2mcp-startup-") as temporary:
        work = Path(temporary)
        sizes = [Size("synthetic-10", "synthetic 10 ops", work / "synthetic-10.json", 10,
                      {"label": "synthetic 10 ops", "spec": "synthetic", "operations": 10})]
        sizes.append(Size("corpus", corpus_spec.name, corpus_spec, corpus_ops,
                          {"label": corpus_spec.name, "spec": str(corpus_spec), "operations": corpus_ops}))
        big = SYNTHETIC_SIZES[-1]
        sizes.append(Size(f"synthetic-{big}", f"synthetic {big:,} ops", work / f"synthetic-{big}.json", big,
                          {"label": f"synthetic {big:,} ops", "spec": "synthetic", "operations": big}))
        for operations in SYNTHETIC_SIZES:
            (work / f"synthetic-{operations}.json").write_text(json.dumps(synthetic_spec(operations)),
                                                               encoding="utf-8")
        # The first generation in a process also pays for lazy imports; keep that out of the timings.
        timed_prepare(sizes[0].spec, skip_validation=False)
        for size in sizes:
            prepare_size(size, work, args.repeat)
        floor_a_folder = work / "floor_a"
        floor_a_folder.mkdir()
        (floor_a_folder / "floor_one_tool.py").write_text(FLOOR_ONE_TOOL, encoding="utf-8")
        floor_a = Command("floor_a", ["floor_one_tool.py"], floor_a_folder)
        measured = run_servers(sizes, floor_a, work, args.repeat, args.timeout)
        report = build_report(sizes, floor_a, measured, args)
    markdown = markdown_report(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_name(args.out.name + ".json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    args.out.with_name(args.out.name + ".md").write_text(markdown, encoding="utf-8")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
