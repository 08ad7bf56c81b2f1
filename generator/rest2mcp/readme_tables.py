"""Tables of the README made from a registry (diagnostic codes, lint codes): written between two
marker lines, so that a test can tell when the README is stale."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def between_markers(readme: str, start_marker: str, end_marker: str, table: str) -> str:
    """`readme` with the text between the two markers replaced by `table`."""
    start = readme.index(start_marker) + len(start_marker)
    end = readme.index(end_marker, start)
    return readme[:start] + table + readme[end:]


def table_command(argv: list[str], table: Callable[[], str], with_table: Callable[[str], str]) -> int:
    """Print the table, or with a path rewrite the table in that Markdown file."""
    if not argv:
        print(table(), end="")
        return 0
    path = Path(argv[0])
    path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0
