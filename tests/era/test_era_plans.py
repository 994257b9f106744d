"""Era's vendor call plans through GraphQL: the fewest requests a query needs, at once where they can be.

Counted by the emulator's recorder, never timed: a nested query makes the
minimal plan, registrations and whole reads are made only when a selected
field needs them, calls of one level overlap (and never beyond the
backend's concurrency cap), and paging through a listing reads it whole
once, not once per page.
"""

from __future__ import annotations

from typing import Any

import pytest

from pbxgraph.config import BackendConfig, Config, ConfigError
from pbxgraph.connectors.registry import build_connector
from pbxgraph.emulators.era.seed import GROUPS, USERS
from pbxgraph.emulators.era.state import EraState
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind, LoopbackServer
from pbxgraph.testing.graphql import GraphQLTestClient
from tests.era.conftest import era_config

UC = "/rest/v1/uc"
NESTED = """{ groups(backends: ["era"]) { nodes { name members { user { username
    devices { mac user { username } } } } } } }"""


def calls(era: Emulator[EraState]) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in era.recorder.requests]


async def run(url: str, query: str, variables: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    async with GraphQLTestClient.running(Config(backends=(era_config(url, **options),))) as client:
        return await client.data(query, variables)


async def test_groups_members_user_devices_user_cost_two_requests(
    era: Emulator[EraState], era_server: LoopbackServer
) -> None:
    data = await run(era_server.url, NESTED)
    groups = data["groups"]["nodes"]
    assert len(groups) == len(GROUPS)
    phones = [
        (m["user"]["username"], d) for g in groups for m in g["members"] if m["user"] for d in m["user"]["devices"]
    ]
    assert phones, "the seed's members have phones"
    assert all(device["user"] == {"username": owner} for owner, device in phones)
    assert calls(era) == [
        ("GET", f"{UC}/sipgroups"),  # the groups: their list view holds the dial plans
        ("GET", f"{UC}/sipusers"),  # the dialled numbers' users: their rows hold their phones
    ]


async def test_registration_is_read_only_when_a_selected_field_shows_it(
    era: Emulator[EraState], era_server: LoopbackServer
) -> None:
    async with GraphQLTestClient.running(Config(backends=(era_config(era_server.url),))) as client:
        await client.data('{ users(backends: ["era"]) { nodes { username devices { mac } } } }')
        assert era.recorder.count("GET", f"{UC}/sipuser_states") == 0
        assert era.recorder.count() == 1  # the users; their rows hold their phones
        era.recorder.clear()
        data = await client.data('{ users(backends: ["era"]) { nodes { username registration } } }')
        assert {u["registration"] for u in data["users"]["nodes"]} == {"ONLINE", "OFFLINE"}
        assert era.recorder.count("GET", f"{UC}/sipuser_states") == 1
        era.recorder.clear()
        data = await client.data('{ devices(backends: ["era"]) { nodes { mac registration { status } } } }')
        assert all(d["registration"] is not None for d in data["devices"]["nodes"])
        assert era.recorder.count("GET", f"{UC}/sipuser_states") == 1


async def test_a_mutation_answers_whole_records(era: Emulator[EraState], era_server: LoopbackServer) -> None:
    query = """mutation { createUser(backend: "era", input: {username: "kim.lee", extension: "290",
        sipPassword: "Sip-Secret-77"}) { username } }"""
    await run(era_server.url, query)
    assert era.recorder.count("GET", f"{UC}/sipuser_states") == 1  # a mutation reads its answer whole


async def test_the_details_of_a_page_are_read_concurrently_under_the_cap(
    era: Emulator[EraState], era_server: LoopbackServer
) -> None:
    era.faults.add(Fault(kind=FaultKind.LATENCY, path_prefix=f"{UC}/sipgroups/", delay_s=0.2))
    query = '{ groups(backends: ["era"]) { nodes { description } } }'
    await run(era_server.url, query)
    assert era.recorder.count("GET", f"{UC}/sipgroups/") == len(GROUPS)
    assert era.recorder.most_in_flight("GET", f"{UC}/sipgroups/") == len(GROUPS)  # one level, all at once
    era.recorder.clear()
    await run(era_server.url, query, max_concurrency=1)
    assert era.recorder.most_in_flight() == 1  # never beyond the backend's cap


# --- paging ---------------------------------------------------------------------------------------

PAGE = """query($after: String) { users(backends: ["era"], first: 2, after: $after) {
    nodes { username devices { mac } } pageInfo { hasNextPage endCursor } } }"""


async def page_through(client: GraphQLTestClient) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        data = (await client.data(PAGE, {"after": after}))["users"]
        seen += [n["username"] for n in data["nodes"]]
        if not data["pageInfo"]["hasNextPage"]:
            return seen
        after = data["pageInfo"]["endCursor"]


async def test_paging_through_a_listing_reads_it_whole_once(
    era: Emulator[EraState], era_server: LoopbackServer
) -> None:
    # 10 users, 3 per request: one whole read is 4 requests; 5 pages of 2 would be 20 read afresh each time.
    # Each page's phones come from its users' rows, kept or read: no request of their own.
    async with GraphQLTestClient.running(Config(backends=(era_config(era_server.url, page_size=3),))) as client:
        await client.data('{ users(backends: ["era"], first: 500) { nodes { username } } }')
        whole = era.recorder.count()
        assert whole == 4
        era.recorder.clear()
        seen = await page_through(client)
    assert sorted(seen) == sorted(u[2] for u in USERS)
    assert era.recorder.count() == whole


async def test_a_write_through_pbxgraph_drops_the_kept_listing(
    era: Emulator[EraState], era_server: LoopbackServer
) -> None:
    async with GraphQLTestClient.running(Config(backends=(era_config(era_server.url, page_size=3),))) as client:
        first = (await client.data(PAGE))["users"]
        era.recorder.clear()
        await client.data(
            'mutation { createUser(backend: "era", input: {username: "zz.last", sipPassword: "Sip-Pw-77"}) { id } }'
        )
        era.recorder.clear()
        rest = await client.data(PAGE.replace("first: 2", "first: 50"), {"after": first["pageInfo"]["endCursor"]})
    assert era.recorder.count("GET", f"{UC}/sipusers") == 4  # read afresh: 11 users, 3 at a time
    assert rest["users"]["nodes"][-1] == {"username": "zz.last", "devices": []}


async def test_listing_snapshots_can_be_turned_off(era: Emulator[EraState], era_server: LoopbackServer) -> None:
    async with GraphQLTestClient.running(
        Config(backends=(era_config(era_server.url, page_size=3, listing_snapshot_s=0),))
    ) as client:
        await page_through(client)
    assert era.recorder.count() == 5 * 4  # every page reads the whole listing


@pytest.mark.parametrize("value", [-1, 3601, "soon"])
def test_a_bad_snapshot_lifetime_is_a_configuration_error(value: Any) -> None:
    options = {"url": "https://era.example", "token": "t", "listing_snapshot_s": value}
    with pytest.raises(ConfigError, match="listing_snapshot_s"):
        build_connector(BackendConfig(name="hq", vendor="era", options=options))
