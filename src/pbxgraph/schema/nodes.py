"""The unified object types and their relations.

Each type is built from a domain record and the name of the backend it came
from; relations resolve through the request's loaders, so a page of objects
costs one backend call per relation, not one per object. Relation fields are
nullable: a failed backend call nulls only that field, with its coded error.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from pbxgraph import domain
from pbxgraph.ids import encode_id
from pbxgraph.redaction import redact
from pbxgraph.schema.enums import Registration, RingStrategy, Transport, TrunkKind

#: The domain's trunk, by a name the ``domain`` field of :class:`Trunk` does not hide.
TrunkRecord = domain.Trunk


def _identity(kind: domain.Kind, backend: str, record: domain.Record) -> dict[str, Any]:
    """The fields every backend object has: global id, backend, native id (``raw`` is read from the record)."""
    return {
        "id": strawberry.ID(encode_id(kind, backend, record.id)),
        "backend": backend,
        "native_id": record.id,
    }


def _prime(info: Info, backend: str, records: Sequence[domain.Record | None]) -> None:
    for record in records:
        if record is not None:
            info.context.loaders.prime(backend, record)


@strawberry.type(description="A registration as the backend reports it.")
class RegistrationState:
    status: Registration = strawberry.field(description="Registered (ONLINE) or not (OFFLINE).")
    changed_at: datetime | None = strawberry.field(
        description="When the backend saw this state begin (or last refreshed it); null where it does not say."
    )
    address: str | None = strawberry.field(
        description="Where the registration comes from (contact address), where the backend says."
    )

    @classmethod
    def of(cls, state: domain.RegistrationState | None) -> RegistrationState | None:
        if state is None:
            return None
        return cls(status=state.status, changed_at=state.changed_at, address=state.address)


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque, stable global id: it names the kind, the backend and the backend's own id. "
        "Keep it to fetch the object again or to name it in a mutation; do not take it apart."
    )


@strawberry.interface(description="An object that lives on one backend.")
class BackendObject(Node):
    backend: str = strawberry.field(description="Name of the configured backend it lives on (see `backends`).")
    native_id: str = strawberry.field(
        description="The backend's own id for it, as its vendor shows it (Era: a uuid-like string, a "
        "phone's MAC; Infinity: `<domainId>-<id>`; sipXcom and the local store: a number)."
    )
    #: The domain record it was built from (each type narrows it to its own kind).
    _record: strawberry.Private[Any]

    @strawberry.field(
        description="The vendor's own payload for it, with secrets removed: whatever the unified fields "
        "leave out. Its shape is the vendor's and differs between backends."
    )
    def raw(self) -> JSON:
        # Scrubbed only when asked for: most queries never select it, and scrubbing every
        # object of a page was a sixth of a large page's time.
        scrubbed: JSON = redact(self._record.raw)
        return scrubbed


@strawberry.type(description="A person or SIP account that owns an extension.")
class User(BackendObject):
    username: str = strawberry.field(
        description="The login (SIP user) name the backend keys the user by; unique on its backend. "
        "Era: `login`; Infinity: `user` (cannot be renamed); sipXcom: `userName`."
    )
    display_name: str | None = strawberry.field(
        description="The person's name as phones and directories show it; null where none is set. "
        "sipXcom joins first and last name."
    )
    extension: str | None = strawberry.field(
        description="The internal number that rings the user: 2 to 15 ASCII digits; null when the user has none."
    )
    email: str | None = strawberry.field(
        description="E-mail address; null when none is set, and always on backends that keep none (Era)."
    )
    enabled: bool = strawberry.field(
        description="Whether the user may register and call. Backends without such a flag (Era, Infinity) "
        "always answer true."
    )
    registration: Registration | None = strawberry.field(
        description="Whether the user's phone is registered; null where the backend cannot tell."
    )
    _record: strawberry.Private[domain.User]

    @classmethod
    def of(cls, backend: str, record: domain.User) -> User:
        return cls(
            **_identity(domain.Kind.USER, backend, record),
            username=record.username,
            display_name=record.display_name,
            extension=record.extension,
            email=record.email,
            enabled=record.enabled,
            registration=record.registration,
            _record=record,
        )

    @strawberry.field(
        description="Groups the user belongs to, on the user's backend; null if the backend "
        "could not be read (the error says why)."
    )
    async def groups(self, info: Info) -> list[Group] | None:
        groups = await info.context.loaders.user_groups(self.backend).load(self.native_id)
        _prime(info, self.backend, groups)
        return [Group.of(self.backend, g) for g in groups]

    @strawberry.field(description="Devices assigned to the user; null if the backend could not be read.")
    async def devices(self, info: Info) -> list[Device] | None:
        devices = await info.context.loaders.user_devices(self.backend).load(self.native_id)
        _prime(info, self.backend, devices)
        return [Device.of(self.backend, d) for d in devices]


NAME_HELP = "The short name the backend keys it by; unique among its kind on its backend."
DISPLAY_NAME_HELP = "The human label, where the backend keeps one apart from the name; null otherwise."
DESCRIPTION_HELP = "Free text describing it; null when none is set or the backend keeps none."


@strawberry.type(description="A ring group: users called together or in turn.")
class Group(BackendObject):
    name: str = strawberry.field(description=NAME_HELP)
    display_name: str | None = strawberry.field(description=DISPLAY_NAME_HELP)
    extension: str | None = strawberry.field(
        description="The number that rings the group: 2 to 15 ASCII digits; null when it has none "
        "(sipXcom's user groups never do)."
    )
    strategy: RingStrategy | None = strawberry.field(
        description="How the group rings its members; null where the backend keeps none (Infinity, sipXcom)."
    )
    description: str | None = strawberry.field(description=DESCRIPTION_HELP)
    _record: strawberry.Private[domain.Group]

    @classmethod
    def of(cls, backend: str, record: domain.Group) -> Group:
        return cls(
            **_identity(domain.Kind.GROUP, backend, record),
            name=record.name,
            display_name=record.display_name,
            extension=record.extension,
            strategy=record.strategy,
            description=record.description,
            _record=record,
        )

    @strawberry.field(description="Members in ring order; null if the backend could not be read.")
    async def members(self, info: Info) -> list[GroupMember] | None:
        members = await info.context.loaders.group_members(self.backend).load(self.native_id)
        _prime(info, self.backend, [m.user for m in members])
        return [
            GroupMember(
                position=m.position,
                member=User.of(self.backend, m.user) if m.user else None,
                user=User.of(self.backend, m.user) if m.user else None,
                number=m.number if m.number is not None else (m.user.extension if m.user else None),
            )
            for m in members
        ]


MemberTarget = Annotated[
    User | Group,
    strawberry.union(
        "MemberTarget",
        description="Who a member of a group or queue is: a user, or a ring group (Infinity's queues are served "
        "by groups only; groups' members are users).",
    ),
]


@strawberry.type(description="A member of a group: a user, or a number that matches no user.")
class GroupMember:
    position: int = strawberry.field(description="0-based ring order.")
    member: MemberTarget | None = strawberry.field(
        description="The member, a user of the group's backend (as `QueueMember.member`); null for a number no "
        "user owns (an external member of an Era group)."
    )
    user: User | None = strawberry.field(
        description="The member, a user of the group's backend; null for a number no user owns.",
        deprecation_reason="Use `member`, as on `QueueMember`.",
    )
    number: str | None = strawberry.field(
        description="The number that is rung: the member's extension, or the dialled number where the vendor "
        "rings numbers (Era); null for a user without an extension."
    )


@strawberry.type(description="A user or group serving a queue.")
class QueueMember:
    position: int = strawberry.field(description="0-based ring order.")
    priority: int | None = strawberry.field(
        description="The member's priority, 0 to 1000; which end rings first is the backend's "
        "`capabilities { memberPriority }`. Null where members carry none (they ring by `position`)."
    )
    member: MemberTarget | None = strawberry.field(
        description="The user or group serving the queue, on the queue's backend."
    )
    settings: JSON = strawberry.field(
        description="The vendor's ring settings of this member, secrets removed (e.g. Infinity's `ringStrategy`, "
        "`ringAttempts`, `ringSecs`); an empty object where it keeps none."
    )


@strawberry.type(description="A call queue (hunt group) with ordered members.")
class Queue(BackendObject):
    name: str = strawberry.field(description=NAME_HELP)
    display_name: str | None = strawberry.field(description=DISPLAY_NAME_HELP)
    extension: str | None = strawberry.field(
        description="The number that calls the queue: 2 to 15 ASCII digits; null when it has none."
    )
    strategy: RingStrategy | None = strawberry.field(
        description="How calls are offered to the members; null where the backend keeps none, or where "
        "members ring in ways that differ (Infinity, sipXcom)."
    )
    description: str | None = strawberry.field(description=DESCRIPTION_HELP)
    _record: strawberry.Private[domain.Queue]

    @classmethod
    def of(cls, backend: str, record: domain.Queue) -> Queue:
        return cls(
            **_identity(domain.Kind.QUEUE, backend, record),
            name=record.name,
            display_name=record.display_name,
            extension=record.extension,
            strategy=record.strategy,
            description=record.description,
            _record=record,
        )

    @strawberry.field(description="Members in ring order, with priority; null if the backend could not be read.")
    async def members(self, info: Info) -> list[QueueMember] | None:
        members = await info.context.loaders.queue_members(self.backend).load(self.native_id)
        result = []
        for m in members:
            target: User | Group | None = None
            if m.user is not None:
                target = User.of(self.backend, m.user)
                _prime(info, self.backend, [m.user])
            elif m.group is not None:
                target = Group.of(self.backend, m.group)
                _prime(info, self.backend, [m.group])
            result.append(QueueMember(position=m.position, priority=m.priority, member=target, settings=redact(m.raw)))
        return result


@strawberry.type(description="A trunk to a carrier or gateway (SIP, ISDN, analogue). Its password is write-only.")
class Trunk(BackendObject):
    name: str = strawberry.field(description="The trunk's name on its backend (Era: the provider's code).")
    kind: TrunkKind = strawberry.field(description="What the trunk connects to, derived from its model.")
    model: str | None = strawberry.field(
        description="The backend's own label for the trunk's model (e.g. sipXcom's `sipTrunkStandard`)."
    )
    domain: str | None = strawberry.field(
        description="The SIP domain (realm) the trunk's account belongs to: the part after '@' of its "
        "address of record."
    )
    host: str | None = strawberry.field(
        description="Where signalling is sent: the outbound proxy or gateway address (host name or IP). "
        "Null when the backend resolves the domain itself."
    )
    port: int | None = strawberry.field(description="The port at `host`; null for the transport's default.")
    transport: Transport | None = strawberry.field(
        description="The SIP transport; null for the backend's default, and for trunks that are not SIP."
    )
    username: str | None = strawberry.field(
        description="The account's authentication user name at the carrier; null when it has none."
    )
    enabled: bool = strawberry.field(description="Whether the PBX uses the trunk for calls.")
    register: bool | None = strawberry.field(description="Whether the PBX registers the account with the carrier.")
    registration: RegistrationState | None = strawberry.field(
        description="Whether the trunk is registered now; null where the backend cannot tell."
    )

    @classmethod
    def of(cls, backend: str, record: TrunkRecord) -> Trunk:
        return cls(
            **_identity(domain.Kind.TRUNK, backend, record),
            name=record.name,
            kind=record.kind,
            model=record.model,
            domain=record.domain,
            host=record.host,
            port=record.port,
            transport=record.transport,
            username=record.username,
            enabled=record.enabled,
            register=record.register,
            registration=RegistrationState.of(record.registration),
            _record=record,
        )


@strawberry.type(description="A phone or other SIP device.")
class Device(BackendObject):
    mac: str | None = strawberry.field(
        description="The MAC address, 12 lower-case hex digits in pairs with colons (`00:04:f2:ab:cd:ef`); "
        "null where the backend keeps none."
    )
    model: str | None = strawberry.field(
        description="The model as the backend names it (e.g. `Polycom VVX 450`); null where unknown. "
        "`Backend.capabilities { models }` lists those a backend takes."
    )
    name: str | None = strawberry.field(
        description="A label for the device; null where none is set (Era's phones have none)."
    )
    registration: RegistrationState | None = strawberry.field(
        description="Whether the device is registered now; null where the backend cannot tell."
    )
    _record: strawberry.Private[domain.Device]

    @classmethod
    def of(cls, backend: str, record: domain.Device) -> Device:
        return cls(
            **_identity(domain.Kind.DEVICE, backend, record),
            mac=record.mac,
            model=record.model,
            name=record.name,
            registration=RegistrationState.of(record.registration),
            _record=record,
        )

    @strawberry.field(description="The user the device is assigned to; null when it is assigned to none.")
    async def user(self, info: Info) -> User | None:
        owner = self._record.user_id
        if isinstance(owner, domain.UnsetType):  # the read did not say: ask the backend
            user = await info.context.loaders.device_user(self.backend).load(self.native_id)
        elif owner is None:
            return None
        else:  # the read named the owner: often a user this request already holds
            found = await info.context.loaders.records(self.backend, domain.Kind.USER).load(owner)
            user = found if isinstance(found, domain.User) else None
        if user is None:
            return None
        _prime(info, self.backend, [user])
        return User.of(self.backend, user)


NodeType = User | Group | Queue | Trunk | Device


def to_node(backend: str, record: domain.Record) -> NodeType:
    """The GraphQL object of any record."""
    if isinstance(record, domain.User):
        return User.of(backend, record)
    if isinstance(record, domain.Group):
        return Group.of(backend, record)
    if isinstance(record, domain.Queue):
        return Queue.of(backend, record)
    if isinstance(record, domain.Trunk):
        return Trunk.of(backend, record)
    return Device.of(backend, record)
