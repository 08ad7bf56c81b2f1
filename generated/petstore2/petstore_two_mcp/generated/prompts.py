# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""MCP prompts: the templates declared in rest2mcp.toml (`[prompts.NAME]`) or the document's
`x-mcp-prompts`, listed by prompts/list and rendered by prompts/get, all from index.json.

A template's `{name}` is replaced by the argument `name`'s value (an optional one not given: by
nothing); `{{name}}` stays as the literal `{name}`; any other brace is text. Substitution is one
pass of one regular expression: a value is never read as a template, and nothing in a template
can reach an attribute or an index the way str.format would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .catalog import IndexData, PromptEntry
from .display import printable

# mcp is imported by the methods that serve prompts: the generator uses the template rules below (NAME,
# ARGUMENT, placeholders) where mcp is not installed.
if TYPE_CHECKING:
    from mcp import types

NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")  # prompt names: what clients accept for tool names
ARGUMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")  # argument names: what a placeholder can name
PLACEHOLDER = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def placeholders(text: str) -> list[str]:
    """The argument names a template's text uses (`{{name}}` is literal text, not a use)."""
    return [m.group(2) for m in PLACEHOLDER.finditer(text) if m.group(2) is not None]


def render(text: str, values: Mapping[str, str]) -> str:
    """`text` with each `{name}` of `values` replaced (others kept as written) and `{{name}}` as `{name}`."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return "{" + match.group(1) + "}"
        return values.get(match.group(2), match.group(0))

    return PLACEHOLDER.sub(replace, text)


class Prompts:
    def __init__(self, index: IndexData):
        self.entries: dict[str, PromptEntry] = dict(index.get("prompts") or {})
        self._listing: types.ListPromptsResult | None = None

    def __bool__(self) -> bool:
        return bool(self.entries)

    async def list_prompts(self, ctx: Any, params: Any) -> types.ListPromptsResult:
        from mcp import types

        if self._listing is None:
            self._listing = types.ListPromptsResult(prompts=[
                types.Prompt(name=name, title=entry.get("title"), description=entry.get("description"),
                             arguments=[types.PromptArgument(name=a["name"], description=a.get("description"),
                                                             required=a["required"]) for a in entry["arguments"]])
                for name, entry in self.entries.items()])
        return self._listing

    async def get_prompt(self, ctx: Any, params: Any) -> types.GetPromptResult:
        from mcp import types
        from mcp.shared.exceptions import MCPError

        name = str(params.name)
        entry = self.entries.get(name)
        if entry is None:
            known = ", ".join(self.entries) or "none"
            raise MCPError(types.INVALID_PARAMS, f"Unknown prompt: {printable(name[:100])} (the prompts: {known})")
        given = dict(params.arguments or {})
        declared = {a["name"]: a for a in entry["arguments"]}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise MCPError(types.INVALID_PARAMS, f"The prompt {name} has no argument "
                           f"{', '.join(repr(printable(u[:100])) for u in unknown)} (its arguments: "
                           f"{', '.join(declared) or 'none'})")
        missing = [a for a, d in declared.items() if d["required"] and not str(given.get(a, "")).strip()]
        if missing:
            raise MCPError(types.INVALID_PARAMS, f"Missing required argument{'s' * (len(missing) > 1)} "
                           f"{', '.join(repr(m) for m in missing)} of the prompt {name}")
        values = {a: str(given.get(a, "")) for a in declared}
        text = render(entry["text"], values)
        return types.GetPromptResult(description=entry.get("description"), messages=[
            types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))])
