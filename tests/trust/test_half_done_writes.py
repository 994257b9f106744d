"""A change of several vendor calls that fails half-way: undone where the vendor allows, else told exactly.

Each test fails one call in the middle of a change (``after`` lets the first
matching calls through) and then reads the emulator's own state: what was
done is gone again, and the error says ``undone: true``; where undoing fails
too, the error names what is left (``undone: false``, ``remains``).
"""

from __future__ import annotations

from typing import Any

from pbxgraph.domain import Kind
from pbxgraph.emulators.era.seed import USERS as ERA_USERS
from pbxgraph.emulators.toolkit import Fault, FaultKind
from pbxgraph.ids import encode_id
from tests.trust.conftest import Running, Vendors

INF = "/config/v2.1/sip/domains/1"
ERA = "/rest/v1/uc"
SIPX_API = "/sipxconfig/api"
SIPX_REST = "/sipxconfig/rest"


def gid(kind: Kind, backend: str, native: str) -> str:
    return encode_id(kind, backend, native)


def failed(body: dict[str, Any], *, undone: bool) -> dict[str, Any]:
    (error,) = body["errors"]
    assert error["extensions"]["undone"] is undone, error
    assert "failed half-way" in error["message"]
    return error


def broken(path: str, method: str, *, after: int = 0, times: int | None = 1) -> Fault:
    return Fault(
        kind=FaultKind.STATUS,
        method=method,
        path_prefix=path,
        status=500,
        after=after,
        times=times,
        body=b'{"error": "internal", "message": "storage failure"}',
        content_type="application/json",
    )


# --- Infinity ----------------------------------------------------------------------------------------------


async def test_infinity_a_device_whose_user_link_fails_is_deleted_again(vendors: Vendors, running: Running) -> None:
    state = vendors.infinity.state
    devices_before = len(state.devices.rows)
    vendors.infinity.faults.add(broken(f"{INF}/users/5/devices", "POST"))
    async with running(vendors.backend("infinity")) as client:
        body = await client.execute(
            'mutation($u: ID!) { createDevice(backend: "infinity", input: '
            '{mac: "00:04:f2:00:00:77", userId: $u}) { id } }',
            {"u": gid(Kind.USER, "infinity", "1-5")},
        )
    error = failed(body, undone=True)
    assert error["extensions"]["code"] == "BACKEND_ERROR" and "remains" not in error["extensions"]
    assert len(state.devices.rows) == devices_before
    assert all(row["deviceMacAddress"] != "00:04:F2:00:00:77" for row in state.devices)
    assert vendors.infinity.recorder.count("DELETE", f"{INF}/devices/") == 1


async def test_infinity_a_change_made_whole_but_not_read_back_says_what_exists(
    vendors: Vendors, running: Running
) -> None:
    state = vendors.infinity.state
    new_device = max(state.devices.rows) + 1
    vendors.infinity.faults.add(broken(f"{INF}/devices/{new_device}", "GET", times=None))
    async with running(vendors.backend("infinity")) as client:
        body = await client.execute(
            'mutation($u: ID!) { createDevice(backend: "infinity", input: '
            '{mac: "00:04:f2:00:00:78", userId: $u}) { id } }',
            {"u": gid(Kind.USER, "infinity", "1-5")},
        )
    error = failed(body, undone=False)
    (made,) = error["extensions"]["remains"]
    assert made["nativeId"] == f"1-{new_device}"
    assert made["state"] == f"device 1-{new_device} created and assigned to user 1-5"
    assert made["id"] == gid(Kind.DEVICE, "infinity", f"1-{new_device}")
    assert state.devices.rows[new_device]["userId"] == "5"  # nothing undone: the change was whole


async def test_infinity_a_queue_whose_second_member_fails_is_deleted_again(vendors: Vendors, running: Running) -> None:
    state = vendors.infinity.state
    new_queue = max(state.queues.rows) + 1
    vendors.infinity.faults.add(broken(f"{INF}/queues/{new_queue}/members", "POST", after=1))
    async with running(vendors.backend("infinity")) as client:
        body = await client.execute(
            'mutation($a: ID!, $b: ID!) { createQueue(backend: "infinity", input: {name: "Night", extension: "4599",'
            " members: [{id: $a}, {id: $b}]}) { id } }",
            {"a": gid(Kind.GROUP, "infinity", "1-1"), "b": gid(Kind.GROUP, "infinity", "1-3")},
        )
    failed(body, undone=True)
    assert new_queue not in state.queues.rows
    assert [r for r in state.queue_members if r["queueId"] == str(new_queue)] == []
    assert vendors.infinity.recorder.count("POST", f"{INF}/queues/{new_queue}/members") == 2


async def test_infinity_a_queue_that_cannot_be_deleted_again_is_named_with_its_id(
    vendors: Vendors, running: Running
) -> None:
    state = vendors.infinity.state
    new_queue = max(state.queues.rows) + 1
    vendors.infinity.faults.add(broken(f"{INF}/queues/{new_queue}/members", "POST", times=None))
    vendors.infinity.faults.add(broken(f"{INF}/queues/{new_queue}", "DELETE"))
    async with running(vendors.backend("infinity")) as client:
        body = await client.execute(
            'mutation($a: ID!) { createQueue(backend: "infinity", input: {name: "Night", extension: "4599",'
            " members: [{id: $a}]}) { id } }",
            {"a": gid(Kind.GROUP, "infinity", "1-1")},
        )
        error = failed(body, undone=False)
        (left,) = error["extensions"]["remains"]
        assert left["kind"] == "queue" and left["nativeId"] == f"1-{new_queue}"
        assert "without all its members" in left["state"] and left["nativeId"] in error["message"]
        # What the error names is what exists, and can be cleaned up by its id.
        found = await client.data(
            "query($id: ID!) { node(id: $id) { ... on Queue { extension } } }", {"id": left["id"]}
        )
    assert found["node"] == {"extension": "4599"}
    assert state.queues.rows[new_queue]["extensionNumber"] == "4599"


async def test_infinity_queue_members_are_put_back_when_setting_them_fails(vendors: Vendors, running: Running) -> None:
    state = vendors.infinity.state

    def members() -> list[tuple[str | None, ...]]:
        return [(r["groupId"], r["ringStrategy"], r["ringAttempts"], r["ringSecs"]) for r in state.members_of_queue(1)]

    before = members()
    assert [m[0] for m in before] == ["1", "2"]
    vendors.infinity.faults.add(broken(f"{INF}/queues/1/members", "POST"))  # adding group 3 fails
    async with running(vendors.backend("infinity")) as client:
        body = await client.execute(
            "mutation($q: ID!, $a: ID!, $b: ID!) { setQueueMembers(queueId: $q, members: [{id: $a}, {id: $b}])"
            " { id } }",
            {
                "q": gid(Kind.QUEUE, "infinity", "1-1"),
                "a": gid(Kind.GROUP, "infinity", "1-3"),
                "b": gid(Kind.GROUP, "infinity", "1-1"),
            },
        )
    failed(body, undone=True)
    assert members() == before  # group 2 is back, with its own ring settings, in its old place
    assert vendors.infinity.recorder.count("DELETE", f"{INF}/queues/1/members/") == 1


async def test_infinity_a_device_moved_to_a_user_whose_link_fails_goes_back(vendors: Vendors, running: Running) -> None:
    state = vendors.infinity.state
    assert state.devices.rows[1]["userId"] == "1"
    vendors.infinity.faults.add(broken(f"{INF}/users/5/devices", "POST"))
    async with running(vendors.backend("infinity")) as client:
        body = await client.execute(
            "mutation($d: ID!, $u: ID!) { assignDevice(deviceId: $d, userId: $u) { id } }",
            {"d": gid(Kind.DEVICE, "infinity", "1-1"), "u": gid(Kind.USER, "infinity", "1-5")},
        )
    failed(body, undone=True)
    assert state.devices.rows[1]["userId"] == "1"


async def test_infinity_a_group_whose_members_fail_is_deleted_again(vendors: Vendors, running: Running) -> None:
    state = vendors.infinity.state
    new_group = max(state.groups.rows) + 1
    vendors.infinity.faults.add(broken(f"{INF}/groups/{new_group}/users", "POST"))
    async with running(vendors.backend("infinity")) as client:
        body = await client.execute(
            'mutation($a: ID!) { createGroup(backend: "infinity", input: {name: "night", extension: "4098",'
            " memberIds: [$a]}) { id } }",
            {"a": gid(Kind.USER, "infinity", "1-1")},
        )
    failed(body, undone=True)
    assert new_group not in state.groups.rows and state.members_of_group(new_group) == []


async def test_infinity_a_queue_renamed_and_restrategised_gets_its_members_ring_back(
    vendors: Vendors, running: Running
) -> None:
    state = vendors.infinity.state

    def rings() -> list[tuple[str | None, ...]]:
        return [(r["groupId"], r["ringStrategy"]) for r in state.members_of_queue(1)]

    before = rings()
    assert before == [("1", "all"), ("2", "huntLongestIdle")]
    # The member that rings "all" is changed first (let through), then the queue's own fields fail.
    vendors.infinity.faults.add(broken(f"{INF}/queues/1", "POST", after=1))
    async with running(vendors.backend("infinity")) as client:
        body = await client.execute(
            'mutation($q: ID!) { updateQueue(id: $q, input: {name: "sales-main", strategy: LONGEST_IDLE}) { id } }',
            {"q": gid(Kind.QUEUE, "infinity", "1-1")},
        )
    failed(body, undone=True)
    assert rings() == before and state.queues.rows[1]["queueName"] == "sales-queue"
    assert vendors.infinity.recorder.count("POST", f"{INF}/queues/1/members/1") == 2  # changed, then put back


# --- sipXcom -----------------------------------------------------------------------------------------------


async def test_sipxcom_a_group_whose_second_member_fails_is_undone_user_by_user(
    vendors: Vendors, running: Running
) -> None:
    state = vendors.sipxcom.state
    groups_before = {u.id: list(u.group_ids) for u in state.users.values()}
    group_ids_before = set(state.groups)
    vendors.sipxcom.faults.add(broken(f"{SIPX_REST}/user/5", "PUT"))  # user 3 is rewritten first, then 5 fails
    async with running(vendors.backend("sipxcom")) as client:
        body = await client.execute(
            'mutation($a: ID!, $b: ID!) { createGroup(backend: "sipxcom", input: {name: "night", '
            "memberIds: [$a, $b]}) { id } }",
            {"a": gid(Kind.USER, "sipxcom", "3"), "b": gid(Kind.USER, "sipxcom", "5")},
        )
    failed(body, undone=True)
    assert set(state.groups) == group_ids_before
    assert {u.id: list(u.group_ids) for u in state.users.values()} == groups_before
    assert vendors.sipxcom.recorder.count("PUT", f"{SIPX_REST}/user/3") == 2  # rewritten, then put back


async def test_sipxcom_a_trunk_whose_password_setting_fails_is_deleted_again(
    vendors: Vendors, running: Running
) -> None:
    state = vendors.sipxcom.state
    before = set(state.gateways)
    vendors.sipxcom.faults.add(broken(f"{SIPX_API}/gateways/", "PUT", after=1))  # the second setting fails
    async with running(vendors.backend("sipxcom")) as client:
        body = await client.execute(
            'mutation { createTrunk(backend: "sipxcom", input: {name: "carrier2", host: "sip.carrier.example", '
            'username: "acct", password: "Trunk-Pw-123", register: true}) { id } }'
        )
    failed(body, undone=True)
    assert set(state.gateways) == before
    assert "Trunk-Pw-123" not in str(body)


async def test_sipxcom_a_trunk_update_that_fails_half_way_is_sent_back(vendors: Vendors, running: Running) -> None:
    state = vendors.sipxcom.state
    trunk = state.gateways[1]
    address, user_name = trunk.address, trunk.settings["itsp-account/user-name"].value
    vendors.sipxcom.faults.add(broken(f"{SIPX_API}/gateways/1/settings/itsp-account/password", "PUT"))
    async with running(vendors.backend("sipxcom")) as client:
        body = await client.execute(
            'mutation($t: ID!) { updateTrunk(id: $t, input: {host: "sip2.carrier.example", username: "9999", '
            'password: "New-Trunk-Pw-1"}) { id } }',
            {"t": gid(Kind.TRUNK, "sipxcom", "1")},
        )
    failed(body, undone=True)
    trunk = state.gateways[1]
    assert (trunk.address, trunk.settings["itsp-account/user-name"].value) == (address, user_name)


async def test_sipxcom_a_hunt_group_made_but_not_read_back_is_named_with_its_id(
    vendors: Vendors, running: Running
) -> None:
    state = vendors.sipxcom.state
    new_hunt = max(state.hunt_groups) + 1
    vendors.sipxcom.faults.add(broken(f"{SIPX_API}/callgroups", "GET", times=None))
    async with running(vendors.backend("sipxcom")) as client:
        body = await client.execute(
            'mutation { createQueue(backend: "sipxcom", input: {name: "night", extension: "690"}) { id } }'
        )
    error = failed(body, undone=False)
    (made,) = error["extensions"]["remains"]
    assert (made["kind"], made["nativeId"], made["state"]) == ("queue", str(new_hunt), f"queue {new_hunt} created")
    assert made["id"] == gid(Kind.QUEUE, "sipxcom", str(new_hunt))
    assert "before that, the backend accepted" not in error["message"]  # told once, by the connector
    assert state.hunt_groups[new_hunt].extension == "690"  # nothing undone: the change was whole


# --- Era ---------------------------------------------------------------------------------------------------


async def test_era_a_phone_moved_to_a_user_is_given_back_when_its_old_owner_cannot_be_cleared(
    vendors: Vendors, running: Running
) -> None:
    state = vendors.era.state
    anna, elena = ERA_USERS[0][0], ERA_USERS[4][0]
    vendors.era.faults.add(broken(f"{ERA}/sipusers/{anna}", "PATCH"))
    async with running(vendors.backend("era")) as client:
        body = await client.execute(
            "mutation($d: ID!, $u: ID!) { assignDevice(deviceId: $d, userId: $u) { id } }",
            {"d": gid(Kind.DEVICE, "era", "805ec0d525ca"), "u": gid(Kind.USER, "era", elena)},
        )
    failed(body, undone=True)
    assert state.get("sipusers", anna)["opts"]["ap_mac_address"] == "805EC0D525CA"
    assert not state.get("sipusers", elena)["opts"].get("ap_mac_address")
    assert vendors.era.recorder.count("PATCH", f"{ERA}/sipusers/{elena}") == 2  # provisioned, then given back


# --- any connector ------------------------------------------------------------------------------------------


async def test_a_write_accepted_before_a_failed_read_back_is_told(vendors: Vendors, running: Running) -> None:
    """No connector step accounts for reading a new user back: the service still tells what the vendor took."""
    state = vendors.sipxcom.state
    vendors.sipxcom.faults.add(broken(f"{SIPX_REST}/user", "GET", times=None))
    async with running(vendors.backend("sipxcom")) as client:
        body = await client.execute(
            'mutation { createUser(backend: "sipxcom", input: {username: "reread", sipPassword: "Pw-1234567"}) { id } }'
        )
    error = failed_without_steps(body)
    assert error["extensions"]["remains"] == [{"state": "the backend accepted PUT /rest/user answered 201"}]
    assert any(u.user_name == "reread" for u in state.users.values())
    assert "Pw-1234567" not in str(body)


def failed_without_steps(body: dict[str, Any]) -> dict[str, Any]:
    (error,) = body["errors"]
    assert error["extensions"]["undone"] is False
    assert "before that, the backend accepted PUT /rest/user" in error["message"]
    return error
