"""Apollo Federation v2: pbxgraph as a subgraph, its entities resolved through the request's loaders."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pbxgraph.config import Config, ServerConfig
from pbxgraph.connectors.registry import build_connector
from pbxgraph.domain import Kind
from pbxgraph.ids import encode_id
from pbxgraph.schema import sdl
from pbxgraph.schema.federation import subgraph_sdl
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from pbxgraph.testing.spy import SpyConnector, spied
from tests.ecosystem.conftest import SCRIPTS, local, run_node, serving

ENTITIES = (
    "query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on User { username } "
    "... on Group { name } ... on Device { mac } ... on Trunk { name } ... on Queue { name } } }"
)


def federated(tmp_path: Path) -> Config:
    configs = (local("east", tmp_path / "east.sqlite3"), local("west", tmp_path / "west.sqlite3"))
    return Config(backends=configs, server=ServerConfig(federation=True))


@pytest.fixture
async def subgraph(tmp_path: Path) -> AsyncIterator[tuple[GraphQLTestClient, dict[str, SpyConnector]]]:
    config = federated(tmp_path)
    spies, backends = spied([build_connector(c) for c in config.backends], list(config.backends))
    async with GraphQLTestClient.running(config, backends=backends) as client:
        yield client, {spy.name: spy for spy in spies}


async def ids(client: GraphQLTestClient, kind: str, backend: str, count: int) -> list[str]:
    data = await client.data(f'{{ {kind}(backends: ["{backend}"], first: {count}) {{ nodes {{ id }} }} }}')
    return [node["id"] for node in data[kind]["nodes"]]


async def test_service_sdl_keys_the_five_entities_and_links_federation(
    subgraph: tuple[GraphQLTestClient, dict[str, SpyConnector]],
) -> None:
    client, _ = subgraph
    served = (await client.data("{ _service { sdl } }"))["_service"]["sdl"]
    assert served == subgraph_sdl()
    assert served.startswith('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])')
    for name, implements in (
        ("User", " implements BackendObject & Node"),
        ("Group", " implements BackendObject & Node"),
        ("Queue", " implements BackendObject & Node"),
        ("Trunk", " implements BackendObject & Node"),
        ("Device", " implements BackendObject & Node"),
    ):
        assert f'type {name}{implements} @key(fields: "id") {{' in served
    assert served.count("@key(") == 5
    assert "_entities" not in served and "_Service" not in served  # the router adds its own


def test_the_cli_prints_the_subgraph_sdl_and_the_default_schema_stays_as_it_was() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "pbxgraph.cli", "schema", "--federation"], capture_output=True, text=True, check=True
    ).stdout
    assert printed == subgraph_sdl()
    assert "@key" not in sdl() and "_entities" not in sdl() and "_service" not in sdl()


async def test_entities_resolve_in_order_with_one_batched_call_per_backend_and_kind(
    subgraph: tuple[GraphQLTestClient, dict[str, SpyConnector]],
) -> None:
    client, spies = subgraph
    east_users = await ids(client, "users", "east", 3)
    west_users = await ids(client, "users", "west", 2)
    east_groups = await ids(client, "groups", "east", 2)
    devices = await ids(client, "devices", "east", 1)
    for spy in spies.values():
        spy.reset()
    representations: list[dict[str, Any]] = [
        {"__typename": "User", "id": east_users[0]},
        {"__typename": "Group", "id": east_groups[0]},
        {"__typename": "User", "id": west_users[0]},
        {"__typename": "User", "id": east_users[1]},
        {"__typename": "Device", "id": devices[0]},
        {"__typename": "User", "id": east_users[2]},
        {"__typename": "Group", "id": east_groups[1]},
        {"__typename": "User", "id": west_users[1]},
    ]
    body = await client.execute(ENTITIES, {"r": representations})
    assert "errors" not in body
    entities = body["data"]["_entities"]
    assert [e["__typename"] for e in entities] == [r["__typename"] for r in representations]
    assert all(e.get("username") or e.get("name") or e.get("mac") for e in entities)
    assert spies["east"].calls == {"user.get_many": 1, "group.get_many": 1, "device.get_many": 1}
    assert spies["west"].calls == {"user.get_many": 1}
    same = await client.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { username } } }", {"ids": [east_users[0]]}
    )
    assert same["nodes"][0]["username"] == entities[0]["username"]


async def test_a_bad_representation_fails_alone_and_an_unknown_id_is_null(
    subgraph: tuple[GraphQLTestClient, dict[str, SpyConnector]],
) -> None:
    client, _ = subgraph
    user, group = (await ids(client, "users", "east", 1))[0], (await ids(client, "groups", "east", 1))[0]
    missing = encode_id(Kind.USER, "east", "999999")
    body = await client.execute(
        ENTITIES,
        {
            "r": [
                {"__typename": "Group", "id": user},  # a user's id under another type
                {"__typename": "Ticket", "id": user},  # a type pbxgraph does not have
                {"__typename": "User"},  # no id
                {"__typename": "User", "id": "not-an-id"},  # malformed
                {"__typename": "User", "id": user},  # fine
                {"__typename": "Group", "id": group},  # fine
                {"__typename": "User", "id": missing},  # names nothing: null, no error
            ]
        },
    )
    entities = body["data"]["_entities"]
    assert entities[:4] == [None, None, None, None] and entities[6] is None
    assert entities[4]["username"] and entities[5]["name"]
    assert error_codes(body) == ["BAD_USER_INPUT"] * 4
    assert [e["path"] for e in body["errors"]] == [["_entities", i] for i in range(4)]
    messages = [e["message"] for e in body["errors"]]
    assert "representations[0].id: the id is of a user, not of a Group" in messages[0]
    assert "representations[1].__typename: must be one of User, Group, Queue, Trunk, Device" in messages[1]


async def test_entities_are_off_unless_federation_is_configured(tmp_path: Path) -> None:
    config = Config(backends=(local("east", tmp_path / "plain.sqlite3"),))
    async with GraphQLTestClient.running(config) as client:
        body = await client.execute("{ _service { sdl } }")
        assert "data" not in body and error_codes(body) == ["BAD_USER_INPUT"]


def test_a_router_composes_pbxgraph_with_another_subgraph_and_resolves_its_entity_fetch(tmp_path: Path) -> None:
    """``@apollo/composition`` composes the SDL pbxgraph serves; the router's own entity fetch runs on it."""
    with serving(federated(tmp_path)) as (url, spies):
        graphql = f"{url}/graphql"
        served = httpx.post(
            graphql,
            json={"query": '{ _service { sdl } users(backends: ["west"], first: 1) { nodes { id username } } }'},
        ).json()["data"]
        sdl_file = tmp_path / "pbxgraph.graphql"
        sdl_file.write_text(served["_service"]["sdl"])
        result = run_node(
            SCRIPTS / "compose.mjs",
            str(sdl_file),
            "{ tickets { title assignee { username extension openTickets { title } } } }",
        )
        assert result.returncode == 0, result.stderr[-3000:]
        composed = json.loads(result.stdout)
        assert "errors" not in composed, composed.get("errors")
        supergraph = composed["supergraph"]
        assert 'join__type(graph: PBXGRAPH, key: "id")' in supergraph
        assert 'join__type(graph: TICKETS, key: "id")' in supergraph
        (entity_fetch,) = [f for f in composed["fetches"] if f["service"] == "pbxgraph"]
        assert entity_fetch["requires"] and "_entities(representations:$representations)" in entity_fetch["operation"]
        user = served["users"]["nodes"][0]
        spies["west"].reset()
        answer = httpx.post(
            graphql,
            json={
                "query": entity_fetch["operation"],
                "variables": {"representations": [{"__typename": "User", "id": user["id"]}]},
            },
        ).json()
        calls = dict(spies["west"].calls)
    assert "errors" not in answer
    assert answer["data"]["_entities"][0]["username"] == user["username"]
    assert calls == {"user.get_many": 1}


async def test_the_subgraph_keeps_the_limits_of_the_default_schema(
    subgraph: tuple[GraphQLTestClient, dict[str, SpyConnector]],
) -> None:
    client, spies = subgraph
    for spy in spies.values():
        spy.reset()
    long = await client.execute("query($s: String) { users(filter: {search: $s}) { totalCount } }", {"s": "x" * 300})
    assert long["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.search"}
    too_many = await client.execute(ENTITIES, {"r": [{"__typename": "User", "id": "x"}] * 1001})
    assert too_many["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "representations"}
    assert all(spy.total_calls == 0 for spy in spies.values())
