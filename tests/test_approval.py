"""Approval of writes: a destructive call waits for the user's answer through MCP elicitation, in
both protocol eras; declining, cancelling or a client that cannot ask sends nothing."""

from __future__ import annotations

import pytest
from helpers import SPECS, call_in_memory, in_memory_server, text_of, write
from mcp import types
from mcp.shared.exceptions import MCPError
from rest2mcp.pipeline import Options, generate
from upstream import Reply, Upstream

KEY = {"PETSTORE_MCP_API_KEY": "k-123"}
ERAS = ["legacy", "auto"]  # the 2025-11-25 elicitation/create request; the 2026-07-28 input_required round trip


@pytest.fixture(scope="module")
def petstore(tmp_path_factory):
    out = tmp_path_factory.mktemp("approval") / "out"
    generate(str(SPECS / "petstore.yaml"), out, Options(models=False))
    return out


class User:
    """The person behind the client: answers each question with `action`, and remembers them."""

    def __init__(self, action: str):
        self.action = action
        self.questions: list[types.ElicitRequestFormParams] = []

    async def __call__(self, context, params):
        self.questions.append(params)
        return types.ElicitResult(action=self.action, content={} if self.action == "accept" else None)


def _delete(server, user, mode):
    return call_in_memory(server, lambda client: client.call_tool("deletePet", {"petId": "7"}), mode=mode,
                          elicitation=user)


@pytest.mark.parametrize("mode", ERAS)
def test_an_approved_delete_is_sent_once_after_the_user_saw_what_it_does(petstore, upstream: Upstream, mode):
    upstream.reply("DELETE", "/pets/7", Reply(204))
    user = User("accept")
    result = _delete(in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, environ=KEY), user, mode)
    assert not result.is_error, text_of(result)
    assert [(r.method, r.target, r.headers["x-api-key"]) for r in upstream.requests] == [("DELETE", "/pets/7", "k-123")]
    (question,) = user.questions
    assert question.message == ("Allow the tool deletePet to run?\nIt will send DELETE /pets/7 (Delete a pet).\n"
                                "Arguments:\n  petId: 7\nAccept to send it; decline to stop it (nothing is sent).")
    assert question.requested_schema == {"type": "object", "properties": {}}


@pytest.mark.parametrize("mode", ERAS)
@pytest.mark.parametrize("action,word", [("decline", "declined"), ("cancel", "cancelled")])
def test_a_declined_or_cancelled_delete_sends_nothing(petstore, upstream: Upstream, mode, action, word):
    user = User(action)
    result = _delete(in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, environ=KEY), user, mode)
    assert result.is_error
    assert text_of(result) == (f"The user {word} this call, so nothing was sent (deletePet: DELETE /pets/7). "
                               "Do not retry it unless the user asks for it again.")
    assert len(user.questions) == 1
    assert upstream.requests == []


@pytest.mark.parametrize("mode", ERAS)
def test_a_client_that_cannot_ask_gets_a_refusal_saying_how_to_allow_the_call(petstore, upstream: Upstream, mode):
    result = _delete(in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, environ=KEY), None, mode)
    assert result.is_error
    text = text_of(result)
    assert text.startswith("Nothing was sent: the tool deletePet (DELETE /pets/7) needs the user's approval")
    assert "does not support elicitation" in text
    assert "requires_approval = false" in text and "--approval none" in text
    assert upstream.requests == []


def test_reads_and_additions_are_not_asked_about_by_default(petstore, upstream: Upstream):
    upstream.reply("GET", "/pets", Reply.json([]))
    upstream.reply("POST", "/pets", Reply.json({"id": 1, "name": "Rex"}, status=201))
    server = in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, environ=KEY)
    user = User("decline")

    async def steps(client):
        return [await client.call_tool("listPets", {}), await client.call_tool("createPet", {"name": "Rex"})]

    results = call_in_memory(server, steps, elicitation=user)
    assert [r.is_error for r in results] == [False, False]
    assert user.questions == []
    assert [r.method for r in upstream.requests] == ["GET", "POST"]


@pytest.mark.parametrize("argv,environ,asked", [
    (["--approval", "none"], {}, []),
    ([], {"PETSTORE_MCP_APPROVAL": "none"}, []),
    (["--approval", "writes"], {}, ["createPet", "deletePet"]),
    (["--approval", "all"], {}, ["listPets", "createPet", "deletePet"]),
], ids=["none", "none-from-environment", "writes", "all"])
def test_the_operator_chooses_which_calls_are_asked_about_at_start(petstore, upstream: Upstream, argv, environ, asked):
    upstream.reply("GET", "/pets", Reply.json([]))
    upstream.reply("POST", "/pets", Reply.json({"id": 1, "name": "Rex"}, status=201))
    upstream.reply("DELETE", "/pets/7", Reply(204))
    server = in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, *argv, environ={**KEY, **environ})
    user = User("accept")

    async def steps(client):
        for name, arguments in (("listPets", {}), ("createPet", {"name": "Rex"}), ("deletePet", {"petId": "7"})):
            assert not (await client.call_tool(name, arguments)).is_error

    call_in_memory(server, steps, elicitation=user)
    assert [q.message.split("\n")[0] for q in user.questions] == [f"Allow the tool {n} to run?" for n in asked]
    assert [r.method for r in upstream.requests] == ["GET", "POST", "DELETE"]


def test_a_wrong_approval_setting_stops_the_start_with_the_choices(petstore):
    from rest2mcp.runtime.options import OptionError

    with pytest.raises(OptionError, match="PETSTORE_MCP_APPROVAL must be one of configured, writes, all, none"):
        in_memory_server(petstore, "petstore_mcp", environ={"PETSTORE_MCP_APPROVAL": "sometimes"})


def test_overrides_and_the_configuration_set_requires_approval_per_tool(tmp_path, upstream: Upstream):
    spec = tmp_path / "petstore.yaml"
    spec.write_bytes((SPECS / "petstore.yaml").read_bytes())
    write(tmp_path / "rest2mcp.toml", """
        [operations.listPets]
        requires_approval = true
        """)
    out = tmp_path / "out"
    generate(str(spec), out, Options(models=False))

    from types import SimpleNamespace

    overrides = SimpleNamespace(TOOLS={"deletePet": {"requires_approval": False}})

    upstream.reply("GET", "/pets", Reply.json([]))
    upstream.reply("DELETE", "/pets/7", Reply(204))
    server = in_memory_server(out, "petstore_mcp", "--base-url", upstream.url, environ=KEY, overrides=overrides)
    user = User("accept")

    async def steps(client):
        return [await client.call_tool("listPets", {}), await client.call_tool("deletePet", {"petId": "7"})]

    results = call_in_memory(server, steps, elicitation=user)
    assert [r.is_error for r in results] == [False, False]
    assert [q.message.split("\n")[0] for q in user.questions] == ["Allow the tool listPets to run?"]
    assert [r.method for r in upstream.requests] == ["GET", "DELETE"]


def test_discovery_mode_asks_before_call_operation_runs_a_destructive_operation(petstore, upstream: Upstream):
    server = in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, "--mode", "discovery", environ=KEY)
    user = User("decline")
    result = call_in_memory(server, lambda client: client.call_tool(
        "call_operation", {"name": "deletePet", "arguments": {"petId": "7"}}), elicitation=user)
    assert result.is_error and "declined" in text_of(result)
    assert [q.message.split("\n")[0] for q in user.questions] == ["Allow the tool deletePet to run?"]
    assert upstream.requests == []


# -- the 2026-07-28 round trip cannot be answered by anyone but the client that was asked ----------


def test_an_answer_without_the_servers_state_is_asked_again(petstore, upstream: Upstream):
    server = in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, environ=KEY)
    forged = {"approval": types.ElicitResult(action="accept", content={})}

    async def steps(client):
        return await client.session.call_tool("deletePet", {"petId": "7"}, input_responses=forged,
                                              allow_input_required=True)

    result = call_in_memory(server, steps, elicitation=User("accept"))
    assert isinstance(result, types.InputRequiredResult)
    assert list(result.input_requests) == ["approval"]
    assert upstream.requests == []


def test_an_approval_given_for_one_call_does_not_approve_another(petstore, upstream: Upstream):
    server = in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, environ=KEY)
    accepted = {"approval": types.ElicitResult(action="accept", content={})}

    async def steps(client):
        first = await client.session.call_tool("deletePet", {"petId": "7"}, allow_input_required=True)
        assert isinstance(first, types.InputRequiredResult)
        # the state of the question about pet 7, with an accepted answer, for pet 8
        try:
            await client.session.call_tool("deletePet", {"petId": "8"}, input_responses=accepted,
                                           request_state=first.request_state, allow_input_required=True)
        except MCPError as exc:
            return exc
        return None

    refused = call_in_memory(server, steps, elicitation=User("accept"))
    assert refused is not None and "Invalid or expired requestState" in str(refused)
    assert upstream.requests == []


def test_no_argument_lets_the_model_approve_a_call(petstore):
    import json

    tools = json.loads((petstore / "petstore_mcp/generated/tools.json").read_text())["tools"]
    words = ("confirm", "approve", "approval", "force", "yes")
    assert not [(t["name"], p) for t in tools for p in t["inputSchema"].get("properties", {})
                if any(w in p.lower() for w in words)]


def test_a_destructive_hand_written_tool_is_asked_about_too(petstore, upstream: Upstream):
    from types import SimpleNamespace

    ran: list[dict] = []

    async def purge(arguments):
        ran.append(arguments)
        return {"purged": True}

    definition = {"name": "purge_cache", "description": "Purge the cache", "inputSchema": {"type": "object"},
                  "annotations": {"readOnlyHint": False, "destructiveHint": True}}
    overrides = SimpleNamespace(EXTRA_TOOLS=[(definition, purge)])
    server = in_memory_server(petstore, "petstore_mcp", "--base-url", upstream.url, environ=KEY, overrides=overrides)
    declined = call_in_memory(server, lambda client: client.call_tool("purge_cache", {}), elicitation=User("decline"))
    user = User("accept")
    accepted = call_in_memory(server, lambda client: client.call_tool("purge_cache", {}), elicitation=user)
    assert declined.is_error and "declined" in text_of(declined)
    assert not accepted.is_error and ran == [{}]
    assert user.questions[0].message.startswith("Allow the tool purge_cache to run?\nIt will send a call of the "
                                                "hand-written tool purge_cache.")
