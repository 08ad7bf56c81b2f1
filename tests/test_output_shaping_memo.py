"""Output schemas shaped with a document's memory (schemas/output.py `OutputSchemas`, measure.py,
sharing.py `Parts`) are the same as shaped alone: what is remembered per part never changes a result."""

from __future__ import annotations

import json
import random

import pytest
from rest2mcp.schemas.measure import Measures, References
from rest2mcp.schemas.output import OutputSchemas, output_schema, size

USER = {"type": "object", "description": "A user", "properties": {
    f"field_{i}": {"type": "string", "description": f"the user's field {i}"} for i in range(8)}}


def _random_schema(rng: random.Random, depth: int, parts: list[dict]) -> dict:
    """Objects, arrays, choices and references, reusing earlier parts (the same objects) as a
    converted document does."""
    if parts and rng.random() < 0.3:
        return rng.choice(parts)
    roll = rng.random()
    if depth <= 0 or roll < 0.25:
        node: dict = {"type": rng.choice(["string", "integer", ["number", "null"]]),
                      "description": rng.choice(["", "a value", "é ünïcode ✓", "x" * 300])}
    elif roll < 0.55:
        node = {"type": "object", "description": f"object {rng.randrange(4)}",
                "properties": {f"p{i}": _random_schema(rng, depth - 1, parts) for i in range(rng.randrange(1, 5))}}
    elif roll < 0.7:
        node = {"type": "array", "items": _random_schema(rng, depth - 1, parts)}
    elif roll < 0.85:
        node = {"oneOf": [_random_schema(rng, depth - 1, parts) for _ in range(rng.randrange(1, 4))]}
    else:
        node = {"$ref": f"#/$defs/D{rng.randrange(3)}", "description": "see"}
    parts.append(node)
    return node


def _document(seed: int) -> list[dict]:
    rng = random.Random(seed)
    parts: list[dict] = [USER]
    defs = {f"D{i}": _random_schema(rng, 3, parts) for i in range(3)}
    roots = []
    for _ in range(40):
        root = {"type": "object", "properties": {f"r{i}": _random_schema(rng, 5, parts) for i in range(rng.randrange(1, 6))}}
        roots.append({**root, "$defs": defs} if rng.random() < 0.5 else root)
    return roots


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("budget", [300, 1500, 10**9])
def test_a_documents_memory_gives_the_results_each_schema_gets_alone(seed, budget):
    roots = _document(seed)
    alone = [output_schema(root, budget) for root in roots]
    remembered = OutputSchemas()
    together = [remembered.fitted(root, budget) for root in roots * 2]  # again: answered from memory
    assert [json.dumps(s) for s in together] == [json.dumps(s) for s in alone * 2]
    assert all(s is None or size(s) <= budget for s in together)


@pytest.mark.parametrize("value", [
    {"a": "é ✓ \u2028", "b": [1, 1.5, True, None, -0.0, 1e300], "c": {}},
    [], {}, [[[]]], {"nested": {"deeper": [{"x": "\"quoted\" \\ back"}]}},
    {1: "int key", None: "null key", 2.5: "float key"}, {True: "bool key"},
])
def test_sizes_are_the_bytes_of_compact_json(value):
    assert Measures().size(value) == size(value)


def test_equal_content_has_one_number_and_types_and_order_count():
    measures = Measures()
    assert measures.number({"a": [1, "x"]}) == measures.number({"a": [1, "x"]})
    different = [{"a": 1}, {"a": 1.0}, {"a": True}, {"a": "1"}, {"b": 1, "a": 1}, {"a": 1, "b": 1}, [1], ["1"]]
    assert len({measures.number(v) for v in different}) == len(different)


def test_references_reach_defs_through_other_defs_and_data():
    defs = {"A": {"$ref": "#/$defs/B"}, "B": {"type": "object"}, "C": {"type": "string"},
            "D": {"default": {"$ref": "#/$defs/C"}}}
    schema = {"properties": {"a": {"$ref": "#/$defs/A"}, "d": {"$ref": "#/$defs/D"}, "x": {"$ref": "#/$defs/missing"}}}
    references = References()
    assert list(references.used_defs(schema, defs)) == ["A", "B", "C", "D"]
    assert list(references.used_defs({"properties": {"c": {"$ref": "#/$defs/C"}}}, defs)) == ["C"]


def _plain_shallow(schema: dict, level: int) -> dict:
    """The cut written plainly, walking every part (what OutputSchemas.shallow must give)."""
    from rest2mcp.schemas.shallow import _summary
    from rest2mcp.schemas.shallow import simpler_choice as _simpler_choice

    defs = schema.get("$defs") or {}
    wanted: dict[str, int] = {}
    pending: list[str] = []

    def visit(node, at):
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        name = ref[len("#/$defs/"):] if isinstance(ref, str) and ref.startswith("#/$defs/") else None
        if name is not None and name in defs:
            if at >= level:
                return {**_summary(defs[name]), **{k: v for k, v in node.items() if k != "$ref"}}
            if wanted.get(name, -1) < level - at:
                wanted[name] = level - at
                pending.append(name)
            return node
        out = {}
        for key, value in node.items():
            if key in ("properties", "patternProperties"):
                if at < level:
                    out[key] = {k: visit(v, at + 1) for k, v in value.items()}
            elif key == "additionalProperties":
                if at < level:
                    out[key] = visit(value, at + 1)
            elif key == "items":
                out[key] = visit(value, at)
            elif key in ("anyOf", "allOf", "prefixItems"):
                out[key] = [visit(v, at) for v in value]
            elif key != "$defs":
                out[key] = value
        if "anyOf" in out:
            distinct = [c for i, c in enumerate(out["anyOf"]) if c not in out["anyOf"][:i]]
            return _simpler_choice({**out, "anyOf": distinct})
        return out

    result = visit(schema, 0)
    kept = {}
    while pending:
        name = pending.pop()
        kept[name] = visit(defs[name], level - wanted[name])
    if kept:
        result = {**result, "$defs": {name: kept[name] for name in sorted(kept)}}
    return result


@pytest.mark.parametrize("seed", range(4))
def test_cuts_remembered_per_part_are_the_plain_cuts(seed):
    remembered = OutputSchemas()
    for root in _document(seed):
        lenient = remembered.lenient(root)
        for level in (8, 6, 5, 4, 3, 2, 1):
            assert json.dumps(remembered.shallow(lenient, level)) == json.dumps(_plain_shallow(lenient, level))
        chained = lenient
        for level in (8, 6, 5, 4, 3, 2, 1):  # each cut made from the one before, as output schemas are
            expected = _plain_shallow(chained, level)
            chained = remembered.shallow(chained, level)
            assert json.dumps(chained) == json.dumps(expected)
