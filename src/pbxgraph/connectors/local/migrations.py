"""Schema migrations: an older store file is upgraded in place, never rebuilt.

Each migration is a function from version N-1 to N, run in one transaction
with the version bump, so a store is always at exactly one known version.
Migration 1 is the first released schema, kept as it was so that files
written by it still upgrade; later ones change it step by step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from pbxgraph.connectors.local import tables

Migration = Callable[[AsyncConnection], Awaitable[None]]


def _v1_metadata() -> MetaData:
    """The schema as version 1 shipped it: no e-mail, no shared number registry."""
    md = MetaData()
    Table(
        "users",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("username", String(128), nullable=False, unique=True),
        Column("display_name", String(200)),
        Column("extension", String(32), unique=True),
        Column("enabled", Boolean, nullable=False, default=True),
        Column("sip_password", String(200)),
        sqlite_autoincrement=True,
    )
    Table(
        "groups",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("name", String(200), nullable=False),
        Column("extension", String(32)),
        Column("strategy", String(32)),
        Column("description", String(500)),
        sqlite_autoincrement=True,
    )
    Table(
        "group_members",
        md,
        Column("group_id", Integer, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
        Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        Column("position", Integer, nullable=False),
    )
    Table(
        "queues",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("name", String(200), nullable=False),
        Column("extension", String(32)),
        Column("strategy", String(32)),
        Column("description", String(500)),
        sqlite_autoincrement=True,
    )
    Table(
        "queue_members",
        md,
        Column("queue_id", Integer, ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True),
        Column("position", Integer, primary_key=True),
        Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),
        Column("group_id", Integer, ForeignKey("groups.id", ondelete="CASCADE")),
        Column("priority", Integer),
    )
    Table(
        "trunks",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("name", String(200), nullable=False, unique=True),
        Column("host", String(253), nullable=False),
        Column("port", Integer),
        Column("transport", String(8)),
        Column("username", String(128)),
        Column("password", String(200)),
        Column("enabled", Boolean, nullable=False, default=True),
        Column("register", Boolean),
        sqlite_autoincrement=True,
    )
    Table(
        "devices",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("mac", String(17), nullable=False, unique=True),
        Column("model", String(100)),
        Column("name", String(200)),
        Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
        sqlite_autoincrement=True,
    )
    Table("schema_version", md, Column("version", Integer, nullable=False))
    return md


V1_METADATA = _v1_metadata()


async def _to_v1(conn: AsyncConnection) -> None:
    await conn.run_sync(V1_METADATA.create_all)


async def _to_v2(conn: AsyncConnection) -> None:
    """Users get an e-mail; extensions become unique across users, groups and queues."""
    await conn.execute(text("ALTER TABLE users ADD COLUMN email VARCHAR(254)"))
    await conn.run_sync(lambda sync: tables.numbers.create(sync, checkfirst=True))
    for kind, table in (("user", tables.users), ("group", tables.groups), ("queue", tables.queues)):
        await conn.execute(
            insert(tables.numbers).from_select(
                ["number", "kind", "owner_id"],
                select(table.c.extension, text(f"'{kind}'"), table.c.id).where(table.c.extension.is_not(None)),
            )
        )


_TRUNK_COLUMNS_V2 = ("id", "name", "host", "port", "transport", "username", "password", "enabled", "register")


async def _to_v3(conn: AsyncConnection) -> None:
    """Groups and queues get a display name apart from their name; trunks a SIP domain, a kind and a
    model, and a host that may be left out (a trunk may be reached through its domain alone).

    SQLite cannot drop a NOT NULL in place, so the trunks table is rebuilt the portable way:
    create the new shape, copy, swap.
    """
    for table in ("groups", "queues"):
        await conn.execute(text(f"ALTER TABLE {table} ADD COLUMN display_name VARCHAR(200)"))
    await conn.execute(text("ALTER TABLE trunks RENAME TO trunks_v2"))
    await conn.run_sync(tables.trunks.create)
    columns = ", ".join(_TRUNK_COLUMNS_V2)
    # The column names are this module's constants, never input.
    await conn.execute(text(f"INSERT INTO trunks ({columns}, kind) SELECT {columns}, 'sip' FROM trunks_v2"))  # noqa: S608
    await conn.execute(text("DROP TABLE trunks_v2"))


#: The name each kind sorts by (as ``listing`` orders it: a user without a display name by their
#: username, a device without a name by its MAC), and the columns its search looks in.
_NAMES = {
    "users": "coalesce(nullif(display_name, ''), username)",
    "groups": "name",
    "queues": "name",
    "trunks": "name",
    "devices": "coalesce(nullif(name, ''), mac)",
}
_SEARCHED = {
    "users": ("display_name", "username"),
    "groups": ("name",),
    "queues": ("name",),
    "trunks": ("name",),
    "devices": ("name", "mac", "model"),
}
_WITH_EXTENSION = ("users", "groups", "queues")


def extension_key(dialect: str, missing: str) -> str:
    """An extension as one text that sorts as the listing orders extensions: by length, then digit by
    digit (``0003201`` for ``201``); ``missing`` stands for none ('~' after every such key, '' before).

    One expression, so that an index on it, with the id, serves both the order and the seek
    after a known item (a seek a database does on an index's first column).
    """
    padded = "printf('%04d', length(extension))" if dialect == "sqlite" else "lpad(length(extension)::text, 4, '0')"
    return f"coalesce({padded} || extension, '{missing}')"


def _order_indexes(dialect: str) -> list[str]:
    """One index per order a listing asks for, each ending in the tie-break by id.

    By name: ``lower(name), id`` (in the "C" collation on PostgreSQL, the order the
    merge across backends compares in), read backwards when descending. By extension:
    rows lacking one come last in either direction, so ascending reads the key with
    '~' for them forwards, and descending the key with '' for them backwards. A plain
    index on ``extension`` serves the extension filter and the rows lacking one.
    """
    collate = ' COLLATE "C"' if dialect == "postgresql" else ""
    statements = []
    for table, name in _NAMES.items():
        statements.append(f"CREATE INDEX IF NOT EXISTS ix_{table}_by_name ON {table} ((lower({name})){collate}, id)")
    for table in _WITH_EXTENSION:
        statements += [
            f"CREATE INDEX IF NOT EXISTS ix_{table}_by_extension "
            f"ON {table} (({extension_key(dialect, '~')}){collate}, id)",
            f"CREATE INDEX IF NOT EXISTS ix_{table}_by_extension_desc "
            f"ON {table} (({extension_key(dialect, '')}){collate}, id)",
            f"CREATE INDEX IF NOT EXISTS ix_{table}_extension ON {table} (extension)",
        ]
    return statements


def _sqlite_search_index(table: str, columns: tuple[str, ...]) -> list[str]:
    """An FTS5 trigram index over ``columns`` (external content: the table itself), kept by triggers."""
    fts = f"{table}_search"
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    # Every name here is this module's constant, never input.
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {cols} ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",  # noqa: S608
    ]


async def _sqlite_search(conn: AsyncConnection) -> None:
    """FTS5 trigram indexes where this SQLite has the trigram tokenizer (3.34 and later); none else.

    Without them a search reads every row, as before: slower on a large store, the same answer.
    """
    try:
        async with conn.begin_nested():
            await conn.execute(text("CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(x, tokenize='trigram')"))
            await conn.execute(text("DROP TABLE temp.trigram_probe"))
    except DBAPIError:
        return
    for table, columns in _SEARCHED.items():
        for statement in _sqlite_search_index(table, columns):
            await conn.execute(text(statement))


async def _sqlite_row_counts(conn: AsyncConnection) -> None:
    """Each table's row count in one row, kept by row triggers: SQLite has one writer at a time,
    so the counter rows cost no concurrency."""
    await conn.execute(text("CREATE TABLE row_counts (name VARCHAR(32) NOT NULL, n BIGINT NOT NULL)"))
    for table in _NAMES:
        # The table names are this module's constants, never input.
        await conn.execute(text(f"INSERT INTO row_counts (name, n) SELECT '{table}', count(*) FROM {table}"))  # noqa: S608
        await conn.execute(
            text(
                f"CREATE TRIGGER {table}_count_insert AFTER INSERT ON {table} BEGIN "  # noqa: S608
                f"UPDATE row_counts SET n = n + 1 WHERE name = '{table}'; END"
            )
        )
        await conn.execute(
            text(
                f"CREATE TRIGGER {table}_count_delete AFTER DELETE ON {table} BEGIN "  # noqa: S608
                f"UPDATE row_counts SET n = n - 1 WHERE name = '{table}'; END"
            )
        )


_PG_COUNT_FUNCTION = """
CREATE OR REPLACE FUNCTION pbxgraph_row_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO row_counts (name, n) SELECT TG_TABLE_NAME, count(*) FROM added HAVING count(*) > 0;
    ELSE
        INSERT INTO row_counts (name, n) SELECT TG_TABLE_NAME, -count(*) FROM removed HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$
"""


async def _postgres_row_counts(conn: AsyncConnection) -> None:
    """Each table's row count as a sum of changes: a statement trigger adds one row per write
    statement (+n inserted, -n deleted), and reading the count folds the rows into one now
    and then (``listing.count_of``).

    Writers only ever insert here, so replicas writing at once never wait for each other
    (one counter row to update would make every write to a table queue on it, and could
    deadlock two transactions that touch it and a number in opposite orders).
    """
    await conn.execute(text("CREATE TABLE row_counts (name VARCHAR(32) NOT NULL, n BIGINT NOT NULL)"))
    await conn.execute(text("CREATE INDEX ix_row_counts_name ON row_counts (name)"))
    await conn.execute(text(_PG_COUNT_FUNCTION))
    for table in _NAMES:
        # The table names are this module's constants, never input.
        await conn.execute(text(f"INSERT INTO row_counts (name, n) SELECT '{table}', count(*) FROM {table}"))  # noqa: S608
        for event, transition in (("INSERT", "NEW TABLE AS added"), ("DELETE", "OLD TABLE AS removed")):
            await conn.execute(
                text(
                    f"CREATE TRIGGER {table}_count_{event.lower()} AFTER {event} ON {table} "
                    f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION pbxgraph_row_count()"
                )
            )


async def _postgres_search(conn: AsyncConnection) -> None:
    """pg_trgm GIN indexes on the searched columns, where the extension exists or may be created.

    The extension goes to ``public`` (an extension is one per database, and a store's own
    schema may be dropped with its backend); where it cannot be created, a search reads
    every row, as before.
    """
    try:
        async with conn.begin_nested():
            await conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except DBAPIError:
        pass
    home = (
        await conn.execute(
            text(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'pg_trgm'"
            )
        )
    ).scalar()
    if home is None:
        return
    for table, columns in _SEARCHED.items():
        for column in columns:
            await conn.execute(
                text(
                    f"CREATE INDEX IF NOT EXISTS ix_{table}_search_{column} "
                    f'ON {table} USING gin ((lower({column})) "{home}".gin_trgm_ops)'
                )
            )


async def _to_v4(conn: AsyncConnection) -> None:
    """Indexes for every listing order and for the extension filter, an index for name search and
    kept row counts, so that a page, a page deep in the list, a search and a count cost
    the same in a large store as in a small one.

    A later migration that rebuilds one of these tables (as ``_to_v3`` rebuilt trunks) must
    create its indexes and triggers again.
    """
    dialect = conn.dialect.name
    for statement in _order_indexes(dialect):
        await conn.execute(text(statement))
    if dialect == "sqlite":
        await _sqlite_search(conn)
        await _sqlite_row_counts(conn)
    elif dialect == "postgresql":
        await _postgres_search(conn)
        await _postgres_row_counts(conn)


MIGRATIONS: tuple[Migration, ...] = (_to_v1, _to_v2, _to_v3, _to_v4)
LATEST = len(MIGRATIONS)


async def current_version(conn: AsyncConnection) -> int:
    has_table = await conn.run_sync(lambda sync: sync.dialect.has_table(sync, "schema_version"))
    if not has_table:
        return 0
    version = (await conn.execute(select(tables.schema_version.c.version))).scalar()
    return int(version or 0)


async def migrate(conn: AsyncConnection, target: int = LATEST) -> int:
    """Bring the store to ``target``; returns the version it was at before."""
    before = await current_version(conn)
    for version in range(before + 1, target + 1):
        await MIGRATIONS[version - 1](conn)
        await conn.execute(tables.schema_version.delete())
        await conn.execute(insert(tables.schema_version).values(version=version))
    return before


async def counted(conn: AsyncConnection) -> bool:
    """Whether the store keeps its tables' row counts (``row_counts``: the sum of ``n`` per name)."""
    return bool(await conn.run_sync(lambda sync: sync.dialect.has_table(sync, "row_counts")))


async def search_indexes(conn: AsyncConnection) -> frozenset[str]:
    """The tables whose search has a full-text index of its own to ask (``<table>_search``, SQLite)."""
    if conn.dialect.name != "sqlite":
        return frozenset()
    names = (await conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))).scalars()
    return frozenset(name[: -len("_search")] for name in names if name.endswith("_search") and name[:-7] in _SEARCHED)
