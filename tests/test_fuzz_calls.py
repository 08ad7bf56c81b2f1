"""Tool calls with arguments of any shape, through the official client, to the generated server of the
example that uses every construct (specs/everything.yaml) in front of a recording upstream: every call
gets a result (an error result the model can act on, or the API's answer), never a protocol error,
and the server goes on serving."""

from __future__ import annotations

import json
import sys

import anyio
from helpers import GENERATED, ROOT, in_memory_server, user_approves
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from upstream import Upstream

sys.path.insert(0, str(ROOT / "bench"))
from fidelity_draw import ArgumentDrawer

CATALOG = json.loads((GENERATED / "everything/everything_mcp/generated/tools.json").read_text())
TOOLS = {tool["name"]: tool for tool in CATALOG["tools"]}
ENVIRONMENT = {"EVERYTHING_MCP_BASIC_AUTH_USERNAME": "ada", "EVERYTHING_MCP_BASIC_AUTH_PASSWORD": "secret-password",
               "EVERYTHING_MCP_BEARER_AUTH_TOKEN": "bearer-token-0123456789"}

scalars = st.one_of(st.sampled_from([None, True, False, 0, 1, -1, 7, 0.5, "", " ", "a", "..", "/", "a b", "é", "\r\n",
                                     "{id}", "%2F", "?x=1", "#f", "\u202e", "\x00", "x" * 300, 10**20, -(10**20)]),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=6))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=3) | st.sampled_from(["id", "name", "a"]), inner, max_size=3),
                      max_leaves=10)


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, dict]:
    """A tool and arguments of any shape, keyed mostly by its own argument names."""
    name = draw(st.sampled_from(sorted(TOOLS)))
    properties = list(TOOLS[name]["inputSchema"].get("properties", {}))
    keys = st.sampled_from(properties) | st.text(max_size=4) if properties else st.text(max_size=4)
    return name, draw(st.dictionaries(keys, values, max_size=len(properties) + 1))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                               HealthCheck.function_scoped_fixture])
@given(batch=st.lists(calls(), min_size=40, max_size=40))
def test_any_arguments_get_a_result_and_the_server_goes_on(upstream: Upstream, batch: list[tuple[str, dict]]):
    upstream.reset()
    server = in_memory_server(GENERATED / "everything", "everything_mcp", "--base-url", upstream.url,
                              "--timeout", "10", environ=ENVIRONMENT)

    async def main() -> list:
        async with Client(server, elicitation_callback=user_approves) as client:
            results = [await client.call_tool(name, arguments) for name, arguments in batch]
            still = await client.list_tools()
        return [results, still]

    results, still = anyio.run(main)
    assert len(still.tools) == len(TOOLS)
    for (name, arguments), result in zip(batch, results):
        text = " ".join(getattr(block, "text", "") for block in result.content)
        assert result.content, (name, arguments)
        if result.is_error:
            assert text.strip() and "Traceback" not in text, (name, arguments, text)
        assert ENVIRONMENT["EVERYTHING_MCP_BASIC_AUTH_PASSWORD"] not in text


def test_every_argument_set_the_schemas_accept_is_sent(upstream: Upstream):
    """Argument sets drawn from each tool's inputSchema (bench/fidelity_draw.py, as the fidelity
    check draws them): each call sends its request and gives the API's answer."""
    drawer = ArgumentDrawer(calls=6, seed_value=7)
    drawn = [(name, arguments) for name, tool in sorted(TOOLS.items()) for arguments in drawer.draw(tool["inputSchema"])[0]]
    assert {name for name, _ in drawn} == set(TOOLS)
    server = in_memory_server(GENERATED / "everything", "everything_mcp", "--base-url", upstream.url,
                              "--timeout", "10", environ=ENVIRONMENT)

    async def main() -> list:
        async with Client(server, elicitation_callback=user_approves) as client:
            return [await client.call_tool(name, arguments) for name, arguments in drawn]

    results = anyio.run(main)
    for (name, arguments), result in zip(drawn, results):
        assert not result.is_error, (name, arguments, [getattr(b, "text", "") for b in result.content])
    assert len(upstream.requests) == len(drawn)
