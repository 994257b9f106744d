"""Concurrent writers on the local store, in memory, on a file and on PostgreSQL: nothing acknowledged is lost.

Every test runs against every kind of store through the GraphQL surface (PostgreSQL
where one is reachable, else skipped saying why): many
clients at once, each checking that its own answer carries its own data, and
the store afterwards holding exactly what was acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from pbxgraph.config import BackendConfig, Config
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.conftest import PostgresStore

WRITERS = 8
CREATES = 50
CREATE_USER = """mutation($u: String!, $e: String) {
  createUser(backend: "office", input: {username: $u, extension: $e, sipPassword: "pw"}) {
    id username extension
  }
}"""


Store = dict[str, object]


def office(store: Store) -> Config:
    # A generous timeout: what is measured is what is stored, never how fast (the machine may be busy).
    return Config(
        backends=(BackendConfig(name="office", vendor="local", timeout_s=120, options={**store, "demo": False}),)
    )


@pytest.fixture(params=["memory", "file", "postgres"])
def store_path(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """The local store's options: in memory, a SQLite file, or a schema of its own on PostgreSQL."""
    if request.param == "postgres":
        postgres: PostgresStore = request.getfixturevalue("postgres_store")
        return postgres.options()
    return {"path": ":memory:" if request.param == "memory" else str(tmp_path / "office.sqlite3")}


@contextlib.asynccontextmanager
async def running(store: Store) -> AsyncIterator[GraphQLTestClient]:
    async with GraphQLTestClient.running(office(store)) as client:
        yield client


async def usernames(client: GraphQLTestClient) -> list[str]:
    names: list[str] = []
    after = None
    while True:
        page = (
            await client.data(
                "query($a: String) { users(first: 500, after: $a) { "
                "pageInfo { hasNextPage endCursor } nodes { username } } }",
                {"a": after},
            )
        )["users"]
        names += [n["username"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return names
        after = page["pageInfo"]["endCursor"]


async def test_eight_writers_creating_fifty_users_each_lose_nothing(store_path: Store) -> None:
    async with running(store_path) as client:

        async def writer(w: int) -> list[str]:
            acknowledged = []
            for i in range(CREATES):
                username, extension = f"w{w}.u{i}", f"{w + 1}{i:03d}"
                body = await client.execute(CREATE_USER, {"u": username, "e": extension})
                assert "errors" not in body, body
                answer = body["data"]["createUser"]
                assert (answer["username"], answer["extension"]) == (username, extension)
                acknowledged.append(username)
            return acknowledged

        results = await asyncio.gather(*(writer(w) for w in range(WRITERS)))
        acknowledged = [name for names in results for name in names]
        stored = await usernames(client)
    assert len(acknowledged) == WRITERS * CREATES
    assert sorted(stored) == sorted(acknowledged)


async def test_eight_racers_for_one_extension_have_exactly_one_winner(store_path: Store) -> None:
    async with running(store_path) as client:
        for round_ in range(3):
            extension = f"77{round_}"
            bodies = await asyncio.gather(
                *(client.execute(CREATE_USER, {"u": f"r{round_}.{w}", "e": extension}) for w in range(WRITERS))
            )
            winners = [b["data"]["createUser"] for b in bodies if not b.get("errors")]
            losers = [error_codes(b) for b in bodies if b.get("errors")]
            assert len(winners) == 1
            assert losers == [["CONFLICT"]] * (WRITERS - 1)
            owners = (
                await client.data(
                    "query($n: String!) { directory(number: $n) { entries { owner { ... on User { username } } } } }",
                    {"n": extension},
                )
            )["directory"]
            assert owners["entries"] == [{"owner": {"username": winners[0]["username"]}}]


async def test_readers_never_see_a_write_that_is_rolled_back(store_path: Store) -> None:
    """A group written with its members and then refused (its extension is taken) is never seen half-made."""
    async with running(store_path) as client:
        members = [
            (await client.data(CREATE_USER, {"u": f"m{i}", "e": f"30{i}"}))["createUser"]["id"] for i in range(5)
        ]
        await client.data(
            'mutation { createGroup(backend: "office", input: {name: "Taken", extension: "600"}) { id } }'
        )
        seen: list[Any] = []
        done = asyncio.Event()

        async def doomed(i: int) -> None:
            body = await client.execute(
                'mutation($n: String!, $m: [ID!]!) { createGroup(backend: "office", input: '
                '{name: $n, extension: "600", memberIds: $m}) { id } }',
                {"n": f"Doomed {i}", "m": members},
            )
            assert error_codes(body) == ["CONFLICT"]

        async def reader() -> None:
            while not done.is_set():
                body = await client.data(
                    '{ groups(filter: {search: "Doomed"}) { totalCount nodes { name } } '
                    "users(first: 1) { totalCount } }"
                )
                seen.extend(body["groups"]["nodes"])
                assert body["users"]["totalCount"] == len(members)
                await asyncio.sleep(0)

        readers = [asyncio.create_task(reader()) for _ in range(2)]
        await asyncio.gather(*(doomed(i) for i in range(12)))
        done.set()
        await asyncio.gather(*readers)
        groups = await client.data("{ groups { nodes { name } } }")
    assert seen == []
    assert groups["groups"]["nodes"] == [{"name": "Taken"}]


async def test_two_servers_writing_to_one_store_file_both_keep_every_create(tmp_path: Path) -> None:
    """Two replicas on one SQLite file: their writers wait for each other instead of failing as locked."""
    path = {"path": str(tmp_path / "shared.sqlite3")}
    async with running(path) as one, running(path) as two:

        async def writer(client: GraphQLTestClient, prefix: str) -> None:
            for i in range(10):
                body = await client.execute(CREATE_USER, {"u": f"{prefix}.{i}", "e": None})
                assert "errors" not in body, body

        await asyncio.gather(*(writer(c, f"{n}{w}") for n, c in (("a", one), ("b", two)) for w in range(4)))
        stored = await usernames(two)
    assert len(stored) == 80
