"""The connector contract: what every backend driver offers, as Protocols.

One resource interface per kind (list, get many by id, create, update,
delete) plus the relation look-ups the schema needs. Every look-up is
*batched*: it takes many ids and answers for all of them, in order, so the
per-request dataloaders can make one call per backend per level of a query.

A connector serves a kind by exposing its resource (``connector.users`` ...);
a kind it lacks is ``None`` there and absent from ``capabilities``. An
operation it lacks within a kind raises :class:`pbxgraph.errors.NotSupported`
and is absent from ``capabilities`` too. There is no base class: a connector
is anything with this shape, which keeps third-party drivers free of our
class hierarchy.

Connector methods raise only :mod:`pbxgraph.errors` classes, with ``backend``
set to the connector's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar, runtime_checkable

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
    Trunk,
    TrunkCreate,
    TrunkUpdate,
    User,
    UserCreate,
    UserUpdate,
)
from pbxgraph.errors import not_supported

R_co = TypeVar("R_co", covariant=True)
R = TypeVar("R")
C = TypeVar("C", contravariant=True)
U = TypeVar("U", contravariant=True)


class Resource(Protocol[R, C, U]):
    """CRUD over one kind on one backend."""

    async def list(self, query: ListQuery) -> Page[R]:
        """One page, sorted as asked with ties broken by native id, filter applied."""
        ...

    async def get_many(self, ids: Sequence[str]) -> list[R | None]:
        """One answer per id, in order; ``None`` for an id that does not exist."""
        ...

    async def create(self, data: C) -> R: ...

    async def update(self, id: str, patch: U) -> R:
        """Change only the fields ``patch.changes()`` names; raise NotFound if absent."""
        ...

    async def delete(self, id: str) -> None:
        """Raise NotFound if absent."""
        ...


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

    async def set_members(
        self, queue_id: str, members: Sequence[QueueMemberInput]
    ) -> list[QueueMember]:
        """Replace the members with ``members``, in that order; all or nothing."""
        ...


class TrunkResource(Resource[Trunk, TrunkCreate, TrunkUpdate], Protocol):
    pass


class DeviceResource(Resource[Device, DeviceCreate, DeviceUpdate], Protocol):
    async def users_of(self, device_ids: Sequence[str]) -> list[User | None]:
        """The user each device is assigned to, or None."""
        ...

    async def assign(self, device_id: str, user_id: str) -> Device: ...

    async def unassign(self, device_id: str) -> Device: ...

    async def act(self, device_id: str, action: DeviceAction) -> None:
        """Resync or restart the device; NotSupported where the vendor cannot."""
        ...


@runtime_checkable
class Connector(Protocol):
    """One configured backend."""

    name: str
    vendor: str
    capabilities: Capabilities
    users: UserResource | None
    groups: GroupResource | None
    queues: QueueResource | None
    trunks: TrunkResource | None
    devices: DeviceResource | None

    async def open(self) -> None:
        """Prepare for use. Must not fail because the backend is unreachable."""
        ...

    async def aclose(self) -> None: ...

    async def health(self) -> Health:
        """Probe the backend; never raises."""
        ...


class ConnectorFactory(Protocol):
    """What the ``pbxgraph.connectors`` entry point names.

    ``transport`` replaces the network for tests and the in-process demo (an
    ``httpx.ASGITransport`` in front of an emulator); connectors that speak
    HTTP must pass it to their ``httpx.AsyncClient``, others ignore it.
    """

    def __call__(
        self, config: BackendConfig, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> Connector: ...


_ATTRIBUTE = {
    Kind.USER: "users",
    Kind.GROUP: "groups",
    Kind.QUEUE: "queues",
    Kind.TRUNK: "trunks",
    Kind.DEVICE: "devices",
}


def resource_of(connector: Connector, kind: Kind) -> object:
    """The connector's resource for ``kind``, or NotSupported naming backend and kind."""
    resource = getattr(connector, _ATTRIBUTE[kind], None)
    if resource is None or not connector.capabilities.supports(kind):
        raise not_supported(connector.name, kind.value)
    return resource
