"""Vendor call plans: how many vendor requests a nested query costs, and how long it takes.

Runs the demo's vendor emulators over loopback HTTP and asks each vendor
backend alone for

* ``groups -> members -> user -> devices -> user``: the vendor requests it
  makes (counted by the emulator's recorder), and its latency with a delay
  injected into every vendor call (median of a few rounds), beside the
  critical path (levels x delay) the target is measured against;
* a users listing paged through 100 at a time (Era): the requests of all the
  pages beside those of one whole read.

It prints figures, it asserts nothing. The same script runs against an older
checkout to give the "before" column::

    python bench/vendor_plans.py [--latency-ms 50] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from pbxgraph.demo import DemoEnvironment
from pbxgraph.emulators.toolkit import Fault, FaultKind
from pbxgraph.testing.graphql import GraphQLTestClient

NESTED = (
    "query($b: [String!]) { groups(first: 50, backends: $b) { edges { node { name members { user { "
    "username devices { mac user { username } } } } } } } }"
)
#: groups, members, devices, device user: the levels that each need a vendor answer.
LEVELS = 4
PAGE = (
    "query($b: [String!], $after: String) { users(first: 100, backends: $b, after: $after) "
    "{ edges { node { id } } pageInfo { hasNextPage endCursor } } }"
)
PAGED_USERS = 10_000


async def nested_requests(client: GraphQLTestClient, name: str, emulator: Any) -> int:
    emulator.recorder.clear()
    body = await client.execute(NESTED, {"b": [name]})
    assert not body.get("errors"), body["errors"]
    return int(emulator.recorder.count())


async def nested_latency(client: GraphQLTestClient, name: str, emulator: Any, delay_ms: float, rounds: int) -> float:
    emulator.faults.add(Fault(FaultKind.LATENCY, delay_s=delay_ms / 1000))
    samples = []
    try:
        for _ in range(rounds):
            started = time.perf_counter()
            body = await client.execute(NESTED, {"b": [name]})
            samples.append(time.perf_counter() - started)
            assert not body.get("errors"), body["errors"]
    finally:
        emulator.faults.clear()
    return statistics.median(samples) * 1000


async def paging(client: GraphQLTestClient, name: str, emulator: Any) -> tuple[int, int, int]:
    """Vendor requests of paging through every user 100 at a time, of the first page alone, and the pages.

    The first page reads the whole listing (Era answers no totals and no
    order of ours), so its requests are those of one whole read.
    """
    emulator.recorder.clear()
    after = None
    pages = 0
    first = 0
    while True:
        body = await client.execute(PAGE, {"b": [name], "after": after})
        assert not body.get("errors"), body["errors"]
        pages += 1
        if pages == 1:
            first = int(emulator.recorder.count())
        info = body["data"]["users"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    return int(emulator.recorder.count()), first, pages


def add_era_users(emulator: Any, count: int) -> None:
    """Fill the Era emulator up to ``count`` SIP users, straight into its state (its checks are O(n) per user)."""
    state = emulator.state
    with state.locked():
        users = state.collections["sipusers"]
        template = dict(next(iter(users.values())))
        for n in range(len(users), count):
            user_id = f"bench{n:05d}-016c-0000-0000-50e54938780c"
            users[user_id] = {
                **template,
                "id": user_id,
                "login": f"bench{n:05d}",
                "name": f"Bench User {n:05d}",
                "phonenumber": f"7{n:05d}",
                "opts": {"title": "", "comment": "", "ap_mac_address": "", "ap_device_model": ""},
            }
            state.registrations[user_id] = "offline"


async def main(delay_ms: float, rounds: int) -> None:
    demo = DemoEnvironment.start()
    try:
        async with GraphQLTestClient.running(demo.config) as client:
            print(f"groups -> members -> user -> devices -> user, one vendor backend at a time ({LEVELS} levels)")
            print(
                f"{'backend':14s} {'requests':>8s} {'p50 ms @' + format(delay_ms, 'g') + ' ms':>14s} {'target ms':>10s}"
            )
            target = 1.1 * LEVELS * delay_ms + 10
            for name, emulator in demo.emulators.items():
                await client.execute(NESTED, {"b": [name]})  # warm the connections up
                requests = await nested_requests(client, name, emulator)
                latency = await nested_latency(client, name, emulator, delay_ms, rounds)
                print(f"{name:14s} {requests:8d} {latency:14.1f} {target:10.1f}")
            era = next((n for n in demo.emulators if n.startswith("era")), None)
            if era is not None:
                add_era_users(demo.emulators[era], PAGED_USERS)
                paged, whole, pages = await paging(client, era, demo.emulators[era])
                print(
                    f"{era}: paging {PAGED_USERS} users 100 at a time ({pages} pages): {paged} requests; "
                    f"the first page (one whole read): {whole} requests; ratio {paged / max(whole, 1):.1f}"
                )
    finally:
        demo.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.latency_ms, args.rounds))
