"""Prompt templates: `[prompts.NAME]` in rest2mcp.toml and `x-mcp-prompts` at the document's root,
both `{title?, description?, text, arguments = [{name, description?, required?}]}`.

Checked here: names like tool names, argument names that a placeholder can name, and every
`{placeholder}` of the text one of the prompt's arguments (code 508). In rest2mcp.toml a problem is
an error; in the document a warning, and that prompt is left out. The configuration's prompts
replace the document's of the same name. Rendering is the runtime's (runtime/prompts.py).
"""

from __future__ import annotations

import difflib
from typing import Any, Protocol

from rest2mcp.mapping.ir import Prompt, PromptArgument
from rest2mcp.runtime.display import printable
from rest2mcp.runtime.prompts import ARGUMENT, NAME, placeholders

PROMPT_KEYS = ["title", "description", "text", "arguments"]
ARGUMENT_KEYS = ["name", "description", "required"]
TEXT_LIMIT = 20_000


class Problems(Protocol):
    items: list[Any]

    def add(self, where: tuple[str, ...], message: str, hint: str | None = None,
            codes: tuple[str, str] = ...) -> None: ...


def _unknown(problems: Problems, where: tuple[str, ...], key: str, known: list[str]) -> None:
    close = difflib.get_close_matches(key, known, n=1)
    problems.add((*where, key), "unknown key", f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}")


def _shown(text: str) -> str:
    """Text that reaches the model as written, its control and format characters visible (tab and
    line breaks kept): nothing in a prompt can hide from the person reading it."""
    return printable(text, keep="\n\t")


def _argument(problems: Problems, where: tuple[str, ...], value: Any) -> PromptArgument | None:
    if not isinstance(value, dict):
        problems.add(where, "must be a table", 'e.g. { name = "topic", description = "...", required = true }')
        return None
    for key in value:
        if key not in ARGUMENT_KEYS:
            _unknown(problems, where, str(key), ARGUMENT_KEYS)
    name, description, required = value.get("name"), value.get("description"), value.get("required", False)
    if not isinstance(name, str) or not ARGUMENT.fullmatch(name):
        problems.add((*where, "name"), f"{name!r} is not a valid argument name",
                     "use 1-64 letters, digits and '_', not starting with a digit (a placeholder names it: {topic})")
        return None
    if description is not None and not isinstance(description, str):
        problems.add((*where, "description"), "must be a string")
        return None
    if not isinstance(required, bool):
        problems.add((*where, "required"), "must be true or false")
        return None
    return PromptArgument(name, _shown(description) if description else None, required)


def _prompt(problems: Problems, where: tuple[str, ...], name: str, value: Any) -> Prompt | None:
    if not NAME.fullmatch(name):
        problems.add(where, f"{name!r} is not a valid prompt name", "use 1-64 letters, digits, '_' or '-'")
        return None
    if not isinstance(value, dict):
        problems.add(where, "must be a table", f"keys: {', '.join(PROMPT_KEYS)}")
        return None
    before = len(problems.items)
    for key in value:
        if key not in PROMPT_KEYS:
            _unknown(problems, where, str(key), PROMPT_KEYS)
    strings: dict[str, str] = {}
    for key in ("title", "description", "text"):
        item = value.get(key)
        if item is None and key != "text":
            continue
        if not isinstance(item, str) or not item.strip():
            problems.add((*where, key), "must be a non-empty string" if key != "text" or item is not None
                         else "is missing", "the prompt's text, with {argument} placeholders" if key == "text" else None)
        elif len(item) > TEXT_LIMIT:
            problems.add((*where, key), f"is longer than {TEXT_LIMIT:,} characters")
        else:
            strings[key] = _shown(item)
    raw = value.get("arguments", [])
    if not isinstance(raw, list):
        problems.add((*where, "arguments"), "must be a list of tables", '[{ name = "topic", required = true }]')
        raw = []
    arguments = [_argument(problems, (*where, "arguments", str(i)), item) for i, item in enumerate(raw)]
    names = [a.name for a in arguments if a is not None]
    if len(names) != len(set(names)):
        problems.add((*where, "arguments"), "names an argument twice")
    unknown = [p for p in dict.fromkeys(placeholders(strings.get("text", ""))) if p not in names]
    if unknown:
        problems.add((*where, "text"), f"the placeholder {{{unknown[0]}}} names no argument of the prompt "
                     f"(arguments: {', '.join(names) or 'none'})",
                     "declare it in `arguments`, or write {{" + unknown[0] + "}} for the literal text",
                     codes=("E508", "W508"))
    if len(problems.items) > before:
        return None
    return Prompt(name, strings["text"], strings.get("title"), strings.get("description"),
                  tuple(a for a in arguments if a is not None))


def parse_prompts(problems: Problems, where: tuple[str, ...], table: Any) -> dict[str, Prompt]:
    """The prompts of a `prompts` table (rest2mcp.toml) or of `x-mcp-prompts`: name -> prompt."""
    if not isinstance(table, dict):
        problems.add(where, "must be a table of prompt names", '[prompts.summarize] text = "..."')
        return {}
    prompts = {}
    for name, value in table.items():
        prompt = _prompt(problems, (*where, str(name)), str(name), value)
        if prompt is not None:
            prompts[prompt.name] = prompt
    return prompts

