"""Changes made on a backend behind pbxgraph's back, found by looking at it now and then.

For a backend named in ``[[state.poll]]``, a poller lists every kind it
watches (a page of 500 at a time) at the configured interval and keeps a
fingerprint of each object: one short hash per field (the vendor payload,
``raw``, counted as one field). None of the supported vendors documents a
change stamp (a modification time or revision) on the objects pbxgraph
maps, so the whole listing is read each round; the diff itself is cheap
(hashes compared, nothing stored but them). A new id is a ``create``, a
missing one a ``delete``, a changed hash an ``update`` naming the fields.

The first round only learns what is there. Objects changed through
pbxgraph are published by the service at once; the poller hears those too
and takes their next state as known, so they are not announced twice. A
round that fails (the backend down) is logged and tried again at the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Sequence

from pbxgraph.config import PollConfig
from pbxgraph.domain import Kind, ListQuery, Operation
from pbxgraph.errors import PbxError
from pbxgraph.service.auditing import plain
from pbxgraph.service.service import PbxService
from pbxgraph.state import Change, State
from pbxgraph.state.feed import Subscription

log = logging.getLogger("pbxgraph.poll")
PAGE = 500
#: Each object's fields by name, each as a short hash.
Fingerprint = dict[str, str]


def fingerprint(record: object) -> Fingerprint:
    values = plain(record)
    values.pop("id", None)
    return {
        name: hashlib.blake2b(json.dumps(value, sort_keys=True, default=str).encode(), digest_size=8).hexdigest()
        for name, value in values.items()
    }


def diff(before: dict[str, Fingerprint], after: dict[str, Fingerprint]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(native id, operation, changed fields) for every object that differs."""
    found: list[tuple[str, str, tuple[str, ...]]] = []
    for native_id, prints in after.items():
        old = before.get(native_id)
        if old is None:
            found.append((native_id, "create", ()))
        elif old != prints:
            fields = tuple(sorted(n for n in prints.keys() | old.keys() if prints.get(n) != old.get(n)))
            found.append((native_id, "update", fields))
    found += [(native_id, "delete", ()) for native_id in before if native_id not in after]
    return found


class Poller:
    """Watches one backend; :meth:`round` is one look, :meth:`run` looks for ever."""

    def __init__(self, service: PbxService, state: State, config: PollConfig) -> None:
        self.service = service
        self.state = state
        self.config = config
        self.backend = config.backend
        self._known: dict[Kind, dict[str, Fingerprint]] = {}
        #: The feed as this poller hears it: objects pbxgraph itself changed since the last round,
        #: whose next state is taken as known.
        self._heard: Subscription | None = None

    def kinds(self) -> list[Kind]:
        capabilities = self.service.capabilities(self.backend)
        wanted = [Kind[k] for k in self.config.kinds] if self.config.kinds else list(Kind)
        return [k for k in wanted if capabilities.supports(k, Operation.LIST)]

    async def _listing(self, kind: Kind) -> dict[str, Fingerprint]:
        facade = self.service.kind(kind)
        found: dict[str, Fingerprint] = {}
        offset = 0
        while True:
            page = await facade.page_of(self.backend, ListQuery(offset=offset, limit=PAGE))
            for record in page.items:
                found[record.id] = fingerprint(record)
            if not page.has_more or not page.items:
                return found
            offset += len(page.items)

    async def round(self) -> list[Change]:
        """Look once; returns (and publishes) what changed since the last look."""
        changes: list[Change] = []
        ours = self._our_own()
        for kind in self.kinds():
            current = await self._listing(kind)
            before = self._known.get(kind)
            self._known[kind] = current
            if before is None:
                continue
            now = time.time()
            for native_id, operation, fields in diff(before, current):
                if (kind.name, native_id) in ours:
                    continue
                changes.append(Change(kind.name, native_id, self.backend, operation, fields, now, source="poll"))
        for change in changes:
            await self.state.feed.publish(change)
        return changes

    def listen(self) -> None:
        """Start hearing the feed, so changes made through pbxgraph are not announced again."""
        if self._heard is None:
            self._heard = self.state.feed.watch(backends=[self.backend])

    def close(self) -> None:
        if self._heard is not None:
            self.state.feed.unwatch(self._heard)
            self._heard = None

    def _our_own(self) -> set[tuple[str, str]]:
        ours: set[tuple[str, str]] = set()
        while self._heard is not None and not self._heard.queue.empty():
            change = self._heard.queue.get_nowait()
            if change.source == "pbxgraph":
                ours.add((change.kind, change.id))
        return ours

    async def run(self) -> None:
        self.listen()
        try:
            while True:
                try:
                    await self.round()
                except PbxError as error:
                    log.warning("polling backend %s failed: %s (%s)", self.backend, error.message, error.code)
                await asyncio.sleep(self.config.interval_s)
        finally:
            self.close()


class Pollers:
    """Every configured poller, as tasks of the app's lifespan."""

    def __init__(self, service: PbxService, state: State, configs: Sequence[PollConfig]) -> None:
        self.pollers = [Poller(service, state, c) for c in configs]
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(p.run(), name=f"poll-{p.backend}") for p in self.pollers]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
