"""Every mutation through the GraphQL surface; partial updates; validation first."""

from __future__ import annotations

from typing import Any

import pytest

from pbxgraph.domain import Kind
from pbxgraph.ids import encode_id
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.core.conftest import Env


def gid(kind: Kind, native: str, backend: str = "east") -> str:
    return encode_id(kind, backend, native)


async def create_user(client: GraphQLTestClient, username: str, extension: str, backend: str = "east") -> dict:
    data = await client.data(
        "mutation($b: String!, $i: CreateUserInput!) { createUser(backend: $b, input: $i) "
        "{ id backend nativeId username displayName extension email enabled raw } }",
        {
            "b": backend,
            "i": {
                "username": username,
                "displayName": username.title(),
                "extension": extension,
                "email": f"{username}@example.com",
                "sipPassword": "Very-Secret-42",
            },
        },
    )
    return data["createUser"]


async def test_user_create_update_delete_round_trip(client: GraphQLTestClient) -> None:
    user = await create_user(client, "new.person", "260")
    assert user["backend"] == "east" and user["extension"] == "260" and user["enabled"] is True
    assert "Very-Secret-42" not in str(user)

    update = (
        "mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) "
        "{ username displayName extension email enabled } }"
    )
    data = await client.data(update, {"id": user["id"], "i": {"displayName": "New Person"}})
    assert data["updateUser"] == {
        "username": "new.person",
        "displayName": "New Person",
        "extension": "260",
        "email": "new.person@example.com",
        "enabled": True,
    }
    data = await client.data(update, {"id": user["id"], "i": {"email": None, "enabled": False}})
    assert data["updateUser"]["email"] is None and data["updateUser"]["enabled"] is False
    assert data["updateUser"]["displayName"] == "New Person"  # left out, left alone

    deleted = await client.data("mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": user["id"]})
    assert deleted["deleteUser"]["deletedId"] == user["id"]
    assert (await client.data("query($id: ID!) { node(id: $id) { id } }", {"id": user["id"]}))["node"] is None
    again = await client.execute("mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": user["id"]})
    assert error_codes(again) == ["NOT_FOUND"] and again["errors"][0]["extensions"]["backend"] == "east"


async def test_update_cannot_null_a_required_field_or_be_empty(client: GraphQLTestClient) -> None:
    update = "mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }"
    body = await client.execute(update, {"id": gid(Kind.USER, "1"), "i": {"username": None}})
    assert error_codes(body) == ["BAD_USER_INPUT"] and body["errors"][0]["extensions"]["field"] == "input.username"
    body = await client.execute(update, {"id": gid(Kind.USER, "1"), "i": {}})
    assert error_codes(body) == ["BAD_USER_INPUT"] and body["errors"][0]["extensions"]["field"] == "input"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("extension", "12a"),
        ("extension", "1"),
        ("email", "nope"),
        ("username", "bad name!"),
    ],
)
async def test_invalid_user_input_names_the_field_and_calls_no_backend(env: Env, field: str, value: str) -> None:
    env.reset_calls()
    body = await env.client.execute(
        'mutation($i: CreateUserInput!) { createUser(backend: "east", input: $i) { id } }',
        {"i": {"username": "valid.name", field: value}},
    )
    camel = {"extension": "extension", "email": "email", "username": "username"}[field]
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == f"input.{camel}"
    assert value in body["errors"][0]["message"]
    assert env.spies["east"].total_calls == 0


async def test_group_crud_and_membership(client: GraphQLTestClient) -> None:
    a = await create_user(client, "member.a", "261")
    b = await create_user(client, "member.b", "262")
    data = await client.data(
        'mutation($i: CreateGroupInput!) { createGroup(backend: "east", input: $i) '
        "{ id name extension strategy members { user { username } } } }",
        {"i": {"name": "Night Shift", "extension": "660", "strategy": "SEQUENTIAL", "memberIds": [a["id"]]}},
    )
    group = data["createGroup"]
    assert group["strategy"] == "SEQUENTIAL" and [m["user"]["username"] for m in group["members"]] == ["member.a"]

    add = (
        "mutation($g: ID!, $u: [ID!]!) { addGroupMembers(groupId: $g, userIds: $u) "
        "{ members { position user { username } } } }"
    )
    data = await client.data(add, {"g": group["id"], "u": [b["id"], a["id"]]})
    assert [(m["position"], m["user"]["username"]) for m in data["addGroupMembers"]["members"]] == [
        (0, "member.a"),
        (1, "member.b"),
    ]

    remove = (
        "mutation($g: ID!, $u: [ID!]!) { removeGroupMembers(groupId: $g, userIds: $u) "
        "{ members { user { username } } } }"
    )
    data = await client.data(remove, {"g": group["id"], "u": [a["id"]]})
    assert [m["user"]["username"] for m in data["removeGroupMembers"]["members"]] == ["member.b"]
    body = await client.execute(remove, {"g": group["id"], "u": [a["id"]]})
    assert error_codes(body) == ["NOT_FOUND"]

    data = await client.data(
        'mutation($id: ID!) { updateGroup(id: $id, input: {description: "Nights"}) { name extension description } }',
        {"id": group["id"]},
    )
    assert data["updateGroup"] == {"name": "Night Shift", "extension": "660", "description": "Nights"}
    await client.data("mutation($id: ID!) { deleteGroup(id: $id) { deletedId } }", {"id": group["id"]})
    user = await client.data("query($id: ID!) { node(id: $id) { ... on User { groups { name } } } }", {"id": b["id"]})
    assert user["node"]["groups"] == []


async def test_members_must_live_on_the_groups_backend(client: GraphQLTestClient) -> None:
    body = await client.execute(
        "mutation($g: ID!, $u: [ID!]!) { addGroupMembers(groupId: $g, userIds: $u) { id } }",
        {"g": gid(Kind.GROUP, "1"), "u": [gid(Kind.USER, "1", "west")]},
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "userIds[0]"
    assert "west" in body["errors"][0]["message"]


async def test_queue_crud_and_member_order(client: GraphQLTestClient) -> None:
    users = [await create_user(client, f"agent.{n}", f"27{n}") for n in range(3)]
    members = [
        {"id": users[2]["id"], "priority": 1},
        {"id": gid(Kind.GROUP, "2")},
        {"id": users[0]["id"], "priority": 5},
    ]
    data = await client.data(
        'mutation($i: CreateQueueInput!) { createQueue(backend: "east", input: $i) { id name strategy '
        "members { position priority member { ... on User { username } ... on Group { name } } } } }",
        {"i": {"name": "Overflow", "extension": "770", "strategy": "LONGEST_IDLE", "members": members}},
    )
    queue = data["createQueue"]
    assert [(m["position"], m["priority"]) for m in queue["members"]] == [(0, 1), (1, None), (2, 5)]
    assert queue["members"][1]["member"] == {"name": "Support"}

    reorder = (
        "mutation($q: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $q, members: $m) "
        "{ members { position member { ... on User { username } ... on Group { name } } } } }"
    )
    data = await client.data(reorder, {"q": queue["id"], "m": [{"id": users[0]["id"]}, {"id": users[1]["id"]}]})
    assert [m["member"]["username"] for m in data["setQueueMembers"]["members"]] == ["agent.0", "agent.1"]
    body = await client.execute(reorder, {"q": queue["id"], "m": [{"id": gid(Kind.TRUNK, "1")}]})
    assert error_codes(body) == ["BAD_USER_INPUT"] and body["errors"][0]["extensions"]["field"] == "members[0].id"
    body = await client.execute(reorder, {"q": queue["id"], "m": [{"id": users[0]["id"], "priority": -1}]})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "members[0].priority"

    data = await client.data(
        "mutation($id: ID!) { updateQueue(id: $id, input: {strategy: null}) { name strategy } }", {"id": queue["id"]}
    )
    assert data["updateQueue"] == {"name": "Overflow", "strategy": None}
    await client.data("mutation($id: ID!) { deleteQueue(id: $id) { deletedId } }", {"id": queue["id"]})


async def test_trunk_crud_keeps_the_password_write_only(client: GraphQLTestClient) -> None:
    data = await client.data(
        'mutation($i: CreateTrunkInput!) { createTrunk(backend: "west", input: $i) '
        "{ id name host port transport username enabled register raw } }",
        {
            "i": {
                "name": "Carrier Three",
                "host": "sip.three.example.org",
                "port": 5061,
                "transport": "TLS",
                "username": "acct-3",
                "password": "Trunk-Secret-77",
                "register": True,
            }
        },
    )
    trunk = data["createTrunk"]
    assert trunk["transport"] == "TLS" and trunk["port"] == 5061 and "Trunk-Secret-77" not in str(trunk)
    data = await client.data(
        'mutation($id: ID!) { updateTrunk(id: $id, input: {port: null, password: "Other-1"}) { host port username } }',
        {"id": trunk["id"]},
    )
    assert data["updateTrunk"] == {"host": "sip.three.example.org", "port": None, "username": "acct-3"}
    body = await client.execute(
        'mutation { createTrunk(backend: "west", input: {name: "x", host: "bad host!", port: 70000}) { id } }'
    )
    # every problem of the input at once, one error each
    assert error_codes(body) == ["BAD_USER_INPUT", "BAD_USER_INPUT"]
    assert [e["extensions"]["field"] for e in body["errors"]] == ["input.host", "input.port"]
    await client.data("mutation($id: ID!) { deleteTrunk(id: $id) { deletedId } }", {"id": trunk["id"]})


async def test_device_crud_assignment_and_actions(client: GraphQLTestClient) -> None:
    user = await create_user(client, "phone.owner", "280")
    data = await client.data(
        'mutation($i: CreateDeviceInput!) { createDevice(backend: "east", input: $i) { id mac model user { username } } }',
        {"i": {"mac": "00-04-F2-AA-BB-01", "model": "VVX 450", "userId": user["id"]}},
    )
    device = data["createDevice"]
    assert device["mac"] == "00:04:f2:aa:bb:01" and device["user"] == {"username": "phone.owner"}

    data = await client.data(
        "mutation($d: ID!) { unassignDevice(deviceId: $d) { user { username } } }", {"d": device["id"]}
    )
    assert data["unassignDevice"]["user"] is None
    data = await client.data(
        "mutation($d: ID!, $u: ID!) { assignDevice(deviceId: $d, userId: $u) { user { username } } }",
        {"d": device["id"], "u": user["id"]},
    )
    assert data["assignDevice"]["user"] == {"username": "phone.owner"}
    owned = await client.data(
        "query($id: ID!) { node(id: $id) { ... on User { devices { mac } } } }", {"id": user["id"]}
    )
    assert owned["node"]["devices"] == [{"mac": "00:04:f2:aa:bb:01"}]

    data = await client.data(
        'mutation($id: ID!) { updateDevice(id: $id, input: {name: "Lobby"}) { name model } }', {"id": device["id"]}
    )
    assert data["updateDevice"] == {"name": "Lobby", "model": "VVX 450"}
    body = await client.execute("mutation($id: ID!) { resyncDevice(id: $id) { action } }", {"id": device["id"]})
    assert error_codes(body) == ["NOT_SUPPORTED"] and body["errors"][0]["extensions"]["backend"] == "east"
    duplicate = await client.execute(
        'mutation { createDevice(backend: "east", input: {mac: "00:04:f2:aa:bb:01"}) { id } }'
    )
    assert error_codes(duplicate) == ["CONFLICT"] and duplicate["errors"][0]["extensions"]["field"] == "input.mac"
    await client.data("mutation($id: ID!) { deleteDevice(id: $id) { deletedId } }", {"id": device["id"]})


async def test_ids_of_the_wrong_kind_or_unknown_backend_never_reach_a_connector(env: Env) -> None:
    env.reset_calls()
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": gid(Kind.GROUP, "1")}, "id"),
        ("mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": gid(Kind.USER, "1", "nowhere")}, "id"),
        ("mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": "%%%"}, "id"),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": gid(Kind.USER, "1", "nowhere")}, "id"),
        ('mutation { createUser(backend: "nowhere", input: {username: "a.b"}) { id } }', {}, "backend"),
    ]
    for query, variables, field in cases:
        body = await env.client.execute(query, variables)
        assert error_codes(body) == ["BAD_USER_INPUT"], body
        assert body["errors"][0]["extensions"]["field"] == field
    assert sum(spy.total_calls for spy in env.spies.values()) == 0


async def test_display_names_trunk_domains_and_kinds_round_trip_on_the_local_store(client: GraphQLTestClient) -> None:
    group = await client.data(
        'mutation { createGroup(backend: "east", input: {name: "sales", '
        'displayName: "Sales Dept", description: "Inbound sales"}) '
        "{ id name displayName description } }"
    )
    assert group["createGroup"]["displayName"] == "Sales Dept"
    assert group["createGroup"]["description"] == "Inbound sales"
    queue = await client.data(
        'mutation { createQueue(backend: "east", input: {name: "support", '
        'displayName: "Support Line"}) { id displayName } }'
    )
    changed = await client.data(
        "mutation($id: ID!) { updateQueue(id: $id, input: {displayName: null}) { name displayName } }",
        {"id": queue["createQueue"]["id"]},
    )
    assert changed["updateQueue"] == {"name": "support", "displayName": None}

    trunk = await client.data(
        'mutation { createTrunk(backend: "east", input: {name: "By Domain", '
        'domain: "voip.example.org"}) { id domain host port kind model registration { status } } }'
    )
    assert trunk["createTrunk"] | {"id": None} == {
        "id": None,
        "domain": "voip.example.org",
        "host": None,
        "port": None,
        "kind": "SIP",
        "model": None,
        "registration": None,
    }
    pri = await client.data(
        'mutation { createTrunk(backend: "east", input: {name: "ISDN", host: "10.0.0.9", '
        'kind: PRI, model: "E1 gateway"}) { kind model domain } }'
    )
    assert pri["createTrunk"] == {"kind": "PRI", "model": "E1 gateway", "domain": None}
    moved = await client.data(
        'mutation($id: ID!) { updateTrunk(id: $id, input: {domain: "sip.example.com", '
        'host: "proxy.example.com", port: 5080}) { domain host port } }',
        {"id": trunk["createTrunk"]["id"]},
    )
    assert moved["updateTrunk"] == {"domain": "sip.example.com", "host": "proxy.example.com", "port": 5080}


async def test_a_trunk_needs_a_domain_or_a_host(client: GraphQLTestClient) -> None:
    body = await client.execute('mutation { createTrunk(backend: "east", input: {name: "Nowhere"}) { id } }')
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "input.domain"
    body = await client.execute(
        'mutation { createTrunk(backend: "east", input: {name: "Bad", domain: "not a domain"}) { id } }'
    )
    assert body["errors"][0]["extensions"]["field"] == "input.domain"
