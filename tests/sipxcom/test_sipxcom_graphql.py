"""sipXcom through the GraphQL surface: the real app, the connector, the emulator over loopback HTTP."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from pbxgraph.config import BackendConfig, Config
from pbxgraph.demo import DemoEnvironment
from pbxgraph.domain import Kind
from pbxgraph.emulators.sipxcom import DEMO_PASSWORD, DEMO_USERNAME, SipxState, demo_backend
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind
from pbxgraph.ids import encode_id
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes

REST = "/sipxconfig/rest"
API = "/sipxconfig/api"


def sipx(url: str, name: str = "sipx", **options: Any) -> BackendConfig:
    timeout_s = options.pop("timeout_s", 5.0)
    base = {k: v for k, v in demo_backend(url).items() if k != "vendor"}
    return BackendConfig(name=name, vendor="sipxcom", timeout_s=timeout_s, options={**base, **options})


OFFICE = BackendConfig(name="office", vendor="local", options={"path": ":memory:", "demo": True})


@pytest.fixture
async def client(emulator: Emulator[SipxState], url: str) -> AsyncIterator[GraphQLTestClient]:
    """One sipXcom backend, ``sipx``, speaking ``/rest`` in XML (its default)."""
    async with GraphQLTestClient.running(Config(backends=(sipx(url),))) as client:
        emulator.recorder.clear()
        yield client


@pytest.fixture(params=["xml", "json"])
async def either(
    request: pytest.FixtureRequest, emulator: Emulator[SipxState], url: str
) -> AsyncIterator[GraphQLTestClient]:
    """The same, speaking ``/rest`` in XML, then in JSON."""
    async with GraphQLTestClient.running(Config(backends=(sipx(url, format=request.param),))) as client:
        emulator.recorder.clear()
        yield client


@pytest.fixture
async def mixed(emulator: Emulator[SipxState], url: str) -> AsyncIterator[GraphQLTestClient]:
    """The local store beside the sipXcom backend (which gives up after 0.3 s)."""
    async with GraphQLTestClient.running(Config(backends=(OFFICE, sipx(url, timeout_s=0.3)))) as client:
        emulator.recorder.clear()
        yield client


def gid(kind: Kind, native: str, backend: str = "sipx") -> str:
    return encode_id(kind, backend, native)


def paths(emulator: Emulator[SipxState]) -> list[str]:
    return [f"{r.method} {r.path}" for r in emulator.recorder.requests]


async def all_pages(client: GraphQLTestClient, field: str, args: str = "", first: int = 2) -> list[str]:
    seen: list[str] = []
    after: str | None = None
    while True:
        query = (
            f"query($after: String) {{ {field}(first: {first}, after: $after {args}) "
            "{ pageInfo { hasNextPage endCursor } nodes { id } } }"
        )
        page = (await client.data(query, {"after": after}))[field]
        assert len(page["nodes"]) <= first
        seen += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


# --- reading ----------------------------------------------------------------------------


async def test_backend_shows_sipxcom_capabilities_and_health(client: GraphQLTestClient) -> None:
    (backend,) = (await client.data("{ backends { name vendor capabilities { kind operations } health { status } } }"))[
        "backends"
    ]
    assert (backend["name"], backend["vendor"], backend["health"]["status"]) == ("sipx", "sipxcom", "UP")
    kinds = {c["kind"]: set(c["operations"]) for c in backend["capabilities"]}
    assert set(kinds) == {"USER", "GROUP", "QUEUE", "TRUNK", "DEVICE"}
    assert "REGISTRATION" in kinds["USER"] and "MEMBERS" in kinds["GROUP"] and "MEMBERS" in kinds["QUEUE"]
    assert {"ASSIGN", "RESYNC", "RESTART"} <= kinds["DEVICE"]


@pytest.mark.parametrize(
    ("field", "count"), [("users", 5), ("groups", 3), ("queues", 2), ("trunks", 4), ("devices", 3)]
)
async def test_lists(either: GraphQLTestClient, field: str, count: int) -> None:
    data = await either.data(f"{{ {field}(first: 100) {{ totalCount nodes {{ id backend nativeId raw }} }} }}")
    nodes = data[field]["nodes"]
    assert data[field]["totalCount"] == count == len(nodes) == len({n["id"] for n in nodes})
    assert {n["backend"] for n in nodes} == {"sipx"}
    assert all(str(n["raw"]["id"]) == n["nativeId"] for n in nodes)


async def test_user_fields_relations_and_registration(either: GraphQLTestClient) -> None:
    data = await either.data(
        '{ users(filter: {extension: "201"}) { nodes { username displayName extension email '
        "enabled registration raw groups { name } devices { mac model name } } } }"
    )
    (bob,) = data["users"]["nodes"]
    assert (bob["username"], bob["displayName"], bob["email"]) == ("201", "Bob Jones", "bob@example.com")
    assert bob["enabled"] is True and bob["registration"] == "OFFLINE"  # only an expired registration
    assert [g["name"] for g in bob["groups"]] == ["sales", "support"]
    assert bob["devices"] == [{"mac": "80:5e:c0:a1:b2:c3", "model": "Yealink SIP-T46S", "name": "Bob desk"}]
    assert bob["raw"]["aliases"] == ["bob"] and bob["raw"]["branch"]["name"] == "whitehouse"
    assert "pin" not in bob["raw"] and "sipPassword" not in bob["raw"]
    online = await either.data('{ users(filter: {search: "alice"}) { nodes { registration } } }')
    assert online["users"]["nodes"] == [{"registration": "ONLINE"}]


async def test_filters(client: GraphQLTestClient) -> None:
    data = await client.data(
        '{ users(filter: {search: "WHITE"}) { nodes { username } } '
        'groups(filter: {search: "sup"}) { nodes { name } } '
        'trunks(filter: {search: "siptrunk"}) { nodes { name username } } '
        'devices(filter: {mac: "0004.f280.cc95"}) { nodes { name user { username } } } }'
    )
    assert data["users"]["nodes"] == [{"username": "202"}]
    assert data["groups"]["nodes"] == [{"name": "support"}]
    assert data["trunks"]["nodes"] == [{"name": "my_siptrunk", "username": "5568"}]
    assert data["devices"]["nodes"] == [{"name": "Alice desk", "user": {"username": "200"}}]


@pytest.mark.parametrize("field", ["users", "groups", "devices"])
@pytest.mark.parametrize("order", ["", ", orderBy: {field: EXTENSION, direction: DESC}"])
async def test_paging_with_a_small_first_loses_and_repeats_nothing(
    client: GraphQLTestClient, field: str, order: str
) -> None:
    everything = [
        n["id"] for n in (await client.data(f"{{ {field}(first: 100 {order}) {{ nodes {{ id }} }} }}"))[field]["nodes"]
    ]
    paged = await all_pages(client, field, order)
    assert paged == everything and len(set(paged)) == len(paged)


async def test_exact_vendor_requests_for_users_and_their_groups(
    either: GraphQLTestClient, emulator: Emulator[SipxState]
) -> None:
    data = await either.data("{ users(first: 50) { nodes { username groups { name } } } }")
    assert [u["groups"] for u in data["users"]["nodes"]][:2] == [
        [{"name": "sales"}],
        [{"name": "sales"}, {"name": "support"}],
    ]
    # the user listing alone: its users carry their groups, and no registration is asked for
    assert sorted(paths(emulator)) == [f"GET {REST}/user"]
    assert [dict(r.params).get("ids") for r in emulator.recorder.requests if r.path == f"{REST}/user"] == [None]


async def test_exact_vendor_requests_for_devices_and_their_user(
    either: GraphQLTestClient, emulator: Emulator[SipxState]
) -> None:
    data = await either.data("{ devices(first: 50) { nodes { name user { username registration } } } }")
    assert [(d["name"], d["user"]) for d in data["devices"]["nodes"]] == [
        ("Alice desk", {"username": "200", "registration": "ONLINE"}),
        ("Bob desk", {"username": "201", "registration": "OFFLINE"}),
        ("Lobby phone", None),
    ]
    # the phone list (no phone's registration asked for); then for the owners: every user (the lines
    # the listing showed name their users by name), the owners' registrations
    assert sorted(paths(emulator)) == sorted([f"GET {API}/phones", f"GET {REST}/user", f"GET {API}/registrations"])


async def test_directory_finds_sipxcom_extensions(client: GraphQLTestClient) -> None:
    data = await client.data(
        '{ directory(number: "202") { entries { backend kind owner { ... on User { username } } } } }'
    )
    assert data["directory"]["entries"] == [{"backend": "sipx", "kind": "USER", "owner": {"username": "202"}}]


# --- writing -----------------------------------------------------------------------------


CREATE_USER = """mutation($input: CreateUserInput!) { createUser(backend: "sipx", input: $input) {
  id nativeId username displayName extension email registration raw } }"""
UPDATE_USER = """mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) {
  username displayName extension email groups { name } } }"""


async def test_create_user_keeps_the_sip_password_write_only(
    client: GraphQLTestClient, emulator: Emulator[SipxState]
) -> None:
    body = await client.execute(
        CREATE_USER,
        {
            "input": {
                "username": "jane.doe",
                "displayName": "Jane Doe",
                "extension": "250",
                "email": "jane@example.com",
                "sipPassword": "Jane-SIP-Secret-77",
            }
        },
    )
    assert "errors" not in body and "Jane-SIP-Secret-77" not in str(body)
    user = body["data"]["createUser"]
    assert (user["username"], user["displayName"], user["extension"]) == ("jane.doe", "Jane Doe", "250")
    assert user["registration"] == "OFFLINE"
    assert emulator.state.users[int(user["nativeId"])].sip_password == "Jane-SIP-Secret-77"
    (put,) = [r for r in emulator.recorder.requests if r.method == "PUT"]
    assert put.path == f"{REST}/user"  # a PUT to the collection creates
    again = await client.data(
        "query($id: ID!) { node(id: $id) { ... on User { username email } } }", {"id": user["id"]}
    )
    assert again["node"] == {"username": "jane.doe", "email": "jane@example.com"}


async def test_update_of_one_field_keeps_the_users_groups(
    either: GraphQLTestClient, emulator: Emulator[SipxState]
) -> None:
    data = await either.data(UPDATE_USER, {"id": gid(Kind.USER, "2"), "input": {"displayName": "Robert Jones"}})
    assert data["updateUser"] == {
        "username": "201",
        "displayName": "Robert Jones",
        "extension": "201",
        "email": "bob@example.com",
        "groups": [{"name": "sales"}, {"name": "support"}],
    }
    assert emulator.state.users[2].group_ids == [1, 2] and emulator.state.users[2].aliases == ["bob"]
    data = await either.data(UPDATE_USER, {"id": gid(Kind.USER, "2"), "input": {"email": None}})
    assert data["updateUser"]["email"] is None and data["updateUser"]["displayName"] == "Robert Jones"


async def test_delete_user_then_it_is_gone(client: GraphQLTestClient, emulator: Emulator[SipxState]) -> None:
    user = gid(Kind.USER, "5")
    data = await client.data("mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": user})
    assert data["deleteUser"]["deletedId"] == user and 5 not in emulator.state.users
    assert await client.execute("query($id: ID!) { node(id: $id) { id } }", {"id": user}) == {"data": {"node": None}}
    body = await client.execute("mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": user})
    assert error_codes(body) == ["NOT_FOUND"] and body["errors"][0]["extensions"]["backend"] == "sipx"
    assert body["errors"][0]["extensions"]["vendor"]["code"] == "ERROR_OBJECT_NOT_FOUND"


async def test_group_create_update_membership_and_delete(
    client: GraphQLTestClient, emulator: Emulator[SipxState]
) -> None:
    created = await client.data(
        'mutation($m: [ID!]!) { createGroup(backend: "sipx", input: {name: "night", description: "Night shift", '
        "memberIds: $m}) { id name description extension strategy members { position user { username } } } }",
        {"m": [gid(Kind.USER, "4"), gid(Kind.USER, "1")]},
    )
    group = created["createGroup"]
    assert (group["name"], group["description"], group["extension"], group["strategy"]) == (
        "night",
        "Night shift",
        None,
        None,
    )
    # sipXcom keeps no member order: members come in user order.
    assert [m["user"]["username"] for m in group["members"]] == ["200", "203"]

    added = await client.data(
        "mutation($g: ID!, $u: [ID!]!) { addGroupMembers(groupId: $g, userIds: $u) "
        "{ members { position user { username groups { name } } } } }",
        {"g": group["id"], "u": [gid(Kind.USER, "2")]},
    )
    members = added["addGroupMembers"]["members"]
    assert [(m["position"], m["user"]["username"]) for m in members] == [(0, "200"), (1, "201"), (2, "203")]
    assert [g["name"] for g in members[1]["user"]["groups"]] == ["sales", "support", "night"]

    removed = await client.data(
        "mutation($g: ID!, $u: [ID!]!) { removeGroupMembers(groupId: $g, userIds: $u) "
        "{ members { user { username } } } }",
        {"g": group["id"], "u": [gid(Kind.USER, "1")]},
    )
    assert [m["user"]["username"] for m in removed["removeGroupMembers"]["members"]] == ["201", "203"]
    assert emulator.state.users[1].group_ids == [1]  # alice keeps her other group
    body = await client.execute(
        "mutation($g: ID!, $u: [ID!]!) { removeGroupMembers(groupId: $g, userIds: $u) { id } }",
        {"g": group["id"], "u": [gid(Kind.USER, "1")]},
    )
    assert error_codes(body) == ["NOT_FOUND"]

    updated = await client.data(
        'mutation($id: ID!) { updateGroup(id: $id, input: {name: "late"}) { name description } }', {"id": group["id"]}
    )
    assert updated["updateGroup"] == {"name": "late", "description": "Night shift"}
    deleted = await client.data("mutation($id: ID!) { deleteGroup(id: $id) { deletedId } }", {"id": group["id"]})
    assert deleted["deleteGroup"]["deletedId"] == group["id"]
    assert emulator.state.users[2].group_ids == [1, 2]


async def test_group_extension_is_refused_before_any_call(
    client: GraphQLTestClient, emulator: Emulator[SipxState]
) -> None:
    body = await client.execute(
        'mutation { createGroup(backend: "sipx", input: {name: "ring", extension: "6100"}) { id } }'
    )
    assert error_codes(body) == ["NOT_SUPPORTED"] and body["errors"][0]["extensions"]["field"] == "input.extension"
    assert body["errors"][0]["extensions"]["backend"] == "sipx"
    assert emulator.recorder.count() == 0


async def test_device_assignment_through_lines_and_actions(
    client: GraphQLTestClient, emulator: Emulator[SipxState]
) -> None:
    created = await client.data(
        'mutation($u: ID!) { createDevice(backend: "sipx", input: {mac: "00-04-f2-12-34-56", model: "Polycom VVX 450",'
        ' name: "Kitchen", userId: $u}) { id mac model name user { username } raw } }',
        {"u": gid(Kind.USER, "3")},
    )
    device = created["createDevice"]
    assert (device["mac"], device["model"], device["user"]) == (
        "00:04:f2:12:34:56",
        "Polycom VVX 450",
        {"username": "202"},
    )
    assert "password" not in device["raw"]["lines"][0]

    lobby = gid(Kind.DEVICE, "3")
    moved = await client.data(
        "mutation($d: ID!, $u: ID!) { assignDevice(deviceId: $d, userId: $u) { user { username devices { name } } } }",
        {"d": lobby, "u": gid(Kind.USER, "4")},
    )
    assert moved["assignDevice"]["user"] == {"username": "203", "devices": [{"name": "Lobby phone"}]}
    assert [line.user_id for line in emulator.state.phones[3].lines] == [4]
    body = await client.execute(
        "mutation($d: ID!, $u: ID!) { assignDevice(deviceId: $d, userId: $u) { id } }",
        {"d": lobby, "u": gid(Kind.USER, "5")},
    )
    assert error_codes(body) == ["CONFLICT"]
    freed = await client.data("mutation($d: ID!) { unassignDevice(deviceId: $d) { user { username } } }", {"d": lobby})
    assert freed["unassignDevice"]["user"] is None and emulator.state.phones[3].lines == []

    for mutation in ("resyncDevice", "restartDevice"):
        data = await client.data(
            f"mutation($d: ID!) {{ {mutation}(id: $d) {{ action device {{ name }} }} }}", {"d": device["id"]}
        )
        assert data[mutation]["device"]["name"] == "Kitchen"
    phone = emulator.state.phones[int(device["raw"]["id"])]
    assert (phone.profiles_sent, phone.restarts) == (2, 1)
    renamed = await client.data(
        'mutation($d: ID!) { updateDevice(id: $d, input: {name: "Kitchen 2"}) { name mac user { username } } }',
        {"d": device["id"]},
    )
    assert renamed["updateDevice"] == {"name": "Kitchen 2", "mac": "00:04:f2:12:34:56", "user": {"username": "202"}}
    deleted = await client.data("mutation($d: ID!) { deleteDevice(id: $d) { deletedId } }", {"d": device["id"]})
    assert deleted["deleteDevice"]["deletedId"] == device["id"]


async def test_trunk_create_update_delete(client: GraphQLTestClient, emulator: Emulator[SipxState]) -> None:
    body = await client.execute(
        'mutation { createTrunk(backend: "sipx", input: {name: "carrier", host: "sip.carrier.example.net", '
        'port: 5080, transport: TLS, username: "acct-1", password: "Carrier-Secret-1", register: true}) '
        "{ id name host port transport username register enabled raw } }"
    )
    assert "errors" not in body and "Carrier-Secret-1" not in str(body)
    trunk = body["data"]["createTrunk"]
    assert (trunk["host"], trunk["port"], trunk["transport"], trunk["username"], trunk["register"]) == (
        "sip.carrier.example.net",
        5080,
        "TLS",
        "acct-1",
        True,
    )
    native = int(trunk["raw"]["id"])
    assert emulator.state.gateways[native].settings["itsp-account/password"].value == "Carrier-Secret-1"
    data = await client.data(
        "mutation($id: ID!) { updateTrunk(id: $id, input: {enabled: false, "
        'password: "Carrier-Secret-2"}) { enabled host port username } }',
        {"id": trunk["id"]},
    )
    assert data["updateTrunk"] == {
        "enabled": False,
        "host": "sip.carrier.example.net",
        "port": 5080,
        "username": "acct-1",
    }
    assert emulator.state.gateways[native].settings["itsp-account/password"].value == "Carrier-Secret-2"
    data = await client.data("mutation($id: ID!) { deleteTrunk(id: $id) { deletedId } }", {"id": trunk["id"]})
    assert native not in emulator.state.gateways


# --- errors --------------------------------------------------------------------------------


QUEUE_FIELDS = (
    "id name displayName extension strategy description members { position priority settings "
    "member { ... on User { username } } }"
)


async def test_hunt_groups_are_queues_with_ordered_members(
    either: GraphQLTestClient, emulator: Emulator[SipxState]
) -> None:
    data = await either.data(f"{{ queues {{ nodes {{ {QUEUE_FIELDS} }} }} }}")
    helpdesk, sales = data["queues"]["nodes"]
    assert (sales["name"], sales["extension"], sales["strategy"], sales["displayName"]) == (
        "sales-hunt",
        "600",
        "SEQUENTIAL",
        None,
    )
    assert [(m["position"], m["member"]["username"], m["priority"]) for m in sales["members"]] == [
        (0, "201", None),
        (1, "200", None),
    ]
    assert sales["members"][1]["settings"] == {
        "userName": "200",
        "typeStr": "If no response",
        "enabled": True,
        "expiration": 20,
    }
    assert (helpdesk["strategy"], [m["member"]["username"] for m in helpdesk["members"]]) == (
        "ALL",
        ["202", "201", "204"],
    )
    raw = await either.data("{ queues { nodes { raw } } }")
    assert all("sipPassword" not in q["raw"] for q in raw["queues"]["nodes"])
    by_number = await either.data('{ queues(filter: {extension: "601"}) { nodes { name } } }')
    assert by_number["queues"]["nodes"] == [{"name": "helpdesk"}]


async def test_queue_create_update_members_and_delete(client: GraphQLTestClient, emulator: Emulator[SipxState]) -> None:
    created = await client.data(
        'mutation($m: [QueueMemberInput!]!) { createQueue(backend: "sipx", input: {name: "night-hunt", '
        f'extension: "650", strategy: ALL, description: "After hours", members: $m}}) {{ {QUEUE_FIELDS} }} }}',
        {"m": [{"id": gid(Kind.USER, "4")}, {"id": gid(Kind.USER, "1")}]},
    )
    queue = created["createQueue"]
    assert (queue["name"], queue["extension"], queue["strategy"], queue["description"]) == (
        "night-hunt",
        "650",
        "ALL",
        "After hours",
    )
    assert [m["member"]["username"] for m in queue["members"]] == ["203", "200"]
    hunt = emulator.state.hunt_group_by_extension("650")
    assert hunt is not None and [(r.user_id, r.type, r.enabled) for r in hunt.rings] == [
        (4, "At the same time", True),
        (1, "At the same time", True),
    ]

    reordered = await client.data(
        "mutation($q: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $q, members: $m) "
        "{ members { position member { ... on User { username } } } } }",
        {
            "q": queue["id"],
            "m": [{"id": gid(Kind.USER, "1")}, {"id": gid(Kind.USER, "3")}, {"id": gid(Kind.USER, "4")}],
        },
    )
    assert [m["member"]["username"] for m in reordered["setQueueMembers"]["members"]] == ["200", "202", "203"]
    updated = await client.data(
        'mutation($q: ID!) { updateQueue(id: $q, input: {extension: "651", strategy: SEQUENTIAL}) '
        "{ extension strategy members { member { ... on User { username } } } } }",
        {"q": queue["id"]},
    )
    assert updated["updateQueue"]["extension"] == "651" and updated["updateQueue"]["strategy"] == "SEQUENTIAL"
    assert len(updated["updateQueue"]["members"]) == 3  # the members stay through an update
    again = await client.data("query($q: ID!) { node(id: $q) { ... on Queue { extension } } }", {"q": queue["id"]})
    assert again["node"] == {"extension": "651"}  # the global id holds when the extension changes
    deleted = await client.data("mutation($q: ID!) { deleteQueue(id: $q) { deletedId } }", {"q": queue["id"]})
    assert deleted["deleteQueue"]["deletedId"] == queue["id"]
    assert emulator.state.hunt_group_by_extension("651") is None


@pytest.mark.parametrize(
    ("mutation", "field", "code"),
    [
        ('createQueue(backend: "sipx", input: {name: "q"}) { id }', "input.extension", "BAD_USER_INPUT"),
        (
            'createQueue(backend: "sipx", input: {name: "q", extension: "652", strategy: RANDOM}) { id }',
            "input.strategy",
            "NOT_SUPPORTED",
        ),
        (
            'createQueue(backend: "sipx", input: {name: "q", extension: "652", displayName: "Q"}) { id }',
            "input.displayName",
            "NOT_SUPPORTED",
        ),
    ],
)
async def test_queue_rules_refuse_before_any_call(
    client: GraphQLTestClient, emulator: Emulator[SipxState], mutation: str, field: str, code: str
) -> None:
    body = await client.execute(f"mutation {{ {mutation} }}")
    assert error_codes(body) == [code] and body["errors"][0]["extensions"]["field"] == field
    assert emulator.recorder.count() == 0


async def test_queue_members_are_users_without_priority(
    client: GraphQLTestClient, emulator: Emulator[SipxState]
) -> None:
    for member, field in [
        ({"id": gid(Kind.GROUP, "1")}, "members[0].id"),
        ({"id": gid(Kind.USER, "1"), "priority": 1}, "members[0].priority"),
    ]:
        body = await client.execute(
            "mutation($q: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $q, members: $m) { id } }",
            {"q": gid(Kind.QUEUE, "1"), "m": [member]},
        )
        assert error_codes(body) == ["NOT_SUPPORTED"] and field in body["errors"][0]["extensions"]["field"]
    assert emulator.recorder.count() == 0


async def test_disabling_a_user(client: GraphQLTestClient, emulator: Emulator[SipxState]) -> None:
    data = await client.data(
        UPDATE_USER.replace("groups { name }", "enabled groups { name }"),
        {"id": gid(Kind.USER, "1"), "input": {"enabled": False}},
    )
    assert data["updateUser"]["enabled"] is False and emulator.state.users[1].enabled is False
    listed = await client.data("{ users { nodes { username enabled } } }")
    assert {u["username"]: u["enabled"] for u in listed["users"]["nodes"]} == {
        "200": False,
        "201": True,
        "202": True,
        "203": True,
        "204": False,
    }


@pytest.mark.parametrize(
    ("query", "variables", "code", "vendor"),
    [
        # /rest: ERROR_OBJECT_NOT_FOUND is a 400
        (
            'mutation($id: ID!) { updateGroup(id: $id, input: {name: "x"}) { id } }',
            {"id": gid(Kind.GROUP, "99")},
            "NOT_FOUND",
            {"status": 400, "code": "ERROR_OBJECT_NOT_FOUND"},
        ),
        # /api: a bare 404
        (
            'mutation($id: ID!) { updateDevice(id: $id, input: {name: "x"}) { id } }',
            {"id": gid(Kind.DEVICE, "99")},
            "NOT_FOUND",
            {"status": 404},
        ),
        # /rest: ERROR_VALIDATION_FAILED names the field
        (
            'mutation { createUser(backend: "sipx", input: {username: "jane@example"}) { id } }',
            {},
            "BAD_USER_INPUT",
            {"status": 400, "code": "ERROR_VALIDATION_FAILED"},
        ),
        # /rest: a taken alias fails the create
        (
            'mutation { createUser(backend: "sipx", input: {username: "alice"}) { id } }',
            {},
            "CONFLICT",
            {"status": 500, "code": "ERROR_CREATE_FAILED"},
        ),
        # /api: a taken serial number fails with a plain-text 500
        (
            'mutation { createDevice(backend: "sipx", input: {mac: "00:04:f2:80:cc:95", model: "polycomVVX450"}) '
            "{ id } }",
            {},
            "CONFLICT",
            {"status": 500},
        ),
    ],
)
async def test_vendor_refusals_from_both_apis(
    either: GraphQLTestClient, query: str, variables: dict[str, Any], code: str, vendor: dict[str, Any]
) -> None:
    body = await either.execute(query, variables)
    assert error_codes(body) == [code]
    extensions = body["errors"][0]["extensions"]
    assert extensions["backend"] == "sipx"
    assert {k: extensions["vendor"].get(k) for k in vendor} == vendor
    if code == "BAD_USER_INPUT":
        assert extensions["field"] == "input.username"


async def test_unknown_phone_model_is_bad_user_input(client: GraphQLTestClient) -> None:
    body = await client.execute(
        'mutation { createDevice(backend: "sipx", input: {mac: "00:04:f2:00:00:01", model: "Teapot 3000"}) { id } }'
    )
    assert error_codes(body) == ["BAD_USER_INPUT"] and body["errors"][0]["extensions"]["field"] == "input.model"


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        (Fault(kind=FaultKind.GARBAGE, path_prefix=REST), "BACKEND_ERROR"),
        (
            Fault(
                kind=FaultKind.STATUS, path_prefix=REST, status=200, body=b"<user><metadata>", content_type="text/xml"
            ),
            "BACKEND_ERROR",
        ),
        (
            Fault(kind=FaultKind.STATUS, path_prefix=REST, status=503, body=b"Service Unavailable"),
            "BACKEND_UNAVAILABLE",
        ),
        (Fault(kind=FaultKind.DROP, path_prefix=REST), "BACKEND_UNAVAILABLE"),
        (Fault(kind=FaultKind.LATENCY, path_prefix=REST, delay_s=0.6, times=1), "BACKEND_TIMEOUT"),
    ],
)
async def test_a_broken_backend_degrades_only_its_own_part(
    mixed: GraphQLTestClient, emulator: Emulator[SipxState], fault: Fault, code: str
) -> None:
    emulator.faults.add(fault)
    body = await mixed.execute("{ users(first: 100) { nodes { backend username } } }")
    assert {n["backend"] for n in body["data"]["users"]["nodes"]} == {"office"}
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code and error["extensions"]["backend"] == "sipx"


async def test_api_failures_degrade_only_their_part(mixed: GraphQLTestClient, emulator: Emulator[SipxState]) -> None:
    emulator.faults.add(
        Fault(kind=FaultKind.STATUS, path_prefix=f"{API}/phones", status=500, body=b"java.lang.IllegalStateException")
    )
    body = await mixed.execute("{ devices(first: 100) { nodes { backend } } trunks { nodes { backend name } } }")
    assert {n["backend"] for n in body["data"]["devices"]["nodes"]} == {"office"}
    assert {"backend": "sipx", "name": "my_siptrunk"} in body["data"]["trunks"]["nodes"]
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BACKEND_ERROR"
    assert error["extensions"]["vendor"] == {"status": 500, "message": "java.lang.IllegalStateException"}


async def test_a_failing_relation_nulls_only_its_part(client: GraphQLTestClient, emulator: Emulator[SipxState]) -> None:
    # The phone list answers; reading the phones' users fails.
    emulator.faults.add(Fault(kind=FaultKind.STATUS, path_prefix=f"{REST}/user", status=500, body=b"down"))
    body = await client.execute("{ devices { nodes { name user { username } } } }")
    assert [d["name"] for d in body["data"]["devices"]["nodes"]] == ["Alice desk", "Bob desk", "Lobby phone"]
    assert all(d["user"] is None for d in body["data"]["devices"]["nodes"])
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BACKEND_ERROR"}
    assert all(e["path"][-1] == "user" for e in body["errors"])


async def test_unreadable_registrations_leave_registration_null(
    client: GraphQLTestClient, emulator: Emulator[SipxState]
) -> None:
    emulator.faults.add(Fault(kind=FaultKind.STATUS, path_prefix=f"{API}/registrations", status=500))
    body = await client.execute("{ users { nodes { username registration } } }")
    assert "errors" not in body
    assert {u["registration"] for u in body["data"]["users"]["nodes"]} == {None}


async def test_refused_credentials(emulator: Emulator[SipxState], url: str) -> None:
    config = Config(backends=(sipx(url, password="not-the-password"),))
    async with GraphQLTestClient.running(config) as client:
        body = await client.execute("{ users { nodes { id } } backends { health { status detail } } }")
    assert error_codes(body) == ["BACKEND_ERROR"] and body["errors"][0]["extensions"]["vendor"] == {"status": 401}
    assert body["data"]["backends"][0]["health"]["status"] == "DOWN"
    assert "not-the-password" not in str(body) and DEMO_PASSWORD not in str(body)


# --- secrets -----------------------------------------------------------------------------------


LINE_SECRET = "GraphQL-Line-Secret-5150"
TRUNK_SECRET = "GraphQL-Trunk-Secret-8086"


async def test_clear_text_line_and_trunk_passwords_never_reach_an_answer_or_a_log(
    either: GraphQLTestClient, emulator: Emulator[SipxState], url: str, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.state.users[1].sip_password = LINE_SECRET
    emulator.state.gateways[1].settings["itsp-account/password"].value = TRUNK_SECRET
    async with httpx.AsyncClient(auth=(DEMO_USERNAME, DEMO_PASSWORD)) as vendor:
        assert LINE_SECRET in (await vendor.get(f"{url}{API}/phones")).text  # the vendor does show them
        assert TRUNK_SECRET in (await vendor.get(f"{url}{API}/gateways/1/settings")).text
    caplog.set_level(logging.DEBUG)
    answers = [
        await either.execute(
            "{ users(first: 100) { nodes { raw groups { raw } devices { raw } } } "
            "devices(first: 100) { nodes { raw user { raw } } } "
            "trunks(first: 100) { nodes { raw username host } } "
            "groups { nodes { raw members { user { raw devices { raw } } } } } }"
        ),
        await either.execute(
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on BackendObject { raw } } }",
            {"ids": [gid(Kind.DEVICE, "1"), gid(Kind.TRUNK, "1"), gid(Kind.USER, "1")]},
        ),
        await either.execute(
            'mutation($id: ID!) { updateTrunk(id: $id, input: {host: "sip2.example.net"}) { raw username } }',
            {"id": gid(Kind.TRUNK, "1")},
        ),
        await either.execute(
            'mutation($d: ID!) { updateDevice(id: $d, input: {name: "Desk"}) { raw user { raw } } }',
            {"d": gid(Kind.DEVICE, "1")},
        ),
        await either.execute(
            "mutation($d: ID!) { unassignDevice(deviceId: $d) { raw } }", {"d": gid(Kind.DEVICE, "1")}
        ),
    ]
    # A vendor that echoes the secret it was sent, in an error.
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            method="PUT",
            path_prefix=f"{API}/gateways/1/settings",
            status=500,
            body=f"cannot store password {TRUNK_SECRET}".encode(),
        )
    )
    answers.append(
        await either.execute(
            "mutation($id: ID!, $pw: String!) { updateTrunk(id: $id, input: {password: $pw}) { id } }",
            {"id": gid(Kind.TRUNK, "1"), "pw": TRUNK_SECRET},
        )
    )
    assert error_codes(answers[-1]) == ["BACKEND_ERROR"]
    assert all("errors" not in a for a in answers[:-1])
    everything = str(answers) + caplog.text
    assert LINE_SECRET not in everything and TRUNK_SECRET not in everything
    assert caplog.records  # the logs were captured


# --- the demo --------------------------------------------------------------------------------------


async def test_the_no_configuration_demo_serves_a_sipxcom_backend() -> None:
    demo = DemoEnvironment.start()
    try:
        assert "backend sipxcom-demo: sipxcom emulator at http://127.0.0.1:" in "\n".join(demo.describe())
        async with GraphQLTestClient.running(demo.config) as client:
            data = await client.data(
                "{ backends { name vendor health { status } } "
                'users(backends: ["sipxcom-demo"], first: 100) { totalCount } '
                'trunks(backends: ["sipxcom-demo"]) { nodes { name } } }'
            )
    finally:
        demo.stop()
    assert {"name": "sipxcom-demo", "vendor": "sipxcom", "health": {"status": "UP"}} in data["backends"]
    assert data["users"]["totalCount"] == 5
    assert data["trunks"]["nodes"] == [{"name": n} for n in ("lobby-fxo", "my_siptrunk", "old-pbx", "pstn-pri")]
