"""A batch of changes is planned whole: the plan per backend with before and after values, and no write on a dry run.

The emulators' recorders and the local store's spy prove that a dry run
only reads; applying the same batch then writes exactly what the plan said.
"""

from __future__ import annotations

from typing import Any

from tests.changes.conftest import LOCAL, NO_WRITES, READS, Stack


def field(change: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [f for f in change["fields"] if f["field"] == name]
    return found


async def _batch(stack: Stack) -> tuple[list[dict[str, Any]], dict[str, str]]:
    office = await stack.ids("users", LOCAL)
    sales = (await stack.ids("groups", "sipxcom", "name"))["sales"]
    era_devices = await stack.ids("devices", "era", "mac")
    changes = [
        {"ref": "jane", "createUser": {"backend": LOCAL, "input": {
            "username": "jane", "displayName": "Jane Doe", "extension": "7101", "sipPassword": "Jane-Pass-1"}}},
        {"createDevice": {"backend": LOCAL, "input": {"mac": "00:04:F2:AA:BB:01", "userId": "ref:jane"}}},
        {"updateUser": {"id": office["ahughes"], "input": {
            "displayName": "Amelia H.", "email": "ahughes@example.com"}}},
        {"ref": "sam", "createUser": {"backend": "sipxcom", "input": {"username": "sam", "extension": "7102"}}},
        {"addGroupMembers": {"id": sales, "memberIds": ["ref:sam"]}},
        {"deleteDevice": {"id": era_devices["80:5e:c0:d5:25:cb"]}},
    ]  # fmt: skip
    return changes, {"ahughes": office["ahughes"], "sales": sales, "device": era_devices["80:5e:c0:d5:25:cb"]}


async def test_a_dry_run_answers_the_plan_per_backend_and_writes_nothing(stack: Stack) -> None:
    changes, ids = await _batch(stack)
    stack.reset()
    body = await stack.apply(changes, dryRun=True)
    assert "errors" not in body
    plan = body["data"]["applyChanges"]
    assert plan["status"] == "PLANNED" and plan["dryRun"] is True
    assert stack.writes() == NO_WRITES
    assert plan["counts"]["planned"] == 6 and plan["problems"] == []
    jane, phone, amelia, sam, sales, device = plan["changes"]
    assert [c["status"] for c in plan["changes"]] == ["PLANNED"] * 6
    assert jane["action"] == "CREATE" and jane["backend"] == LOCAL and jane["id"] is None
    assert field(jane, "sipPassword") == {"field": "sipPassword", "before": None, "after": None, "secret": True}
    assert field(jane, "extension") == {"field": "extension", "before": None, "after": "7101", "secret": False}
    assert field(phone, "mac")["after"] == "00:04:f2:aa:bb:01"
    assert field(phone, "user")["after"] == "ref:jane" and phone["dependsOn"] == [0]
    # An update shows the fields it changes, as the backend holds them now; the e-mail it repeats is no change.
    assert amelia["id"] == ids["ahughes"] and amelia["fields"] == [
        {"field": "displayName", "before": "Amelia Hughes", "after": "Amelia H.", "secret": False}
    ]
    members = field(sales, "members")
    assert members["after"] == [*members["before"], "ref:sam"] and len(members["before"]) == 2
    assert sales["dependsOn"] == [3] and sam["backend"] == "sipxcom"
    assert device["action"] == "DELETE" and field(device, "mac") == {
        "field": "mac", "before": "80:5e:c0:d5:25:cb", "after": None, "secret": False}  # fmt: skip
    assert {b["backend"]: [c["index"] for c in b["changes"]] for b in plan["backends"]} == {
        LOCAL: [0, 1, 2],
        "sipxcom": [3, 4],
        "era": [5],
    }
    # Nothing happened: the objects are as they were.
    after = await stack.client.data(
        'query($id: ID!) { node(id: $id) { ... on User { displayName } } directory(number: "7101") { entries { backend } } }',
        {"id": ids["ahughes"]},
    )
    assert after == {"node": {"displayName": "Amelia Hughes"}, "directory": {"entries": []}}


async def test_applying_the_batch_writes_what_the_plan_said_and_answers_the_new_ids(stack: Stack) -> None:
    changes, ids = await _batch(stack)
    stack.reset()
    body = await stack.apply(changes)
    assert "errors" not in body, body["errors"]
    result = body["data"]["applyChanges"]
    assert result["status"] == "APPLIED" and result["counts"]["applied"] == 6
    jane, phone, _, sam, _, _ = result["changes"]
    assert jane["id"] is not None and phone["id"] is not None and sam["id"] is not None
    # Exactly one write per change: two creates and an update on the store, a user and a member on sipXcom,
    # and the phone taken off its Era user.
    writes = stack.writes()
    assert writes[LOCAL] == 3 and writes["infinity"] == 0
    assert [m for m, _ in stack.requests("era") if m not in READS] == ["PATCH"]
    assert [m for m, _ in stack.requests("sipxcom") if m not in READS] == ["PUT", "PUT"]
    data = await stack.client.data(
        "query($phone: ID!, $sales: ID!, $amelia: ID!, $gone: ID!) {"
        " phone: node(id: $phone) { ... on Device { mac user { id username } } }"
        " sales: node(id: $sales) { ... on Group { members { user { id } } } }"
        " amelia: node(id: $amelia) { ... on User { displayName } }"
        " gone: node(id: $gone) { id } }",
        {"phone": phone["id"], "sales": ids["sales"], "amelia": ids["ahughes"], "gone": ids["device"]},
    )
    assert data["phone"] == {"mac": "00:04:f2:aa:bb:01", "user": {"id": jane["id"], "username": "jane"}}
    assert data["sales"]["members"][-1] == {"user": {"id": sam["id"]}}
    assert data["amelia"] == {"displayName": "Amelia H."} and data["gone"] is None


async def test_a_change_to_what_the_object_already_holds_is_unchanged_and_calls_no_backend(stack: Stack) -> None:
    office = await stack.ids("users", LOCAL)
    sales = (await stack.ids("groups", "sipxcom", "name"))["sales"]
    members = await stack.client.data(
        "query($id: ID!) { node(id: $id) { ... on Group { members { user { id } } } } }", {"id": sales}
    )
    same_members = [m["user"]["id"] for m in members["node"]["members"]]
    stack.reset()
    body = await stack.apply(
        [
            {"updateUser": {"id": office["ahughes"], "input": {"displayName": "Amelia Hughes", "extension": "201"}}},
            {"setGroupMembers": {"id": sales, "memberIds": same_members}},
        ]
    )
    result = body["data"]["applyChanges"]
    assert result["status"] == "APPLIED" and "errors" not in body
    assert [(c["status"], c["action"], c["fields"]) for c in result["changes"]] == [("UNCHANGED", None, [])] * 2
    assert stack.writes() == NO_WRITES


async def test_refs_may_point_forward_and_the_batch_applies_what_they_name_first(stack: Stack) -> None:
    body = await stack.apply(
        [
            {"createGroup": {"backend": LOCAL, "input": {"name": "Night shift", "extension": "7150",
                                                         "memberIds": ["ref:owl", "ref:bat"]}}},
            {"ref": "owl", "createUser": {"backend": LOCAL, "input": {"username": "owl", "extension": "7151"}}},
            {"ref": "bat", "createUser": {"backend": LOCAL, "input": {"username": "bat", "extension": "7152"}}},
        ]
    )  # fmt: skip
    result = body["data"]["applyChanges"]
    assert result["status"] == "APPLIED" and result["order"] == [1, 2, 0]
    group, owl, bat = result["changes"]
    assert group["dependsOn"] == [1, 2]
    members = await stack.client.data(
        "query($id: ID!) { node(id: $id) { ... on Group { members { user { id } } } } }", {"id": group["id"]}
    )
    assert [m["user"]["id"] for m in members["node"]["members"]] == [owl["id"], bat["id"]]


async def test_a_number_freed_by_a_later_change_is_taken_after_it(stack: Stack) -> None:
    """The new user wants 221, which the delete listed after it frees: the delete goes first."""
    office = await stack.ids("users", LOCAL)
    body = await stack.apply(
        [
            {"createUser": {"backend": LOCAL, "input": {"username": "newcomer", "extension": "221"}}},
            {"deleteUser": {"id": office["arossi"]}},
        ]
    )
    result = body["data"]["applyChanges"]
    assert result["status"] == "APPLIED", result
    assert result["order"] == [1, 0] and result["changes"][0]["dependsOn"] == [1]
    owner = await stack.client.data(
        '{ directory(number: "221") { entries { backend owner { ... on User { username } } } } }'
    )
    assert {"backend": LOCAL, "owner": {"username": "newcomer"}} in owner["directory"]["entries"]


async def test_a_second_change_of_one_object_sees_it_as_the_first_leaves_it(stack: Stack) -> None:
    office = await stack.ids("users", LOCAL)
    body = await stack.apply(
        [
            {"updateUser": {"id": office["ahughes"], "input": {"displayName": "Step One"}}},
            {"updateUser": {"id": office["ahughes"], "input": {"displayName": "Step Two"}}},
        ],
        dryRun=True,
    )
    first, second = body["data"]["applyChanges"]["changes"]
    assert first["fields"][0]["before"] == "Amelia Hughes" and first["fields"][0]["after"] == "Step One"
    assert second["fields"][0]["before"] == "Step One" and second["dependsOn"] == [0]
