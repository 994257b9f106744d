"""sipXcom phones changed through GraphQL: the MAC, the model and the name land in the phone bean,
one PUT for any number of them, none for a change that changes nothing, none for a refused one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from pbxgraph.config import Config
from pbxgraph.domain import Kind
from pbxgraph.emulators.sipxcom import SipxState
from pbxgraph.emulators.toolkit import Emulator
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.sipxcom.test_sipxcom_graphql import gid, sipx

API = "/sipxconfig/api"
UPDATE = "mutation($d: ID!, $i: UpdateDeviceInput!) { updateDevice(id: $d, input: $i) { mac model name } }"
LOBBY = gid(Kind.DEVICE, "3")


@pytest.fixture
async def client(emulator: Emulator[SipxState], url: str) -> AsyncIterator[GraphQLTestClient]:
    async with GraphQLTestClient.running(Config(backends=(sipx(url),))) as client:
        emulator.recorder.clear()
        yield client


async def test_mac_model_and_name_change_in_one_put(client: GraphQLTestClient, emulator: Emulator[SipxState]) -> None:
    data = await client.data(
        UPDATE, {"d": LOBBY, "i": {"mac": "00-04-F2-AA-BB-CD", "model": "Yealink SIP-T46S", "name": "Front door"}}
    )
    assert data["updateDevice"] == {"mac": "00:04:f2:aa:bb:cd", "model": "Yealink SIP-T46S", "name": "Front door"}
    phone = emulator.state.phones[3]
    assert (phone.serial_no, phone.model_id, phone.description) == ("0004f2aabbcd", "yealinkSIPT46S", "Front door")
    assert emulator.recorder.count("PUT", f"{API}/phones") == 1


async def test_a_model_is_found_by_its_id_as_well(client: GraphQLTestClient, emulator: Emulator[SipxState]) -> None:
    data = await client.data(UPDATE, {"d": LOBBY, "i": {"model": "polycomVVX450"}})
    assert data["updateDevice"]["model"] == "Polycom VVX 450"
    assert emulator.state.phones[3].model_id == "polycomVVX450"


async def test_a_change_to_what_the_phone_already_is_writes_nothing(
    client: GraphQLTestClient, emulator: Emulator[SipxState]
) -> None:
    data = await client.data(UPDATE, {"d": LOBBY, "i": {"name": "Lobby phone", "mac": "00:04:f2:aa:bb:cc"}})
    assert data["updateDevice"] == {"mac": "00:04:f2:aa:bb:cc", "model": "Polycom VVX 411", "name": "Lobby phone"}
    assert emulator.recorder.count("PUT") == 0 and emulator.recorder.count("POST") == 0


@pytest.mark.parametrize(
    ("change", "cause"),
    [
        ({"model": None}, "a sipXcom phone always has a model"),
        ({"model": "Teapot 3000", "name": "Kettle"}, "backend 'sipx' does not know the device model"),
    ],
)
async def test_a_model_sipxcom_cannot_take_is_refused_and_nothing_is_written(
    client: GraphQLTestClient, emulator: Emulator[SipxState], change: dict, cause: str
) -> None:
    body = await client.execute(UPDATE, {"d": LOBBY, "i": change})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    error = body["errors"][0]
    assert error["extensions"]["field"] == "input.model" and cause in error["message"]
    phone = emulator.state.phones[3]
    assert (phone.model_id, phone.description) == ("polycomVVX411", "Lobby phone")
    assert emulator.recorder.count("PUT") == 0


async def test_unassigning_a_phone_without_lines_changes_nothing(
    client: GraphQLTestClient, emulator: Emulator[SipxState]
) -> None:
    data = await client.data("mutation($d: ID!) { unassignDevice(deviceId: $d) { name user { id } } }", {"d": LOBBY})
    assert data["unassignDevice"] == {"name": "Lobby phone", "user": None}
    assert emulator.state.phones[3].lines == []
    assert emulator.recorder.count("DELETE") == 0
