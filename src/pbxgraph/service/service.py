"""The service: what the GraphQL layer asks for, in backend-neutral terms.

It checks every call against the backend's declared capabilities (so an
unsupported kind or operation is NOT_SUPPORTED naming the backend, and never
reaches the vendor), applies the per-backend timeout, and fans listings and
look-ups out concurrently. It knows no GraphQL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from pbxgraph import deadline, effects
from pbxgraph.config import LimitsConfig
from pbxgraph.connectors.contract import Connector, resource_of
from pbxgraph.domain import (
    Device,
    DeviceAction,
    Filter,
    Group,
    GroupMember,
    Health,
    HealthStatus,
    Kind,
    KindRules,
    ListQuery,
    Operation,
    QueueMember,
    QueueMemberInput,
    Record,
    SortField,
    User,
)
from pbxgraph.errors import PbxError, not_supported
from pbxgraph.redaction import MAX_MESSAGE, scrub_text, secret_values
from pbxgraph.service import rules
from pbxgraph.service.backends import Backends
from pbxgraph.service.calls import call
from pbxgraph.service.listing import AggregatedPage, list_across
from pbxgraph.telemetry.metrics import METRICS


@dataclass(slots=True)
class DirectoryEntry:
    backend: str
    kind: Kind
    record: Record


@dataclass(slots=True)
class DirectoryResult:
    number: str
    entries: list[DirectoryEntry]
    errors: list[PbxError]


#: Operations that only read: bounded by the request's deadline. Every other one writes.
READS = frozenset({Operation.LIST, Operation.READ, Operation.REGISTRATION})


class PbxService:
    def __init__(self, backends: Backends, limits: LimitsConfig | None = None) -> None:
        self.backends = backends
        self.limits = limits or LimitsConfig()

    @property
    def request_timeout_s(self) -> float:
        """The deadline of one query: configured, or a second over the slowest backend's own timeout."""
        if self.limits.request_timeout_s is not None:
            return self.limits.request_timeout_s
        return max((self.backends.config(name).timeout_s for name in self.backends.names), default=5.0) + 1.0

    def scoped(self, names: Collection[str] | None) -> PbxService:
        """The service as a caller limited to ``names`` sees it; itself when unlimited."""
        return self if names is None else PbxService(self.backends.only(names), self.limits)

    # --- plumbing ------------------------------------------------------------

    def resource(self, backend: str, kind: Kind, operation: Operation) -> Any:
        connector = self.backends.get(backend)
        if not connector.capabilities.supports(kind, operation):
            if not connector.capabilities.supports(kind):
                raise not_supported(backend, kind.value)
            raise not_supported(backend, kind.value, operation.value)
        return resource_of(connector, kind)

    async def _call(self, backend: str, kind: Kind, operation: Operation, method: str, *args: Any) -> Any:
        resource = self.resource(backend, kind, operation)
        with effects.on_backend(backend):
            return await call(self.backends.config(backend), f"{kind.value}.{method}",
                              getattr(resource, method)(*args),
                              write=operation not in READS, secrets=secret_values(args))

    # --- reads ---------------------------------------------------------------

    async def list(
        self,
        kind: Kind,
        backends: Sequence[str] | None,
        *,
        flt: Filter,
        sort: SortField,
        descending: bool,
        first: int,
        after: str | None,
    ) -> AggregatedPage[Any]:
        connectors = self.backends.select(backends)
        return await list_across(
            connectors, kind, flt=flt, sort=sort, descending=descending, first=first,
            after=after, configs={c.name: self.backends.config(c.name) for c in connectors},
        )

    async def get_many(self, backend: str, kind: Kind, ids: Sequence[str]) -> list[Any]:
        return await self._call(backend, kind, Operation.READ, "get_many", list(ids))

    async def groups_of_users(self, backend: str, ids: Sequence[str]) -> list[list[Group]]:
        if not self.backends.get(backend).capabilities.supports(Kind.GROUP):
            return [[] for _ in ids]  # a backend without groups: nobody is in one
        return await self._call(backend, Kind.USER, Operation.READ, "groups_of", list(ids))

    async def devices_of_users(self, backend: str, ids: Sequence[str]) -> list[list[Device]]:
        if not self.backends.get(backend).capabilities.supports(Kind.DEVICE):
            return [[] for _ in ids]
        return await self._call(backend, Kind.USER, Operation.READ, "devices_of", list(ids))

    async def members_of_groups(self, backend: str, ids: Sequence[str]) -> list[list[GroupMember]]:
        return await self._call(backend, Kind.GROUP, Operation.READ, "members_of", list(ids))

    async def members_of_queues(self, backend: str, ids: Sequence[str]) -> list[list[QueueMember]]:
        return await self._call(backend, Kind.QUEUE, Operation.READ, "members_of", list(ids))

    async def users_of_devices(self, backend: str, ids: Sequence[str]) -> list[User | None]:
        return await self._call(backend, Kind.DEVICE, Operation.READ, "users_of", list(ids))

    async def directory(self, number: str) -> DirectoryResult:
        """Who owns ``number`` on every backend: users, groups and queues alike."""
        asks: list[tuple[str, Kind]] = [
            (c.name, kind)
            for c in self.backends
            for kind in (Kind.USER, Kind.GROUP, Kind.QUEUE)
            if c.capabilities.supports(kind, Operation.LIST)
        ]

        async def ask(backend: str, kind: Kind) -> list[Record]:
            page = await self._call(backend, kind, Operation.LIST, "list",
                                    ListQuery(filter=Filter(extension=number), limit=10))
            return list(page.items)

        results = await asyncio.gather(*(ask(b, k) for b, k in asks), return_exceptions=True)
        entries: list[DirectoryEntry] = []
        errors: dict[str, PbxError] = {}
        for (backend, kind), result in zip(asks, results, strict=True):
            if isinstance(result, PbxError):
                errors.setdefault(backend, result.with_backend(backend))
            elif isinstance(result, BaseException):
                raise result
            else:
                entries += [DirectoryEntry(backend, kind, record) for record in result]
        return DirectoryResult(number=number, entries=entries, errors=list(errors.values()))

    async def health(self, backend: str) -> Health:
        """Probe a backend within its timeout (and the request's deadline); the detail comes scrubbed."""
        connector: Connector = self.backends.get(backend)
        config = self.backends.config(backend)
        limit = config.timeout_s
        left = deadline.remaining()
        if left is not None:
            limit = min(limit, max(left, 0.0))
        started = time.perf_counter()
        try:
            async with asyncio.timeout(limit):
                health = await connector.health()
        except TimeoutError:
            health = Health(HealthStatus.DOWN, detail="health check timed out", code="BACKEND_TIMEOUT")
        METRICS.backend_health(backend, health.status is HealthStatus.UP)
        if health.latency_ms is None:
            health.latency_ms = (time.perf_counter() - started) * 1000
        if health.detail is not None:
            health.detail = scrub_text(health.detail, config.secrets, limit=MAX_MESSAGE)
        return health

    # --- writes --------------------------------------------------------------

    def rules_of(self, backend: str, kind: Kind) -> KindRules:
        return self.backends.get(backend).capabilities.rules_for(kind)

    async def create(self, backend: str, kind: Kind, data: Any) -> Any:
        self.resource(backend, kind, Operation.CREATE)
        rules.check_create(backend, kind, self.rules_of(backend, kind), data)
        return await self._call(backend, kind, Operation.CREATE, "create", data)

    async def update(self, backend: str, kind: Kind, native_id: str, patch: Any) -> Any:
        self.resource(backend, kind, Operation.UPDATE)
        rules.check_update(backend, kind, self.rules_of(backend, kind), patch)
        return await self._call(backend, kind, Operation.UPDATE, "update", native_id, patch)

    async def delete(self, backend: str, kind: Kind, native_id: str) -> None:
        await self._call(backend, kind, Operation.DELETE, "delete", native_id)

    async def add_group_members(self, backend: str, group_id: str, user_ids: Sequence[str]) -> list[GroupMember]:
        return await self._call(backend, Kind.GROUP, Operation.MEMBERS, "add_members", group_id, list(user_ids))

    async def remove_group_members(self, backend: str, group_id: str,
                                   user_ids: Sequence[str]) -> list[GroupMember]:
        return await self._call(backend, Kind.GROUP, Operation.MEMBERS, "remove_members", group_id,
                                list(user_ids))

    async def set_queue_members(self, backend: str, queue_id: str,
                                members: Sequence[QueueMemberInput]) -> list[QueueMember]:
        self.resource(backend, Kind.QUEUE, Operation.MEMBERS)
        rules.check_queue_members(backend, self.rules_of(backend, Kind.QUEUE), members)
        return await self._call(backend, Kind.QUEUE, Operation.MEMBERS, "set_members", queue_id, list(members))

    async def assign_device(self, backend: str, device_id: str, user_id: str) -> Device:
        return await self._call(backend, Kind.DEVICE, Operation.ASSIGN, "assign", device_id, user_id)

    async def unassign_device(self, backend: str, device_id: str) -> Device:
        return await self._call(backend, Kind.DEVICE, Operation.ASSIGN, "unassign", device_id)

    async def device_action(self, backend: str, device_id: str, action: DeviceAction) -> None:
        operation = Operation.RESYNC if action is DeviceAction.RESYNC else Operation.RESTART
        await self._call(backend, Kind.DEVICE, operation, "act", device_id, action)
