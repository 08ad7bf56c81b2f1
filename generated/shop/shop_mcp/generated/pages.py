# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""A toolset as a Markdown page (a resource): what each of its operations does and takes.

Everything on the page but its frame comes from the API's document, someone else's text. It is
shown, never interpreted: one-line values are escaped (Markdown punctuation, HTML, control and
format characters), and descriptions sit in fenced blocks longer than any backtick run they hold,
so that no description can end its block, add a heading or an operation, or show a link or image.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .display import api_name, printable

_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>|#!~])")
_BLOCK_START = re.compile(r"^(\d*)([-+=.)])")
DESCRIPTION_LIMIT = 4000


def line(text: Any) -> str:
    """One line of plain text: whitespace collapsed, unsafe characters shown, Markdown escaped
    (a leading '-', '+', '=' or '1.' too, which would start a list, a rule or a heading)."""
    text = _MARKDOWN.sub(r"\\\1", printable(" ".join(str(text).split())))
    return _BLOCK_START.sub(r"\1\\\2", text)


def code(text: Any) -> str:
    """Inline code showing `text` on one line (its backticks as apostrophes)."""
    return "`" + printable(" ".join(str(text).split())).replace("`", "'") + "`"


def fenced(text: str) -> str:
    """`text` in a fenced block that it cannot close."""
    text = printable(text.strip(), keep="\n\t")
    if len(text) > DESCRIPTION_LIMIT:
        text = text[:DESCRIPTION_LIMIT] + " [...]"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 100 else text[:100] + "..."


def _type(schema: Any) -> str:
    if not isinstance(schema, Mapping):
        return "any"
    kind = schema.get("type")
    if isinstance(kind, str):
        return f"array of {_type(schema.get('items'))}" if kind == "array" else kind
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            return " or ".join(dict.fromkeys(_type(s) for s in schema[key]))
    if "enum" in schema:
        return "one of the listed values"
    return "object" if "properties" in schema else "any"


def _arguments(schema: Mapping[str, Any]) -> list[str]:
    properties = schema.get("properties")
    if not isinstance(properties, Mapping) or not properties:
        return ["No arguments."]
    required = set(schema.get("required") or ())
    lines = ["Arguments:", ""]
    for name, prop in properties.items():
        prop = prop if isinstance(prop, Mapping) else {}
        text = f"- {code(name)} ({line(_type(prop))}, {'required' if name in required else 'optional'}"
        text += f", default {code(_json(prop['default']))})" if "default" in prop else ")"
        if isinstance(prop.get("enum"), list):
            text += ": one of " + ", ".join(code(v) for v in prop["enum"][:20])
            text += ", ..." if len(prop["enum"]) > 20 else ""
        if isinstance(prop.get("description"), str) and prop["description"].strip():
            text += (". " if "enum" in prop else ": ") + line(prop["description"][:500])
        lines.append(text)
    return lines


def toolset_page(api_title: str, toolset: str, description: str, tools: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]],
                 mode: str = "tools") -> str:
    """The page of `toolset`: `tools` are (definition, plan) pairs, in tools/list order; `mode` the
    server's (how its tools are called)."""
    out = [f"# Toolset {code(toolset)} of the {line(api_name(api_title))}", ""]
    if description.strip():
        out += [line(description), ""]
    count = f"{len(tools)} operation{'s' if len(tools) != 1 else ''}"
    if mode == "discovery":
        out.append(f"{count}. Call one with the tool `call_operation` (its `name` and `arguments`); "
                   "`describe_operation` gives its full input and output schemas.")
    elif mode == "dynamic":
        out.append(f"{count}, each a tool of this server once the toolset is enabled (the tool `enable_toolset` "
                   f"with toolset {code(toolset)}): then call it by its name, with arguments matching its inputSchema.")
    else:
        out.append(f"{count}, each a tool of this server: call it by its name, with arguments matching its "
                   "inputSchema (tools/list has the full schemas).")
    out += ["", "Descriptions are quoted as the API's document gives them.", ""]
    for definition, plan in tools:
        annotations = definition.get("annotations") or {}
        effect = "read-only" if annotations.get("readOnlyHint") else (
            "changes data" + (", destructive" if annotations.get("destructiveHint") else ""))
        out += [f"## {code(definition['name'])}", "", f"{code(plan['method'])} {code(plan['path'])} ({effect})", ""]
        title, description = definition.get("title") or "", definition.get("description") or ""
        if title and not (isinstance(description, str) and description.startswith(title)):
            out += [f"**{line(title)}**", ""]
        if isinstance(description, str) and description.strip():
            out += [fenced(description), ""]
        out += [*_arguments(definition.get("inputSchema") or {}), ""]
    return "\n".join(out)
