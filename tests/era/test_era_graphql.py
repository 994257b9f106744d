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
RECEPTION, SUPPORT_DESK = GROUPS[0]["id"], GROUPS[2]["id"]
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
    known = {
        "backend": "String!",
        "id": "ID!",
        "input": f"{input_type}!",
        "groupId": "ID!",
        "queueId": "ID!",
        "deviceId": "ID!",
        "userId": "ID!",
        "userIds": "[ID!]!",
        "members": "[QueueMemberInput!]!",
    }
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


@pytest.mark.parametrize(
    ("field", "filter_type", "filters"),
    [
        ("users", "ListFilter", [{"extension": "205"}, {"search": "ROSSI"}]),
        ("groups", "ListFilter", [{"extension": "510"}, {"search": "sales"}]),
        ("queues", "ListFilter", [{"extension": "402"}, {"search": "SUPP"}]),
        ("trunks", "ListFilter", [{"search": "oktell"}]),
        ("devices", "DeviceFilter", [{"mac": "80-5E-C0-D5-25-CA"}, {"search": "t54w"}]),
    ],
)
async def test_every_kind_filters_on_era(
    client: GraphQLTestClient, field: str, filter_type: str, filters: list[dict[str, str]]
) -> None:
    query = f'query($f: {filter_type}) {{ {field}(backends: ["era"], filter: $f) {{ nodes {{ nativeId }} }} }}'
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
    user = await mutate(
        client,
        "createUser",
        "",
        {
            "backend": "era",
            "input": {
                "username": "kim.lee",
                "displayName": "Kim Lee",
                "extension": "211",
                "sipPassword": "Sip-Secret-77",
            },
        },
        "id nativeId username displayName extension registration raw",
    )
    assert user["extension"] == "211" and user["registration"] == "OFFLINE"
    assert "Sip-Secret-77" not in str(user)
    assert era.state.get("sipusers", user["nativeId"])["pwd"] == "Sip-Secret-77"
    updated = await mutate(
        client,
        "updateUser",
        "",
        {"id": user["id"], "input": {"displayName": "Kim S. Lee"}},
        "username displayName extension",
    )
    assert updated == {"username": "kim.lee", "displayName": "Kim S. Lee", "extension": "211"}
    await mutate(client, "deleteUser", "", {"id": user["id"]}, "deletedId")
    assert (await client.data("query($id: ID!) { node(id: $id) { id } }", {"id": user["id"]}))["node"] is None
    again = await client.execute("mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": user["id"]})
    assert error_codes(again) == ["NOT_FOUND"] and again["errors"][0]["extensions"]["backend"] == "era"


async def test_group_create_update_membership_delete(client: GraphQLTestClient, era: Emulator[EraState]) -> None:
    group = await mutate(
        client,
        "createGroup",
        "",
        {
            "backend": "era",
            "input": {
                "name": "Night desk",
                "extension": "530",
                "strategy": "SEQUENTIAL",
                "memberIds": [era_id(Kind.USER, ANNA)],
            },
        },
        "id nativeId name members { number user { username } }",
    )
    assert group["name"] == "Night desk" and [m["number"] for m in group["members"]] == ["201"]
    updated = await mutate(
        client,
        "updateGroup",
        "",
        {"id": group["id"], "input": {"description": "After 6 pm"}},
        "name extension strategy description",
    )
    assert updated == {"name": "Night desk", "extension": "530", "strategy": "SEQUENTIAL", "description": "After 6 pm"}
    added = await mutate(
        client,
        "addGroupMembers",
        "",
        {"groupId": group["id"], "userIds": [era_id(Kind.USER, BORIS), era_id(Kind.USER, CLARA)]},
        "members { position number user { username } }",
    )
    assert [m["user"]["username"] for m in added["members"]] == ["anna.petrova", "boris.ivanov", "clara.schmidt"]
    removed = await mutate(
        client,
        "removeGroupMembers",
        "",
        {"groupId": group["id"], "userIds": [era_id(Kind.USER, ANNA)]},
        "members { position number }",
    )
    assert removed["members"] == [{"position": 0, "number": "202"}, {"position": 1, "number": "203"}]
    user = await client.data('{ users(backends: ["era"], filter: {extension: "202"}) { nodes { groups { name } } } }')
    assert "Night desk" in [g["name"] for g in user["users"]["nodes"][0]["groups"]]
    await mutate(client, "deleteGroup", "", {"id": group["id"]}, "deletedId")
    assert group["nativeId"] not in [g["id"] for g in era.state.entities("sipgroups")]


async def test_queue_create_members_update_delete(client: GraphQLTestClient) -> None:
    queue = await mutate(
        client,
        "createQueue",
        "",
        {
            "backend": "era",
            "input": {
                "name": "overflow",
                "extension": "407",
                "strategy": "PRIORITY",
                "members": [{"id": era_id(Kind.USER, DAVID), "priority": 20}],
            },
        },
        "id name strategy",
    )
    assert queue["strategy"] == "PRIORITY"
    members = await mutate(
        client,
        "setQueueMembers",
        "",
        {
            "queueId": queue["id"],
            "members": [{"id": era_id(Kind.USER, ELENA), "priority": 5}, {"id": era_id(Kind.USER, DAVID)}],
        },
        "members { position priority member { ... on User { username } } settings }",
    )
    assert [(m["position"], m["priority"], m["member"]["username"]) for m in members["members"]] == [
        (0, 5, "elena.rossi"),
        (1, 1, "david.chen"),
    ]
    refused = await client.execute(
        "mutation($q: ID!, $m: [QueueMemberInput!]!) { setQueueMembers(queueId: $q, members: $m) { id } }",
        {"q": queue["id"], "m": [{"id": era_id(Kind.GROUP, RECEPTION)}]},
    )
    assert error_codes(refused) == ["NOT_SUPPORTED"]  # Era hunts are served by users, as its capabilities say
    assert refused["errors"][0]["extensions"]["field"].startswith("members[0]")
    renamed = await mutate(
        client, "updateQueue", "", {"id": queue["id"], "input": {"name": "spillover"}}, "name extension strategy"
    )
    assert renamed == {"name": "spillover", "extension": "407", "strategy": "PRIORITY"}
    await mutate(client, "deleteQueue", "", {"id": queue["id"]}, "deletedId")


async def test_trunk_create_update_delete_keeps_the_password_write_only(
    client: GraphQLTestClient, era: Emulator[EraState]
) -> None:
    trunk = await mutate(
        client,
        "createTrunk",
        "",
        {
            "backend": "era",
            "input": {
                "name": "carrier",
                "domain": "carrier.example.net",
                "host": "sip.carrier.example.net",
                "port": 5080,
                "transport": "TLS",
                "username": "acct",
                "password": "Trunk-Pw-91",
                "register": True,
            },
        },
        "id nativeId name domain host port transport username enabled register raw",
    )
    assert (trunk["domain"], trunk["host"], trunk["port"], trunk["transport"], trunk["register"]) == (
        "carrier.example.net",
        "sip.carrier.example.net",
        5080,
        "TLS",
        True,
    )
    assert "Trunk-Pw-91" not in str(trunk) and "pwd" not in trunk["raw"]
    updated = await mutate(
        client, "updateTrunk", "", {"id": trunk["id"], "input": {"port": None}}, "name host port username"
    )
    assert updated == {"name": "carrier", "host": "sip.carrier.example.net", "port": None, "username": "acct"}
    assert era.state.get("providers", trunk["nativeId"])["pwd"] == "Trunk-Pw-91"
    await mutate(client, "deleteTrunk", "", {"id": trunk["id"]}, "deletedId")


async def test_devices_provision_assign_act_and_delete(client: GraphQLTestClient, era: Emulator[EraState]) -> None:
    device = await mutate(
        client,
        "createDevice",
        "",
        {
            "backend": "era",
            "input": {"mac": "00:04:f2:aa:bb:cc", "model": "VVX 450", "userId": era_id(Kind.USER, ELENA)},
        },
        "id nativeId mac model user { username }",
    )
    assert device["nativeId"] == "0004f2aabbcc" and device["user"]["username"] == "elena.rossi"
    updated = await mutate(client, "updateDevice", "", {"id": device["id"], "input": {"model": "VVX 250"}}, "mac model")
    assert updated == {"mac": "00:04:f2:aa:bb:cc", "model": "VVX 250"}
    moved = await mutate(
        client,
        "assignDevice",
        "",
        {"deviceId": device["id"], "userId": era_id(Kind.USER, HUGO)},
        "id user { username }",
    )
    assert moved == {"id": device["id"], "user": {"username": "hugo.martin"}}  # the id is the MAC: it moves along
    conflict = await client.execute(
        "mutation($d: ID!, $u: ID!) { assignDevice(deviceId: $d, userId: $u) { id } }",
        {"d": device["id"], "u": era_id(Kind.USER, ANNA)},
    )
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
    create_user = 'mutation($i: CreateUserInput!) { createUser(backend: "era", input: $i) { id } }'
    taken = await client.execute(create_user, {"i": {"username": "dup", "extension": "201"}})
    assert error_codes(taken) == ["CONFLICT"]
    assert taken["errors"][0]["extensions"]["vendor"]["error_code"] == 1409
    email = await client.execute(create_user, {"i": {"username": "mail", "email": "m@example.com"}})
    assert error_codes(email) == ["NOT_SUPPORTED"] and "era" in email["errors"][0]["message"]
    assert email["errors"][0]["extensions"]["backend"] == "era"
    assert email["errors"][0]["extensions"]["field"].endswith("email")
    strategy = await client.execute(
        'mutation { createGroup(backend: "era", input: {name: "x", extension: "531", strategy: ROUND_ROBIN}) { id } }'
    )
    assert error_codes(strategy) == ["NOT_SUPPORTED"]  # a ring strategy Era lacks, refused before any call
    assert strategy["errors"][0]["extensions"]["field"].endswith("strategy")
    missing = await client.execute(
        'mutation($id: ID!) { updateQueue(id: $id, input: {name: "x"}) { id } }',
        {"id": era_id(Kind.QUEUE, "no-such-hunt")},
    )
    assert error_codes(missing) == ["NOT_FOUND"] and missing["errors"][0]["extensions"]["vendor"]["error_code"] == 1404
    named = await client.execute(
        'mutation { createDevice(backend: "era", input: {mac: "00:04:f2:00:00:09", name: "Desk"}) { id } }'
    )
    # every problem at once: a field Era cannot store, and the user an Era phone needs
    assert error_codes(named) == ["NOT_SUPPORTED", "BAD_USER_INPUT"]
    assert [e["extensions"]["field"] for e in named["errors"]] == ["input.name", "input.userId"]
    assert all(e["extensions"]["backend"] == "era" for e in named["errors"])


async def test_era_access_denied_is_a_backend_error_not_the_callers_forbidden(running: Running) -> None:
    async with running(token=READER_TOKEN) as client:
        assert (await client.data('{ users(backends: ["era"]) { totalCount } }'))["users"]["totalCount"] == len(USERS)
        body = await client.execute(
            'mutation($id: ID!) { updateGroup(id: $id, input: {name: "x"}) { id } }',
            {"id": era_id(Kind.GROUP, RECEPTION)},
        )
        assert error_codes(body) == ["BACKEND_ERROR"] and body["errors"][0]["extensions"]["backend"] == "era"
        assert "configured with lack the right" in body["errors"][0]["message"]
        assert body["errors"][0]["extensions"]["vendor"]["error_code"] == 1506


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        (Fault(kind=FaultKind.LATENCY, delay_s=1.0, path_prefix=f"{UC}/sipusers"), "BACKEND_TIMEOUT"),
        (Fault(kind=FaultKind.GARBAGE, path_prefix=f"{UC}/sipusers"), "BACKEND_ERROR"),
        (Fault(kind=FaultKind.DROP, path_prefix=f"{UC}/sipusers"), "BACKEND_UNAVAILABLE"),
    ],
    ids=["slow", "garbage", "dropped"],
)
async def test_a_failing_era_degrades_only_its_own_part(
    running: Running, era: Emulator[EraState], fault: Fault, code: str
) -> None:
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
        body = await client.execute(
            '{ queues(backends: ["era"], orderBy: {field: EXTENSION}) { nodes { name members { priority } } } }'
        )
    assert [n["name"] for n in body["data"]["queues"]["nodes"]] == ["support", "sales", "billing"]
    assert all(n["members"] is None for n in body["data"]["queues"]["nodes"])
    assert set(error_codes(body)) == {"BACKEND_UNAVAILABLE"}
    # No read of the listing's details (no description is asked for), then one failed read
    # for the members: its first failure cancelled the other reads.
    assert era.recorder.count("GET", f"{UC}/hunts/") == 1


# --- exact vendor requests for nested queries ------------------------------------------------------------


async def test_groups_members_devices_cost_three_era_requests(
    client: GraphQLTestClient, era: Emulator[EraState]
) -> None:
    era.recorder.clear()
    data = await client.data("""{ groups(backends: ["era"]) { nodes { name
        members { number user { username registration devices { mac model } } } } } }""")
    groups = data["groups"]["nodes"]
    assert len(groups) == 3
    phones = {
        m["user"]["username"]: [d["mac"] for d in m["user"]["devices"]]
        for g in groups
        for m in g["members"]
        if m["user"]
    }
    assert phones["anna.petrova"] == ["80:5e:c0:d5:25:ca"] and phones["elena.rossi"] == []
    assert [m["number"] for m in groups[1]["members"]][-1] == "89161234567"
    assert [(r.method, r.path) for r in era.recorder.requests] == [
        ("GET", f"{UC}/sipgroups"),  # the page of groups: the list view has the dial plans (no description asked)
        ("GET", f"{UC}/sipusers"),  # the dialled numbers' users, in one request; their rows hold their phones
        ("GET", f"{UC}/sipuser_states"),  # their registrations, in one request (asked for)
    ]


async def test_a_description_costs_one_read_per_group_of_the_page(
    client: GraphQLTestClient, era: Emulator[EraState]
) -> None:
    era.recorder.clear()
    data = await client.data('{ groups(backends: ["era"]) { nodes { name description members { number } } } }')
    assert len(data["groups"]["nodes"]) == len(GROUPS)
    calls = sorted((r.method, r.path) for r in era.recorder.requests)
    assert calls == sorted(
        [("GET", f"{UC}/sipgroups"), ("GET", f"{UC}/sipusers")] + [("GET", f"{UC}/sipgroups/{g['id']}") for g in GROUPS]
    )


async def test_queues_members_cost_one_get_per_hunt_plus_three(
    client: GraphQLTestClient, era: Emulator[EraState]
) -> None:
    era.recorder.clear()
    data = await client.data("""{ queues(backends: ["era"]) { nodes { name
        members { position priority member { ... on User { username registration } } } } } }""")
    support = next(q for q in data["queues"]["nodes"] if q["name"] == "support")
    assert [(m["priority"], m["member"]["username"]) for m in support["members"]] == [
        (100, "anna.petrova"),
        (99, "boris.ivanov"),
        (95, "farid.haddad"),
    ]
    # The list (no description asked: no whole read for the page), each hunt read for its resources.
    assert era.recorder.count("GET", f"{UC}/hunts") == 1 + len(HUNTS)
    assert era.recorder.count("GET", f"{UC}/hunts/") == len(HUNTS)
    assert era.recorder.count("GET", f"{UC}/sipusers") == 1
    assert era.recorder.count("GET", f"{UC}/sipuser_states") == 1
    assert era.recorder.count() == 1 + len(HUNTS) + 2


async def test_directory_finds_era_owners(client: GraphQLTestClient) -> None:
    data = await client.data(
        '{ directory(number: "402") { entries { backend kind owner { ... on Queue { name } } } } }'
    )
    assert {"backend": "era", "kind": "QUEUE", "owner": {"name": "support"}} in data["directory"]["entries"]


async def test_the_no_configuration_demo_serves_an_era_backend() -> None:
    demo = DemoEnvironment.start()
    try:
        assert "backend era-demo: era emulator at http://127.0.0.1:" in "\n".join(demo.describe())
        async with GraphQLTestClient.running(demo.config) as client:
            data = await client.data(
                "{ backends { name vendor health { status } } "
                'users(backends: ["era-demo"], first: 100) { nodes { registration } } '
                'groups(backends: ["era-demo"]) { nodes { members { number } } } }'
            )
    finally:
        demo.stop()
    assert {"name": "era-demo", "vendor": "era", "health": {"status": "UP"}} in data["backends"]
    assert len(data["users"]["nodes"]) == len(USERS)
    assert {u["registration"] for u in data["users"]["nodes"]} == {"ONLINE", "OFFLINE"}
    assert len(data["groups"]["nodes"]) == len(GROUPS)


# --- the widened model, the declared rules, memberships that follow ----------------------------------------


async def test_every_kind_lists_with_the_new_fields(client: GraphQLTestClient, era: Emulator[EraState]) -> None:
    data = await client.data("""{
        users(backends: ["era"], first: 100) { nodes { username extension registration } }
        groups(backends: ["era"], orderBy: {field: EXTENSION}) {
            nodes { name displayName description extension strategy } }
        queues(backends: ["era"], orderBy: {field: EXTENSION}) {
            nodes { name displayName description extension strategy } }
        trunks(backends: ["era"], orderBy: {field: NAME}) {
            nodes { name kind model domain host port transport register registration { status } } }
        devices(backends: ["era"], first: 100) {
            nodes { mac model registration { status changedAt address } user { username registration } } } }""")
    assert len(data["users"]["nodes"]) == len(USERS)
    assert data["groups"]["nodes"][0] == {
        "name": "Reception",
        "displayName": "Reception",
        "extension": "500",
        "description": GROUPS[0]["opts"]["comment"],
        "strategy": "SEQUENTIAL",
    }
    assert data["groups"]["nodes"][2]["description"] is None  # an empty comment
    assert data["queues"]["nodes"][0] == {
        "name": "support",
        "displayName": "Customer support",
        "extension": "402",
        "description": HUNTS[0]["opts"]["comment"],
        "strategy": "PRIORITY",
    }
    assert data["trunks"]["nodes"] == [
        {
            "name": "3528769",
            "kind": "SIP",
            "model": None,
            "domain": "sipnet.ru",
            "host": "212.53.40.40",
            "port": 5060,
            "transport": "TCP",
            "register": True,
            "registration": None,
        },
        {
            "name": "Oktell",
            "kind": "SIP",
            "model": None,
            "domain": "test.oktell.ru",
            "host": None,
            "port": None,
            "transport": "UDP",
            "register": True,
            "registration": None,
        },
    ]
    devices = data["devices"]["nodes"]
    assert len(devices) == 5
    for device in devices:  # a phone registers as its account: the account's state, no time, no address
        assert device["registration"] == {"status": device["user"]["registration"], "changedAt": None, "address": None}
    assert {d["registration"]["status"] for d in devices} == {"ONLINE", "OFFLINE"}


async def test_trunk_domain_and_proxy_are_written_where_era_keeps_them(
    client: GraphQLTestClient, era: Emulator[EraState]
) -> None:
    trunk = await mutate(
        client,
        "createTrunk",
        "",
        {
            "backend": "era",
            "input": {
                "name": "carrier",
                "domain": "carrier.example.net",
                "host": "proxy.carrier.example.net",
                "port": 5070,
            },
        },
        "id nativeId domain host port",
    )
    stored = era.state.get("providers", trunk["nativeId"])
    assert (stored["domain"], stored["proxyaddr"], stored["proxyport"]) == (
        "carrier.example.net",
        "proxy.carrier.example.net",
        5070,
    )
    assert (trunk["domain"], trunk["host"], trunk["port"]) == ("carrier.example.net", "proxy.carrier.example.net", 5070)
    moved = await mutate(
        client, "updateTrunk", "", {"id": trunk["id"], "input": {"domain": "sip.example.org"}}, "domain host port"
    )
    assert moved == {"domain": "sip.example.org", "host": "proxy.carrier.example.net", "port": 5070}
    direct = await mutate(
        client, "updateTrunk", "", {"id": trunk["id"], "input": {"host": None, "port": None}}, "domain host port"
    )
    assert direct == {"domain": "sip.example.org", "host": None, "port": None}
    stored = era.state.get("providers", trunk["nativeId"])
    assert (stored["domain"], stored["proxyaddr"], stored["proxyport"]) == ("sip.example.org", "", 0)
    era.recorder.clear()
    portless = await client.execute(
        "mutation($id: ID!) { updateTrunk(id: $id, input: {port: 5080}) { id } }", {"id": trunk["id"]}
    )
    assert error_codes(portless) == ["BAD_USER_INPUT"] and portless["errors"][0]["extensions"]["field"] == "input.port"
    assert era.recorder.count("PATCH") == 0


async def test_group_and_queue_labels_are_display_names(client: GraphQLTestClient, era: Emulator[EraState]) -> None:
    queue = await mutate(
        client,
        "createQueue",
        "",
        {
            "backend": "era",
            "input": {"name": "night", "displayName": "Night line", "description": "After 8 pm", "extension": "408"},
        },
        "id nativeId name displayName description",
    )
    assert (queue["name"], queue["displayName"], queue["description"]) == ("night", "Night line", "After 8 pm")
    stored = era.state.get("hunts", queue["nativeId"])
    assert (stored["code"], stored["opts"]["title"], stored["opts"]["comment"]) == ("night", "Night line", "After 8 pm")
    relabelled = await mutate(
        client,
        "updateQueue",
        "",
        {"id": queue["id"], "input": {"displayName": "Nights"}},
        "name displayName description",
    )
    assert relabelled == {"name": "night", "displayName": "Nights", "description": "After 8 pm"}
    group = await mutate(
        client,
        "updateGroup",
        "",
        {"id": era_id(Kind.GROUP, RECEPTION), "input": {"displayName": "Front desk"}},
        "name displayName description",
    )
    assert group == {"name": "Front desk", "displayName": "Front desk", "description": GROUPS[0]["opts"]["comment"]}
    era.recorder.clear()
    apart = await client.execute(
        'mutation($id: ID!) { updateGroup(id: $id, input: {name: "front", displayName: "Front desk"}) { id } }',
        {"id": era_id(Kind.GROUP, RECEPTION)},
    )
    assert error_codes(apart) == ["NOT_SUPPORTED"] and apart["errors"][0]["extensions"]["field"] == "input.displayName"
    assert era.recorder.count("PATCH") == 0


@pytest.mark.parametrize(
    ("mutation", "variables", "code", "field"),
    [
        (
            'createUser(backend: "era", input: $i)',
            {"i": {"username": "m", "email": "m@example.com"}},
            "NOT_SUPPORTED",
            "input.email",
        ),
        (
            'createUser(backend: "era", input: $i)',
            {"i": {"username": "m", "enabled": False}},
            "NOT_SUPPORTED",
            "input.enabled",
        ),
        (
            'updateUser(id: "' + era_id(Kind.USER, ANNA) + '", input: $i)',
            {"i": {"enabled": False}},
            "NOT_SUPPORTED",
            "input.enabled",
        ),
        (
            'createDevice(backend: "era", input: $i)',
            {"i": {"mac": "00:04:f2:00:00:09", "name": "Desk", "userId": era_id(Kind.USER, ELENA)}},
            "NOT_SUPPORTED",
            "input.name",
        ),
        (
            'createDevice(backend: "era", input: $i)',
            {"i": {"mac": "00:04:f2:00:00:09"}},
            "BAD_USER_INPUT",
            "input.userId",
        ),
        (
            'createTrunk(backend: "era", input: $i)',
            {"i": {"name": "isdn", "host": "gw.example.net", "kind": "PRI"}},
            "NOT_SUPPORTED",
            "input.kind",
        ),
        (
            'createTrunk(backend: "era", input: $i)',
            {"i": {"name": "t", "domain": "x.example.net", "model": "m1"}},
            "NOT_SUPPORTED",
            "input.model",
        ),
        ('createGroup(backend: "era", input: $i)', {"i": {"name": "no number"}}, "BAD_USER_INPUT", "input.extension"),
        (
            'createQueue(backend: "era", input: $i)',
            {"i": {"name": "q", "strategy": "ROUND_ROBIN"}},
            "NOT_SUPPORTED",
            "input.strategy",
        ),
    ],
    ids=[
        "email",
        "disabled",
        "update-disabled",
        "phone-name",
        "phone-owner",
        "pri",
        "model",
        "group-number",
        "strategy",
    ],
)
async def test_what_era_cannot_store_is_refused_before_any_era_call(
    client: GraphQLTestClient, era: Emulator[EraState], mutation: str, variables: dict[str, Any], code: str, field: str
) -> None:
    input_type = mutation.split("(")[0]
    input_type = input_type[0].upper() + input_type[1:] + "Input"
    era.recorder.clear()
    body = await client.execute(f"mutation($i: {input_type}!) {{ {mutation} {{ id }} }}", variables)
    assert error_codes(body) == [code]
    error = body["errors"][0]
    assert error["extensions"]["backend"] == "era" and error["extensions"]["field"] == field
    assert "era" in error["message"]
    assert era.recorder.count() == 0


async def test_era_capabilities_say_what_it_stores(client: GraphQLTestClient) -> None:
    data = await client.data(
        "{ backends { name capabilities { kind createFields updateFields requiredFields "
        "strategies memberKinds memberPriority trunkKinds } } }"
    )
    era = {c["kind"]: c for b in data["backends"] if b["name"] == "era" for c in b["capabilities"]}
    assert "email" not in era["USER"]["createFields"] and "enabled" not in era["USER"]["updateFields"]
    assert "name" not in era["DEVICE"]["createFields"] and era["DEVICE"]["requiredFields"] == ["userId"]
    assert era["GROUP"]["requiredFields"] == ["extension"]
    assert set(era["GROUP"]["strategies"]) == {"SEQUENTIAL", "ALL", "RANDOM"}
    assert era["QUEUE"]["memberKinds"] == ["USER"] and era["QUEUE"]["memberPriority"] == "HIGHER_FIRST"
    assert era["TRUNK"]["trunkKinds"] == ["SIP"] and "model" not in era["TRUNK"]["createFields"]


async def test_renumbering_a_user_reports_the_groups_it_rewrote(
    client: GraphQLTestClient, era: Emulator[EraState]
) -> None:
    body = await client.execute(
        'mutation($id: ID!) { updateUser(id: $id, input: {extension: "301"}) '
        "{ extension groups { name members { number user { username } } } } }",
        {"id": era_id(Kind.USER, ANNA)},
    )
    assert "errors" not in body
    user = body["data"]["updateUser"]
    assert user["extension"] == "301"
    assert {"number": "301", "user": {"username": "anna.petrova"}} in user["groups"][0]["members"]
    effects = body["extensions"]["sideEffects"]
    assert sorted((e["backend"], e["kind"], e["id"], e["nativeId"], e["field"]) for e in effects) == sorted(
        [
            ("era", "GROUP", era_id(Kind.GROUP, RECEPTION), RECEPTION, "members"),
            ("era", "GROUP", era_id(Kind.GROUP, SUPPORT_DESK), SUPPORT_DESK, "members"),
        ]
    )
    assert all(e["message"].endswith("now rings 301 instead of 201") for e in effects)
    plain = await client.execute('{ users(backends: ["era"], first: 1) { totalCount } }')
    assert "extensions" not in plain  # nothing changed on the side, nothing said


async def test_deleting_a_user_takes_it_out_of_groups_and_queues_and_says_so(
    client: GraphQLTestClient, era: Emulator[EraState]
) -> None:
    era.faults.add(Fault(kind=FaultKind.STATUS, status=503, method="PATCH", path_prefix=f"{UC}/hunts/{SUPPORT}"))
    body = await client.execute(
        "mutation($id: ID!) { deleteUser(id: $id) { deletedId } }", {"id": era_id(Kind.USER, BORIS)}
    )
    assert error_codes(body) == ["BACKEND_ERROR"]
    message = body["errors"][0]["message"]
    assert message.startswith(f"user 'boris.ivanov' (id {BORIS}) was deleted, but 1 of 2 groups and queues")
    assert f"not changed: queue 'Customer support' (402, id {SUPPORT}) still lists user 'boris.ivanov'" in message
    assert f"changed: group 'Reception' (500, id {RECEPTION}) no longer rings 202" in message
    assert [(e["kind"], e["nativeId"]) for e in body["extensions"]["sideEffects"]] == [("GROUP", RECEPTION)]
    # Nothing is taken back, and what exists now is named once, each with its global id.
    extensions = body["errors"][0]["extensions"]
    assert extensions["undone"] is False and "before that, the backend accepted" not in message
    assert [(r["kind"], r["nativeId"], r["id"]) for r in extensions["remains"]] == [
        ("user", BORIS, era_id(Kind.USER, BORIS)),
        ("group", RECEPTION, era_id(Kind.GROUP, RECEPTION)),
        ("queue", SUPPORT, era_id(Kind.QUEUE, SUPPORT)),
    ]
    assert [r["state"] for r in extensions["remains"]] == [
        f"user 'boris.ivanov' (id {BORIS}) was deleted",
        f"group 'Reception' (500, id {RECEPTION}) no longer rings 202 (the number of deleted user 'boris.ivanov' "
        f"(id {BORIS}))",
        f"queue 'Customer support' (402, id {SUPPORT}) still lists user 'boris.ivanov' (id {BORIS}) "
        "(BACKEND_UNAVAILABLE)",
    ]
    era.faults.clear()
    data = await client.data(
        """query($g: ID!, $q: ID!) { g: node(id: $g) { ... on Group { members { number } } }
        q: node(id: $q) { ... on Queue { members { member { ... on User { username } } } } } }""",
        {"g": era_id(Kind.GROUP, RECEPTION), "q": era_id(Kind.QUEUE, SUPPORT)},
    )
    assert "202" not in [m["number"] for m in data["g"]["members"]]
    assert None in [m["member"] for m in data["q"]["members"]]  # the queue the error named as not changed


async def test_a_hunts_listing_that_repeats_an_id_gives_one_queue_node(
    client: GraphQLTestClient, era: Emulator[EraState]
) -> None:
    # As in Era's own hunts example: the second row names the first one's id, with another code and number.
    era.state.load_listing("hunts", [{"id": SUPPORT, "code": "hunt_5", "phonenumber": "499", "priority": 50}])
    data = await client.data("""{ queues(backends: ["era"], first: 50) { totalCount
        nodes { id name extension members { member { ... on User { username } } } } } }""")
    nodes = data["queues"]["nodes"]
    assert len(nodes) == len({n["id"] for n in nodes}) == data["queues"]["totalCount"] == len(HUNTS)
    support = next(n for n in nodes if n["id"] == era_id(Kind.QUEUE, SUPPORT))
    assert (support["name"], support["extension"]) == ("support", "402")
    assert [m["member"]["username"] for m in support["members"]] == ["anna.petrova", "boris.ivanov", "farid.haddad"]
