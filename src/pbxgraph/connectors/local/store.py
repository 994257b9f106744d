"""The database behind the local connector: engine, migrations, transactions.

Every write runs in one transaction (``async with store.write() as conn``), so
a mutation is whole or not at all; a uniqueness violation anywhere in it rolls
everything back and surfaces as CONFLICT naming the field. Every read runs in
one transaction too, so a page and its total come from the same snapshot. How
concurrent transactions are kept apart depends on the database and is the
business of :mod:`~pbxgraph.connectors.local.dialects`.

The same code runs on SQLite (a file, or memory) and on PostgreSQL, where
several pbxgraph replicas share one store. On PostgreSQL the tables may live
in their own schema (``schema = "..."``, created if missing), so several local
backends can share one database; migrations take an advisory lock, so
replicas starting together upgrade the store once.
"""

from __future__ import annotations

import contextlib
import re
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from pbxgraph.connectors.local.dialects import open_engine
from pbxgraph.connectors.local.migrations import counted, migrate, search_indexes
from pbxgraph.errors import BackendUnavailable, Conflict

#: How each database names the unique constraint a write broke: SQLite by column,
#: PostgreSQL by constraint.
_CONSTRAINT_FIELDS = (
    ("numbers.number", "extension"),
    ("numbers_pkey", "extension"),
    ("users.extension", "extension"),
    ("users_extension_key", "extension"),
    ("users.username", "username"),
    ("users_username_key", "username"),
    ("trunks.name", "name"),
    ("trunks_name_key", "name"),
    ("devices.mac", "mac"),
    ("devices_mac_key", "mac"),
)
SCHEMA_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


def database_url(path: str) -> str:
    if "://" in path:
        return path
    if path == ":memory:":
        return "sqlite+aiosqlite:///:memory:"
    return f"sqlite+aiosqlite:///{Path(path).expanduser()}"


class Store:
    def __init__(self, backend: str, url: str, *, schema: str | None = None) -> None:
        self.backend = backend
        self.url = url
        self.schema = schema
        self.engine: AsyncEngine
        self.engine, self._access = open_engine(url, schema=schema)
        #: Tables with a full-text (trigram) index of their own that a search may use (SQLite).
        self.searchable: frozenset[str] = frozenset()
        #: Whether the store keeps each table's row count (``row_counts``, SQLite), for unfiltered totals.
        self.counted = False

    async def open(self) -> int:
        """Create or upgrade the schema; returns the version found before."""
        async with self.write() as conn:
            if conn.dialect.name == "postgresql":
                # Replicas starting at once: the first migrates, the others wait and find it done.
                key = zlib.crc32(f"pbxgraph-store:{self.schema or ''}".encode()) - 2**31
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
                if self.schema is not None:
                    await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
            before = await migrate(conn)
            self.searchable = await search_indexes(conn)
            self.counted = await counted(conn)
            return before

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        try:
            async with self._access.read() as conn:
                yield conn
        except OperationalError as exc:
            raise BackendUnavailable(f"local store '{self.backend}' failed: {exc.orig}", backend=self.backend) from None

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        try:
            async with self._access.write() as conn:
                yield conn
        except IntegrityError as exc:
            raise self._conflict(exc) from None
        except OperationalError as exc:
            raise BackendUnavailable(f"local store '{self.backend}' failed: {exc.orig}", backend=self.backend) from None

    def _conflict(self, exc: IntegrityError) -> Conflict:
        text = str(exc.orig)
        for marker, field in _CONSTRAINT_FIELDS:
            if marker in text:
                return Conflict(
                    f"{field}: already taken on backend '{self.backend}'", backend=self.backend, field=field
                )
        return Conflict(f"the change conflicts with existing data on backend '{self.backend}'", backend=self.backend)

    async def aclose(self) -> None:
        await self.engine.dispose()


__all__ = ["Store", "database_url"]
