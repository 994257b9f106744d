"""The local store keeps what mutations wrote, loses nothing on failure, and upgrades old stores.

Each test runs on SQLite and on PostgreSQL (skipped, with the reason, when no
PostgreSQL is reachable): the same code behind both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from pbxgraph.config import BackendConfig, Config
from pbxgraph.connectors.local import migrations
from pbxgraph.domain import GroupCreate, Kind
from pbxgraph.errors import BadUserInput
from pbxgraph.ids import decode_id, encode_id
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.conftest import PostgresStore
from tests.core.conftest import local


@dataclass
class Database:
    """Where a test's local backends keep their stores: SQLite files, or PostgreSQL schemas."""

    kind: str
    tmp_path: Path
    postgres: PostgresStore | None = None

    def backend(self, name: str, *, demo: bool = True) -> BackendConfig:
        if self.postgres is None:
            return local(name, self.tmp_path / f"{name}.sqlite3", demo=demo)
        return BackendConfig(name=name, vendor="local", options=self.postgres.options(name, demo=demo))

    def engine(self, name: str) -> AsyncEngine:
        """A raw engine on backend ``name``'s store, for what no mutation can do."""
        if self.postgres is None:
            return create_async_engine(f"sqlite+aiosqlite:///{self.tmp_path / f'{name}.sqlite3'}")
        return create_async_engine(
            self.postgres.url, connect_args={"server_settings": {"search_path": self.postgres.schema_of(name)}}
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "sqlite":
        return Database("sqlite", tmp_path)
    return Database("postgresql", tmp_path, request.getfixturevalue("postgres_store"))


SNAPSHOT = """{
  users(first: 500) { nodes { id username extension groups { id } devices { id } } }
  groups(first: 500) { nodes { id name extension members { user { id } } } }
  queues(first: 500) { nodes { id members { priority member { ... on User { id } ... on Group { id } } } } }
  trunks(first: 500) { nodes { id name } }
  devices(first: 500) { nodes { id user { id } } }
}"""


async def test_a_restart_on_the_same_store_keeps_what_mutations_wrote(database: Database) -> None:
    config = Config(backends=(database.backend("office"),))
    async with GraphQLTestClient.running(config) as client:
        created = await client.data(
            'mutation { createUser(backend: "office", input: {username: "kept.user", extension: "290"}) { id } }'
        )
        user_id = created["createUser"]["id"]
        await client.data(
            'mutation($u: ID!) { createGroup(backend: "office", input: {name: "Kept", '
            'extension: "690", memberIds: [$u]}) { id } }',
            {"u": user_id},
        )
        before = await client.data(SNAPSHOT)
    async with GraphQLTestClient.running(config) as client:
        after = await client.data(SNAPSHOT)
        user = await client.data(
            "query($id: ID!) { node(id: $id) { ... on User { username groups { name } } } }", {"id": user_id}
        )
    assert after == before
    assert user["node"] == {"username": "kept.user", "groups": [{"name": "Kept"}]}


async def test_a_failed_mutation_leaves_the_store_exactly_as_it_was(database: Database) -> None:
    config = Config(backends=(database.backend("east"), database.backend("west")))
    async with GraphQLTestClient.running(config) as client:
        await _failed_mutations_change_nothing(client)


async def _failed_mutations_change_nothing(client: GraphQLTestClient) -> None:
    before = await client.data(SNAPSHOT)
    east_users = [n["id"] for n in before["users"]["nodes"] if decode_id(n["id"]).backend == "east"][:3]
    # The group and its memberships are written, then the extension turns out to be taken.
    body = await client.execute(
        'mutation($m: [ID!]!) { createGroup(backend: "east", input: {name: "Doomed", extension: "201", '
        "memberIds: $m}) { id } }",
        {"m": east_users},
    )
    assert error_codes(body) == ["CONFLICT"]
    # Adding a known user and an unknown one: neither is added.
    group = before["groups"]["nodes"][0]["id"]
    backend = decode_id(group).backend
    known = next(
        n["id"]
        for n in before["users"]["nodes"]
        if decode_id(n["id"]).backend == backend
        and all(m["user"]["id"] != n["id"] for m in before["groups"]["nodes"][0]["members"])
    )
    body = await client.execute(
        "mutation($g: ID!, $u: [ID!]!) { addGroupMembers(groupId: $g, userIds: $u) { id } }",
        {"g": group, "u": [known, encode_id(Kind.USER, backend, "98765")]},
    )
    assert error_codes(body) == ["NOT_FOUND"]
    # A queue member list with a repeated member fails whole.
    queue = before["queues"]["nodes"][0]["id"]
    body = await client.execute(
        "mutation($q: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $q, members: $m) { id } }",
        {"q": queue, "m": [{"id": known}, {"id": known}]},
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert await client.data(SNAPSHOT) == before


async def test_a_version_1_store_is_upgraded_in_place(database: Database) -> None:
    engine = database.engine("office")
    async with engine.begin() as conn:
        if database.kind == "postgresql":
            await conn.execute(text(f'CREATE SCHEMA "{database.postgres.schema_of("office")}"'))  # type: ignore[union-attr]
        await migrations.migrate(conn, target=1)
        v1 = migrations.V1_METADATA.tables
        await conn.execute(
            insert(v1["users"]).values(
                id=7, username="legacy", display_name="Legacy User", extension="333", enabled=True
            )
        )
        await conn.execute(insert(v1["groups"]).values(id=3, name="Old Group", extension="633"))
        await conn.execute(insert(v1["group_members"]).values(group_id=3, user_id=7, position=0))
        await conn.execute(
            insert(v1["trunks"]).values(
                id=2, name="Old Carrier", host="sip.old.example.net", port=5060, password="kept-secret", enabled=True
            )
        )
    await engine.dispose()

    config = Config(backends=(database.backend("office", demo=False),))
    async with GraphQLTestClient.running(config) as client:
        data = await client.data("{ users { nodes { username email extension groups { name } } } }")
        assert data["users"]["nodes"] == [
            {"username": "legacy", "email": None, "extension": "333", "groups": [{"name": "Old Group"}]}
        ]
        # Trunks were rebuilt with a SIP kind and an empty domain; the old address stays the host.
        trunks = await client.data(
            "{ trunks { nodes { name host port domain kind model } } groups { nodes { name displayName } } }"
        )
        assert trunks["trunks"]["nodes"] == [
            {
                "name": "Old Carrier",
                "host": "sip.old.example.net",
                "port": 5060,
                "domain": None,
                "kind": "SIP",
                "model": None,
            }
        ]
        assert trunks["groups"]["nodes"] == [{"name": "Old Group", "displayName": None}]
        # The upgrade filled the shared number registry from the old rows.
        body = await client.execute(
            'mutation { createQueue(backend: "office", input: {name: "Q", extension: "633"}) { id } }'
        )
        assert error_codes(body) == ["CONFLICT"]
        data = await client.data(
            'mutation { updateUser(id: "%s", input: {email: "legacy@example.com"}) { email } }'
            % data_id(await client.data("{ users { nodes { id } } }"))
        )
        assert data["updateUser"]["email"] == "legacy@example.com"
    engine = database.engine("office")
    async with engine.connect() as conn:
        assert await migrations.current_version(conn) == migrations.LATEST
    await engine.dispose()


def data_id(data: dict) -> str:
    return data["users"]["nodes"][0]["id"]


async def test_text_longer_than_its_column_is_refused_naming_the_field(database: Database) -> None:
    config = Config(backends=(database.backend("office"),))
    async with GraphQLTestClient.running(config) as client:
        body = await client.execute(
            'mutation($n: String!) { createGroup(backend: "office", input: {name: $n}) { id } }', {"n": "x" * 201}
        )
        assert error_codes(body) == ["BAD_USER_INPUT"]
        assert body["errors"][0]["extensions"]["field"] == "input.name"
        # The schema's own limit answers first; the store holds the same line for callers below it.
        connector = client.service.backends.get("office")
        with pytest.raises(BadUserInput) as refused:
            await connector.groups.create(GroupCreate(name="x" * 201))
        assert refused.value.field == "name"
        assert refused.value.message == "name: at most 200 characters on backend 'office', got 201"
        user = (await client.data("{ users(first: 1) { nodes { id } } }"))["users"]["nodes"][0]["id"]
        body = await client.execute(
            "mutation($id: ID!, $d: String!) { updateUser(id: $id, input: {displayName: $d}) { id } }",
            {"id": user, "d": "y" * 201},
        )
        assert (
            error_codes(body) == ["BAD_USER_INPUT"] and body["errors"][0]["extensions"]["field"] == "input.displayName"
        )
        # An id beyond the column's range names nothing, on either database.
        body = await client.execute(
            "query($id: ID!) { node(id: $id) { id } }", {"id": encode_id(Kind.USER, "office", "99999999999")}
        )
        assert body == {"data": {"node": None}}


def test_local_store_options_are_checked() -> None:
    from pbxgraph.config import ConfigError
    from pbxgraph.connectors.registry import build_connector

    for options, message in (
        (
            {"path": "a.sqlite3", "schema": "office"},
            "backends.office.schema: only for a PostgreSQL url (postgresql+asyncpg://...)",
        ),
        (
            {"url": "postgresql+asyncpg://db/pbx", "schema": "Office-1"},
            "backends.office.schema: lower-case letters, digits and '_', starting with a letter, got 'Office-1'",
        ),
        (
            {"url": "postgresql+asyncpg://db/pbx", "path": "a.sqlite3"},
            "backends.office.url: give either url or path, not both",
        ),
        ({"url": "nonsense://"}, "backends.office.url: not a database URL SQLAlchemy can use: "),
    ):
        with pytest.raises(ConfigError) as info:
            build_connector(BackendConfig(name="office", vendor="local", options=options))
        assert str(info.value).startswith(message), str(info.value)
