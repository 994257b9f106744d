"""The local store keeps what mutations wrote, loses nothing on failure, and upgrades old files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

from pbxgraph.config import Config
from pbxgraph.connectors.local import migrations
from pbxgraph.domain import Kind
from pbxgraph.ids import decode_id, encode_id
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.core.conftest import local

SNAPSHOT = """{
  users(first: 500) { nodes { id username extension groups { id } devices { id } } }
  groups(first: 500) { nodes { id name extension members { user { id } } } }
  queues(first: 500) { nodes { id members { priority member { ... on User { id } ... on Group { id } } } } }
  trunks(first: 500) { nodes { id name } }
  devices(first: 500) { nodes { id user { id } } }
}"""


async def test_a_restart_on_the_same_file_keeps_what_mutations_wrote(tmp_path: Path) -> None:
    config = Config(backends=(local("office", tmp_path / "office.sqlite3"),))
    async with GraphQLTestClient.running(config) as client:
        created = await client.data('mutation { createUser(backend: "office", input: {username: "kept.user", '
                                    'extension: "290"}) { id } }')
        user_id = created["createUser"]["id"]
        await client.data('mutation($u: ID!) { createGroup(backend: "office", input: {name: "Kept", '
                          'extension: "690", memberIds: [$u]}) { id } }', {"u": user_id})
        before = await client.data(SNAPSHOT)
    async with GraphQLTestClient.running(config) as client:
        after = await client.data(SNAPSHOT)
        user = await client.data('query($id: ID!) { node(id: $id) { ... on User { username groups { name } } } }',
                                 {"id": user_id})
    assert after == before
    assert user["node"] == {"username": "kept.user", "groups": [{"name": "Kept"}]}


async def test_a_failed_mutation_leaves_the_store_exactly_as_it_was(client: GraphQLTestClient) -> None:
    before = await client.data(SNAPSHOT)
    east_users = [n["id"] for n in before["users"]["nodes"] if decode_id(n["id"]).backend == "east"][:3]
    # The group and its memberships are written, then the extension turns out to be taken.
    body = await client.execute(
        'mutation($m: [ID!]!) { createGroup(backend: "east", input: {name: "Doomed", extension: "201", '
        'memberIds: $m}) { id } }', {"m": east_users})
    assert error_codes(body) == ["CONFLICT"]
    # Adding a known user and an unknown one: neither is added.
    group = before["groups"]["nodes"][0]["id"]
    backend = decode_id(group).backend
    known = next(n["id"] for n in before["users"]["nodes"] if decode_id(n["id"]).backend == backend
                 and all(m["user"]["id"] != n["id"] for m in before["groups"]["nodes"][0]["members"]))
    body = await client.execute('mutation($g: ID!, $u: [ID!]!) { addGroupMembers(groupId: $g, userIds: $u) { id } }',
                                {"g": group, "u": [known, encode_id(Kind.USER, backend, "98765")]})
    assert error_codes(body) == ["NOT_FOUND"]
    # A queue member list with a repeated member fails whole.
    queue = before["queues"]["nodes"][0]["id"]
    body = await client.execute('mutation($q: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $q, '
                                'members: $m) { id } }', {"q": queue, "m": [{"id": known}, {"id": known}]})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert await client.data(SNAPSHOT) == before


async def test_a_version_1_store_file_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as conn:
        await migrations.migrate(conn, target=1)
        v1 = migrations.V1_METADATA.tables
        await conn.execute(insert(v1["users"]).values(id=7, username="legacy", display_name="Legacy User",
                                                      extension="333", enabled=True))
        await conn.execute(insert(v1["groups"]).values(id=3, name="Old Group", extension="633"))
        await conn.execute(insert(v1["group_members"]).values(group_id=3, user_id=7, position=0))
        await conn.execute(insert(v1["trunks"]).values(id=2, name="Old Carrier", host="sip.old.example.net",
                                                       port=5060, password="kept-secret", enabled=True))
    await engine.dispose()

    config = Config(backends=(local("office", path, demo=False),))
    async with GraphQLTestClient.running(config) as client:
        data = await client.data('{ users { nodes { username email extension groups { name } } } }')
        assert data["users"]["nodes"] == [{"username": "legacy", "email": None, "extension": "333",
                                           "groups": [{"name": "Old Group"}]}]
        # Trunks were rebuilt with a SIP kind and an empty domain; the old address stays the host.
        trunks = await client.data('{ trunks { nodes { name host port domain kind model } } '
                                   'groups { nodes { name displayName } } }')
        assert trunks["trunks"]["nodes"] == [{"name": "Old Carrier", "host": "sip.old.example.net", "port": 5060,
                                              "domain": None, "kind": "SIP", "model": None}]
        assert trunks["groups"]["nodes"] == [{"name": "Old Group", "displayName": None}]
        # The upgrade filled the shared number registry from the old rows.
        body = await client.execute('mutation { createQueue(backend: "office", input: {name: "Q", extension: "633"})'
                                    ' { id } }')
        assert error_codes(body) == ["CONFLICT"]
        data = await client.data('mutation { updateUser(id: "%s", input: {email: "legacy@example.com"}) { email } }'
                                 % data_id(await client.data("{ users { nodes { id } } }")))
        assert data["updateUser"]["email"] == "legacy@example.com"
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.connect() as conn:
        assert await migrations.current_version(conn) == migrations.LATEST
    await engine.dispose()


def data_id(data: dict) -> str:
    return data["users"]["nodes"][0]["id"]
