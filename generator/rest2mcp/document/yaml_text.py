"""YAML texts: read with the bounds `loading` sets, and composed to find the lines of pointers.

Imported only when a document (or a diagnostic's line) needs it: PyYAML takes longer to import than
a large JSON document takes to read.
"""

from __future__ import annotations

from typing import Any

import yaml

from rest2mcp.document.loading import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    MAX_NODES,
    _fail,
    _too_deep,
    _too_many,
)

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SpecLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader without the timestamp resolver."""


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, source: str) -> Any:
    """The value of a YAML text, mapping keys as strings; raises GenerationFailed when it cannot be
    read or exceeds the bounds."""
    try:
        _check_yaml_events(text, source)
        return _stringify_keys(yaml.load(text, Loader=_SpecLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "syntax error"
        if "nesting depth" in problem:  # libyaml's own bound, beyond ours
            raise _too_deep(source, mark.line + 1 if mark else None) from None
        where = f" (column {mark.column + 1})" if mark else ""
        raise _fail(
            "E104",
            f"invalid YAML: {problem}{where}",
            source,
            "fix the syntax at that line (indentation and unquoted ':' are the usual causes)",
            mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise _fail("E104", f"invalid YAML: {exc}", source, "fix the document's syntax") from None


def compose(text: str) -> Any:
    """The node tree of `text` (JSON is YAML), or False when it cannot be composed."""
    try:
        return yaml.compose(text, Loader=_BaseLoader)  # libyaml when present: 10x faster
    except yaml.YAMLError:
        return False


def line_in_tree(node: Any, segments: list[str]) -> int | None:
    """1-based line of the node at the pointer `segments`, or of its nearest existing ancestor."""
    line = node.start_mark.line + 1
    for segment in segments:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if str(key.value) == segment:
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and segment.isdigit():
            index = int(segment)
            if index < len(node.value):
                child = node.value[index]
                line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


ALIAS_HINT = "write the values out, or share them with $ref (an OpenAPI document needs no YAML aliases)"


_STARTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _check_yaml_events(text: str, source: str) -> None:
    """Refuse a YAML text whose values, aliases expanded, nest deeper than MAX_DEPTH or number more than
    MAX_NODES, whose aliases add more than MAX_ALIAS_NODES values, or with an alias inside the node it
    names. Reads the event stream (libyaml's parser does not recurse), before anything is composed."""
    # Per open collection: its anchor and [values in it so far, levels of its deepest value below it].
    open_nodes: list[tuple[str | None, list[int]]] = []
    anchored: dict[str, tuple[int, int]] = {}  # anchor -> (values it stands for, levels below it)
    total = from_aliases = 0
    for event in yaml.parse(text, Loader=_SpecLoader):
        depth = len(open_nodes) + 1  # the depth of the value this event begins (the root's is 1)
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, _STARTS):
            if depth > MAX_DEPTH:
                raise _too_deep(source, line)
            open_nodes.append((event.anchor, [1, 0]))
            total += 1
            continue
        if isinstance(event, _ENDS):
            anchor, (size, below) = open_nodes.pop()
            if anchor is not None:
                anchored[anchor] = (size, below)
        elif isinstance(event, yaml.ScalarEvent):
            if depth > MAX_DEPTH:
                raise _too_deep(source, line)
            if event.anchor is not None:
                anchored[event.anchor] = (1, 0)
            size, below = 1, 0
            total += 1
        elif isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_nodes):
                raise _too_many(source, line, f"the YAML alias *{event.anchor} lies inside the node it names "
                                "(a recursive structure): not read", ALIAS_HINT)
            if event.anchor not in anchored:
                continue  # an undefined alias: loading reports it
            size, below = anchored[event.anchor]
            if depth + below > MAX_DEPTH:
                raise _too_deep(source, line)
            from_aliases += size
            total += size
            if from_aliases > MAX_ALIAS_NODES:
                raise _too_many(source, line, f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} values "
                                "(nested aliases, as in a 'billion laughs' document): not read", ALIAS_HINT)
        else:
            continue
        if open_nodes:
            parent = open_nodes[-1][1]
            parent[0] += size
            parent[1] = max(parent[1], below + 1)
        if total > MAX_NODES:
            raise _too_many(source, line, f"more than {MAX_NODES:,} values: not read")


def _stringify_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_key(k): _stringify_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_keys(v) for v in value]
    return value


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)
