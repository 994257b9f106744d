"""sipXcom mapped as the vendor answers: issue "Fidelity", one test (or more) per mapping.

Phone lines name their user by name (as the vendor's fixtures answer them),
listings that repeat an id give one record, devices carry the registration
of their MAC, the backend's rules refuse up front what sipXcom cannot store,
and the app serves every kind with the widened fields.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from pbxgraph.config import BackendConfig, Config
from pbxgraph.connectors.sipxcom import SipxcomConnector
from pbxgraph.domain import DeviceCreate, Kind, ListQuery, Registration
from pbxgraph.emulators.sipxcom import SipxState, demo_backend
from pbxgraph.emulators.sipxcom.state import Phone, SipUser
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind
from pbxgraph.errors import Conflict
from pbxgraph.ids import encode_id
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes

from .conftest import make_connector

API = "/sipxconfig/api"
REST = "/sipxconfig/rest"


def sipx(url: str, **options: Any) -> BackendConfig:
    base = {k: v for k, v in demo_backend(url).items() if k != "vendor"}
    return BackendConfig(name="sipx", vendor="sipxcom", timeout_s=5.0, options={**base, **options})


@pytest.fixture
async def client(emulator: Emulator[SipxState], url: str) -> AsyncIterator[GraphQLTestClient]:
    async with GraphQLTestClient.running(Config(backends=(sipx(url),))) as client:
        emulator.recorder.clear()
        yield client


def gid(kind: Kind, native: str) -> str:
    return encode_id(kind, "sipx", native)


def answer(path: str, body: Any, *, times: int | None = None) -> Fault:
    """The emulator answering ``GET path`` with ``body`` (JSON) instead, as a server that sends it would."""
    return Fault(
        kind=FaultKind.STATUS,
        method="GET",
        path_prefix=path,
        status=200,
        times=times,
        body=json.dumps(body).encode(),
        content_type="application/json",
    )


def phone_with_lines(*lines: dict[str, Any], phone_id: int = 3) -> dict[str, Any]:
    return {
        "id": phone_id,
        "serialNo": "0004f2aabbcc",
        "deviceVersion": None,
        "description": "Lobby phone",
        "model": {"modelId": "polycomVVX411", "label": "Polycom VVX 411", "vendor": "Polycom", "versions": None},
        "lines": list(lines),
        "groups": None,
    }


# --- 1. phone lines name their user by name -------------------------------------------------


async def test_a_user_named_200_is_never_the_user_with_id_200(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    # A user whose *id* is 200, beside Alice, whose *name* is "200" (id 1); Alice's desk line says
    # "userId": "200", as the vendor's lines do.
    emulator.state.save_user(SipUser(id=200, user_name="zed", first_name="Zed"))
    assert emulator.state.phones[1].lines[0].user_id == 1
    (owner,) = await connector.devices.users_of(["1"])
    assert owner is not None and (owner.id, owner.username) == ("1", "200")
    alice, zed = await connector.users.devices_of(["1", "200"])
    assert [d.name for d in alice] == ["Alice desk"] and zed == []
    # Assigning Alice's desk to Alice again changes nothing; to Zed, it is another user's phone.
    await connector.devices.assign("1", "1")
    with pytest.raises(Conflict):
        await connector.devices.assign("1", "200")
    assert [line.user_id for line in emulator.state.phones[1].lines] == [1]


async def test_a_line_shaped_as_the_vendor_fixtures_resolves_by_name(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    emulator.state.save_user(SipUser(id=9, user_name="testuser", first_name="Test", last_name="User"))
    line = {"id": 1, "uri": '"Test User"<sip:testuser@example.org>', "user": "testuser", "userId": "testuser"}
    emulator.faults.add(answer(f"{API}/phones/3", phone_with_lines(line), times=1))
    (owner,) = await connector.devices.users_of(["3"])
    assert owner is not None and owner.username == "testuser"


async def test_a_line_naming_no_one_but_a_numeric_user_id_falls_back_to_the_id(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    # The document's table reading: userId is the user's identification number, when no name is given.
    emulator.faults.add(answer(f"{API}/phones/3", phone_with_lines({"id": 5, "userId": "4"}), times=1))
    (owner,) = await connector.devices.users_of(["3"])
    assert owner is not None and (owner.id, owner.username) == ("4", "203")
    # Only numeric ids: the users are read by id, not listed whole.
    (users_read,) = [r for r in emulator.recorder.requests if r.path == f"{REST}/user"]
    assert dict(users_read.params)["ids"] == "4"


@pytest.mark.parametrize("user_id", ["\u0661\u0662", "\u00b2", "4\u0664"])
async def test_a_user_id_of_unicode_digits_is_a_name_never_a_numeric_id(
    connector: SipxcomConnector, emulator: Emulator[SipxState], user_id: str
) -> None:
    # int("١٢") is 12: such a userId must not reach the user with id 12 (or 4, or 2).
    emulator.faults.add(answer(f"{API}/phones/3", phone_with_lines({"id": 5, "userId": user_id}), times=1))
    assert await connector.devices.users_of(["3"]) == [None]
    assert not [r for r in emulator.recorder.requests if r.path == f"{REST}/user" and "ids" in dict(r.params)]


async def test_a_line_whose_user_is_gone_has_no_user(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    line = {"id": 7, "user": "ghost", "userId": "ghost"}
    emulator.faults.add(answer(f"{API}/phones/3", phone_with_lines(line), times=1))
    assert await connector.devices.users_of(["3"]) == [None]


async def test_user_devices_and_device_user_through_graphql(
    client: GraphQLTestClient, emulator: Emulator[SipxState]
) -> None:
    emulator.state.save_user(SipUser(id=200, user_name="zed"))
    data = await client.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { username devices { name user { username } } } } }",
        {"ids": [gid(Kind.USER, "1"), gid(Kind.USER, "200")]},
    )
    assert data["nodes"] == [
        {"username": "200", "devices": [{"name": "Alice desk", "user": {"username": "200"}}]},
        {"username": "zed", "devices": []},
    ]


# --- 5. a listing that repeats an id gives one record ---------------------------------------------


GATEWAY = {
    "id": 1,
    "name": "my_siptrunk",
    "model": {"modelId": "sipTrunkStandard", "label": "SIP trunk"},
    "enabled": True,
    "address": "192.168.1.14",
    "addressPort": 5060,
    "addressTransport": "tcp",
}
HUNT = {
    "id": 1,
    "name": "sales-hunt",
    "extension": "600",
    "description": None,
    "enabled": True,
    "ringBeans": [{"userName": "201", "typeStr": "If no response", "enabled": True, "expiration": 30}],
}


@pytest.mark.parametrize(
    ("kind", "path", "body"),
    [
        (Kind.TRUNK, f"{API}/gateways", {"gateways": [GATEWAY, {**GATEWAY, "name": "again"}]}),
        (Kind.DEVICE, f"{API}/phones", {"phones": [phone_with_lines(), phone_with_lines(phone_id=3)]}),
        (Kind.QUEUE, f"{API}/callgroups", {"callGroups": [HUNT, dict(HUNT)]}),
        (
            Kind.USER,
            f"{REST}/user",
            {
                "user": {
                    "metadata": {"totalResults": 2, "currentPage": 1, "totalPages": 1},
                    "users": [{"id": 2, "userName": "201"}, {"id": 2, "userName": "201"}],
                }
            },
        ),
    ],
)
async def test_a_listing_that_repeats_an_id_gives_one_record(
    emulator: Emulator[SipxState], url: str, kind: Kind, path: str, body: dict[str, Any]
) -> None:
    # A trunk's settings are read under the same path (``/gateways/1/settings``): only the listing is replaced.
    emulator.faults.add(answer(path, body, times=1 if kind is Kind.TRUNK else None))
    async with GraphQLTestClient.running(Config(backends=(sipx(url, format="json"),))) as client:
        data = await client.execute(f"{{ {kind.value}s(first: 50) {{ totalCount nodes {{ id nativeId }} }} }}")
    nodes = data["data"][f"{kind.value}s"]["nodes"]
    assert [n["nativeId"] for n in nodes] == [str(body_id(body))]
    assert data["data"][f"{kind.value}s"]["totalCount"] == 1


def body_id(body: dict[str, Any]) -> int:
    (entries,) = list(body.values())
    listed = entries["users"] if isinstance(entries, dict) else entries
    return int(listed[0]["id"])


# --- device registration, from registrations by MAC -----------------------------------------


async def test_devices_carry_the_registration_of_their_mac(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    devices = {d.name: d.registration for d in (await connector.devices.page(ListQuery())).items}
    alice, bob, lobby = devices["Alice desk"], devices["Bob desk"], devices["Lobby phone"]
    assert alice is not None and (alice.status, alice.changed_at, alice.address) == (
        Registration.ONLINE,
        None,
        "192.168.1.50:5060",
    )
    expired = emulator.state.registrations[1].expires
    assert bob is not None and (bob.status, bob.changed_at, bob.address) == (
        Registration.OFFLINE,
        datetime.fromtimestamp(expired, UTC),
        None,
    )
    assert lobby is not None and (lobby.status, lobby.changed_at) == (Registration.OFFLINE, None)
    # One registrations read for the whole page.
    assert [r.path for r in emulator.recorder.requests] == [f"{API}/phones", f"{API}/registrations"]


async def test_device_registration_unknown_when_unreadable_or_switched_off(
    connector: SipxcomConnector, emulator: Emulator[SipxState], url: str
) -> None:
    emulator.faults.add(Fault(kind=FaultKind.STATUS, path_prefix=f"{API}/registrations", status=500, times=1))
    assert [d.registration for d in (await connector.devices.page(ListQuery())).items] == [None, None, None]
    quiet = make_connector(url, registrations=False)
    try:
        emulator.recorder.clear()
        assert [d.registration for d in (await quiet.devices.get_many(["1", "2"]))] == [None, None]
    finally:
        await quiet.aclose()
    assert [r.path for r in emulator.recorder.requests] == [f"{API}/phones"]


async def test_a_new_phone_is_offline_until_it_registers(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    emulator.state.save_phone(Phone(id=7, serial_no="0004f2000007", model_id="polycomVVX450"))
    (phone,) = await connector.devices.get_many(["7"])
    assert phone is not None and phone.registration is not None
    assert phone.registration.status is Registration.OFFLINE


# --- 9. rules: what sipXcom cannot store is NOT_SUPPORTED before any call -------------------------


CAPABILITIES = """{ backends { capabilities { kind createFields updateFields requiredFields strategies
  memberKinds memberPriority models trunkKinds } } }"""


async def test_capabilities_show_what_sipxcom_stores(client: GraphQLTestClient) -> None:
    (backend,) = (await client.data(CAPABILITIES))["backends"]
    rules = {c["kind"]: c for c in backend["capabilities"]}
    assert sorted(rules["GROUP"]["createFields"]) == ["description", "members", "name"]
    assert sorted(rules["GROUP"]["updateFields"]) == ["description", "name"]
    # A user group rings no one: no strategy to offer, and its members are users.
    assert (rules["GROUP"]["strategies"], rules["GROUP"]["memberKinds"]) == ([], ["USER"])
    queue = rules["QUEUE"]
    assert (queue["requiredFields"], sorted(queue["strategies"]), queue["memberKinds"], queue["memberPriority"]) == (
        ["extension"],
        ["ALL", "SEQUENTIAL"],
        ["USER"],
        None,
    )
    assert "displayName" not in queue["createFields"]
    trunk = rules["TRUNK"]
    assert sorted(trunk["trunkKinds"]) == ["ANALOG", "BRI", "OTHER", "PRI", "SIP", "UNMANAGED"]
    assert len(trunk["models"]) == 10 and "sipTrunkStandard" in trunk["models"]
    device = rules["DEVICE"]
    assert device["requiredFields"] == ["model"]
    # The phone models the server lists, by label and by model id.
    assert {"Polycom VVX 450", "polycomVVX450", "Yealink SIP-T46S"} <= set(device["models"])


@pytest.mark.parametrize(
    ("mutation", "code", "field"),
    [
        (
            'createDevice(backend: "sipx", input: {mac: "00:04:f2:00:00:09", model: "Teapot 3000"}) { id }',
            "BAD_USER_INPUT",
            "input.model",
        ),
        ('createDevice(backend: "sipx", input: {mac: "00:04:f2:00:00:09"}) { id }', "BAD_USER_INPUT", "input.model"),
        ('createGroup(backend: "sipx", input: {name: "g", strategy: ALL}) { id }', "NOT_SUPPORTED", "input.strategy"),
        (
            'createGroup(backend: "sipx", input: {name: "g", displayName: "G"}) { id }',
            "NOT_SUPPORTED",
            "input.displayName",
        ),
        (
            'createTrunk(backend: "sipx", input: {name: "t", host: "10.9.9.9", model: "teapotGateway"}) { id }',
            "BAD_USER_INPUT",
            "input.model",
        ),
        (
            'createTrunk(backend: "sipx", input: {name: "t", host: "10.9.9.9", kind: PRI, username: "a"}) { id }',
            "NOT_SUPPORTED",
            "input.username",
        ),
        (
            'createTrunk(backend: "sipx", input: {name: "t", domain: "x.example", kind: ANALOG}) { id }',
            "NOT_SUPPORTED",
            "input.domain",
        ),
    ],
)
async def test_refused_before_any_vendor_call(
    client: GraphQLTestClient, emulator: Emulator[SipxState], mutation: str, code: str, field: str
) -> None:
    body = await client.execute(f"mutation {{ {mutation} }}")
    assert error_codes(body) == [code]
    extensions = body["errors"][0]["extensions"]
    assert (extensions["field"], extensions["backend"]) == (field, "sipx")
    assert emulator.recorder.count() == 0


async def test_phone_models_are_read_once_when_opening(
    connector: SipxcomConnector, url: str, emulator: Emulator[SipxState]
) -> None:
    fresh = make_connector(url)
    try:
        assert fresh.capabilities.rules_for(Kind.DEVICE).models is None  # not read yet
        await fresh.open()
        models = fresh.capabilities.rules_for(Kind.DEVICE).models
    finally:
        await fresh.aclose()
    assert models is not None and "Polycom VVX 411" in models and "polycomVVX411" in models
    assert [r.path for r in emulator.recorder.requests] == [f"{API}/phones/models"]


async def test_a_server_down_at_open_gets_its_models_read_on_first_need(
    url: str, emulator: Emulator[SipxState]
) -> None:
    emulator.faults.add(Fault(kind=FaultKind.STATUS, path_prefix=f"{API}/phones/models", status=503, times=1))
    connector = make_connector(url)
    try:
        await connector.open()
        assert connector.capabilities.rules_for(Kind.DEVICE).models is None
        device = await connector.devices.create(DeviceCreate(mac="00:04:f2:00:00:0a", model="Yealink SIP-T46S"))
        assert device.model == "Yealink SIP-T46S"
        assert "Yealink SIP-T46S" in (connector.capabilities.rules_for(Kind.DEVICE).models or ())
    finally:
        await connector.aclose()


# --- the app lists every kind with the widened fields ---------------------------------------------


EVERY_KIND = """{
  users(first: 50) { nodes { username displayName extension enabled registration
    groups { name displayName } devices { mac registration { status address } } } }
  groups(first: 50) { nodes { name displayName extension strategy description members { user { username } } } }
  queues(first: 50) { nodes { name displayName extension strategy description
    members { position priority settings member { ... on User { username } } } } }
  trunks(first: 50) { nodes { name kind model domain host port transport username register enabled
    registration { status } } }
  devices(first: 50) { nodes { mac model name registration { status changedAt address } user { username } } }
}"""


async def test_the_app_lists_every_kind_with_the_new_fields(client: GraphQLTestClient) -> None:
    data = await client.data(EVERY_KIND)
    assert [u["enabled"] for u in data["users"]["nodes"]] == [True, True, True, True, False]
    alice = data["users"]["nodes"][0]
    assert alice["devices"] == [
        {"mac": "00:04:f2:80:cc:95", "registration": {"status": "ONLINE", "address": "192.168.1.50:5060"}}
    ]
    assert {g["name"]: g["displayName"] for g in data["groups"]["nodes"]} == {
        "engineering": None,
        "sales": None,
        "support": None,
    }
    assert [(q["name"], q["extension"], q["strategy"], len(q["members"])) for q in data["queues"]["nodes"]] == [
        ("helpdesk", "601", "ALL", 3),
        ("sales-hunt", "600", "SEQUENTIAL", 2),
    ]
    assert [
        (t["name"], t["kind"], t["model"], t["domain"], t["host"], t["registration"]) for t in data["trunks"]["nodes"]
    ] == [
        ("lobby-fxo", "ANALOG", "audiocodesMP1X4_4_FXO", None, "10.0.0.20", None),
        ("my_siptrunk", "SIP", "sipTrunkStandard", "192.168.1.14", "192.168.1.14", None),
        ("old-pbx", "UNMANAGED", "genericGatewayStandard", None, "pbx-old.example.com", None),
        ("pstn-pri", "PRI", "audiocodesMediant1000", None, "10.0.0.21", None),
    ]
    devices = {d["name"]: d for d in data["devices"]["nodes"]}
    assert devices["Alice desk"]["registration"] == {
        "status": "ONLINE",
        "changedAt": None,
        "address": "192.168.1.50:5060",
    }
    assert devices["Bob desk"]["registration"]["status"] == "OFFLINE"
    assert devices["Bob desk"]["registration"]["changedAt"] is not None
    assert devices["Lobby phone"]["registration"] == {"status": "OFFLINE", "changedAt": None, "address": None}
    assert devices["Lobby phone"]["user"] is None


# --- 2. every gateway is a trunk --------------------------------------------------------------


async def test_node_answers_any_gateway(client: GraphQLTestClient) -> None:
    data = await client.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Trunk { name kind model host } } }",
        {"ids": [gid(Kind.TRUNK, n) for n in ("2", "3", "4")]},
    )
    assert data["nodes"] == [
        {"name": "lobby-fxo", "kind": "ANALOG", "model": "audiocodesMP1X4_4_FXO", "host": "10.0.0.20"},
        {"name": "pstn-pri", "kind": "PRI", "model": "audiocodesMediant1000", "host": "10.0.0.21"},
        {"name": "old-pbx", "kind": "UNMANAGED", "model": "genericGatewayStandard", "host": "pbx-old.example.com"},
    ]


async def test_create_and_change_a_pri_trunk(client: GraphQLTestClient, emulator: Emulator[SipxState]) -> None:
    created = await client.data(
        'mutation { createTrunk(backend: "sipx", input: {name: "e1-b", host: "10.0.0.30", '
        "port: 5060, transport: TCP, kind: PRI}) { id kind model domain host port } }"
    )
    trunk = created["createTrunk"]
    assert (trunk["kind"], trunk["model"], trunk["domain"], trunk["host"]) == (
        "PRI",
        "audiocodesMediant1000",
        None,
        "10.0.0.30",
    )
    body = await client.execute(
        'mutation($id: ID!) { updateTrunk(id: $id, input: {password: "Pri-Secret-1"}) { id } }', {"id": trunk["id"]}
    )
    assert error_codes(body) == ["NOT_SUPPORTED"]
    assert body["errors"][0]["extensions"]["field"] == "input.password" and "Pri-Secret-1" not in str(body)
    moved = await client.data(
        'mutation($id: ID!) { updateTrunk(id: $id, input: {host: "10.0.0.31"}) { host } }', {"id": trunk["id"]}
    )
    assert moved["updateTrunk"] == {"host": "10.0.0.31"}


async def test_odd_registrations_degrade_to_what_can_be_told(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    emulator.faults.add(
        answer(
            f"{API}/registrations",
            {
                "registrations": [
                    {
                        "uri": "sip:200@pbx.example.com",
                        "contact": "<sips:200@[2001:db8::1]:5061;transport=tls>",
                        "expires": 1700000000,
                        "instrument": "00:04:F2:80:CC:95",
                        "status": "active",
                        "secondsToExpire": 60,
                    },
                    {
                        "uri": "sip:201@pbx.example.com",
                        "contact": None,
                        "expires": 10**30,
                        "instrument": "805ec0a1b2c3",
                        "status": "expired",
                        "secondsToExpire": 0,
                    },
                ]
            },
        )
    )
    devices = {d.name: d.registration for d in (await connector.devices.page(ListQuery())).items}
    alice, bob = devices["Alice desk"], devices["Bob desk"]
    assert alice is not None and (alice.status, alice.address) == (Registration.ONLINE, "[2001:db8::1]:5061")
    # An expiry no calendar holds: offline, since when unknown.
    assert bob is not None and (bob.status, bob.changed_at, bob.address) == (Registration.OFFLINE, None, None)
