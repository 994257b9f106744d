"""Era groups and hunts follow their user: renumbering and deleting a user rewrite them, and say so."""

from __future__ import annotations

import json

import pytest

from pbxgraph import effects
from pbxgraph.connectors.era import EraConnector
from pbxgraph.domain import Kind, UserUpdate
from pbxgraph.emulators.era.seed import GROUPS, HUNTS, USERS
from pbxgraph.emulators.era.state import EraState
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind
from pbxgraph.errors import BackendError, BackendUnavailable, Conflict

UC = "/rest/v1/uc"
ANNA, BORIS = USERS[0][0], USERS[1][0]
RECEPTION, SALES_FLOOR, SUPPORT_DESK = (g["id"] for g in GROUPS)
SUPPORT, SALES, BILLING = (h["id"] for h in HUNTS)


def calls(era: Emulator[EraState]) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in era.recorder.requests]


def patched(era: Emulator[EraState], path: str) -> dict[str, object]:
    (request,) = [r for r in era.recorder.requests if r.method == "PATCH" and r.path == path]
    body: dict[str, object] = json.loads(request.body)
    return body


async def test_a_new_extension_is_rewritten_into_every_group_that_rang_the_old(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    with effects.recording() as journal:
        user = await era_connector.users.update(ANNA, UserUpdate(extension="301"))
    assert user.extension == "301"
    assert era.state.get("sipgroups", RECEPTION)["dialplan"] == [
        {"dial": ["301"], "timeout": 10000},
        {"dial": ["202", "203"]},
    ]  # the step keeps its timeout
    assert era.state.get("sipgroups", SUPPORT_DESK)["dialplan"] == [
        {"dial": ["206"]},
        {"dial": ["207"]},
        {"dial": ["301"]},
    ]
    assert era.state.get("sipgroups", SALES_FLOOR)["dialplan"] == GROUPS[1]["dialplan"]
    assert patched(era, f"{UC}/sipgroups/{RECEPTION}") == {
        "dialplan": [{"dial": ["301"], "timeout": 10000}, {"dial": ["202", "203"]}]
    }
    assert calls(era)[:3] == [
        ("GET", f"{UC}/sipusers/{ANNA}"),  # the old number
        ("GET", f"{UC}/sipgroups"),  # the groups ringing it, read first
        ("PATCH", f"{UC}/sipusers/{ANNA}"),
    ]  # the user, then the groups
    assert sorted(calls(era)[3:5]) == sorted(
        [("PATCH", f"{UC}/sipgroups/{RECEPTION}"), ("PATCH", f"{UC}/sipgroups/{SUPPORT_DESK}")]
    )
    assert calls(era)[5:] == [("GET", f"{UC}/sipuser_states")]
    assert sorted((e.kind, e.id, e.field, e.message) for e in journal) == sorted(
        [
            (Kind.GROUP, RECEPTION, "members", f"group 'Reception' (500, id {RECEPTION}) now rings 301 instead of 201"),
            (
                Kind.GROUP,
                SUPPORT_DESK,
                "members",
                f"group 'Support desk' (520, id {SUPPORT_DESK}) now rings 301 instead of 201",
            ),
        ]
    )
    (reception,) = await era_connector.groups.members_of([RECEPTION])
    assert next((m.number, m.user.id if m.user else None) for m in reception) == ("301", ANNA)


async def test_a_cleared_extension_leaves_the_groups_and_empty_steps_go(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    with effects.recording() as journal:
        user = await era_connector.users.update(ANNA, UserUpdate(extension=None))
    assert user.extension is None
    assert era.state.get("sipgroups", RECEPTION)["dialplan"] == [{"dial": ["202", "203"]}]
    assert era.state.get("sipgroups", SUPPORT_DESK)["dialplan"] == [{"dial": ["206"]}, {"dial": ["207"]}]
    assert sorted(e.message for e in journal) == [
        f"group 'Reception' (500, id {RECEPTION}) no longer rings 201",
        f"group 'Support desk' (520, id {SUPPORT_DESK}) no longer rings 201",
    ]


async def test_an_unchanged_extension_touches_no_group(era_connector: EraConnector, era: Emulator[EraState]) -> None:
    with effects.recording() as journal:
        await era_connector.users.update(ANNA, UserUpdate(extension="201", display_name="Anna P."))
    assert journal == []
    assert calls(era) == [
        ("GET", f"{UC}/sipusers/{ANNA}"),
        ("PATCH", f"{UC}/sipusers/{ANNA}"),
        ("GET", f"{UC}/sipuser_states"),
    ]
    era.recorder.clear()
    await era_connector.users.update(ANNA, UserUpdate(display_name="Anna Petrova"))
    assert calls(era) == [("PATCH", f"{UC}/sipusers/{ANNA}"), ("GET", f"{UC}/sipuser_states")]


async def test_a_deleted_user_leaves_every_group_and_hunt(era_connector: EraConnector, era: Emulator[EraState]) -> None:
    with effects.recording() as journal:
        await era_connector.users.delete(BORIS)
    assert era.state.get("sipgroups", RECEPTION)["dialplan"] == [{"dial": ["201"], "timeout": 10000}, {"dial": ["203"]}]
    assert [r["id"] for r in era.state.get("hunts", SUPPORT)["resources"]] == [ANNA, USERS[5][0]]
    assert era.state.get("hunts", SALES)["resources"] == HUNTS[1]["resources"]
    assert patched(era, f"{UC}/hunts/{SUPPORT}") == {
        "resources": [{"id": ANNA, "priority": 100}, {"id": USERS[5][0], "priority": 95}]
    }
    requested = calls(era)
    assert requested[0] == ("GET", f"{UC}/sipusers/{BORIS}")
    assert sorted(requested[1 : 3 + len(HUNTS)]) == sorted(
        [("GET", f"{UC}/sipgroups"), ("GET", f"{UC}/hunts")] + [("GET", f"{UC}/hunts/{h['id']}") for h in HUNTS]
    )
    assert requested[3 + len(HUNTS)] == ("DELETE", f"{UC}/sipusers/{BORIS}")
    assert sorted(requested[4 + len(HUNTS) :]) == sorted(
        [("PATCH", f"{UC}/hunts/{SUPPORT}"), ("PATCH", f"{UC}/sipgroups/{RECEPTION}")]
    )
    assert sorted((e.kind, e.id, e.message) for e in journal) == sorted(
        [
            (
                Kind.GROUP,
                RECEPTION,
                f"group 'Reception' (500, id {RECEPTION}) no longer rings 202 (the number of deleted user "
                f"'boris.ivanov' (id {BORIS}))",
            ),
            (
                Kind.QUEUE,
                SUPPORT,
                f"queue 'Customer support' (402, id {SUPPORT}) no longer lists deleted user 'boris.ivanov' "
                f"(id {BORIS}) among its members",
            ),
        ]
    )
    (support,) = await era_connector.queues.members_of([SUPPORT])
    assert all(m.user is not None for m in support)
    (reception,) = await era_connector.groups.members_of([RECEPTION])
    assert all(m.user is not None for m in reception)


async def test_a_failed_follow_up_says_what_was_and_was_not_changed(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    era.faults.add(
        Fault(kind=FaultKind.STATUS, status=503, method="PATCH", path_prefix=f"{UC}/sipgroups/{SUPPORT_DESK}")
    )
    with effects.recording() as journal, pytest.raises(BackendError) as info:
        await era_connector.users.update(ANNA, UserUpdate(extension="301"))
    message = info.value.message
    assert info.value.code == "BACKEND_ERROR" and info.value.backend == "era"
    assert message.startswith(f"user 'anna.petrova' (id {ANNA}) now has extension 301, but 1 of 2 groups")
    assert (
        f"not changed: group 'Support desk' (520, id {SUPPORT_DESK}) still rings 201 (BACKEND_UNAVAILABLE)" in message
    )
    assert f"changed: group 'Reception' (500, id {RECEPTION}) now rings 301 instead of 201" in message
    assert info.value.details["status"] == 503
    assert [e.id for e in journal] == [RECEPTION]
    assert era.state.get("sipusers", ANNA)["phonenumber"] == "301"
    assert era.state.get("sipgroups", SUPPORT_DESK)["dialplan"][-1] == {"dial": ["201"]}


async def test_nothing_changes_when_the_groups_cannot_be_read_first(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    era.faults.add(Fault(kind=FaultKind.STATUS, status=503, method="GET", path_prefix=f"{UC}/sipgroups"))
    with pytest.raises(BackendUnavailable):
        await era_connector.users.update(ANNA, UserUpdate(extension="301"))
    with pytest.raises(BackendUnavailable):
        await era_connector.users.delete(BORIS)
    assert [r for r in era.recorder.requests if r.method in ("PATCH", "DELETE")] == []
    assert era.state.get("sipusers", ANNA)["phonenumber"] == "201"
    assert era.state.get("sipusers", BORIS)["login"] == "boris.ivanov"


async def test_a_refused_user_change_touches_no_group(era_connector: EraConnector, era: Emulator[EraState]) -> None:
    with effects.recording() as journal, pytest.raises(Conflict) as info:
        await era_connector.users.update(ANNA, UserUpdate(extension="202"))  # Boris's number
    assert info.value.field == "extension" and journal == []
    assert [(r.method, r.path) for r in era.recorder.requests if r.method == "PATCH"] == [
        ("PATCH", f"{UC}/sipusers/{ANNA}")
    ]
    assert era.state.get("sipgroups", RECEPTION)["dialplan"] == GROUPS[0]["dialplan"]
