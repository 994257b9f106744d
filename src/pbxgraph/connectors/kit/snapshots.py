"""Listing snapshots: paging through a vendor listing that can only be read whole.

Some vendors cannot sort or page a listing the way pbxgraph answers it (Era
returns no totals, and pbxgraph's order is by name with ties by id), so a
connector reads the whole filtered listing and cuts the page out itself.
Read afresh for every page, paging through 10,000 users 100 at a time would
read the 10,000 a hundred times.

So the first page of a listing (offset 0) always reads afresh and keeps
what it read, keyed by the listing's fingerprint (the collection and the
filter sent to the vendor; the order is applied in pbxgraph to the same
rows); a page further on (offset > 0, i.e. one continued from a cursor)
takes the kept rows while they are younger than the backend's
``listing_snapshot_s``. A write through pbxgraph to the backend drops every
snapshot of it, so pages after a write through pbxgraph read afresh. What
the snapshot can miss is a change made *outside* pbxgraph during the
paging, for at most ``listing_snapshot_s`` seconds after the first page;
once it is older, the next page reads afresh (and offsets continue, as
they always did). ``listing_snapshot_s = 0`` turns snapshots off.

A connector keeps at most :data:`MAX_SNAPSHOTS` listings (the oldest goes
first), so many different filters cannot fill the memory.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final, TypeVar, cast

#: Listings kept per backend, at most.
MAX_SNAPSHOTS: Final = 16
#: The default lifetime of a snapshot, in seconds.
DEFAULT_SNAPSHOT_S: Final = 30.0

T = TypeVar("T")


class Snapshots:
    """The listings one backend's connector keeps between the pages of a paging."""

    def __init__(self, lifetime_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.lifetime_s = lifetime_s
        self._clock = clock
        self._kept: OrderedDict[tuple[str, ...], tuple[float, Any]] = OrderedDict()

    async def listing(self, key: Sequence[str], read: Callable[[], Awaitable[T]], *, fresh: bool) -> T:
        """The listing ``key`` (rows, or records already ordered): as kept unless ``fresh`` or too old,
        else ``read()`` (and kept). One key always holds one type of value: the caller's own."""
        name = tuple(key)
        now = self._clock()
        if not fresh and self.lifetime_s > 0:
            kept = self._kept.get(name)
            if kept is not None and now - kept[0] < self.lifetime_s:
                return cast(T, kept[1])
        rows = await read()
        if self.lifetime_s > 0:
            self._kept[name] = (now, rows)
            self._kept.move_to_end(name)
            while len(self._kept) > MAX_SNAPSHOTS:
                self._kept.popitem(last=False)
        return rows

    def clear(self) -> None:
        """Forget every listing: the backend was written to."""
        self._kept.clear()
