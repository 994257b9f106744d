"""The local store as a connector: every kind, every relation, no PBX needed."""

from __future__ import annotations

import time

from sqlalchemy import select, text
from sqlalchemy.exc import ArgumentError

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.local import tables
from pbxgraph.connectors.local.demo import load_demo_data
from pbxgraph.connectors.local.devices import LocalDevices
from pbxgraph.connectors.local.groups import LocalGroups
from pbxgraph.connectors.local.queues import LocalQueues
from pbxgraph.connectors.local.store import SCHEMA_NAME, Store, database_url
from pbxgraph.connectors.local.trunks import LocalTrunks
from pbxgraph.connectors.local.users import LocalUsers
from pbxgraph.domain import CRUD, Capabilities, Health, HealthStatus, Kind, Operation

CAPABILITIES = Capabilities(kinds={
    Kind.USER: CRUD,
    Kind.GROUP: CRUD | {Operation.MEMBERS},
    Kind.QUEUE: CRUD | {Operation.MEMBERS},
    Kind.TRUNK: CRUD,
    Kind.DEVICE: CRUD | {Operation.ASSIGN},
})


KEYS = ("path", "url", "schema", "demo")


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


def create_connector(config: BackendConfig, *, transport: object = None) -> LocalConnector:
    """The ``local`` entry point. Keys: ``path`` (file or ``:memory:``) or ``url``; ``demo``."""
    unknown = sorted(set(config.options) - set(KEYS))
    if unknown:
        raise ValueError(f"unknown key '{unknown[0]}' for vendor 'local' (known: {', '.join(KEYS)})")
    if config.option("url") is not None and config.option("path") is not None:
        raise ValueError("url: give either url or path, not both")
    location = config.option("url") or config.option("path") or ":memory:"
    if not isinstance(location, str):
        raise ValueError(f"{'url' if config.option('url') else 'path'}: must be a string, got {location!r}")
    url = database_url(location)
    demo = config.option("demo", False)
    if not isinstance(demo, bool):
        raise ValueError(f"demo: must be true or false, got {demo!r}")
    schema = config.option("schema")
    if schema is not None:
        if not url.startswith("postgresql"):
            raise ValueError("schema: only for a PostgreSQL url (postgresql+asyncpg://...)")
        if not isinstance(schema, str) or not SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"schema: lower-case letters, digits and '_', starting with a letter, got {schema!r}")
    try:
        return LocalConnector(config.name, url, demo=demo, schema=schema)
    except ArgumentError as exc:
        raise ValueError(f"url: not a database URL SQLAlchemy can use: {exc}") from None
    except ModuleNotFoundError as exc:
        hint = ' (pip install "pbxgraph[postgres]")' if exc.name == "asyncpg" else ""
        raise ValueError(f"url: the database driver '{exc.name}' is not installed{hint}") from None
