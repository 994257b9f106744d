"""Era provider accounts and SIP users changed through GraphQL: each field lands where Era keeps it,
a change that asks for nothing asks Era nothing, and what Era cannot hold is refused before any write."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from pbxgraph.domain import Kind
from pbxgraph.emulators.era.state import EraState
from pbxgraph.emulators.toolkit import Emulator, LoopbackServer
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.era.test_era_graphql import ANNA, BORIS, app_config, era_id, mutate

pytestmark = pytest.mark.asyncio(loop_scope="module")

TRUNK_FIELDS = "id nativeId name domain host port transport username enabled register"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def shared(era_server: LoopbackServer) -> AsyncIterator[GraphQLTestClient]:
    async with GraphQLTestClient.running(app_config(era_server.url)) as client:
        yield client


@pytest.fixture
def client(shared: GraphQLTestClient, era: Emulator[EraState]) -> GraphQLTestClient:
    return shared


async def new_trunk(client: GraphQLTestClient) -> dict:
    return await mutate(
        client,
        "createTrunk",
        "",
        {
            "backend": "era",
            "input": {
                "name": "carrier",
                "domain": "carrier.example.net",
                "host": "proxy.example.net",
                "port": 5070,
                "transport": "UDP",
                "username": "acct",
                "password": "Trunk-Pw-1",
                "register": True,
            },
        },
        TRUNK_FIELDS,
    )


async def test_every_trunk_field_is_written_where_era_keeps_it(
    client: GraphQLTestClient, era: Emulator[EraState]
) -> None:
    trunk = await new_trunk(client)
    era.recorder.clear()
    changed = await mutate(
        client,
        "updateTrunk",
        "",
        {
            "id": trunk["id"],
            "input": {
                "name": "carrier-2",
                "transport": "TLS",
                "username": None,
                "password": "Trunk-Pw-2",
                "enabled": False,
                "register": False,
                "port": 5071,
            },
        },
        TRUNK_FIELDS,
    )
    assert changed == {
        **trunk,
        "name": "carrier-2",
        "transport": "TLS",
        "username": None,
        "enabled": False,
        "register": False,
        "port": 5071,
    }
    stored = era.state.get("providers", trunk["nativeId"])
    assert (
        stored["code"],
        stored["transport"],
        stored["login"],
        stored["pwd"],
        stored["enabled"],
        stored["reg"],
        stored["proxyport"],
        stored["proxyaddr"],
    ) == ("carrier-2", "tls", "", "Trunk-Pw-2", 0, 0, 5071, "proxy.example.net")
    assert era.recorder.count("PATCH") == 1
    era.recorder.clear()
    back = await mutate(
        client, "updateTrunk", "", {"id": trunk["id"], "input": {"enabled": True, "password": None}}, "enabled"
    )
    assert back == {"enabled": True}
    assert era.state.get("providers", trunk["nativeId"])["pwd"] == ""
    assert era.recorder.count("PATCH") == 1


async def test_a_change_of_nothing_is_refused_without_asking_era(
    client: GraphQLTestClient, era: Emulator[EraState]
) -> None:
    trunk = await new_trunk(client)
    era.recorder.clear()
    for mutation, id in (("updateTrunk", trunk["id"]), ("updateUser", era_id(Kind.USER, ANNA))):
        body = await client.execute(f"mutation($id: ID!) {{ {mutation}(id: $id, input: {{}}) {{ id }} }}", {"id": id})
        assert error_codes(body) == ["BAD_USER_INPUT"]
        assert body["errors"][0]["extensions"]["field"] == "input"
        assert body["errors"][0]["message"] == "input: give at least one field to change"
    assert era.recorder.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"register": None}, "input.register"),
        ({"transport": None}, "input.transport"),
        ({"name": "  "}, "input.name"),
        ({"host": "proxy..example.net"}, "input.host"),
        ({"port": 70000}, "input.port"),
    ],
)
async def test_a_trunk_change_era_cannot_hold_is_refused_before_any_write(
    client: GraphQLTestClient, era: Emulator[EraState], change: dict, field: str
) -> None:
    trunk = await new_trunk(client)
    before = era.state.get("providers", trunk["nativeId"])
    era.recorder.clear()
    body = await client.execute(
        "mutation($id: ID!, $i: UpdateTrunkInput!) { updateTrunk(id: $id, input: $i) { id } }",
        {"id": trunk["id"], "i": change},
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == field
    assert era.recorder.count("PATCH") == 0
    assert era.state.get("providers", trunk["nativeId"]) == before


async def test_trunks_listed_by_extension_or_mac_are_none_without_asking_era(
    client: GraphQLTestClient, era: Emulator[EraState]
) -> None:
    era.recorder.clear()
    data = await client.data('{ trunks(backends: ["era"], filter: {extension: "201"}) { totalCount nodes { id } } }')
    assert data["trunks"] == {"totalCount": 0, "nodes": []}
    data = await client.data(
        '{ users(backends: ["era"], first: 5) { totalCount } '
        ' devices(backends: ["era"], filter: {mac: "00:00:00:00:00:01"}) { totalCount } }'
    )
    assert data["devices"]["totalCount"] == 0
    assert era.recorder.count("GET", "/rest/v1/uc/providers") == 0


async def test_a_user_renamed_keeps_the_rest(client: GraphQLTestClient, era: Emulator[EraState]) -> None:
    before = era.state.get("sipusers", ANNA)
    era.recorder.clear()
    renamed = await mutate(
        client,
        "updateUser",
        "",
        {"id": era_id(Kind.USER, ANNA), "input": {"username": "anna.p"}},
        "username displayName extension",
    )
    assert renamed == {"username": "anna.p", "displayName": before["name"], "extension": before["phonenumber"]}
    after = era.state.get("sipusers", ANNA)
    assert {k: v for k, v in after.items() if k != "ext"} == {  # "ext" holds Era's own write times
        **{k: v for k, v in before.items() if k != "ext"},
        "login": "anna.p",
    }
    assert era.recorder.count("PATCH") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sipPassword": None}, "input.sipPassword"),
        ({"sipPassword": ""}, "input.sipPassword"),
        ({"username": "-anna"}, "input.username"),
    ],
)
async def test_a_user_change_era_cannot_hold_is_refused_before_any_write(
    client: GraphQLTestClient, era: Emulator[EraState], change: dict, field: str
) -> None:
    before = era.state.get("sipusers", BORIS)
    era.recorder.clear()
    body = await client.execute(
        "mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }",
        {"id": era_id(Kind.USER, BORIS), "i": change},
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == field
    assert era.recorder.count("PATCH") == 0 and era.state.get("sipusers", BORIS) == before


async def test_a_user_without_an_extension_is_in_no_group(client: GraphQLTestClient, era: Emulator[EraState]) -> None:
    user = await mutate(
        client,
        "createUser",
        "",
        {"backend": "era", "input": {"username": "no.number", "sipPassword": "Sip-Pw-77"}},
        "id extension",
    )
    assert user["extension"] is None
    era.recorder.clear()
    data = await client.data("query($id: ID!) { node(id: $id) { ... on User { groups { id } } } }", {"id": user["id"]})
    assert data["node"]["groups"] == []
    assert era.recorder.count("GET", "/rest/v1/uc/sipgroups") == 0
