"""Infinity's vendor call plans through GraphQL: the fewest requests, each level's at once.

Counted by the emulator's recorder, never timed.
"""

from __future__ import annotations

from pbxgraph.config import Config
from pbxgraph.emulators.infinity import InfinityState
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind
from pbxgraph.testing.graphql import GraphQLTestClient
from tests.infinity.conftest import backend_config

API = "/config/v2.1/sip/domains"
NESTED = """{ groups(backends: ["inf"]) { nodes { name members { user { username
    devices { mac user { username } } } } } } }"""


def shapes(emulator: Emulator[InfinityState]) -> list[str]:
    """Each request as its kind: the groups, one group's users, the devices of users."""
    found = []
    for r in emulator.recorder.requests:
        tail = r.path.removeprefix(API).split("/")[2:]  # after the domain id
        found.append("/".join("{id}" if part.isdigit() else part for part in tail))
    return sorted(found)


async def test_groups_members_user_devices_user_cost_eight_requests(
    emulator: Emulator[InfinityState], infinity_url: str
) -> None:
    async with GraphQLTestClient.running(Config(backends=(backend_config(infinity_url, "inf"),))) as client:
        emulator.recorder.clear()
        data = await client.data(NESTED)
    members = [m["user"] for g in data["groups"]["nodes"] for m in g["members"] if m["user"]]
    devices = [(u["username"], d) for u in members for d in u["devices"]]
    assert devices, "the seed's members have devices"
    assert all(d["user"] == {"username": owner} for owner, d in devices)  # from the device rows' userId
    groups = len(data["groups"]["nodes"])
    # The groups of each of the two domains, each group's users, the members' devices per domain;
    # the devices' users are the members already read: no request.
    assert shapes(emulator) == sorted(["groups"] * 2 + ["groups/{id}/users"] * groups + ["devices"] * 2)
    assert len(emulator.recorder.requests) == 8


async def test_the_calls_of_one_level_run_at_once(emulator: Emulator[InfinityState], infinity_url: str) -> None:
    async with GraphQLTestClient.running(Config(backends=(backend_config(infinity_url, "inf"),))) as client:
        emulator.faults.add(Fault(kind=FaultKind.LATENCY, delay_s=0.2))
        emulator.recorder.clear()
        await client.data(NESTED)
    member_reads = [r for r in emulator.recorder.requests if r.path.endswith("/users")]
    assert len(member_reads) == 4
    # Each group's users is a request of its own; all four were in flight together.
    assert max(r.in_flight + 1 for r in member_reads) == 4


PAGE = """query($after: String) { users(backends: ["inf"], first: 2, after: $after) {
    nodes { username } pageInfo { hasNextPage endCursor } } }"""


async def page_through(client: GraphQLTestClient) -> tuple[list[str], int]:
    """Every username of the listing, 2 at a time, and the pages it took."""
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = (await client.data(PAGE, {"after": after}))["users"]
        pages += 1
        seen += [n["username"] for n in data["nodes"]]
        if not data["pageInfo"]["hasNextPage"]:
            return seen, pages
        after = data["pageInfo"]["endCursor"]


async def test_paging_through_a_listing_reads_it_whole_once(
    emulator: Emulator[InfinityState], infinity_url: str
) -> None:
    async with GraphQLTestClient.running(Config(backends=(backend_config(infinity_url, "inf"),))) as client:
        emulator.recorder.clear()
        everyone = (await client.data('{ users(backends: ["inf"], first: 500) { nodes { username } } }'))["users"]
        whole = len(emulator.recorder.requests)
        emulator.recorder.clear()
        seen, _ = await page_through(client)
    assert sorted(seen) == sorted(n["username"] for n in everyone["nodes"]) and len(seen) > 4
    assert len(emulator.recorder.requests) == whole  # the first page read it; the others reused it


async def test_listing_snapshots_can_be_turned_off(emulator: Emulator[InfinityState], infinity_url: str) -> None:
    config = Config(backends=(backend_config(infinity_url, "inf", listing_snapshot_s=0),))
    async with GraphQLTestClient.running(config) as client:
        emulator.recorder.clear()
        await client.data(PAGE)
        whole = len(emulator.recorder.requests)
        emulator.recorder.clear()
        _, pages = await page_through(client)
    assert len(emulator.recorder.requests) == whole * pages  # every page read it afresh
