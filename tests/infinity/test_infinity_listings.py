"""Listings from Infinity servers that answer otherwise than the emulator's own guesses.

The document is silent on filter operators beyond ``eq`` and promises no
listing is free of repeats. The emulator's test-only quirks make it refuse
an operator or repeat every row; the connector must still give the right
records, each once, and say nothing wrong.
"""

from __future__ import annotations

import pytest

from pbxgraph.config import Config
from pbxgraph.connectors.infinity import InfinityConnector
from pbxgraph.domain import Filter, GroupCreate, ListQuery, UserCreate
from pbxgraph.emulators.infinity import InfinityState, Quirks
from pbxgraph.emulators.toolkit import Emulator
from pbxgraph.testing.graphql import GraphQLTestClient
from tests.infinity.conftest import backend_config

API = "/config/v2.1/sip/domains"


def filters_sent(emulator: Emulator[InfinityState]) -> list[list[str]]:
    return [[v for k, v in r.params if k == "filter[]"] for r in emulator.recorder.requests]


# --- repeated rows -------------------------------------------------------------------------


async def test_a_listing_that_repeats_rows_gives_each_record_once(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    emulator.state.quirks = Quirks(repeated_rows=True)
    users = (await infinity.users.page(ListQuery(limit=100))).items
    assert len(users) == 14 and len({u.id for u in users}) == 14
    queues = await infinity.queues.page(ListQuery(limit=100))
    assert queues.total == 4 and sorted(q.name for q in queues.items) == [
        "leeds-queue",
        "out-of-hours",
        "sales-queue",
        "support-queue",
    ]
    devices = (await infinity.devices.page(ListQuery(filter=Filter(mac="00:15:65:a1:00:03")))).items
    assert [d.name for d in devices] == ["Amir desk phone"]
    assert [u.username if u else None for u in await infinity.users.get_many(["1-1", "1-3", "1-1"])] == [
        "joe.bloggs",
        "amir.khan",
        "joe.bloggs",
    ]

    (members,) = await infinity.groups.members_of(["1-1"])
    assert [(m.position, m.user.username if m.user else None) for m in members] == [
        (0, "joe.bloggs"),
        (1, "jane.doe"),
        (2, "amir.khan"),
    ]
    (groups,) = await infinity.users.groups_of(["1-4"])
    assert [g.name for g in groups] == ["support"]
    (devices_of,) = await infinity.users.devices_of(["1-1"])
    assert [d.name for d in devices_of] == ["Joe desk phone"]
    (queue_members,) = await infinity.queues.members_of(["1-1"])
    assert [(m.position, m.group.name if m.group else None) for m in queue_members] == [(0, "sales"), (1, "support")]

    # A create finds its one new record although the listing names it twice.
    user = await infinity.users.create(
        UserCreate(username="twice.listed", extension="2990", sip_password="Twice-Listed-1")
    )
    assert user.username == "twice.listed"
    group = await infinity.groups.create(GroupCreate(name="echo", extension="4990", member_user_ids=["1-2"]))
    assert [m.user.username for m in (await infinity.groups.members_of([group.id]))[0] if m.user] == ["jane.doe"]


async def test_graphql_lists_each_repeated_record_once(emulator: Emulator[InfinityState], infinity_url: str) -> None:
    emulator.state.quirks = Quirks(repeated_rows=True)
    async with GraphQLTestClient.running(Config(backends=(backend_config(infinity_url, "inf"),))) as client:
        data = await client.data(
            "{ queues(first: 50) { totalCount nodes { id name members { member { ... on Group { name } } } } } }"
        )
    nodes = data["queues"]["nodes"]
    assert data["queues"]["totalCount"] == 4 == len(nodes) == len({n["id"] for n in nodes})
    sales = next(n for n in nodes if n["name"] == "sales-queue")
    assert [m["member"]["name"] for m in sales["members"]] == ["sales", "support"]


# --- refused filter operators ----------------------------------------------------------------


async def test_a_refused_like_is_filtered_in_pbxgraph(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    emulator.state.quirks = Quirks(refused_operators=frozenset({"like"}))
    page = await infinity.users.page(ListQuery(filter=Filter(search="KHAN")))
    assert [u.username for u in page.items] == ["amir.khan"] and page.total == 1
    # Per domain: the two searches were refused, then asked again without the operator.
    assert sorted(map(tuple, filters_sent(emulator))) == sorted(
        [("displayName-like-value-%KHAN%",), ("user-like-value-%KHAN%",), (), ()] * 2
    )
    assert infinity.users is not None and infinity.users.client.refused_operators == {"like"}

    emulator.recorder.clear()
    page = await infinity.users.page(ListQuery(filter=Filter(search="o", extension="2001")))
    assert [u.username for u in page.items] == ["joe.bloggs"]
    # Known now: one request per domain, keeping only the eq filter.
    assert filters_sent(emulator) == [["extensionNumber-eq-value-2001"]] * 2

    emulator.recorder.clear()
    devices = (await infinity.devices.page(ListQuery(filter=Filter(mac="00-15-65-b2-00-01")))).items
    assert [d.name for d in devices] == ["Tom desk phone"]
    assert filters_sent(emulator) == [[], []]


async def test_refused_range_operators_still_read_the_right_records(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    emulator.state.quirks = Quirks(refused_operators=frozenset({"gt", "lt"}))
    users = await infinity.users.get_many(["1-5", "1-2", "1-9", "2-12", "1-99"])
    assert [u.username if u else None for u in users] == ["sofia.rossi", "jane.doe", "priya.patel", "nina.berg", None]
    refused, retried = emulator.recorder.matching("GET", f"{API}/1/users")
    assert [v for k, v in refused.params if k == "filter[]"] == ["userId-gt-value-1", "userId-lt-value-100"]
    assert [v for k, v in retried.params if k == "filter[]"] == []
    # One id alone is asked with eq, which every server takes.
    (alone,) = emulator.recorder.matching("GET", f"{API}/2/users")
    assert [v for k, v in alone.params if k == "filter[]"] == ["userId-eq-value-12"]

    emulator.recorder.clear()
    devices = await infinity.users.devices_of(["1-1", "1-2", "1-10", "1-4"])
    assert [[d.name for d in ds] for ds in devices] == [
        ["Joe desk phone"],
        ["Jane desk phone"],
        ["Reception console"],
        [],
    ]
    assert emulator.recorder.count("GET") == 1 and filters_sent(emulator) == [[]]


@pytest.mark.parametrize("refused", [frozenset({"like"}), frozenset({"gt", "lt", "like"})])
async def test_graphql_answers_the_same_whatever_operators_the_server_takes(
    emulator: Emulator[InfinityState], infinity_url: str, refused: frozenset[str]
) -> None:
    query = (
        '{ users(filter: {search: "osei"}) { nodes { username } } '
        'groups(filter: {search: "LEEDS"}) { nodes { name members { user { username } } } } '
        'devices(filter: {mac: "0015.65b2.0001"}) { nodes { name user { username } } } '
        "queues(first: 10) { nodes { name members { member { ... on Group { name } } } } } }"
    )
    config = Config(backends=(backend_config(infinity_url, "inf"),))
    async with GraphQLTestClient.running(config) as client:
        expected = await client.data(query)
    emulator.state.quirks = Quirks(refused_operators=refused)
    async with GraphQLTestClient.running(config) as client:
        assert await client.data(query) == expected
        assert await client.data(query) == expected
    assert expected["users"]["nodes"] == [{"username": "david.osei"}]
    assert expected["devices"]["nodes"] == [{"name": "Tom desk phone", "user": {"username": "tom.harris"}}]
