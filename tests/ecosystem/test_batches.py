"""Batched requests: a JSON array of operations, each run on its own under every limit, capped in number."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from pbxgraph.app import create_app
from pbxgraph.config import Config
from pbxgraph.connectors.registry import build_connector
from pbxgraph.testing.graphql import GraphQLTestClient
from pbxgraph.testing.live import live_server
from pbxgraph.testing.spy import SpyConnector, spied
from tests.ecosystem.conftest import SCRIPTS, demo_config, run_node

GR = "application/graphql-response+json"


async def started(config: Config) -> AsyncIterator[tuple[GraphQLTestClient, SpyConnector]]:
    spies, backends = spied([build_connector(c) for c in config.backends], list(config.backends))
    async with GraphQLTestClient.running(config, backends=backends) as client:
        yield client, spies[0]


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[GraphQLTestClient, SpyConnector]]:
    async for pair in started(demo_config(tmp_path, max_batch=4)):
        yield pair


async def test_a_batch_answers_each_operation_in_order(served: tuple[GraphQLTestClient, SpyConnector]) -> None:
    client, spy = served
    spy.reset()
    response = await client.http.post(
        "/graphql",
        json=[
            {"query": "{ users(first: 1) { totalCount } }"},
            {"query": "query B { backends { name } }", "operationName": "B"},
            {"query": "query($n: Int) { groups(first: $n) { edges { node { name } } } }", "variables": {"n": 1}},
        ],
        headers={"Accept": GR},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith(GR)
    users, backends, groups = response.json()
    assert users["data"]["users"]["totalCount"] > 0
    assert backends == {"data": {"backends": [{"name": "office"}]}}
    assert len(groups["data"]["groups"]["edges"]) == 1
    assert (spy.calls["user.page"], spy.calls["group.page"]) == (1, 1)


async def test_an_operation_that_fails_fails_alone(served: tuple[GraphQLTestClient, SpyConnector]) -> None:
    client, _ = served
    deep = (
        "{ users { edges { node { groups { members { user { groups { members { user { groups { members { user "
        "{ groups { members { user { groups { name } } } } } } } } } } } } } } } } }"
    )
    response = await client.http.post(
        "/graphql",
        json=[
            {"query": "{ nope }"},
            {"query": deep},
            {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(b"{ x }").hexdigest()}}},
            {"query": "{ backends { name } }"},
        ],
    )
    assert response.status_code == 200
    invalid, too_deep, unknown, fine = response.json()
    assert "data" not in invalid and invalid["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "data" not in too_deep and "exceeds maximum operation depth" in too_deep["errors"][0]["message"]
    assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert fine == {"data": {"backends": [{"name": "office"}]}}


async def test_a_batch_with_a_mutation_runs_in_order(served: tuple[GraphQLTestClient, SpyConnector]) -> None:
    client, _ = served
    response = await client.http.post(
        "/graphql",
        json=[
            {"query": '{ users(filter: {search: "batch.user"}) { totalCount } }'},
            {
                "query": 'mutation { createUser(backend: "office", input: {username: "batch.user", extension: "4711"}) '
                "{ username } }"
            },
            {"query": '{ users(filter: {search: "batch.user"}) { totalCount } }'},
        ],
    )
    before, created, after = response.json()
    assert before["data"]["users"]["totalCount"] == 0
    assert created == {"data": {"createUser": {"username": "batch.user"}}}
    assert after["data"]["users"]["totalCount"] == 1


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ([], "the batch is empty"),
        ([{"query": "{ __typename }"}] * 5, "holds 5 operations; this server takes at most 4"),
        ([{"query": "{ __typename }"}, "{ __typename }"], "batch entry [1] must be a JSON object"),
        ([{"query": "{ __typename }"}, {"variables": {}}], "batch entry [1] has no 'query'"),
        (
            [{"query": "{ __typename }"}, {"query": "{ __typename }", "variables": []}],
            "batch entry [1]: 'variables' must be a JSON object",
        ),
    ],
)
async def test_a_malformed_or_oversized_batch_is_a_coded_400(
    served: tuple[GraphQLTestClient, SpyConnector], body: list[object], cause: str
) -> None:
    client, spy = served
    spy.reset()
    response = await client.http.post("/graphql", json=body)
    assert response.status_code == 400 and "data" not in response.json()
    (error,) = response.json()["errors"]
    assert cause in error["message"] and error["extensions"]["code"] == "BAD_USER_INPUT"
    assert spy.total_calls == 0


async def test_max_batch_0_turns_batches_off(tmp_path: Path) -> None:
    async for client, _ in started(demo_config(tmp_path, max_batch=0)):
        response = await client.http.post("/graphql", json=[{"query": "{ __typename }"}])
        assert response.status_code == 400
        assert "turned off on this server ([server] max_batch = 0)" in response.json()["errors"][0]["message"]
        single = await client.http.post("/graphql", json={"query": "{ __typename }"})
        assert single.json() == {"data": {"__typename": "Query"}}


def test_graphql_request_and_apollo_batch_links_send_one_request_each(tmp_path: Path) -> None:
    config = demo_config(tmp_path)
    posts: list[str] = []

    def counting(app: Any) -> Any:
        async def counted(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"] == "/graphql" and scope["method"] == "POST":
                posts.append(scope["path"])
            await app(scope, receive, send)

        return counted

    with live_server(config, app=counting(create_app(config))) as url:
        result = run_node(SCRIPTS / "batch_clients.mjs", f"{url}/graphql")
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout)
    backends, users = seen["graphqlRequest"]
    assert backends == {"data": {"backends": [{"name": "office"}]}} and users["data"]["users"]["totalCount"] > 0
    assert seen["apollo"][0]["backends"][0]["name"] == "office"
    assert seen["apollo"][1]["users"]["totalCount"] == users["data"]["users"]["totalCount"]
    assert len(posts) == 2  # one batch from each client
