"""Batching: one connector call per backend per level, and nothing shared between requests."""

from __future__ import annotations

from pbxgraph.domain import UserUpdate
from tests.core.conftest import Env

NESTED = """
{
  groups(first: 50) {
    edges { node { name members { user { username devices { mac user { username } } } } } }
  }
}
"""


async def test_groups_members_devices_user_make_one_call_per_backend_per_level(env: Env) -> None:
    data = await env.client.data(NESTED)
    groups = [e["node"] for e in data["groups"]["edges"]]
    assert len(groups) == 8
    owners = [d["user"]["username"] for g in groups for m in g["members"] for d in m["user"]["devices"]]
    assert len(owners) == 2 * 20  # every demo device with an owner is reached, on both backends
    for name, spy in env.spies.items():
        assert dict(spy.calls) == {
            "group.page": 1,
            "group.members_of": 1,
            "user.devices_of": 1,
            "device.users_of": 1,
        }, name


async def test_queue_members_and_their_relations_are_batched(env: Env) -> None:
    query = """{ queues { edges { node { name members { priority member {
        __typename ... on User { username groups { name } } ... on Group { name members { position } } } } } } } }"""
    data = await env.client.data(query)
    assert len(data["queues"]["edges"]) == 6
    for spy in env.spies.values():
        assert dict(spy.calls) == {
            "queue.page": 1,
            "queue.members_of": 1,
            "user.groups_of": 1,
            "group.members_of": 1,
        }


async def test_node_lookups_in_one_request_share_one_batched_call(env: Env) -> None:
    ids = [
        e["node"]["id"]
        for e in (await env.client.data("{ users(first: 64) { edges { node { id } } } }"))["users"]["edges"]
    ]
    env.reset_calls()
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { username } } }"
    data = await env.client.data(query, {"ids": ids[:10] + ids[:3]})
    assert [n["id"] for n in data["nodes"]] == ids[:10] + ids[:3]
    for spy in env.spies.values():
        assert dict(spy.calls) == {"user.get_many": 1}
        ((_, (keys,)),) = spy.log
        assert len(keys) == len(set(keys)), "the loader de-duplicates keys"


async def test_a_request_never_reads_the_previous_requests_loader_cache(env: Env) -> None:
    first = await env.client.data("{ users(first: 1) { edges { node { id nativeId backend } } } }")
    node = first["users"]["edges"][0]["node"]
    query = "query($id: ID!) { node(id: $id) { ... on User { displayName } } }"
    before = await env.client.data(query, {"id": node["id"]})
    # Change the user behind the API's back, straight in the store.
    await env.spies[node["backend"]].inner.users.update(node["nativeId"], UserUpdate(display_name="Changed Behind"))
    env.reset_calls()
    after = await env.client.data(query, {"id": node["id"]})
    assert before["node"]["displayName"] != "Changed Behind"
    assert after["node"]["displayName"] == "Changed Behind"
    assert env.spies[node["backend"]].calls["user.get_many"] == 1
