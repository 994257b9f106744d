"""One kind across the configured backends: the typed CRUD the GraphQL layer calls.

``service.users.create(backend, UserCreate(...))`` answers a ``User``; the
type checker sees to it that a ``GroupCreate`` never reaches a user
resource. Every call is checked against the backend's declared
capabilities and rules first, then made through the contract's typed access
(:class:`~pbxgraph.connectors.contract.Access`) and the service's one call
step (timeouts, the backend named on errors, scrubbing).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from pbxgraph.connectors.contract import Access, Resource
from pbxgraph.domain import RECORD_KIND, Filter, Kind, ListQuery, Operation, Page, Record, SortField
from pbxgraph.errors import PbxError
from pbxgraph.redaction import secret_values
from pbxgraph.selection import Selection, selecting
from pbxgraph.service import rules
from pbxgraph.service.auditing import audited, created, patched, removed
from pbxgraph.service.listing import AggregatedPage, list_across

if TYPE_CHECKING:
    from pbxgraph.service.service import PbxService

R_co = TypeVar("R_co", bound=Record, covariant=True)

#: What an audit entry's "before" reads of each kind: its fields, but not the registration state
#: or the vendor payload (either may cost a vendor read of its own).
_AUDITED: dict[Kind, Selection] = {
    kind: Selection({kind: frozenset(f.name for f in dataclasses.fields(record)) - {"raw", "registration"}})
    for record, kind in RECORD_KIND.items()
}
C_contra = TypeVar("C_contra", contravariant=True)
U_contra = TypeVar("U_contra", contravariant=True)


class KindService(Generic[R_co, C_contra, U_contra]):
    """Records ``R`` of one kind, created from ``C`` and changed by ``U``, on any backend."""

    def __init__(self, service: PbxService, access: Access[Resource[R_co, C_contra, U_contra]]) -> None:
        self._service = service
        self._access = access
        self.kind = access.kind

    def _resource(self, backend: str, operation: Operation) -> Resource[R_co, C_contra, U_contra]:
        return self._access.of(self._service.connector(backend, self.kind, operation))

    def _label(self, method: str) -> str:
        return f"{self.kind.value}.{method}"

    async def page(
        self,
        backends: Sequence[str] | None,
        *,
        flt: Filter,
        sort: SortField,
        descending: bool,
        first: int,
        after: str | None,
        count: bool = False,
    ) -> AggregatedPage[R_co]:
        """A page of the listing merged across ``backends`` (all when None), resumable by cursor;
        with its total when ``count`` asks for it."""
        connectors = self._service.backends.select(backends)
        return await list_across(
            connectors,
            self._access,
            flt=flt,
            sort=sort,
            descending=descending,
            first=first,
            after=after,
            configs={c.name: self._service.backends.config(c.name) for c in connectors},
            count=count,
        )

    async def page_of(self, backend: str, query: ListQuery) -> Page[R_co]:
        """One backend's page, as its connector answers ``query``."""
        resource = self._resource(backend, Operation.LIST)
        return await self._service.call(backend, self._label("list"), Operation.LIST, resource.page(query))

    async def get_many(self, backend: str, ids: Sequence[str]) -> list[R_co | None]:
        resource = self._resource(backend, Operation.READ)
        found = await self._service.call(backend, self._label("get_many"), Operation.READ, resource.get_many(list(ids)))
        return list(found)

    async def create(self, backend: str, data: C_contra) -> R_co:
        """Capabilities, then the backend's rules, then one create."""
        resource = self._resource(backend, Operation.CREATE)
        rules.check_create(backend, self.kind, self._service.rules_of(backend, self.kind), data)
        async with audited(self._service.state, backend, self.kind, "create") as entry:
            entry.fields = created(data)
            record = await self._service.call(
                backend, self._label("create"), Operation.CREATE, resource.create(data), secrets=secret_values(data)
            )
            entry.object_id = record.id
        return record

    async def update(self, backend: str, native_id: str, patch: U_contra) -> R_co:
        """Capabilities, then the backend's rules for the fields ``patch`` names, then one update."""
        resource = self._resource(backend, Operation.UPDATE)
        rules.check_update(backend, self.kind, self._service.rules_of(backend, self.kind), patch)
        before = await self._before(backend, native_id)
        async with audited(self._service.state, backend, self.kind, "update", native_id) as entry:
            entry.fields = patched(patch, before, None)  # type: ignore[arg-type]
            record = await self._service.call(
                backend,
                self._label("update"),
                Operation.UPDATE,
                resource.update(native_id, patch),
                secrets=secret_values(patch),
            )
            entry.fields = patched(patch, before, record)  # type: ignore[arg-type]
        return record

    async def delete(self, backend: str, native_id: str) -> None:
        resource = self._resource(backend, Operation.DELETE)
        before = await self._before(backend, native_id)
        async with audited(self._service.state, backend, self.kind, "delete", native_id) as entry:
            entry.fields = removed(before)
            await self._service.call(backend, self._label("delete"), Operation.DELETE, resource.delete(native_id))

    async def _before(self, backend: str, native_id: str) -> R_co | None:
        """The object as it is, for its audit entry, when ``[state] audit_read_before`` asks for it."""
        state = self._service.state
        if state is None or not state.audit_read_before:
            return None
        try:
            # Only what an entry shows: no registration state, no vendor payload, which may cost
            # reads of their own.
            with selecting(_AUDITED[self.kind], memo=False):
                return (await self.get_many(backend, [native_id]))[0]
        except PbxError:
            return None  # the write itself will say what is wrong
