"""`[package]` in rest2mcp.toml: the generated distribution's metadata, which belongs to the user.

The generated `pyproject.toml`, `README.md`, `server.json` and MCPB `manifest.json` are the
generator's files; the version, authors, license, URLs and extra dependencies they carry come from
here, so a release (a new version, a new URL) is a change of the configuration and never a hand
edit of a generated file. Checked like the rest of the configuration: an unknown key or a wrong
type is an error that names the key.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from typing import Any, Protocol

from rest2mcp.mapping.naming import package_name_problem

# PEP 440 public versions (1.2.0, 1.2.0rc1, 2.0.post1, 1.0.dev3), without local labels: PyPI refuses those.
VERSION = re.compile(r"(\d+!)?\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?")
# The MCP Registry's server names: reverse-DNS namespace, one slash, then the server's own name.
MCP_NAME = re.compile(r"[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+")
EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
URL = re.compile(r"https?://[^\s]+")
# A PEP 508 requirement's start: a distribution name (the rest is pip's to judge).
REQUIREMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,\s-]*\])?\s*([<>=!~;@(].*)?")
DEFAULT_VERSION = "0.1.0"
DESCRIPTION_LIMIT = 100  # the MCP Registry's limit for server.json


class Problems(Protocol):
    def add(self, where: tuple[str, ...], message: str, hint: str | None = None,
            codes: tuple[str, str] = ("E502", "W502")) -> None: ...


@dataclass(frozen=True)
class Author:
    name: str
    email: str | None = None


@dataclass(frozen=True)
class PackageMeta:
    """The `[package]` table; None or empty: not set (the generator's default is used)."""

    name: str | None = None  # the distribution name (like --name)
    version: str = DEFAULT_VERSION
    description: str | None = None  # one line; also server.json's (at most 100 characters)
    authors: tuple[Author, ...] = ()
    license: str | None = None  # an SPDX expression, e.g. "MIT"
    urls: tuple[tuple[str, str], ...] = ()  # label -> URL, in the file's order (Homepage, Repository, ...)
    keywords: tuple[str, ...] = ()
    classifiers: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()  # extra requirements, besides the server's own
    readme_intro: str | None = None  # Markdown placed under the README's title
    readme_sections: tuple[str, ...] = ()  # Markdown files (relative to the configuration) appended to the README
    mcp_name: str | None = None  # the MCP Registry name, e.g. io.github.owner/petstore-mcp
    image: str | None = None  # a container image (without tag) to list in server.json, e.g. ghcr.io/owner/petstore-mcp

    def url(self, *labels: str) -> str | None:
        """The first URL whose label is one of `labels` (case-insensitive)."""
        wanted = {label.lower() for label in labels}
        return next((url for label, url in self.urls if label.lower() in wanted), None)


KEYS = ["name", "version", "description", "authors", "license", "urls", "keywords", "classifiers", "dependencies",
        "readme_intro", "readme_sections", "mcp_name", "image"]
WHERE = ("package",)


def parse_package(problems: Problems, table: Any) -> PackageMeta:
    if not isinstance(table, dict):
        problems.add(WHERE, "must be a table", '[package] version = "1.0.0"')
        return PackageMeta()
    values: dict[str, Any] = {}
    for key, value in table.items():
        here = (*WHERE, key)
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            problems.add(here, "unknown key", f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(KEYS)}")
        elif key in ("authors", "urls"):
            parsed = (_authors if key == "authors" else _urls)(problems, here, value)
            if parsed is not None:
                values[key] = parsed
        elif key in ("keywords", "classifiers", "dependencies", "readme_sections"):
            strings = _strings(problems, here, value)
            if strings is not None and key == "classifiers" and any(c.startswith("License ::") for c in strings):
                problems.add(here, "a License classifier: the license is given by `license` (an SPDX expression)",
                             'e.g. license = "MIT"; build backends refuse both together (PEP 639)')
                continue
            if strings is not None and key == "dependencies":
                bad = [s for s in strings if not REQUIREMENT.fullmatch(s.strip())]
                if bad:
                    problems.add(here, f"{bad[0]!r} is not a requirement", 'e.g. "orjson>=3.9"')
                    continue
            if strings is not None:
                values[key] = strings
        elif not isinstance(value, str) or not value.strip():
            problems.add(here, "must be a non-empty string")
        elif key == "license":
            license_expression = _license(problems, here, value.strip())
            if license_expression is not None:
                values[key] = license_expression
        else:
            problem = _string_problem(key, value.strip())
            if problem:
                problems.add(here, *problem)
            else:
                values[key] = value.strip() if key != "readme_intro" else value
    return PackageMeta(**values)


def _string_problem(key: str, value: str) -> tuple[str, str] | None:
    """What is wrong with a string key's value: (message, hint), or None."""
    if key == "name":
        problem = package_name_problem(value)
        return (f"{value!r} cannot name the package", problem) if problem else None
    if key == "version" and not VERSION.fullmatch(value):
        return f"{value!r} is not a version PyPI accepts", 'use a PEP 440 version such as "1.2.0" or "2.0.0rc1"'
    if key == "description" and ("\n" in value or len(value) > DESCRIPTION_LIMIT):
        return (f"must be one line of at most {DESCRIPTION_LIMIT} characters (it has {len(value)})",
                "the MCP Registry refuses longer descriptions; say more in readme_intro")
    if key == "mcp_name" and not MCP_NAME.fullmatch(value):
        return f"{value!r} is not an MCP Registry name", 'use NAMESPACE/NAME, e.g. "io.github.you/petstore-mcp"'
    if key == "image" and (":" in value.rsplit("/", 1)[-1] or "@" in value or not re.fullmatch(r"[a-z0-9./_-]+", value)):
        return f"{value!r} is not an image name without tag", 'e.g. "ghcr.io/you/petstore-mcp" (the version is the tag)'
    return None


LICENSE_HINT = ('use an SPDX identifier or expression (https://spdx.org/licenses/), e.g. "MIT", "Apache-2.0", '
                '"MIT OR Apache-2.0", or "LicenseRef-Proprietary" for a license of your own')


# Common spellings that are not SPDX identifiers, and the identifier they usually mean.
LICENSE_ALIASES = {
    "apache": "Apache-2.0", "apache2": "Apache-2.0", "apache-2": "Apache-2.0", "apache-license-2.0": "Apache-2.0",
    "bsd": "BSD-3-Clause", "bsd-3": "BSD-3-Clause", "new-bsd": "BSD-3-Clause", "bsd-2": "BSD-2-Clause",
    "gpl": "GPL-3.0-or-later", "gpl3": "GPL-3.0-only", "gplv3": "GPL-3.0-only", "gpl-3": "GPL-3.0-only",
    "gpl2": "GPL-2.0-only", "gplv2": "GPL-2.0-only", "lgpl": "LGPL-3.0-or-later", "agpl": "AGPL-3.0-only",
    "agplv3": "AGPL-3.0-only", "mpl": "MPL-2.0", "mpl2": "MPL-2.0", "proprietary": "LicenseRef-Proprietary",
    "public-domain": "Unlicense", "mit-license": "MIT", "the-mit-license": "MIT",
}


def _license(problems: Problems, where: tuple[str, ...], value: str) -> str | None:
    """The SPDX expression in its canonical spelling (`mit or apache-2.0` -> `MIT OR Apache-2.0`), as
    PEP 639 wants it in `pyproject.toml`; None, with the problem said, when it is not one. Build
    backends and PyPI refuse what is not, so the release would fail long after generation."""
    # Imported here: 13 ms, for the runs that set a license only.
    from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

    try:
        return canonicalize_license_expression(value)
    except InvalidLicenseExpression:
        pass
    tokens = [token for token in re.split(r"[\s()]+", value) if token and token.upper() not in ("AND", "OR", "WITH")]
    unknown = next((token for token in tokens if _unknown_license(token)), None)
    guess = _license_guess(value)
    if guess or not unknown or unknown == value:
        what = f"{value!r} is not an SPDX {'license identifier' if guess or unknown else 'expression'}"
    else:  # one identifier of an expression: name it, and suggest the expression with it replaced
        what = f"{unknown!r} in {value!r} is not an SPDX license identifier"
        part = _license_guess(unknown)
        guess = value.replace(unknown, part) if part else None
    problems.add(where, what, f"did you mean {guess!r}? (the SPDX identifiers: https://spdx.org/licenses/)" if guess else LICENSE_HINT)
    return None


def _license_guess(value: str) -> str | None:
    """The identifier `value` most likely means: one of the common spellings above, or a close one."""
    spelled = re.sub(r"[\s_]+", "-", value.strip().lower()).removesuffix("-license").removesuffix("-licence")
    if spelled in LICENSE_ALIASES:
        return LICENSE_ALIASES[spelled]
    known = _known_licenses()
    if spelled in known:
        return known[spelled]
    close = difflib.get_close_matches(spelled, known, n=1, cutoff=0.8)
    return known[close[0]] if close else None


def _unknown_license(token: str) -> bool:
    from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

    try:
        canonicalize_license_expression(token)
    except InvalidLicenseExpression:
        return True
    return False


@functools.cache
def _known_licenses() -> dict[str, str]:
    """SPDX identifiers by their lower-case spelling, for "did you mean" (packaging's own list)."""
    try:
        from packaging.licenses._spdx import LICENSES
    except ImportError:  # a private module: without it, no suggestion, the hint still says what to write
        return {}
    return {key: entry["id"] for key, entry in LICENSES.items() if not entry.get("deprecated")}


def _strings(problems: Problems, where: tuple[str, ...], value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add(where, "must be a list of non-empty strings")
        return None
    return tuple(v.strip() for v in value)


def _authors(problems: Problems, where: tuple[str, ...], value: Any) -> tuple[Author, ...] | None:
    """`["Ada <ada@example.com>"]` or `[{ name = "Ada", email = "ada@example.com" }]`."""
    hint = 'e.g. authors = ["Ada Lovelace <ada@example.com>"] or [{ name = "Ada", email = "ada@example.com" }]'
    if not isinstance(value, list):
        problems.add(where, "must be a list", hint)
        return None
    authors = []
    for entry in value:
        if isinstance(entry, str):
            found = re.fullmatch(r"\s*([^<>]*?)\s*(?:<([^<>]*)>)?\s*", entry)
            entry = {"name": found.group(1), "email": found.group(2)} if found else {"name": ""}
            entry = {k: v for k, v in entry.items() if v}
        if not isinstance(entry, dict) or set(entry) - {"name", "email"} or not entry.get("name"):
            problems.add(where, f"{entry!r} is not an author with a name", hint)
            return None
        name, email = entry.get("name"), entry.get("email")
        if not isinstance(name, str) or (email is not None and not (isinstance(email, str) and EMAIL.fullmatch(email))):
            problems.add(where, f"{entry!r} has a name that is not text or an email that is not an address", hint)
            return None
        authors.append(Author(name.strip(), email))
    return tuple(authors)


def _urls(problems: Problems, where: tuple[str, ...], value: Any) -> tuple[tuple[str, str], ...] | None:
    hint = 'e.g. [package.urls] Homepage = "https://example.com", Repository = "https://github.com/you/petstore-mcp"'
    if not isinstance(value, dict):
        problems.add(where, "must be a table of label = URL", hint)
        return None
    for label, url in value.items():
        if not isinstance(url, str) or not URL.fullmatch(url):
            problems.add((*where, label), "must be an http:// or https:// URL", hint)
            return None
    return tuple((label, url) for label, url in value.items())
