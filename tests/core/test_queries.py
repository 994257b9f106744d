"""Every query through the GraphQL surface, against two local stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbxgraph.config import Config
from pbxgraph.domain import Kind
from pbxgraph.ids import encode_id
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.core.conftest import local


async def test_backends_show_vendor_capabilities_and_health(client: GraphQLTestClient) -> None:
    data = await client.data(
        "{ backends { name vendor capabilities { kind operations } health { status latencyMs } } }"
    )
    assert [b["name"] for b in data["backends"]] == ["east", "west"]
    east = data["backends"][0]
    assert east["vendor"] == "local"
    assert east["health"]["status"] == "UP" and east["health"]["latencyMs"] >= 0
    kinds = {c["kind"]: c["operations"] for c in east["capabilities"]}
    assert set(kinds) == {"USER", "GROUP", "QUEUE", "TRUNK", "DEVICE"}
    assert "MEMBERS" in kinds["GROUP"] and "ASSIGN" in kinds["DEVICE"]
    assert "RESYNC" not in kinds["DEVICE"]


@pytest.mark.parametrize(
    ("field", "count"), [("users", 64), ("groups", 8), ("queues", 6), ("trunks", 6), ("devices", 48)]
)
async def test_every_list_aggregates_both_backends(client: GraphQLTestClient, field: str, count: int) -> None:
    data = await client.data(f"{{ {field}(first: 100) {{ totalCount nodes {{ id backend nativeId }} }} }}")
    nodes = data[field]["nodes"]
    assert data[field]["totalCount"] == count == len(nodes)
    assert {n["backend"] for n in nodes} == {"east", "west"}
    assert len({n["id"] for n in nodes}) == count


async def test_filters_push_down_by_extension_and_name(client: GraphQLTestClient) -> None:
    data = await client.data('{ users(filter: {extension: "205"}) { nodes { backend displayName } } }')
    assert data["users"]["nodes"] == [
        {"backend": "east", "displayName": "Sofia Romano"},
        {"backend": "west", "displayName": "Sofia Romano"},
    ]
    data = await client.data(
        '{ groups(filter: {search: "SUPP"}) { nodes { name } } '
        'queues(filter: {search: "sales"}) { nodes { name } } '
        'trunks(filter: {search: "backup"}) { nodes { name host } } }'
    )
    assert {g["name"] for g in data["groups"]["nodes"]} == {"Support"}
    assert {q["name"] for q in data["queues"]["nodes"]} == {"Sales Hotline"}
    assert data["trunks"]["nodes"][0] == {"name": "Carrier Backup", "host": "203.0.113.40"}


async def test_device_filter_accepts_any_mac_notation(client: GraphQLTestClient) -> None:
    data = await client.data(
        '{ devices(filter: {mac: "80-5E-C0-00-01-07"}, backends: ["west"]) { nodes { mac model user { username } } } }'
    )
    assert data["devices"]["nodes"] == [
        {"mac": "80:5e:c0:00:01:07", "model": "Poly VVX 450", "user": {"username": "obennett"}}
    ]
    body = await client.execute('{ devices(filter: {mac: "not-a-mac"}) { nodes { id } } }')
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "filter.mac"


async def test_node_and_nodes_fetch_every_kind_by_global_id(client: GraphQLTestClient) -> None:
    listing = await client.data(
        "{ users(first:1){nodes{id}} groups(first:1){nodes{id}} queues(first:1){nodes{id}}"
        " trunks(first:1){nodes{id}} devices(first:1){nodes{id}} }"
    )
    ids = [listing[k]["nodes"][0]["id"] for k in ("users", "groups", "queues", "trunks", "devices")]
    data = await client.data("query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", {"ids": ids})
    assert [n["__typename"] for n in data["nodes"]] == ["User", "Group", "Queue", "Trunk", "Device"]
    assert [n["id"] for n in data["nodes"]] == ids
    one = await client.data("query($id: ID!) { node(id: $id) { id ... on Group { name } } }", {"id": ids[1]})
    assert one["node"]["id"] == ids[1] and one["node"]["name"]


async def test_a_well_formed_id_of_nothing_is_null_without_error(client: GraphQLTestClient) -> None:
    missing = encode_id(Kind.USER, "east", "424242")
    body = await client.execute("query($id: ID!) { node(id: $id) { id } }", {"id": missing})
    assert body == {"data": {"node": None}}


async def test_relations_resolve_both_ways(client: GraphQLTestClient) -> None:
    data = await client.data(
        '{ users(filter: {extension: "207"}, backends: ["east"]) { nodes {'
        " username groups { name } devices { name mac user { username } } } } }"
    )
    (user,) = data["users"]["nodes"]
    assert user["groups"] == [{"name": "Support"}]
    assert user["devices"] == [{"name": "Desk 07", "mac": "80:5e:c0:00:06:2a", "user": {"username": "mpatel"}}]
    data = await client.data(
        '{ queues(filter: {extension: "702"}, backends: ["east"]) { nodes { strategy members {'
        " position priority member { __typename ... on User { username } ... on Group { name } } } } } }"
    )
    (queue,) = data["queues"]["nodes"]
    assert queue["strategy"] == "PRIORITY"
    assert [(m["position"], m["priority"], m["member"]["__typename"]) for m in queue["members"]] == [
        (0, 1, "User"),
        (1, 2, "User"),
        (2, 3, "Group"),
    ]


async def test_directory_finds_owners_across_backends_and_reveals_duplicates(client: GraphQLTestClient) -> None:
    query = (
        "query($n: String!) { directory(number: $n) { number duplicated entries { backend kind owner {"
        " __typename ... on User { username } ... on Group { name } ... on Queue { name } } } } }"
    )
    data = await client.data(query, {"n": "601"})
    assert data["directory"]["duplicated"] is True
    assert [(e["backend"], e["kind"], e["owner"]["name"]) for e in data["directory"]["entries"]] == [
        ("east", "GROUP", "Support"),
        ("west", "GROUP", "Support"),
    ]
    await client.data(
        'mutation { updateUser(id: "%s", input: {extension: "299"}) { id } }' % encode_id(Kind.USER, "west", "1")
    )
    data = await client.data(query, {"n": "299"})
    assert data["directory"]["duplicated"] is False
    assert [e["backend"] for e in data["directory"]["entries"]] == ["west"]
    data = await client.data(query, {"n": "999"})
    assert data["directory"] == {"number": "999", "duplicated": False, "entries": []}
    body = await client.execute(query, {"n": "12ab"})
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_raw_keeps_the_vendor_payload_without_secrets(client: GraphQLTestClient) -> None:
    data = await client.data("{ users(first: 64) { nodes { raw } } trunks(first: 10) { nodes { raw } } }")
    text = str(data)
    assert "demo-" not in text and "not-secret" not in text
    raw = data["users"]["nodes"][0]["raw"]
    assert raw["username"] and "sip_password" not in raw
    assert all("password" not in t["raw"] for t in data["trunks"]["nodes"])


async def test_the_demo_store_has_trunks_of_several_kinds_with_their_models(tmp_path: Path) -> None:
    config = Config(backends=(local("office", ":memory:"),))
    async with GraphQLTestClient.running(config) as client:
        data = await client.data("{ trunks { nodes { name kind model domain host } } }")
    by_name = {t["name"]: t for t in data["trunks"]["nodes"]}
    assert by_name["Legacy ISDN Gateway"] == {
        "name": "Legacy ISDN Gateway",
        "kind": "PRI",
        "model": "E1 gateway",
        "domain": None,
        "host": "10.20.0.5",
    }
    assert by_name["Carrier Primary"]["kind"] == "SIP" and by_name["Carrier Primary"]["model"] is None
