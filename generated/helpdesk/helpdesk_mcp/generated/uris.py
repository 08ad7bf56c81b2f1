# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""Resource URIs: one scheme per package (`petstore-mcp://...`), and URI templates of RFC 6570
level 1 (`petstore-mcp://pets/{petId}`), made from an operation's path at generation and matched
against the URIs clients read at run time. The generator imports this module: one rule, both sides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, unquote

DOCUMENT_PATH = "openapi.json"
TOOLSETS_PATH = "toolsets"
# RFC 3986 scheme; RFC 6570 variable names (without percent-encoded characters).
SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")
VARIABLE = re.compile(r"[A-Za-z0-9_](?:\.?[A-Za-z0-9_])*")
_EXPRESSION = re.compile(r"\{([^{}]*)\}")
# What an RFC 6570 literal may not hold: controls, space, quotes, <>\^`|{} and a lone '%'.
_BAD_LITERAL = re.compile(r"""[\x00-\x20\x7f"'<>\\^`{|}]|%(?![0-9A-Fa-f]{2})""")
_LITERAL_SAFE = "/:@!$&()*+,;=-._~"  # kept as is in a path's literal parts; the rest percent-encoded
# A variable's value in a URI: one path segment at most ("/" in a value comes percent-encoded).
_VALUE = "([^/?#]+)"
_FETCHED = frozenset({"http", "https", "file", "ftp", "data", "ws", "wss", "mailto", "urn", "about", "blob"})


def scheme_for(package: str) -> str:
    """The URI scheme of a package's resources: its name, when that is a valid scheme and not one
    that clients would fetch themselves (https, file, ...)."""
    scheme = re.sub(r"[^a-z0-9+.-]+", "-", package.lower()).strip("-")
    return scheme if SCHEME.fullmatch(scheme) and scheme not in _FETCHED else "mcp-" + scheme.lstrip("+.-")


def document_uri(scheme: str) -> str:
    return f"{scheme}://{DOCUMENT_PATH}"


def toolset_uri(scheme: str, toolset: str) -> str:
    return f"{scheme}://{TOOLSETS_PATH}/{quote(toolset, safe='')}"


def variable_name(argument: str, taken: set[str]) -> str:
    """A URI variable name for a tool argument (RFC 6570 allows letters, digits, '_' and inner dots)."""
    name = argument if VARIABLE.fullmatch(argument) else re.sub(r"[^A-Za-z0-9_]", "_", argument)
    unique, number = name, 2
    while unique in taken:
        unique, number = f"{name}_{number}", number + 1
    taken.add(unique)
    return unique


def template_from_path(scheme: str, path: str, variables: Mapping[str, str], fixed: Mapping[str, str]) -> str:
    """The URI template of an operation's path: `{wire}` becomes `{variables[wire]}`, or the
    percent-encoded value of a fixed parameter; literal parts are percent-encoded."""
    parts = re.split(r"(\{[^{}]*\})", path)
    out = []
    for part in parts:
        wire = part[1:-1] if part.startswith("{") and part.endswith("}") else None
        if wire is not None and wire in variables:
            out.append("{" + variables[wire] + "}")
        elif wire is not None and wire in fixed:
            out.append(quote(fixed[wire], safe=""))
        else:
            out.append(quote(part, safe=_LITERAL_SAFE))
    rest = "".join(out).lstrip("/")
    return f"{scheme}://{rest or 'api'}"


def template_problem(template: str) -> str | None:
    """Why `template` is not an absolute RFC 6570 level-1 URI template, or None."""
    scheme = template.split(":", 1)[0]
    if ":" not in template or not SCHEME.fullmatch(scheme):
        return "it must start with a scheme such as 'name://' (lowercase letters, digits, '+', '-', '.')"
    for literal in _EXPRESSION.split(template)[::2]:
        bad = _BAD_LITERAL.search(literal)
        if bad:
            return f"{bad.group()!r} is not allowed outside an expression (percent-encode it)"
    for name in _EXPRESSION.findall(template):
        if not VARIABLE.fullmatch(name):
            return (f"{{{name}}} is not a level-1 expression: use one variable name of letters, digits "
                    "and '_', without operators or modifiers")
    names = variables_of(template)
    if len(names) != len(set(names)):
        return "a variable appears twice"
    return None


def variables_of(template: str) -> list[str]:
    return _EXPRESSION.findall(template)


def pattern(template: str) -> re.Pattern[str]:
    """A regular expression matching the URIs of `template` (a valid one), a group per variable."""
    parts = _EXPRESSION.split(template)
    return re.compile("".join(_VALUE if i % 2 else re.escape(p) for i, p in enumerate(parts)))


def shape(template: str) -> str:
    """The template with its variables unnamed: two templates of one shape match the same URIs."""
    return _EXPRESSION.sub("{}", template)


def specificity(template: str) -> int:
    """How much literal text a template has: where several match a URI, the most literal one serves it."""
    return len(_EXPRESSION.sub("", template))


def matched(compiled: re.Pattern[str], names: list[str], uri: str) -> dict[str, str] | None:
    """The variables' values (percent-decoded) when `uri` matches, else None."""
    found = compiled.fullmatch(uri)
    if found is None:
        return None
    return {name: unquote(value) for name, value in zip(names, found.groups())}
