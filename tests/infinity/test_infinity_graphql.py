"""Infinity through the GraphQL surface: the real app, the connector, the emulator over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

import pytest

from pbxgraph.config import Config
from pbxgraph.demo import DemoEnvironment
from pbxgraph.domain import Kind
from pbxgraph.emulators.infinity import DEMO_CREDENTIALS, InfinityState
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind
from pbxgraph.ids import encode_id
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.infinity.conftest import backend_config

API = "/config/v2.1/sip/domains"


@pytest.fixture
async def client(emulator: Emulator[InfinityState], infinity_url: str) -> AsyncIterator[GraphQLTestClient]:
    """One Infinity backend, ``inf``, serving both seeded domains."""
    async with GraphQLTestClient.running(Config(backends=(backend_config(infinity_url, "inf"),))) as client:
        emulator.recorder.clear()
        yield client


@pytest.fixture
async def split(emulator: Emulator[InfinityState], infinity_url: str) -> AsyncIterator[GraphQLTestClient]:
    """Two Infinity backends on the one emulator: ``hq`` serves domain 1, ``leeds`` domain 2."""
    config = Config(
        backends=(
            backend_config(infinity_url, "hq", domains=[1]),
            backend_config(infinity_url, "leeds", domains=[2], timeout_s=0.3),
        )
    )
    async with GraphQLTestClient.running(config) as client:
        yield client


def gid(kind: Kind, native: str, backend: str = "inf") -> str:
    return encode_id(kind, backend, native)


def writes(emulator: Emulator[InfinityState]) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in emulator.recorder.requests if r.method != "GET"]


async def all_pages(client: GraphQLTestClient, field: str, args: str = "", first: int = 3) -> list[str]:
    """Every id of a listing, read ``first`` at a time through the cursors."""
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


# --- reading ---------------------------------------------------------------------------


async def test_backend_shows_infinity_capabilities_and_health(client: GraphQLTestClient) -> None:
    (backend,) = (await client.data("{ backends { name vendor capabilities { kind operations } health { status } } }"))[
        "backends"
    ]
    assert (backend["name"], backend["vendor"], backend["health"]["status"]) == ("inf", "infinity", "UP")
    kinds = {c["kind"]: set(c["operations"]) for c in backend["capabilities"]}
    assert set(kinds) == {"USER", "GROUP", "QUEUE", "DEVICE"}
    assert "MEMBERS" in kinds["GROUP"] and "MEMBERS" in kinds["QUEUE"] and "ASSIGN" in kinds["DEVICE"]
    assert not {"RESYNC", "RESTART"} & kinds["DEVICE"] and "REGISTRATION" not in kinds["USER"]


@pytest.mark.parametrize(("field", "count"), [("users", 14), ("groups", 4), ("queues", 4), ("devices", 8)])
async def test_lists_cover_both_domains(client: GraphQLTestClient, field: str, count: int) -> None:
    data = await client.data(f"{{ {field}(first: 100) {{ totalCount nodes {{ id nativeId raw }} }} }}")
    nodes = data[field]["nodes"]
    assert data[field]["totalCount"] == count == len(nodes) == len({n["id"] for n in nodes})
    assert {n["raw"]["domainId"] for n in nodes} == {"1", "2"}
    assert all(n["nativeId"].startswith(n["raw"]["domainId"] + "-") for n in nodes)


async def test_every_kind_lists_with_the_widened_fields(
    client: GraphQLTestClient, emulator: Emulator[InfinityState]
) -> None:
    data = await client.data("""{
      users(first: 100) { nodes { username displayName registration } }
      groups(first: 100) { nodes { name displayName description strategy } }
      queues(first: 100) { nodes { name displayName description strategy } }
      devices(first: 100) { nodes { name mac model registration { status changedAt address } } } }""")
    users = {u["username"]: u for u in data["users"]["nodes"]}
    assert len(users) == 14 and users["reception"]["displayName"] == "Reception Desk"
    assert all(u["registration"] is None for u in users.values())
    assert {g["name"]: (g["displayName"], g["description"], g["strategy"]) for g in data["groups"]["nodes"]} == {
        "sales": ("Sales Team", None, None),
        "support": ("Support Desk", None, None),
        "accounts": ("Accounts", None, None),
        "leeds-office": ("Leeds Office", None, None),
    }
    assert {q["name"]: (q["displayName"], q["description"], q["strategy"]) for q in data["queues"]["nodes"]} == {
        "sales-queue": ("Sales Queue", None, None),
        "support-queue": ("Support Queue", None, None),
        "out-of-hours": ("Out of Hours", None, None),
        "leeds-queue": ("Leeds Queue", None, "ALL"),
    }
    devices = data["devices"]["nodes"]
    assert len(devices) == 8 and all(d["model"] is None and d["registration"] is None for d in devices)
    emulator.recorder.clear()
    body = await client.execute("{ trunks { nodes { id domain host port kind model registration { status } } } }")
    assert body["data"]["trunks"]["nodes"] == [] and error_codes(body) == ["NOT_SUPPORTED"]
    assert body["errors"][0]["extensions"]["backend"] == "inf" and emulator.recorder.count() == 0


async def test_capabilities_show_what_infinity_can_store(client: GraphQLTestClient) -> None:
    (backend,) = (
        await client.data(
            "{ backends { capabilities { kind createFields updateFields requiredFields "
            "strategies memberKinds memberPriority models trunkKinds } } }"
        )
    )["backends"]
    by_kind = {c["kind"]: c for c in backend["capabilities"]}
    assert set(by_kind) == {"USER", "GROUP", "QUEUE", "DEVICE"}
    user, group, queue, device = (by_kind[k] for k in ("USER", "GROUP", "QUEUE", "DEVICE"))
    assert set(user["createFields"]) == {"username", "displayName", "extension", "email", "sipPassword"}
    assert set(user["updateFields"]) == {"displayName", "extension", "email", "sipPassword"}
    assert set(user["requiredFields"]) == {"extension", "sipPassword"}
    assert set(group["createFields"]) == {"name", "displayName", "extension", "members"}
    assert group["strategies"] == [] and group["requiredFields"] == ["extension"]
    assert set(queue["createFields"]) == {"name", "displayName", "extension", "strategy", "members"}
    assert set(queue["strategies"]) == {"ALL", "LONGEST_IDLE"}
    assert queue["memberKinds"] == ["GROUP"] and queue["memberPriority"] is None
    assert set(device["createFields"]) == {"mac", "name", "userId"} and device["updateFields"] == ["name"]
    assert device["models"] is None


@pytest.mark.parametrize(
    ("mutation", "code", "field"),
    [
        (
            'createUser(backend: "inf", input: {username: "a.b", extension: "2031", sipPassword: "Secret-99", '
            "enabled: false}) { id }",
            "NOT_SUPPORTED",
            "input.enabled",
        ),
        ('updateUser(id: "USER", input: {username: "joe"}) { id }', "NOT_SUPPORTED", "input.username"),
        (
            'createGroup(backend: "inf", input: {name: "g", extension: "4921", description: "Night"}) { id }',
            "NOT_SUPPORTED",
            "input.description",
        ),
        ('updateGroup(id: "GROUP", input: {strategy: ALL}) { id }', "NOT_SUPPORTED", "input.strategy"),
        ('updateQueue(id: "QUEUE", input: {description: "Sales"}) { id }', "NOT_SUPPORTED", "input.description"),
        (
            'createQueue(backend: "inf", input: {name: "q", extension: "4922", strategy: ROUND_ROBIN}) { id }',
            "NOT_SUPPORTED",
            "input.strategy",
        ),
        (
            'createDevice(backend: "inf", input: {mac: "00:04:f2:00:00:09", model: "T46U"}) { id }',
            "NOT_SUPPORTED",
            "input.model",
        ),
        ('updateDevice(id: "DEVICE", input: {mac: "00:04:f2:00:00:09"}) { id }', "NOT_SUPPORTED", "input.mac"),
        (
            'createUser(backend: "inf", input: {username: "a.b", sipPassword: "Secret-99"}) { id }',
            "BAD_USER_INPUT",
            "input.extension",
        ),
        ('createGroup(backend: "inf", input: {name: "g"}) { id }', "BAD_USER_INPUT", "input.extension"),
        ('createQueue(backend: "inf", input: {name: "q"}) { id }', "BAD_USER_INPUT", "input.extension"),
    ],
)
async def test_what_infinity_cannot_take_is_refused_before_any_call(
    client: GraphQLTestClient, emulator: Emulator[InfinityState], mutation: str, code: str, field: str
) -> None:
    mutation = (
        mutation.replace('"USER"', f'"{gid(Kind.USER, "1-1")}"')
        .replace('"GROUP"', f'"{gid(Kind.GROUP, "1-1")}"')
        .replace('"QUEUE"', f'"{gid(Kind.QUEUE, "1-1")}"')
        .replace('"DEVICE"', f'"{gid(Kind.DEVICE, "1-1")}"')
    )
    body = await client.execute(f"mutation {{ {mutation} }}")
    assert error_codes(body) == [code]
    error = body["errors"][0]
    assert error["extensions"]["field"] == field and error["extensions"]["backend"] == "inf"
    assert error["message"].startswith(f"{field}: ") and "'inf'" in error["message"]
    assert emulator.recorder.count() == 0


async def test_users_show_typed_fields_and_no_secrets(client: GraphQLTestClient) -> None:
    data = await client.data(
        '{ users(filter: {extension: "2001"}) { nodes { username displayName extension email '
        "enabled registration raw } } }"
    )
    (user,) = data["users"]["nodes"]
    assert user["username"] == "joe.bloggs" and user["displayName"] == "Joe Bloggs"
    assert user["extension"] == "2001" and user["email"] == "joe.bloggs@acme.example"
    assert user["enabled"] is True and user["registration"] is None
    assert user["raw"]["departmentName"] == "Sales" and "password" not in user["raw"] and "pin" not in user["raw"]


async def test_filters(client: GraphQLTestClient, emulator: Emulator[InfinityState]) -> None:
    data = await client.data(
        '{ users(filter: {search: "osei"}) { nodes { username } } '
        'groups(filter: {search: "LEEDS"}) { nodes { name } } '
        'queues(filter: {extension: "4502"}) { nodes { name } } '
        'devices(filter: {mac: "0015.65b2.0001"}) { nodes { name user { username } } } }'
    )
    assert data["users"]["nodes"] == [{"username": "david.osei"}]
    assert data["groups"]["nodes"] == [{"name": "leeds-office"}]
    assert data["queues"]["nodes"] == [{"name": "support-queue"}]
    assert data["devices"]["nodes"] == [{"name": "Tom desk phone", "user": {"username": "tom.harris"}}]
    sent = [v for r in emulator.recorder.requests for k, v in r.params if k == "filter[]"]
    assert "groupName-like-value-%LEEDS%" in sent and "extensionNumber-eq-value-4502" in sent


@pytest.mark.parametrize("field", ["users", "groups", "queues", "devices"])
@pytest.mark.parametrize("order", ["", ", orderBy: {field: EXTENSION, direction: DESC}"])
async def test_paging_with_a_small_first_loses_and_repeats_nothing(
    client: GraphQLTestClient, field: str, order: str
) -> None:
    everything = [
        n["id"] for n in (await client.data(f"{{ {field}(first: 100) {{ nodes {{ id }} }} }}"))[field]["nodes"]
    ]
    paged = await all_pages(client, field, order, first=3)
    assert len(paged) == len(set(paged)) and sorted(paged) == sorted(everything)
    if not order:
        assert paged == everything


async def test_exact_vendor_requests_for_groups_members_devices(
    client: GraphQLTestClient, emulator: Emulator[InfinityState]
) -> None:
    data = await client.data(
        "{ groups(first: 50) { nodes { name members { position user { username devices { mac } } } } } }"
    )
    groups = {g["name"]: g for g in data["groups"]["nodes"]}
    assert [m["user"]["username"] for m in groups["sales"]["members"]] == ["joe.bloggs", "jane.doe", "amir.khan"]
    assert groups["sales"]["members"][0]["user"]["devices"] == [{"mac": "00:15:65:a1:00:01"}]
    requests = [r.path for r in emulator.recorder.requests]
    assert len(requests) == 8
    assert sorted(requests) == sorted(
        [
            f"{API}/1/groups",
            f"{API}/2/groups",  # the listing, one per domain
            f"{API}/1/groups/1/users",
            f"{API}/1/groups/2/users",
            f"{API}/1/groups/3/users",
            f"{API}/2/groups/4/users",  # members: one per group
            f"{API}/1/devices",
            f"{API}/2/devices",  # every member's devices: one filtered list per domain
        ]
    )


async def test_exact_vendor_requests_for_queues_members(
    client: GraphQLTestClient, emulator: Emulator[InfinityState]
) -> None:
    data = await client.data(
        "{ queues(first: 50) { nodes { name strategy members { position priority settings "
        "member { __typename ... on Group { name extension } } } } } }"
    )
    queues = {q["name"]: q for q in data["queues"]["nodes"]}
    sales = queues["sales-queue"]["members"]
    assert [(m["position"], m["member"]["name"]) for m in sales] == [(0, "sales"), (1, "support")]
    assert sales[1]["settings"]["ringStrategy"] == "huntLongestIdle" and sales[1]["priority"] is None
    assert queues["out-of-hours"]["members"] == []
    assert {n: q["strategy"] for n, q in queues.items()} == {
        "sales-queue": None,
        "support-queue": None,
        "out-of-hours": None,
        "leeds-queue": "ALL",
    }
    requests = [r.path for r in emulator.recorder.requests]
    members = [
        f"{API}/1/queues/1/members",
        f"{API}/1/queues/2/members",
        f"{API}/1/queues/3/members",
        f"{API}/2/queues/4/members",
    ]
    assert len(requests) == 12
    assert sorted(requests) == sorted(
        [
            f"{API}/1/queues",
            f"{API}/2/queues",
            *members,  # each listed queue's strategy: its members' ringStrategy
            *members,  # the members relation
            f"{API}/1/groups",
            f"{API}/2/groups",  # the member groups, one run of ids per domain
        ]
    )


# --- writing ----------------------------------------------------------------------------


CREATE_USER = """mutation($input: CreateUserInput!) { createUser(backend: "inf", input: $input) {
  id nativeId username displayName extension email raw } }"""


async def test_create_user_finds_its_id_and_keeps_the_password_write_only(
    client: GraphQLTestClient, emulator: Emulator[InfinityState]
) -> None:
    body = await client.execute(
        CREATE_USER,
        {
            "input": {
                "username": "new.starter",
                "displayName": "New Starter",
                "extension": "2020",
                "sipPassword": "Very-Secret-1",
            }
        },
    )
    assert "errors" not in body and "Very-Secret-1" not in str(body)
    user = body["data"]["createUser"]
    assert user["nativeId"].startswith("1-") and user["raw"]["domainId"] == "1"
    post, find = emulator.recorder.requests
    assert (post.method, post.path) == ("POST", f"{API}/1/users")
    assert ("password", "Very-Secret-1") in parse_qsl(post.body.decode())
    assert (find.method, find.params) == ("GET", [("filter[]", "user-eq-value-new.starter")])
    again = await client.data(
        "query($id: ID!) { node(id: $id) { ... on User { username extension } } }", {"id": user["id"]}
    )
    assert again["node"] == {"username": "new.starter", "extension": "2020"}


async def test_update_user_changes_only_what_was_sent(
    client: GraphQLTestClient, emulator: Emulator[InfinityState]
) -> None:
    query = "mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { displayName email extension } }"
    data = await client.data(query, {"id": gid(Kind.USER, "1-5"), "input": {"displayName": "Sofia R."}})
    assert data["updateUser"] == {"displayName": "Sofia R.", "email": "sofia.rossi@acme.example", "extension": "2005"}
    (post,) = [r for r in emulator.recorder.requests if r.method == "POST"]
    assert parse_qsl(post.body.decode()) == [("displayName", "Sofia R.")]
    data = await client.data(query, {"id": gid(Kind.USER, "1-5"), "input": {"email": None}})
    assert data["updateUser"] == {"displayName": "Sofia R.", "email": None, "extension": "2005"}


async def test_delete_user_then_it_is_gone(client: GraphQLTestClient) -> None:
    user = gid(Kind.USER, "1-6")
    data = await client.data("mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": user})
    assert data["deleteUser"]["deletedId"] == user
    assert await client.execute("query($id: ID!) { node(id: $id) { id } }", {"id": user}) == {"data": {"node": None}}
    body = await client.execute("mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": user})
    assert error_codes(body) == ["NOT_FOUND"] and body["errors"][0]["extensions"]["backend"] == "inf"


async def test_group_create_update_membership_and_delete(client: GraphQLTestClient) -> None:
    created = await client.data(
        'mutation($m: [ID!]!) { createGroup(backend: "inf", input: {name: "night", extension: "4910", '
        'displayName: "Night shift", memberIds: $m}) { id name displayName description members { position user '
        "{ username } } } }",
        {"m": [gid(Kind.USER, "1-9"), gid(Kind.USER, "1-2")]},
    )
    group = created["createGroup"]
    assert (group["name"], group["displayName"], group["description"]) == ("night", "Night shift", None)
    assert [m["user"]["username"] for m in group["members"]] == ["priya.patel", "jane.doe"]

    added = await client.data(
        "mutation($g: ID!, $u: [ID!]!) { addGroupMembers(groupId: $g, userIds: $u) "
        "{ members { position user { username } } } }",
        {"g": group["id"], "u": [gid(Kind.USER, "1-1"), gid(Kind.USER, "1-9")]},
    )
    assert [(m["position"], m["user"]["username"]) for m in added["addGroupMembers"]["members"]] == [
        (0, "priya.patel"),
        (1, "jane.doe"),
        (2, "joe.bloggs"),
    ]
    removed = await client.data(
        "mutation($g: ID!, $u: [ID!]!) { removeGroupMembers(groupId: $g, userIds: $u) "
        "{ members { user { username groups { name } } } } }",
        {"g": group["id"], "u": [gid(Kind.USER, "1-2")]},
    )
    members = removed["removeGroupMembers"]["members"]
    assert [m["user"]["username"] for m in members] == ["priya.patel", "joe.bloggs"]
    assert {"name": "night"} in members[0]["user"]["groups"]
    body = await client.execute(
        "mutation($g: ID!, $u: [ID!]!) { removeGroupMembers(groupId: $g, userIds: $u) { id } }",
        {"g": group["id"], "u": [gid(Kind.USER, "1-2")]},
    )
    assert error_codes(body) == ["NOT_FOUND"]

    updated = await client.data(
        'mutation($id: ID!) { updateGroup(id: $id, input: {name: "late"}) { name extension displayName } }',
        {"id": group["id"]},
    )
    assert updated["updateGroup"] == {"name": "late", "extension": "4910", "displayName": "Night shift"}
    deleted = await client.data("mutation($id: ID!) { deleteGroup(id: $id) { deletedId } }", {"id": group["id"]})
    assert deleted["deleteGroup"]["deletedId"] == group["id"]


SET_MEMBERS = """mutation($q: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $q, members: $m) {
  members { position priority settings member { ... on Group { name } } } } }"""


async def test_queue_members_and_their_order(client: GraphQLTestClient, emulator: Emulator[InfinityState]) -> None:
    queue = gid(Kind.QUEUE, "1-3")
    order = [gid(Kind.GROUP, "1-2"), gid(Kind.GROUP, "1-1"), gid(Kind.GROUP, "1-3")]
    data = await client.data(SET_MEMBERS, {"q": queue, "m": [{"id": g} for g in order]})
    members = data["setQueueMembers"]["members"]
    assert [(m["position"], m["member"]["name"]) for m in members] == [(0, "support"), (1, "sales"), (2, "accounts")]
    assert all(m["settings"]["ringStrategy"] == "all" and m["priority"] is None for m in members)
    data = await client.data(SET_MEMBERS, {"q": queue, "m": [{"id": g} for g in reversed(order[1:])]})
    assert [m["member"]["name"] for m in data["setQueueMembers"]["members"]] == ["accounts", "sales"]
    listed = await client.data(
        "query($q: ID!) { node(id: $q) { ... on Queue { members { position member { ... on Group { name } } } } } }",
        {"q": queue},
    )
    assert [(m["position"], m["member"]["name"]) for m in listed["node"]["members"]] == [(0, "accounts"), (1, "sales")]


async def test_queue_create_with_members_update_and_delete(
    client: GraphQLTestClient, emulator: Emulator[InfinityState]
) -> None:
    created = await client.data(
        'mutation($m: [QueueMemberInput!]!) { createQueue(backend: "inf", input: {name: "callbacks", '
        'extension: "4590", strategy: LONGEST_IDLE, members: $m}) { id name extension displayName strategy '
        "members { settings member { ... on Group { name } } } } }",
        {"m": [{"id": gid(Kind.GROUP, "1-3")}, {"id": gid(Kind.GROUP, "1-1")}]},
    )
    queue = created["createQueue"]
    assert (queue["name"], queue["extension"], queue["displayName"]) == ("callbacks", "4590", None)
    assert queue["strategy"] == "LONGEST_IDLE"
    assert [m["settings"]["ringStrategy"] for m in queue["members"]] == ["huntLongestIdle"] * 2
    assert [m["member"]["name"] for m in queue["members"]] == ["accounts", "sales"]
    find = [r for r in emulator.recorder.requests if r.method == "GET" and r.path == f"{API}/1/queues"]
    assert [r.params for r in find] == [[("filter[]", "extensionNumber-eq-value-4590")]]
    updated = await client.data(
        'mutation($id: ID!) { updateQueue(id: $id, input: {displayName: "Call-backs", '
        "strategy: ALL}) { name extension displayName strategy } }",
        {"id": queue["id"]},
    )
    assert updated["updateQueue"] == {
        "name": "callbacks",
        "extension": "4590",
        "displayName": "Call-backs",
        "strategy": "ALL",
    }
    await client.data("mutation($id: ID!) { deleteQueue(id: $id) { deletedId } }", {"id": queue["id"]})
    assert (await client.data('{ queues(filter: {extension: "4590"}) { totalCount } }'))["queues"]["totalCount"] == 0


async def test_queue_members_must_be_groups_without_priority(
    client: GraphQLTestClient, emulator: Emulator[InfinityState]
) -> None:
    queue = gid(Kind.QUEUE, "1-1")
    body = await client.execute(
        SET_MEMBERS, {"q": queue, "m": [{"id": gid(Kind.GROUP, "1-1")}, {"id": gid(Kind.USER, "1-1")}]}
    )
    assert error_codes(body) == ["NOT_SUPPORTED"]
    error = body["errors"][0]
    assert error["extensions"]["field"] == "members[1].id" and error["extensions"]["backend"] == "inf"
    assert "groups" in error["message"]
    body = await client.execute(SET_MEMBERS, {"q": queue, "m": [{"id": gid(Kind.GROUP, "1-1"), "priority": 3}]})
    assert error_codes(body) == ["NOT_SUPPORTED"] and body["errors"][0]["extensions"]["field"] == "members[0].priority"
    assert writes(emulator) == []


async def test_device_create_assign_unassign(client: GraphQLTestClient, emulator: Emulator[InfinityState]) -> None:
    created = await client.data(
        'mutation($u: ID!) { createDevice(backend: "inf", input: {mac: "00-04-f2-12-34-56", name: "Kitchen", '
        "userId: $u}) { id mac name user { username } raw } }",
        {"u": gid(Kind.USER, "1-7")},
    )
    device = created["createDevice"]
    assert (device["mac"], device["name"], device["user"]) == (
        "00:04:f2:12:34:56",
        "Kitchen",
        {"username": "emma.clarke"},
    )
    tokens = list(emulator.state.device_tokens.values())
    assert tokens and not any(t in str(created) for t in tokens)

    moved = await client.data(
        "mutation($d: ID!, $u: ID!) { assignDevice(deviceId: $d, userId: $u) { user { username devices { name } } } }",
        {"d": device["id"], "u": gid(Kind.USER, "1-8")},
    )
    assert moved["assignDevice"]["user"] == {"username": "lucas.martin", "devices": [{"name": "Kitchen"}]}
    freed = await client.data(
        "mutation($d: ID!) { unassignDevice(deviceId: $d) { user { username } } }", {"d": device["id"]}
    )
    assert freed["unassignDevice"]["user"] is None
    renamed = await client.data(
        'mutation($d: ID!) { updateDevice(id: $d, input: {name: "Kitchen 2"}) { name mac } }', {"d": device["id"]}
    )
    assert renamed["updateDevice"] == {"name": "Kitchen 2", "mac": "00:04:f2:12:34:56"}
    body = await client.execute(
        'mutation($d: ID!) { updateDevice(id: $d, input: {model: "T46U"}) { name } }', {"d": device["id"]}
    )
    assert error_codes(body) == ["NOT_SUPPORTED"] and body["errors"][0]["extensions"]["field"] == "input.model"
    body = await client.execute("mutation($d: ID!) { resyncDevice(id: $d) { action } }", {"d": device["id"]})
    assert error_codes(body) == ["NOT_SUPPORTED"] and body["errors"][0]["extensions"]["backend"] == "inf"


# --- errors ---------------------------------------------------------------------------------


async def test_trunks_are_not_supported_and_name_the_backend(
    client: GraphQLTestClient, emulator: Emulator[InfinityState]
) -> None:
    body = await client.execute("{ trunks { nodes { id } } }")
    assert body["data"]["trunks"]["nodes"] == []
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "NOT_SUPPORTED", "backend": "inf"} and "trunk" in error["message"]
    body = await client.execute(
        'mutation { createTrunk(backend: "inf", input: {name: "t", host: "sip.example.net"}) { id } }'
    )
    assert error_codes(body) == ["NOT_SUPPORTED"] and "'inf'" in body["errors"][0]["message"]
    body = await client.execute("query($id: ID!) { node(id: $id) { id } }", {"id": gid(Kind.TRUNK, "1-1")})
    assert error_codes(body) == ["NOT_SUPPORTED"]
    assert emulator.recorder.count() == 0


async def test_input_errors_reach_no_vendor(client: GraphQLTestClient, emulator: Emulator[InfinityState]) -> None:
    body = await client.execute('query { node(id: "not-an-id") { id } }')
    assert error_codes(body) == ["BAD_USER_INPUT"]
    body = await client.execute(CREATE_USER, {"input": {"username": "x.y", "extension": "2030"}})
    assert error_codes(body) == ["BAD_USER_INPUT"] and body["errors"][0]["extensions"]["field"] == "input.sipPassword"
    body = await client.execute(
        'mutation { createGroup(backend: "inf", input: {name: "g", extension: "4920", strategy: PRIORITY}) { id } }'
    )
    assert error_codes(body) == ["NOT_SUPPORTED"] and body["errors"][0]["extensions"]["field"] == "input.strategy"
    assert emulator.recorder.count() == 0


async def test_vendor_refusals_keep_status_and_body(client: GraphQLTestClient) -> None:
    body = await client.execute(CREATE_USER, {"input": {"username": "dup", "extension": "2001", "sipPassword": "pw-1"}})
    assert error_codes(body) == ["CONFLICT"]
    vendor = body["errors"][0]["extensions"]["vendor"]
    assert vendor["status"] == 409 and vendor["body"]["error"] == "conflict" and "2001" in vendor["body"]["message"]
    body = await client.execute(
        'mutation($id: ID!) { updateUser(id: $id, input: {email: "a@b.example"}) { id } }',
        {"id": gid(Kind.USER, "1-99")},
    )
    assert error_codes(body) == ["NOT_FOUND"] and body["errors"][0]["extensions"]["vendor"]["status"] == 404


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"api_key": "not-a-key"}, "BACKEND_ERROR"),
        ({"api_key": DEMO_CREDENTIALS["denied_api_key"]}, "BACKEND_ERROR"),
    ],
)
async def test_rejected_credentials(
    emulator: Emulator[InfinityState], infinity_url: str, options: dict[str, Any], code: str
) -> None:
    config = Config(backends=(backend_config(infinity_url, "inf", **options),))
    async with GraphQLTestClient.running(config) as client:
        body = await client.execute("{ users { nodes { id } } backends { health { status } } }")
    assert error_codes(body) == [code] and body["errors"][0]["extensions"]["backend"] == "inf"
    assert body["data"]["backends"][0]["health"]["status"] == "DOWN"
    assert "not-a-key" not in str(body)


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        (Fault(kind=FaultKind.GARBAGE, path_prefix=API), "BACKEND_ERROR"),
        (Fault(kind=FaultKind.DROP, path_prefix=API), "BACKEND_UNAVAILABLE"),
        (Fault(kind=FaultKind.STATUS, path_prefix=API, status=503), "BACKEND_UNAVAILABLE"),
        (Fault(kind=FaultKind.LATENCY, path_prefix=API, delay_s=1.0, times=2), "BACKEND_TIMEOUT"),
    ],
)
async def test_a_broken_backend_degrades_only_its_own_part(
    split: GraphQLTestClient, emulator: Emulator[InfinityState], fault: Fault, code: str
) -> None:
    fault.path_prefix = f"{API}/2/"
    emulator.faults.add(fault)
    body = await split.execute("{ users(first: 100) { nodes { backend username } } }")
    assert {n["backend"] for n in body["data"]["users"]["nodes"]} == {"hq"}
    assert len(body["data"]["users"]["nodes"]) == 10
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code and error["extensions"]["backend"] == "leeds"


async def test_a_failing_relation_nulls_only_its_backends_part(
    split: GraphQLTestClient, emulator: Emulator[InfinityState]
) -> None:
    emulator.faults.add(Fault(kind=FaultKind.STATUS, path_prefix=f"{API}/2/groups/4/users", status=500))
    body = await split.execute("{ groups { nodes { backend name members { user { username } } } } }")
    groups = {g["name"]: g for g in body["data"]["groups"]["nodes"]}
    assert groups["leeds-office"]["members"] is None
    assert [m["user"]["username"] for m in groups["accounts"]["members"]] == ["emma.clarke", "lucas.martin"]
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BACKEND_ERROR" and error["extensions"]["backend"] == "leeds"
    assert error["path"][-1] == "members"


async def test_the_no_configuration_demo_serves_an_infinity_backend() -> None:
    demo = DemoEnvironment.start()
    try:
        assert "backend infinity-demo: infinity emulator at http://127.0.0.1:" in "\n".join(demo.describe())
        async with GraphQLTestClient.running(demo.config) as client:
            data = await client.data(
                "{ backends { name vendor health { status } } "
                'users(backends: ["infinity-demo"], first: 100) { totalCount } }'
            )
    finally:
        demo.stop()
    assert {"name": "infinity-demo", "vendor": "infinity", "health": {"status": "UP"}} in data["backends"]
    assert data["users"]["totalCount"] == 14
