"""How the local store reaches its database: one policy per SQL dialect.

The store's code (tables, queries, transactions) is dialect-neutral; what a
database needs to be *safe under concurrency* is not, and lives here:

* **SQLite** serialises writers on the whole file, and Python's ``sqlite3``
  (and ``aiosqlite`` over it) by default starts no transaction before a
  SELECT, so a write's reads are not isolated. The policy takes over BEGIN:
  every read is one deferred transaction (a consistent snapshot), every
  write one ``BEGIN IMMEDIATE`` transaction (it takes the write lock before
  its first read, so a read-then-write can neither deadlock nor act on
  stale data). Writers of this process queue on one lock instead of on
  SQLite's busy handler; a busy timeout covers writers of other processes
  sharing the file.
* **SQLite in memory** lives in one connection (each new connection would
  see an empty database), so its transactions would interleave on it: there
  every read and every write takes the one lock, and a read never sees or
  joins another's uncommitted transaction.
* **Other dialects** (PostgreSQL) have real connections and transactions:
  the policy adds nothing but ``hide_parameters``.

Whatever the dialect, the engine never logs statement parameters or rows:
they hold SIP and trunk passwords, and ``--log-level debug`` must not print
them (``hide_parameters``, and the driver loggers are pinned at WARNING).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

#: Loggers that would print statement parameters or result rows at DEBUG. A logger's filter sees
#: only its own records, so SQLAlchemy's engine logger is named beside its parent.
DRIVER_LOGGERS = ("sqlalchemy.engine", "sqlalchemy.engine.Engine", "aiosqlite", "asyncpg")
#: How long a write waits for another process's write lock on a SQLite file.
SQLITE_BUSY_TIMEOUT_S = 30.0
_WRITE = "pbxgraph_write"


class _BelowInfo(logging.Filter):
    """Drops DEBUG records: the level they log rows and parameters at."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


def pin_driver_loggers() -> None:
    """No log level of the application makes the SQL drivers print parameters or rows.

    A level alone would be undone by a later ``logging`` configuration that
    sets these loggers to DEBUG, so a filter drops their DEBUG records too.
    """
    for name in DRIVER_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level in (logging.NOTSET, logging.DEBUG, logging.INFO):
            logger.setLevel(logging.WARNING)
        if not any(isinstance(f, _BelowInfo) for f in logger.filters):
            logger.addFilter(_BelowInfo())


class Access:
    """Connections for reading and transactions for writing; the plain, lock-free policy."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as conn:
            yield conn


class SqliteAccess(Access):
    """SQLite: our own BEGIN (deferred to read, IMMEDIATE to write), and a lock.

    ``shared`` (one connection, the in-memory database) puts reads under the
    lock too; a file has a connection per user and only writers queue.
    """

    def __init__(self, engine: AsyncEngine, *, shared: bool) -> None:
        super().__init__(engine)
        self.shared = shared
        self._lock = asyncio.Lock()
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self._guard(self.shared), self.engine.connect() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        async with self._guard(True), self.engine.connect() as conn:
            await conn.execution_options(**{_WRITE: True})
            async with conn.begin():
                yield conn

    @contextlib.asynccontextmanager
    async def _guard(self, locked: bool) -> AsyncIterator[None]:
        if not locked:
            yield
            return
        async with self._lock:
            yield


def _sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    # The driver's own BEGIN handling is off; ``_sqlite_begin`` emits ours.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    writing = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def open_engine(url: str, *, schema: str | None = None) -> tuple[AsyncEngine, Access]:
    """The engine for ``url`` and the access policy its dialect needs.

    ``schema`` (PostgreSQL) puts every statement, migrations' plain SQL
    included, in that schema through the connection's search path.
    """
    pin_driver_loggers()
    memory = url.startswith("sqlite") and (url.endswith((":memory:", "://")))
    kwargs: dict[str, Any] = {"hide_parameters": True, "echo": False}
    if memory:
        # One shared connection, or each checkout would see an empty database.
        kwargs |= {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    elif schema is not None:
        kwargs |= {"connect_args": {"server_settings": {"search_path": schema}}}
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        return engine, SqliteAccess(engine, shared=memory)
    return engine, Access(engine)


__all__ = ["Access", "SqliteAccess", "open_engine", "pin_driver_loggers"]
