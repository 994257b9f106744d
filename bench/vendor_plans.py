"""Vendor call plans: how many vendor requests a nested query costs, and how long it takes.

Runs the demo's vendor emulators over loopback HTTP and asks each vendor
backend alone for

* ``groups -> members -> user -> devices -> user``: the vendor requests it
  makes (counted by the emulator's recorder), and its latency with a delay
  injected into every vendor call (median of a few rounds), beside the
  critical path (levels x delay) the target is measured against;
* a users listing paged through 100 at a time (Era): the requests of all the
  pages beside those of one whole read.

It prints figures, it asserts nothing. ``--before CHECKOUT`` measures another
checkout of pbxgraph too (say, a ``git worktree`` of an older commit, with
its own ``.venv`` or this one's), one after the other, and prints both::

    python bench/vendor_plans.py [--latency-ms 50] [--rounds 5] [--users 10000] [--before ../old]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
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


async def measure(delay_ms: float, rounds: int, users: int) -> dict[str, Any]:
    """Every figure of this checkout: per vendor backend, then the Era paging."""
    found: dict[str, Any] = {"nested": {}, "paging": None}
    demo = DemoEnvironment.start()
    try:
        async with GraphQLTestClient.running(demo.config) as client:
            for name, emulator in demo.emulators.items():
                await client.execute(NESTED, {"b": [name]})  # warm the connections up
                requests = await nested_requests(client, name, emulator)
                latency = await nested_latency(client, name, emulator, delay_ms, rounds)
                found["nested"][name] = {"requests": requests, "p50_ms": round(latency, 1)}
            era = next((n for n in demo.emulators if n.startswith("era")), None)
            if era is not None and users:
                add_era_users(demo.emulators[era], users)
                paged, whole, pages = await paging(client, era, demo.emulators[era])
                found["paging"] = {"backend": era, "users": users, "pages": pages, "requests": paged, "whole": whole}
    finally:
        demo.stop()
    return found


def before_figures(checkout: str, argv: list[str]) -> dict[str, Any]:
    """The same figures from another checkout of pbxgraph (its own venv if it has one), as JSON."""
    root = Path(checkout).resolve()
    python = root / ".venv" / "bin" / "python"
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    command = [str(python if python.exists() else sys.executable), str(Path(__file__).resolve()), *argv, "--json"]
    done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True, check=True)  # noqa: S603 - this script
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def report(delay_ms: float, after: dict[str, Any], before: dict[str, Any] | None) -> None:
    target = 1.1 * LEVELS * delay_ms + 10
    print(f"groups -> members -> user -> devices -> user, one vendor backend at a time ({LEVELS} levels)")
    print(
        f"latency: median with {delay_ms:g} ms per vendor call; target 1.1 x {LEVELS} x {delay_ms:g} + 10 = {target:g} ms"
    )
    head = f"{'backend':14s} {'requests':>8s} {'p50 ms':>8s}"
    print(head + (f" {'before: requests':>16s} {'p50 ms':>8s}" if before else ""))
    for name, now in after["nested"].items():
        line = f"{name:14s} {now['requests']:8d} {now['p50_ms']:8.1f}"
        if before and name in before["nested"]:
            old = before["nested"][name]
            line += f" {old['requests']:16d} {old['p50_ms']:8.1f}"
        print(line)
    for label, figures in (("after", after), ("before", before)):
        paged = figures and figures["paging"]
        if paged:
            print(
                f"{label:6s} {paged['backend']}: paging {paged['users']} users 100 at a time ({paged['pages']} pages): "
                f"{paged['requests']} vendor requests; the first page (one whole read) {paged['whole']}; "
                f"ratio {paged['requests'] / max(paged['whole'], 1):.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--users", type=int, default=PAGED_USERS, help="Era users to page through (0: skip)")
    parser.add_argument("--before", metavar="CHECKOUT", help="also measure this other checkout, side by side")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    argv = ["--latency-ms", str(args.latency_ms), "--rounds", str(args.rounds), "--users", str(args.users)]
    before = before_figures(args.before, argv) if args.before else None
    after = asyncio.run(measure(args.latency_ms, args.rounds, args.users))
    if args.json:
        print(json.dumps(after))
    else:
        report(args.latency_ms, after, before)


if __name__ == "__main__":
    main()
