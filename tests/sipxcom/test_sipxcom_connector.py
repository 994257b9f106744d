"""The sipXcom connector's own behaviour against the emulator over loopback HTTP.

Exact vendor request counts for batched look-ups and nested-query shapes,
registrations, whole-object updates that keep what was not asked about,
device assignment through lines, device actions, SIP trunks and their
settings, and both XML list shapes.
"""

from __future__ import annotations

import logging

import pytest

from pbxgraph.connectors.sipxcom import SipxcomConnector
from pbxgraph.domain import (
    DeviceAction,
    DeviceCreate,
    DeviceUpdate,
    Filter,
    GroupCreate,
    GroupUpdate,
    Kind,
    ListQuery,
    Operation,
    Registration,
    RingStrategy,
    SortField,
    Transport,
    TrunkCreate,
    TrunkKind,
    TrunkUpdate,
    UserCreate,
    UserUpdate,
)
from pbxgraph.emulators.sipxcom import SipxState
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind
from pbxgraph.errors import BadUserInput, Conflict, NotFound, NotSupported

from .conftest import make_connector

USERS = "/sipxconfig/rest/user"
GROUPS = "/sipxconfig/rest/user-group"
PHONES = "/sipxconfig/api/phones"
REGISTRATIONS = "/sipxconfig/api/registrations"


def calls(emulator: Emulator[SipxState], path: str, method: str = "GET") -> int:
    """Requests to exactly ``path`` (the recorder's prefix match would mix /user and /user-group)."""
    return sum(1 for r in emulator.recorder.requests if r.path == path and r.method == method)


def total(emulator: Emulator[SipxState]) -> int:
    return len(emulator.recorder.requests)


# --- batching: exact request counts -----------------------------------------------------


async def test_get_many_users_is_one_request_plus_registrations(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    users = await connector.users.get_many(["1", "2", "3", "4", "5"])
    assert [u.username for u in users if u] == ["200", "201", "202", "203", "204"]
    assert calls(emulator, USERS) == 1 and calls(emulator, REGISTRATIONS) == 1
    assert total(emulator) == 2
    (request,) = [r for r in emulator.recorder.requests if r.path == USERS]
    assert dict(request.params)["ids"] == "1,2,3,4,5"


async def test_get_many_with_unknown_ids_drops_them_and_asks_again(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    users = await connector.users.get_many(["2", "888", "x", "1", "2"])
    assert [u.id if u else None for u in users] == ["2", None, None, "1", "2"]
    # The server fails a batch naming one missing id: one retry per missing id.
    assert calls(emulator, USERS) == 2


async def test_one_user_reads_its_own_registrations(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    (alice,) = await connector.users.get_many(["1"])
    assert alice is not None and alice.registration is Registration.ONLINE
    assert calls(emulator, f"{REGISTRATIONS}/user/1") == 1 and calls(emulator, REGISTRATIONS) == 0


async def test_users_then_their_groups_is_three_requests(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    page = await connector.users.page(ListQuery(limit=10))
    groups = await connector.users.groups_of([u.id for u in page.items])
    assert [[g.name for g in gs] for gs in groups] == [
        ["sales"],
        ["sales", "support"],
        ["support"],
        ["engineering"],
        [],
    ]
    # users (1 page) + registrations + one batched read for every user's groups
    assert (calls(emulator, USERS), calls(emulator, REGISTRATIONS)) == (2, 1)
    assert total(emulator) == 3


async def test_devices_then_their_user_is_five_requests(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    page = await connector.devices.page(ListQuery(limit=10))
    owners = await connector.devices.users_of([d.id for d in page.items])
    assert [(d.name, o.username if o else None) for d, o in zip(page.items, owners, strict=True)] == [
        ("Alice desk", "200"),
        ("Bob desk", "201"),
        ("Lobby phone", None),
    ]
    # phone list + the page's registrations; then for the owners: the phone list, every user (lines name
    # their users by name) and the owners' registrations
    assert (calls(emulator, PHONES), calls(emulator, USERS), calls(emulator, REGISTRATIONS)) == (2, 1, 2)
    assert total(emulator) == 5
    (users_read,) = [r for r in emulator.recorder.requests if r.path == USERS]
    assert "ids" not in dict(users_read.params)


async def test_devices_of_users_is_three_requests(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    owned = await connector.users.devices_of(["1", "2", "3"])
    assert [[d.mac for d in ds] for ds in owned] == [["00:04:f2:80:cc:95"], ["80:5e:c0:a1:b2:c3"], []]
    # the users (for their names) and the phones at once, then the devices' registrations
    assert (calls(emulator, USERS), calls(emulator, PHONES), calls(emulator, REGISTRATIONS)) == (1, 1, 1)
    assert total(emulator) == 3
    assert await connector.users.devices_of(["999999", "x"]) == [[], []]


async def test_group_members_are_one_user_listing_plus_registrations(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    members = await connector.groups.members_of(["1", "2", "3", "424242"])
    assert [[m.user.username for m in ms if m.user] for ms in members] == [["200", "201"], ["201", "202"], ["203"], []]
    assert [m.position for m in members[0]] == [0, 1]
    assert total(emulator) == 2


async def test_whole_lists_are_read_page_by_page(url: str, emulator: Emulator[SipxState]) -> None:
    connector = make_connector(url, page_size=2)
    try:
        page = await connector.users.page(ListQuery(limit=100))
    finally:
        await connector.aclose()
    assert len(page.items) == 5 and page.total == 5
    pages = [dict(r.params)["page"] for r in emulator.recorder.requests if r.path == USERS]
    assert pages == ["1", "2", "3"]
    # 5 users, so the full registration list: 3 entries in pages of 2
    assert calls(emulator, REGISTRATIONS) == 2


async def test_one_device_is_one_direct_read_and_its_registrations(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    (phone,) = await connector.devices.get_many(["2"])
    assert phone is not None and phone.model == "Yealink SIP-T46S"
    assert [r.path for r in emulator.recorder.requests] == [f"{PHONES}/2", f"{REGISTRATIONS}/serialNo/805ec0a1b2c3"]


async def test_mac_filter_reads_the_phone_by_mac(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    found = await connector.devices.page(ListQuery(filter=Filter(mac="80-5E-C0-A1-B2-C3")))
    assert [d.id for d in found.items] == ["2"]
    missing = await connector.devices.page(ListQuery(filter=Filter(mac="00:11:22:33:44:55")))
    assert missing.items == [] and not missing.has_more
    assert [r.path for r in emulator.recorder.requests] == [
        f"{PHONES}/805ec0a1b2c3",
        f"{REGISTRATIONS}/serialNo/805ec0a1b2c3",
        f"{PHONES}/001122334455",
    ]


async def test_rest_speaks_the_configured_format(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    await connector.groups.create(GroupCreate(name="night-shift"))
    wanted = "application/json" if connector.client.format == "json" else "application/xml"
    reads = [r for r in emulator.recorder.requests if r.method == "GET" and r.path.startswith("/sipxconfig/rest")]
    assert reads and all(r.headers["accept"] == wanted for r in reads)
    (write,) = [r for r in emulator.recorder.requests if r.method == "PUT"]
    assert write.headers["content-type"] == wanted
    # Basic credentials go with every request: no challenge round trips.
    assert all(r.headers["authorization"].startswith("Basic ") for r in emulator.recorder.requests)


# --- registrations ---------------------------------------------------------------------------


async def test_registration_from_active_registrations(connector: SipxcomConnector) -> None:
    assert Operation.REGISTRATION in connector.capabilities.kinds[Kind.USER]
    users = (await connector.users.page(ListQuery(sort=SortField.EXTENSION))).items
    assert [(u.extension, u.registration) for u in users] == [
        ("200", Registration.ONLINE),
        ("201", Registration.OFFLINE),  # its only registration expired
        ("202", Registration.ONLINE),
        ("203", Registration.OFFLINE),
        ("204", Registration.OFFLINE),
    ]
    assert users[0].raw["registrations"][0]["instrument"] == "0004f280cc95"


async def test_unreadable_registrations_leave_registration_unknown(
    connector: SipxcomConnector, emulator: Emulator[SipxState], caplog: pytest.LogCaptureFixture
) -> None:
    emulator.faults.add(Fault(kind=FaultKind.STATUS, path_prefix=REGISTRATIONS, status=500, body=b"boom"))
    with caplog.at_level(logging.WARNING, logger="pbxgraph.connectors.sipxcom"):
        users = await connector.users.get_many(["1", "2"])
    assert [u.registration for u in users if u] == [None, None]
    assert "registrations unavailable" in caplog.text


async def test_registrations_can_be_switched_off(url: str, emulator: Emulator[SipxState]) -> None:
    connector = make_connector(url, registrations=False)
    try:
        users = await connector.users.get_many(["1", "2"])
    finally:
        await connector.aclose()
    assert Operation.REGISTRATION not in connector.capabilities.kinds[Kind.USER]
    assert [u.registration for u in users if u] == [None, None]
    assert calls(emulator, REGISTRATIONS) == 0 and total(emulator) == 1


# --- users: whole-object updates keep what was not asked about ------------------------------


async def test_update_of_one_field_keeps_groups_branch_and_aliases(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    before = emulator.state.users[2]
    updated = await connector.users.update("2", UserUpdate(display_name="Robert Jones"))
    assert updated.display_name == "Robert Jones" and updated.email == "bob@example.com"
    bob = emulator.state.users[2]
    assert bob.group_ids == [1, 2] and bob.branch_id == 1 and bob.aliases == ["bob"]
    assert (bob.first_name, bob.last_name) == ("Robert", "Jones")
    assert bob.sip_password == before.sip_password and bob.pin == before.pin
    (groups,) = await connector.users.groups_of(["2"])
    assert [g.name for g in groups] == ["sales", "support"]


async def test_update_of_the_extension_keeps_other_aliases(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    updated = await connector.users.update("1", UserUpdate(extension="2100"))
    assert updated.extension == "2100" and updated.username == "200"
    assert emulator.state.users[1].aliases == ["2100", "alice"]
    again = await connector.users.update("1", UserUpdate(extension="2200"))
    assert again.extension == "2200" and emulator.state.users[1].aliases == ["2200", "alice"]
    cleared = await connector.users.update("1", UserUpdate(extension=None))
    # The user name is itself an extension here, so it shows again.
    assert cleared.extension == "200" and emulator.state.users[1].aliases == ["alice"]


async def test_update_clears_what_the_caller_sets_to_null(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    updated = await connector.users.update("3", UserUpdate(email=None))
    assert updated.email is None and updated.display_name == "Carol White"
    assert emulator.state.users[3].group_ids == [2]


async def test_sip_password_is_written_never_read(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    user = await connector.users.create(
        UserCreate(username="nina", display_name="Nina Simone", extension="7300", sip_password="Nina-SIP-secret-1")
    )
    assert emulator.state.users[int(user.id)].sip_password == "Nina-SIP-secret-1"
    assert "Nina-SIP-secret-1" not in repr(user)
    await connector.users.update(user.id, UserUpdate(sip_password="Nina-SIP-secret-2"))
    assert emulator.state.users[int(user.id)].sip_password == "Nina-SIP-secret-2"
    with pytest.raises(BadUserInput) as info:
        await connector.users.update(user.id, UserUpdate(sip_password=None))
    assert info.value.field == "sip_password"


async def test_the_enabled_flag_is_read_and_written(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    users = {u.username: u.enabled for u in (await connector.users.page(ListQuery())).items}
    assert users == {"200": True, "201": True, "202": True, "203": True, "204": False}
    disabled = await connector.users.update("1", UserUpdate(enabled=False))
    assert disabled.enabled is False and emulator.state.users[1].enabled is False
    assert emulator.state.users[1].aliases == ["alice"] and emulator.state.users[1].group_ids == [1]
    enabled = await connector.users.update("5", UserUpdate(enabled=True))
    assert enabled.enabled is True and emulator.state.users[5].enabled is True
    off = await connector.users.create(UserCreate(username="off", enabled=False))
    assert off.enabled is False and emulator.state.users[int(off.id)].enabled is False
    emulator.recorder.clear()
    assert (await connector.users.update("5", UserUpdate(enabled=True))).enabled
    assert [r.method for r in emulator.recorder.requests] == ["GET", "GET"]  # already so: no write


async def test_a_server_whose_users_carry_no_enabled_flag_is_sent_none(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    if connector.client.format == "xml":
        body = (
            b"<user><metadata><totalResults>1</totalResults><currentPage>1</currentPage>"
            b"<totalPages>1</totalPages></metadata><users><user><id>3</id>"
            b"<userName>202</userName><firstName>Carol</firstName><lastName>White"
            b"</lastName><groups><group><id>2</id></group></groups></user></users></user>"
        )
    else:  # the answer in the format asked for: another one is not the document (BACKEND_ERROR)
        body = (
            b'{"user": {"metadata": {"totalResults": 1, "currentPage": 1, "totalPages": 1}, "users": '
            b'[{"id": 3, "userName": "202", "firstName": "Carol", "lastName": "White", '
            b'"groups": [{"id": 2}]}]}}'
        )
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            method="GET",
            path_prefix=USERS,
            status=200,
            times=1,
            content_type=f"application/{connector.client.format}",
            body=body,
        )
    )
    updated = await connector.users.update("3", UserUpdate(email="carol@example.org"))
    assert updated.enabled is True
    (put,) = [r for r in emulator.recorder.requests if r.method == "PUT"]
    assert b"enabled" not in put.body


# --- groups --------------------------------------------------------------------------------------


async def test_groups_refuse_extension_strategy_and_display_name(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    with pytest.raises(NotSupported) as info:
        await connector.groups.create(GroupCreate(name="ring", extension="6100"))
    assert (info.value.field, info.value.backend) == ("extension", "sipx")
    with pytest.raises(NotSupported) as info:
        await connector.groups.update("1", GroupUpdate(strategy=RingStrategy.ALL))
    assert info.value.field == "strategy"
    with pytest.raises(NotSupported) as info:
        await connector.groups.update("1", GroupUpdate(display_name="Sales"))
    assert info.value.field == "display_name"
    assert emulator.recorder.count() == 0


async def test_group_update_keeps_its_branch(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    updated = await connector.groups.update("1", GroupUpdate(description="Sales, all regions"))
    assert updated.name == "sales" and updated.description == "Sales, all regions"
    assert emulator.state.groups[1].branch_id == 1


async def test_group_created_with_members(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    group = await connector.groups.create(GroupCreate(name="on-call", member_user_ids=["3", "5"]))
    (members,) = await connector.groups.members_of([group.id])
    assert [m.user.id for m in members if m.user] == ["3", "5"]
    with pytest.raises(NotFound):
        await connector.groups.create(GroupCreate(name="ghosts", member_user_ids=["1", "999"]))
    assert "ghosts" not in [g.name for g in emulator.state.groups.values()]


async def test_membership_changes_keep_the_users_other_groups(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    await connector.groups.add_members("3", ["2"])
    assert emulator.state.users[2].group_ids == [1, 2, 3] and emulator.state.users[2].aliases == ["bob"]
    await connector.groups.remove_members("1", ["2"])
    assert emulator.state.users[2].group_ids == [2, 3]


# --- XML shapes the real server is known to send --------------------------------------------------


async def test_both_xml_list_shapes_and_group_element_names(url: str, emulator: Emulator[SipxState]) -> None:
    emulator.state.quirks.user_list_wrapped = False
    emulator.state.quirks.group_element = "userGroup"
    connector = make_connector(url, format="xml")
    try:
        users = (await connector.users.page(ListQuery())).items
        groups = (await connector.groups.page(ListQuery())).items
        (bob_groups,) = await connector.users.groups_of(["2"])
        (single,) = await connector.groups.get_many(["2"])
    finally:
        await connector.aclose()
    assert len(users) == 5
    assert [g.name for g in groups] == ["engineering", "sales", "support"]
    assert [g.name for g in bob_groups] == ["sales", "support"]
    assert single is not None and single.name == "support"


# --- devices -----------------------------------------------------------------------------------------


async def test_device_created_for_a_user_gets_a_line(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    device = await connector.devices.create(
        DeviceCreate(mac="00:04:f2:00:00:07", model="polycomVVX411", name="Carol desk", user_id="3")
    )
    assert device.model == "Polycom VVX 411" and device.mac == "00:04:f2:00:00:07"
    assert [line.user_id for line in emulator.state.phones[int(device.id)].lines] == [3]
    (owner,) = await connector.devices.users_of([device.id])
    assert owner is not None and owner.username == "202"


async def test_device_models_must_be_known(connector: SipxcomConnector) -> None:
    with pytest.raises(BadUserInput) as info:
        await connector.devices.create(DeviceCreate(mac="00:04:f2:00:00:08", model="Teapot 3000"))
    assert info.value.field == "model"
    with pytest.raises(BadUserInput) as info:
        await connector.devices.create(DeviceCreate(mac="not-a-mac", model="Polycom VVX 450"))
    assert info.value.field == "mac"


async def test_assign_adds_a_line_and_refuses_to_take_another_users_phone(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    await connector.devices.assign("3", "4")
    assert [line.user_id for line in emulator.state.phones[3].lines] == [4]
    await connector.devices.assign("3", "4")  # already assigned: nothing changes
    assert len(emulator.state.phones[3].lines) == 1
    with pytest.raises(Conflict):
        await connector.devices.assign("1", "4")
    await connector.devices.unassign("1")
    assert emulator.state.phones[1].lines == []
    await connector.devices.assign("1", "4")
    (owned,) = await connector.users.devices_of(["4"])
    assert [d.id for d in owned] == ["1", "3"]
    with pytest.raises(NotFound):
        await connector.devices.assign("3", "999")
    with pytest.raises(NotFound):
        await connector.devices.assign("999", "1")


async def test_device_update_keeps_lines_and_mac(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    updated = await connector.devices.update("1", DeviceUpdate(name="Alice's VVX"))
    assert updated.name == "Alice's VVX" and updated.mac == "00:04:f2:80:cc:95"
    assert [line.user_id for line in emulator.state.phones[1].lines] == [1]
    assert emulator.state.phones[1].device_version == "polycom6.3"


async def test_resync_and_restart(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    assert {Operation.RESYNC, Operation.RESTART} <= connector.capabilities.kinds[Kind.DEVICE]
    await connector.devices.act("2", DeviceAction.RESYNC)
    assert (emulator.state.phones[2].profiles_sent, emulator.state.phones[2].restarts) == (1, 0)
    await connector.devices.act("2", DeviceAction.RESTART)
    assert (emulator.state.phones[2].profiles_sent, emulator.state.phones[2].restarts) == (2, 1)
    assert [r.path for r in emulator.recorder.requests] == [
        f"{PHONES}/2/sendProfile",
        f"{PHONES}/2/sendProfile/restart",
    ]
    for missing in ("999", "abc"):
        with pytest.raises(NotFound):
            await connector.devices.act(missing, DeviceAction.RESYNC)


# --- trunks -------------------------------------------------------------------------------------------


async def test_every_gateway_is_a_trunk_of_its_models_kind(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    trunks = (await connector.trunks.page(ListQuery())).items
    assert [
        (t.name, t.kind, t.model, t.domain, t.host, t.port, t.transport, t.username, t.register, t.enabled)
        for t in trunks
    ] == [
        (
            "lobby-fxo",
            TrunkKind.ANALOG,
            "audiocodesMP1X4_4_FXO",
            None,
            "10.0.0.20",
            5060,
            Transport.UDP,
            None,
            None,
            True,
        ),
        (
            "my_siptrunk",
            TrunkKind.SIP,
            "sipTrunkStandard",
            "192.168.1.14",
            "192.168.1.14",
            5060,
            Transport.TCP,
            "5568",
            True,
            True,
        ),
        (
            "old-pbx",
            TrunkKind.UNMANAGED,
            "genericGatewayStandard",
            None,
            "pbx-old.example.com",
            None,
            None,
            None,
            None,
            False,
        ),
        ("pstn-pri", TrunkKind.PRI, "audiocodesMediant1000", None, "10.0.0.21", 5060, Transport.TCP, None, None, True),
    ]
    assert all(t.registration is None for t in trunks)  # gateways do not register with sipXcom
    # settings are read for the SIP trunk only
    assert [r.path for r in emulator.recorder.requests] == [
        "/sipxconfig/api/gateways",
        "/sipxconfig/api/gateways/1/settings",
    ]
    (fxo,) = await connector.trunks.get_many(["2"])
    assert fxo is not None and fxo.kind is TrunkKind.ANALOG
    await connector.trunks.delete("2")
    assert 2 not in emulator.state.gateways


@pytest.mark.parametrize(
    ("kind", "model"),
    [
        (TrunkKind.PRI, "audiocodesMediant1000"),
        (TrunkKind.BRI, "audiocodesMediantBRI"),
        (TrunkKind.ANALOG, "audiocodesMP1X4_4_FXO"),
        (TrunkKind.UNMANAGED, "genericGatewayStandard"),
        (TrunkKind.OTHER, "acmeGatewayStandard"),
        (TrunkKind.SIP, "sipTrunkStandard"),
    ],
)
async def test_a_trunks_kind_picks_its_model(
    connector: SipxcomConnector, emulator: Emulator[SipxState], kind: TrunkKind, model: str
) -> None:
    trunk = await connector.trunks.create(TrunkCreate(name=f"new-{kind.value}", host="10.1.1.1", kind=kind))
    assert (trunk.kind, trunk.model, trunk.host) == (kind, model, "10.1.1.1")
    assert emulator.state.gateways[int(trunk.id)].model_id == model


async def test_a_named_model_must_be_of_the_kind(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    trunk = await connector.trunks.create(
        TrunkCreate(name="e1-2", host="10.1.1.2", kind=TrunkKind.PRI, model="audiocodesMediant2000")
    )
    assert (trunk.kind, trunk.model) == (TrunkKind.PRI, "audiocodesMediant2000")
    with pytest.raises(BadUserInput) as info:
        await connector.trunks.create(TrunkCreate(name="e1-3", host="10.1.1.3", model="audiocodesMediant2000"))
    assert info.value.field == "model" and "PRI" in info.value.message
    assert "e1-3" not in [g.name for g in emulator.state.gateways.values()]


async def test_fields_a_gateway_model_lacks_are_not_supported(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    for field, patch in [
        ("username", TrunkUpdate(username="acct")),
        ("password", TrunkUpdate(password="pw-1")),
        ("register", TrunkUpdate(register=True)),
        ("domain", TrunkUpdate(domain="x.example")),
    ]:
        with pytest.raises(NotSupported) as info:
            await connector.trunks.update("3", patch)  # the PRI gateway
        assert (info.value.field, info.value.backend) == (field, "sipx")
        assert "PRI" in info.value.message
    with pytest.raises(NotSupported) as info:
        await connector.trunks.create(
            TrunkCreate(name="fxo-2", host="10.1.1.4", kind=TrunkKind.ANALOG, username="acct")
        )
    assert info.value.field == "username"
    assert [r.method for r in emulator.recorder.requests] == ["GET"] * 4  # read, never written
    moved = await connector.trunks.update("3", TrunkUpdate(host="10.0.0.99", port=5070))
    assert (moved.host, moved.port, moved.domain) == ("10.0.0.99", 5070, None)
    assert emulator.state.gateways[3].address == "10.0.0.99"


async def test_a_sip_trunks_domain_is_its_address_and_its_host_the_proxy(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    trunk = await connector.trunks.create(
        TrunkCreate(name="itsp", domain="voip.carrier.example", host="proxy.carrier.example", port=5080)
    )
    gateway = emulator.state.gateways[int(trunk.id)]
    assert (gateway.address, gateway.settings["itsp-account/itsp-proxy-address"].value) == (
        "voip.carrier.example",
        "proxy.carrier.example",
    )
    assert (trunk.domain, trunk.host, trunk.port) == ("voip.carrier.example", "proxy.carrier.example", 5080)
    # No proxy of its own: signalling goes to the domain.
    direct = await connector.trunks.update(trunk.id, TrunkUpdate(host=None))
    assert (direct.domain, direct.host) == ("voip.carrier.example", "voip.carrier.example")
    moved = await connector.trunks.update(trunk.id, TrunkUpdate(domain="voip2.carrier.example"))
    assert (moved.domain, moved.host) == ("voip2.carrier.example", "voip2.carrier.example")
    assert emulator.state.gateways[int(trunk.id)].address == "voip2.carrier.example"
    with pytest.raises(BadUserInput) as info:
        await connector.trunks.update(trunk.id, TrunkUpdate(domain=None))
    assert info.value.field == "domain"


async def test_trunk_credentials_live_in_settings(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    trunk = await connector.trunks.create(
        TrunkCreate(
            name="carrier",
            host="sip.carrier.example.net",
            port=5080,
            transport=Transport.TLS,
            username="acct-9",
            password="Carrier-pw-42",
            register=True,
        )
    )
    settings = emulator.state.gateways[int(trunk.id)].settings
    assert settings["itsp-account/password"].value == "Carrier-pw-42"
    assert (trunk.username, trunk.register, trunk.port, trunk.transport) == ("acct-9", True, 5080, Transport.TLS)
    assert "Carrier-pw-42" not in repr(trunk)
    assert "itsp-account/password" not in trunk.raw["settings"]

    updated = await connector.trunks.update(trunk.id, TrunkUpdate(password="Carrier-pw-43", username=None))
    assert settings["itsp-account/password"].value == "Carrier-pw-43"
    assert updated.username is None and updated.host == "sip.carrier.example.net" and updated.port == 5080
    assert emulator.state.gateways[int(trunk.id)].address_transport == "tls"


async def test_trunk_update_sends_the_gateway_back_whole(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    updated = await connector.trunks.update("1", TrunkUpdate(port=None))
    assert updated.port is None and updated.host == "192.168.1.14" and updated.enabled
    gateway = emulator.state.gateways[1]
    assert (gateway.shared, gateway.description, gateway.address_transport) == (
        True,
        "DIDs 4235550000 through 4235551000",
        "tcp",
    )
