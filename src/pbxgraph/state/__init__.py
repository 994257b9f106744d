"""State shared by replicas beside the backends: idempotency keys, the audit trail, the change feed.

It lives in one database (``[state]``; by default the local store's), knows
no GraphQL and no vendor, and is reached by the service (which records every
change it makes) and by the GraphQL layer (which replays idempotent repeats,
lists the audit trail and streams the feed).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Iterator

from pbxgraph.config import Config
from pbxgraph.state.audit import CHANGED, AuditEntry, AuditFilter, AuditPage, AuditTrail, FieldChange
from pbxgraph.state.database import Database, state_url
from pbxgraph.state.feed import Change, ChangeFeed
from pbxgraph.state.idempotency import Claim, Claimed, IdempotencyKeys

log = logging.getLogger("pbxgraph.state")
#: The caller's token name when no tokens are configured.
ANONYMOUS = "anonymous"
_CALLER: contextvars.ContextVar[str] = contextvars.ContextVar("pbxgraph_caller", default=ANONYMOUS)
#: How often expired keys and entries are removed, in seconds.
SWEEP_INTERVAL_S = 3600.0


_WRITES: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("pbxgraph_writes", default=None)


@contextlib.contextmanager
def counting_writes() -> Iterator[list[int]]:
    """Count the backend writes made inside (by every task started inside too): ``[n]``."""
    counter = [0]
    token = _WRITES.set(counter)
    try:
        yield counter
    finally:
        _WRITES.reset(token)


def count_write() -> None:
    """A write is about to reach a backend (called where the service records it)."""
    counter = _WRITES.get()
    if counter is not None:
        counter[0] += 1


def caller() -> str:
    """The token name of the request being served (``anonymous`` without tokens)."""
    return _CALLER.get()


@contextlib.contextmanager
def acting_as(name: str | None) -> Iterator[None]:
    """Run what follows on behalf of token ``name``: audit entries and keys are its."""
    token = _CALLER.set(name or ANONYMOUS)
    try:
        yield
    finally:
        _CALLER.reset(token)


class State:
    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        idempotency_window_s: float = 86_400.0,
        audit_retention_days: float = 90.0,
        audit_read_before: bool = False,
    ) -> None:
        self.database = Database(url, schema)
        self.keys = IdempotencyKeys(self.database, idempotency_window_s)
        self.audit = AuditTrail(self.database, audit_retention_days)
        self.feed = ChangeFeed(self.database)
        self.audit_read_before = audit_read_before
        self._sweeper: asyncio.Task[None] | None = None

    @classmethod
    def from_config(cls, config: Config) -> State:
        state = config.state
        url, schema = state_url(state, config.backends)
        return cls(
            url,
            schema=schema,
            idempotency_window_s=state.idempotency_window_s,
            audit_retention_days=state.audit_retention_days,
            audit_read_before=state.audit_read_before,
        )

    async def open(self) -> None:
        await self.database.open()
        await self.feed.open()
        self._sweeper = asyncio.create_task(self._sweep())

    async def aclose(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await self.feed.aclose()
        await self.database.aclose()

    async def _sweep(self) -> None:
        while True:
            try:
                keys = await self.keys.expire()
                entries = await self.audit.expire()
                if keys or entries:
                    log.info("removed %d expired idempotency key(s) and %d audit entry(ies)", keys, entries)
            except Exception:
                log.warning("could not remove expired state", exc_info=True)
            await asyncio.sleep(SWEEP_INTERVAL_S)

    async def record(self, entry: AuditEntry) -> None:
        """Write the audit entry, and publish the change when it was made."""
        await self.audit.record(entry)
        if entry.outcome == "ok" and entry.object_id is not None:
            await self.feed.publish(
                Change(
                    kind=entry.kind,
                    id=entry.object_id,
                    backend=entry.backend,
                    operation=entry.operation,
                    fields=tuple(f.field for f in entry.fields),
                    at=entry.at,
                )
            )


__all__ = [
    "ANONYMOUS",
    "CHANGED",
    "AuditEntry",
    "AuditFilter",
    "AuditPage",
    "Change",
    "Claim",
    "Claimed",
    "FieldChange",
    "State",
    "acting_as",
    "caller",
    "count_write",
    "counting_writes",
]
