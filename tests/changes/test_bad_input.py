"""A batch with any problem applies nothing and lists every problem, each naming its change and field.

Unknown refs, refs given twice and cycles are BAD_USER_INPUT naming the
change; a batch over ``[limits] max_changes`` is refused before any backend
is called.
"""

from __future__ import annotations

from typing import Any

from pbxgraph.config import LimitsConfig
from pbxgraph.domain import Kind
from pbxgraph.ids import encode_id
from tests.changes.conftest import APPLY, LOCAL, NO_WRITES, Stack, Start


def coded(body: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(e["extensions"]["code"], e["extensions"]["field"], e["extensions"]["item"]) for e in body["errors"]]


async def test_every_problem_of_every_change_is_listed_and_nothing_is_written(stack: Stack) -> None:
    office = await stack.ids("users", LOCAL)
    changes = [
        {"createUser": {"backend": LOCAL, "input": {"username": "ok.one", "extension": "12a"}}},
        {"createUser": {"backend": "nowhere", "input": {"username": "ok.two"}}},
        {"updateUser": {"id": "not-an-id", "input": {"displayName": ""}}},
        {"addGroupMembers": {"id": encode_id(Kind.GROUP, LOCAL, "1"), "memberIds": ["ref:ghost"]}},
        {"createUser": {"backend": "era", "input": {"username": "mailer", "email": "m@example.com"}}},
        {"createTrunk": {"backend": "infinity", "input": {"name": "t", "host": "sip.example.com"}}},
        {"createUser": {"backend": LOCAL, "input": {"username": "taker", "extension": "221"}}},
        {"deleteUser": {"id": encode_id(Kind.USER, LOCAL, "9999")}},
        {"ref": "fine", "createUser": {"backend": LOCAL, "input": {"username": "fine.one", "extension": "7201"}}},
    ]
    stack.reset()
    body = await stack.apply(changes)
    result = body["data"]["applyChanges"]
    assert result["status"] == "INVALID" and stack.writes() == NO_WRITES
    arossi = office["arossi"]
    assert coded(body) == [
        ("BAD_USER_INPUT", "input.changes[0].createUser.input.extension", 0),
        ("BAD_USER_INPUT", "input.changes[1].createUser.backend", 1),
        ("BAD_USER_INPUT", "input.changes[2].updateUser.id", 2),
        ("BAD_USER_INPUT", "input.changes[2].updateUser.input.displayName", 2),
        ("BAD_USER_INPUT", "input.changes[3].addGroupMembers.memberIds[0]", 3),
        ("NOT_SUPPORTED", "input.changes[4].createUser.input.email", 4),
        ("NOT_SUPPORTED", "input.changes[5]", 5),
        ("CONFLICT", "input.changes[6].createUser.input.extension", 6),
        ("NOT_FOUND", "input.changes[7].deleteUser.id", 7),
    ]
    conflict = body["errors"][7]["message"]
    assert "221 is not free" in conflict and "Ava Rossi" in conflict and arossi in conflict
    assert "no item of the batch has the ref 'ghost'" in body["errors"][4]["message"]
    assert [p["index"] for p in result["problems"]] == [0, 1, 2, 2, 3, 4, 5, 6, 7]
    assert [c["status"] for c in result["changes"]] == ["INVALID"] * 8 + ["SKIPPED"]
    assert result["changes"][8]["note"] == "not applied: other changes of the batch have problems"


async def test_a_dry_run_lists_the_problems_in_the_plan_only(stack: Stack) -> None:
    body = await stack.apply(
        [{"createUser": {"backend": LOCAL, "input": {"username": "x", "extension": "1"}}}], dryRun=True
    )
    assert "errors" not in body
    (problem,) = body["data"]["applyChanges"]["problems"]
    assert problem["code"] == "BAD_USER_INPUT" and problem["field"] == "input.changes[0].createUser.input.extension"
    assert problem["message"].startswith("input.changes[0].createUser.input.extension: must be 2 to 15 digits")


async def test_unknown_and_duplicate_refs_are_bad_user_input_naming_the_change(stack: Stack) -> None:
    body = await stack.apply(
        [
            {"ref": "a", "createUser": {"backend": LOCAL, "input": {"username": "ref.a", "extension": "7211"}}},
            {"ref": "a", "createUser": {"backend": LOCAL, "input": {"username": "ref.b", "extension": "7212"}}},
            {"createDevice": {"backend": LOCAL, "input": {"mac": "00:04:f2:00:72:13", "userId": "ref:nobody"}}},
            {"ref": "bad name!", "createUser": {"backend": LOCAL, "input": {"username": "ref.c"}}},
        ]
    )
    assert coded(body) == [
        ("BAD_USER_INPUT", "input.changes[1].ref", 1),
        ("BAD_USER_INPUT", "input.changes[2].createDevice.input.userId", 2),
        ("BAD_USER_INPUT", "input.changes[3].ref", 3),
    ]
    assert body["errors"][0]["message"] == "input.changes[1].ref: 'a' is already the ref of changes[0] (ref 'a')"
    assert body["errors"][0]["extensions"]["ref"] == "a"
    assert stack.writes() == NO_WRITES


async def test_changes_that_each_need_the_other_first_are_a_cycle_naming_both(stack: Stack) -> None:
    office = await stack.ids("users", LOCAL)
    extensions = {"arossi": "221", "amehta": "218"}
    body = await stack.apply(
        [  # a swap in one step: each takes the number the other frees
            {"updateUser": {"id": office["arossi"], "input": {"extension": extensions["amehta"]}}},
            {"updateUser": {"id": office["amehta"], "input": {"extension": extensions["arossi"]}}},
            {"ref": "x", "updateUser": {"id": "ref:y", "input": {"displayName": "X"}}},
            {"ref": "y", "updateUser": {"id": "ref:x", "input": {"displayName": "Y"}}},
        ]
    )
    assert coded(body) == [
        ("BAD_USER_INPUT", "input.changes[0]", 0),
        ("BAD_USER_INPUT", "input.changes[1]", 1),
        ("BAD_USER_INPUT", "input.changes[2]", 2),
        ("BAD_USER_INPUT", "input.changes[3]", 3),
    ]
    assert "changes[0] → changes[1] → changes[0]" in body["errors"][0]["message"]
    assert "changes[2] (ref 'x') → changes[3] (ref 'y')" in body["errors"][2]["message"]
    assert stack.writes() == NO_WRITES


async def test_a_batch_over_max_changes_is_refused_before_any_backend_call(start: Start) -> None:
    async with start(limits=LimitsConfig(max_changes=3)) as stack:
        changes = [
            {"createUser": {"backend": LOCAL, "input": {"username": f"many.{n}", "extension": f"73{n}0"}}}
            for n in range(4)
        ]
        stack.reset()
        body = await stack.apply(changes)
        (error,) = body["errors"]
        assert body.get("data") is None
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "limit": "max_changes", "max": 3, "got": 4}
        assert "limits.max_changes" in error["message"]
        # Aliases add up: two batches of two are four changes in one request.
        two = changes[:2]
        body = await stack.client.execute(
            "mutation($a: ApplyChangesInput!, $b: ApplyChangesInput!) {"
            " a: applyChanges(input: $a) { status } b: applyChanges(input: $b) { status } }",
            {"a": {"changes": two}, "b": {"changes": two}},
        )
        assert body["errors"][0]["extensions"]["got"] == 4
        assert sum(spy.total_calls for spy in stack.spies.values()) == 0
        assert all(not e.recorder.requests for e in stack.emulators.values())
        assert (await stack.apply(changes[:3], dryRun=True))["data"]["applyChanges"]["status"] == "PLANNED"


async def test_an_empty_batch_and_a_change_without_one_operation_are_bad_user_input(stack: Stack) -> None:
    empty = await stack.client.execute(APPLY, {"input": {"changes": []}})
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in empty["errors"]] == [
        ("BAD_USER_INPUT", "input.changes")
    ]
    body = await stack.apply(
        [{"ref": "two", "deleteUser": {"id": encode_id(Kind.USER, LOCAL, "1")},
          "deleteGroup": {"id": encode_id(Kind.GROUP, LOCAL, "1")}}]
    )  # fmt: skip
    assert coded(body) == [("BAD_USER_INPUT", "input.changes[0]", 0)]
    assert "given: deleteUser, deleteGroup" in body["errors"][0]["message"]
    assert stack.writes() == NO_WRITES


async def test_a_large_batch_weighs_in_max_cost_as_one_mutation(stack: Stack) -> None:
    """Its vendor calls grow with its changes, which max_changes bounds: 400 changes pass the default cost."""
    changes = [
        {"createUser": {"backend": LOCAL, "input": {"username": f"bulk.{n}", "extension": str(74000 + n)}}}
        for n in range(400)
    ]
    body = await stack.apply(changes, dryRun=True)
    assert "errors" not in body and body["data"]["applyChanges"]["counts"]["planned"] == 400
    assert stack.writes() == NO_WRITES
