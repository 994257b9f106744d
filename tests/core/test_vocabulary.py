"""One vocabulary for scripts: the same member operations and input for groups and queues, ``id`` for the
object acted on, error paths that exist in the schema, every problem at once, conflicts that name their
owner, exact look-ups, deletes that may find nothing; and the older names, deprecated, still working."""

from __future__ import annotations

import re
from typing import Any

from pbxgraph.domain import Kind
from pbxgraph.ids import encode_id
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.core.conftest import Env


def gid(kind: Kind, native: str, backend: str = "east") -> str:
    return encode_id(kind, backend, native)


async def user(client: GraphQLTestClient, username: str, extension: str, backend: str = "east") -> str:
    data = await client.data(
        "mutation($b: String!, $i: CreateUserInput!) { createUser(backend: $b, input: $i) { id } }",
        {"b": backend, "i": {"username": username, "extension": extension}},
    )
    return str(data["createUser"]["id"])


GROUP_MEMBERS = "members { position member { ... on User { id } } user { id } }"
QUEUE_MEMBERS = "members { position priority member { ... on User { id } ... on Group { id } } }"
MEMBERS_PAYLOAD = f"id group {{ {GROUP_MEMBERS} }} queue {{ {QUEUE_MEMBERS} }}"


def group_ids(group: dict[str, Any]) -> list[str]:
    return [m["member"]["id"] for m in group["members"]]


def queue_seats(queue: dict[str, Any]) -> list[tuple[str, int | None]]:
    return [(m["member"]["id"], m["priority"]) for m in queue["members"]]


async def members(client: GraphQLTestClient, operation: str, holder: str, given: list[dict[str, Any]]) -> Any:
    data = await client.data(
        f"mutation($id: ID!, $m: [MemberInput!]!) {{ {operation}(id: $id, members: $m) {{ {MEMBERS_PAYLOAD} }} }}",
        {"id": holder, "m": given},
    )
    return data[operation]


async def test_groups_and_queues_take_the_same_add_remove_and_set(client: GraphQLTestClient) -> None:
    ann, bob, cat = [await user(client, n, e) for n, e in (("ann.v", "7101"), ("bob.v", "7102"), ("cat.v", "7103"))]
    made = await client.data(
        f'mutation($m: [MemberInput!]) {{ createGroup(backend: "east", input: {{name: "Vocab", members: $m}}) '
        f"{{ id {GROUP_MEMBERS} }} }}",
        {"m": [{"id": ann}]},
    )
    group = made["createGroup"]["id"]
    assert group_ids(made["createGroup"]) == [ann]
    # GroupMember has `member`, as QueueMember does; the older `user` says the same
    assert made["createGroup"]["members"][0]["user"] == {"id": ann}

    added = await members(client, "addMembers", group, [{"id": bob}, {"id": cat}])
    assert added["queue"] is None and added["id"] == group and group_ids(added["group"]) == [ann, bob, cat]
    removed = await members(client, "removeMembers", group, [{"id": ann}])
    assert group_ids(removed["group"]) == [bob, cat]
    replaced = await members(client, "setMembers", group, [{"id": cat}, {"id": ann}])
    assert group_ids(replaced["group"]) == [cat, ann]

    made = await client.data(
        'mutation($m: [QueueMemberInput!]!) { createQueue(backend: "east", input: {name: "VocabQ", members: $m}) '
        "{ id } }",
        {"m": [{"id": ann, "priority": 1}]},
    )
    queue = made["createQueue"]["id"]
    added = await members(client, "addMembers", queue, [{"id": bob, "priority": 2}, {"id": group}])
    assert added["group"] is None and queue_seats(added["queue"]) == [(ann, 1), (bob, 2), (group, None)]
    removed = await members(client, "removeMembers", queue, [{"id": ann}])
    assert queue_seats(removed["queue"]) == [(bob, 2), (group, None)]
    replaced = await members(client, "setMembers", queue, [{"id": cat, "priority": 5}])
    assert queue_seats(replaced["queue"]) == [(cat, 5)]
    emptied = await members(client, "setMembers", queue, [])
    assert emptied["queue"]["members"] == []

    # a group's members are users, ringing in the order given: a priority, or a group, is refused
    body = await client.execute(
        "mutation($id: ID!, $m: [MemberInput!]!) { addMembers(id: $id, members: $m) { id } }",
        {"id": group, "m": [{"id": bob, "priority": 1}, {"id": group}]},
    )
    assert error_codes(body) == ["BAD_USER_INPUT", "BAD_USER_INPUT"]
    assert [e["extensions"]["field"] for e in body["errors"]] == ["members[0].priority", "members[1].id"]
    body = await client.execute(
        'mutation($m: [MemberInput!]) { createGroup(backend: "east", input: {name: "P", members: $m}) { id } }',
        {"m": [{"id": bob, "priority": 1}]},
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "input.members[0].priority"


async def test_the_older_names_still_work_and_say_they_are_deprecated(client: GraphQLTestClient) -> None:
    ann, bob = await user(client, "ann.o", "7201"), await user(client, "bob.o", "7202")
    data = await client.data(
        f'mutation($m: [ID!]) {{ createGroup(backend: "east", input: {{name: "Old", memberIds: $m}}) '
        f"{{ id {GROUP_MEMBERS} }} }}",
        {"m": [ann]},
    )
    group = data["createGroup"]["id"]
    assert group_ids(data["createGroup"]) == [ann]
    data = await client.data(
        f"mutation($g: ID!, $u: [ID!]!) {{ addGroupMembers(groupId: $g, userIds: $u) {{ {GROUP_MEMBERS} }} }}",
        {"g": group, "u": [bob]},
    )
    assert group_ids(data["addGroupMembers"]) == [ann, bob]
    data = await client.data(
        f"mutation($g: ID!, $u: [ID!]!) {{ removeGroupMembers(groupId: $g, userIds: $u) {{ {GROUP_MEMBERS} }} }}",
        {"g": group, "u": [ann]},
    )
    assert group_ids(data["removeGroupMembers"]) == [bob]
    queue = (await client.data('mutation { createQueue(backend: "east", input: {name: "OldQ"}) { id } }'))[
        "createQueue"
    ]["id"]
    data = await client.data(
        f"mutation($q: ID!, $m: [QueueMemberInput!]!) {{ setQueueMembers(queueId: $q, members: $m) "
        f"{{ {QUEUE_MEMBERS} }} }}",
        {"q": queue, "m": [{"id": bob, "priority": 3}]},
    )
    assert queue_seats(data["setQueueMembers"]) == [(bob, 3)]

    device = (
        await client.data('mutation { createDevice(backend: "east", input: {mac: "00:04:f2:71:00:01"}) { id } }')
    )["createDevice"]["id"]
    old = await client.data(
        "mutation($d: ID!, $u: ID!) { assignDevice(deviceId: $d, userId: $u) { user { id } } }", {"d": device, "u": ann}
    )
    assert old["assignDevice"]["user"] == {"id": ann}
    old = await client.data("mutation($d: ID!) { unassignDevice(deviceId: $d) { user { id } } }", {"d": device})
    assert old["unassignDevice"]["user"] is None
    new = await client.data(
        "mutation($d: ID!, $u: ID!) { assignDevice(id: $d, userId: $u) { user { id } } }", {"d": device, "u": bob}
    )
    assert new["assignDevice"]["user"] == {"id": bob}
    new = await client.data("mutation($d: ID!) { unassignDevice(id: $d) { user { id } } }", {"d": device})
    assert new["unassignDevice"]["user"] is None
    both = await client.execute("mutation($d: ID!) { unassignDevice(id: $d, deviceId: $d) { id } }", {"d": device})
    assert error_codes(both) == ["BAD_USER_INPUT"] and both["errors"][0]["extensions"]["field"] == "deviceId"

    schema = await client.data(
        '{ __type(name: "Mutation") { fields(includeDeprecated: true) { name isDeprecated deprecationReason '
        "args(includeDeprecated: true) { name isDeprecated deprecationReason } } } "
        'member: __type(name: "GroupMember") { fields(includeDeprecated: true) { name isDeprecated } } '
        'group: __type(name: "CreateGroupInput") { inputFields(includeDeprecated: true) { name isDeprecated } } '
        'change: __type(name: "ChangeInput") { inputFields(includeDeprecated: true) { name isDeprecated } } }'
    )
    fields = {f["name"]: f for f in schema["__type"]["fields"]}
    for name, instead in (
        ("addGroupMembers", "addMembers"),
        ("removeGroupMembers", "removeMembers"),
        ("setQueueMembers", "setMembers"),
    ):
        assert fields[name]["isDeprecated"] and instead in fields[name]["deprecationReason"]
        assert not fields[instead]["isDeprecated"]
    for name in ("assignDevice", "unassignDevice"):
        args = {a["name"]: a for a in fields[name]["args"]}
        assert args["deviceId"]["isDeprecated"] and not args["id"]["isDeprecated"]
    assert {f["name"]: f["isDeprecated"] for f in schema["member"]["fields"]} == {
        "position": False,
        "member": False,
        "user": True,
        "number": False,
    }
    assert {f["name"]: f["isDeprecated"] for f in schema["group"]["inputFields"]}["memberIds"] is True
    change = {f["name"]: f["isDeprecated"] for f in schema["change"]["inputFields"]}
    assert change["addMembers"] is change["removeMembers"] is change["setMembers"] is False
    assert change["addGroupMembers"] and change["removeGroupMembers"] and change["setGroupMembers"]
    assert change["setQueueMembers"]
    # every mutation names the object it acts on `id` (creates name the backend)
    for field in schema["__type"]["fields"]:
        names = {a["name"] for a in field["args"] if not a["isDeprecated"]}
        if field["isDeprecated"] or field["name"] in ("applyChanges",) or field["name"].startswith("create"):
            continue
        assert "id" in names, field["name"]


async def test_every_problem_of_an_input_is_reported_at_once(env: Env) -> None:
    client = env.client
    env.reset_calls()
    body = await client.execute(
        'mutation { createUser(backend: "east", input: {username: "-bad", extension: "12x", email: "nope"}) { id } }'
    )
    assert error_codes(body) == ["BAD_USER_INPUT"] * 3
    assert [e["extensions"]["field"] for e in body["errors"]] == ["input.username", "input.extension", "input.email"]
    assert all(e["path"] == ["createUser"] for e in body["errors"])
    group = gid(Kind.GROUP, "1")
    body = await client.execute(
        "mutation($id: ID!, $m: [MemberInput!]!) { addMembers(id: $id, members: $m) { id } }",
        {"id": group, "m": [{"id": "junk"}, {"id": gid(Kind.USER, "1", "west")}, {"id": group, "priority": 2000}]},
    )
    fields = sorted(e["extensions"]["field"] for e in body["errors"])
    assert fields == ["members[0].id", "members[1].id", "members[2].priority"]
    body = await client.execute('mutation { updateUser(id: "junk", input: {extension: "1", email: "x"}) { id } }')
    assert sorted(e["extensions"]["field"] for e in body["errors"]) == ["id", "input.email", "input.extension"]
    assert sum(spy.total_calls for spy in env.spies.values()) == 0


INTROSPECTION = """
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
{ __schema {
    mutationType { fields(includeDeprecated: true) { name args(includeDeprecated: true) { name type { ...T } } } }
    types { name kind inputFields(includeDeprecated: true) { name type { ...T } } }
} }
"""


def _unwrapped(type_: dict[str, Any]) -> dict[str, Any]:
    while type_["kind"] == "NON_NULL":
        type_ = type_["ofType"]
    return type_


def path_exists(schema: dict[str, Any], mutation: str, path: str) -> bool:
    """Whether ``path`` (``input.changes[0].createUser.input.extension``) names an argument path of ``mutation``."""
    inputs = {t["name"]: t for t in schema["types"] if t["kind"] == "INPUT_OBJECT"}
    fields = {f["name"]: f for f in schema["mutationType"]["fields"]}
    tokens = re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\[\d+\]", path)
    if "".join(t if t.startswith("[") else "." + t for t in tokens).lstrip(".") != path:
        return False
    args = {a["name"]: a["type"] for a in fields[mutation]["args"]}
    if tokens[0] not in args:
        return False
    current = _unwrapped(args[tokens[0]])
    for token in tokens[1:]:
        if token.startswith("["):
            if current["kind"] != "LIST":
                return False
            current = _unwrapped(current["ofType"])
        else:
            if current["kind"] != "INPUT_OBJECT":
                return False
            named = {f["name"]: f["type"] for f in inputs[current["name"]]["inputFields"]}
            if token not in named:
                return False
            current = _unwrapped(named[token])
    return True


async def test_every_error_path_of_a_failing_mutation_exists_in_the_schema(client: GraphQLTestClient) -> None:
    schema = (await client.data(INTROSPECTION))["__schema"]
    ann = await user(client, "ann.p", "7301")
    west = await user(client, "wes.p", "7302", backend="west")
    group = gid(Kind.GROUP, "1")
    queue = gid(Kind.QUEUE, "1")
    device = (
        await client.data('mutation { createDevice(backend: "east", input: {mac: "00:04:f2:73:00:01"}) { id } }')
    )["createDevice"]["id"]
    failing: list[tuple[str, dict[str, Any]]] = [
        ('mutation { createUser(backend: "east", input: {username: "-", extension: "1", email: "x"}) { id } }', {}),
        ('mutation { createUser(backend: "east", input: {username: "ann.p"}) { id } }', {}),
        ('mutation { createUser(backend: "east", input: {username: "zed.p", extension: "7301"}) { id } }', {}),
        ('mutation { createUser(backend: "nowhere", input: {username: "x"}) { id } }', {}),
        ("mutation($u: ID!) { updateUser(id: $u, input: {}) { id } }", {"u": ann}),
        ('mutation { createTrunk(backend: "east", input: {name: " ", host: "bad host!", port: 0}) { id } }', {}),
        (
            'mutation($m: [ID!]) { createGroup(backend: "east", input: {name: "g", memberIds: $m}) { id } }',
            {"m": [west, "junk"]},
        ),
        (
            'mutation($m: [MemberInput!]) { createGroup(backend: "east", input: {name: "g", members: $m}) { id } }',
            {"m": [{"id": west}, {"id": ann, "priority": 1}]},
        ),
        (
            'mutation($m: [QueueMemberInput!]!) { createQueue(backend: "east", input: {name: "q", members: $m}) { id } }',
            {"m": [{"id": device}, {"id": west}, {"id": ann, "priority": -1}]},
        ),
        (
            "mutation($g: ID!, $u: [ID!]!) { addGroupMembers(groupId: $g, userIds: $u) { id } }",
            {"g": group, "u": [west, "junk"]},
        ),
        (
            "mutation($q: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $q, members: $m) { id } }",
            {"q": queue, "m": [{"id": device}]},
        ),
        (
            "mutation($id: ID!, $m: [MemberInput!]!) { addMembers(id: $id, members: $m) { id } }",
            {"id": group, "m": [{"id": west}, {"id": queue}, {"id": ann, "priority": 3}]},
        ),
        (
            "mutation($id: ID!, $m: [MemberInput!]!) { removeMembers(id: $id, members: $m) { id } }",
            {"id": queue, "m": [{"id": ann}]},
        ),
        (
            "mutation($id: ID!, $m: [MemberInput!]!) { setMembers(id: $id, members: $m) { id } }",
            {"id": device, "m": []},
        ),
        ("mutation($d: ID!, $u: ID!) { assignDevice(deviceId: $d, userId: $u) { id } }", {"d": device, "u": west}),
        ("mutation($d: ID!, $u: ID!) { assignDevice(id: $d, userId: $u) { id } }", {"d": device, "u": "junk"}),
        ("mutation($d: ID!) { assignDevice(userId: $d) { id } }", {"d": ann}),
        ('mutation { createDevice(backend: "east", input: {mac: "zz", userId: "junk"}) { id } }', {}),
        ("mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": gid(Kind.USER, "99999")}),
        (
            "mutation($i: ApplyChangesInput!) { applyChanges(input: $i) { status } }",
            {
                "i": {
                    "changes": [
                        {"createUser": {"backend": "east", "input": {"username": "-", "extension": "7301"}}},
                        {"addMembers": {"id": group, "members": [{"id": west}, {"id": "ref:nobody"}]}},
                        {"setMembers": {"id": queue, "members": [{"id": device}, {"id": ann, "priority": 7000}]}},
                        {"assignDevice": {"id": device, "userId": west}},
                        {"assignDevice": {"deviceId": "junk", "userId": ann}},
                        {"createGroup": {"backend": "east", "input": {"name": "", "memberIds": ["junk"]}}},
                        {"deleteDevice": {"id": gid(Kind.DEVICE, "99999")}},
                    ]
                }
            },
        ),
    ]
    seen = 0
    for query, variables in failing:
        body = await client.execute(query, variables)
        assert body.get("errors"), query
        mutation = re.search(r"\{\s*(\w+)\(", query).group(1)  # type: ignore[union-attr]
        for error in body["errors"]:
            field = error["extensions"].get("field")
            if field is None:
                continue
            seen += 1
            assert path_exists(schema, mutation, field), (query, field, error["message"])
            assert error["message"].startswith(f"{field}:"), (field, error["message"])
    assert seen >= 30


async def test_a_conflict_on_an_extension_names_its_owner(client: GraphQLTestClient) -> None:
    ann = await user(client, "ann.c", "7401")
    body = await client.execute(
        'mutation { createUser(backend: "east", input: {username: "x.c", extension: "7401"}) { id } }'
    )
    assert error_codes(body) == ["CONFLICT"]
    owner = body["errors"][0]["extensions"]["owner"]
    assert owner == {"kind": "USER", "id": ann, "backend": "east", "name": "ann.c"}
    assert f"user 'ann.c', id {ann}" in body["errors"][0]["message"]
    other = await user(client, "bob.c", "7402")
    body = await client.execute(
        'mutation($id: ID!) { updateUser(id: $id, input: {extension: "7401"}) { id } }', {"id": other}
    )
    assert error_codes(body) == ["CONFLICT"] and body["errors"][0]["extensions"]["owner"]["id"] == ann
    body = await client.execute(
        "mutation($i: ApplyChangesInput!) { applyChanges(input: $i) { status problems { code field } } }",
        {"i": {"changes": [{"createUser": {"backend": "west", "input": {"username": "y.c", "extension": "7401"}}}]}},
    )
    assert body["data"]["applyChanges"]["problems"] == [
        {"code": "CONFLICT", "field": "input.changes[0].createUser.input.extension"}
    ]
    assert body["errors"][0]["extensions"]["owner"] == {"kind": "USER", "id": ann, "backend": "east"}
    assert ann in body["errors"][0]["message"]


async def test_users_by_username_and_devices_by_mac_exactly(client: GraphQLTestClient) -> None:
    ann = await user(client, "ann.l", "7501")
    await user(client, "ann.lee", "7502")
    device = (
        await client.data('mutation { createDevice(backend: "west", input: {mac: "00:04:f2:75:00:01"}) { id } }')
    )["createDevice"]["id"]
    data = await client.data(
        '{ a: userByUsername(backend: "east", username: "ann.l") { id username } '
        'b: userByUsername(backend: "east", username: "ann") { id } '
        'c: userByUsername(backend: "west", username: "ann.l") { id } '
        'd: deviceByMac(mac: "0004.F275.0001") { id mac backend } '
        'e: deviceByMac(mac: "00-04-f2-75-00-02") { id } '
        'f: deviceByMac(mac: "00:04:f2:75:00:01", backends: ["east"]) { id } }'
    )
    assert data == {
        "a": {"id": ann, "username": "ann.l"},
        "b": None,
        "c": None,
        "d": {"id": device, "mac": "00:04:f2:75:00:01", "backend": "west"},
        "e": None,
        "f": None,
    }
    body = await client.execute(
        '{ deviceByMac(mac: "nope") { id } userByUsername(backend: "mars", username: "x") { id } }'
    )
    assert sorted(e["extensions"]["field"] for e in body["errors"]) == ["backend", "mac"]


async def test_a_delete_may_say_if_exists(client: GraphQLTestClient) -> None:
    ann = await user(client, "ann.d", "7601")
    query = "mutation($id: ID!, $e: Boolean!) { deleteUser(id: $id, ifExists: $e) { deletedId deleted } }"
    assert (await client.data(query, {"id": ann, "e": True}))["deleteUser"] == {"deletedId": ann, "deleted": True}
    assert (await client.data(query, {"id": ann, "e": True}))["deleteUser"] == {"deletedId": ann, "deleted": False}
    body = await client.execute(query, {"id": ann, "e": False})
    assert error_codes(body) == ["NOT_FOUND"]
    body = await client.execute("mutation($id: ID!) { deleteUser(id: $id) { deleted } }", {"id": ann})
    assert error_codes(body) == ["NOT_FOUND"]
    batch = await client.data(
        "mutation($i: ApplyChangesInput!) { applyChanges(input: $i) { status changes { status } } }",
        {"i": {"changes": [{"deleteUser": {"id": ann, "ifExists": True}}]}},
    )
    assert batch["applyChanges"] == {"status": "APPLIED", "changes": [{"status": "UNCHANGED"}]}
    bob = await user(client, "bob.d", "7602")
    batch = await client.data(
        "mutation($i: ApplyChangesInput!) { applyChanges(input: $i) { status changes { status } } }",
        {"i": {"changes": [{"deleteUser": {"id": bob}}, {"deleteUser": {"id": bob, "ifExists": True}}]}},
    )
    assert batch["applyChanges"] == {"status": "APPLIED", "changes": [{"status": "APPLIED"}, {"status": "UNCHANGED"}]}


async def test_apply_changes_speaks_the_same_vocabulary(client: GraphQLTestClient) -> None:
    batch = await client.data(
        "mutation($i: ApplyChangesInput!) { applyChanges(input: $i) { status changes { operation status id } } }",
        {
            "i": {
                "changes": [
                    {
                        "ref": "ann",
                        "createUser": {"backend": "east", "input": {"username": "ann.b", "extension": "7701"}},
                    },
                    {
                        "ref": "bob",
                        "createUser": {"backend": "east", "input": {"username": "bob.b", "extension": "7702"}},
                    },
                    {
                        "ref": "g",
                        "createGroup": {"backend": "east", "input": {"name": "B", "members": [{"id": "ref:ann"}]}},
                    },
                    {"ref": "q", "createQueue": {"backend": "east", "input": {"name": "BQ"}}},
                    {"addMembers": {"id": "ref:g", "members": [{"id": "ref:bob"}]}},
                    {"addMembers": {"id": "ref:q", "members": [{"id": "ref:g"}, {"id": "ref:ann", "priority": 4}]}},
                    {"removeMembers": {"id": "ref:q", "members": [{"id": "ref:g"}]}},
                    {"ref": "d", "createDevice": {"backend": "east", "input": {"mac": "00:04:f2:77:00:01"}}},
                    {"assignDevice": {"id": "ref:d", "userId": "ref:bob"}},
                ]
            }
        },
    )
    result = batch["applyChanges"]
    assert result["status"] == "APPLIED", result
    ids = {c["operation"]: c["id"] for c in result["changes"]}
    group, queue = result["changes"][2]["id"], result["changes"][3]["id"]
    check = await client.data(
        "query($g: ID!, $q: ID!, $d: ID!) { g: node(id: $g) { ... on Group { members { member { ... on User "
        "{ username } } } } } q: node(id: $q) { ... on Queue { members { priority member { ... on User "
        "{ username } } } } } d: node(id: $d) { ... on Device { user { username } } } }",
        {"g": group, "q": queue, "d": ids["createDevice"]},
    )
    assert check["g"]["members"] == [{"member": {"username": "ann.b"}}, {"member": {"username": "bob.b"}}]
    assert check["q"]["members"] == [{"priority": 4, "member": {"username": "ann.b"}}]
    assert check["d"]["user"] == {"username": "bob.b"}
    # the older items still plan and apply
    old = await client.data(
        "mutation($i: ApplyChangesInput!) { applyChanges(input: $i) { status } }",
        {
            "i": {
                "changes": [
                    {"setGroupMembers": {"id": group, "memberIds": [check and result["changes"][0]["id"]]}},
                    {"setQueueMembers": {"id": queue, "members": [{"id": group}]}},
                    {"unassignDevice": {"deviceId": ids["createDevice"]}},
                ]
            }
        },
    )
    assert old["applyChanges"]["status"] == "APPLIED"
