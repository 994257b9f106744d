"""Era through the GraphQL surface, beside a local store: every kind, errors, degradation, call counts."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio

from pbxgraph.config import BackendConfig, Config
from pbxgraph.demo import DemoEnvironment
from pbxgraph.domain import Kind
from pbxgraph.emulators.era.seed import GROUPS, HUNTS, USERS
from pbxgraph.emulators.era.state import EraState
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind, LoopbackServer
from pbxgraph.ids import encode_id
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.era.conftest import READER_TOKEN, era_config

UC = "/rest/v1/uc"
ANNA, BORIS, CLARA, DAVID, ELENA = (u[0] for u in USERS[:5])
HUGO = USERS[7][0]
RECEPTION = GROUPS[0]["id"]
SUPPORT = HUNTS[0]["id"]
Running = Callable[..., contextlib.AbstractAsyncContextManager[GraphQLTestClient]]

# One event loop for the module, so most tests share one running app (the emulator is reset for each test).
pytestmark = pytest.mark.asyncio(loop_scope="module")


def era_id(kind: Kind, native: str) -> str:
    return encode_id(kind, "era", native)


def app_config(url: str, **options: Any) -> Config:
    """A local store ("office", demo data) beside the emulated Era ("era", options as given)."""
    office = BackendConfig(name="office", vendor="local", options={"path": ":memory:", "demo": True})
    return Config(backends=(office, era_config(url, **options)))


@pytest.fixture
def running(era: Emulator[EraState], era_server: LoopbackServer) -> Running:
    """Start an app of its own, for a test that needs other Era options."""

    @contextlib.asynccontextmanager
    async def start(**options: Any) -> AsyncIterator[GraphQLTestClient]:
        async with GraphQLTestClient.running(app_config(era_server.url, **options)) as client:
            yield client

    return start


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def shared(era_server: LoopbackServer) -> AsyncIterator[GraphQLTestClient]:
    async with GraphQLTestClient.running(app_config(era_server.url)) as client:
        yield client


@pytest.fixture
def client(shared: GraphQLTestClient, era: Emulator[EraState]) -> GraphQLTestClient:
    """The shared app; Era is seeded afresh for every test and the office store is only read."""
    return shared


async def mutate(client: GraphQLTestClient, name: str, args: str, variables: dict[str, Any], fields: str) -> Any:
    declared = ", ".join(f"${k}: {t}" for k, t in _types(name, variables).items())
    passed = ", ".join(f"{k}: ${k}" for k in variables)
    body = await client.data(f"mutation({declared}) {{ {name}({passed}) {{ {fields} }} }}", variables)
    return body[name]


def _types(name: str, variables: dict[str, Any]) -> dict[str, str]:
    input_type = name[0].upper() + name[1:] + "Input"
    known = {"backend": "String!", "id": "ID!", "input": f"{input_type}!", "groupId": "ID!", "queueId": "ID!",
             "deviceId": "ID!", "userId": "ID!", "userIds": "[ID!]!", "members": "[QueueMemberInput!]!"}
    return {k: known[k] for k in variables}


# --- backends and reads ----------------------------------------------------------------------------


async def test_era_shows_beside_the_local_store_with_its_capabilities(client: GraphQLTestClient) -> None:
    data = await client.data("{ backends { name vendor health { status } capabilities { kind operations } } }")
    era = next(b for b in data["backends"] if b["name"] == "era")
    assert era["vendor"] == "era" and era["health"]["status"] == "UP"
    ops = {c["kind"]: set(c["operations"]) for c in era["capabilities"]}
    assert "REGISTRATION" in ops["USER"] and {"MEMBERS"} <= ops["GROUP"] and {"MEMBERS"} <= ops["QUEUE"]
    assert {"ASSIGN", "RESYNC", "RESTART", "CREATE"} <= ops["DEVICE"]


async def test_users_filter_by_extension_and_name_with_registration(client: GraphQLTestClient) -> None:
    query = """query($f: ListFilter) { users(backends: ["era"], filter: $f) {
        nodes { nativeId username displayName extension registration raw } } }"""
    (clara,) = (await client.data(query, {"f": {"extension": "203"}}))["users"]["nodes"]
    assert (clara["nativeId"], clara["username"], clara["registration"]) == (CLARA, "clara.schmidt", "OFFLINE")
    assert "pwd" not in clara["raw"] and "seed-sip-secret" not in str(clara)
    (anna,) = (await client.data(query, {"f": {"search": "petrova"}}))["users"]["nodes"]
    assert anna["registration"] == "ONLINE" and anna["extension"] == "201"


@pytest.mark.parametrize(("field", "filter_type", "filters"), [
    ("users", "ListFilter", [{"extension": "205"}, {"search": "ROSSI"}]),
    ("groups", "ListFilter", [{"extension": "510"}, {"search": "sales"}]),
    ("queues", "ListFilter", [{"extension": "402"}, {"search": "SUPP"}]),
    ("trunks", "ListFilter", [{"search": "oktell"}]),
    ("devices", "DeviceFilter", [{"mac": "80-5E-C0-D5-25-CA"}, {"search": "t54w"}]),
])
async def test_every_kind_filters_on_era(client: GraphQLTestClient, field: str, filter_type: str,
                                         filters: list[dict[str, str]]) -> None:
    query = f"query($f: {filter_type}) {{ {field}(backends: [\"era\"], filter: $f) {{ nodes {{ nativeId }} }} }}"
    for flt in filters:
        nodes = (await client.data(query, {"f": flt}))[field]["nodes"]
        assert len(nodes) == 1, (flt, nodes)


@pytest.mark.parametrize("field", ["users", "groups", "queues", "trunks", "devices"])
async def test_paging_with_a_small_first_loses_and_repeats_nothing(client: GraphQLTestClient, field: str) -> None:
    for order in ("NAME", "EXTENSION"):
        query = f"""query($after: String, $first: Int!) {{
            {field}(first: $first, after: $after, orderBy: {{field: {order}, direction: DESC}}) {{
                edges {{ node {{ id backend }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
        everything = (await client.data(query, {"first": 500}))[field]["edges"]
        assert {e["node"]["backend"] for e in everything} >= {"era"}
        seen: list[str] = []
        after = None
        while True:
            page = (await client.data(query, {"first": 3, "after": after}))[field]
            seen += [e["node"]["id"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == [e["node"]["id"] for e in everything], order


# --- writes --------------------------------------------------------------------------------------


async def test_user_create_partial_update_delete(client: GraphQLTestClient, era: Emulator[EraState]) -> None:
    user = await mutate(client, "createUser", "", {"backend": "era", "input": {
        "username": "kim.lee", "displayName": "Kim Lee", "extension": "211", "sipPassword": "Sip-Secret-77"}},
        "id nativeId username displayName extension registration raw")
    assert user["extension"] == "211" and user["registration"] == "OFFLINE"
    assert "Sip-Secret-77" not in str(user)
    assert era.state.get("sipusers", user["nativeId"])["pwd"] == "Sip-Secret-77"
    updated = await mutate(client, "updateUser", "", {"id": user["id"], "input": {"displayName": "Kim S. Lee"}},
                           "username displayName extension")
    assert updated == {"username": "kim.lee", "displayName": "Kim S. Lee", "extension": "211"}
    await mutate(client, "deleteUser", "", {"id": user["id"]}, "deletedId")
    assert (await client.data("query($id: ID!) { node(id: $id) { id } }", {"id": user["id"]}))["node"] is None
    again = await client.execute("mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": user["id"]})
    assert error_codes(again) == ["NOT_FOUND"] and again["errors"][0]["extensions"]["backend"] == "era"


async def test_group_create_update_membership_delete(client: GraphQLTestClient, era: Emulator[EraState]) -> None:
    group = await mutate(client, "createGroup", "", {"backend": "era", "input": {
        "name": "Night desk", "extension": "530", "strategy": "SEQUENTIAL",
        "memberIds": [era_id(Kind.USER, ANNA)]}}, "id nativeId name members { number user { username } }")
    assert group["name"] == "Night desk" and [m["number"] for m in group["members"]] == ["201"]
    updated = await mutate(client, "updateGroup", "", {"id": group["id"], "input": {"description": "After 6 pm"}},
                           "name extension strategy description")
    assert updated == {"name": "Night desk", "extension": "530", "strategy": "SEQUENTIAL",
                       "description": "After 6 pm"}
    added = await mutate(client, "addGroupMembers", "", {"groupId": group["id"], "userIds": [
        era_id(Kind.USER, BORIS), era_id(Kind.USER, CLARA)]}, "members { position number user { username } }")
    assert [m["user"]["username"] for m in added["members"]] == ["anna.petrova", "boris.ivanov", "clara.schmidt"]
    removed = await mutate(client, "removeGroupMembers", "", {"groupId": group["id"], "userIds": [
        era_id(Kind.USER, ANNA)]}, "members { position number }")
    assert removed["members"] == [{"position": 0, "number": "202"}, {"position": 1, "number": "203"}]
    user = (await client.data('{ users(backends: ["era"], filter: {extension: "202"}) { nodes { groups { name } } } }'))
    assert "Night desk" in [g["name"] for g in user["users"]["nodes"][0]["groups"]]
    await mutate(client, "deleteGroup", "", {"id": group["id"]}, "deletedId")
    assert group["nativeId"] not in [g["id"] for g in era.state.entities("sipgroups")]


async def test_queue_create_members_update_delete(client: GraphQLTestClient) -> None:
    queue = await mutate(client, "createQueue", "", {"backend": "era", "input": {
        "name": "overflow", "extension": "407", "strategy": "PRIORITY",
        "members": [{"id": era_id(Kind.USER, DAVID), "priority": 20}]}}, "id name strategy")
    assert queue["strategy"] == "PRIORITY"
    members = await mutate(client, "setQueueMembers", "", {"queueId": queue["id"], "members": [
        {"id": era_id(Kind.USER, ELENA), "priority": 5}, {"id": era_id(Kind.USER, DAVID)}]},
        "members { position priority member { ... on User { username } } settings }")
    assert [(m["position"], m["priority"], m["member"]["username"]) for m in members["members"]] == [
        (0, 5, "elena.rossi"), (1, 1, "david.chen")]
    refused = await client.execute(
        "mutation($q: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $q, members: $m) { id } }",
        {"q": queue["id"], "m": [{"id": era_id(Kind.GROUP, RECEPTION)}]})
    assert error_codes(refused) == ["BAD_USER_INPUT"]
    assert refused["errors"][0]["extensions"]["field"].startswith("members[0]")
    renamed = await mutate(client, "updateQueue", "", {"id": queue["id"], "input": {"name": "spillover"}},
                           "name extension strategy")
    assert renamed == {"name": "spillover", "extension": "407", "strategy": "PRIORITY"}
    await mutate(client, "deleteQueue", "", {"id": queue["id"]}, "deletedId")


async def test_trunk_create_update_delete_keeps_the_password_write_only(
    client: GraphQLTestClient, era: Emulator[EraState]
) -> None:
    trunk = await mutate(client, "createTrunk", "", {"backend": "era", "input": {
        "name": "carrier", "host": "sip.carrier.example.net", "port": 5080, "transport": "TLS",
        "username": "acct", "password": "Trunk-Pw-91", "register": True}},
        "id nativeId name host port transport username enabled register raw")
    assert (trunk["host"], trunk["port"], trunk["transport"], trunk["register"]) == (
        "sip.carrier.example.net", 5080, "TLS", True)
    assert "Trunk-Pw-91" not in str(trunk) and "pwd" not in trunk["raw"]
    updated = await mutate(client, "updateTrunk", "", {"id": trunk["id"], "input": {"port": None}},
                           "name host port username")
    assert updated == {"name": "carrier", "host": "sip.carrier.example.net", "port": None, "username": "acct"}
    assert era.state.get("providers", trunk["nativeId"])["pwd"] == "Trunk-Pw-91"
    await mutate(client, "deleteTrunk", "", {"id": trunk["id"]}, "deletedId")


async def test_devices_provision_assign_act_and_delete(client: GraphQLTestClient, era: Emulator[EraState]) -> None:
    device = await mutate(client, "createDevice", "", {"backend": "era", "input": {
        "mac": "00:04:f2:aa:bb:cc", "model": "VVX 450", "userId": era_id(Kind.USER, ELENA)}},
        "id nativeId mac model user { username }")
    assert device["nativeId"] == "0004f2aabbcc" and device["user"]["username"] == "elena.rossi"
    updated = await mutate(client, "updateDevice", "", {"id": device["id"], "input": {"model": "VVX 250"}},
                           "mac model")
    assert updated == {"mac": "00:04:f2:aa:bb:cc", "model": "VVX 250"}
    moved = await mutate(client, "assignDevice", "", {"deviceId": device["id"], "userId": era_id(Kind.USER, HUGO)},
                         "id user { username }")
    assert moved == {"id": device["id"], "user": {"username": "hugo.martin"}}  # the id is the MAC: it moves along
    conflict = await client.execute("mutation($d: ID!, $u: ID!) { assignDevice(deviceId: $d, userId: $u) { id } }",
                                     {"d": device["id"], "u": era_id(Kind.USER, ANNA)})
    assert error_codes(conflict) == ["CONFLICT"]
    for mutation, operation in (("resyncDevice", "sync"), ("restartDevice", "restart")):
        answer = await mutate(client, mutation, "", {"id": device["id"]}, "action device { mac }")
        assert answer["device"]["mac"] == "00:04:f2:aa:bb:cc"
        assert era.state.device_operations[-1] == (HUGO, operation)
    await mutate(client, "deleteDevice", "", {"id": device["id"]}, "deletedId")
    assert era.state.get("sipusers", HUGO)["opts"]["ap_mac_address"] == ""
    assert era.state.get("sipusers", ELENA)["opts"]["ap_mac_address"] == ""
    gone = await client.execute("mutation($id: ID!) { resyncDevice(id: $id) { action } }", {"id": device["id"]})
    assert error_codes(gone) == ["NOT_FOUND"]


# --- errors and degradation --------------------------------------------------------------------------------


async def test_each_error_class_names_the_era_backend(client: GraphQLTestClient) -> None:
    create_user = "mutation($i: CreateUserInput!) { createUser(backend: \"era\", input: $i) { id } }"
    taken = await client.execute(create_user, {"i": {"username": "dup", "extension": "201"}})
    assert error_codes(taken) == ["CONFLICT"]
    assert taken["errors"][0]["extensions"]["vendor"]["error_code"] == 1409
    email = await client.execute(create_user, {"i": {"username": "mail", "email": "m@example.com"}})
    assert error_codes(email) == ["NOT_SUPPORTED"] and "era" in email["errors"][0]["message"]
    assert email["errors"][0]["extensions"]["backend"] == "era"
    assert email["errors"][0]["extensions"]["field"].endswith("email")
    strategy = await client.execute(
        'mutation { createGroup(backend: "era", input: {name: "x", extension: "531", strategy: ROUND_ROBIN})'
        ' { id } }')
    assert error_codes(strategy) == ["BAD_USER_INPUT"]
    assert strategy["errors"][0]["extensions"]["field"].endswith("strategy")
    missing = await client.execute("mutation($id: ID!) { updateQueue(id: $id, input: {name: \"x\"}) { id } }",
                                   {"id": era_id(Kind.QUEUE, "no-such-hunt")})
    assert error_codes(missing) == ["NOT_FOUND"] and missing["errors"][0]["extensions"]["vendor"]["error_code"] == 1404
    named = await client.execute(
        "mutation { createDevice(backend: \"era\", input: {mac: \"00:04:f2:00:00:09\", name: \"Desk\"}) { id } }")
    assert error_codes(named) == ["NOT_SUPPORTED"] and named["errors"][0]["extensions"]["backend"] == "era"


async def test_era_access_denied_is_a_backend_error_not_the_callers_forbidden(running: Running) -> None:
    async with running(token=READER_TOKEN) as client:
        assert (await client.data('{ users(backends: ["era"]) { totalCount } }'))["users"]["totalCount"] == len(USERS)
        body = await client.execute("mutation($id: ID!) { updateGroup(id: $id, input: {name: \"x\"}) { id } }",
                                    {"id": era_id(Kind.GROUP, RECEPTION)})
        assert error_codes(body) == ["BACKEND_ERROR"] and body["errors"][0]["extensions"]["backend"] == "era"
        assert "configured with lack the right" in body["errors"][0]["message"]
        assert body["errors"][0]["extensions"]["vendor"]["error_code"] == 1506


@pytest.mark.parametrize(("fault", "code"), [
    (Fault(kind=FaultKind.LATENCY, delay_s=1.0, path_prefix=f"{UC}/sipusers"), "BACKEND_TIMEOUT"),
    (Fault(kind=FaultKind.GARBAGE, path_prefix=f"{UC}/sipusers"), "BACKEND_ERROR"),
    (Fault(kind=FaultKind.DROP, path_prefix=f"{UC}/sipusers"), "BACKEND_UNAVAILABLE"),
], ids=["slow", "garbage", "dropped"])
async def test_a_failing_era_degrades_only_its_own_part(running: Running, era: Emulator[EraState], fault: Fault,
                                                        code: str) -> None:
    async with running(timeout_s=0.3) as client:
        era.faults.add(fault)
        body = await client.execute("{ users(first: 500) { nodes { backend username } } }")
        nodes = body["data"]["users"]["nodes"]
        assert nodes and {n["backend"] for n in nodes} == {"office"}
        assert error_codes(body) == [code] and body["errors"][0]["extensions"]["backend"] == "era"
        groups = await client.data('{ groups(backends: ["era"]) { nodes { name } } }')  # the rest of Era answers
        assert len(groups["groups"]["nodes"]) == len(GROUPS)


async def test_a_failed_relation_nulls_only_its_own_field(running: Running, era: Emulator[EraState]) -> None:
    # One request at a time, so the first failure leaves no sibling request in flight.
    async with running(max_concurrency=1) as client:
        era.faults.add(Fault(kind=FaultKind.STATUS, status=503, path_prefix=f"{UC}/hunts/"))
        body = await client.execute('{ queues(backends: ["era"], orderBy: {field: EXTENSION}) '
                                    '{ nodes { name members { priority } } } }')
    assert [n["name"] for n in body["data"]["queues"]["nodes"]] == ["support", "sales", "billing"]
    assert all(n["members"] is None for n in body["data"]["queues"]["nodes"])
    assert set(error_codes(body)) == {"BACKEND_UNAVAILABLE"}
    assert era.recorder.count("GET", f"{UC}/hunts/") == 1  # the first failure cancelled the other reads


# --- exact vendor requests for nested queries ------------------------------------------------------------


async def test_groups_members_devices_cost_five_era_requests(client: GraphQLTestClient,
                                                             era: Emulator[EraState]) -> None:
    era.recorder.clear()
    data = await client.data("""{ groups(backends: ["era"]) { nodes { name
        members { number user { username registration devices { mac model } } } } } }""")
    groups = data["groups"]["nodes"]
    assert len(groups) == 3
    phones = {m["user"]["username"]: [d["mac"] for d in m["user"]["devices"]]
              for g in groups for m in g["members"] if m["user"]}
    assert phones["anna.petrova"] == ["80:5e:c0:d5:25:ca"] and phones["elena.rossi"] == []
    assert [m["number"] for m in groups[1]["members"]][-1] == "89161234567"
    calls = [(r.method, r.path) for r in era.recorder.requests]
    assert calls == [
        ("GET", f"{UC}/sipgroups"),        # the page of groups
        ("GET", f"{UC}/sipgroups"),        # members_of: the groups' dial plans, by id, in one request
        ("GET", f"{UC}/sipusers"),         # the dialled numbers' users, in one request
        ("GET", f"{UC}/sipuser_states"),   # their registrations, in one request
        ("GET", f"{UC}/sipusers"),         # devices_of every member, in one request
    ]


async def test_queues_members_cost_one_get_per_hunt_plus_two(client: GraphQLTestClient,
                                                             era: Emulator[EraState]) -> None:
    era.recorder.clear()
    data = await client.data("""{ queues(backends: ["era"]) { nodes { name
        members { position priority member { ... on User { username registration } } } } } }""")
    support = next(q for q in data["queues"]["nodes"] if q["name"] == "support")
    assert [(m["priority"], m["member"]["username"]) for m in support["members"]] == [
        (100, "anna.petrova"), (99, "boris.ivanov"), (95, "farid.haddad")]
    assert era.recorder.count("GET", f"{UC}/hunts") == 1 + len(HUNTS)
    assert era.recorder.count("GET", f"{UC}/hunts/") == len(HUNTS)
    assert era.recorder.count("GET", f"{UC}/sipusers") == 1
    assert era.recorder.count("GET", f"{UC}/sipuser_states") == 1
    assert era.recorder.count() == 1 + len(HUNTS) + 2


async def test_directory_finds_era_owners(client: GraphQLTestClient) -> None:
    data = await client.data('{ directory(number: "402") '
                             '{ entries { backend kind owner { ... on Queue { name } } } } }')
    assert {"backend": "era", "kind": "QUEUE", "owner": {"name": "support"}} in data["directory"]["entries"]


async def test_the_no_configuration_demo_serves_an_era_backend() -> None:
    demo = DemoEnvironment.start()
    try:
        assert "backend era-demo: era emulator at http://127.0.0.1:" in "\n".join(demo.describe())
        async with GraphQLTestClient.running(demo.config) as client:
            data = await client.data('{ backends { name vendor health { status } } '
                                     'users(backends: ["era-demo"], first: 100) { nodes { registration } } '
                                     'groups(backends: ["era-demo"]) { nodes { members { number } } } }')
    finally:
        demo.stop()
    assert {"name": "era-demo", "vendor": "era", "health": {"status": "UP"}} in data["backends"]
    assert len(data["users"]["nodes"]) == len(USERS)
    assert {u["registration"] for u in data["users"]["nodes"]} == {"ONLINE", "OFFLINE"}
    assert len(data["groups"]["nodes"]) == len(GROUPS)
