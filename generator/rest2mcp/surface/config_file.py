"""Finding and reading the configuration file: `rest2mcp.toml` beside the spec, a pyproject.toml
with [tool.rest2mcp], or the file --config names. Each file is read once; its bytes are kept for
the manifest's hash. What the configuration means is config.py's."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rest2mcp.diagnostics import Diagnostic, GenerationFailed, Severity
from rest2mcp.numbers import plain_float
from rest2mcp.surface.config import Config, parse_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILE = "rest2mcp.toml"


def _read_toml(path: Path) -> tuple[dict[str, Any], str, bytes]:
    """The file's TOML data, its text and its bytes (the manifest records their hash): read once."""
    try:
        raw = path.read_bytes()
        # Newlines as text mode reads them: \r\n and \r become \n.
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except OSError as exc:
        raise GenerationFailed([Diagnostic(Severity.ERROR, "E505", f"cannot read the configuration: {exc.strerror or exc}",
                                           None, "check the --config path", str(path))]) from None
    except UnicodeDecodeError:
        raise GenerationFailed([Diagnostic(Severity.ERROR, "E505", "the configuration is not UTF-8 text",
                                           None, None, str(path))]) from None
    try:
        return tomllib.loads(text), text, raw
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(found.group(1)) if found else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise GenerationFailed([Diagnostic(Severity.ERROR, "E505", f"invalid TOML: {message}", None,
                                           "see https://toml.io for the syntax", str(path), line)]) from None


@dataclass(frozen=True)
class LoadedConfig:
    config: Config
    path: Path | None = None  # the file read, if any
    raw: bytes | None = None  # its bytes, as read (the manifest records their hash)

    def floats_plain(self) -> bool:
        """Whether every float the file writes is plain (rest2mcp/numbers.py: no nan or inf, which
        TOML has, no 1e-5), as the catalog's fast writer needs; read again for it, a small file."""
        if self.raw is None:
            return True
        plain = True

        def read_float(literal: str) -> float:
            nonlocal plain
            value = float(literal)  # as tomllib reads it (underscores, inf and nan included)
            plain = plain and plain_float(value)
            return value

        try:
            tomllib.loads(self.raw.decode("utf-8"), parse_float=read_float)
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):  # not so when it was read: not sure, then
            return False
        return plain


def _pyproject_table(data: dict[str, Any]) -> Any:
    tool = data.get("tool")
    return tool.get("rest2mcp") if isinstance(tool, dict) else None


def _beside(spec_source: str) -> tuple[Path, tuple[dict[str, Any], str, bytes] | None] | None:
    """The configuration file beside a local spec: rest2mcp.toml, else a pyproject.toml with
    [tool.rest2mcp] (returned with its contents, since finding it meant reading it)."""
    if "://" in spec_source:
        return None
    # Relative to the spec as given (not resolved), so the manifest records the same path on
    # every machine.
    folder = Path(spec_source).parent
    if (folder / CONFIG_FILE).is_file():
        return folder / CONFIG_FILE, None
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        try:
            contents = _read_toml(pyproject)
        except GenerationFailed:  # someone else's file: not a configuration
            return None
        if _pyproject_table(contents[0]) is not None:
            return pyproject, contents
    return None


def load_config(spec_source: str, explicit: Path | None = None) -> LoadedConfig:
    """The configuration for a spec: `explicit` (a rest2mcp.toml, or a pyproject.toml's
    [tool.rest2mcp]), else the one beside the spec, else the defaults. Each file is read once."""
    found = (explicit, None) if explicit is not None else _beside(spec_source)
    if found is None:
        return LoadedConfig(Config())
    path, contents = found
    data, text, raw = contents if contents is not None else _read_toml(path)
    if path.name == "pyproject.toml":
        data = _pyproject_table(data)
        if not isinstance(data, dict):
            raise GenerationFailed([Diagnostic(Severity.ERROR, "E505", "no [tool.rest2mcp] table", None,
                                               "add [tool.rest2mcp] or pass a rest2mcp.toml", str(path))])
        text = ""  # line numbers would point into other tables
    return LoadedConfig(parse_config(data, str(path), text), path, raw)
