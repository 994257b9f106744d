"""The emulator and the connector held to the Infinity document's own example bodies.

The bodies below are copied from "Config API Version 2 SIP Phone System"
(every example body the document has: PBX devices and PBX user devices).
Each test puts the example's data into a fresh emulator, asks the emulator
the documented operation, and checks the answer has the same field names,
value types and nesting (and here, since the data is the example's, the same
values); then the connector maps the same answer to the expected record.

The document shows no row of a user, group, queue or queue member ("SIP User
rows"); for those the emulator's field names are a guess (the documented
create parameters, the record's id, ``domainId`` and the two datetimes, as
device rows have them), pinned down in ``test_undocumented_rows_are_the_create_parameters``
so that a change to the guess is a visible decision.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from pbxgraph.connectors.infinity import InfinityConnector
from pbxgraph.connectors.infinity.mapping import RING_STRATEGY, VENDOR_RING_STRATEGY, device_from_row
from pbxgraph.domain import (
    Device,
    Filter,
    GroupCreate,
    ListQuery,
    MemberKind,
    QueueCreate,
    QueueMemberInput,
    RingStrategy,
    UserCreate,
)
from pbxgraph.emulators.infinity import DEMO_CREDENTIALS, InfinityState, reset_emulator
from pbxgraph.emulators.infinity.state import DOMAIN_FIELDS, USER_FIELDS, row_of
from pbxgraph.emulators.toolkit import Emulator
from tests.infinity.conftest import ConnectorFactory

KEY = {"Authorization": f"ApiKey {DEMO_CREDENTIALS['api_key']}"}
D1 = "/config/v2.1/sip/domains/1"

# --- the document's example bodies, verbatim ------------------------------------------------

#: "List PBX devices", HTTP 200.
LIST_PBX_DEVICES = """\
{"pbxDeviceId":"1","pbxDeviceName":"My PBX Device 1","domainId":"1","deviceMacAddress":"10:20:30:1A:2B:3C","createDatetime":"2019-10-31 09:42:56","updateDatetime":"2019-10-31 09:50:06","userId":"11","user":"test.user"}
{"pbxDeviceId":"2","pbxDeviceName":"My PBX Device 2","domainId":"1","deviceMacAddress":"10:20:30:5C:4F:2A","createDatetime":"2019-10-31 14:41:10","updateDatetime":"2019-10-31 15:54:22","userId":"11","user":"test.user"}
"""
#: "Read PBX devices", HTTP 200.
READ_PBX_DEVICE = """\
{"pbxDeviceId":"1","pbxDeviceName":"My PBX Device 1","domainId":"1","deviceMacAddress":"10:20:30:1A:2B:3C","createDatetime":"2019-10-31 09:42:56","updateDatetime":"2019-10-31 09:50:06","userId":"11","user":"test.user"}
"""
#: "Create PBX device", HTTP 201.
CREATE_PBX_DEVICE = """{"pbxDeviceId":"1"}"""
#: "List PBX User Devices", HTTP 200.
LIST_PBX_USER_DEVICES = """\
{"userId":"1","pbxDeviceId":"1","user":"user.name","updateDatetime":"2001-01-01 00:00:00","pbxDeviceName":"deviceName 1"}
{"userId":"1","pbxDeviceId":"2","user":"user.name","updateDatetime":"2001-01-01 00:00:00","pbxDeviceName":"deviceName 2"}
"""
#: "Read PBX User Device", HTTP 200.
READ_PBX_USER_DEVICE = """\
{"userId":"1","pbxDeviceId":"1","user":"user.name","updateDatetime":"2001-01-01 00:00:00","pbxDeviceName":"deviceName 1"}
"""
#: "Create PBX User Device", HTTP 201 ("Returns the entire newly created PBX user device").
CREATE_PBX_USER_DEVICE = """{"pbxDeviceId":"1","userId":"1","pbxDeviceToken":"432e2286a22f28a3e3a4d2dde"}"""

#: The two ``ringStrategy`` values of "Create SIP queue member".
DOCUMENTED_RING_STRATEGIES = {"all", "huntLongestIdle"}


def doc_rows(body: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.splitlines() if line.strip()]


def shape(value: Any) -> Any:
    """Field names (in order), value types and nesting; the values themselves left out."""
    if isinstance(value, dict):
        return [(key, shape(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def answer_rows(response: httpx.Response) -> list[dict[str, Any]]:
    """Rows as the document writes them: one JSON object per line, no enclosing array."""
    assert response.status_code == 200, response.text
    assert not response.text.lstrip().startswith("[")
    return [json.loads(line) for line in response.text.splitlines()]


# --- an emulator holding the examples' data ---------------------------------------------------------


def empty_domain(state: InfinityState) -> None:
    state.domains.insert(
        row_of(
            DOMAIN_FIELDS,
            {
                "domainId": 1,
                "domainName": "example.sip",
                "displayName": "Example",
                "rec": 0,
                "createDatetime": "2019-10-31 09:00:00",
                "updateDatetime": "2019-10-31 09:00:00",
            },
        )
    )


def put_user(state: InfinityState, user_id: int, username: str) -> None:
    state.users.rows[user_id] = row_of(
        USER_FIELDS,
        {
            "userId": user_id,
            "domainId": 1,
            "user": username,
            "displayName": username,
            "extensionNumber": "2000",
            "createDatetime": "2019-10-31 09:00:00",
            "updateDatetime": "2019-10-31 09:00:00",
        },
    )


def put_device(state: InfinityState, row: dict[str, Any]) -> None:
    """A device as the emulator stores it: the example row without ``user``, which a listing derives."""
    stored = {k: v for k, v in row.items() if k != "user"}
    stored.setdefault("domainId", "1")
    stored.setdefault("deviceMacAddress", f"10:20:30:00:00:{int(row['pbxDeviceId']):02X}")
    stored.setdefault("createDatetime", row["updateDatetime"])
    state.devices.rows[int(row["pbxDeviceId"])] = stored


@pytest.fixture
async def http(emulator: Emulator[InfinityState], infinity_url: str) -> AsyncIterator[httpx.AsyncClient]:
    reset_emulator(emulator, seed=False)
    empty_domain(emulator.state)
    async with httpx.AsyncClient(base_url=infinity_url, headers=KEY) as client:
        yield client


@pytest.fixture
def device_example(http: httpx.AsyncClient, emulator: Emulator[InfinityState]) -> None:
    """The data of the "List PBX devices" example: two devices of user 11, ``test.user``."""
    put_user(emulator.state, 11, "test.user")
    for row in doc_rows(LIST_PBX_DEVICES):
        put_device(emulator.state, row)


@pytest.fixture
def user_device_example(http: httpx.AsyncClient, emulator: Emulator[InfinityState]) -> None:
    """The data of the "List PBX User Devices" example: two devices of user 1, ``user.name``."""
    put_user(emulator.state, 1, "user.name")
    for row in doc_rows(LIST_PBX_USER_DEVICES):
        put_device(emulator.state, row)


# --- PBX devices ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("device_example")
async def test_list_pbx_devices_answers_the_documented_rows(http: httpx.AsyncClient) -> None:
    rows = answer_rows(await http.get(f"{D1}/devices"))
    assert [shape(r) for r in rows] == [shape(r) for r in doc_rows(LIST_PBX_DEVICES)]
    assert rows == doc_rows(LIST_PBX_DEVICES)


@pytest.mark.usefixtures("device_example")
async def test_read_pbx_device_answers_the_documented_row(http: httpx.AsyncClient) -> None:
    rows = answer_rows(await http.get(f"{D1}/devices/1"))
    assert [shape(r) for r in rows] == [shape(r) for r in doc_rows(READ_PBX_DEVICE)]
    assert rows == doc_rows(READ_PBX_DEVICE)


async def test_create_pbx_device_answers_the_documented_body(http: httpx.AsyncClient) -> None:
    response = await http.post(
        f"{D1}/devices", data={"pbxDeviceName": "My PBX Device 1", "deviceMacAddress": "10:20:30:1A:2B:3C"}
    )
    assert response.status_code == 201
    assert shape(response.json()) == shape(json.loads(CREATE_PBX_DEVICE))
    assert response.json() == json.loads(CREATE_PBX_DEVICE)
    update = await http.post(f"{D1}/devices/1", data={"pbxDeviceName": "Renamed"})
    assert (update.status_code, update.content) == (204, b"")
    delete = await http.delete(f"{D1}/devices/1")
    assert (delete.status_code, delete.content) == (204, b"")


@pytest.mark.usefixtures("device_example")
async def test_the_connector_maps_the_documented_devices(make_infinity: ConnectorFactory) -> None:
    expected = [
        Device(
            id="1-1",
            mac="10:20:30:1a:2b:3c",
            model=None,
            name="My PBX Device 1",
            registration=None,
            raw=doc_rows(LIST_PBX_DEVICES)[0],
        ),
        Device(
            id="1-2",
            mac="10:20:30:5c:4f:2a",
            model=None,
            name="My PBX Device 2",
            registration=None,
            raw=doc_rows(LIST_PBX_DEVICES)[1],
        ),
    ]
    assert [device_from_row(row, 1, "inf") for row in doc_rows(LIST_PBX_DEVICES)] == expected
    # The same over HTTP, from the emulator answering with the example's rows.
    infinity = await make_infinity(domains=[1])
    assert infinity.devices is not None
    assert (await infinity.devices.page(ListQuery(limit=10))).items == expected
    assert (await infinity.devices.get_many(["1-2"])) == expected[1:]
    found = await infinity.devices.page(ListQuery(filter=Filter(mac="10:20:30:1a:2b:3c")))
    assert found.items == expected[:1]
    owners = await infinity.devices.users_of(["1-1", "1-2"])
    assert [o.username if o else None for o in owners] == ["test.user", "test.user"]


# --- PBX user devices ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("user_device_example")
async def test_list_and_read_pbx_user_devices_answer_the_documented_rows(http: httpx.AsyncClient) -> None:
    listed = answer_rows(await http.get(f"{D1}/users/1/devices"))
    assert [shape(r) for r in listed] == [shape(r) for r in doc_rows(LIST_PBX_USER_DEVICES)]
    assert listed == doc_rows(LIST_PBX_USER_DEVICES)
    read = answer_rows(await http.get(f"{D1}/users/1/devices/1"))
    assert read == doc_rows(READ_PBX_USER_DEVICE)


async def test_create_pbx_user_device_answers_the_documented_body(
    http: httpx.AsyncClient, emulator: Emulator[InfinityState]
) -> None:
    put_user(emulator.state, 1, "user.name")
    created = await http.post(
        f"{D1}/devices", data={"pbxDeviceName": "deviceName 1", "deviceMacAddress": "10:20:30:1A:2B:3C"}
    )
    assert created.status_code == 201
    response = await http.post(f"{D1}/users/1/devices", data={"pbxDeviceId": "1"})
    assert response.status_code == 201
    body = response.json()
    documented = json.loads(CREATE_PBX_USER_DEVICE)
    assert shape(body) == shape(documented)
    assert (body["pbxDeviceId"], body["userId"]) == (documented["pbxDeviceId"], documented["userId"])
    assert len(body["pbxDeviceToken"]) == len(documented["pbxDeviceToken"])
    delete = await http.delete(f"{D1}/users/1/devices/1")
    assert (delete.status_code, delete.content) == (204, b"")


@pytest.mark.usefixtures("user_device_example")
async def test_the_connector_reads_the_user_of_the_documented_user_devices(make_infinity: ConnectorFactory) -> None:
    infinity = await make_infinity(domains=[1])
    assert infinity.users is not None
    (devices,) = await infinity.users.devices_of(["1-1"])
    assert [(d.id, d.name) for d in devices] == [("1-1", "deviceName 1"), ("1-2", "deviceName 2")]
    assert all(d.raw["user"] == "user.name" and d.registration is None for d in devices)


# --- ring strategies ---------------------------------------------------------------------------------------


def test_every_documented_ring_strategy_maps_both_ways() -> None:
    assert set(RING_STRATEGY) == DOCUMENTED_RING_STRATEGIES
    assert RING_STRATEGY["all"] is RingStrategy.ALL and RING_STRATEGY["huntLongestIdle"] is RingStrategy.LONGEST_IDLE
    assert {VENDOR_RING_STRATEGY[s]: s for s in RING_STRATEGY.values()} == dict(RING_STRATEGY)


@pytest.mark.parametrize("strategy", sorted(DOCUMENTED_RING_STRATEGIES))
async def test_the_emulator_takes_every_documented_ring_strategy_and_no_other(
    http: httpx.AsyncClient, strategy: str
) -> None:
    await http.post(
        f"{D1}/groups",
        data={
            "groupName": "sales",
            "displayName": "Sales Dept",
            "extensionNumber": "400",
            "ringRetry": "0",
            "ringExclusive": "0",
            "callerNameFormat": "",
        },
    )
    await http.post(f"{D1}/queues", data={"queueName": "sales", "displayName": "Sales Dept", "extensionNumber": "500"})
    member = {"groupId": "1", "ringAttempts": "1", "ringSecs": "20", "ringOrder": "0"}
    refused = await http.post(f"{D1}/queues/1/members", data={**member, "ringStrategy": "roundRobin"})
    assert refused.status_code == 400
    created = await http.post(f"{D1}/queues/1/members", data={**member, "ringStrategy": strategy})
    assert created.status_code == 201
    (row,) = answer_rows(await http.get(f"{D1}/queues/1/members"))
    assert row["ringStrategy"] == strategy


# --- rows the document does not show: the emulator's guess, pinned ---------------------------------------


USER_CREATE_PARAMS = [
    "user",
    "password",
    "displayName",
    "pin",
    "extensionNumber",
    "email",
    "firstName",
    "lastName",
    "jobName",
    "departmentName",
    "companyName",
    "officeName",
    "ukCallerId",
    "usCallerId",
    "mobileNumber",
    "mobileFollow",
    "ukPhoneId",
    "usPhoneId",
    "hotdeskAllowed",
    "dashboard",
]
GROUP_CREATE_PARAMS = ["groupName", "displayName", "extensionNumber", "ringRetry", "ringExclusive", "callerNameFormat"]
QUEUE_CREATE_PARAMS = ["queueName", "displayName", "extensionNumber", "callerNameFormat"]
QUEUE_MEMBER_CREATE_PARAMS = ["groupId", "ringStrategy", "ringAttempts", "ringSecs", "ringOrder"]
SECRETS = {"password", "pin"}
STAMPS = {"createDatetime", "updateDatetime"}


@pytest.mark.parametrize(
    ("path", "params", "ids"),
    [
        ("users", USER_CREATE_PARAMS, {"userId", "domainId"}),
        ("groups", GROUP_CREATE_PARAMS, {"groupId", "domainId"}),
        ("queues", QUEUE_CREATE_PARAMS, {"queueId", "domainId"}),
        ("queues/1/members", QUEUE_MEMBER_CREATE_PARAMS, {"queueMemberId", "queueId"}),
    ],
)
async def test_undocumented_rows_are_the_create_parameters(
    emulator: Emulator[InfinityState], infinity_url: str, path: str, params: list[str], ids: set[str]
) -> None:
    async with httpx.AsyncClient(base_url=infinity_url, headers=KEY) as http:
        rows = answer_rows(await http.get(f"{D1}/{path}"))
    assert rows and all(set(r) == (set(params) - SECRETS) | ids | STAMPS for r in rows)
    assert all(isinstance(v, str) for r in rows for v in r.values() if v is not None)


async def test_the_documents_example_names_map_to_name_and_display_name(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    """The document's own example values: ``groupName`` "sales", ``displayName`` "Sales Dept", Joe Blogs."""
    assert infinity.users and infinity.groups and infinity.queues
    user = await infinity.users.create(
        UserCreate(
            username="joe.blogs",
            display_name="Joe Blogs",
            extension="2099",
            email="joe.blogs@company.com",
            sip_password="Example-Pw-1",
        )
    )
    assert (user.username, user.display_name, user.email) == ("joe.blogs", "Joe Blogs", "joe.blogs@company.com")
    group = await infinity.groups.create(GroupCreate(name="sales", display_name="Sales Dept", extension="4099"))
    assert (group.name, group.display_name, group.description, group.strategy) == ("sales", "Sales Dept", None, None)
    queue = await infinity.queues.create(
        QueueCreate(
            name="sales",
            display_name="Sales Dept",
            extension="4599",
            members=[QueueMemberInput(kind=MemberKind.GROUP, id=group.id)],
        )
    )
    assert (queue.name, queue.display_name, queue.description) == ("sales", "Sales Dept", None)
    assert queue.strategy is RingStrategy.ALL  # the configured ring strategy of new members
    rows = {
        r.path.rsplit("/", 1)[-1]: dict(parse_qsl(r.body.decode()))
        for r in emulator.recorder.matching("POST")
        if r.path.endswith(("/groups", "/queues"))
    }
    assert (rows["groups"]["groupName"], rows["groups"]["displayName"]) == ("sales", "Sales Dept")
    assert (rows["queues"]["queueName"], rows["queues"]["displayName"]) == ("sales", "Sales Dept")
