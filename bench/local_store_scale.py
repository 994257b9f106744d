"""Local store scale benchmark: does a listing cost the same at 100,000 users as at 10,000?

Seeds a local store with 10,000 and then 100,000 users (one ``executemany`` in one
transaction) and times, at each size, the listings a client pages through: the
first page, a page deep in the list (resumed from a real ``endCursor`` at 90 % of
the list), an extension filter, a name search matching the same few users at
either size, and ``totalCount`` alone (``first: 0``). Each is measured through the
GraphQL app (``create_app`` over the store, in process) and on the store itself
(the connector's ``users.page``), for SQLite in memory, a SQLite file and
PostgreSQL when one is reachable (``PBXGRAPH_TEST_POSTGRES_URL``, else the
default test database). Prints the medians and the 100k/10k ratio per case.

    python bench/local_store_scale.py [--rounds 15] [--sizes 10000,100000] [--stores memory,file,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from pbxgraph.config import BackendConfig, Config
from pbxgraph.connectors.local import tables
from pbxgraph.connectors.local.connector import LocalConnector
from pbxgraph.domain import Filter, Kind, ListQuery, SortField
from pbxgraph.service import Backends
from pbxgraph.service.listing import _fingerprint, encode_cursor
from pbxgraph.testing import postgres
from pbxgraph.testing.graphql import GraphQLTestClient

NAME = "bench"
FIRST = ["Anna", "Bruno", "Chloe", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Luca"]
LAST = ["Meyer", "Novak", "Olsen", "Petrov", "Quinn", "Rossi", "Silva", "Tanaka", "Ueda", "Varga", "Weber", "Young"]
#: A surname only ``NEEDLES`` users carry, at every size: the search matches the same rows.
RARE = "Zyxwander"
NEEDLES = 25
PAGE = 20

FIELDS = "edges { cursor node { id displayName extension } } pageInfo { endCursor hasNextPage }"
Q_FIRST = f"query {{ users(first: {PAGE}) {{ {FIELDS} }} }}"
Q_AFTER = f"query($after: String) {{ users(first: {PAGE}, after: $after) {{ {FIELDS} }} }}"
Q_EXTENSION = f'query($e: String) {{ users(first: {PAGE}, filter: {{extension: $e}}) {{ {FIELDS} }} }}'
Q_SEARCH = f'query {{ users(first: {PAGE}, filter: {{search: "{RARE.lower()}"}}) {{ {FIELDS} }} }}'
Q_COUNT = "query { users(first: 0) { totalCount } }"


def user_rows(count: int) -> list[dict[str, Any]]:
    step = max(count // NEEDLES, 1)
    rows = []
    for i in range(count):
        last = RARE if i % step == step // 2 else LAST[(i // len(FIRST)) % len(LAST)]
        rows.append(
            {
                "id": i + 1,
                "username": f"user{i:06d}",
                "display_name": f"{FIRST[i % len(FIRST)]} {last} {i:06d}",
                "extension": str(100000 + i),
                "email": None,
                "enabled": True,
                "sip_password": None,
            }
        )
    return rows


async def seed(connector: LocalConnector, count: int) -> float:
    rows = user_rows(count)
    numbers = [{"number": r["extension"], "kind": "user", "owner_id": r["id"]} for r in rows]
    started = time.perf_counter()
    async with connector.store.write() as conn:
        await conn.execute(insert(tables.users), rows)
        await conn.execute(insert(tables.numbers), numbers)
    return time.perf_counter() - started


async def median_ms(run: Callable[[], Awaitable[Any]], rounds: int) -> float:
    await run()  # warm up: statement caches, pages in memory
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def list_query(**kwargs: Any) -> ListQuery:
    """A ListQuery asking for the count where this version of the store has the flag."""
    count = kwargs.pop("count", False)
    try:
        return ListQuery(count=count, **kwargs)  # type: ignore[call-arg,unused-ignore]
    except TypeError:
        return ListQuery(**kwargs)


@contextlib.asynccontextmanager
async def store_of(kind: str, size: int, workdir: Path) -> AsyncIterator[LocalConnector | None]:
    schema = None
    if kind == "memory":
        url = "sqlite+aiosqlite:///:memory:"
    elif kind == "file":
        url = f"sqlite+aiosqlite:///{workdir / f'store-{size}.sqlite3'}"
    else:
        url, _ = postgres.configured_url()
        reason = await postgres.unreachable(url)
        if reason is not None:
            print(f"  postgres: skipped ({reason})")
            yield None
            return
        schema = postgres.new_schema()
    connector = LocalConnector(NAME, url, schema=schema)
    try:
        await connector.open()
        yield connector
    finally:
        await connector.aclose()
        if schema is not None:
            await postgres.drop_schemas(url, schema)


async def measure(kind: str, size: int, rounds: int, workdir: Path) -> dict[str, float] | None:
    async with store_of(kind, size, workdir) as connector:
        if connector is None:
            return None
        seconds = await seed(connector, size)
        print(f"  {kind:8} {size:>7} users seeded in {seconds:5.1f} s", flush=True)
        deep = int(size * 0.9)
        extension = str(100000 + size // 2)
        figures: dict[str, float] = {}
        config = BackendConfig(name=NAME, vendor="local")
        backends = Backends([connector], {NAME: config})
        async with GraphQLTestClient.running(Config(backends=(config,)), backends=backends) as client:
            # A real cursor deep in the list: the end cursor of the page that ends at 90 %.
            fingerprint_cursor = await deep_cursor(client, deep)

            async def gql(query: str, variables: dict[str, Any] | None = None) -> None:
                body = await client.execute(query, variables)
                assert not body.get("errors"), body["errors"]

            figures["gql first page"] = await median_ms(lambda: gql(Q_FIRST), rounds)
            figures["gql deep page"] = await median_ms(lambda: gql(Q_AFTER, {"after": fingerprint_cursor}), rounds)
            figures["gql extension"] = await median_ms(lambda: gql(Q_EXTENSION, {"e": extension}), rounds)
            figures["gql search"] = await median_ms(lambda: gql(Q_SEARCH), rounds)
            figures["gql totalCount"] = await median_ms(lambda: gql(Q_COUNT), rounds)

            users = connector.users
            first, by_ext = list_query(limit=PAGE), list_query(filter=Filter(extension=extension), limit=PAGE)
            search, count = list_query(filter=Filter(search=RARE.lower()), limit=PAGE), list_query(limit=1, count=True)
            deep_query = list_query(offset=deep, limit=PAGE)
            figures["raw first page"] = await median_ms(lambda: users.page(first), rounds * 2)
            figures["raw deep page (offset)"] = await median_ms(lambda: users.page(deep_query), rounds * 2)
            figures["raw extension"] = await median_ms(lambda: users.page(by_ext), rounds * 2)
            figures["raw search"] = await median_ms(lambda: users.page(search), rounds * 2)
            figures["raw count"] = await median_ms(lambda: users.page(count), rounds * 2)

        return figures


async def deep_cursor(client: GraphQLTestClient, position: int) -> str:
    """The ``endCursor`` a client holds after paging to ``position``, as this version makes it."""
    # Start from an offset cursor (accepted by every version), then take the cursor the listing gives back.
    start = encode_cursor(_fingerprint(Kind.USER, [NAME], Filter(), SortField.NAME, False), {NAME: position - 1})
    body = await client.execute("query($a: String) { users(first: 1, after: $a) { pageInfo { endCursor } } }", {"a": start})
    assert not body.get("errors"), body["errors"]
    cursor: str = body["data"]["users"]["pageInfo"]["endCursor"]
    return cursor


async def main(rounds: int, sizes: list[int], stores: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="pbxgraph-bench-") as tmp:
        workdir = Path(tmp)
        for kind in stores:
            results: dict[int, dict[str, float]] = {}
            for size in sizes:
                figures = await measure(kind, size, rounds, workdir)
                if figures is None:
                    break
                results[size] = figures
            if len(results) < len(sizes):
                continue
            small, large = sizes[0], sizes[-1]
            print(f"\n{kind}: median ms of {rounds} rounds (raw: {rounds * 2}), {small} -> {large} users")
            print(f"  {'case':26} {small:>9} {large:>9}  ratio")
            for case in results[small]:
                a, b = results[small][case], results[large][case]
                print(f"  {case:26} {a:9.2f} {b:9.2f}  {b / a:5.2f}x")
            print(flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--stores", default="memory,file,postgres")
    args = parser.parse_args()
    asyncio.run(main(args.rounds, [int(s) for s in args.sizes.split(",")], args.stores.split(",")))
