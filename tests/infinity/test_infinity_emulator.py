"""The Infinity emulator speaks Config API v2 as the vendor document describes it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from pbxgraph.emulators.infinity import DEMO_CREDENTIALS, SEED_COUNTS, InfinityState, Quirks
from pbxgraph.emulators.toolkit import Emulator

KEY = {"Authorization": f"ApiKey {DEMO_CREDENTIALS['api_key']}"}
BASIC = (DEMO_CREDENTIALS["username"], DEMO_CREDENTIALS["password"])
D1 = "/config/v2.1/sip/domains/1"


@pytest.fixture
async def http(emulator: Emulator[InfinityState], infinity_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=infinity_url, headers=KEY) as client:
        yield client


def rows(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


# --- answers and list parameters -------------------------------------------------------


async def test_lists_are_rows_of_strings_one_object_per_line(http: httpx.AsyncClient) -> None:
    response = await http.get(f"{D1}/users")
    assert not response.text.lstrip().startswith("[")
    users = rows(response)
    assert len(users) == 10  # domain 1 of the seed
    assert all(isinstance(v, str) for u in users for v in u.values() if v is not None)
    assert users[0]["userId"] == "1" and users[0]["domainId"] == "1"
    assert users[0]["createDatetime"] == "2019-10-31 09:01:56"


async def test_jsonarray_format_and_display_aliases(http: httpx.AsyncClient) -> None:
    response = await http.get(
        f"{D1}/groups", params=[("format", "jsonarray"), ("display[]", "groupId"), ("display[]", "groupName-name")]
    )
    assert response.json() == [
        {"groupId": "1", "name": "sales"},
        {"groupId": "2", "name": "support"},
        {"groupId": "3", "name": "accounts"},
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["extensionNumber-eq-value-2003"], ["amir.khan"]),
        (["userId-gt-value-7"], ["lucas.martin", "priya.patel", "reception"]),
        (["userId-lt-value-3"], ["joe.bloggs", "jane.doe"]),
        (["userId-lt-value-4", "userId-neq-value-2"], ["joe.bloggs", "amir.khan"]),
        (["displayName-like-value-%DOE%"], ["jane.doe"]),
        (["user-like-value-_i.%"], ["li.wei"]),
        (
            ["email-like-value-%"],
            [
                "joe.bloggs",
                "jane.doe",
                "amir.khan",
                "li.wei",
                "sofia.rossi",
                "emma.clarke",
                "lucas.martin",
                "priya.patel",
            ],
        ),
    ],
)
async def test_filters_are_anded(http: httpx.AsyncClient, filters: list[str], expected: list[str]) -> None:
    response = await http.get(f"{D1}/users", params=[("filter[]", f) for f in filters])
    assert [u["user"] for u in rows(response)] == expected


async def test_sort_limit_offset(http: httpx.AsyncClient) -> None:
    params = [("sort[]", "departmentName-desc"), ("sort[]", "userId-desc"), ("limit", "3"), ("offset", "1")]
    response = await http.get(f"{D1}/users", params=params)
    assert [u["userId"] for u in rows(response)] == ["5", "4", "3"]


@pytest.mark.parametrize(
    "params",
    [
        [("filter[]", "userId-between-value-1")],
        [("filter[]", "nosuchfield-eq-value-1")],
        [("filter[]", "userId=1")],
        [("sort[]", "userId-up")],
        [("limit", "-1")],
        [("format", "csv")],
        [("pageSize", "3")],
    ],
)
async def test_bad_list_parameters_answer_400(http: httpx.AsyncClient, params: list[tuple[str, str]]) -> None:
    response = await http.get(f"{D1}/users", params=params)
    assert response.status_code == 400
    assert response.json()["error"] == "bad request"


# --- authentication ------------------------------------------------------------------------


async def test_basic_on_v2_and_api_key_on_v2_1(emulator: Emulator[InfinityState], infinity_url: str) -> None:
    async with httpx.AsyncClient(base_url=infinity_url) as client:
        assert (await client.get("/config/v2/sip/domains", auth=BASIC)).status_code == 200
        assert (await client.get("/config/v2.1/sip/domains", headers=KEY)).status_code == 200
        for path, kwargs in [
            ("/config/v2/sip/domains", {}),
            ("/config/v2.1/sip/domains", {}),
            ("/config/v2/sip/domains", {"headers": KEY}),
            ("/config/v2.1/sip/domains", {"auth": BASIC}),
            ("/config/v2/sip/domains", {"auth": (BASIC[0], "wrong")}),
        ]:
            response = await client.get(path, **kwargs)  # type: ignore[arg-type]
            assert response.status_code == 401, (path, kwargs)
            assert response.json()["error"] == "auth required"


async def test_a_key_without_rights_is_denied_and_a_limited_key_sees_its_domain(
    emulator: Emulator[InfinityState], infinity_url: str
) -> None:
    denied = {"Authorization": f"ApiKey {DEMO_CREDENTIALS['denied_api_key']}"}
    limited = {"Authorization": f"ApiKey {DEMO_CREDENTIALS['limited_api_key']}"}
    async with httpx.AsyncClient(base_url=infinity_url) as client:
        response = await client.get(f"{D1}/users", headers=denied)
        assert response.status_code == 403 and response.json()["error"] == "access denied"
        assert [d["domainId"] for d in rows(await client.get("/config/v2.1/sip/domains", headers=limited))] == ["1"]
        assert (await client.get("/config/v2.1/sip/domains/2/users", headers=limited)).status_code == 403


# --- writes -----------------------------------------------------------------------------------


async def test_user_create_answers_201_without_body_and_never_shows_secrets(http: httpx.AsyncClient) -> None:
    form = {
        "user": "new.person",
        "password": "S3cret-pw",
        "pin": "9876",
        "displayName": "New Person",
        "extensionNumber": "2100",
    }
    response = await http.post(f"{D1}/users", data=form)
    assert response.status_code == 201 and response.content == b""
    (row,) = rows(await http.get(f"{D1}/users", params={"filter[]": "user-eq-value-new.person"}))
    assert "password" not in row and "pin" not in row
    listing = (await http.get(f"{D1}/users")).text + (await http.get(f"{D1}/users/{row['userId']}")).text
    assert "S3cret-pw" not in listing and "9876" not in listing


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"user": "joe.bloggs", "password": "x", "displayName": "Dup", "extensionNumber": "2101"}, 409),
        ({"user": "other", "password": "x", "displayName": "Dup", "extensionNumber": "4001"}, 409),
        ({"user": "other", "displayName": "No Password", "extensionNumber": "2101"}, 400),
        ({"user": "other", "password": "x", "displayName": "Bad", "extensionNumber": "21a"}, 400),
        ({"user": "other", "password": "x", "displayName": "X", "extensionNumber": "2101", "colour": "red"}, 400),
    ],
)
async def test_user_create_checks(http: httpx.AsyncClient, form: dict[str, str], status: int) -> None:
    assert (await http.post(f"{D1}/users", data=form)).status_code == status


async def test_update_is_a_post_to_the_item_answering_204(http: httpx.AsyncClient) -> None:
    response = await http.post(f"{D1}/users/2", data={"displayName": "Jane D."})
    assert response.status_code == 204
    (row,) = rows(await http.get(f"{D1}/users/2"))
    assert row["displayName"] == "Jane D." and row["email"] == "jane.doe@acme.example"
    assert (await http.post(f"{D1}/users/2", data={"user": "renamed"})).status_code == 400
    assert (await http.post(f"{D1}/users/2", json={"displayName": "x"})).status_code == 415


async def test_group_update_needs_every_parameter(http: httpx.AsyncClient) -> None:
    assert (await http.post(f"{D1}/groups/1", data={"displayName": "Sales"})).status_code == 400
    full = {
        "groupName": "sales",
        "displayName": "Sales!",
        "extensionNumber": "4001",
        "ringRetry": "1",
        "ringExclusive": "0",
        "callerNameFormat": "{displayName}",
    }
    assert (await http.post(f"{D1}/groups/1", data=full)).status_code == 204


async def test_unknown_records_and_domains_answer_404(http: httpx.AsyncClient) -> None:
    for path in [
        "/config/v2.1/sip/domains/9/users",
        f"{D1}/users/99",
        f"{D1}/users/11",  # 11 is in domain 2
        f"{D1}/groups/99/users",
        f"{D1}/queues/99/members",
        f"{D1}/queues/1/members/99",
        f"{D1}/devices/99",
        f"{D1}/users/1/devices/5",
        f"{D1}/nosuchthing",
    ]:
        response = await http.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"] == "not found"
    assert (await http.delete(f"{D1}/users/99")).status_code == 404


async def test_group_users_add_and_delete(http: httpx.AsyncClient) -> None:
    path = f"{D1}/groups/3/users"
    assert (await http.post(path, data={"userSpec[]": ["9", "1"]})).status_code == 204
    assert [u["userId"] for u in rows(await http.get(path))] == ["7", "8", "9", "1"]
    assert (await http.request("DELETE", path, data={"userSpec[]": ["7", "9"]})).status_code == 204
    assert [u["userId"] for u in rows(await http.get(path))] == ["8", "1"]
    assert (await http.post(path, data={"userSpec[]": ["2", "99"]})).status_code == 404
    assert [u["userId"] for u in rows(await http.get(path))] == ["8", "1"], "all or nothing"
    assert [g["groupId"] for g in rows(await http.get(f"{D1}/users/1/groups"))] == ["1", "3"]
    assert (await http.post(f"{D1}/users/9/groups", data={"groupSpec[]": ["1"]})).status_code == 204
    assert "9" in [u["userId"] for u in rows(await http.get(f"{D1}/groups/1/users"))]


async def test_queue_members_are_groups_with_ring_settings_and_an_order(http: httpx.AsyncClient) -> None:
    path = f"{D1}/queues/3/members"
    member = {
        "groupId": "3",
        "ringStrategy": "huntLongestIdle",
        "ringAttempts": "2",
        "ringSecs": "15",
        "ringOrder": "0",
    }
    assert (await http.post(path, data=member)).status_code == 201
    assert (await http.post(path, data={**member, "groupId": "1", "ringOrder": "1"})).status_code == 201
    assert (await http.post(path, data={**member, "groupId": "1"})).status_code == 409
    assert (await http.post(path, data={**member, "groupId": "2", "ringStrategy": "random"})).status_code == 400
    assert (await http.post(path, data={**member, "groupId": "4"})).status_code == 404  # a domain 2 group
    listed = rows(await http.get(path))
    assert [(m["groupId"], m["ringOrder"]) for m in listed] == [("3", "0"), ("1", "1")]
    ids = [m["queueMemberId"] for m in listed]
    response = await http.put(f"{path}/order", data={"queueMemberId[]": list(reversed(ids))})
    assert response.status_code == 204
    assert [m["groupId"] for m in rows(await http.get(path))] == ["1", "3"]
    assert (await http.post(f"{path}/{ids[0]}", data={"ringSecs": "45"})).status_code == 204
    (updated,) = rows(await http.get(f"{path}/{ids[0]}"))
    assert updated["ringSecs"] == "45" and updated["ringStrategy"] == "huntLongestIdle"
    assert (await http.delete(f"{path}/{ids[0]}")).status_code == 204
    assert [m["groupId"] for m in rows(await http.get(path))] == ["1"]


async def test_devices_and_user_devices(http: httpx.AsyncClient) -> None:
    response = await http.post(
        f"{D1}/devices", data={"pbxDeviceName": "Lobby", "deviceMacAddress": "0a:0b:0c:0d:0e:0f"}
    )
    assert response.status_code == 201
    device_id = response.json()["pbxDeviceId"]
    (row,) = rows(await http.get(f"{D1}/devices/{device_id}"))
    assert row["deviceMacAddress"] == "0A:0B:0C:0D:0E:0F" and row["userId"] is None
    bad = await http.post(f"{D1}/devices", data={"pbxDeviceName": "X", "deviceMacAddress": "0a0b0c0d0e0f"})
    assert bad.status_code == 400
    dup = await http.post(f"{D1}/devices", data={"pbxDeviceName": "X", "deviceMacAddress": "0A:0B:0C:0D:0E:0F"})
    assert dup.status_code == 409

    assigned = await http.post(f"{D1}/users/4/devices", data={"pbxDeviceId": device_id})
    assert assigned.status_code == 201
    body = assigned.json()
    assert body["pbxDeviceId"] == device_id and body["userId"] == "4" and body["pbxDeviceToken"]
    assert (await http.post(f"{D1}/users/5/devices", data={"pbxDeviceId": device_id})).status_code == 409
    (link,) = rows(await http.get(f"{D1}/users/4/devices"))
    assert link == {
        "userId": "4",
        "pbxDeviceId": device_id,
        "user": "li.wei",
        "updateDatetime": link["updateDatetime"],
        "pbxDeviceName": "Lobby",
    }
    listing = (await http.get(f"{D1}/devices")).text
    assert body["pbxDeviceToken"] not in listing and "Token" not in listing
    assert rows(await http.get(f"{D1}/devices", params={"filter[]": "userId-eq-value-4"}))[0]["user"] == "li.wei"

    assert (await http.delete(f"{D1}/users/4/devices/{device_id}")).status_code == 204
    assert rows(await http.get(f"{D1}/users/4/devices")) == []
    assert (await http.post(f"{D1}/devices/{device_id}", data={"pbxDeviceName": "Lobby 2"})).status_code == 204
    assert (await http.delete(f"{D1}/devices/{device_id}")).status_code == 204


@pytest.mark.parametrize("spelling", ["trustednetworks", "trustedNetworks", "trustedNetwork"])
async def test_trusted_networks_under_every_spelling(http: httpx.AsyncClient, spelling: str) -> None:
    base = f"{D1}/{spelling}"
    assert len(rows(await http.get(base))) == 2
    assert (await http.post(base, data={"network": "198.51.100.0/24", "description": "Office"})).status_code == 201
    assert (await http.post(base, data={"network": "not-a-network"})).status_code == 400
    new_id = rows(await http.get(base, params={"filter[]": "network-eq-value-198.51.100.0/24"}))[0]["trustedNetworkId"]
    assert (await http.post(f"{base}/{new_id}", data={"description": "Branch"})).status_code == 204
    assert rows(await http.get(f"{base}/{new_id}"))[0]["description"] == "Branch"
    assert (await http.delete(f"{base}/{new_id}")).status_code == 204
    assert (await http.get(f"{base}/{new_id}")).status_code == 404


async def test_domains_read_and_update(http: httpx.AsyncClient) -> None:
    assert len(rows(await http.get("/config/v2.1/sip/domains"))) == SEED_COUNTS["domains"]
    assert (await http.post(D1, data={"displayName": "Acme Head Office", "rec": "1"})).status_code == 204
    (domain,) = rows(await http.get(D1))
    assert domain["displayName"] == "Acme Head Office" and domain["rec"] == "1"


async def test_deleting_a_user_takes_it_out_of_groups_and_frees_its_devices(http: httpx.AsyncClient) -> None:
    assert (await http.delete(f"{D1}/users/1")).status_code == 204
    assert "1" not in [u["userId"] for u in rows(await http.get(f"{D1}/groups/1/users"))]
    assert rows(await http.get(f"{D1}/devices/1"))[0]["userId"] is None


# --- test-only quirks -------------------------------------------------------------------------


async def test_quirks_refuse_an_operator_and_repeat_rows(
    http: httpx.AsyncClient, emulator: Emulator[InfinityState]
) -> None:
    emulator.state.quirks = Quirks(refused_operators=frozenset({"like"}), repeated_rows=True)
    refused = await http.get(f"{D1}/users", params=[("filter[]", "user-like-value-%a%")])
    assert refused.status_code == 400 and "like" in refused.json()["message"]
    listed = rows(await http.get(f"{D1}/groups", params=[("filter[]", "groupId-eq-value-2")]))
    assert [g["groupId"] for g in listed] == ["2", "2"]
