"""Local store scale benchmark: does a listing cost the same at 100,000 users as at 10,000?

Seeds a local store with 10,000 and then 100,000 users (one ``executemany`` in one
transaction) and times, at each size, the listings a client pages through: the
first page, a page deep in the list (resumed from a real ``endCursor`` at 90 % of
the list), an extension filter, a name search matching the same few users at
either size, and ``totalCount`` alone (``first: 0``). Each is measured through the
GraphQL app (``create_app`` over the store, in process) and on the store itself
(the connector's ``users.page``), for SQLite in memory, a SQLite file and
PostgreSQL when one is reachable (``PBXGRAPH_TEST_POSTGRES_URL``, else the
default test database). Prints the median and the best time at each size per case,
each with the 100k/10k ratio.

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

from sqlalchemy import insert, text

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
Q_EXTENSION = f"query($e: String) {{ users(first: {PAGE}, filter: {{extension: $e}}) {{ {FIELDS} }} }}"
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


async def interleaved_ms(runs: list[Callable[[], Awaitable[Any]]], rounds: int) -> list[tuple[float, float]]:
    """Median and best ms of each of ``runs``, taken in alternating rounds so that load on the machine
    falls on all alike (the best is the least disturbed by other processes' bursts)."""
    for run in runs:
        await run()  # warm up: statement caches, pages in memory
    samples: list[list[float]] = [[] for _ in runs]
    for _ in range(rounds):
        for run, taken in zip(runs, samples, strict=True):
            started = time.perf_counter()
            await run()
            taken.append(time.perf_counter() - started)
    return [(statistics.median(taken) * 1000, min(taken) * 1000) for taken in samples]


def list_query(**kwargs: Any) -> ListQuery:
    """A ListQuery asking for the count where this version of the store has the flag."""
    extra = {key: kwargs.pop(key) for key in ("count", "after") if key in kwargs}
    try:
        return ListQuery(**kwargs, **extra)
    except TypeError:
        return ListQuery(**kwargs)


def after_of(record: Any) -> Any:
    """The ``ListQuery.after`` of a page following ``record``, where this version of the store has it."""
    try:
        from pbxgraph.domain import After
    except ImportError:
        return None
    return After(value=record.name, id=record.id)


@contextlib.asynccontextmanager
async def store_of(kind: str, size: int, workdir: Path) -> AsyncIterator[LocalConnector | None]:
    """An open local store of ``kind`` seeded with ``size`` users; None when PostgreSQL is not reachable."""
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
        seconds = await seed(connector, size)
        if schema is not None:
            # As autovacuum would soon: statistics for the planner, GIN pending lists merged.
            async with connector.store.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM ANALYZE"))
        print(f"  {kind:8} {size:>7} users seeded in {seconds:5.1f} s", flush=True)
        yield connector
    finally:
        await connector.aclose()
        if schema is not None:
            await postgres.drop_schemas(url, schema)


class Subject:
    """One seeded store and the GraphQL app over it, with the arguments its cases need."""

    def __init__(self, connector: LocalConnector, client: GraphQLTestClient, size: int) -> None:
        self.connector, self.client, self.size = connector, client, size
        self.extension = str(100000 + size // 2)
        self.deep = int(size * 0.9)
        self.cursor = ""
        self.keyset: ListQuery | None = None

    async def prepare(self) -> None:
        # A real cursor deep in the list: the end cursor of the page that ends at 90 %.
        self.cursor = await deep_cursor(self.client, self.deep)
        anchor = (await self.connector.users.page(list_query(offset=self.deep - 1, limit=1))).items[0]
        keyset = list_query(offset=self.deep, limit=PAGE, after=after_of(anchor))
        self.keyset = keyset if getattr(keyset, "after", None) is not None else None

    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> None:
        body = await self.client.execute(query, variables)
        assert not body.get("errors"), body["errors"]

    def cases(self) -> dict[str, Callable[[], Awaitable[Any]]]:
        users = self.connector.users
        by_ext = list_query(filter=Filter(extension=self.extension), limit=PAGE)
        search = list_query(filter=Filter(search=RARE.lower()), limit=PAGE)
        count = list_query(limit=1, count=True)
        deep = list_query(offset=self.deep, limit=PAGE)
        found: dict[str, Callable[[], Awaitable[Any]]] = {
            "gql first page": lambda: self.gql(Q_FIRST),
            "gql deep page": lambda: self.gql(Q_AFTER, {"after": self.cursor}),
            "gql extension": lambda: self.gql(Q_EXTENSION, {"e": self.extension}),
            "gql search": lambda: self.gql(Q_SEARCH),
            "gql totalCount": lambda: self.gql(Q_COUNT),
            "raw first page": lambda: users.page(list_query(limit=PAGE)),
            "raw deep page (offset)": lambda: users.page(deep),
            "raw extension": lambda: users.page(by_ext),
            "raw search": lambda: users.page(search),
            "raw count": lambda: users.page(count),
        }
        if self.keyset is not None:
            keyset = self.keyset
            found["raw deep page (after item)"] = lambda: users.page(keyset)
        return found


async def measure(
    kind: str, sizes: list[int], rounds: int, workdir: Path
) -> dict[str, list[tuple[float, float]]] | None:
    """Each case's median and best at each size, the sizes measured in alternating rounds."""
    async with contextlib.AsyncExitStack() as stack:
        subjects = []
        for size in sizes:
            connector = await stack.enter_async_context(store_of(kind, size, workdir))
            if connector is None:
                return None
            config = BackendConfig(name=NAME, vendor="local")
            backends = Backends([connector], {NAME: config})
            client = await stack.enter_async_context(
                GraphQLTestClient.running(Config(backends=(config,)), backends=backends)
            )
            subject = Subject(connector, client, size)
            await subject.prepare()
            subjects.append(subject)
        cases = [subject.cases() for subject in subjects]
        return {
            name: await interleaved_ms([c[name] for c in cases], rounds)
            for name in cases[0]
            if all(name in c for c in cases)
        }


async def deep_cursor(client: GraphQLTestClient, position: int) -> str:
    """The ``endCursor`` a client holds after paging to ``position``, as this version makes it."""
    # Start from an offset cursor (accepted by every version), then take the cursor the listing gives back.
    start = encode_cursor(_fingerprint(Kind.USER, [NAME], Filter(), SortField.NAME, False), {NAME: position - 1})
    body = await client.execute(
        "query($a: String) { users(first: 1, after: $a) { pageInfo { endCursor } } }", {"a": start}
    )
    assert not body.get("errors"), body["errors"]
    cursor: str = body["data"]["users"]["pageInfo"]["endCursor"]
    return cursor


async def main(rounds: int, sizes: list[int], stores: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="pbxgraph-bench-") as tmp:
        for kind in stores:
            figures = await measure(kind, sizes, rounds, Path(tmp))
            if figures is None:
                continue
            small, large = sizes[0], sizes[-1]
            print(f"\n{kind}: ms of {rounds} interleaved rounds, {small} -> {large} users")
            print(f"  {'case':28} {'median':>9} {'median':>9}  ratio {'best':>7} {'best':>7}  ratio")
            for case, ((a, a_best), *_, (b, b_best)) in figures.items():
                print(
                    f"  {case:28} {a:9.2f} {b:9.2f}  {b / a:4.2f}x {a_best:7.2f} {b_best:7.2f}  {b_best / a_best:4.2f}x"
                )
            print(flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--stores", default="memory,file,postgres")
    args = parser.parse_args()
    asyncio.run(main(args.rounds, [int(s) for s in args.sizes.split(",")], args.stores.split(",")))
