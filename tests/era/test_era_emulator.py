"""The Era emulator speaks the API as the vendor documents describe it, over real HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from pbxgraph.emulators.era import DEMO_TOKEN, create_emulator
from pbxgraph.emulators.era.seed import GROUPS, HUNTS, PROVIDERS, USERS
from pbxgraph.emulators.era.state import EraState
from pbxgraph.emulators.toolkit import Emulator, LoopbackServer
from tests.era.conftest import READER_TOKEN

UC = "/rest/v1/uc"
ANNA = USERS[0][0]
ODD_ID = USERS[2][0]  # 66297232-9f5b-371a-2202-394fa940f3882: not a valid UUID, as in Era's examples
RECEPTION = GROUPS[0]["id"]
SUPPORT = HUNTS[0]["id"]


@pytest.fixture
async def http(era: Emulator[EraState], era_server: LoopbackServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=era_server.url, headers={"Authorization": f"Bearer {DEMO_TOKEN}"}) as client:
        yield client


def flt(expression: Any) -> dict[str, str]:
    return {"filter": json.dumps(expression)}


def era_error(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code and body["error_message"], body
    return body


# --- the documented verbs and answers ---------------------------------------------------


async def test_create_answers_200_with_the_stored_entity_and_keeps_a_given_id(http: httpx.AsyncClient) -> None:
    response = await http.post(
        f"{UC}/sipgroups",
        json={
            "id": "not-a-uuid-at-all",
            "phonenumber": "530",
            "type": "cascade",
            "dialplan": [{"dial": ["201"], "timeout": 10000}, {"dial": ["202", "203"]}],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "not-a-uuid-at-all"
    assert body["dialplan"][0] == {"dial": ["201"], "timeout": 10000}
    assert body["pickup"] == 0 and body["opts"] == {"title": "", "comment": ""}
    assert set(body["ext"]) == {"ct", "lwt"}
    generated = (await http.post(f"{UC}/hunts", json={"code": "night"})).json()
    assert generated["id"] and generated["resources"] == []


async def test_lists_are_bare_arrays_of_partial_views(http: httpx.AsyncClient) -> None:
    hunts = (await http.get(f"{UC}/hunts")).json()
    assert isinstance(hunts, list) and len(hunts) == len(HUNTS)
    assert all("resources" not in h and set(h["opts"]) == {"title", "exit_no_resource"} for h in hunts)
    providers = (await http.get(f"{UC}/providers")).json()
    assert all("pwd" not in p and set(p["opts"]) == {"title"} for p in providers)
    groups = (await http.get(f"{UC}/sipgroups")).json()
    assert all(set(g["opts"]) == {"title"} and "dialplan" in g for g in groups)
    users = (await http.get(f"{UC}/sipusers")).json()
    assert len(users) == len(USERS) and all("pwd" not in u for u in users)
    assert users[0]["opts"]["ap_mac_address"] == "805EC0D525CA"


async def test_a_single_read_is_whole_and_shows_pwd_to_administrators_only(
    http: httpx.AsyncClient, era_server: LoopbackServer
) -> None:
    hunt = (await http.get(f"{UC}/hunts/{SUPPORT}")).json()
    assert [r["priority"] for r in hunt["resources"]] == [100, 99, 95]
    assert hunt["opts"]["comment"]
    provider_id = PROVIDERS[0]["id"]
    assert (await http.get(f"{UC}/providers/{provider_id}")).json()["pwd"] == PROVIDERS[0]["pwd"]
    reader = await http.get(f"{UC}/providers/{provider_id}", headers={"Authorization": f"Bearer {READER_TOKEN}"})
    assert reader.status_code == 200 and "pwd" not in reader.json()
    odd = await http.get(f"{UC}/sipusers/{ODD_ID}")
    assert odd.status_code == 200 and odd.json()["login"] == "clara.schmidt"


async def test_patch_answers_the_whole_entity_and_leaves_unnamed_fields(http: httpx.AsyncClient) -> None:
    response = await http.patch(f"{UC}/sipgroups/{RECEPTION}", json={"type": "parallel", "opts": {"title": "Front"}})
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "parallel" and body["phonenumber"] == "500"
    assert body["opts"] == {"title": "Front", "comment": GROUPS[0]["opts"]["comment"]}
    assert body["dialplan"] == GROUPS[0]["dialplan"]
    assert body["ext"]["ct"] != "" and body["ext"]["lwt"] >= body["ext"]["ct"]
    era_error(await http.patch(f"{UC}/sipgroups/{RECEPTION}", json={"id": "other"}), 400, 1413)
    era_error(await http.patch(f"{UC}/sipgroups/no-such-group", json={"type": "random"}), 404, 1404)


async def test_delete_answers_204_then_the_entity_is_gone(http: httpx.AsyncClient) -> None:
    response = await http.delete(f"{UC}/hunts/{SUPPORT}")
    assert response.status_code == 204 and response.content == b""
    era_error(await http.get(f"{UC}/hunts/{SUPPORT}"), 404, 1404)
    era_error(await http.delete(f"{UC}/hunts/{SUPPORT}"), 404, 1404)


async def test_lookup_takes_a_bare_json_string_and_answers_ids_or_1404(http: httpx.AsyncClient) -> None:
    async def lookup(collection: str, body: str) -> httpx.Response:
        return await http.request(
            "LOOKUP", f"{UC}/{collection}", content=body, headers={"Content-Type": "application/json; charset=utf-8"}
        )

    assert (await lookup("sipgroups", '"500"')).json() == [RECEPTION]
    assert (await lookup("hunts", '"support"')).json() == [SUPPORT]
    assert (await lookup("hunts", '"402"')).json() == [SUPPORT]
    assert (await lookup("providers", '"Oktell"')).json() == [PROVIDERS[1]["id"]]
    assert (await lookup("sipusers", '"201"')).json() == [ANNA]
    body = era_error(await lookup("sipgroups", '"999"'), 404, 1404)
    assert body["error_message"] == "Lookup failed"
    era_error(await lookup("sipgroups", '{"phonenumber": "500"}'), 400, 1413)


# --- list parameters ------------------------------------------------------------------------


async def test_filter_prefix_expressions(http: httpx.AsyncClient) -> None:
    async def numbers(expression: Any) -> list[str]:
        response = await http.get(f"{UC}/sipusers", params=flt(expression))
        assert response.status_code == 200, response.text
        return [u["phonenumber"] for u in response.json()]

    number = ["property", "phonenumber"]
    assert await numbers(["==", number, "201"]) == ["201"]
    assert len(await numbers(["!=", number, "201"])) == len(USERS) - 1
    assert await numbers(["in", number, ["203", "201", "999"]]) == ["201", "203"]
    assert await numbers(["like", ["property", "name"], "%PETROVA%"]) == ["201"]
    assert await numbers(["like", ["property", "opts.ap_mac_address"], "00_15_65_4A_1B_2C"]) == ["203"]
    assert await numbers(["and", ["like", ["property", "login"], "%i%"], [">=", number, "205"]]) == [
        "205",
        "206",
        "208",
        "209",
    ]
    assert await numbers(["or", ["==", number, "201"], ["==", ["property", "login"], "jonas.berg"]]) == ["201", "210"]
    assert await numbers(["not", ["like", number, "20%"]]) == ["210"]


@pytest.mark.parametrize(
    "params",
    [
        {"filter": "not json"},
        {"filter": json.dumps(["~", ["property", "name"], "x"])},
        {"filter": json.dumps(["in", ["property", "id"], "not-an-array"])},
        {"filter": json.dumps(["==", ["property", "pwd"], "x"])},
        {"limit": "-1"},
        {"offset": "many"},
        {"order": json.dumps([{"name": "sideways"}])},
        {"mask": "pwd"},
        {"mask": "opts.comment"},
        {"flat": "perhaps"},
        {"page": "2"},
    ],
    ids=lambda p: next(iter(p)),
)
async def test_invalid_list_parameters_are_1413_with_400(http: httpx.AsyncClient, params: dict[str, str]) -> None:
    body = era_error(await http.get(f"{UC}/sipusers", params=params), 400, 1413)
    assert body["error_message"].startswith("Invalid params.")


async def test_mask_offset_limit_order_and_flat(http: httpx.AsyncClient) -> None:
    response = await http.get(
        f"{UC}/sipusers",
        params={
            "mask": "id,phonenumber,opts.title",
            "offset": "1",
            "limit": "2",
            "order": json.dumps([{"phonenumber": "desc"}]),
        },
    )
    assert response.json() == [
        {"id": USERS[8][0], "phonenumber": "209", "opts": {"title": ""}},
        {"id": USERS[7][0], "phonenumber": "208", "opts": {"title": ""}},
    ]
    flat = (
        await http.get(
            f"{UC}/sipgroups",
            params={"mask": "phonenumber,opts.title", "flat": "true", "order": '["phonenumber"]', "limit": "1"},
        )
    ).json()
    assert flat == [{"phonenumber": "500", "opts.title": "Reception"}]
    one = (await http.get(f"{UC}/sipgroups/{RECEPTION}", params={"mask": "opts.comment", "flat": "1"})).json()
    assert one == {"opts.comment": GROUPS[0]["opts"]["comment"]}


# --- errors, authentication, integrity ----------------------------------------------------------


async def test_a_token_is_required(http: httpx.AsyncClient, era_server: LoopbackServer) -> None:
    async with httpx.AsyncClient(base_url=era_server.url) as anonymous:
        era_error(await anonymous.get(f"{UC}/sipusers"), 401, 1401)
        era_error(await anonymous.get(f"{UC}/sipusers", headers={"Authorization": "Bearer wrong"}), 401, 1401)
        era_error(await anonymous.get(f"{UC}/sipusers", headers={"Authorization": DEMO_TOKEN}), 401, 1401)


async def test_the_token_header_is_configurable() -> None:
    emulator = create_emulator(token="s3cret-token-value", token_header="X-Era-Token")
    async with httpx.AsyncClient(transport=emulator.transport(), base_url="http://era") as client:
        ok = await client.get(f"{UC}/providers", headers={"X-Era-Token": "s3cret-token-value"})
        assert ok.status_code == 200
        refused = await client.get(f"{UC}/providers", headers={"Authorization": "Bearer s3cret-token-value"})
        era_error(refused, 401, 1401)


async def test_a_read_only_token_is_denied_writes_with_1506_and_400(http: httpx.AsyncClient) -> None:
    reader = {"Authorization": f"Bearer {READER_TOKEN}"}
    assert (await http.get(f"{UC}/hunts", headers=reader)).status_code == 200
    body = era_error(await http.post(f"{UC}/hunts", json={"code": "x"}, headers=reader), 400, 1506)
    assert body["error_details"] == {"msg_code": "10038"}
    era_error(await http.post(f"{UC}/sipusers/{ANNA}/device", json={"operation": "sync"}, headers=reader), 400, 1506)


async def test_numbers_ids_and_codes_are_unique(http: httpx.AsyncClient) -> None:
    body = era_error(await http.post(f"{UC}/hunts", json={"code": "night", "phonenumber": "500"}), 409, 1409)
    assert body["error_details"] == {"field": "phonenumber"}
    era_error(await http.post(f"{UC}/hunts", json={"code": "SUPPORT"}), 409, 1409)
    era_error(await http.post(f"{UC}/sipgroups", json={"id": RECEPTION, "phonenumber": "531"}), 409, 1409)
    era_error(await http.patch(f"{UC}/sipusers/{ANNA}", json={"phonenumber": "402"}), 409, 1409)


@pytest.mark.parametrize(
    ("collection", "body", "field"),
    [
        ("sipgroups", {"phonenumber": "531", "colour": "red"}, "colour"),
        ("sipgroups", {"phonenumber": "531", "type": "roundrobin"}, "type"),
        ("sipgroups", {"type": "cascade"}, "phonenumber"),
        ("sipgroups", {"phonenumber": "531", "dialplan": [{"dial": "201"}]}, "dialplan[0]"),
        ("hunts", {"code": "x", "resources": [{"id": "no-such-user", "priority": 1}]}, "resources[0].id"),
        ("providers", {"code": "x", "transport": "carrier-pigeon"}, "transport"),
        ("providers", {"code": "x", "proxyport": "5060"}, "proxyport"),
    ],
)
async def test_invalid_entities_are_1413_naming_the_field(
    http: httpx.AsyncClient, collection: str, body: dict[str, Any], field: str
) -> None:
    answer = era_error(await http.post(f"{UC}/{collection}", json=body), 400, 1413)
    assert answer["error_details"]["field"] == field


async def test_unknown_paths_and_methods(http: httpx.AsyncClient) -> None:
    era_error(await http.get(f"{UC}/trunks"), 404, 1404)
    era_error(await http.put(f"{UC}/sipgroups/{RECEPTION}", json={}), 405, 1405)
    era_error(await http.post(f"{UC}/sipgroups", content=b"{not json"), 400, 1413)


# --- registrations and device operations -----------------------------------------------------------


async def test_sipuser_states(http: httpx.AsyncClient, era: Emulator[EraState]) -> None:
    online = (
        await http.get(f"{UC}/sipuser_states", params={**flt(["==", ["property", "status"], "online"]), "limit": "2"})
    ).json()
    assert online == [
        {"id": ANNA, "username": "anna.petrova", "status": "online"},
        {"id": USERS[1][0], "username": "boris.ivanov", "status": "online"},
    ]
    assert (await http.get(f"{UC}/sipuser_states/{ANNA}")).json()["status"] == "online"
    assert (await http.delete(f"{UC}/sipuser_states/{ANNA}")).status_code == 204
    assert (await http.get(f"{UC}/sipuser_states/{ANNA}")).json()["status"] == "offline"
    era_error(await http.post(f"{UC}/sipuser_states", json={}), 405, 1405)
    era_error(await http.get(f"{UC}/sipuser_states/nobody"), 404, 1404)


async def test_device_operations(http: httpx.AsyncClient, era: Emulator[EraState]) -> None:
    for operation in ("sync", "restart"):
        response = await http.post(f"{UC}/sipusers/{ANNA}/device", json={"operation": operation})
        assert response.status_code == 200 and response.json() == {"result": "true"}
    assert era.state.device_operations == [(ANNA, "sync"), (ANNA, "restart")]
    era_error(await http.post(f"{UC}/sipusers/{ANNA}/device", json={"operation": "explode"}), 400, 1413)
    body = era_error(await http.post(f"{UC}/sipusers/nobody/device", json={"operation": "sync"}), 400, 1413)
    assert "Sipuser not found" in body["error_message"]


async def test_the_seed_is_coherent(era: Emulator[EraState]) -> None:
    numbers = {u["phonenumber"]: u["id"] for u in era.state.entities("sipusers")}
    for group in era.state.entities("sipgroups"):
        dialled = [n for step in group["dialplan"] for n in step["dial"]]
        assert any(n in numbers for n in dialled)
    for hunt in era.state.entities("hunts"):
        assert all(r["id"] in numbers.values() for r in hunt["resources"])
    assert len(era.state.entities("providers")) == 2
