"""Every error code the core can produce, and answers that degrade instead of failing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pbxgraph.config import ApiToken, AuthConfig, Config
from pbxgraph.connectors.registry import build_connector
from pbxgraph.errors import BackendError
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from pbxgraph.testing.spy import SpyConnector, spied
from tests.core.conftest import local

USERS = "{ users(first: 100) { totalCount nodes { backend username } } }"


@pytest.fixture
async def flaky(tmp_path: Path) -> AsyncIterator[tuple[GraphQLTestClient, SpyConnector]]:
    """east is healthy; west is a real store whose spy the test tells to misbehave."""
    configs = [local("east", tmp_path / "e.sqlite3"), local("west", tmp_path / "w.sqlite3", timeout_s=0.2)]
    spies, backends = spied([build_connector(c) for c in configs], configs)
    async with GraphQLTestClient.running(Config(backends=tuple(configs)), backends=backends) as client:
        yield client, spies[1]


def only_east(body: dict) -> None:
    nodes = body["data"]["users"]["nodes"]
    assert len(nodes) == 32 and {n["backend"] for n in nodes} == {"east"}


async def test_a_backend_that_raises_leaves_the_others_answer_whole(flaky) -> None:
    client, west = flaky
    west.behaviour.failures["user.page"] = BackendError("west answered 502", backend="west", details={"status": 502})
    body = await client.execute(USERS)
    only_east(body)
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BACKEND_ERROR", "backend": "west", "vendor": {"status": 502}}
    assert error["path"] == ["users"]


async def test_a_slow_backend_times_out_alone(flaky) -> None:
    client, west = flaky
    west.behaviour.delays["user.page"] = 5.0
    body = await client.execute(USERS)
    only_east(body)
    assert error_codes(body) == ["BACKEND_TIMEOUT"] and body["errors"][0]["extensions"]["backend"] == "west"


async def test_a_connector_bug_is_internal_and_shows_no_internals(flaky, caplog) -> None:
    client, west = flaky
    west.behaviour.failures["user.page"] = RuntimeError("db password is hunter2")
    body = await client.execute(USERS)
    only_east(body)
    assert error_codes(body) == ["INTERNAL_SERVER_ERROR"]
    assert "hunter2" not in str(body)
    assert "hunter2" in caplog.text  # the trace is in the server log, for whoever runs it


async def test_a_failed_relation_nulls_only_its_own_field(flaky) -> None:
    client, west = flaky
    west.behaviour.failures["user.groups_of"] = BackendError("west broke", backend="west")
    body = await client.execute('{ users(filter: {extension: "201"}) { nodes { backend username groups { name } } } }')
    east, west_user = body["data"]["users"]["nodes"]
    assert east == {"backend": "east", "username": "ahughes", "groups": [{"name": "Sales"}]}
    assert west_user == {"backend": "west", "username": "ahughes", "groups": None}
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BACKEND_ERROR" and error["path"] == ["users", "nodes", 1, "groups"]


async def test_an_unreachable_store_is_backend_unavailable_and_the_server_still_answers(tmp_path: Path) -> None:
    configs = (local("east", tmp_path / "e.sqlite3"), local("broken", tmp_path / "missing" / "dir" / "x.sqlite3"))
    async with GraphQLTestClient.running(Config(backends=configs)) as client:
        body = await client.execute(USERS)
        only_east(body)
        assert error_codes(body) == ["BACKEND_UNAVAILABLE"] and body["errors"][0]["extensions"]["backend"] == "broken"
        health = await client.data("{ backends { name health { status } } }")
        assert health["backends"] == [
            {"name": "east", "health": {"status": "UP"}},
            {"name": "broken", "health": {"status": "DOWN"}},
        ]
        ready = await client.http.get("/readyz")
        assert ready.status_code == 503 and ready.json()["backends"]["broken"]["status"] == "down"


async def test_syntax_and_validation_errors_are_bad_user_input(client: GraphQLTestClient) -> None:
    for query in ["{ users( }", "{ users { nope } }", "{ users(orderBy: {field: COLOUR}) { totalCount } }"]:
        body = await client.execute(query)
        assert error_codes(body) == ["BAD_USER_INPUT"], query


async def test_conflict_when_an_extension_is_taken_by_any_kind(client: GraphQLTestClient) -> None:
    body = await client.execute(
        'mutation { createUser(backend: "east", input: {username: "x.y", extension: "600"}) { id } }'
    )
    assert error_codes(body) == ["CONFLICT"]
    owner = body["errors"][0]["extensions"].pop("owner")
    assert body["errors"][0]["extensions"] == {"code": "CONFLICT", "backend": "east", "field": "input.extension"}
    assert body["errors"][0]["message"].startswith("input.extension: already taken")
    # the owner of the number, by kind and id, in the message and in the extensions
    assert owner == {"kind": "GROUP", "id": owner["id"], "backend": "east", "name": "Sales"}
    assert f"belongs to group 'Sales', id {owner['id']}" in body["errors"][0]["message"]
    body = await client.execute('mutation { createUser(backend: "east", input: {username: "ahughes"}) { id } }')
    assert error_codes(body) == ["CONFLICT"] and body["errors"][0]["extensions"]["field"] == "input.username"


@pytest.fixture
async def guarded(tmp_path: Path) -> AsyncIterator[GraphQLTestClient]:
    auth = AuthConfig(
        tokens=(
            ApiToken("ops", "admin-token-0123456789", "admin"),
            ApiToken("dashboard", "reader-token-0123456789", "reader"),
        )
    )
    config = Config(backends=(local("east", tmp_path / "e.sqlite3"),), auth=auth)
    async with GraphQLTestClient.running(config) as client:
        yield client


async def test_tokens_unauthenticated_and_forbidden(guarded: GraphQLTestClient) -> None:
    query = "{ users(first: 1) { totalCount } }"
    mutation = 'mutation { createUser(backend: "east", input: {username: "new.one"}) { id } }'
    missing = await guarded.http.post("/graphql", json={"query": query})
    assert missing.status_code == 401 and error_codes(missing.json()) == ["UNAUTHENTICATED"]
    wrong = await guarded.execute(query, headers={"Authorization": "Bearer not-the-token-at-all"})
    assert error_codes(wrong) == ["UNAUTHENTICATED"]
    reader = {"Authorization": "Bearer reader-token-0123456789"}
    assert (await guarded.execute(query, headers=reader))["data"]["users"]["totalCount"] == 32
    denied = await guarded.execute(mutation, headers=reader)
    assert error_codes(denied) == ["FORBIDDEN"]
    admin = await guarded.execute(mutation, headers={"Authorization": "Bearer admin-token-0123456789"})
    assert admin["data"]["createUser"]["id"]
    page = await guarded.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200  # the page holds no data; its queries need the token
