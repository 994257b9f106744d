"""The tables of the shared state: idempotency keys with their outcomes, and the audit trail.

They live in one database that every replica reaches (by default the local
store's own), created on start if missing. The engine is opened like the local
store's: one connection for SQLite in memory, parameters never logged (the
outcomes of a write are not secrets, but the statements carry them).
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import AsyncIterator

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from pbxgraph.config import BackendConfig, StateConfig
from pbxgraph.connectors.local.dialects import open_engine
from pbxgraph.connectors.local.store import database_url

METADATA = MetaData()

idempotency = Table(
    "pbxgraph_idempotency",
    METADATA,
    Column("caller", String(200), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    #: "running" while the first request runs, then "done".
    Column("state", String(16), nullable=False),
    #: The first answer, as JSON (data and errors), once done.
    Column("outcome", Text, nullable=True),
    Column("created_at", Float, nullable=False),
)

audit = Table(
    "pbxgraph_audit",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("token", String(200), nullable=False),
    Column("operation", String(40), nullable=False),
    Column("backend", String(63), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("object_id", String(255), nullable=True),
    #: JSON: [{"field", "before", "after"}], secrets as "changed".
    Column("fields", Text, nullable=False),
    Column("outcome", String(40), nullable=False),
    Column("message", Text, nullable=True),
    Index("pbxgraph_audit_at", "at"),
    Index("pbxgraph_audit_object", "backend", "kind", "object_id"),
)

MEMORY = "sqlite+aiosqlite:///:memory:"


def state_url(state: StateConfig, backends: tuple[BackendConfig, ...]) -> tuple[str, str | None]:
    """Where the state lives (URL and PostgreSQL schema): ``[state]``, else the first local backend's, else memory."""
    if state.url is not None:
        return database_url(state.url), state.schema
    for backend in backends:
        if backend.vendor == "local":
            url = backend.option("url") or backend.option("path")
            return (database_url(url), state.schema or backend.option("schema")) if url else (MEMORY, None)
    return MEMORY, None


class Database:
    """One engine over the state's tables, with the local store's transaction policy."""

    def __init__(self, url: str, schema: str | None = None) -> None:
        self.url = url
        self.schema = schema if url.startswith("postgresql") else None
        self.engine: AsyncEngine
        self.engine, self._access = open_engine(url, schema=self.schema)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def open(self) -> None:
        async with self.write() as conn:
            if conn.dialect.name == "postgresql":
                key = zlib.crc32(b"pbxgraph-state") - 2**31
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
                if self.schema is not None:
                    await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
            await conn.run_sync(METADATA.create_all)

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self._access.read() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        async with self._access.write() as conn:
            yield conn

    async def aclose(self) -> None:
        await self.engine.dispose()
