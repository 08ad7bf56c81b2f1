"""Path templates as the document writes them, and as requests can carry them."""

from __future__ import annotations

import re

PLACEHOLDERS = re.compile(r"\{[^{}]*\}")


def without_fragments(path: str) -> tuple[str, list[str]]:
    """The path a request can carry, and the `#...` keys left out of it.

    Some documents keep two operations of one path apart with a fragment
    (`/folders/{folder_id}#get_shared_link`), or mark a segment with one (`/send/#env/v1/...`).
    A fragment never travels in an HTTP request: sent percent-encoded (`%23...`) it names a path the
    API does not serve. Each `#key` runs to the end of its segment and is left out; a segment that
    was only a key goes with it. A key holding a `{variable}` stays (and is sent percent-encoded):
    leaving it out would leave its parameter nowhere to go.
    """
    segments = path.split("/")
    kept: list[str] = []
    removed: list[str] = []
    for index, segment in enumerate(segments):
        head, mark, key = segment.partition("#")
        if not mark or PLACEHOLDERS.search(key) or "{" in key or "}" in key:
            kept.append(segment)
            continue
        removed.append(mark + key)
        if head or index == len(segments) - 1:  # a last segment keeps its slash: `/send/#env` is `/send/`
            kept.append(head)
    return "/".join(kept), removed
