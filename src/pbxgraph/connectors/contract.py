"""The connector contract: what every backend driver offers, as Protocols a type checker holds.

One resource interface per kind (a page of a listing, get many by id,
create, update, delete) plus the relation look-ups the schema needs. Every
look-up is *batched*: it takes many ids and answers for all of them, in
order, so the per-request dataloaders can make one call per backend per
level of a query. No method shadows a builtin (the listing is ``page``), so
the annotations below mean what they say.

A connector serves a kind by exposing its resource (``connector.users`` ...);
a kind it lacks is ``None`` there and absent from ``capabilities``. An
operation it lacks within a kind raises :class:`pbxgraph.errors.NotSupported`
and is absent from ``capabilities`` too. There is no base class: a connector
is anything with this shape (plain attributes satisfy the read-only
properties), which keeps third-party drivers free of our class hierarchy;
HTTP vendors may lean on :mod:`pbxgraph.connectors.kit`.

Connector methods raise only :mod:`pbxgraph.errors` classes. Naming the
backend on them is the service's one step (:func:`pbxgraph.service.calls.call`),
so a connector may leave ``backend`` unset; if it sets it, it is its own name.

The typed way to reach a kind's resource is an :class:`Access` (``USERS`` ...):
``USERS.of(connector)`` is a :class:`UserResource`, or NotSupported naming the
backend and the kind, never ``object`` and never a method looked up by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Generic, Never, Protocol, TypeVar, runtime_checkable

import httpx

from pbxgraph.config import BackendConfig
from pbxgraph.domain import (
    Capabilities,
    Device,
    DeviceAction,
    DeviceCreate,
    DeviceUpdate,
    Group,
    GroupCreate,
    GroupMember,
    GroupUpdate,
    Health,
    Kind,
    ListQuery,
    Page,
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
from pbxgraph.errors import not_supported

R_co = TypeVar("R_co", covariant=True)
C_contra = TypeVar("C_contra", contravariant=True)
U_contra = TypeVar("U_contra", contravariant=True)
Res_co = TypeVar("Res_co", covariant=True)


class Resource(Protocol[R_co, C_contra, U_contra]):
    """CRUD over one kind on one backend: records ``R``, created from ``C``, changed by ``U``."""

    async def page(self, query: ListQuery) -> Page[R_co]:
        """One page, sorted as asked with ties broken by native id, filter applied."""
        ...

    async def get_many(self, ids: Sequence[str]) -> Sequence[R_co | None]:
        """One answer per id, in order; ``None`` for an id that does not exist."""
        ...

    async def create(self, data: C_contra) -> R_co:
        """The new record as the backend stored it; write-only secrets are not in it."""
        ...

    async def update(self, id: str, patch: U_contra) -> R_co:
        """Change only the fields ``patch.changes()`` names; raise NotFound if absent."""
        ...

    async def delete(self, id: str) -> None:
        """Raise NotFound if absent."""
        ...


#: Any kind's resource, as code that only reads or deletes sees it (it can create nothing).
AnyResource = Resource[Record, Never, Never]


class UserResource(Resource[User, UserCreate, UserUpdate], Protocol):
    async def groups_of(self, user_ids: Sequence[str]) -> list[list[Group]]:
        """The groups each user belongs to (empty for an unknown user)."""
        ...

    async def devices_of(self, user_ids: Sequence[str]) -> list[list[Device]]:
        """The devices assigned to each user (empty for an unknown user)."""
        ...


class GroupResource(Resource[Group, GroupCreate, GroupUpdate], Protocol):
    async def members_of(self, group_ids: Sequence[str]) -> list[list[GroupMember]]:
        """Each group's members in ring order (empty for an unknown group)."""
        ...

    async def add_members(self, group_id: str, user_ids: Sequence[str]) -> list[GroupMember]:
        """Append users (already present ones are left where they are); all or nothing."""
        ...

    async def remove_members(self, group_id: str, user_ids: Sequence[str]) -> list[GroupMember]:
        """Remove users; a user who is not a member is NotFound; all or nothing."""
        ...


class QueueResource(Resource[Queue, QueueCreate, QueueUpdate], Protocol):
    async def members_of(self, queue_ids: Sequence[str]) -> list[list[QueueMember]]:
        """Each queue's members in ring order (empty for an unknown queue)."""
        ...

    async def set_members(self, queue_id: str, members: Sequence[QueueMemberInput]) -> list[QueueMember]:
        """Replace the members with ``members``, in that order; all or nothing."""
        ...


class TrunkResource(Resource[Trunk, TrunkCreate, TrunkUpdate], Protocol):
    """Trunks have no relations: the plain CRUD."""


class DeviceResource(Resource[Device, DeviceCreate, DeviceUpdate], Protocol):
    async def users_of(self, device_ids: Sequence[str]) -> list[User | None]:
        """The user each device is assigned to, or None."""
        ...

    async def assign(self, device_id: str, user_id: str) -> Device:
        """Give the device to the user (taking it from any other); NotFound for either missing."""
        ...

    async def unassign(self, device_id: str) -> Device:
        """Take the device from its user; a device without one stays as it is."""
        ...

    async def act(self, device_id: str, action: DeviceAction) -> None:
        """Resync or restart the device; NotSupported where the vendor cannot."""
        ...


@runtime_checkable
class Connector(Protocol):
    """One configured backend. Read-only: plain attributes of an implementation satisfy it."""

    @property
    def name(self) -> str:
        """The backend's configured name."""
        ...

    @property
    def vendor(self) -> str:
        """The ``vendor`` key it was built for (its entry point's name)."""
        ...

    @property
    def capabilities(self) -> Capabilities:
        """Kinds, operations and rules; the service refuses everything else before a call."""
        ...

    @property
    def users(self) -> UserResource | None: ...

    @property
    def groups(self) -> GroupResource | None: ...

    @property
    def queues(self) -> QueueResource | None: ...

    @property
    def trunks(self) -> TrunkResource | None: ...

    @property
    def devices(self) -> DeviceResource | None: ...

    async def open(self) -> None:
        """Prepare for use. Must not fail because the backend is unreachable."""
        ...

    async def aclose(self) -> None:
        """Release what ``open`` took (HTTP clients, database pools)."""
        ...

    async def health(self) -> Health:
        """Probe the backend; never raises: a failure is DOWN with its error code."""
        ...


class ConnectorFactory(Protocol):
    """What the ``pbxgraph.connectors`` entry point names.

    ``transport`` replaces the network for tests and the in-process demo (an
    ``httpx.ASGITransport`` in front of an emulator); connectors that speak
    HTTP must pass it to their ``httpx.AsyncClient``, others ignore it. A bad
    option is a :class:`~pbxgraph.config.ConfigError` naming
    ``backends.<name>.<key>`` (:func:`pbxgraph.config.read_options` gives that
    for free).
    """

    def __call__(self, config: BackendConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> Connector: ...


@dataclass(frozen=True, slots=True)
class Access(Generic[Res_co]):
    """Typed access to one kind's resource on any connector: ``USERS.of(connector)``."""

    kind: Kind
    get: Callable[[Connector], Res_co | None]

    def of(self, connector: Connector) -> Res_co:
        """The connector's resource for this kind, or NotSupported naming backend and kind."""
        resource = self.get(connector)
        if resource is None or not connector.capabilities.supports(self.kind):
            raise not_supported(connector.name, self.kind.value)
        return resource


USERS: Final = Access(Kind.USER, lambda c: c.users)
GROUPS: Final = Access(Kind.GROUP, lambda c: c.groups)
QUEUES: Final = Access(Kind.QUEUE, lambda c: c.queues)
TRUNKS: Final = Access(Kind.TRUNK, lambda c: c.trunks)
DEVICES: Final = Access(Kind.DEVICE, lambda c: c.devices)

#: Every kind's access, for code that holds a kind only as a value (a global id's).
ACCESS: Final[Mapping[Kind, Access[AnyResource]]] = {
    Kind.USER: USERS,
    Kind.GROUP: GROUPS,
    Kind.QUEUE: QUEUES,
    Kind.TRUNK: TRUNKS,
    Kind.DEVICE: DEVICES,
}


def resource_of(connector: Connector, kind: Kind) -> AnyResource:
    """Any kind's resource for reading or deleting, or NotSupported naming backend and kind."""
    return ACCESS[kind].of(connector)
