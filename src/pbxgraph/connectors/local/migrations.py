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


MIGRATIONS: tuple[Migration, ...] = (_to_v1, _to_v2, _to_v3)
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
