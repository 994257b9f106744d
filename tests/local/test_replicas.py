"""Two pbxgraph replicas on one PostgreSQL store, under concurrent mutations.

What replicas share is the store: every write of one is seen by the other,
an extension is won by exactly one of two concurrent claims, and concurrent
changes of one object are applied one after the other, never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from pbxgraph.config import BackendConfig, Config
from pbxgraph.connectors.local import migrations
from pbxgraph.ids import decode_id
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.conftest import PostgresStore

EXTENSIONS = [str(n) for n in range(300, 316)]
CREATE = (
    'mutation($u: String!, $e: String!) { createUser(backend: "office", input: {username: $u, extension: $e}) '
    "{ id extension } }"
)


@contextlib.asynccontextmanager
async def replicas(store: PostgresStore) -> AsyncIterator[tuple[GraphQLTestClient, GraphQLTestClient]]:
    """Two apps, each with its own engine and pool, started at the same moment on one fresh store."""
    config = Config(backends=(BackendConfig(name="office", vendor="local", options=store.options(demo=False)),))
    async with contextlib.AsyncExitStack() as first, contextlib.AsyncExitStack() as second:
        a, b = await asyncio.gather(
            first.enter_async_context(GraphQLTestClient.running(config)),
            second.enter_async_context(GraphQLTestClient.running(config)),
        )
        yield a, b


async def rows(store: PostgresStore, sql: str, **params: Any) -> list[Any]:
    engine = create_async_engine(store.url, connect_args={"server_settings": {"search_path": store.schema}})
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())
    finally:
        await engine.dispose()


async def test_two_replicas_give_each_extension_one_winner_and_lose_no_update(postgres_store: PostgresStore) -> None:
    async with replicas(postgres_store) as (a, b):
        # Both replicas claim every extension at once: one winner each, the other told CONFLICT.
        claims = [(client, f"{name}{ext}", ext) for ext in EXTENSIONS for client, name in ((a, "a"), (b, "b"))]
        answers = await asyncio.gather(*(c.execute(CREATE, {"u": u, "e": e}) for c, u, e in claims))
        winners: dict[str, str] = {}
        for (_, _, ext), body in zip(claims, answers, strict=True):
            if "errors" in body:
                assert (
                    error_codes(body) == ["CONFLICT"] and body["errors"][0]["extensions"]["field"] == "input.extension"
                ), body
            else:
                assert ext not in winners, f"two winners for {ext}"
                winners[ext] = body["data"]["createUser"]["id"]
        assert sorted(winners) == EXTENSIONS
        for client in (a, b):  # each replica sees the other's writes
            listed = await client.data("{ users(first: 100) { totalCount nodes { id extension } } }")
            assert listed["users"]["totalCount"] == len(EXTENSIONS)
            assert {n["extension"]: n["id"] for n in listed["users"]["nodes"]} == winners

        # Both replicas add members to one group at once: every member is kept, each in its own place.
        group = (
            await a.data(
                'mutation { createGroup(backend: "office", input: {name: "Shared", extension: "600"}) { id } }'
            )
        )["createGroup"]["id"]
        users = list(winners.values())
        add = "mutation($g: ID!, $u: [ID!]!) { addGroupMembers(groupId: $g, userIds: $u) { id } }"
        added = await asyncio.gather(
            *((a if i % 2 else b).execute(add, {"g": group, "u": [user]}) for i, user in enumerate(users))
        )
        assert all("errors" not in body for body in added), added
        members = await b.data(
            "query($g: ID!) { node(id: $g) { ... on Group { members { user { id } } } } }", {"g": group}
        )
        assert sorted(m["user"]["id"] for m in members["node"]["members"]) == sorted(users)
        positions = await rows(
            postgres_store, "SELECT position FROM group_members WHERE group_id = :g", g=int(decode_id(group).native_id)
        )
        assert sorted(p for (p,) in positions) == list(range(len(users)))

        # Concurrent partial updates of one user from both replicas: neither change is lost.
        target = users[0]
        update = "mutation($id: ID!, $in: UpdateUserInput!) { updateUser(id: $id, input: $in) { id } }"
        await asyncio.gather(
            *(
                (
                    a.execute(update, {"id": target, "in": {"displayName": f"Name {i}"}})
                    if i % 2
                    else b.execute(update, {"id": target, "in": {"email": f"user{i}@example.com"}})
                )
                for i in range(12)
            )
        )
        user = await a.data("query($id: ID!) { node(id: $id) { ... on User { displayName email } } }", {"id": target})
        assert user["node"]["displayName"] in {f"Name {i}" for i in range(1, 12, 2)}
        assert user["node"]["email"] in {f"user{i}@example.com" for i in range(0, 12, 2)}

        # Replacing a queue's members from both replicas at once: the result is one list, never a mix.
        queue = (
            await a.data('mutation { createQueue(backend: "office", input: {name: "Q", extension: "700"}) { id } }')
        )["createQueue"]["id"]
        lists = [users[0:5], users[5:10], users[10:15], users[1:6]]
        set_members = "mutation($q: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $q, members: $m) { id } }"
        answers = await asyncio.gather(
            *(
                (a if i % 2 else b).execute(set_members, {"q": queue, "m": [{"id": u} for u in members]})
                for i, members in enumerate(lists)
            )
        )
        assert all("errors" not in body for body in answers), answers
        final = await b.data(
            "query($q: ID!) { node(id: $q) { ... on Queue { members { member { ... on User { id } } } } } }",
            {"q": queue},
        )
        assert [m["member"]["id"] for m in final["node"]["members"]] in lists


async def test_replicas_starting_together_migrate_the_store_once(postgres_store: PostgresStore) -> None:
    async with replicas(postgres_store) as (a, b):
        for client in (a, b):
            assert (await client.data("{ users { totalCount } }"))["users"]["totalCount"] == 0
    versions = await rows(postgres_store, "SELECT version FROM schema_version")
    assert versions == [(migrations.LATEST,)]


pytestmark = pytest.mark.usefixtures("postgres_url")
