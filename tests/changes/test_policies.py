"""onError: STOP, CONTINUE and ROLLBACK, with a vendor that fails one write; and what a rollback takes back.

The batches of the three policies run on one Era backend with one change in
flight at a time, so which changes had started when one failed is fixed.
The rollback tests read the backends afterwards: what was applied is gone
again, members and a device's user are back in their order, and what could
not be undone is named.
"""

from __future__ import annotations

from typing import Any

import pytest

from pbxgraph.config import LimitsConfig
from pbxgraph.emulators.toolkit import Fault, FaultKind
from tests.changes.conftest import LOCAL, Stack, Start

ERA_USERS = "/rest/v1/uc/sipusers"


def broken(path: str, method: str, *, after: int = 0, times: int | None = 1) -> Fault:
    return Fault(
        kind=FaultKind.STATUS,
        method=method,
        path_prefix=path,
        status=500,
        after=after,
        times=times,
        body=b'{"error_code": 1000, "error_message": "storage failure"}',
        content_type="application/json",
    )


def era_logins(stack: Stack) -> set[str]:
    return {row["login"] for row in stack.emulators["era"].state.collections["sipusers"].values()}


BATCH = [
    {"ref": "a", "createUser": {"backend": "era", "input": {"username": "pol.a", "extension": "7501"}}},
    {"ref": "b", "createUser": {"backend": "era", "input": {"username": "pol.b", "extension": "7502"}}},
    {"createDevice": {"backend": "era", "input": {"mac": "00:04:f2:00:75:02", "userId": "ref:b"}}},
    {"ref": "c", "createUser": {"backend": "era", "input": {"username": "pol.c", "extension": "7503"}}},
]


async def _run(start: Start, on_error: str) -> tuple[Stack, dict[str, Any]]:
    async with start(limits=LimitsConfig(change_concurrency=1)) as stack:
        stack.emulators["era"].faults.add(broken(ERA_USERS, "POST", after=1))  # the second user fails
        body = await stack.apply(BATCH, onError=on_error)
        return stack, body


def statuses(body: dict[str, Any]) -> list[str]:
    return [c["status"] for c in body["data"]["applyChanges"]["changes"]]


async def test_stop_starts_nothing_after_a_failure_and_keeps_what_was_applied(start: Start) -> None:
    stack, body = await _run(start, "STOP")
    result = body["data"]["applyChanges"]
    assert result["status"] == "FAILED"
    assert statuses(body) == ["APPLIED", "FAILED", "SKIPPED", "SKIPPED"]
    failed, device, last = result["changes"][1:]
    assert failed["error"]["code"] == "BACKEND_ERROR" and failed["error"]["backend"] == "era"
    assert device["note"] == "not applied: it depends on changes[1] (ref 'b'), which did not apply"
    assert last["note"] == "not started: the batch stopped when changes[1] (ref 'b') failed"
    assert [(e["extensions"]["code"], e["extensions"]["item"], e["extensions"]["ref"]) for e in body["errors"]] == [
        ("BACKEND_ERROR", 1, "b")
    ]
    assert {"pol.a", "pol.b", "pol.c"} & era_logins(stack) == {"pol.a"}


async def test_continue_goes_on_with_what_does_not_depend_on_the_failure(start: Start) -> None:
    stack, body = await _run(start, "CONTINUE")
    assert body["data"]["applyChanges"]["status"] == "FAILED"
    assert statuses(body) == ["APPLIED", "FAILED", "SKIPPED", "APPLIED"]
    assert {"pol.a", "pol.b", "pol.c"} & era_logins(stack) == {"pol.a", "pol.c"}
    assert stack.emulators["era"].recorder.count("POST", ERA_USERS) == 3


async def test_rollback_undoes_what_was_applied(start: Start) -> None:
    stack, body = await _run(start, "ROLLBACK")
    result = body["data"]["applyChanges"]
    assert result["status"] == "ROLLED_BACK"
    assert statuses(body) == ["UNDONE", "FAILED", "SKIPPED", "SKIPPED"]
    undone = result["changes"][0]
    assert undone["undo"]["undone"] is True and undone["undo"]["message"].startswith("the user it created (")
    assert {"pol.a", "pol.b", "pol.c"} & era_logins(stack) == set()
    assert result["counts"]["undone"] == 1


async def _snapshot(stack: Stack, ids: dict[str, str]) -> dict[str, Any]:
    return await stack.client.data(
        "query($amelia: ID!, $sales: ID!, $hunt: ID!, $reception: ID!, $desk: ID!) {"
        " amelia: node(id: $amelia) { ... on User { displayName extension } }"
        " sales: node(id: $sales) { ... on Group { members { user { id } } } }"
        " hunt: node(id: $hunt) { ... on Queue { members { priority member { ... on Node { id } } } } }"
        " reception: node(id: $reception) { ... on Group { members { number user { id } } } }"
        " desk: node(id: $desk) { ... on Device { user { id } } }"
        " users(first: 500) { totalCount } devices(first: 500) { totalCount } }",
        ids,
    )


async def test_rollback_takes_back_creates_updates_members_and_assignments_across_backends(stack: Stack) -> None:
    office = await stack.ids("users", LOCAL)
    era_users = await stack.ids("users", "era")
    ids = {
        "amelia": office["ahughes"],
        "sales": (await stack.ids("groups", LOCAL, "name"))["Sales"],
        "hunt": (await stack.ids("queues", "sipxcom", "name"))["helpdesk"],
        "reception": (await stack.ids("groups", "era", "name"))["Reception"],
        "desk": (await stack.ids("devices", LOCAL, "mac"))["80:5e:c0:00:01:07"],
    }
    before = await _snapshot(stack, ids)
    hunt_members = [m["member"]["id"] for m in before["hunt"]["members"]]
    era_phone = (await stack.ids("devices", "era", "mac"))["80:5e:c0:d5:25:cb"]
    stack.emulators["era"].faults.add(broken(ERA_USERS + "/", "PATCH", times=None))  # taking the phone off fails
    body = await stack.apply(
        [
            {"ref": "rb", "createUser": {"backend": LOCAL, "input": {"username": "rb.user", "extension": "7601"}}},
            {"createDevice": {"backend": LOCAL, "input": {"mac": "00:04:f2:00:76:01", "userId": "ref:rb"}}},
            {"updateUser": {"id": ids["amelia"], "input": {"displayName": "Amelia X", "extension": "7602"}}},
            {"addGroupMembers": {"id": ids["sales"], "memberIds": ["ref:rb"]}},
            {"setQueueMembers": {"id": ids["hunt"], "members": [{"id": m} for m in reversed(hunt_members)]}},
            {"setGroupMembers": {"id": ids["reception"], "memberIds": [era_users["boris.ivanov"]]}},
            {"assignDevice": {"deviceId": ids["desk"], "userId": ids["amelia"]}},
            {"deleteDevice": {"id": era_phone}},
        ],
        onError="ROLLBACK",
    )
    result = body["data"]["applyChanges"]
    # With ROLLBACK the delete, which no rollback could bring back, runs after everything else: last, and failing.
    assert result["order"][-1] == 7 and set(result["changes"][7]["dependsOn"]) == set(range(7))
    assert statuses(body) == ["UNDONE"] * 7 + ["FAILED"], result["changes"]
    assert result["status"] == "ROLLED_BACK"
    assert [c["undo"]["message"] for c in result["changes"][2:7]] == [
        "fields put back: displayName, extension",
        "the group's users are as they were",
        "the queue's members are as they were",
        "the group's users are as they were",
        "the device's user is as it was",
    ]
    assert await _snapshot(stack, ids) == before


async def test_what_a_rollback_cannot_take_back_is_named(stack: Stack) -> None:
    sipx_users = await stack.ids("users", "sipxcom")
    era_phone = (await stack.ids("devices", "era", "mac"))["80:5e:c0:d5:25:cb"]
    era = stack.emulators["era"]
    era.faults.add(broken(ERA_USERS + "/", "PATCH", times=None))  # the last change fails
    era.faults.add(broken(ERA_USERS + "/", "DELETE", times=None))  # and so does deleting the user made
    body = await stack.apply(
        [
            {"updateUser": {"id": sipx_users["200"], "input": {"displayName": "Al", "sipPassword": "New-Pass-9"}}},
            {"createUser": {"backend": "era", "input": {"username": "stays", "extension": "7611"}}},
            {"deleteDevice": {"id": era_phone}},
        ],
        onError="ROLLBACK",
    )
    result = body["data"]["applyChanges"]
    assert result["status"] == "ROLLBACK_INCOMPLETE"
    password, stays, _ = result["changes"]
    assert password["status"] == "NOT_UNDONE" and password["undo"] == {
        "undone": False,
        "message": "fields put back: displayName; sipPassword stays as set (write-only: its old value cannot be "
        "read, so cannot be put back)",
    }
    assert stays["status"] == "NOT_UNDONE" and stays["undo"]["message"].startswith("could not be undone: BACKEND_ERROR")
    assert "stays" in era_logins(stack)
    name = await stack.client.data(
        "query($id: ID!) { node(id: $id) { ... on User { displayName } } }", {"id": sipx_users["200"]}
    )
    assert name == {"node": {"displayName": "Alice Smith"}}


@pytest.mark.parametrize("policy", ["STOP", "CONTINUE", "ROLLBACK"])
async def test_a_batch_that_applies_whole_is_applied_under_every_policy(stack: Stack, policy: str) -> None:
    body = await stack.apply(
        [{"createUser": {"backend": LOCAL, "input": {"username": f"whole.{policy.lower()}", "extension": "7621"}}}],
        onError=policy,
    )
    assert body["data"]["applyChanges"]["status"] == "APPLIED" and "errors" not in body
