"""The service: what the GraphQL layer asks for, in backend-neutral terms.

It checks every call against the backend's declared capabilities (so an
unsupported kind or operation is NOT_SUPPORTED naming the backend, and never
reaches the vendor), applies the per-backend timeout, and fans listings and
look-ups out concurrently. It knows no GraphQL, and hands the layer above
domain records and capabilities, never a connector.

Each kind has its typed facade (``service.users`` ... a :class:`KindService`),
so a create of a user takes a ``UserCreate`` and answers a ``User``: every
connector method is reached through the contract's typed access, never by
its name.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Never, TypeVar

from pbxgraph import deadline, effects
from pbxgraph.config import LimitsConfig
from pbxgraph.connectors.contract import DEVICES, GROUPS, QUEUES, TRUNKS, USERS, Connector
from pbxgraph.domain import (
    Capabilities,
    Device,
    DeviceAction,
    DeviceCreate,
    DeviceUpdate,
    Filter,
    Group,
    GroupCreate,
    GroupMember,
    GroupUpdate,
    Health,
    HealthStatus,
    Kind,
    KindRules,
    ListQuery,
    Operation,
    Queue,
    QueueCreate,
    QueueMember,
    QueueMemberInput,
    QueueUpdate,
    Record,
    Trunk,
    TrunkCreate,
    TrunkUpdate,
    User,
    UserCreate,
    UserUpdate,
)
from pbxgraph.errors import PbxError, not_supported
from pbxgraph.redaction import MAX_MESSAGE, scrub_text
from pbxgraph.service import rules
from pbxgraph.service.auditing import audited, plain
from pbxgraph.service.backends import Backends
from pbxgraph.service.calls import call
from pbxgraph.service.kinds import KindService
from pbxgraph.state import FieldChange, State
from pbxgraph.telemetry.metrics import METRICS

T = TypeVar("T")


#: What can own an extension.
Owner = User | Group | Queue


@dataclass(slots=True)
class DirectoryEntry:
    backend: str
    kind: Kind
    record: Owner


@dataclass(slots=True)
class DirectoryResult:
    number: str
    entries: list[DirectoryEntry]
    errors: list[PbxError]


#: Operations that only read: bounded by the request's deadline. Every other one writes.
READS = frozenset({Operation.LIST, Operation.READ, Operation.REGISTRATION})


class PbxService:
    def __init__(self, backends: Backends, limits: LimitsConfig | None = None, state: State | None = None) -> None:
        self.backends = backends
        self.limits = limits or LimitsConfig()
        #: Where writes are recorded (audit trail, change feed) and idempotency keys kept; None: nowhere.
        self.state = state
        self.users: KindService[User, UserCreate, UserUpdate] = KindService(self, USERS)
        self.groups: KindService[Group, GroupCreate, GroupUpdate] = KindService(self, GROUPS)
        self.queues: KindService[Queue, QueueCreate, QueueUpdate] = KindService(self, QUEUES)
        self.trunks: KindService[Trunk, TrunkCreate, TrunkUpdate] = KindService(self, TRUNKS)
        self.devices: KindService[Device, DeviceCreate, DeviceUpdate] = KindService(self, DEVICES)
        self._kinds: Mapping[Kind, KindService[Record, Never, Never]] = {
            Kind.USER: self.users,
            Kind.GROUP: self.groups,
            Kind.QUEUE: self.queues,
            Kind.TRUNK: self.trunks,
            Kind.DEVICE: self.devices,
        }

    @property
    def request_timeout_s(self) -> float:
        """The deadline of one query: configured, or a second over the slowest backend's own timeout."""
        if self.limits.request_timeout_s is not None:
            return self.limits.request_timeout_s
        return max((self.backends.config(name).timeout_s for name in self.backends.names), default=5.0) + 1.0

    def scoped(self, names: Collection[str] | None) -> PbxService:
        """The service as a caller limited to ``names`` sees it; itself when unlimited."""
        return self if names is None else PbxService(self.backends.only(names), self.limits, self.state)

    def kind(self, kind: Kind) -> KindService[Record, Never, Never]:
        """Any kind's facade, for callers that hold the kind as a value (a global id's): reads and deletes."""
        return self._kinds[kind]

    # --- the configured backends, as the layer above may see them ----------------------

    def vendors(self) -> dict[str, str]:
        """Each backend this caller sees, by name in configuration order, with its vendor."""
        return {c.name: c.vendor for c in self.backends}

    def require(self, backend: str, *, field: str = "backend") -> str:
        """``backend`` if this caller sees it, else BAD_USER_INPUT naming ``field``."""
        self.backends.get(backend, field=field)
        return backend

    def hides(self, backend: str) -> bool:
        """Whether ``backend`` is configured but out of this caller's sight."""
        return self.backends.hides(backend)

    def capabilities(self, backend: str, *, field: str = "backend") -> Capabilities:
        return self.backends.get(backend, field=field).capabilities

    def rules_of(self, backend: str, kind: Kind) -> KindRules:
        return self.capabilities(backend).rules_for(kind)

    # --- plumbing ------------------------------------------------------------

    def connector(self, backend: str, kind: Kind, operation: Operation) -> Connector:
        """The backend's connector, if it declares ``operation`` on ``kind``; else NOT_SUPPORTED."""
        connector = self.backends.get(backend)
        if not connector.capabilities.supports(kind, operation):
            if not connector.capabilities.supports(kind):
                raise not_supported(backend, kind.value)
            raise not_supported(backend, kind.value, operation.value)
        return connector

    async def call(
        self, backend: str, label: str, operation: Operation, awaitable: Awaitable[T], *, secrets: Sequence[str] = ()
    ) -> T:
        """Await one connector call, named ``label`` (``user.get_many``) in metrics, logs and traces."""
        with effects.on_backend(backend):
            return await call(
                self.backends.config(backend), label, awaitable, write=operation not in READS, secrets=secrets
            )

    # --- relations -------------------------------------------------------------

    async def groups_of_users(self, backend: str, ids: Sequence[str]) -> list[list[Group]]:
        if not self.capabilities(backend).supports(Kind.GROUP):
            return [[] for _ in ids]  # a backend without groups: nobody is in one
        users = USERS.of(self.connector(backend, Kind.USER, Operation.READ))
        return await self.call(backend, "user.groups_of", Operation.READ, users.groups_of(list(ids)))

    async def devices_of_users(self, backend: str, ids: Sequence[str]) -> list[list[Device]]:
        if not self.capabilities(backend).supports(Kind.DEVICE):
            return [[] for _ in ids]
        users = USERS.of(self.connector(backend, Kind.USER, Operation.READ))
        return await self.call(backend, "user.devices_of", Operation.READ, users.devices_of(list(ids)))

    async def members_of_groups(self, backend: str, ids: Sequence[str]) -> list[list[GroupMember]]:
        groups = GROUPS.of(self.connector(backend, Kind.GROUP, Operation.READ))
        return await self.call(backend, "group.members_of", Operation.READ, groups.members_of(list(ids)))

    async def members_of_queues(self, backend: str, ids: Sequence[str]) -> list[list[QueueMember]]:
        queues = QUEUES.of(self.connector(backend, Kind.QUEUE, Operation.READ))
        return await self.call(backend, "queue.members_of", Operation.READ, queues.members_of(list(ids)))

    async def users_of_devices(self, backend: str, ids: Sequence[str]) -> list[User | None]:
        devices = DEVICES.of(self.connector(backend, Kind.DEVICE, Operation.READ))
        return await self.call(backend, "device.users_of", Operation.READ, devices.users_of(list(ids)))

    # --- reads across backends ---------------------------------------------------

    async def directory(self, number: str) -> DirectoryResult:
        """Who owns ``number`` on every backend: users, groups and queues alike."""
        owners: tuple[KindService[Owner, Never, Never], ...] = (self.users, self.groups, self.queues)
        asks = [
            (c.name, kind)
            for c in self.backends
            for kind in owners
            if c.capabilities.supports(kind.kind, Operation.LIST)
        ]
        query = ListQuery(filter=Filter(extension=number), limit=10)

        async def ask(backend: str, kind: KindService[Owner, Never, Never]) -> list[DirectoryEntry]:
            page = await kind.page_of(backend, query)
            return [DirectoryEntry(backend, kind.kind, record) for record in page.items]

        results = await asyncio.gather(*(ask(backend, kind) for backend, kind in asks), return_exceptions=True)
        entries: list[DirectoryEntry] = []
        errors: dict[str, PbxError] = {}
        for (backend, _), result in zip(asks, results, strict=True):
            if isinstance(result, PbxError):
                errors.setdefault(backend, result.with_backend(backend))
            elif isinstance(result, BaseException):
                raise result
            else:
                entries += result
        return DirectoryResult(number=number, entries=entries, errors=list(errors.values()))

    async def health(self, backend: str) -> Health:
        """Probe a backend within its timeout (and the request's deadline); the detail comes scrubbed."""
        connector = self.backends.get(backend)
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

    # --- membership and devices ------------------------------------------------------------

    async def add_group_members(self, backend: str, group_id: str, user_ids: Sequence[str]) -> list[GroupMember]:
        groups = GROUPS.of(self.connector(backend, Kind.GROUP, Operation.MEMBERS))
        async with audited(self.state, backend, Kind.GROUP, "add_members", group_id) as entry:
            entry.fields = [FieldChange("members", None, {"added": list(user_ids)})]
            return await self.call(
                backend, "group.add_members", Operation.MEMBERS, groups.add_members(group_id, list(user_ids))
            )

    async def remove_group_members(self, backend: str, group_id: str, user_ids: Sequence[str]) -> list[GroupMember]:
        groups = GROUPS.of(self.connector(backend, Kind.GROUP, Operation.MEMBERS))
        async with audited(self.state, backend, Kind.GROUP, "remove_members", group_id) as entry:
            entry.fields = [FieldChange("members", None, {"removed": list(user_ids)})]
            return await self.call(
                backend, "group.remove_members", Operation.MEMBERS, groups.remove_members(group_id, list(user_ids))
            )

    async def set_queue_members(
        self, backend: str, queue_id: str, members: Sequence[QueueMemberInput]
    ) -> list[QueueMember]:
        queues = QUEUES.of(self.connector(backend, Kind.QUEUE, Operation.MEMBERS))
        rules.check_queue_members(backend, self.rules_of(backend, Kind.QUEUE), members)
        async with audited(self.state, backend, Kind.QUEUE, "set_members", queue_id) as entry:
            entry.fields = [FieldChange("members", None, plain(list(members)))]
            return await self.call(
                backend, "queue.set_members", Operation.MEMBERS, queues.set_members(queue_id, list(members))
            )

    async def assign_device(self, backend: str, device_id: str, user_id: str) -> Device:
        devices = DEVICES.of(self.connector(backend, Kind.DEVICE, Operation.ASSIGN))
        async with audited(self.state, backend, Kind.DEVICE, "assign", device_id) as entry:
            entry.fields = [FieldChange("user_id", None, user_id)]
            return await self.call(backend, "device.assign", Operation.ASSIGN, devices.assign(device_id, user_id))

    async def unassign_device(self, backend: str, device_id: str) -> Device:
        devices = DEVICES.of(self.connector(backend, Kind.DEVICE, Operation.ASSIGN))
        async with audited(self.state, backend, Kind.DEVICE, "unassign", device_id) as entry:
            entry.fields = [FieldChange("user_id", None, None)]
            return await self.call(backend, "device.unassign", Operation.ASSIGN, devices.unassign(device_id))

    async def device_action(self, backend: str, device_id: str, action: DeviceAction) -> None:
        operation = Operation.RESYNC if action is DeviceAction.RESYNC else Operation.RESTART
        devices = DEVICES.of(self.connector(backend, Kind.DEVICE, operation))
        async with audited(self.state, backend, Kind.DEVICE, action.value, device_id):
            await self.call(backend, "device.act", operation, devices.act(device_id, action))
