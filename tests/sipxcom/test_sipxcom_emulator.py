"""The sipXcom emulator speaks sipXconfig as the document and the issue describe it.

Raw HTTP against the emulator over loopback: authentication, both APIs'
formats and habits (PUT creates vs POST creates, XML envelopes vs bare 404s),
paging, whole-object updates, secrets shown in clear where the real server
shows them, and the shapes the real server varies between versions.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from defusedxml import ElementTree as SafeET

from pbxgraph.emulators.sipxcom import DEMO_PASSWORD, DEMO_USERNAME, SEED_SIP_PASSWORDS, SEED_TRUNK_PASSWORD, SipxState
from pbxgraph.emulators.toolkit import Emulator

XML = {"Content-Type": "application/xml"}


@pytest.fixture
async def http(url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{url}/sipxconfig", auth=(DEMO_USERNAME, DEMO_PASSWORD)) as client:
        yield client


def xml(response: httpx.Response) -> SafeET.Element:
    return SafeET.fromstring(response.content)


# --- authentication ------------------------------------------------------------------


async def test_no_credentials_get_a_digest_challenge(url: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{url}/sipxconfig/rest/user")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Digest ")
    assert 'qop="auth"' in response.headers["www-authenticate"]


async def test_wrong_credentials_get_401(url: str) -> None:
    async with httpx.AsyncClient(auth=(DEMO_USERNAME, "wrong")) as client:
        assert (await client.get(f"{url}/sipxconfig/api/phones")).status_code == 401


async def test_digest_answer_to_the_challenge_is_accepted(url: str) -> None:
    async with httpx.AsyncClient(auth=httpx.DigestAuth(DEMO_USERNAME, DEMO_PASSWORD)) as client:
        response = await client.get(f"{url}/sipxconfig/rest/branch/1")
    assert response.status_code == 200
    assert xml(response).findtext("name") == "whitehouse"


# --- /rest ---------------------------------------------------------------------------


async def test_rest_is_xml_by_default_and_json_on_request(http: httpx.AsyncClient) -> None:
    as_xml = await http.get("/rest/user/1")
    assert as_xml.headers["content-type"].startswith("text/xml")
    assert xml(as_xml).findtext("userName") == "200"
    as_json = await http.get("/rest/user/1", headers={"Accept": "application/json"})
    assert as_json.json()["user"]["userName"] == "200"


async def test_rest_hides_pins_and_sip_passwords(http: httpx.AsyncClient) -> None:
    body = (await http.get("/rest/user", headers={"Accept": "application/json"})).json()
    users = body["user"]["users"]
    assert users and all(u["pin"] == "" and u["sipPassword"] == "" for u in users)
    text = (await http.get("/rest/user")).text
    assert not any(secret in text for secret in SEED_SIP_PASSWORDS.values())


async def test_rest_put_to_the_collection_creates_with_an_xml_envelope(
    http: httpx.AsyncClient, emulator: Emulator[SipxState]
) -> None:
    body = {
        "user": {
            "userName": "300",
            "firstName": "Zed",
            "sipPassword": "Zed-pw-123",
            "groups": [{"id": 2}],
            "aliases": ["zed"],
        }
    }
    response = await http.put("/rest/user", json=body, headers={"Accept": "application/json"})
    assert response.status_code == 201
    envelope = xml(response)  # XML whatever was asked for
    assert envelope.findtext("code") == "SUCCESS_CREATED"
    new_id = int(envelope.findtext("data/id") or 0)
    assert emulator.state.users[new_id].group_ids == [2]
    assert emulator.state.users[new_id].sip_password == "Zed-pw-123"


async def test_rest_put_to_an_item_replaces_the_whole_user(
    http: httpx.AsyncClient, emulator: Emulator[SipxState]
) -> None:
    response = await http.put("/rest/user/2", content=b"<user><userName>201</userName></user>", headers=XML)
    assert xml(response).findtext("code") == "SUCCESS_UPDATED"
    bob = emulator.state.users[2]
    # Lists left out are emptied; blank PIN and SIP password are kept.
    assert bob.group_ids == [] and bob.aliases == [] and bob.branch_id is None and bob.first_name is None
    assert bob.sip_password == SEED_SIP_PASSWORDS["201"]


async def test_rest_not_found_is_400_with_the_envelope(http: httpx.AsyncClient) -> None:
    for method, path in [("GET", "/rest/user/99"), ("DELETE", "/rest/user-group/99"), ("GET", "/rest/branch/99")]:
        response = await http.request(method, path)
        assert response.status_code == 400
        assert xml(response).findtext("code") == "ERROR_OBJECT_NOT_FOUND"
        assert xml(response).findtext("data/id") == "99"


async def test_rest_validation_failure_names_the_field(http: httpx.AsyncClient) -> None:
    response = await http.put("/rest/user", content=b"<user><firstName>No name</firstName></user>", headers=XML)
    assert response.status_code == 400
    assert xml(response).findtext("code") == "ERROR_VALIDATION_FAILED"
    assert (xml(response).findtext("data/additionalMessage") or "").startswith("UserName:")


async def test_rest_taken_user_name_or_alias_fails_the_create(http: httpx.AsyncClient) -> None:
    response = await http.put(
        "/rest/user",
        content=b"<user><userName>x1</userName><aliases><alias>alice</alias></aliases></user>",
        headers=XML,
    )
    assert response.status_code == 500
    assert xml(response).findtext("code") == "ERROR_CREATE_FAILED"
    assert "already in use" in (xml(response).findtext("data/additionalMessage") or "")


async def test_rest_lists_page_with_metadata(http: httpx.AsyncClient) -> None:
    first = xml(await http.get("/rest/user", params={"page": 1, "pagesize": 2}))
    assert [
        first.findtext(f"metadata/{k}") for k in ("totalResults", "currentPage", "totalPages", "resultsPerPage")
    ] == ["5", "1", "3", "2"]
    assert [u.findtext("id") for u in first.findall("users/user")] == ["1", "2"]
    beyond = xml(await http.get("/rest/user", params={"page": 9, "pagesize": 2}))
    # A page past the end answers the last page, as the server does.
    assert beyond.findtext("metadata/currentPage") == "3"
    assert [u.findtext("id") for u in beyond.findall("users/user")] == ["5"]


async def test_rest_lists_sort_with_sortby_and_sortdir(http: httpx.AsyncClient) -> None:
    response = await http.get("/rest/user", params={"sortby": "firstName", "sortdir": "reverse"})
    names = [u.findtext("firstName") for u in xml(response).findall("users/user")]
    assert names == sorted(names, reverse=True)
    groups = await http.get("/rest/user-group", params={"sortdir": "forward"})
    assert [g.findtext("name") for g in xml(groups).findall("groups/group")] == ["engineering", "sales", "support"]


async def test_rest_reads_many_users_by_id_and_fails_whole_on_an_unknown_one(http: httpx.AsyncClient) -> None:
    found = xml(await http.get("/rest/user", params={"ids": "3,1"}))
    assert [u.findtext("id") for u in found.findall("users/user")] == ["3", "1"]
    missing = await http.get("/rest/user", params={"ids": "1,77,2"})
    assert missing.status_code == 400 and xml(missing).findtext("data/id") == "77"


async def test_rest_list_shapes_the_server_varies(http: httpx.AsyncClient, emulator: Emulator[SipxState]) -> None:
    emulator.state.quirks.user_list_wrapped = False
    emulator.state.quirks.group_element = "userGroup"
    users = xml(await http.get("/rest/user"))
    assert users.find("users") is None and len(users.findall("user")) == 5
    assert users.find("user/groups/userGroup") is not None
    groups = xml(await http.get("/rest/user-group"))
    assert len(groups.findall("groups/userGroup")) == 3


async def test_rest_branches(http: httpx.AsyncClient) -> None:
    created = await http.put(
        "/rest/branch",
        json={
            "branch": {"name": "libofcongress", "address": {"street": "101 Independence Ave SE", "city": "Washington"}}
        },
    )
    assert created.status_code == 201
    new_id = xml(created).findtext("data/id")
    branch = xml(await http.get(f"/rest/branch/{new_id}"))
    assert branch.findtext("address/city") == "Washington"
    assert xml(await http.delete(f"/rest/branch/{new_id}")).findtext("code") == "SUCCESS_DELETED"
    assert (await http.delete("/rest/branch")).status_code == 405


async def test_rest_refuses_entity_expansion_in_bodies(http: httpx.AsyncClient) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<user><userName>&b;</userName></user>"
    )
    response = await http.put("/rest/user", content=bomb, headers=XML)
    assert response.status_code == 400
    assert xml(response).findtext("code") == "ERROR_VALIDATION_FAILED"


# --- /api -------------------------------------------------------------------------------


async def test_api_post_creates_and_answers_the_new_id(http: httpx.AsyncClient, emulator: Emulator[SipxState]) -> None:
    response = await http.post(
        "/api/phones", json={"serialNo": "00:04:F2:12:34:56", "model": {"modelId": "polycomVVX450"}}
    )
    assert response.status_code == 200
    phone = emulator.state.phones[int(response.text)]
    assert phone.serial_no == "0004f2123456"


async def test_api_not_found_is_a_bare_404(http: httpx.AsyncClient) -> None:
    for method, path in [
        ("GET", "/api/phones/99"),
        ("DELETE", "/api/gateways/99"),
        ("PUT", "/api/phones/99/sendProfile"),
        ("GET", "/api/gateways/1/settings/no/such"),
    ]:
        response = await http.request(method, path)
        assert response.status_code == 404 and response.content == b""


async def test_api_errors_are_plain_text(http: httpx.AsyncClient) -> None:
    duplicate = await http.post("/api/phones", json={"serialNo": "0004f280cc95", "model": {"modelId": "polycomVVX450"}})
    assert duplicate.status_code == 500 and duplicate.headers["content-type"].startswith("text/plain")
    assert "already in use" in duplicate.text
    invalid = await http.post("/api/phones", json={"serialNo": "nope", "model": {"modelId": "polycomVVX450"}})
    assert invalid.status_code == 400 and invalid.text.startswith("serialNo:")


async def test_api_json_writes_nulls_and_xml_on_request(http: httpx.AsyncClient) -> None:
    gateway = (await http.get("/api/gateways/1")).json()
    assert "prefix" in gateway and gateway["prefix"] is None
    assert gateway["model"]["modelId"] == "sipTrunkStandard"
    as_xml = await http.get("/api/gateways", headers={"Accept": "application/xml"})
    # The element names the vendor's beans give: <Gateways><Gateway><Model>.
    root = xml(as_xml)
    assert root.tag == "Gateways" and root.findtext("Gateway/name") == "my_siptrunk"
    assert root.findtext("Gateway/Model/modelId") == "sipTrunkStandard"
    phone = xml(await http.get("/api/phones/1", headers={"Accept": "application/xml"}))
    assert phone.tag == "Phone" and phone.findtext("Lines/Line/userId") == "200"
    assert phone.findtext("Groups/Group/name") == "headquarters"


async def test_api_phones_by_id_or_mac_with_lines_in_clear(http: httpx.AsyncClient) -> None:
    by_mac = (await http.get("/api/phones/0004f280cc95")).json()
    assert by_mac == (await http.get("/api/phones/1")).json()
    (line,) = by_mac["lines"]
    # As the vendor's fixtures answer: userId carries the user *name*.
    assert line["user"] == "200" and line["userId"] == "200"
    assert (line["extension"], line["voicemail"]) == ("200", "101")
    assert line["password"] == SEED_SIP_PASSWORDS["200"]
    assert [g["name"] for g in by_mac["groups"]] == ["headquarters"]
    lobby = (await http.get("/api/phones/3")).json()
    assert lobby["lines"] is None  # no lines: null, as the vendor's bean writes it


async def test_api_lines_add_and_remove(http: httpx.AsyncClient, emulator: Emulator[SipxState]) -> None:
    created = await http.post("/api/phones/3/lines", json={"user": "dave"})
    assert created.status_code == 200
    assert [line.user_id for line in emulator.state.phones[3].lines] == [4]
    assert (await http.get("/api/phones/3/lines")).json()["lines"][0]["user"] == "203"
    assert (await http.delete("/api/phones/3/lines")).status_code == 200
    assert emulator.state.phones[3].lines == []


async def test_api_phone_groups(http: httpx.AsyncClient, emulator: Emulator[SipxState]) -> None:
    assert [g["name"] for g in (await http.get("/api/phoneGroups")).json()["groups"]] == ["headquarters", "lab-phones"]
    assert (await http.post("/api/phones/3/groups/headquarters")).status_code == 200
    assert [g["name"] for g in (await http.get("/api/phones/3/groups")).json()["groups"]] == [
        "lab-phones",
        "headquarters",
    ]
    await http.put("/api/phoneGroups/2/up")
    assert [g["name"] for g in (await http.get("/api/phoneGroups")).json()["groups"]] == ["lab-phones", "headquarters"]
    assert (await http.post("/api/phones/3/groups/no-such-group")).status_code == 404


async def test_api_send_profile_and_restart(http: httpx.AsyncClient, emulator: Emulator[SipxState]) -> None:
    await http.put("/api/phones/0004f280cc95/sendProfile/restart")
    await http.put("/api/phones/1/sendProfile")
    assert (emulator.state.phones[1].profiles_sent, emulator.state.phones[1].restarts) == (2, 1)


async def test_api_gateway_settings_in_clear_and_written_as_plain_text(http: httpx.AsyncClient) -> None:
    settings = {s["path"]: s["value"] for s in (await http.get("/api/gateways/1/settings")).json()["settings"]}
    assert settings["itsp-account/password"] == SEED_TRUNK_PASSWORD
    assert settings["itsp-account/user-name"] == "5568"
    path = "/api/gateways/1/settings/itsp-account/register-on-initialization"
    assert (await http.put(path, content=b"false", headers={"Content-Type": "text/plain"})).status_code == 200
    assert (await http.get(path)).json()["value"] == "false"
    assert (await http.put(path, content=b"maybe")).status_code == 400
    await http.delete(path)
    assert (await http.get(path)).json()["value"] == "false"  # back to the default


async def test_api_gateway_put_replaces_the_gateway(http: httpx.AsyncClient, emulator: Emulator[SipxState]) -> None:
    response = await http.put("/api/gateways/1", json={"name": "renamed", "address": "sip.example.net"})
    assert response.status_code == 200
    gateway = emulator.state.gateways[1]
    assert (gateway.name, gateway.address, gateway.address_port, gateway.enabled) == (
        "renamed",
        "sip.example.net",
        0,
        False,
    )
    assert gateway.settings["itsp-account/user-name"].value == "5568"  # settings live apart


async def test_api_registrations_need_start_and_limit(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/registrations")).status_code == 400
    page = (await http.get("/api/registrations", params={"start": 1, "limit": 1})).json()["registrations"]
    assert [r["uri"] for r in page] == ["sip:201@pbx.example.com"] and page[0]["status"] == "expired"
    alice = (await http.get("/api/registrations/user/alice", params={"start": 0, "limit": 10})).json()
    assert [r["status"] for r in alice["registrations"]] == ["active"]
    assert (await http.get("/api/registrations/user/nobody", params={"start": 0, "limit": 10})).status_code == 404
    by_ip = (await http.get("/api/registrations/ip/10.8.0.7", params={"start": 0, "limit": 5})).json()
    assert [r["uri"] for r in by_ip["registrations"]] == ["sip:202@pbx.example.com"]


async def test_api_phone_profile_carries_line_credentials(http: httpx.AsyncClient) -> None:
    profile = await http.get("/api/phones/0004f280cc95/profile/0004f280cc95.cfg")
    assert profile.status_code == 200 and SEED_SIP_PASSWORDS["200"] in profile.text
    assert (await http.get("/api/phones/0004f280cc95/profile/other.cfg")).status_code == 404


async def test_control_routes_need_no_login(url: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{url}/_emulator/requests")
    assert response.status_code == 200
    assert isinstance(json.loads(response.text), list)


# --- as the vendor answers ---------------------------------------------------------------------


async def test_rest_refuses_a_write_rooted_in_another_element(
    http: httpx.AsyncClient, emulator: Emulator[SipxState]
) -> None:
    response = await http.put("/rest/user-group", content=b"<userGroup><name>night</name></userGroup>", headers=XML)
    assert response.status_code == 400
    assert xml(response).findtext("code") == "ERROR_VALIDATION_FAILED"
    assert "<group>" in (xml(response).findtext("data/additionalMessage") or "")
    wrapped = await http.put("/rest/user-group", json={"userGroup": {"name": "night"}})
    assert wrapped.status_code == 400
    assert "night" not in [g.name for g in emulator.state.groups.values()]
    assert (
        await http.put("/rest/user-group", content=b"<group><name>night</name></group>", headers=XML)
    ).status_code == 201


async def test_rest_users_carry_their_enabled_flag(http: httpx.AsyncClient, emulator: Emulator[SipxState]) -> None:
    users = (await http.get("/rest/user", headers={"Accept": "application/json"})).json()["user"]["users"]
    assert [u["enabled"] for u in users] == [True, True, True, True, False]
    await http.put(
        "/rest/user/1", content=b"<user><userName>200</userName><enabled>false</enabled></user>", headers=XML
    )
    assert emulator.state.users[1].enabled is False
    await http.put("/rest/user/1", content=b"<user><userName>200</userName></user>", headers=XML)
    assert emulator.state.users[1].enabled is False  # left out: kept


async def test_registrations_answer_only_the_registration_fields(http: httpx.AsyncClient) -> None:
    page = (await http.get("/api/registrations", params={"start": 0, "limit": 10})).json()["registrations"]
    assert [set(r) for r in page] == [
        {"uri", "contact", "expires", "primary", "instrument", "status", "secondsToExpire"}
    ] * 3
    by_mac = (await http.get("/api/registrations/serialNo/0004f280cc95", params={"start": 0, "limit": 5})).json()
    assert [r["uri"] for r in by_mac["registrations"]] == ["sip:200@pbx.example.com"]
    as_xml = xml(
        await http.get("/api/registrations", params={"start": 0, "limit": 1}, headers={"Accept": "application/xml"})
    )
    assert as_xml.tag == "Registrations" and as_xml.findtext("Registration/status") == "active"


async def test_phone_groups_carry_their_count(http: httpx.AsyncClient) -> None:
    groups = (await http.get("/api/phoneGroups")).json()["groups"]
    assert [(g["name"], g["count"]) for g in groups] == [("headquarters", 2), ("lab-phones", 1)]
    phone_groups = (await http.get("/api/phones/1/groups")).json()["groups"]
    assert [(g["name"], g["count"]) for g in phone_groups] == [("headquarters", None)]


async def test_gateway_models_are_the_documented_ten(http: httpx.AsyncClient) -> None:
    models = (await http.get("/api/gateways/models")).json()["models"]
    assert len(models) == 10 and models[-1] == {
        "modelId": "sipTrunkStandard",
        "label": "SIP trunk",
        "vendor": None,
        "versions": None,
    }


async def test_a_sip_trunks_proxy_address_defaults_to_its_address(http: httpx.AsyncClient) -> None:
    created = await http.post(
        "/api/gateways",
        json={"name": "itsp", "model": {"modelId": "sipTrunkStandard"}, "address": "sip.example.net", "enabled": True},
    )
    path = f"/api/gateways/{created.text}/settings/itsp-account/itsp-proxy-address"
    assert (await http.get(path)).json()["value"] == "sip.example.net"
    await http.put(path, content=b"proxy.example.net")
    assert (await http.get(path)).json()["value"] == "proxy.example.net"
    await http.delete(path)
    reset = (await http.get(path)).json()
    assert (reset["value"], reset["defaultValue"]) == ("sip.example.net", "sip.example.net")


async def test_a_new_line_names_its_user_by_user_name(http: httpx.AsyncClient, emulator: Emulator[SipxState]) -> None:
    # As the vendor's fixtures create one: "user" is the name, "userId" is not an id here.
    assert (await http.post("/api/phones/3/lines", json={"user": "203", "userId": "1000"})).status_code == 200
    assert [line.user_id for line in emulator.state.phones[3].lines] == [4]
    assert (await http.post("/api/phones/3/lines", json={"user": "nobody"})).status_code == 400


async def test_hunt_groups(http: httpx.AsyncClient, emulator: Emulator[SipxState]) -> None:
    listed = (await http.get("/api/callgroups")).json()["callGroups"]
    assert [(h["name"], h["extension"]) for h in listed] == [("sales-hunt", "600"), ("helpdesk", "601")]
    assert listed[0]["ringBeans"] == [
        {"typeStr": "If no response", "userName": "201", "enabled": True, "expiration": 30},
        {"typeStr": "If no response", "userName": "200", "enabled": True, "expiration": 20},
    ]
    # The document's own create body.
    body = {
        "name": "ppp1",
        "extension": "4444",
        "description": "",
        "enabled": True,
        "did": None,
        "ringBeans": [],
        "fallbackDestination": None,
        "voicemailFallback": True,
        "userForward": True,
        "useFwdTimers": False,
    }
    created = await http.post("/api/callgroups", json=body)
    assert created.status_code == 200 and created.text.isdigit()
    assert (await http.get("/api/callgroups/4444")).json()["name"] == "ppp1"
    assert [h["extension"] for h in (await http.get("/api/callgroups/prefix/60")).json()["callGroups"]] == [
        "600",
        "601",
    ]
    update = {**body, "description": "kkkkk", "ringBeans": [{"userName": "alice", "typeStr": "At the same time"}]}
    assert (await http.put("/api/callgroups/4444", json=update)).status_code == 200
    hunt = emulator.state.hunt_group_by_extension("4444")
    assert hunt is not None and hunt.description == "kkkkk"
    # A ring bean that leaves out enabled and expiration gets the bean's false and 0.
    assert [(r.user_id, r.type, r.enabled, r.expiration) for r in hunt.rings] == [(1, "At the same time", False, 0)]
    assert (await http.post("/api/callgroups/600/rotate/201")).status_code == 200
    assert [r.user_id for r in emulator.state.hunt_groups[1].rings] == [1, 2]
    assert (await http.post("/api/callgroups/600/duplicate/6600")).status_code == 200
    assert emulator.state.hunt_group_by_extension("6600") is not None
    taken = await http.post("/api/callgroups", json={**body, "name": "other", "extension": "201"})
    assert taken.status_code == 500 and "already in use" in taken.text
    unknown_ring = await http.post(
        "/api/callgroups", json={**body, "name": "x", "extension": "4445", "ringBeans": [{"userName": "ghost"}]}
    )
    assert unknown_ring.status_code == 400
    assert (await http.get("/api/callgroups/9999")).status_code == 404
    assert (await http.delete("/api/callgroups/4444")).status_code == 200
    assert (await http.delete("/api/callgroups/4444")).status_code == 200  # deleting by alias: no error
    as_xml = xml(await http.get("/api/callgroups", headers={"Accept": "application/xml"}))
    assert as_xml.tag == "CallGroups" and as_xml.findtext("CallGroup/ringBeans/userName") == "200"
