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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Final, Generic, TypeVar


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


CRUD: Final = frozenset({Operation.LIST, Operation.READ, Operation.CREATE, Operation.UPDATE, Operation.DELETE})


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


class TrunkKind(enum.StrEnum):
    """What a trunk connects to, whatever the vendor calls its models."""

    SIP = "sip"  # a SIP trunk to a carrier or another PBX
    PRI = "pri"  # an ISDN primary-rate gateway (T1/E1)
    BRI = "bri"  # an ISDN basic-rate gateway
    ANALOG = "analog"  # an FXO gateway to analogue lines
    UNMANAGED = "unmanaged"  # a gateway the PBX routes to but does not configure
    OTHER = "other"


class PriorityOrder(enum.StrEnum):
    """Which member priority rings first, where a backend's members carry one."""

    LOWER_FIRST = "lower_first"
    HIGHER_FIRST = "higher_first"


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
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)  # type: ignore[arg-type]
            if getattr(self, f.name) is not UNSET
        }

    def is_empty(self) -> bool:
        return not self.changes()


# --- Records ------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class RegistrationState:
    """Whether a trunk or device is registered, as far as its backend knows.

    ``changed_at`` is when the backend saw the state begin (a registration's
    start, or its last refresh where that is all a vendor keeps); ``None``
    where the vendor does not say.
    """

    status: Registration
    changed_at: datetime | None = None
    #: Where the registration came from (contact address), where the vendor says.
    address: str | None = None


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
    #: The short name the vendor keys the group by (Infinity's ``groupName``).
    name: str
    extension: str | None = None
    strategy: RingStrategy | None = None
    description: str | None = None
    #: The human label, where the vendor keeps one apart from the name.
    display_name: str | None = None
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
    #: The human label, where the vendor keeps one apart from the name.
    display_name: str | None = None
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
    """A trunk; its address fields mean the same on every vendor.

    ``domain`` is the SIP domain (realm) the trunk's account belongs to;
    ``host`` and ``port`` are where signalling is sent: the outbound proxy or
    gateway address (``None`` when the backend resolves the domain itself).
    """

    id: str
    name: str
    host: str | None = None
    port: int | None = None
    transport: Transport | None = None
    username: str | None = None
    enabled: bool = True
    register: bool | None = None
    domain: str | None = None
    kind: TrunkKind = TrunkKind.SIP
    #: The vendor's own label for the trunk's model (e.g. sipXcom's ``sipTrunkStandard``).
    model: str | None = None
    #: ``None`` where the backend cannot tell.
    registration: RegistrationState | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Device:
    id: str
    mac: str | None = None
    model: str | None = None
    name: str | None = None
    #: ``None`` where the backend cannot tell.
    registration: RegistrationState | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    #: Native id of the user the device is assigned to, where the read that brought it back
    #: showed it (None: assigned to nobody); UNSET where it did not, and ``users_of`` must say.
    #: A hint for resolving ``Device.user`` without another call, so not part of equality.
    user_id: str | None | _Unset = field(default=UNSET, compare=False, repr=False)


Record = User | Group | Queue | Trunk | Device
R = TypeVar("R", bound=Record)

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
    display_name: str | None = None
    #: Native ids of users of the same backend, in ring order.
    member_user_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class GroupUpdate(PatchMixin):
    name: str | _Unset = UNSET
    extension: str | None | _Unset = UNSET
    strategy: RingStrategy | None | _Unset = UNSET
    description: str | None | _Unset = UNSET
    display_name: str | None | _Unset = UNSET


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
    display_name: str | None = None
    members: list[QueueMemberInput] = field(default_factory=list)


@dataclass(slots=True)
class QueueUpdate(PatchMixin):
    name: str | _Unset = UNSET
    extension: str | None | _Unset = UNSET
    strategy: RingStrategy | None | _Unset = UNSET
    description: str | None | _Unset = UNSET
    display_name: str | None | _Unset = UNSET


@dataclass(slots=True)
class TrunkCreate:
    """A new trunk: at least one of ``domain`` and ``host`` (checked by the schema)."""

    name: str
    host: str | None = None
    port: int | None = None
    transport: Transport | None = None
    username: str | None = None
    #: Write-only: accepted, never returned.
    password: str | None = None
    enabled: bool = True
    register: bool | None = None
    domain: str | None = None
    kind: TrunkKind = TrunkKind.SIP
    #: The vendor's model label; ``None`` lets the backend pick its model for ``kind``.
    model: str | None = None


@dataclass(slots=True)
class TrunkUpdate(PatchMixin):
    name: str | _Unset = UNSET
    host: str | None | _Unset = UNSET
    port: int | None | _Unset = UNSET
    transport: Transport | None | _Unset = UNSET
    username: str | None | _Unset = UNSET
    password: str | None | _Unset = UNSET
    enabled: bool | _Unset = UNSET
    register: bool | None | _Unset = UNSET
    domain: str | None | _Unset = UNSET


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
class After:
    """The last item a caller already has from one backend's listing: where the next page starts.

    ``value`` is that item's value of the sorted field as the listing gave it
    (:func:`record_name` or :func:`record_extension`; None when it lacks one),
    ``id`` its native id. A backend that can seek by them (an index on the
    order) starts right after that item without counting the ones before it;
    any other uses the query's ``offset``, which always comes along.
    """

    value: str | None
    id: str


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
    #: The item at ``offset - 1`` where the caller knows it, for a backend that seeks instead of skipping.
    after: After | None = None
    #: Whether the caller wants ``Page.total``; a backend for which counting costs a query of its own
    #: runs it only then (others may fill the total anyway).
    count: bool = False


T_co = TypeVar("T_co", covariant=True)


@dataclass(slots=True, frozen=True)
class Page(Generic[T_co]):
    """One page of one backend's listing; a connector that completes its items makes a new one."""

    items: Sequence[T_co]
    #: True when more items follow this page.
    has_more: bool
    #: Total matching items where the backend knows it cheaply, else None.
    total: int | None = None


@dataclass(slots=True, frozen=True)
class KindRules:
    """What a backend accepts for one kind, beyond what every backend accepts.

    Declared by the connector and shown in the schema, so that a script or a
    form adapts up front instead of meeting one vendor rule per failed call;
    the service enforces them before any vendor is called. Field names are
    those of the kind's create input (``sip_password``, ``member_user_ids``).
    """

    #: Fields a create may set; ``None``: every field of the create input.
    create_fields: frozenset[str] | None = None
    #: Fields an update may change; ``None``: every field of the update input.
    update_fields: frozenset[str] | None = None
    #: Fields a create must set although the schema lets them be left out.
    required: frozenset[str] = frozenset()
    #: Ring strategies a group or queue may take; ``None``: any.
    strategies: frozenset[RingStrategy] | None = None
    #: What a queue's members may be.
    member_kinds: frozenset[MemberKind] = frozenset({MemberKind.USER, MemberKind.GROUP})
    #: Which way member priorities ring; ``None``: members carry no priority.
    member_priority: PriorityOrder | None = PriorityOrder.LOWER_FIRST
    #: Device or trunk models the backend accepts; ``None``: any, or none asked.
    models: tuple[str, ...] | None = None
    #: Trunk kinds a create may ask for; ``None``: any.
    trunk_kinds: frozenset[TrunkKind] | None = None

    def creatable(self, name: str) -> bool:
        return self.create_fields is None or name in self.create_fields

    def updatable(self, name: str) -> bool:
        return self.update_fields is None or name in self.update_fields


DEFAULT_RULES: Final = KindRules()


@dataclass(slots=True, frozen=True)
class Capabilities:
    """Which kinds a backend serves, which operations on each, and its rules per kind."""

    kinds: Mapping[Kind, frozenset[Operation]]
    rules: Mapping[Kind, KindRules] = field(default_factory=dict)

    def supports(self, kind: Kind, operation: Operation | None = None) -> bool:
        ops = self.kinds.get(kind)
        if ops is None:
            return False
        return operation is None or operation in ops

    def rules_for(self, kind: Kind) -> KindRules:
        return self.rules.get(kind, DEFAULT_RULES)


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
