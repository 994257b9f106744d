"""The sipXcom document's own example bodies, against the emulator and the connector.

Each example is copied from the vendor document (``sipxcom-rest-api.txt``),
byte for byte. The emulator must answer the same operation with the same
field names, value types and nesting (where the document writes ``null``,
any value may stand); the connector must map the example to the record it
stands for. Where the document shows no body (phones, registrations, users
read), the emulator's docstrings say which guess it relies on; the one
example outside the document, a phone line as the vendor's own test
fixtures answer it, is held here too.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from defusedxml import ElementTree as SafeET

from pbxgraph.connectors.sipxcom import SipxcomConnector, gateways, huntgroups, lines
from pbxgraph.domain import Filter, ListQuery, Transport, Trunk, TrunkKind
from pbxgraph.emulators.sipxcom import DEMO_PASSWORD, DEMO_USERNAME, SipxState
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind

# --- the document's examples, verbatim ------------------------------------------------------

#: GET /api/gateways
GATEWAYS = r"""{"gateways":[{"id":1,"name":"my_siptrunk","serialNo":null,"deviceVersion":null,"description":"DIDs 4235550000 through 4235551000","model":{"modelId":"sipTrunkStandard","label":"SIP trunk","vendor":null,"versions":null},"enabled":true,"address":"192.168.1.14","addressPort":5060,"outboundAddress":null,"outboundPort":5060,"addressTransport":"tcp","prefix":null,"shared":true,"useInternalBridge":true,"branch":null,"callerAliasInfo":{"defaultCallerAlias":null,"anonymous":false,"ignoreUserInfo":false,"transformUserExtension":false,"addPrefix":null,"keepDigits":0,"displayName":null,"urlParameters":null}}]}"""

#: GET /api/gateways/models
GATEWAY_MODELS = r"""{"models":[{"modelId":"acmeGatewayStandard","label":"Acme 1000","vendor":"acme","versions":null},{"modelId":"audiocodesMP1X4_4_FXO","label":"AudioCodes MP114 FXO","vendor":"AudioCodes","versions":["audiocodes6.0","audiocodes5.8","audiocodes5.6","audiocodes5.4","audiocodes5.2","audiocodes5.0"]},{"modelId":"audiocodesMP1X8_8_FXO","label":"AudioCodes MP118 FXO","vendor":"AudioCodes","versions":["audiocodes6.0","audiocodes5.8","audiocodes5.6","audiocodes5.4","audiocodes5.2","audiocodes5.0"]},{"modelId":"audiocodesMediant1000","label":"AudioCodes Mediant 1000 PRI","vendor":"AudioCodes","versions":["audiocodes6.0","audiocodes5.8","audiocodes5.6","audiocodes5.4","audiocodes5.2","audiocodes5.0"]},{"modelId":"audiocodesMediant2000","label":"AudioCodes Mediant 2000 PRI","vendor":"AudioCodes","versions":["audiocodes6.0","audiocodes5.8","audiocodes5.6","audiocodes5.4","audiocodes5.2","audiocodes5.0"]},{"modelId":"audiocodesMediant3000","label":"AudioCodes Mediant 3000 PRI","vendor":"AudioCodes","versions":["audiocodes6.0","audiocodes5.8","audiocodes5.6","audiocodes5.4","audiocodes5.2","audiocodes5.0"]},{"modelId":"audiocodesMediantBRI","label":"AudioCodes Mediant 1000 BRI","vendor":"AudioCodes","versions":["audiocodes6.0","audiocodes5.8","audiocodes5.6","audiocodes5.4","audiocodes5.2","audiocodes5.0"]},{"modelId":"audiocodesTP260","label":"AudioCodes TP260","vendor":"AudioCodes","versions":["audiocodes6.0","audiocodes5.8","audiocodes5.6","audiocodes5.4","audiocodes5.2","audiocodes5.0"]},{"modelId":"genericGatewayStandard","label":"Unmanaged gateway","vendor":null,"versions":null},{"modelId":"sipTrunkStandard","label":"SIP trunk","vendor":null,"versions":null}]}"""

#: GET /api/gateways/1
GATEWAY = r"""{"id":1,"name":"my_siptrunk","serialNo":null,"deviceVersion":null,"description":"DIDs 4235550000 through 4235551000","model":{"modelId":"sipTrunkStandard","label":"SIP trunk","vendor":null,"versions":null},"enabled":true,"address":"192.168.1.14","addressPort":5060,"outboundAddress":null,"outboundPort":5060,"addressTransport":"tcp","prefix":null,"shared":true,"useInternalBridge":true,"branch":null,"callerAliasInfo":{"defaultCallerAlias":null,"anonymous":false,"ignoreUserInfo":false,"transformUserExtension":false,"addPrefix":null,"keepDigits":0,"displayName":null,"urlParameters":null}}"""

#: GET /api/gateways/2/settings (the settings of the SIP trunk)
GATEWAY_SETTINGS = r"""{"settings":[{"path":"itsp-account/user-name","type":"string","options":null,"value":"5568","defaultValue":null,"label":null,"description":null},{"path":"itsp-account/authentication-user-name","type":"string","options":null,"value":null,"defaultValue":null,"label":null,"description":null},{"path":"itsp-account/password","type":"string","options":null,"value":"password","defaultValue":null,"label":null,"description":null},{"path":"itsp-account/register-on-initialization","type":"boolean","options":null,"value":"true","defaultValue":"false","label":null,"description":null},{"path":"itsp-account/itsp-proxy-address","type":"string","options":null,"value":"192.168.1.14","defaultValue":"192.168.1.14","label":null,"description":null},{"path":"itsp-account/use-global-addressing","type":"boolean","options":null,"value":"true","defaultValue":"true","label":null,"description":null},{"path":"itsp-account/strip-private-headers","type":"boolean","options":null,"value":"true","defaultValue":"false","label":null,"description":null},{"path":"itsp-account/default-asserted-identity","type":"boolean","options":null,"value":"false","defaultValue":"true","label":null,"description":null},{"path":"itsp-account/asserted-identity","type":"string","options":null,"value":"5568","defaultValue":null,"label":null,"description":null},{"path":"itsp-account/is-from-itsp","type":"boolean","options":null,"value":"true","defaultValue":null,"label":null,"description":null},{"path":"itsp-account/default-preferred-identity","type":"boolean","options":null,"value":"false","defaultValue":"false","label":null,"description":null},{"path":"itsp-account/preferred-identity","type":"string","options":null,"value":"5568@192.168.1.14","defaultValue":null,"label":null,"description":null},{"path":"itsp-account/is-user-phone","type":"boolean","options":null,"value":"true","defaultValue":"true","label":null,"description":null},{"path":"itsp-account/itsp-registrar-address","type":"string","options":null,"value":null,"defaultValue":null,"label":null,"description":null},{"path":"itsp-account/itsp-registrar-listening-port","type":"integer","options":null,"value":null,"defaultValue":null,"label":null,"description":null},{"path":"itsp-account/registration-interval","type":"integer","options":null,"value":"600","defaultValue":"600","label":null,"description":null},{"path":"itsp-account/sip-session-timer-interval-seconds","type":"integer","options":null,"value":"1800","defaultValue":"1800","label":null,"description":null},{"path":"itsp-account/sip-keepalive-method","type":"enum","options":{"CR-LF":null,"NONE":null},"value":"CR-LF","defaultValue":"CR-LF","label":null,"description":null},{"path":"itsp-account/rtp-keepalive-method","type":"enum","options":{"REPLAY-LAST-SENT-PACKET":null,"USE-DUMMY-RTP-PAYLOAD":null,"USE-EMPTY-PACKET":null,"NONE":null},"value":"NONE","defaultValue":"NONE","label":null,"description":null},{"path":"itsp-account/route-by-to-header","type":"boolean","options":null,"value":"false","defaultValue":"false","label":null,"description":null},{"path":"itsp-account/always-relay-media","type":"boolean","options":null,"value":"true","defaultValue":"true","label":null,"description":null}]}"""

#: POST /api/callgroups (Hunt Groups: create)
HUNT_GROUP_CREATE = r"""{"name":"ppp1","extension":"4444","description":"","enabled":true,"did":null,"ringBeans":[],"fallbackDestination":null,"voicemailFallback":true,"userForward":true,"useFwdTimers":false}"""

#: PUT /api/callgroups/4444 (Hunt Groups: update)
HUNT_GROUP_UPDATE = r"""{"name":"ppp1","extension":"4444","description":"kkkkk","enabled":true,"did":null,"ringBeans":[],"fallbackDestination":null,"voicemailFallback":true,"userForward":true,"useFwdTimers":false}"""

#: GET /rest/branch
BRANCHES = r"""<branch>
  <metadata>
    <totalResults>1</totalResults>
    <currentPage>1</currentPage>
    <totalPages>1</totalPages>
    <resultsPerPage>1</resultsPerPage>
  </metadata>
  <branches>
    <branch>
      <id>1</id>
      <name>whitehouse</name>
      <description>location description field</description>
      <address>
        <id>1</id>
        <street>1600 Pennsylvania Avenue NW</street>
        <city>Washington</city>
        <country>US</country>
        <state>DC</state>
        <zip>20500</zip>
      </address>
    </branch>
  </branches>
</branch>"""

#: GET /rest/branch/1
BRANCH = r"""<branch>
  <id>1</id>
  <name>whitehouse</name>
  <description>location description field</description>
  <address>
    <id>1</id>
    <street>1600 Pennsylvania Avenue NW</street>
    <city>Washington</city>
    <country>US</country>
    <state>DC</state>
    <zip>20500</zip>
    <officeDesignation>ovaloffice</officeDesignation>
  </address>
  <phoneNumber>4235551212</phoneNumber>
  <faxNumber>4235552323</faxNumber>
</branch>"""

#: PUT /rest/branch, and its answer
BRANCH_CREATE = r"""{"branch":{"name":"libofcongress","description":"library of congress","address":{"street":"101 Independence Ave SE","city":"Washington","state":"DC","zip":"20540"}}}"""
BRANCH_CREATED = r"""<?xml version="1.0" encoding="UTF-8"?><response><code>SUCCESS_CREATED</code><message>Created</message><data><id>3</id></data></response>"""

#: A phone line as the vendor's own test fixtures answer it (userId carries the user name).
FIXTURE_LINE = r"""{"id":1,"uri":"\"Test User\"<sip:testuser@example.org>","user":"testuser","userId":"testuser"}"""


def assert_same_shape(documented: Any, answered: Any, where: str = "$") -> None:
    """Same field names, nesting and value types; a documented ``null`` stands for any value."""
    if documented is None:
        return
    if isinstance(documented, dict):
        assert isinstance(answered, dict), f"{where}: an object in the document, {answered!r} answered"
        assert set(answered) == set(documented), f"{where}: fields differ: {sorted(set(documented) ^ set(answered))}"
        for key, value in documented.items():
            assert_same_shape(value, answered[key], f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(answered, list), f"{where}: a list in the document, {answered!r} answered"
        for item in answered:
            for example in documented[:1]:
                assert_same_shape(example, item, f"{where}[]")
    else:
        assert answered is None or type(answered) is type(documented), (
            f"{where}: {type(documented).__name__} in the document, {type(answered).__name__} answered"
        )


def element_paths(element: Any, prefix: str = "") -> set[str]:
    """Every element's path in an XML document (``branch/address/city``)."""
    path = f"{prefix}/{element.tag}" if prefix else element.tag
    found = {path}
    for child in element:
        found |= element_paths(child, path)
    return found


@pytest.fixture
async def http(url: str) -> Any:
    async with httpx.AsyncClient(base_url=f"{url}/sipxconfig", auth=(DEMO_USERNAME, DEMO_PASSWORD)) as client:
        yield client


def served(path: str, body: str) -> Fault:
    """The emulator answering ``GET path`` with a document example instead."""
    return Fault(
        kind=FaultKind.STATUS,
        method="GET",
        path_prefix=path,
        status=200,
        body=body.encode(),
        content_type="application/json",
    )


# --- the emulator answers as the document shows -----------------------------------------------


async def test_gateways(http: httpx.AsyncClient) -> None:
    documented = json.loads(GATEWAYS)
    answered = (await http.get("/api/gateways")).json()
    assert_same_shape(documented, answered)
    # The seeded SIP trunk is the document's own example.
    assert answered["gateways"][0] == documented["gateways"][0]
    assert (await http.get("/api/gateways/1")).json() == json.loads(GATEWAY)


async def test_gateway_models(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/gateways/models")).json() == json.loads(GATEWAY_MODELS)


async def test_gateway_settings(http: httpx.AsyncClient) -> None:
    documented = json.loads(GATEWAY_SETTINGS)
    answered = (await http.get("/api/gateways/1/settings")).json()
    assert_same_shape(documented, answered)
    assert [s["path"] for s in answered["settings"]] == [s["path"] for s in documented["settings"]]
    for example, setting in zip(documented["settings"], answered["settings"], strict=True):
        assert_same_shape(example, setting, example["path"])
        if example["path"] != gateways.SETTING_PASSWORD:
            assert setting == example


async def test_hunt_groups(http: httpx.AsyncClient, emulator: Emulator[SipxState]) -> None:
    created = await http.post(
        "/api/callgroups", content=HUNT_GROUP_CREATE.encode(), headers={"Content-Type": "application/json"}
    )
    assert created.status_code == 200 and created.text.isdigit()
    documented = json.loads(HUNT_GROUP_CREATE)
    answered = (await http.get("/api/callgroups/4444")).json()
    # A read answers the body's fields, and the id (and the group's own SIP password) beside them.
    assert set(answered) - set(documented) == {"id", "sipPassword"}
    assert_same_shape(documented, {k: answered[k] for k in documented})
    listed = (await http.get("/api/callgroups")).json()
    assert_same_shape(
        {"callGroups": [documented]}, {"callGroups": [{k: h[k] for k in documented} for h in listed["callGroups"]]}
    )
    updated = await http.put(
        "/api/callgroups/4444", content=HUNT_GROUP_UPDATE.encode(), headers={"Content-Type": "application/json"}
    )
    assert updated.status_code == 200
    hunt = emulator.state.hunt_group_by_extension("4444")
    assert hunt is not None and (hunt.name, hunt.description, hunt.rings) == ("ppp1", "kkkkk", [])


async def test_branches(http: httpx.AsyncClient) -> None:
    listed = SafeET.fromstring((await http.get("/rest/branch")).content)
    assert element_paths(SafeET.fromstring(BRANCHES)) <= element_paths(listed)
    one = SafeET.fromstring((await http.get("/rest/branch/1")).content)
    assert element_paths(SafeET.fromstring(BRANCH)) <= element_paths(one)
    assert one.findtext("address/officeDesignation") == "ovaloffice"


async def test_branch_create_answers_the_documented_envelope(http: httpx.AsyncClient) -> None:
    answered = await http.put(
        "/rest/branch", content=BRANCH_CREATE.encode(), headers={"Content-Type": "application/json"}
    )
    assert answered.text == BRANCH_CREATED


# --- the connector maps the document's examples -------------------------------------------------


SIP_TRUNK = Trunk(
    id="1",
    name="my_siptrunk",
    host="192.168.1.14",
    port=5060,
    transport=Transport.TCP,
    username="5568",
    enabled=True,
    register=True,
    domain="192.168.1.14",
    kind=TrunkKind.SIP,
    model="sipTrunkStandard",
    registration=None,
)


def without_raw(trunk: Trunk) -> Trunk:
    trunk.raw = {}
    return trunk


def test_the_gateway_example_is_a_sip_trunk() -> None:
    record = gateways.trunk_record(json.loads(GATEWAY), gateways.settings_map(json.loads(GATEWAY_SETTINGS)))
    assert "password" not in json.dumps(record.raw["settings"])
    assert without_raw(record) == SIP_TRUNK


async def test_the_gateway_examples_through_the_connector(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    emulator.faults.add(served("/sipxconfig/api/gateways/1/settings", GATEWAY_SETTINGS))
    emulator.faults.add(served("/sipxconfig/api/gateways", GATEWAYS))
    (trunk,) = (await connector.trunks.page(ListQuery())).items
    assert without_raw(trunk) == SIP_TRUNK


def test_every_documented_gateway_model_has_a_kind() -> None:
    kinds = {m["modelId"]: gateways.kind_of({"model": m}) for m in json.loads(GATEWAY_MODELS)["models"]}
    assert kinds == {
        "acmeGatewayStandard": TrunkKind.OTHER,
        "audiocodesMP1X4_4_FXO": TrunkKind.ANALOG,
        "audiocodesMP1X8_8_FXO": TrunkKind.ANALOG,
        "audiocodesMediant1000": TrunkKind.PRI,
        "audiocodesMediant2000": TrunkKind.PRI,
        "audiocodesMediant3000": TrunkKind.PRI,
        "audiocodesMediantBRI": TrunkKind.BRI,
        "audiocodesTP260": TrunkKind.PRI,
        "genericGatewayStandard": TrunkKind.UNMANAGED,
        "sipTrunkStandard": TrunkKind.SIP,
    }


def test_the_hunt_group_example_is_a_queue() -> None:
    queue = huntgroups.queue_record({"id": 7, **json.loads(HUNT_GROUP_CREATE)})
    assert (queue.id, queue.name, queue.extension, queue.description, queue.display_name, queue.strategy) == (
        "7",
        "ppp1",
        "4444",
        None,
        None,
        None,
    )


async def test_the_hunt_group_example_through_the_connector(
    connector: SipxcomConnector, http: httpx.AsyncClient
) -> None:
    await http.post("/api/callgroups", content=HUNT_GROUP_UPDATE.encode(), headers={"Content-Type": "application/json"})
    (queue,) = (await connector.queues.page(ListQuery(filter=Filter(extension="4444")))).items
    assert (queue.name, queue.extension, queue.description) == ("ppp1", "4444", "kkkkk")
    assert await connector.queues.members_of([queue.id]) == [[]]


def test_the_fixture_line_names_its_user_by_name() -> None:
    owner = lines.owner_of(json.loads(FIXTURE_LINE))
    assert owner == lines.LineOwner(name="testuser")
    index = lines.UserIndex(
        [{"id": 1000, "userName": "testuser", "aliases": []}, {"id": 7, "userName": "other", "aliases": ["testuser2"]}]
    )
    found = index.find(owner)
    assert found is not None and found["id"] == 1000
