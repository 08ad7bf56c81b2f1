"""The options of a generation, as the command line gives them (a module of its own: the commands
read them before anything heavy is imported, so that an up-to-date run stays quick)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_OUTPUT_SCHEMA_LIMIT = 3072  # bytes of compact JSON per output schema (see schemas/output.py)


@dataclass
class Options:
    name: str | None = None
    base_url: str | None = None
    strict: bool = False
    skip_validation: bool = False
    allowed_ref_hosts: tuple[str, ...] = ()
    allowed_ref_dirs: tuple[str, ...] = ()  # folders besides the document's whose files $refs may read
    preferred_media_types: tuple[str, ...] = ()  # request body types to choose first, when offered
    models: bool = True  # typed models (models.py) for custom code
    output_schema_limit: int = DEFAULT_OUTPUT_SCHEMA_LIMIT  # bytes per output schema (see schemas/output.py)
    config_path: str | None = None  # rest2mcp.toml or pyproject.toml; default: found beside the spec
    mode: str | None = None  # the server's default mode; default: the configuration's, else "tools"
    read_only: bool = False  # only operations that change nothing become tools (or the configuration's read_only)
    reused: tuple[str, ...] = ()  # the options taken from the output folder's manifest, as options ("--name x")
    allow_empty: bool = False  # a document that gives no tool is not an error
