"""The local store as a connector: every kind, every relation, no PBX needed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.exc import ArgumentError

from pbxgraph.config import BackendConfig, ConfigError, read_options, setting
from pbxgraph.connectors.local import tables
from pbxgraph.connectors.local.demo import load_demo_data
from pbxgraph.connectors.local.devices import LocalDevices
from pbxgraph.connectors.local.groups import LocalGroups
from pbxgraph.connectors.local.queues import LocalQueues
from pbxgraph.connectors.local.store import SCHEMA_NAME, Store, database_url
from pbxgraph.connectors.local.trunks import LocalTrunks
from pbxgraph.connectors.local.users import LocalUsers
from pbxgraph.domain import CRUD, Capabilities, Health, HealthStatus, Kind, Operation

CAPABILITIES = Capabilities(
    kinds={
        Kind.USER: CRUD,
        Kind.GROUP: CRUD | {Operation.MEMBERS},
        Kind.QUEUE: CRUD | {Operation.MEMBERS},
        Kind.TRUNK: CRUD,
        Kind.DEVICE: CRUD | {Operation.ASSIGN},
    }
)


class LocalConnector:
    vendor = "local"
    capabilities = CAPABILITIES

    def __init__(self, name: str, url: str, *, demo: bool = False, schema: str | None = None) -> None:
        self.name = name
        self.demo = demo
        self.store = Store(name, url, schema=schema)
        self.users = LocalUsers(self.store)
        self.groups = LocalGroups(self.store)
        self.queues = LocalQueues(self.store)
        self.trunks = LocalTrunks(self.store)
        self.devices = LocalDevices(self.store)

    async def open(self) -> None:
        await self.store.open()
        if self.demo:
            async with self.store.write() as conn:
                empty = (await conn.execute(select(tables.users.c.id).limit(1))).first() is None
                if empty:
                    await load_demo_data(conn)

    async def aclose(self) -> None:
        await self.store.aclose()

    async def health(self) -> Health:
        started = time.perf_counter()
        try:
            async with self.store.read() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - health reports, never raises
            return Health(HealthStatus.DOWN, detail=str(exc), code="BACKEND_UNAVAILABLE")
        return Health(HealthStatus.UP, latency_ms=(time.perf_counter() - started) * 1000)


def _schema_name(value: str | None) -> str | None:
    if value is None or SCHEMA_NAME.fullmatch(value):
        return None
    return f"lower-case letters, digits and '_', starting with a letter, got {value!r}"


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalOptions:
    """The keys of a local store (listed in :mod:`pbxgraph.connectors.local`)."""

    #: A SQLite file, or ":memory:" ...
    path: str | None = None
    #: ... or a database URL (PostgreSQL for several replicas sharing one store).
    url: str | None = None
    #: PostgreSQL only: the tables' schema (created if missing).
    schema: str | None = setting(None, check=_schema_name)
    #: Load the demo data set when the store is empty.
    demo: bool = False

    def problems(self) -> Iterator[tuple[str, str]]:
        if self.url is not None and self.path is not None:
            yield "url", "give either url or path, not both"
        if self.schema is not None and not self.database_url.startswith("postgresql"):
            yield "schema", "only for a PostgreSQL url (postgresql+asyncpg://...)"

    @property
    def database_url(self) -> str:
        return database_url(self.url or self.path or ":memory:")


def create_connector(config: BackendConfig, *, transport: object = None) -> LocalConnector:
    """The ``local`` entry point. Keys: ``path`` (file or ``:memory:``) or ``url``; ``schema``; ``demo``."""
    options = read_options(config, LocalOptions)
    try:
        return LocalConnector(config.name, options.database_url, demo=options.demo, schema=options.schema)
    except ArgumentError as exc:
        raise ConfigError(f"backends.{config.name}.url: not a database URL SQLAlchemy can use: {exc}") from None
    except ModuleNotFoundError as exc:
        hint = ' (pip install "pbxgraph[postgres]")' if exc.name == "asyncpg" else ""
        raise ConfigError(
            f"backends.{config.name}.url: the database driver '{exc.name}' is not installed{hint}"
        ) from None
