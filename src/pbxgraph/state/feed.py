"""The change feed: what changed, pushed to every subscriber of every replica.

A change made through pbxgraph is published once its backend accepted it;
the pollers publish what they find changed behind pbxgraph's back. Each
subscriber has its own bounded queue, so a slow one never holds up a write
(it loses its oldest events instead, and is told how many).

With the state on PostgreSQL, a change is published with ``NOTIFY`` and
every replica (this one too) hears it through ``LISTEN``, so a subscriber
sees the changes made through any replica, each once. Elsewhere the feed is
this process's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from pbxgraph.state.database import Database

log = logging.getLogger("pbxgraph.state.feed")
CHANNEL = "pbxgraph_changes"
#: Events a subscriber may fall behind by before the oldest are dropped.
QUEUE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class Change:
    """One object changed: which, where, how, which fields, when, and seen how."""

    kind: str
    id: str
    backend: str
    #: "create", "update", "delete", "members", "assign", ...
    operation: str
    fields: tuple[str, ...] = ()
    at: float = 0.0
    #: "pbxgraph" (made through this API) or "poll" (found by looking at the backend).
    source: str = "pbxgraph"

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.at, UTC)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "backend": self.backend,
            "operation": self.operation,
            "fields": list(self.fields),
            "time": self.time.isoformat(),
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        return cls(
            kind=data["kind"],
            id=data["id"],
            backend=data["backend"],
            operation=data["operation"],
            fields=tuple(data.get("fields", ())),
            at=datetime.fromisoformat(data["time"]).timestamp(),
            source=data.get("source", "pbxgraph"),
        )


@dataclass(eq=False)
class Subscription:
    backends: Collection[str] | None
    kinds: Collection[str] | None
    queue: asyncio.Queue[Change] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: int = 0

    def wants(self, change: Change) -> bool:
        return (self.backends is None or change.backend in self.backends) and (
            self.kinds is None or change.kind in self.kinds
        )

    def put(self, change: Change) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(change)


class ChangeFeed:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._subscriptions: set[Subscription] = set()
        self._listener: Any = None

    @property
    def shared(self) -> bool:
        """Whether changes travel between replicas (PostgreSQL's LISTEN/NOTIFY)."""
        return self.database.dialect == "postgresql"

    async def open(self) -> None:
        if not self.shared:
            return
        import asyncpg  # type: ignore[import-untyped]

        dsn = self.database.url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._listener = await asyncpg.connect(dsn)
        await self._listener.add_listener(CHANNEL, self._heard)

    async def aclose(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None

    def _heard(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            change = Change.from_json(json.loads(payload))
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a change notification that is not one")
            return
        self._deliver(change)

    def _deliver(self, change: Change) -> None:
        for subscription in list(self._subscriptions):
            if subscription.wants(change):
                subscription.put(change)

    async def publish(self, change: Change) -> None:
        if not self.shared:
            self._deliver(change)
            return
        async with self.database.write() as conn:
            await conn.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {
                    "channel": CHANNEL,
                    "payload": json.dumps(change.as_json()),
                },
            )

    def watch(self, *, backends: Collection[str] | None = None, kinds: Collection[str] | None = None) -> Subscription:
        """A subscription that lasts until :meth:`unwatch` (for a subscriber that outlives one block)."""
        subscription = Subscription(backends=backends, kinds=kinds)
        self._subscriptions.add(subscription)
        return subscription

    def unwatch(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, *, backends: Collection[str] | None = None, kinds: Collection[str] | None = None
    ) -> AsyncIterator[Subscription]:
        subscription = self.watch(backends=backends, kinds=kinds)
        try:
            yield subscription
        finally:
            self.unwatch(subscription)

    async def stream(
        self, *, backends: Collection[str] | None = None, kinds: Collection[str] | None = None
    ) -> AsyncIterator[Change]:
        async with self.subscribe(backends=backends, kinds=kinds) as subscription:
            while True:
                yield await subscription.queue.get()
