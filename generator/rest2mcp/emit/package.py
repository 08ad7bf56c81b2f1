"""`[package]` resolved for the files that carry it: defaults filled in, the README's own sections read.

The configuration (`surface/package.py`) says what the user set; this says what the generated
`pyproject.toml`, `README.md`, `server.json`, MCPB `manifest.json` and Dockerfile write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rest2mcp.diagnostics import Diagnostic, GenerationFailed, Severity
from rest2mcp.mapping.ir import Api
from rest2mcp.runtime.display import printable
from rest2mcp.surface.package import DESCRIPTION_LIMIT, Author, PackageMeta

# The MCP Registry names a server by a namespace the publisher proves (a GitHub account, a domain).
PLACEHOLDER_NAMESPACE = "com.example"
GITHUB = re.compile(r"https://github\.com/([A-Za-z0-9-]+)/[A-Za-z0-9._-]+?(?:\.git)?/?")


@dataclass(frozen=True)
class PackageInfo:
    version: str
    description: str  # one line, at most 100 characters
    authors: tuple[Author, ...]
    license: str | None
    urls: tuple[tuple[str, str], ...]
    keywords: tuple[str, ...]
    classifiers: tuple[str, ...]
    dependencies: tuple[str, ...]
    readme_intro: str | None
    readme_sections: tuple[str, ...]  # Markdown texts, in the configuration's order
    mcp_name: str | None  # as configured; see `registry_name`
    image: str | None
    repository: str | None  # the source repository's URL, when one is given

    def registry_name(self, api: Api) -> str:
        """server.json's name: configured, else io.github.OWNER/PACKAGE from a GitHub repository URL,
        else a placeholder namespace that `mcp-publisher` refuses until it is set."""
        if self.mcp_name:
            return self.mcp_name
        owner = self._github_owner()
        return f"{f'io.github.{owner}' if owner else PLACEHOLDER_NAMESPACE}/{api.package}"

    def has_registry_name(self) -> bool:
        """Whether `registry_name` is one the publisher set (not the placeholder)."""
        return bool(self.mcp_name) or self._github_owner() is not None

    def _github_owner(self) -> str | None:
        found = GITHUB.fullmatch(self.repository or "")
        return found.group(1) if found else None


def default_description(api: Api) -> str:
    text = " ".join(printable(f"MCP server for {api.title}").split())
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 3].rstrip() + "..."


def package_info(meta: PackageMeta, config_dir: Path | None) -> PackageInfo:
    """The metadata with the README sections read (relative to the configuration's folder)."""
    texts = []
    for relative in meta.readme_sections:
        path = (config_dir or Path(".")) / relative
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise GenerationFailed([Diagnostic(
                Severity.ERROR, "E521", f"cannot read a README section of [package] readme_sections: {reason}", None,
                "give Markdown files relative to the configuration file's folder", str(path))]) from None
        texts.append(text.strip("\n") + "\n")
    return PackageInfo(
        version=meta.version, description=meta.description or "", authors=meta.authors, license=meta.license,
        urls=meta.urls, keywords=meta.keywords, classifiers=meta.classifiers, dependencies=meta.dependencies,
        readme_intro=meta.readme_intro.strip("\n") + "\n" if meta.readme_intro else None,
        readme_sections=tuple(texts), mcp_name=meta.mcp_name, image=meta.image,
        repository=meta.url("repository", "source", "source code", "code"))


DEFAULT_INFO = package_info(PackageMeta(), None)
