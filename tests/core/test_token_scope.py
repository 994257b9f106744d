"""A token limited to some backends: the others look as if they did not exist, and are never called."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pbxgraph.config import ApiToken, AuthConfig, Config, LimitsConfig
from pbxgraph.connectors.registry import build_connector
from pbxgraph.ids import decode_id
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from pbxgraph.testing.spy import SpyConnector, spied
from tests.core.conftest import local

ALL = "token-for-every-backend-0123"
EAST = "token-for-east-only-0123456"
HEADERS = {"all": {"Authorization": f"Bearer {ALL}"}, "east": {"Authorization": f"Bearer {EAST}"}}


@dataclass
class Scoped:
    client: GraphQLTestClient
    spies: dict[str, SpyConnector]

    async def as_(self, who: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.client.execute(query, variables, headers=HEADERS[who])

    async def ids(self, kind: str) -> dict[str, list[str]]:
        body = await self.as_("all", f"{{ {kind}(first: 500) {{ nodes {{ id }} }} }}")
        found: dict[str, list[str]] = {"east": [], "west": []}
        for node in body["data"][kind]["nodes"]:
            found[decode_id(node["id"]).backend].append(node["id"])
        return found


@pytest.fixture
async def scoped(tmp_path: Path) -> AsyncIterator[Scoped]:
    configs = [local("east", tmp_path / "east.sqlite3"), local("west", tmp_path / "west.sqlite3")]
    auth = AuthConfig(tokens=(ApiToken("ops", ALL), ApiToken("east-ops", EAST, backends=("east",))))
    spies, backends = spied([build_connector(c) for c in configs], configs)
    async with GraphQLTestClient.running(Config(backends=tuple(configs), auth=auth), backends=backends) as client:
        yield Scoped(client, {s.name: s for s in spies})


async def test_node_and_nodes_on_a_hidden_backend_answer_null(scoped: Scoped) -> None:
    users = await scoped.ids("users")
    scoped.spies["west"].reset()
    body = await scoped.as_(
        "east",
        "query($e: ID!, $w: ID!) { e: node(id: $e) { id } w: node(id: $w) { id } n: nodes(ids: [$w, $e]) { id } }",
        {"e": users["east"][0], "w": users["west"][0]},
    )
    assert "errors" not in body
    assert body["data"] == {"e": {"id": users["east"][0]}, "w": None, "n": [None, {"id": users["east"][0]}]}
    assert scoped.spies["west"].total_calls == 0
    seen = await scoped.as_("all", "query($w: ID!) { node(id: $w) { id } }", {"w": users["west"][0]})
    assert seen["data"]["node"] == {"id": users["west"][0]}


async def test_lists_backends_and_directory_leave_the_hidden_backend_out(scoped: Scoped) -> None:
    users = await scoped.ids("users")
    scoped.spies["west"].reset()
    body = await scoped.as_(
        "east",
        "{ backends { name } users(first: 500) { totalCount nodes { id } } "
        'devices(first: 500) { nodes { backend } } directory(number: "201") '
        "{ entries { backend } } }",
    )
    assert "errors" not in body
    assert body["data"]["backends"] == [{"name": "east"}]
    assert [n["id"] for n in body["data"]["users"]["nodes"]] == users["east"]
    assert body["data"]["users"]["totalCount"] == len(users["east"])
    assert {n["backend"] for n in body["data"]["devices"]["nodes"]} == {"east"}
    assert {e["backend"] for e in body["data"]["directory"]["entries"]} == {"east"}
    assert scoped.spies["west"].total_calls == 0
    named = await scoped.as_("east", '{ users(backends: ["west"]) { totalCount } }')
    assert error_codes(named) == ["BAD_USER_INPUT"]
    assert named["errors"][0]["message"] == "backends: no backend named 'west' is configured (configured: east)"


async def test_mutations_on_a_hidden_backend_are_not_found_and_change_nothing(scoped: Scoped) -> None:
    users, groups = await scoped.ids("users"), await scoped.ids("groups")
    west_user, west_group = users["west"][0], groups["west"][0]
    scoped.spies["west"].reset()
    for query, variables in (
        ('mutation($id: ID!) { updateUser(id: $id, input: {displayName: "Taken Over"}) { id } }', {"id": west_user}),
        ("mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": west_user}),
        (
            "mutation($g: ID!, $u: [ID!]!) { addGroupMembers(groupId: $g, userIds: $u) { id } }",
            {"g": west_group, "u": [west_user]},
        ),
    ):
        body = await scoped.as_("east", query, variables)
        assert error_codes(body) == ["NOT_FOUND"], body
        assert body["errors"][0]["extensions"]["backend"] == "west"
    created = await scoped.as_(
        "east", 'mutation { createUser(backend: "west", input: {username: "sneaky", extension: "299"}) { id } }'
    )
    assert error_codes(created) == ["BAD_USER_INPUT"]
    assert scoped.spies["west"].total_calls == 0  # nothing reached the hidden backend
    still = await scoped.as_(
        "all", "query($id: ID!) { node(id: $id) { ... on User { displayName } } }", {"id": west_user}
    )
    assert still["data"]["node"] is not None and still["data"]["node"]["displayName"] != "Taken Over"
    # The same token still writes where it may.
    east = await scoped.as_(
        "east",
        'mutation($id: ID!) { updateUser(id: $id, input: {displayName: "Moved"}) { displayName } }',
        {"id": users["east"][0]},
    )
    assert east == {"data": {"updateUser": {"displayName": "Moved"}}}


async def test_a_token_limited_to_some_backends_keeps_the_configured_limits(tmp_path: Path) -> None:
    configs = [local("east", tmp_path / "east.sqlite3"), local("west", tmp_path / "west.sqlite3")]
    auth = AuthConfig(tokens=(ApiToken("east-ops", EAST, backends=("east",)),))
    spies, backends = spied([build_connector(c) for c in configs], configs)
    config = Config(backends=tuple(configs), auth=auth, limits=LimitsConfig(max_node_ids=2))
    async with GraphQLTestClient.running(config, backends=backends) as client:
        body = await client.execute('{ nodes(ids: ["a", "b", "c"]) { id } }', headers=HEADERS["east"])
    assert error_codes(body) == ["BAD_USER_INPUT"] and body["errors"][0]["extensions"]["limit"] == "max_node_ids"
    assert sum(s.total_calls for s in spies) == 0
