"""Unit tests of rest2mcp.naming: tool, argument, package and environment variable names."""

from __future__ import annotations

import hashlib
import random
import re

import pytest
from rest2mcp.mapping.naming import (
    NameRequest,
    argument_name,
    assign_tool_names,
    default_package_name,
    package_name_problem,
)
from rest2mcp.runtime.environment import env_var

TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ARGUMENT = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def op(method, path, operation_id=None):
    return NameRequest(method, path, operation_id)


def h(method, path):
    return hashlib.sha256(f"{method.upper()} {path}".encode()).hexdigest()[:6]


def names(requests):
    result = assign_tool_names(requests)
    assert len(result) == len(requests)
    assert len(set(result)) == len(result), result
    for name in result:
        assert TOOL_NAME.match(name), name
    return result


def by_request(requests):
    return dict(zip(requests, names(requests)))


# -- tool names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (op("get", "/pets", "listPets"), "listPets"),
        (op("get", "/pets", "list-pets_v2"), "list-pets_v2"),
        (op("get", "/pets", "x" * 64), "x" * 64),
        (op("get", "/pets", "pets.list"), "pets_list"),
        (op("get", "/pets", "list pets!"), "list_pets"),
        (op("get", "/pets", "  GET /pets  "), "GET_pets"),
        (op("get", "/pets", "créer"), "cr_er"),
        (op("get", "/repos/{owner}/{repo}"), "get_repos_by_owner_by_repo"),
        (op("get", "/repos/{owner}/{repo}", ""), "get_repos_by_owner_by_repo"),
        (op("get", "/repos/{owner}/{repo}", "!!!"), "get_repos_by_owner_by_repo"),
        (op("post", "/"), "post"),
        (op("delete", "/v1/files/{file-id}.json"), "delete_v1_files_by_file-id_json"),
        (op("put", "/a/{x}{y}/b"), "put_a_by_x_by_y_b"),
    ],
)
def test_single_names(request_, expected):
    assert names([request_]) == [expected]


def test_long_operation_id_truncated_with_hash():
    long_id = "get_" + "very_" * 20 + "long"
    [name] = names([op("get", "/things", long_id)])
    assert len(name) == 64
    assert name.endswith("_" + h("get", "/things"))
    assert long_id.startswith(name[:-7])


def test_long_derived_name_truncated_with_hash():
    path = "/" + "/".join(f"segment{i}/{{id{i}}}" for i in range(10))
    [name] = names([op("patch", path)])
    assert len(name) <= 64
    assert name.startswith("patch_segment0_by_id0")
    assert name.endswith("_" + h("PATCH", path))


def test_long_names_sharing_a_prefix_stay_distinct():
    prefix = "x" * 70
    assert len(set(names([op("get", "/a", prefix + "a"), op("get", "/b", prefix + "b")]))) == 2


def test_exact_operation_id_wins_over_a_changed_name():
    exact = op("get", "/x", "list_pets")
    changed = op("get", "/pets", "list pets")
    for order in ([exact, changed], [changed, exact]):
        result = by_request(order)
        assert result[exact] == "list_pets"
        assert result[changed] == "list_pets_" + h("get", "/pets")


def test_exact_operation_id_wins_over_a_derived_name():
    exact = op("post", "/other", "get_pets")
    derived = op("get", "/pets")
    result = by_request([derived, exact])
    assert result[exact] == "get_pets"
    assert result[derived] == "get_pets_" + h("GET", "/pets")


def test_duplicate_operation_ids_both_get_hashes():
    a, b = op("get", "/a", "dup"), op("post", "/b", "dup")
    assert names([a, b]) == ["dup_" + h("get", "/a"), "dup_" + h("post", "/b")]
    assert names([b, a]) == ["dup_" + h("post", "/b"), "dup_" + h("get", "/a")]


def test_two_changed_names_that_meet_both_get_hashes():
    a, b = op("get", "/pets", "list.pets"), op("get", "/pets2", "list pets")
    assert names([a, b]) == ["list_pets_" + h("get", "/pets"), "list_pets_" + h("get", "/pets2")]


def test_hash_uses_uppercase_method():
    assert names([op("get", "/a", "d"), op("GET", "/b", "d")])[1] == "d_" + h("GET", "/b")


# A document with every kind of name: exact, cleaned, truncated, derived, and hashed duplicates.
BASE_OPS = [
    op("get", "/pets", "listPets"),
    op("post", "/pets", "createPet"),
    op("get", "/pets/{petId}", "show pet by id"),
    op("delete", "/pets/{petId}"),
    op("get", "/repos/{owner}/{repo}"),
    op("get", "/stores/{storeId}/inventory", "getInventory" + "X" * 60),
    op("put", "/users/{id}", "dup"),
    op("patch", "/users/{id}", "dup"),
    op("get", "/files/{path}.json", None),
    op("get", "/x", "get_pets"),
]

UNRELATED = [
    op("get", "/orders", "listOrders"),
    op("post", "/orders"),
    op("get", "/orders/{orderId}", "get order"),
    op("get", "/" + "deep/" * 20 + "{id}"),
    op("get", "/pets/{petId}/photos", "x" * 80),
]


@pytest.mark.parametrize("extra", UNRELATED, ids=lambda r: f"{r.method} {r.path[:30]}")
@pytest.mark.parametrize("seed", range(5))
def test_adding_an_unrelated_operation_renames_nothing(extra, seed):
    before = by_request(BASE_OPS)
    shuffled = BASE_OPS + [extra]
    random.Random(seed).shuffle(shuffled)
    after = by_request(shuffled)
    for request, name in before.items():
        assert after[request] == name, request


@pytest.mark.parametrize("seed", range(5))
def test_names_do_not_depend_on_order(seed):
    ops = BASE_OPS + UNRELATED
    shuffled = list(ops)
    random.Random(seed).shuffle(shuffled)
    assert by_request(shuffled) == by_request(ops)


def test_many_colliding_names_are_valid_and_unique():
    ops = [op("get", f"/p{i}", "same name") for i in range(30)]
    ops += [op("get", f"/q{i}", "same_name") for i in range(3)]
    ops += [op("get", f"/r{i}", "z" * 100) for i in range(30)]
    names(ops)


def test_empty_list():
    assert assign_tool_names([]) == []


# -- argument names -------------------------------------------------------------------------


@pytest.mark.parametrize("wire", ["id", "user-id", "page.size", "X-Trace-Id", "_", "a" * 64])
def test_argument_name_kept_when_valid(wire):
    assert argument_name(wire) == wire


@pytest.mark.parametrize(
    ("wire", "prefix"),
    [
        ("user id", "user_id_"),
        ("$filter", "filter_"),
        ("filter[name]", "filter_name_"),
        ("", "arg_"),
        ("é", "arg_"),
        ("a" * 70, "a" * 57 + "_"),
    ],
)
def test_argument_name_cleaned(wire, prefix):
    name = argument_name(wire)
    assert ARGUMENT.match(name), name
    assert name.startswith(prefix)
    assert name.endswith(hashlib.sha256(wire.encode()).hexdigest()[:6])


def test_argument_names_of_distinct_wire_names_are_distinct():
    wires = ["a b", "a_b", "a-b", "a.b", "a  b", "a/b", "a[b]", "a%b", "ab" * 40, "ab" * 41]
    result = [argument_name(w) for w in wires]
    assert len(set(result)) == len(wires), result
    assert all(ARGUMENT.match(n) for n in result)


# -- package names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Swagger Petstore", "swagger-petstore-mcp"),
        ("", "api-mcp"),
        (None, "api-mcp"),
        ("   ", "api-mcp"),
        ("!!!", "api-mcp"),
        ("MCP", "api-mcp"),
        ("Petstore MCP", "petstore-mcp"),
        ("GitHub v3 REST API", "github-v3-rest-api-mcp"),
        ("123 API", "api-123-api-mcp"),
        ("2024", "api-2024-mcp"),
        ("my_api--Service", "my-api-service-mcp"),
    ],
)
def test_default_package_name(title, expected):
    assert default_package_name(title) == expected


@pytest.mark.parametrize(
    "title",
    [
        "The Very Long Title Of An Enterprise Resource Planning Integration API",
        "A" * 100,
        "word " * 30,
        "x" * 35 + " yy",
        "1" * 80,
        "Über-Lange Schnittstelle für Verwaltung und Abrechnung",
    ],
)
def test_default_package_name_of_long_titles(title):
    name = default_package_name(title)
    assert len(name) <= 40
    assert name.endswith("-mcp")
    assert package_name_problem(name) is None


@pytest.mark.parametrize(
    "title",
    ["Swagger Petstore", "", "json", "mcp", "httpx", "test", "os", "for", "1", "Ω", "a-b", "MCP server", "tests"],
)
def test_default_package_name_is_always_acceptable(title):
    assert package_name_problem(default_package_name(title)) is None


@pytest.mark.parametrize(
    "name", ["petstore-mcp", "a", "github-v3-mcp", "x2", "a" * 40, "json-mcp", "mcp-server"]
)
def test_package_name_ok(name):
    assert package_name_problem(name) is None


@pytest.mark.parametrize(
    "name",
    ["", "Petstore", "pet_store", "pet store", "pet--store", "-pet", "pet-", "1pet", "pét", "a" * 41, "pet.store"],
)
def test_package_name_bad_form(name):
    assert package_name_problem(name)


@pytest.mark.parametrize(
    "name",
    [
        # the standard library
        "json", "os", "typing", "asyncio", "logging", "email", "http", "test",
        # what the generated package imports, directly or through mcp
        "mcp", "httpx", "jsonschema", "uvicorn", "anyio", "starlette", "pydantic", "mcp-types", "httpx2",
        # Python keywords cannot be imported at all
        "for", "class",
    ],
)
def test_package_name_shadowing(name):
    problem = package_name_problem(name)
    assert problem and "shadow" in problem


# -- environment variables ------------------------------------------------------------------

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("PETSTORE_MCP", "apiKey"), "PETSTORE_MCP_API_KEY"),
        (("PETSTORE_MCP", "api_key"), "PETSTORE_MCP_API_KEY"),
        (("P", "basicAuth", "username"), "P_BASIC_AUTH_USERNAME"),
        (("P", "my-key.v2"), "P_MY_KEY_V2"),
        (("P", "OAuth2"), "P_OAUTH2"),
        (("P", "petstore_auth", "token"), "P_PETSTORE_AUTH_TOKEN"),
        (("P", "  bearer  "), "P_BEARER"),
        (("P", "clé"), "P_CL"),
        (("P", "!!!"), "P"),
        (("P",), "P"),
    ],
)
def test_env_var(parts, expected):
    name = env_var(*parts)
    assert name == expected
    assert ENV_NAME.match(name)


# -- names kept from an earlier generation ---------------------------------------------------


def test_a_newcomer_whose_derived_name_meets_an_existing_one_gets_the_hash():
    existing, newcomer = op("get", "/pets/{id}"), op("get", "/pets/by/id")
    assert names([existing]) == ["get_pets_by_id"]
    # without history both would be renamed; with it, the name stays with the operation that had it
    assert names([existing, newcomer]) == ["get_pets_by_id_" + h("GET", "/pets/{id}"), "get_pets_by_id_" + h("GET", "/pets/by/id")]
    previous = {("GET", "/pets/{id}"): "get_pets_by_id"}
    for order in ([existing, newcomer], [newcomer, existing]):
        result = dict(zip(order, assign_tool_names(order, previous)))
        assert result[existing] == "get_pets_by_id"
        assert result[newcomer] == "get_pets_by_id_" + h("GET", "/pets/by/id")


def test_a_newcomer_with_the_same_operation_id_or_an_exact_one_does_not_take_the_name():
    existing = op("get", "/a", "dup")
    duplicate = op("post", "/b", "dup")
    assert assign_tool_names([existing, duplicate], {("GET", "/a"): "dup"}) == ["dup", "dup_" + h("POST", "/b")]
    derived = op("get", "/pets")
    exact = op("post", "/other", "get_pets")  # an operationId equal to the derived name already given
    assert assign_tool_names([derived, exact], {("GET", "/pets"): "get_pets"}) == [
        "get_pets", "get_pets_" + h("POST", "/other")]


def test_a_hashed_name_stays_when_the_operation_it_met_is_gone():
    survivor = op("get", "/pets/by/id")
    hashed = "get_pets_by_id_" + h("GET", "/pets/by/id")
    assert assign_tool_names([survivor], {("GET", "/pets/by/id"): hashed}) == [hashed]
    assert assign_tool_names([survivor]) == ["get_pets_by_id"]
