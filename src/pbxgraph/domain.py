"""The vendor-neutral domain model.

Connectors return these records and the GraphQL layer wraps them; neither side
needs to know the other. Records carry *native* ids only: which backend an
object lives on is known by whoever asked for it, never by the record itself,
so one connector class can serve many configured backends.

Every record keeps the vendor's own payload in ``raw`` (with secrets removed)
so that nothing a vendor says is lost to the unified shape.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Generic, TypeVar, Final


class Kind(enum.StrEnum):
    USER = "user"
    GROUP = "group"
    QUEUE = "queue"
    TRUNK = "trunk"
    DEVICE = "device"


class Operation(enum.StrEnum):
    """What a backend can do with one kind; declared in its capabilities."""

    LIST = "list"
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    #: Add/remove group members, set queue members and their order.
    MEMBERS = "members"
    #: Assign a device to a user or take it away.
    ASSIGN = "assign"
    #: Ask a device to re-read its configuration.
    RESYNC = "resync"
    #: Ask a device to reboot.
    RESTART = "restart"
    #: Report whether a user's phone is registered.
    REGISTRATION = "registration"


CRUD: Final = frozenset(
    {Operation.LIST, Operation.READ, Operation.CREATE, Operation.UPDATE, Operation.DELETE}
)


class RingStrategy(enum.StrEnum):
    """How a group or queue rings its members, in the words of no vendor."""

    ALL = "all"  # every member at once (parallel)
    SEQUENTIAL = "sequential"  # one after the other, in order (cascade)
    RANDOM = "random"
    ROUND_ROBIN = "round_robin"
    LONGEST_IDLE = "longest_idle"
    PRIORITY = "priority"  # by member priority, then order


class Registration(enum.StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


class Transport(enum.StrEnum):
    UDP = "udp"
    TCP = "tcp"
    TLS = "tls"


class MemberKind(enum.StrEnum):
    USER = "user"
    GROUP = "group"


class DeviceAction(enum.StrEnum):
    RESYNC = "resync"
    RESTART = "restart"


class SortField(enum.StrEnum):
    NAME = "name"
    EXTENSION = "extension"


# --- Partial updates ----------------------------------------------------------


class _Unset:
    """Marks a field an update leaves alone (distinct from ``None``, which clears)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset()
UnsetType = _Unset


class PatchMixin:
    """Shared by update inputs: ``changes()`` is what the caller actually sent."""

    def changes(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)  # type: ignore[arg-type]
                if getattr(self, f.name) is not UNSET}

    def is_empty(self) -> bool:
        return not self.changes()


# --- Records ------------------------------------------------------------------


@dataclass(slots=True)
class User:
    id: str
    username: str
    display_name: str | None = None
    extension: str | None = None
    email: str | None = None
    enabled: bool = True
    #: ``None`` where the backend cannot tell.
    registration: Registration | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.display_name or self.username


@dataclass(slots=True)
class Group:
    id: str
    name: str
    extension: str | None = None
    strategy: RingStrategy | None = None
    description: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class GroupMember:
    """One entry of a group: a user of the same backend, or a bare number.

    Vendors such as Era ring numbers, not accounts; a number that matches no
    user stays visible as an external member rather than disappearing.
    """

    position: int
    user: User | None = None
    number: str | None = None


@dataclass(slots=True)
class Queue:
    id: str
    name: str
    extension: str | None = None
    strategy: RingStrategy | None = None
    description: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class QueueMember:
    """A user or a group serving a queue, in ring order."""

    position: int
    kind: MemberKind
    user: User | None = None
    group: Group | None = None
    priority: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Trunk:
    id: str
    name: str
    host: str | None = None
    port: int | None = None
    transport: Transport | None = None
    username: str | None = None
    enabled: bool = True
    register: bool | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Device:
    id: str
    mac: str | None = None
    model: str | None = None
    name: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


Record = User | Group | Queue | Trunk | Device
R = TypeVar("R", User, Group, Queue, Trunk, Device)

RECORD_KIND: Final[Mapping[type, Kind]] = {
    User: Kind.USER,
    Group: Kind.GROUP,
    Queue: Kind.QUEUE,
    Trunk: Kind.TRUNK,
    Device: Kind.DEVICE,
}


def record_name(record: Record) -> str:
    """The human name a listing sorts and searches by."""
    if isinstance(record, User):
        return record.name
    if isinstance(record, Device):
        return record.name or record.mac or record.id
    return record.name


def record_extension(record: Record) -> str | None:
    return getattr(record, "extension", None)


# --- Inputs -------------------------------------------------------------------


@dataclass(slots=True)
class UserCreate:
    username: str
    display_name: str | None = None
    extension: str | None = None
    email: str | None = None
    enabled: bool = True
    #: Write-only: accepted, never returned.
    sip_password: str | None = None


@dataclass(slots=True)
class UserUpdate(PatchMixin):
    username: str | _Unset = UNSET
    display_name: str | None | _Unset = UNSET
    extension: str | None | _Unset = UNSET
    email: str | None | _Unset = UNSET
    enabled: bool | _Unset = UNSET
    sip_password: str | None | _Unset = UNSET


@dataclass(slots=True)
class GroupCreate:
    name: str
    extension: str | None = None
    strategy: RingStrategy | None = None
    description: str | None = None
    #: Native ids of users of the same backend, in ring order.
    member_user_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class GroupUpdate(PatchMixin):
    name: str | _Unset = UNSET
    extension: str | None | _Unset = UNSET
    strategy: RingStrategy | None | _Unset = UNSET
    description: str | None | _Unset = UNSET


@dataclass(slots=True)
class QueueMemberInput:
    kind: MemberKind
    id: str
    priority: int | None = None


@dataclass(slots=True)
class QueueCreate:
    name: str
    extension: str | None = None
    strategy: RingStrategy | None = None
    description: str | None = None
    members: list[QueueMemberInput] = field(default_factory=list)


@dataclass(slots=True)
class QueueUpdate(PatchMixin):
    name: str | _Unset = UNSET
    extension: str | None | _Unset = UNSET
    strategy: RingStrategy | None | _Unset = UNSET
    description: str | None | _Unset = UNSET


@dataclass(slots=True)
class TrunkCreate:
    name: str
    host: str
    port: int | None = None
    transport: Transport | None = None
    username: str | None = None
    #: Write-only: accepted, never returned.
    password: str | None = None
    enabled: bool = True
    register: bool | None = None


@dataclass(slots=True)
class TrunkUpdate(PatchMixin):
    name: str | _Unset = UNSET
    host: str | _Unset = UNSET
    port: int | None | _Unset = UNSET
    transport: Transport | None | _Unset = UNSET
    username: str | None | _Unset = UNSET
    password: str | None | _Unset = UNSET
    enabled: bool | _Unset = UNSET
    register: bool | None | _Unset = UNSET


@dataclass(slots=True)
class DeviceCreate:
    mac: str
    model: str | None = None
    name: str | None = None
    #: Native id of a user of the same backend to assign the device to.
    user_id: str | None = None


@dataclass(slots=True)
class DeviceUpdate(PatchMixin):
    mac: str | _Unset = UNSET
    model: str | None | _Unset = UNSET
    name: str | None | _Unset = UNSET


# --- Listing ------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Filter:
    """What a listing narrows to; every field is optional and they AND together.

    ``search`` is a case-insensitive substring of the record's name (and, for
    users, username); ``extension`` matches exactly; ``mac`` matches a device's
    MAC address in normalised form (lower-case, colon separated).
    """

    extension: str | None = None
    search: str | None = None
    mac: str | None = None

    def is_empty(self) -> bool:
        return self.extension is None and self.search is None and self.mac is None


@dataclass(slots=True, frozen=True)
class ListQuery:
    """One page request to one backend.

    Connectors must answer in the given order with ties broken by native id,
    honouring the filter, so that the service can merge pages of several
    backends without losing or repeating an item.
    """

    filter: Filter = Filter()
    sort: SortField = SortField.NAME
    descending: bool = False
    offset: int = 0
    limit: int = 50


T = TypeVar("T")


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    #: True when more items follow this page.
    has_more: bool
    #: Total matching items where the backend knows it cheaply, else None.
    total: int | None = None


@dataclass(slots=True, frozen=True)
class Capabilities:
    """Which kinds a backend serves, and which operations on each."""

    kinds: Mapping[Kind, frozenset[Operation]]

    def supports(self, kind: Kind, operation: Operation | None = None) -> bool:
        ops = self.kinds.get(kind)
        if ops is None:
            return False
        return operation is None or operation in ops


class HealthStatus(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    DEGRADED = "degraded"


@dataclass(slots=True)
class Health:
    status: HealthStatus
    detail: str | None = None
    latency_ms: float | None = None
    #: The error code of a failed probe (BACKEND_UNAVAILABLE, ...): what an unauthenticated caller may see.
    code: str | None = None
