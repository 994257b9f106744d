"""What every Infinity kind shares: listing across domains, batched reads, finding a new record.

**Listing.** Filters go to the vendor (``extensionNumber-eq``, a ``like`` per
searchable field, the MAC); since ``filter[]`` values are ANDed, a search
over two fields (a user's display name *or* user name) is two filtered
requests whose answers are merged. A server that refuses an operator gets
the request without it and the rows are filtered here (see :mod:`.client`).
A listing that repeats a row gives one record for it. Infinity's own sort order (its collation,
extensions as text) is not pbxgraph's, so the matching rows of every served
domain are read whole and sorted and paged here with
:func:`~pbxgraph.connectors.querying.ordered`: the service can then merge
our pages with other backends' without losing or repeating an item. The
pages after a listing's first reuse what it read, for the backend's
``listing_snapshot_s`` (:mod:`pbxgraph.connectors.kit.snapshots`).

**Batched reads.** Infinity has no "these ids" parameter, but it compares
ids: ``{id}-gt-value-{lo}`` and ``{id}-lt-value-{hi}`` fetch a whole run of
ids in one request. Ids that lie close together are read that way, one
request per run and domain; far-apart ids start a new run, so a batch never
drags in much more than it asked for (see :func:`runs`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pbxgraph.connectors.http import gather
from pbxgraph.connectors.infinity.client import InfinityClient, filter_params
from pbxgraph.connectors.infinity.filters import VendorFilter, eq, gt, like, lt
from pbxgraph.connectors.infinity.ids import NativeId, parse_id
from pbxgraph.connectors.infinity.mapping import text, vendor_mac
from pbxgraph.connectors.infinity.rows import Row, unique_rows
from pbxgraph.connectors.querying import ordered, window
from pbxgraph.domain import Device, Group, ListQuery, Page, Queue, User
from pbxgraph.errors import BackendError, NotFound
from pbxgraph.ids import numeric_id
from pbxgraph.validation import normalize_mac

R = TypeVar("R", bound=User | Group | Queue | Device)

#: A run may span this many ids, plus ``RUN_SLACK_PER_ID`` for each id in it.
RUN_BASE_SPAN = 100
RUN_SLACK_PER_ID = 4


def runs(ids: Iterable[int]) -> list[list[int]]:
    """Sorted ids cut into runs that are each cheap to read with one range request."""
    out: list[list[int]] = []
    for value in sorted(set(ids)):
        if out and value - out[-1][0] + 1 <= RUN_BASE_SPAN + RUN_SLACK_PER_ID * (len(out[-1]) + 1):
            out[-1].append(value)
        else:
            out.append([value])
    return out


def run_filters(field: str, run: Sequence[int]) -> list[VendorFilter]:
    if len(run) == 1:
        return [eq(field, run[0])]
    return [gt(field, run[0] - 1), lt(field, run[-1] + 1)]


@dataclass(frozen=True, slots=True)
class Spec(Generic[R]):
    """One Infinity kind: where it lives and how its rows become records."""

    noun: str
    segment: str
    id_field: str
    to_record: Callable[[Row, int, str], R]
    extension_field: str | None = None
    search_fields: tuple[str, ...] = ()
    mac_field: str | None = None


class DomainCollection(Generic[R]):
    def __init__(self, client: InfinityClient, spec: Spec[R], domains: Sequence[int]) -> None:
        self.client = client
        self.spec = spec
        self.domains = tuple(domains)
        self.backend = client.backend

    # --- ids --------------------------------------------------------------------------

    def parse(self, native: str) -> NativeId | None:
        return parse_id(native, self.domains)

    def not_found(self, native: str | NativeId) -> NotFound:
        return NotFound(f"{self.spec.noun} '{native}' not found on backend '{self.backend}'", backend=self.backend)

    def require_id(self, native: str) -> NativeId:
        parsed = self.parse(native)
        if parsed is None:
            raise self.not_found(native)
        return parsed

    def subject(self, nid: NativeId) -> str:
        return f"{self.spec.noun} '{nid}'"

    def item_path(self, nid: NativeId, *more: str | int) -> str:
        return self.client.path(nid.domain, self.spec.segment, nid.id, *more)

    def record(self, row: Row, domain: int) -> R:
        return self.spec.to_record(row, domain, self.backend)

    # --- reads ------------------------------------------------------------------------

    async def fetch_row(self, nid: NativeId) -> Row | None:
        return await self.client.row(self.item_path(nid), subject=self.subject(nid), id_field=self.spec.id_field)

    async def fetch(self, nid: NativeId) -> R:
        """The record, or NotFound."""
        row = await self.fetch_row(nid)
        if row is None:
            raise self.not_found(nid)
        return self.record(row, nid.domain)

    async def rows_where(self, domain: int, field: str, values: Iterable[int]) -> list[Row]:
        """Rows of one domain whose integer ``field`` is one of ``values``: one request per run."""
        wanted = set(values)
        path = self.client.path(domain, self.spec.segment)
        rows = await self.client.matching_rows(
            path, [run_filters(field, run) for run in runs(wanted)], id_field=self.spec.id_field
        )
        out: list[Row] = []
        for row in rows:
            value = text(row.get(field))
            if numeric_id(value) in wanted:
                out.append(row)
        return out

    async def get_many(self, ids: Sequence[str]) -> list[R | None]:
        parsed = [self.parse(i) for i in ids]
        return await self.get_parsed(parsed)

    async def get_parsed(self, parsed: Sequence[NativeId | None]) -> list[R | None]:
        by_domain: dict[int, set[int]] = {}
        for nid in parsed:
            if nid is not None:
                by_domain.setdefault(nid.domain, set()).add(nid.id)
        domains = list(by_domain)
        answers = await gather([self.rows_where(d, self.spec.id_field, by_domain[d]) for d in domains])
        found: dict[str, R] = {}
        for domain, rows in zip(domains, answers, strict=True):
            for row in rows:
                record = self.record(row, domain)
                found[record.id] = record
        return [None if nid is None else found.get(str(nid)) for nid in parsed]

    async def find_created(self, domain: int, field: str, value: str) -> R:
        """The record a create just made, found by a unique key; never retries the create."""
        rows = await self.client.rows(
            self.client.path(domain, self.spec.segment), filter_params([eq(field, value)]), id_field=self.spec.id_field
        )
        matching = [r for r in unique_rows(rows, self.spec.id_field) if text(r.get(field)) == value]
        if len(matching) != 1:
            raise BackendError(
                f"backend '{self.backend}' accepted the new {self.spec.noun} but listing "
                f"{field} = '{value}' found {len(matching)} of them",
                backend=self.backend,
                details={"field": field, "found": len(matching)},
            )
        return self.record(matching[0], domain)

    # --- listing ----------------------------------------------------------------------

    def _vendor_filters(self, query: ListQuery) -> list[list[VendorFilter]] | None:
        """The filter sets to request (their answers are merged); None if nothing can match."""
        flt = query.filter
        base: list[VendorFilter] = []
        if flt.extension is not None:
            if self.spec.extension_field is None:
                return None
            base.append(eq(self.spec.extension_field, flt.extension))
        if flt.mac is not None:
            mac = normalize_mac(flt.mac)
            if self.spec.mac_field is None or mac is None:
                return None
            base.append(like(self.spec.mac_field, vendor_mac(mac)))
        # LIKE treats % and _ as wildcards (a superset, re-checked below) but a
        # backslash as an escape, which could hide a match: such searches stay local.
        if flt.search and "\\" not in flt.search and self.spec.search_fields:
            pattern = f"%{flt.search}%"
            return [[*base, like(name, pattern)] for name in self.spec.search_fields]
        return [base]

    async def page(self, query: ListQuery) -> Page[R]:
        """Every domain's matching rows, ordered here; a page after the first may reuse them (``Snapshots``)."""
        variants = self._vendor_filters(query)
        if variants is None:
            return Page(items=[], has_more=False, total=0)

        async def read() -> list[R]:
            pages = await gather(
                [
                    self.client.matching_rows(
                        self.client.path(domain, self.spec.segment), variants, id_field=self.spec.id_field
                    )
                    for domain in self.domains
                ]
            )
            rows = zip(self.domains, pages, strict=True)
            return ordered([self.record(row, domain) for domain, found in rows for row in found], query)

        key = (self.spec.segment, repr(self.domains), repr(query.filter), query.sort.value, str(query.descending))
        return window(await self.client.snapshots.listing(key, read, fresh=query.offset == 0), query)
