"""The Era connector against the emulator over loopback HTTP: mapping, batching, writes, errors."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from pbxgraph.config import BackendConfig, ConfigError
from pbxgraph.connectors.era import EraConnector, create_connector
from pbxgraph.domain import (
    DeviceAction,
    DeviceCreate,
    DeviceUpdate,
    Filter,
    GroupCreate,
    GroupUpdate,
    ListQuery,
    MemberKind,
    QueueMemberInput,
    QueueUpdate,
    Registration,
    RingStrategy,
    SortField,
    Transport,
    TrunkCreate,
    TrunkUpdate,
    UserCreate,
    UserUpdate,
)
from pbxgraph.emulators.era.seed import GROUPS, HUNTS, PROVIDERS, USERS
from pbxgraph.emulators.era.state import EraState
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind, LoopbackServer
from pbxgraph.errors import (
    BackendError,
    BadUserInput,
    Conflict,
    NotFound,
    NotSupported,
)
from tests.era.conftest import READER_TOKEN, era_config, open_connector

UC = "/rest/v1/uc"
USER_IDS = [u[0] for u in USERS]
ANNA, BORIS, CLARA, DAVID, ELENA, FARID, GRACE, HUGO = USER_IDS[:8]
RECEPTION, SALES_FLOOR, SUPPORT_DESK = (g["id"] for g in GROUPS)
SUPPORT, SALES, BILLING = (h["id"] for h in HUNTS)
SIPNET = PROVIDERS[0]["id"]
ANNA_PHONE = "805ec0d525ca"
CLARA_PHONE = "0015654a1b2c"  # seeded as 00:15:65:4a:1b:2c


@pytest.fixture
async def connect(era: Emulator[EraState], era_server: LoopbackServer) -> AsyncIterator[Callable[..., Any]]:
    """Open extra connectors with other options; all are closed after the test."""
    opened: list[EraConnector] = []

    async def make(**options: Any) -> EraConnector:
        connector = await open_connector(era_config(era_server.url, **options))
        opened.append(connector)
        return connector

    yield make
    for connector in opened:
        await connector.aclose()


def requests(era: Emulator[EraState], method: str | None = None, prefix: str = UC) -> list[Any]:
    return era.recorder.matching(method, prefix)


def filters(era: Emulator[EraState], prefix: str) -> list[Any]:
    return [json.loads(dict(r.params)["filter"]) for r in requests(era, "GET", prefix) if "filter" in dict(r.params)]


# --- configuration --------------------------------------------------------------------------------


def test_url_and_token_are_required_and_unknown_keys_refused() -> None:
    with pytest.raises(ConfigError, match="url"):
        create_connector(BackendConfig(name="hq", vendor="era", options={"token": "t"}))
    with pytest.raises(ConfigError, match="token"):
        create_connector(BackendConfig(name="hq", vendor="era", options={"url": "https://era.example.net"}))
    with pytest.raises(ValueError, match="pasword"):
        create_connector(
            BackendConfig(name="hq", vendor="era", options={"url": "https://era", "token": "t", "pasword": "x"})
        )
    with pytest.raises(ValueError, match="page_size"):
        create_connector(
            BackendConfig(name="hq", vendor="era", options={"url": "https://era", "token": "t", "page_size": 0})
        )


async def test_a_custom_token_header_reaches_an_era_that_wants_it() -> None:
    from pbxgraph.emulators.era import create_emulator

    emulator = create_emulator(token="custom-token-123", token_header="X-Era-Token")
    config = BackendConfig(
        name="hq",
        vendor="era",
        options={"url": "http://era.test", "token": "custom-token-123", "token_header": "X-Era-Token"},
    )
    connector = create_connector(config, transport=emulator.transport())
    await connector.open()
    try:
        page = await connector.trunks.page(ListQuery())
        assert len(page.items) == 2
        (request,) = emulator.recorder.requests
        assert request.headers["x-era-token"] == "custom-token-123" and "authorization" not in request.headers
    finally:
        await connector.aclose()


# --- users ------------------------------------------------------------------------------------------


async def test_users_map_login_name_number_and_registration(era_connector: EraConnector) -> None:
    (anna, clara) = await era_connector.users.get_many([ANNA, CLARA])
    assert anna is not None and clara is not None
    assert (anna.username, anna.display_name, anna.extension) == ("anna.petrova", "Anna Petrova", "201")
    assert anna.registration is Registration.ONLINE and clara.registration is Registration.OFFLINE
    assert anna.email is None and anna.enabled
    assert clara.id == "66297232-9f5b-371a-2202-394fa940f3882"  # opaque, not a valid UUID
    assert "pwd" not in anna.raw and anna.raw["opts"]["ap_device_model"] == "Yealink SIP-T21P_E2"


async def test_get_many_of_five_users_is_one_users_request_and_one_states_request(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    keys = [ELENA, ANNA, "no-such-user", DAVID, ANNA, BORIS, CLARA]
    users = await era_connector.users.get_many(keys)
    assert [u.id if u else None for u in users] == [ELENA, ANNA, None, DAVID, ANNA, BORIS, CLARA]
    assert era.recorder.count("GET", f"{UC}/sipusers") == 1
    assert era.recorder.count("GET", f"{UC}/sipuser_states") == 1
    assert era.recorder.count() == 2
    (wanted,) = filters(era, f"{UC}/sipusers")
    assert wanted == ["in", ["property", "id"], [ELENA, ANNA, "no-such-user", DAVID, BORIS, CLARA]]


async def test_list_pushes_filters_to_era_and_sorts_like_every_backend(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    page = await era_connector.users.page(ListQuery(filter=Filter(extension="204")))
    assert [u.username for u in page.items] == ["david.chen"] and page.items[0].registration is Registration.ONLINE
    page = await era_connector.users.page(ListQuery(filter=Filter(search="ROSS")))
    assert [u.username for u in page.items] == ["elena.rossi"]
    assert filters(era, f"{UC}/sipusers") == [
        ["==", ["property", "phonenumber"], "204"],
        ["or", ["like", ["property", "name"], "%ROSS%"], ["like", ["property", "login"], "%ROSS%"]],
    ]
    by_name = await era_connector.users.page(ListQuery(sort=SortField.NAME, descending=True, limit=3))
    assert [u.display_name for u in by_name.items] == ["Jonas Berg", "Ines Duarte", "Hugo Martin"]
    assert by_name.has_more and by_name.total == len(USERS)


async def test_era_returns_no_totals_so_reading_stops_at_a_short_chunk(
    connect: Callable[..., Any], era: Emulator[EraState]
) -> None:
    connector = await connect(page_size=3)
    page = await connector.users.page(ListQuery(sort=SortField.EXTENSION, offset=4, limit=4))
    assert [u.extension for u in page.items] == ["205", "206", "207", "208"] and page.has_more
    reads = requests(era, "GET", f"{UC}/sipusers")
    assert [(dict(r.params).get("offset", "0"), dict(r.params)["limit"]) for r in reads] == [
        ("0", "3"),
        ("3", "3"),
        ("6", "3"),
        ("9", "3"),
    ]
    assert all(json.loads(dict(r.params)["order"]) == ["id"] for r in reads)
    era.recorder.clear()
    exact = await connect(page_size=5)  # 10 users: two full chunks, then an empty one ends it
    assert len((await exact.users.page(ListQuery(limit=100))).items) == 10
    assert era.recorder.count("GET", f"{UC}/sipusers") == 3


async def test_user_writes_are_partial_and_secrets_write_only(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    created = await era_connector.users.create(
        UserCreate(username="kim.lee", display_name="Kim Lee", extension="211", sip_password="Sip-Secret-77")
    )
    assert created.registration is Registration.OFFLINE
    assert era.state.get("sipusers", created.id)["pwd"] == "Sip-Secret-77"
    assert "Sip-Secret-77" not in repr(created)
    era.recorder.clear()
    updated = await era_connector.users.update(created.id, UserUpdate(display_name="Kim S. Lee"))
    (patch,) = requests(era, "PATCH")
    assert json.loads(patch.body) == {"name": "Kim S. Lee"}
    assert (updated.username, updated.extension, updated.display_name) == ("kim.lee", "211", "Kim S. Lee")
    cleared = await era_connector.users.update(created.id, UserUpdate(extension=None))
    assert cleared.extension is None and cleared.display_name == "Kim S. Lee"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda u: u.create(UserCreate(username="x.y", email="x@example.com")), "email"),
        (lambda u: u.create(UserCreate(username="x.y", enabled=False)), "enabled"),
        (lambda u: u.update(ANNA, UserUpdate(email="anna@example.com")), "email"),
        (lambda u: u.update(ANNA, UserUpdate(enabled=False)), "enabled"),
    ],
)
async def test_what_era_cannot_store_is_not_supported_naming_the_field(
    era_connector: EraConnector, era: Emulator[EraState], call: Callable[..., Any], field: str
) -> None:
    with pytest.raises(NotSupported) as info:
        await call(era_connector.users)
    assert info.value.field == field and info.value.backend == "era"
    assert requests(era, "POST") == [] and requests(era, "PATCH") == []


async def test_registration_degrades_to_unknown_when_era_cannot_say(
    era_connector: EraConnector, era: Emulator[EraState], caplog: pytest.LogCaptureFixture
) -> None:
    era.faults.add(Fault(kind=FaultKind.STATUS, path_prefix=f"{UC}/sipuser_states", status=503))
    page = await era_connector.users.page(ListQuery(limit=3))
    assert len(page.items) == 3 and all(u.registration is None for u in page.items)
    assert "registrations unavailable" in caplog.text


async def test_groups_of_and_devices_of(era_connector: EraConnector) -> None:
    anna_groups, elena_groups, unknown = await era_connector.users.groups_of([ANNA, ELENA, "nobody"])
    assert sorted(g.name for g in anna_groups) == ["Reception", "Support desk"]
    assert [g.name for g in elena_groups] == ["Sales floor"] and unknown == []
    anna_devices, elena_devices = await era_connector.users.devices_of([ANNA, ELENA])
    assert [d.id for d in anna_devices] == [ANNA_PHONE] and elena_devices == []


# --- groups -------------------------------------------------------------------------------------------


async def test_group_members_are_dialled_numbers_resolved_by_extension(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    reception, sales, unknown = await era_connector.groups.members_of([RECEPTION, SALES_FLOOR, "nope"])
    assert [(m.position, m.number, m.user.username if m.user else None) for m in reception] == [
        (0, "201", "anna.petrova"),
        (1, "202", "boris.ivanov"),
        (2, "203", "clara.schmidt"),
    ]
    assert reception[0].user is not None and reception[0].user.registration is Registration.ONLINE
    assert [(m.number, m.user) for m in sales][-1] == ("89161234567", None)  # an outside number stays visible
    assert unknown == []
    assert era.recorder.count("GET", f"{UC}/sipgroups") == 1
    assert era.recorder.count("GET", f"{UC}/sipusers") == 1
    assert era.recorder.count("GET", f"{UC}/sipuser_states") == 1
    assert era.recorder.count() == 3


async def test_groups_map_title_number_type_and_comment(era_connector: EraConnector, era: Emulator[EraState]) -> None:
    page = await era_connector.groups.page(ListQuery(sort=SortField.EXTENSION))
    assert [(g.name, g.display_name, g.extension, g.strategy) for g in page.items] == [
        ("Reception", "Reception", "500", RingStrategy.SEQUENTIAL),
        ("Sales floor", "Sales floor", "510", RingStrategy.RANDOM),
        ("Support desk", "Support desk", "520", RingStrategy.ALL),
    ]
    # Era's list view leaves opts.comment out: each group of the page is read whole for it.
    assert [g.description for g in page.items] == [GROUPS[0]["opts"]["comment"], GROUPS[1]["opts"]["comment"], None]
    assert era.recorder.count("GET", f"{UC}/sipgroups") == 1 + len(GROUPS)
    assert era.recorder.count("GET", f"{UC}/sipgroups/") == len(GROUPS)
    updated = await era_connector.groups.update(RECEPTION, GroupUpdate(strategy=RingStrategy.ALL))
    assert updated.description == GROUPS[0]["opts"]["comment"]


async def test_membership_edits_keep_the_dial_plan_steps_and_timeouts(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    members = await era_connector.groups.add_members(RECEPTION, [DAVID, ANNA, ELENA])
    assert [m.number for m in members] == ["201", "202", "203", "204", "205"]
    assert era.state.get("sipgroups", RECEPTION)["dialplan"] == [
        {"dial": ["201"], "timeout": 10000},
        {"dial": ["202", "203"]},
        {"dial": ["204"]},
        {"dial": ["205"]},
    ]
    (patch,) = requests(era, "PATCH")
    assert set(json.loads(patch.body)) == {"dialplan"}
    members = await era_connector.groups.remove_members(RECEPTION, [BORIS, DAVID])
    assert [m.number for m in members] == ["201", "203", "205"]
    assert era.state.get("sipgroups", RECEPTION)["dialplan"] == [
        {"dial": ["201"], "timeout": 10000},
        {"dial": ["203"]},
        {"dial": ["205"]},
    ]
    assert era.state.get("sipgroups", RECEPTION)["opts"]["title"] == "Reception"


async def test_membership_refusals_write_nothing(era_connector: EraConnector, era: Emulator[EraState]) -> None:
    with pytest.raises(NotFound) as missing:
        await era_connector.groups.remove_members(RECEPTION, [ANNA, DAVID])
    assert missing.value.field == "user_ids"
    with pytest.raises(NotFound):
        await era_connector.groups.add_members(RECEPTION, [ANNA, "nobody"])
    numberless = await era_connector.users.create(UserCreate(username="no.number"))
    with pytest.raises(BadUserInput) as info:
        await era_connector.groups.add_members(RECEPTION, [numberless.id])
    assert info.value.field == "user_ids"
    with pytest.raises(NotFound):
        await era_connector.groups.add_members("no-such-group", [ANNA])
    assert requests(era, "PATCH") == []
    assert era.state.get("sipgroups", RECEPTION)["dialplan"] == GROUPS[0]["dialplan"]


async def test_group_updates_send_the_whole_opts_and_only_what_changed(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    updated = await era_connector.groups.update(SALES_FLOOR, GroupUpdate(name="Sales"))
    assert updated.name == "Sales" and updated.extension == "510"
    (patch,) = requests(era, "PATCH")
    assert json.loads(patch.body) == {"opts": {"title": "Sales", "comment": GROUPS[1]["opts"]["comment"]}}
    with pytest.raises(NotSupported) as info:
        await era_connector.groups.update(SALES_FLOOR, GroupUpdate(strategy=RingStrategy.ROUND_ROBIN))
    assert info.value.field == "strategy"
    with pytest.raises(BadUserInput):
        await era_connector.groups.create(GroupCreate(name="No number"))


async def test_a_taken_number_is_a_conflict_on_the_callers_field(era_connector: EraConnector) -> None:
    with pytest.raises(Conflict) as info:
        await era_connector.groups.create(GroupCreate(name="Clash", extension="201"))
    assert info.value.field == "extension" and info.value.backend == "era"
    assert info.value.details["error_code"] == 1409 and info.value.details["status"] == 409


# --- queues -------------------------------------------------------------------------------------------


async def test_queue_members_take_one_get_per_hunt_then_one_batch_of_users(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    support, sales, billing, unknown = await era_connector.queues.members_of([SUPPORT, SALES, BILLING, "nope"])
    assert [(m.position, m.user.username if m.user else None, m.priority) for m in support] == [
        (0, "anna.petrova", 100),
        (1, "boris.ivanov", 99),
        (2, "farid.haddad", 95),
    ]
    assert all(m.kind is MemberKind.USER for m in support) and support[0].raw == {"id": ANNA, "priority": 100}
    assert len(sales) == 2 and billing == [] and unknown == []
    assert era.recorder.count("GET", f"{UC}/hunts/") == 4
    assert era.recorder.count("GET", f"{UC}/sipusers") == 1
    assert era.recorder.count("GET", f"{UC}/sipuser_states") == 1


async def test_queues_map_code_number_and_mode(era_connector: EraConnector) -> None:
    (support,) = await era_connector.queues.get_many([SUPPORT])
    assert support is not None
    assert (support.name, support.extension, support.strategy) == ("support", "402", RingStrategy.PRIORITY)
    renamed = await era_connector.queues.update(SUPPORT, QueueUpdate(description="Now 24/7"))
    assert renamed.description == "Now 24/7" and renamed.name == "support"
    assert (await era_connector.queues.page(ListQuery(filter=Filter(search="SAL")))).items[0].id == SALES


async def test_set_members_replaces_the_resources_in_order(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    members = await era_connector.queues.set_members(
        SALES,
        [
            QueueMemberInput(kind=MemberKind.USER, id=GRACE, priority=10),
            QueueMemberInput(kind=MemberKind.USER, id=ANNA),
        ],
    )
    assert [(m.user.id if m.user else None, m.priority) for m in members] == [(GRACE, 10), (ANNA, 1)]
    assert era.state.get("hunts", SALES)["resources"] == [{"id": GRACE, "priority": 10}, {"id": ANNA, "priority": 1}]
    (patch,) = requests(era, "PATCH")
    assert json.loads(patch.body) == {"resources": [{"id": GRACE, "priority": 10}, {"id": ANNA}]}


async def test_set_members_refuses_groups_duplicates_and_strangers_before_writing(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    with pytest.raises(NotSupported) as group:
        await era_connector.queues.set_members(
            SALES,
            [QueueMemberInput(kind=MemberKind.USER, id=ANNA), QueueMemberInput(kind=MemberKind.GROUP, id=RECEPTION)],
        )
    assert group.value.field == "members[1].id"
    with pytest.raises(BadUserInput) as twice:
        await era_connector.queues.set_members(SALES, [QueueMemberInput(kind=MemberKind.USER, id=ANNA)] * 2)
    assert twice.value.field == "members[1].id"
    with pytest.raises(NotFound) as stranger:
        await era_connector.queues.set_members(SALES, [QueueMemberInput(kind=MemberKind.USER, id="nobody")])
    assert stranger.value.field == "members[0].id"
    assert requests(era, "PATCH") == []


async def test_a_resource_whose_user_is_gone_stays_visible(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    era.state.delete("sipusers", BORIS)  # deleted behind pbxgraph's back: nothing took Boris out of the hunt
    (support,) = await era_connector.queues.members_of([SUPPORT])
    assert [m.user.id if m.user else None for m in support] == [ANNA, None, FARID]
    assert support[1].raw == {"id": BORIS, "priority": 99}


# --- trunks ------------------------------------------------------------------------------------------


async def test_trunks_map_providers_and_never_show_pwd(era_connector: EraConnector) -> None:
    (sipnet,) = await era_connector.trunks.get_many([SIPNET])
    assert sipnet is not None
    assert (
        sipnet.name,
        sipnet.domain,
        sipnet.host,
        sipnet.port,
        sipnet.transport,
        sipnet.username,
        sipnet.enabled,
        sipnet.register,
    ) == ("3528769", "sipnet.ru", "212.53.40.40", 5060, Transport.TCP, "3528769", True, True)
    assert "pwd" not in sipnet.raw and PROVIDERS[0]["pwd"] not in repr(sipnet)


async def test_trunk_password_is_sent_never_returned_nor_logged(
    era_connector: EraConnector, era: Emulator[EraState], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = await era_connector.trunks.create(
        TrunkCreate(
            name="carrier",
            host="sip.carrier.example.net",
            transport=Transport.UDP,
            username="acct",
            password="Trunk-Pw-91",
        )
    )
    assert created.port is None and created.register is True
    era.recorder.clear()
    updated = await era_connector.trunks.update(created.id, TrunkUpdate(password="Trunk-Pw-92"))
    (patch,) = requests(era, "PATCH")
    assert json.loads(patch.body) == {"pwd": "Trunk-Pw-92"}
    assert era.state.get("providers", created.id)["pwd"] == "Trunk-Pw-92"
    assert updated.host == "sip.carrier.example.net" and updated.username == "acct"
    for secret in ("Trunk-Pw-91", "Trunk-Pw-92", "era-demo-token"):
        assert secret not in repr(created) + repr(updated)
        assert secret not in caplog.text


async def test_a_trunk_has_its_domain_and_a_proxy_only_where_era_has_one(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    oktell = PROVIDERS[1]
    (direct,) = await era_connector.trunks.get_many([oktell["id"]])
    assert direct is not None and (direct.domain, direct.host, direct.port) == ("test.oktell.ru", None, None)
    created = await era_connector.trunks.create(TrunkCreate(name="direct", domain="sip.example.org"))
    stored = era.state.get("providers", created.id)
    assert (stored["domain"], stored["proxyaddr"], stored["proxyport"]) == ("sip.example.org", "", 0)
    assert (created.domain, created.host, created.port, created.registration) == ("sip.example.org", None, None, None)
    era.recorder.clear()
    with pytest.raises(BadUserInput) as create:
        await era_connector.trunks.create(TrunkCreate(name="x", domain="sip.example.org", port=5070))
    with pytest.raises(BadUserInput) as update:
        await era_connector.trunks.update(created.id, TrunkUpdate(port=5070))
    assert create.value.field == update.value.field == "port"
    assert requests(era, "POST") == [] and requests(era, "PATCH") == []
    proxied = await era_connector.trunks.update(created.id, TrunkUpdate(host="10.0.0.5", port=5070))
    assert (proxied.domain, proxied.host, proxied.port) == ("sip.example.org", "10.0.0.5", 5070)
    (patch,) = requests(era, "PATCH")
    assert json.loads(patch.body) == {"proxyaddr": "10.0.0.5", "proxyport": 5070}


# --- devices -------------------------------------------------------------------------------------------


async def test_devices_are_provisioned_phones_known_by_their_mac(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    page = await era_connector.devices.page(ListQuery(limit=100))
    assert sorted(d.id for d in page.items) == sorted(
        ["805ec0d525ca", "805ec0d525cb", "0015654a1b2c", "0004f23a5b6c", "0004f23a5b6d"]
    )
    clara = next(d for d in page.items if d.id == CLARA_PHONE)
    assert (clara.mac, clara.model, clara.name) == ("00:15:65:4a:1b:2c", "Yealink SIP-T54W", None)
    by_mac = await era_connector.devices.page(ListQuery(filter=Filter(mac="00-15-65-4A-1B-2C")))
    assert [d.id for d in by_mac.items] == [CLARA_PHONE]
    era.recorder.clear()
    found = await era_connector.devices.get_many([CLARA_PHONE, "nope", ANNA_PHONE, "ffffffffffff"])
    assert [d.id if d else None for d in found] == [CLARA_PHONE, None, ANNA_PHONE, None]
    assert era.recorder.count("GET", f"{UC}/sipusers") == 1  # the holders of the MACs
    assert era.recorder.count("GET", f"{UC}/sipuser_states") == 1  # their accounts' registrations
    assert era.recorder.count() == 2
    owners = await era_connector.devices.users_of([ANNA_PHONE, CLARA_PHONE, "nope"])
    assert [u.username if u else None for u in owners] == ["anna.petrova", "clara.schmidt", None]


async def test_assignment_moves_the_phone_and_keeps_the_other_options(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    moved = await era_connector.devices.assign(ANNA_PHONE, ELENA)
    assert moved.id == ANNA_PHONE
    anna, elena = era.state.get("sipusers", ANNA), era.state.get("sipusers", ELENA)
    assert (anna["opts"]["ap_mac_address"], anna["opts"]["ap_device_model"]) == ("", "")
    assert elena["opts"]["ap_mac_address"] == "805EC0D525CA" and elena["opts"]["calltimesec"] == 30
    (owner,) = await era_connector.devices.users_of([ANNA_PHONE])
    assert owner is not None and owner.id == ELENA
    with pytest.raises(Conflict) as info:
        await era_connector.devices.assign(CLARA_PHONE, ELENA)
    assert info.value.field == "user_id"
    before = await era_connector.devices.unassign(ANNA_PHONE)
    assert before.id == ANNA_PHONE and await era_connector.devices.get_many([ANNA_PHONE]) == [None]


async def test_device_writes_patch_the_users_provisioning(era_connector: EraConnector, era: Emulator[EraState]) -> None:
    with pytest.raises(BadUserInput) as no_user:
        await era_connector.devices.create(DeviceCreate(mac="00:04:f2:00:00:01"))
    assert no_user.value.field == "user_id"
    with pytest.raises(NotSupported) as named:
        await era_connector.devices.create(DeviceCreate(mac="00:04:f2:00:00:01", name="Desk", user_id=ELENA))
    assert named.value.field == "name"
    with pytest.raises(Conflict):
        await era_connector.devices.create(DeviceCreate(mac="80:5E:C0:D5:25:CA", user_id=ELENA))
    with pytest.raises(Conflict):
        await era_connector.devices.create(DeviceCreate(mac="00:04:f2:00:00:01", user_id=ANNA))
    created = await era_connector.devices.create(DeviceCreate(mac="00:04:F2:00:00:01", model="VVX 450", user_id=ELENA))
    assert (created.id, created.mac, created.model) == ("0004f2000001", "00:04:f2:00:00:01", "VVX 450")
    assert era.state.get("sipusers", ELENA)["opts"]["ap_mac_address"] == "0004F2000001"
    updated = await era_connector.devices.update(created.id, DeviceUpdate(model="VVX 250"))
    assert updated.model == "VVX 250" and updated.mac == created.mac
    with pytest.raises(BadUserInput) as mac:
        await era_connector.devices.update(created.id, DeviceUpdate(mac="00:04:f2:00:00:02"))
    assert mac.value.field == "mac"
    await era_connector.devices.delete(created.id)
    assert era.state.get("sipusers", ELENA)["opts"]["ap_mac_address"] == ""
    with pytest.raises(NotFound):
        await era_connector.devices.delete(created.id)


async def test_resync_and_restart_are_eras_device_operation(
    era_connector: EraConnector, era: Emulator[EraState]
) -> None:
    await era_connector.devices.act(CLARA_PHONE, DeviceAction.RESYNC)
    await era_connector.devices.act(ANNA_PHONE, DeviceAction.RESTART)
    assert era.state.device_operations == [(CLARA, "sync"), (ANNA, "restart")]
    assert era.recorder.count("POST", f"{UC}/sipusers/") == 2
    with pytest.raises(NotFound):
        await era_connector.devices.act("ffffffffffff", DeviceAction.RESYNC)
    assert era.recorder.count("POST") == 2


# --- errors -------------------------------------------------------------------------------------------


async def test_access_denied_is_a_backend_error_about_its_credentials(connect: Callable[..., Any]) -> None:
    reader = await connect(token=READER_TOKEN)
    assert len((await reader.trunks.page(ListQuery())).items) == 2
    with pytest.raises(BackendError) as info:
        await reader.trunks.update(SIPNET, TrunkUpdate(port=5070))
    assert info.value.backend == "era" and info.value.code == "BACKEND_ERROR"
    assert "credentials pbxgraph is configured with lack the right" in info.value.message
    assert info.value.details["error_code"] == 1506 and info.value.details["status"] == 400
    assert "Access denied" in info.value.details["error_message"]


async def test_a_refused_token_is_a_backend_error_that_names_no_secret(connect: Callable[..., Any]) -> None:
    wrong = await connect(token="not-the-token")
    with pytest.raises(BackendError) as info:
        await wrong.users.page(ListQuery())
    assert "token" in info.value.message and "not-the-token" not in repr(info.value.extensions())
    assert info.value.details["status"] == 401


async def test_invalid_params_are_bad_user_input(era_connector: EraConnector) -> None:
    with pytest.raises(BadUserInput) as info:
        await era_connector.trunks.update(SIPNET, TrunkUpdate(transport=None))
    assert info.value.field == "transport"
    with pytest.raises(NotFound):
        await era_connector.trunks.update("no-such-provider", TrunkUpdate(port=5070))


async def test_ids_are_opaque_and_percent_encoded(era_connector: EraConnector, era: Emulator[EraState]) -> None:
    assert await era_connector.groups.get_many(['x"], ["property", "id"]']) == [None]
    era.recorder.clear()
    # Ids that would step out of their path never leave pbxgraph, whatever the resource and method.
    for escaping in [
        "..",
        ".",
        "",
        f"../providers/{SIPNET}",
        "%2e%2e",
        "%252E%252E",
        "a\\b",
        "a%2Fb",
        "a?b",
        "a#b",
        "a\x00",
        "a\nb",
    ]:
        with pytest.raises(BadUserInput):
            await era_connector.trunks.update(escaping, TrunkUpdate(port=5070))
        with pytest.raises(BadUserInput):
            await era_connector.users.delete(escaping)
        with pytest.raises(BadUserInput):
            await era_connector.groups.delete(escaping)
    assert era.recorder.requests == []
    assert era.state.get("providers", SIPNET)["proxyport"] == 5060
    assert len(era.state.entities("sipusers")) == len(USERS)


# --- listings that repeat an id -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("collection", "repeat", "resource", "changed"),
    [
        (
            "sipusers",
            {"id": ANNA, "login": "anna.twice", "phonenumber": "301", "opts": {"ap_mac_address": "0004F2FFFFFF"}},
            "users",
            "extension",
        ),
        (
            "sipusers",
            {"id": ANNA, "login": "anna.twice", "phonenumber": "301", "opts": {"ap_mac_address": "0004F2FFFFFF"}},
            "devices",
            "mac",
        ),
        (
            "sipgroups",
            {"id": RECEPTION, "phonenumber": "599", "opts": {"title": "Reception again"}},
            "groups",
            "extension",
        ),
        ("hunts", {"id": SUPPORT, "code": "support_again", "phonenumber": "499"}, "queues", "extension"),
        ("providers", {"id": SIPNET, "code": "sipnet-again", "domain": "again.example.net"}, "trunks", "domain"),
    ],
)
async def test_a_listing_that_repeats_an_id_answers_each_object_once(
    era_connector: EraConnector,
    era: Emulator[EraState],
    collection: str,
    repeat: dict[str, Any],
    resource: str,
    changed: str,
) -> None:
    """Era's own hunts example lists one id twice; no collection may answer an object twice or mix two rows."""
    era.state.load_listing(collection, [repeat])
    assert sum(1 for row in era.state.listing(collection) if row["id"] == repeat["id"]) == 2
    page = await getattr(era_connector, resource).page(ListQuery(limit=100))
    ids = [item.id for item in page.items]
    assert len(ids) == len(set(ids)) and page.total == len(ids)
    values = {getattr(item, changed) for item in page.items}
    assert not values & {"301", "00:04:f2:ff:ff:ff", "599", "499", "again.example.net"}  # the repeat is not shown
