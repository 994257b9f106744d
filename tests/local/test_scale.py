"""The local store reads pages off indexes: every order has one, deep pages seek instead of
skipping, the count runs only when ``totalCount`` is asked, a search asks a trigram index.

Each test runs on SQLite and on PostgreSQL (skipped, with the reason, when none is
reachable). Plans are checked on the statements the store really executes, caught as
they go to the database.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from pbxgraph.config import BackendConfig, Config
from pbxgraph.connectors.contract import ACCESS
from pbxgraph.connectors.local import migrations, tables
from pbxgraph.connectors.local.connector import LocalConnector
from pbxgraph.connectors.local.listing import FOLD_AT
from pbxgraph.connectors.querying import matches
from pbxgraph.domain import After, Filter, Kind, ListQuery, SortField, UserCreate
from pbxgraph.service import Backends
from pbxgraph.testing.graphql import GraphQLTestClient, error_codes
from tests.conftest import PostgresStore

KINDS = (Kind.USER, Kind.GROUP, Kind.QUEUE, Kind.TRUNK, Kind.DEVICE)
TABLES = {Kind.USER: "users", Kind.GROUP: "groups", Kind.QUEUE: "queues", Kind.TRUNK: "trunks", Kind.DEVICE: "devices"}
ORDERS = [(sort, descending) for sort in SortField for descending in (False, True)]


@dataclass
class Database:
    kind: str
    tmp_path: Path
    postgres: PostgresStore | None = None

    def config(self, name: str = "office", *, demo: bool = True) -> BackendConfig:
        if self.postgres is None:
            options: dict[str, object] = {"path": str(self.tmp_path / f"{name}.sqlite3"), "demo": demo}
        else:
            options = self.postgres.options(name, demo=demo)
        return BackendConfig(name=name, vendor="local", options=options)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "sqlite":
        return Database("sqlite", tmp_path)
    return Database("postgresql", tmp_path, request.getfixturevalue("postgres_store"))


#: Rows the demo lacks: users without an extension, twins by name, an empty display name.
EXTRA_USERS = [
    {"username": "zed", "display_name": None, "extension": None},
    {"username": "amy", "display_name": "", "extension": None},
    {"username": "twin1", "display_name": "Sam Twin", "extension": "7001"},
    {"username": "twin2", "display_name": "Sam Twin", "extension": None},
    {"username": "twin3", "display_name": "sam twin", "extension": "71"},
    {"username": "pct", "display_name": "Fifty 50% Off_Base", "extension": None},
    {"username": "quote", "display_name": 'The "Boss" Quinn', "extension": None},
]


@pytest.fixture
async def client(database: Database) -> AsyncIterator[GraphQLTestClient]:
    config = database.config()
    async with GraphQLTestClient.running(Config(backends=(config,))) as client:
        store = connector_of(client).store
        async with store.write() as conn:
            for row in EXTRA_USERS:
                new = await conn.execute(insert(tables.users).values(enabled=True, **row))
                if row["extension"] is not None:
                    number = {"number": row["extension"], "kind": "user", "owner_id": new.inserted_primary_key[0]}
                    await conn.execute(insert(tables.numbers).values(**number))
            await conn.execute(insert(tables.groups).values(name="No Number"))
            await conn.execute(insert(tables.devices).values(mac="00:04:f2:00:00:99", name=""))
        yield client


def connector_of(client: GraphQLTestClient, name: str = "office") -> LocalConnector:
    backends: Backends = client.service.backends
    connector = backends.get(name)
    assert isinstance(connector, LocalConnector)
    return connector


@contextlib.contextmanager
def executed(connector: LocalConnector) -> Iterator[list[tuple[str, Any]]]:
    """Every statement the store sends to its database meanwhile, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def hook(_conn: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        seen.append((statement, parameters))

    engine = connector.store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", hook)


def selects(seen: list[tuple[str, Any]], table: str) -> list[tuple[str, Any]]:
    return [(s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s]


def counts(seen: list[tuple[str, Any]]) -> list[str]:
    return [s for s, _ in seen if "count(" in s.lower() or "row_counts" in s]


async def plan(connector: LocalConnector, statement: str, parameters: Any) -> str:
    """The plan the database makes for ``statement``; on PostgreSQL with scans and sorts priced out,
    so that a tiny test table shows the plan an index makes possible, as a large one would take it."""
    async with connector.store.read() as conn:
        if conn.dialect.name == "sqlite":
            rows = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all()
            return "\n".join(str(r[-1]) for r in rows)
        await conn.exec_driver_sql("SET enable_seqscan = off")
        await conn.exec_driver_sql("SET enable_sort = off")
        await conn.exec_driver_sql("SET enable_bitmapscan = on")
        rows = (await conn.exec_driver_sql("EXPLAIN " + statement, parameters)).all()
        await conn.exec_driver_sql("RESET ALL")
        return "\n".join(str(r[0]) for r in rows)


async def page_plan(connector: LocalConnector, kind: Kind, query: ListQuery) -> tuple[str, Any, str]:
    """The page statement the store runs for ``query``, its parameters and its plan."""
    with executed(connector) as seen:
        await ACCESS[kind].of(connector).page(query)
    (statement, parameters), *_ = [s for s in selects(seen, TABLES[kind]) if "ORDER BY" in s[0]]
    return statement, parameters, await plan(connector, statement, parameters)


def skips(statement: str, parameters: Any) -> bool:
    """Whether the statement skips rows (an OFFSET other than 0; SQLAlchemy writes ``OFFSET ?`` for
    SQLite whenever there is a LIMIT)."""
    if "OFFSET" not in statement.upper():
        return False
    return bool(statement.rstrip().upper().endswith(("OFFSET ?", "OFFSET %S")) and parameters[-1]) or (
        "OFFSET $" in statement.upper() and bool(parameters[-1])
    )


def reads_in_order_off_an_index(dialect: str, table: str, found: str, *, seeks: bool) -> None:
    if dialect == "sqlite":
        assert "TEMP B-TREE" not in found, found
        assert f"USING INDEX ix_{table}_" in found or "INTEGER PRIMARY KEY" in found or found == f"SCAN {table}", found
        if seeks:
            assert found.startswith(f"SEARCH {table}"), found
    else:
        assert "Sort" not in found, found
        assert "Index Scan" in found, found
        if seeks:
            assert "Index Cond" in found, found


@pytest.mark.parametrize(("sort", "descending"), ORDERS)
async def test_every_order_of_every_kind_reads_an_index_and_a_later_page_seeks_in_it(
    client: GraphQLTestClient, sort: SortField, descending: bool
) -> None:
    connector = connector_of(client)
    dialect = connector.store.engine.dialect.name
    for kind in KINDS:
        query = ListQuery(sort=sort, descending=descending, limit=3)
        _, _, found = await page_plan(connector, kind, query)
        reads_in_order_off_an_index(dialect, TABLES[kind], found, seeks=False)
        first = (await ACCESS[kind].of(connector).page(query)).items[-1]
        value = first.name if sort is SortField.NAME else getattr(first, "extension", None)
        later = ListQuery(sort=sort, descending=descending, offset=3, limit=3, after=After(value, first.id))
        statement, parameters, found = await page_plan(connector, kind, later)
        assert not skips(statement, parameters), statement
        reads_in_order_off_an_index(dialect, TABLES[kind], found, seeks=True)
        if kind is Kind.USER and sort is SortField.NAME:
            assert "ix_users_by_name" in found


@pytest.mark.parametrize(("sort", "descending"), ORDERS)
async def test_paging_by_cursor_gives_the_whole_listing_once_and_seeks_after_the_first_page(
    client: GraphQLTestClient, sort: SortField, descending: bool
) -> None:
    connector = connector_of(client)
    order = f"{{field: {sort.name}, direction: {'DESC' if descending else 'ASC'}}}"
    for field in ("users", "groups", "devices"):
        whole = await client.data(f"{{ {field}(first: 500, orderBy: {order}) {{ nodes {{ id }} }} }}")
        expected = [n["id"] for n in whole[field]["nodes"]]
        got: list[str] = []
        after = None
        with executed(connector) as seen:
            while True:
                data = await client.data(
                    f"query($a: String) {{ {field}(first: 4, after: $a, orderBy: {order}) "
                    "{ nodes { id } pageInfo { hasNextPage endCursor } } }",
                    {"a": after},
                )
                got += [n["id"] for n in data[field]["nodes"]]
                if not data[field]["pageInfo"]["hasNextPage"]:
                    break
                after = data[field]["pageInfo"]["endCursor"]
        assert got == expected
        pages = [(s, p) for s, p in selects(seen, field) if "ORDER BY" in s]
        assert len(pages) >= 2
        assert not any(skips(s, p) for s, p in pages[1:]), "a page after the first skipped rows"


def without_items(cursor: str) -> str:
    """The cursor as the store made it before cursors carried the last items: offsets only."""
    data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert "k" in data
    return base64.urlsafe_b64encode(json.dumps({"q": data["q"], "o": data["o"]}).encode()).decode().rstrip("=")


def with_items(cursor: str, items: object) -> str:
    data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    data["k"] = items
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


async def test_an_offset_cursor_still_continues_and_a_forged_one_is_bad_user_input(client: GraphQLTestClient) -> None:
    query = "query($a: String) { users(first: 5, after: $a) { nodes { id } pageInfo { endCursor } } }"
    whole = [n["id"] for n in (await client.data("{ users(first: 500) { nodes { id } } }"))["users"]["nodes"]]
    cursor = (await client.data(query, {"a": None}))["users"]["pageInfo"]["endCursor"]
    old = without_items(cursor)
    data = await client.data(query, {"a": old})
    assert [n["id"] for n in data["users"]["nodes"]] == whole[5:10]
    # Its own end cursor carries the last item again.
    without_items(data["users"]["pageInfo"]["endCursor"])
    for forged in ({"office": [1, "2"]}, {"office": ["x"]}, {"elsewhere": ["x", "1"]}, ["x"], {"office": ["x", ""]}):
        body = await client.execute(query, {"a": with_items(cursor, forged)})
        assert error_codes(body) == ["BAD_USER_INPUT"], forged
        assert body["errors"][0]["extensions"]["field"] == "after"


async def test_the_count_runs_only_when_total_count_is_selected(client: GraphQLTestClient) -> None:
    connector = connector_of(client)
    with executed(connector) as seen:
        await client.data("{ users(first: 3) { edges { cursor node { id } } pageInfo { hasNextPage } } }")
        await client.data('{ users(first: 3, filter: {search: "sam"}) { nodes { id } } }')
    assert selects(seen, "users")
    assert counts(seen) == []

    expected = len((await client.data("{ users(first: 500) { nodes { id } } }"))["users"]["nodes"])
    with executed(connector) as seen:
        data = await client.data("{ users(first: 0) { totalCount } }")
        assert data["users"]["totalCount"] == expected
    assert len(counts(seen)) == 1
    with executed(connector) as seen:
        data = await client.data(
            "{ users(first: 2) { ...Total } } fragment Total on UserConnection { ... on UserConnection { totalCount } }"
        )
        assert data["users"]["totalCount"] == expected
    assert len(counts(seen)) == 1
    data = await client.data('{ users(first: 1, filter: {search: "twin"}) { totalCount } }')
    assert data["users"]["totalCount"] == 3


async def test_the_kept_count_follows_creates_and_deletes(client: GraphQLTestClient) -> None:
    connector = connector_of(client)

    async def counted() -> tuple[int, int]:
        total = (await client.data("{ users(first: 0) { totalCount } }"))["users"]["totalCount"]
        async with connector.store.read() as conn:
            real = (await conn.execute(text("SELECT count(*) FROM users"))).scalar_one()
        return total, real

    before, real = await counted()
    assert before == real
    made = await client.data('mutation { createUser(backend: "office", input: {username: "newbie"}) { id } }')
    assert await counted() == (before + 1, before + 1)
    await client.data('mutation { deleteUser(id: "%s") { deletedId } }' % made["createUser"]["id"])
    assert await counted() == (before, before)


async def test_many_writes_leave_the_kept_count_exact_and_reading_it_folds_their_rows(
    client: GraphQLTestClient,
) -> None:
    connector = connector_of(client)
    users = connector.users
    made = [await users.create(UserCreate(username=f"bulk{i:03d}")) for i in range(FOLD_AT + 6)]
    for user in made[:5]:
        await users.delete(user.id)
    async with connector.store.read() as conn:
        real = (await conn.execute(text("SELECT count(*) FROM users"))).scalar_one()
    assert (await users.page(ListQuery(limit=1, count=True))).total == real
    assert (await users.page(ListQuery(limit=1, count=True))).total == real
    async with connector.store.read() as conn:
        rows = (await conn.execute(text("SELECT count(*) FROM row_counts WHERE name = 'users'"))).scalar_one()
    assert rows == 1


NEEDLES = ["sam", "SAM TWIN", "twin", "am", "a", "50%", "_b", "off_", '"boss"', "quinn", "zzz", "ed", "user", "   "]


async def test_search_with_the_trigram_index_finds_what_reading_every_row_finds(client: GraphQLTestClient) -> None:
    connector = connector_of(client)
    users = connector.users
    everyone = (await users.page(ListQuery(limit=500))).items
    for needle in NEEDLES:
        query = ListQuery(filter=Filter(search=needle), limit=500, count=True)
        indexed = await users.page(query)
        searchable, connector.store.searchable = connector.store.searchable, frozenset()
        try:
            scanned = await users.page(query)
        finally:
            connector.store.searchable = searchable
        expected = [u.id for u in everyone if matches(u, Filter(search=needle))]
        assert [u.id for u in indexed.items] == [u.id for u in scanned.items] == expected, needle
        assert indexed.total == len(expected)

    # The index follows renames and deletes.
    twin = next(u for u in everyone if u.username == "twin1")
    await client.data(
        'mutation { updateUser(id: "%s", input: {displayName: "Renamed Person"}) { id } }' % global_id(client, twin.id)
    )
    found = await users.page(ListQuery(filter=Filter(search="renamed"), limit=10))
    assert [u.id for u in found.items] == [twin.id]
    twins = await users.page(ListQuery(filter=Filter(search="sam twin")))
    assert twin.id not in [u.id for u in twins.items]
    await users.delete(twin.id)
    assert (await users.page(ListQuery(filter=Filter(search="renamed")))).items == []


def global_id(client: GraphQLTestClient, native: str) -> str:
    from pbxgraph.ids import encode_id

    return encode_id(Kind.USER, "office", native)


async def test_a_search_of_three_characters_or_more_asks_the_trigram_index(client: GraphQLTestClient) -> None:
    connector = connector_of(client)
    query = ListQuery(filter=Filter(search="twin"), limit=5, count=True)
    with executed(connector) as seen:
        await connector.users.page(query)
    if connector.store.engine.dialect.name == "sqlite":
        if "users" not in connector.store.searchable:
            pytest.skip("this Python's SQLite has no FTS5 trigram tokenizer: a search reads every row")
        statement, parameters = next((s, p) for s, p in selects(seen, "users") if "ORDER BY" in s)
        assert "users_search MATCH" in statement
        assert "VIRTUAL TABLE" in await plan(connector, statement, parameters)
        with executed(connector) as seen:
            await connector.users.page(ListQuery(filter=Filter(search="tw")))
        assert not any("MATCH" in s for s, _ in seen), "two characters: no trigram to look up"
        return
    async with connector.store.read() as conn:
        trigram = (await conn.execute(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"))).scalar()
    if not trigram:
        pytest.skip("pg_trgm cannot be created in this PostgreSQL: a search reads every row")
    statement, parameters = next((s, p) for s, p in seen if "count(" in s.lower())
    found = await plan(connector, statement, parameters)
    assert "ix_users_search_display_name" in found and "ix_users_search_username" in found, found


async def test_a_version_3_store_is_upgraded_in_place_with_its_indexes(database: Database) -> None:
    config = database.config(demo=False)
    if database.postgres is None:
        engine = create_async_engine(f"sqlite+aiosqlite:///{database.tmp_path / 'office.sqlite3'}")
    else:
        schema = database.postgres.schema_of("office")
        engine = create_async_engine(database.postgres.url, connect_args={"server_settings": {"search_path": schema}})
    async with engine.begin() as conn:
        if database.postgres is not None:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await migrations.migrate(conn, target=3)
        for i in range(30):
            await conn.execute(
                insert(tables.users).values(
                    id=i + 1, username=f"old{i:02d}", display_name=f"Old Timer {i:02d}", extension=str(400 + i)
                )
            )
    await engine.dispose()

    async with GraphQLTestClient.running(Config(backends=(config,))) as client:
        connector = connector_of(client)
        data = await client.data('{ users(first: 3, filter: {search: "timer 2"}) { totalCount nodes { username } } }')
        assert data["users"]["totalCount"] == 10
        assert [n["username"] for n in data["users"]["nodes"]] == ["old20", "old21", "old22"]
        assert (await client.data("{ users(first: 0) { totalCount } }"))["users"]["totalCount"] == 30
        _, _, found = await page_plan(connector, Kind.USER, ListQuery(sort=SortField.EXTENSION, descending=True))
        reads_in_order_off_an_index(connector.store.engine.dialect.name, "users", found, seeks=False)
        async with connector.store.read() as conn:
            assert await migrations.current_version(conn) == migrations.LATEST
