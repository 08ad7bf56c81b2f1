"""Judging one tool call by the requests it put on the wire.

Prism answers with mock responses, 4xx and 5xx examples included, so a status code says
nothing about the request: the verdict comes from Prism's violations (the `sl-violations`
header and the `validation` list of its problem+json errors) plus checks of our own for
wrong requests Prism lets through.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from fidelity_prism import Exchange

ACCEPTED = "accepted"
VIOLATION = "violation"
NOT_SENT = "not_sent"
FAILED = "failed"
OUTCOMES = (ACCEPTED, VIOLATION, NOT_SENT, FAILED)

# Prism problem types that mean "this request does not fit the spec". The others (no response
# defined, an invalid mock response, a schema too complex to mock) are about Prism's answer.
REQUEST_PROBLEMS = {
    "UNPROCESSABLE_ENTITY", "UNAUTHORIZED", "NOT_ACCEPTABLE", "INVALID_CONTENT_TYPE",
    "NO_PATH_MATCHED_ERROR", "NO_METHOD_MATCHED_ERROR", "NO_SERVER_MATCHED_ERROR",
}
PLACEHOLDER = re.compile(r"\{[^{}/]*\}")


@dataclass
class Verdict:
    outcome: str
    messages: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth reading, but not a verdict on the request


def prism_violations(exchange: Exchange) -> list[str]:
    """Prism's error-severity complaints about the request, in order, without repeats."""
    messages: list[str] = []
    for violation in _header_violations(exchange):
        location = violation.get("location") or []
        if violation.get("severity") == "Error" and location[:1] == ["request"]:
            messages.append(str(violation.get("message", "")))
    problem = problem_json(exchange)
    if problem and problem_type(problem) in REQUEST_PROBLEMS:
        listed = [v for v in problem.get("validation") or [] if isinstance(v, dict)]
        errors = [str(v.get("message", "")) for v in listed if v.get("severity", "Error") == "Error"]
        messages.extend(errors or [_problem_text(problem)])
    return list(dict.fromkeys(messages))


def prism_notes(exchange: Exchange) -> list[str]:
    """Problems Prism had with its own answer (they do not count against the request)."""
    problem = problem_json(exchange)
    if problem and problem_type(problem) not in REQUEST_PROBLEMS:
        return [f"prism: {_problem_text(problem)}"]
    return []


def _header_violations(exchange: Exchange) -> list[dict[str, Any]]:
    raw = exchange.response_headers.get("sl-violations")
    if not raw:
        return []
    try:
        parsed = json.loads(raw)
    except ValueError:
        return [{"location": ["request"], "severity": "Error", "message": f"unreadable sl-violations: {raw[:200]}"}]
    return [v for v in parsed if isinstance(v, dict)] if isinstance(parsed, list) else []


def problem_json(exchange: Exchange) -> dict[str, Any] | None:
    if "problem+json" not in exchange.response_headers.get("content-type", ""):
        return None
    try:
        parsed = json.loads(exchange.response_body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def problem_type(problem: dict[str, Any]) -> str:
    return str(problem.get("type", "")).rsplit("#", 1)[-1]


def _problem_text(problem: dict[str, Any]) -> str:
    title = str(problem.get("title", problem_type(problem)))
    detail = str(problem.get("detail", ""))
    return f"{title}: {detail}" if detail and detail != title else title


def path_problems(path: str, template: str | None = None) -> list[str]:
    """Wrong paths Prism accepts: a literal `{placeholder}`, an empty segment, an empty parameter.

    `path` is the raw path as sent. HTTP clients percent-encode braces (httpx sends a leftover
    `{petId}` as `%7BpetId%7D`), so placeholders are looked for in the decoded path; with the
    operation's `template` known, only its own parameter names count, so a value that merely
    contains braces is not mistaken for one.
    """
    names = {n.replace("*}", "}") for n in PLACEHOLDER.findall(template)} if template is not None else None
    problems = [f"literal placeholder {m} left in the path" for m in PLACEHOLDER.findall(unquote(path))
                if names is None or m in names]
    if "//" in path:
        problems.append("empty path segment ('//')")
    if template is None:
        if path.endswith("/") and path != "/":
            problems.append("empty path segment (trailing '/')")
        return problems
    match = _template_regex(template).fullmatch(path)
    if match is None:
        if not problems:
            problems.append(f"path does not follow the template {template}")
        return problems
    for name, value in zip(PLACEHOLDER.findall(template), match.groups()):
        name = name[1:-1].rstrip("*")
        if _empty_value(value, name):
            problems.append(f"empty value for path parameter {name}")
    return problems


def _template_regex(template: str) -> re.Pattern[str]:
    """`{name}` matches one segment; `{name*}` (a value allowed to hold "/") matches several."""
    pieces = PLACEHOLDER.split(template)
    groups = ["(.*)" if name.endswith("*}") else "([^/]*)" for name in PLACEHOLDER.findall(template)]
    pattern = re.escape(pieces[0])
    for group, piece in zip(groups, pieces[1:]):
        pattern += group + re.escape(piece)
    return re.compile(pattern)


def _empty_value(value: str, name: str) -> bool:
    # Label (".v") and matrix (";name=v") styles carry a prefix even when the value is empty.
    return value in ("", ".", f";{name}", f";{name}=")


REDIRECTS = {301, 302, 303, 307, 308}


def classify(exchanges: list[Exchange], template: str | None, is_error: bool | None,
             error: str | None = None) -> Verdict:
    """The verdict on one call: what the server sent (exchanges) and what the client got back.

    `is_error` is the result's isError (None when the call raised); `error` the exception text.
    """
    if any(e.upstream_error for e in exchanges):
        lost = next(e.upstream_error for e in exchanges if e.upstream_error)
        return Verdict(FAILED, [f"prism unreachable: {lost}"])
    built, followed = split_redirects(exchanges)
    notes = [note for e in built for note in prism_notes(e)]
    notes += [f"followed a redirect of the mock to {e.target} (not judged)" for e in followed]
    messages = list(dict.fromkeys(m for e in built for m in exchange_problems(e, template)))
    if error is not None:
        # The request (if any) is still judged, so a client-side failure does not hide a violation.
        return Verdict(FAILED, [error], notes + [f"request: {m}" for m in messages])
    if not exchanges:
        if is_error:
            return Verdict(NOT_SENT)
        return Verdict(FAILED, ["the tool returned a result without calling the API"])
    return Verdict(VIOLATION, messages, notes) if messages else Verdict(ACCEPTED, [], notes)


def split_redirects(exchanges: list[Exchange]) -> tuple[list[Exchange], list[Exchange]]:
    """(requests the tool built, requests that only followed a redirect of Prism's mock response).

    Prism answers with the spec's example responses, 3xx ones included, and the Location of an
    example is whatever the spec's author wrote ("string"): following it is the HTTP client's
    business, not a request the tool built from its arguments.
    """
    built, followed = [], []
    for index, exchange in enumerate(exchanges):
        after_redirect = index > 0 and exchanges[index - 1].status in REDIRECTS
        (followed if after_redirect else built).append(exchange)
    return built, followed


def exchange_problems(exchange: Exchange, template: str | None) -> list[str]:
    if exchange.foreign_host:
        return [f"request sent to {exchange.foreign_host} instead of the base URL"]
    return prism_violations(exchange) + path_problems(exchange.path, template)
