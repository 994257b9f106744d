"""Secrets the vendor shows in clear never leave the connector.

sipXconfig returns phone lines' SIP passwords, a SIP trunk's account
password and (as the emulator guesses it) a hunt group's own SIP password in
clear text. With such secrets seeded in the emulator, nothing
the connector answers (records, their ``raw``, their repr), no error it
raises (message or vendor details) and no log line (captured at DEBUG, from
every logger) may contain them.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from pbxgraph.connectors.sipxcom import SipxcomConnector
from pbxgraph.domain import (
    DeviceUpdate,
    ListQuery,
    MemberKind,
    QueueCreate,
    QueueMemberInput,
    QueueUpdate,
    TrunkCreate,
    TrunkUpdate,
    UserCreate,
    UserUpdate,
)
from pbxgraph.emulators.sipxcom import DEMO_PASSWORD, DEMO_USERNAME, SipxState
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind
from pbxgraph.errors import PbxError

LINE_SECRET = "Line-Clear-Text-Secret-9931"
TRUNK_SECRET = "Trunk-Clear-Text-Secret-4417"
NEW_TRUNK_SECRET = "Trunk-New-Secret-2208"
NEW_USER_SECRET = "User-New-SIP-Secret-6120"
HUNT_SECRET = "Hunt-Clear-Text-Secret-3307"


def _dump(thing: Any) -> str:
    if isinstance(thing, PbxError):
        return f"{thing!s} {thing!r} {json.dumps(thing.extensions(), default=str)}"
    if isinstance(thing, list):
        return " ".join(_dump(item) for item in thing)
    raw = getattr(thing, "raw", None)
    return repr(thing) + (json.dumps(raw, default=str) if raw is not None else "")


async def test_clear_text_secrets_never_leave_the_connector(
    connector: SipxcomConnector, emulator: Emulator[SipxState], url: str, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.state.users[1].sip_password = LINE_SECRET  # shown in clear on phone 1's line
    emulator.state.gateways[1].settings["itsp-account/password"].value = TRUNK_SECRET
    emulator.state.hunt_groups[1].sip_password = HUNT_SECRET
    async with httpx.AsyncClient(auth=(DEMO_USERNAME, DEMO_PASSWORD)) as vendor:
        assert LINE_SECRET in (await vendor.get(f"{url}/sipxconfig/api/phones/1")).text
        assert TRUNK_SECRET in (await vendor.get(f"{url}/sipxconfig/api/gateways/1/settings")).text
        assert HUNT_SECRET in (await vendor.get(f"{url}/sipxconfig/api/callgroups")).text

    outputs: list[Any] = []
    caplog.set_level(logging.DEBUG)
    outputs += [
        (await connector.users.page(ListQuery())).items,
        await connector.users.get_many(["1", "2"]),
        await connector.users.get_many(["1"]),
        await connector.users.devices_of(["1", "2"]),
        await connector.users.groups_of(["1"]),
        [m.user for ms in await connector.groups.members_of(["1"]) for m in ms],
        (await connector.devices.page(ListQuery())).items,
        await connector.devices.get_many(["1"]),
        await connector.devices.get_many(["1", "2"]),
        await connector.devices.users_of(["1", "2"]),
        await connector.devices.update("1", DeviceUpdate(name="Alice desk 2")),
        (await connector.trunks.page(ListQuery())).items,
        await connector.trunks.get_many(["1"]),
        await connector.trunks.get_many(["1", "2"]),
        await connector.trunks.update("1", TrunkUpdate(host="sip2.example.net")),
        await connector.trunks.update("1", TrunkUpdate(password=NEW_TRUNK_SECRET)),
        await connector.trunks.create(
            TrunkCreate(name="second", host="sip3.example.net", username="acct", password=NEW_TRUNK_SECRET)
        ),
        await connector.users.create(UserCreate(username="newbie", sip_password=NEW_USER_SECRET)),
        await connector.devices.unassign("1"),
        (await connector.queues.page(ListQuery())).items,
        await connector.queues.get_many(["1", "2"]),
        await connector.queues.members_of(["1"]),
        await connector.queues.update("1", QueueUpdate(description="Sales, in turn")),
        await connector.queues.set_members("1", [QueueMemberInput(kind=MemberKind.USER, id="3")]),
        await connector.queues.create(QueueCreate(name="late", extension="680")),
        await connector.health(),
    ]
    assert emulator.state.hunt_groups[1].sip_password == HUNT_SECRET  # kept through the updates
    assert emulator.state.gateways[1].settings["itsp-account/password"].value == NEW_TRUNK_SECRET

    # Failing requests that carried a secret, and a vendor that echoes it back.
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            method="PUT",
            path_prefix="/sipxconfig/api/gateways/1/settings/itsp-account/password",
            status=500,
            body=f"cannot store {TRUNK_SECRET}".encode(),
        )
    )
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            method="PUT",
            path_prefix="/sipxconfig/rest/user/2",
            status=500,
            content_type="text/xml",
            body=(
                f"<response><code>ERROR_UPDATE_FAILED</code><message>Update failed</message>"
                f"<data><additionalMessage>bad password {NEW_USER_SECRET}</additionalMessage>"
                f"</data></response>"
            ).encode(),
        )
    )
    failing = [
        connector.trunks.update("1", TrunkUpdate(password=TRUNK_SECRET)),
        connector.users.update("2", UserUpdate(sip_password=NEW_USER_SECRET)),
        connector.trunks.create(TrunkCreate(name="second", host="x.example.net", password=TRUNK_SECRET)),
        connector.users.create(UserCreate(username="newbie", sip_password=LINE_SECRET)),
    ]
    for call in failing:
        with pytest.raises(PbxError) as info:
            await call
        outputs.append(info.value)

    everything = _dump(outputs) + caplog.text
    for secret in (LINE_SECRET, TRUNK_SECRET, NEW_TRUNK_SECRET, NEW_USER_SECRET, HUNT_SECRET):
        assert secret not in everything
    assert "***" in everything  # the echoed secrets were scrubbed, not just absent
    assert any("sipx" in record.getMessage() for record in caplog.records)  # the log was captured


async def test_raw_keeps_the_vendor_payload_minus_secrets(connector: SipxcomConnector) -> None:
    (phone,) = await connector.devices.get_many(["1"])
    assert phone is not None
    (line,) = phone.raw["lines"]
    assert line["user"] == "200" and "password" not in line
    (trunk,) = await connector.trunks.get_many(["1"])
    assert trunk is not None
    assert trunk.raw["settings"]["itsp-account/user-name"] == "5568"
    assert "itsp-account/password" not in trunk.raw["settings"]
    assert trunk.raw["callerAliasInfo"]["keepDigits"] == 0
    (user,) = await connector.users.get_many(["2"])
    assert user is not None
    assert "pin" not in user.raw and "sipPassword" not in user.raw
    assert [g["name"] for g in user.raw["groups"]] == ["sales", "support"]
