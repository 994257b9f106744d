"""Fan-out benchmark: does an aggregated listing cost one backend's latency, or the sum?

Runs the demo (the local store and the three vendor emulators over loopback
HTTP), injects the same latency into every vendor call, and times the same
listing against one vendor backend and against all of them, side by side in
one run. Concurrent fan-out keeps the ratio near 1; a sequential one would
make it near the number of backends. Also prints the vendor requests a nested
query costs, which the dataloaders keep per backend per level.

    python bench/fanout.py [--latency-ms 50] [--rounds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from pbxgraph.demo import DemoEnvironment
from pbxgraph.emulators.toolkit import Fault, FaultKind
from pbxgraph.testing.graphql import GraphQLTestClient

LIST = "query($b: [String!]) { users(first: 50, backends: $b) { totalCount edges { node { id } } } }"
NESTED = (
    "query($b: [String!]) { groups(first: 50, backends: $b) { edges { node { name members { member { ... on User { "
    "username devices { mac user { username } } } } } } } } }"
)


async def timed(client: GraphQLTestClient, query: str, backends: list[str], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        body = await client.execute(query, {"b": backends})
        samples.append(time.perf_counter() - started)
        assert not body.get("errors"), body["errors"]
    return statistics.median(samples) * 1000


async def main(latency_ms: float, rounds: int) -> None:
    demo = DemoEnvironment.start()
    emulators = {name: demo.emulators[name] for name in demo.servers}
    vendors = list(emulators)
    try:
        for emulator in emulators.values():
            emulator.faults.add(Fault(FaultKind.LATENCY, delay_s=latency_ms / 1000))
        async with GraphQLTestClient.running(demo.config) as client:
            await client.execute(LIST, {"b": vendors})  # warm up connections
            one = await timed(client, LIST, vendors[:1], rounds)
            every = await timed(client, LIST, vendors, rounds)
            print(f"users(first: 50), {latency_ms:g} ms injected per vendor call, median of {rounds}:")
            print(f"  one vendor backend   ({vendors[0]}): {one:8.1f} ms")
            print(f"  all {len(vendors)} vendor backends:        {every:8.1f} ms")
            print(f"  ratio all/one: {every / one:.2f} (sequential fan-out would be ~{len(vendors)})")

            for emulator in emulators.values():
                emulator.faults.clear()
                emulator.recorder.clear()
            await client.execute(NESTED, {"b": vendors})
            print("groups -> members -> user -> devices -> user, vendor HTTP requests per backend:")
            for name, emulator in emulators.items():
                print(f"  {name:14s} {emulator.recorder.count():3d}")
    finally:
        demo.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.latency_ms, args.rounds))
