# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""The server's command line and settings: each option also read from <PREFIX>_<NAME> (see environment.py)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TypeVar
from urllib.parse import urlsplit

from .approval import POLICIES, Policy
from .audit import OFF, STDERR, AuditLog
from .caller import Settings
from .catalog import IndexData
from .display import printable
from .environment import setting
from .request import origin
from .retries import RetryPolicy

MODES = ("tools", "discovery", "dynamic")
Number = TypeVar("Number", int, float)


class OptionError(Exception):
    """A setting with a wrong value; the message says which and what to give."""


def parser(index: IndexData, version: str) -> argparse.ArgumentParser:
    name, prefix = index["name"], index["envPrefix"]
    parser = argparse.ArgumentParser(
        prog=name,
        description=f"MCP server for {printable(index['title'])}. Credentials and settings come from environment "
                    f"variables ({prefix}_*); see README.md.",
    )
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio",
                        help="stdio (default) or Streamable HTTP")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP: address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="HTTP: port (default 8000)")
    parser.add_argument("--http-sessions", action="store_true",
                        help="HTTP: keep a session per client, so that 2025-era clients can be asked to approve calls "
                             "(each client then stays with one process); default: stateless, where 2026-07-28 "
                             "clients are asked in a round trip")
    parser.add_argument("--base-url", default=None,
                        help=f"the API's base URL (or {setting(prefix, 'BASE_URL')}); default: the document's server")
    parser.add_argument("--allow-origin", action="append", default=None, metavar="URL",
                        help=f"another origin (scheme://host[:port]) that operations naming it as their server, and "
                             f"redirects, may go to with the credentials; repeatable (or "
                             f"{setting(prefix, 'ALLOWED_ORIGINS')}, comma-separated; default: only the base URL's)")
    parser.add_argument("--timeout", type=float, default=None,
                        help=f"seconds a whole call may take, redirects and reading the response included "
                             f"(or {setting(prefix, 'TIMEOUT')}; default 60)")
    parser.add_argument("--max-response-chars", type=int, default=None,
                        help=f"cut longer text responses, saying how much was left out "
                             f"(or {setting(prefix, 'MAX_RESPONSE_CHARS')}; default 100000)")
    parser.add_argument("--max-response-bytes", type=int, default=None,
                        help=f"refuse longer responses without reading them "
                             f"(or {setting(prefix, 'MAX_RESPONSE_BYTES')}; default 10000000)")
    parser.add_argument("--retry-attempts", type=int, default=None, metavar="N",
                        help=f"attempts in all for a call that failed to connect or got 429, 502, 503 or 504: "
                             f"idempotent methods, and POST or PATCH with an idempotency key; 1: no retries "
                             f"(or {setting(prefix, 'RETRY_ATTEMPTS')}; default 3; the timeout bounds them all)")
    parser.add_argument("--retry-max-wait", type=float, default=None, metavar="SECONDS",
                        help=f"the longest pause before a retry, the API's Retry-After included; a longer one "
                             f"ends the call, saying how long to wait (or {setting(prefix, 'RETRY_MAX_WAIT')}; "
                             f"default 30)")
    parser.add_argument("--max-concurrency", type=int, default=None, metavar="N",
                        help=f"requests sent to the API at a time; more calls wait their turn "
                             f"(or {setting(prefix, 'MAX_CONCURRENCY')}; default 16)")
    parser.add_argument("--max-binary-bytes", type=int, default=None,
                        help=f"leave longer images, audio and files out of results, saying their size and where they "
                             f"are (or {setting(prefix, 'MAX_BINARY_BYTES')}; default 1000000)")
    parser.add_argument("--mode", choices=MODES, default=None,
                        help=f"tools: one tool per operation; discovery: three tools that search, describe and "
                             f"call operations; dynamic: list_toolsets and enable_toolset, which adds a toolset's "
                             f"tools as the server runs (or {setting(prefix, 'MODE')}; default {index['mode']})")
    parser.add_argument("--toolsets", default=None,
                        help=f"expose only these comma-separated groups of operations; in dynamic mode, the ones "
                             f"enabled from the start (or {setting(prefix, 'TOOLSETS')}; default: all, in dynamic "
                             f"mode none; 'all' names every toolset); --list-toolsets shows them")
    parser.add_argument("--read-only", action="store_true", default=None,
                        help=f"expose only tools that change nothing (GET, HEAD, OPTIONS, and tools configured "
                             f"read-only; or {setting(prefix, 'READ_ONLY')}=true)")
    parser.add_argument("--tools", default=None,
                        help=f"expose only the tools whose names match these comma-separated patterns "
                             f"(* and ? wildcards; or {setting(prefix, 'TOOLS')})")
    parser.add_argument("--exclude-tools", default=None,
                        help=f"leave out the tools whose names match these comma-separated patterns "
                             f"(or {setting(prefix, 'EXCLUDE_TOOLS')})")
    parser.add_argument("--approval", choices=POLICIES, default=None,
                        help=f"which calls wait for the user's approval (asked through the MCP client): configured "
                             f"(default: each tool's requires_approval, else the destructive ones: DELETE, PUT, "
                             f"PATCH), writes (every tool that is not read-only), all, or none "
                             f"(or {setting(prefix, 'APPROVAL')})")
    parser.add_argument("--mark-api-data", action=argparse.BooleanOptionalAction, default=None,
                        help=f"set the API's text apart between <untrusted-api-data> lines, cleaned of invisible "
                             f"characters (default on; or {setting(prefix, 'MARK_API_DATA')}=false)")
    parser.add_argument("--audit-log", default=None, metavar="PATH",
                        help=f"where the audit log goes, one JSON line per call: - for stderr (default), a file "
                             f"(appended), or off (or {setting(prefix, 'AUDIT_LOG')})")
    parser.add_argument("--audit-arguments", action="store_true", default=None,
                        help=f"include the arguments in the audit log (credentials masked; or "
                             f"{setting(prefix, 'AUDIT_ARGUMENTS')}=true)")
    parser.add_argument("--log-json", action="store_true", default=None,
                        help=f"write the server's own log (warnings, errors) as JSON lines on stderr "
                             f"(or {setting(prefix, 'LOG_JSON')}=true)")
    parser.add_argument("--list-toolsets", action="store_true", help="print the toolsets and exit")
    parser.add_argument("--version", action="version", version=f"{name} {version}")
    from .hosting import add_http_arguments  # here: hosting.py reads these options with this module's rules

    add_http_arguments(parser, prefix)
    return parser


def mode_from(args: argparse.Namespace, index: IndexData, environ: Mapping[str, str] = os.environ) -> str:
    variable = setting(index["envPrefix"], "MODE")
    mode = args.mode or environ.get(variable) or index["mode"]
    if mode not in MODES:
        raise OptionError(f"{variable} must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


TRUE, FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def switch(given: bool | None, index: IndexData, environ: Mapping[str, str], name: str, default: bool) -> bool:
    """A yes/no setting: its option, else <PREFIX>_<NAME> (true/false), else `default`."""
    if given is not None:
        return given
    variable = setting(index["envPrefix"], name)
    raw = environ.get(variable, "").strip().lower()
    if raw not in TRUE + FALSE:
        raise OptionError(f"{variable} must be true or false, not {raw!r}")
    return raw in TRUE if raw else default


def log_json_from(args: argparse.Namespace, index: IndexData, environ: Mapping[str, str] = os.environ) -> bool:
    return switch(args.log_json, index, environ, "LOG_JSON", False)


def read_only_from(args: argparse.Namespace, index: IndexData, environ: Mapping[str, str] = os.environ) -> bool:
    """--read-only, else <PREFIX>_READ_ONLY (true/false), else off."""
    return switch(args.read_only, index, environ, "READ_ONLY", False)


def approval_from(args: argparse.Namespace, index: IndexData, environ: Mapping[str, str] = os.environ) -> Policy:
    variable = setting(index["envPrefix"], "APPROVAL")
    raw = args.approval or environ.get(variable, "").strip().lower() or "configured"
    for policy in POLICIES:
        if raw == policy:
            return policy
    raise OptionError(f"{variable} must be one of {', '.join(POLICIES)}, not {raw!r}")


@dataclass(frozen=True)
class ServerOptions:
    """What the server itself does around the tools (the tools' own settings are `Settings`)."""

    audit: AuditLog | None = None
    approval: Policy = "configured"
    mark_api_data: bool = True
    request_state_keys: tuple[str, ...] = ()  # shared by every worker that may get a client's next round
    toolset_scopes: Mapping[str, str] | None = None  # HTTP with OAuth: toolset -> the scope that shows it


def server_options_from(args: argparse.Namespace, index: IndexData,
                        environ: Mapping[str, str] = os.environ) -> ServerOptions:
    keys = environ.get(setting(index["envPrefix"], "REQUEST_STATE_KEY"), "")
    return ServerOptions(audit=audit_from(args, index, environ), approval=approval_from(args, index, environ),
                         mark_api_data=switch(args.mark_api_data, index, environ, "MARK_API_DATA", True),
                         request_state_keys=tuple(k.strip() for k in keys.split(",") if k.strip()))


def audit_from(args: argparse.Namespace, index: IndexData, environ: Mapping[str, str] = os.environ) -> AuditLog:
    """The audit log the options ask for (the file is opened here, so a bad path stops the start)."""
    target = args.audit_log or environ.get(setting(index["envPrefix"], "AUDIT_LOG"), "").strip() or STDERR
    arguments = switch(args.audit_arguments, index, environ, "AUDIT_ARGUMENTS", False)
    try:
        return AuditLog(OFF if target.lower() == OFF else target, arguments)
    except OSError as exc:
        raise OptionError(f"cannot open the audit log {target}: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class ToolPatterns:
    """--tools and --exclude-tools: name patterns (fnmatch: * and ?) choosing tools at start."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def allows(self, name: str) -> bool:
        if self.include and not any(fnmatchcase(name, p) for p in self.include):
            return False
        return not any(fnmatchcase(name, p) for p in self.exclude)


def tool_patterns_from(args: argparse.Namespace, index: IndexData,
                       environ: Mapping[str, str] = os.environ) -> ToolPatterns:
    def patterns(given: str | None, name: str) -> tuple[str, ...]:
        raw = given if given is not None else environ.get(setting(index["envPrefix"], name), "")
        return tuple(part.strip() for part in raw.split(",") if part.strip())

    return ToolPatterns(patterns(args.tools, "TOOLS"), patterns(args.exclude_tools, "EXCLUDE_TOOLS"))


def _toolsets_text(args: argparse.Namespace, index: IndexData, environ: Mapping[str, str]) -> str:
    raw = args.toolsets if args.toolsets is not None else environ.get(setting(index["envPrefix"], "TOOLSETS"))
    return (raw or "").strip()


def toolsets_from(args: argparse.Namespace, index: IndexData,
                  environ: Mapping[str, str] = os.environ) -> frozenset[str] | None:
    """The toolsets chosen with --toolsets (or the environment); None: all (named or by default)."""
    raw = _toolsets_text(args, index, environ)
    if raw in ("", "all"):
        return None
    chosen = frozenset(part.strip() for part in raw.split(",") if part.strip())
    known = index["toolsets"]
    unknown = sorted(chosen - set(known))
    if unknown:
        raise OptionError(f"unknown toolset {', '.join(unknown)}; the toolsets are: {', '.join(known)}")
    return chosen


def all_toolsets_named(args: argparse.Namespace, index: IndexData, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether --toolsets (or the environment) says `all`: in dynamic mode, where no choice means none
    enabled at start, that enables every toolset from the start."""
    return _toolsets_text(args, index, environ) == "all"


def settings_from(args: argparse.Namespace, index: IndexData, version: str,
                  environ: Mapping[str, str] = os.environ) -> Settings:
    prefix = index["envPrefix"]
    base_url = args.base_url or environ.get(setting(prefix, "BASE_URL")) or index["baseUrl"]
    if not base_url:
        raise OptionError(
            f"no base URL for the API: {index['baseUrlNote']}.\n"
            f"Pass the API's absolute URL with --base-url (or set {setting(prefix, 'BASE_URL')})."
        )
    if not base_url.startswith(("http://", "https://")):
        raise OptionError(f"the base URL {base_url!r} must start with http:// or https://")
    timeout = _positive(args.timeout, environ, prefix, "TIMEOUT", float, 60.0, "a number of seconds")
    max_text = _positive(args.max_response_chars, environ, prefix, "MAX_RESPONSE_CHARS", int, 100_000,
                         "a number of characters")
    max_bytes = _positive(args.max_response_bytes, environ, prefix, "MAX_RESPONSE_BYTES", int, 10_000_000,
                          "a number of bytes")
    retries = RetryPolicy(
        attempts=_positive(args.retry_attempts, environ, prefix, "RETRY_ATTEMPTS", int, 3, "a number of attempts"),
        max_wait=_positive(args.retry_max_wait, environ, prefix, "RETRY_MAX_WAIT", float, 30.0, "a number of seconds"))
    concurrency = _positive(args.max_concurrency, environ, prefix, "MAX_CONCURRENCY", int, 16, "a number of requests")
    max_binary = _positive(args.max_binary_bytes, environ, prefix, "MAX_BINARY_BYTES", int, 1_000_000,
                           "a number of bytes")
    return Settings(base_url=base_url, timeout=timeout, max_text=max_text, user_agent=f"{index['name']}/{version}",
                    max_bytes=max_bytes, max_binary=max_binary, allowed_origins=_origins(args.allow_origin, environ, prefix),
                    approval=approval_from(args, index, environ),
                    mark_api_data=switch(args.mark_api_data, index, environ, "MARK_API_DATA", True),
                    retries=retries, max_concurrency=concurrency)


def _origins(given: list[str] | None, environ: Mapping[str, str], prefix: str) -> frozenset[str]:
    """The allowed origins from --allow-origin (repeated or comma-separated), else the environment."""
    raw = given if given is not None else [environ.get(setting(prefix, "ALLOWED_ORIGINS"), "")]
    found = set()
    for url in (part.strip() for item in raw for part in item.split(",")):
        if not url:
            continue
        if not url.startswith(("http://", "https://")) or not urlsplit(url).hostname:
            raise OptionError(f"an allowed origin must be an http:// or https:// URL such as https://api.example.com, "
                              f"not {url!r}")
        found.add(origin(url))
    return frozenset(found)


def _positive(given: Number | None, environ: Mapping[str, str], prefix: str, name: str,
              kind: Callable[[str], Number], default: Number, meaning: str) -> Number:
    """A positive setting from its option, else its environment variable, else the default."""
    value = given
    if value is None:
        variable = setting(prefix, name)
        raw = environ.get(variable)
        try:
            value = kind(raw) if raw else default
        except ValueError:
            raise OptionError(f"{variable} must be {meaning}, not {raw!r}") from None
    if value <= 0:
        raise OptionError(f"{name.lower().replace('_', '-')} must be a positive number")
    return value
