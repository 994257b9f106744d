"""The write side: create, update and delete every kind; membership; devices.

Each mutation validates its whole input and every id it names (well formed,
the right kind, a configured backend, the same backend as its target) before
a single backend call. A mutation touches one backend. The local store makes
it whole or not at all; a vendor change of several calls that fails half-way
is undone where the vendor allows (``extensions.undone: true``), and where it
cannot be, the error names what is left (``undone: false`` and ``remains``:
kind, native and global id, state), so a failure never hides a change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Never, TypeVar

import strawberry
from strawberry.types import Info

from pbxgraph import domain
from pbxgraph.errors import BadUserInput, Forbidden, NotFound
from pbxgraph.ids import GlobalId, decode_expected, decode_id
from pbxgraph.schema.changes import ChangesMutation
from pbxgraph.schema.context import Context
from pbxgraph.schema.inputs import (
    CreateDeviceInput,
    CreateGroupInput,
    CreateQueueInput,
    CreateTrunkInput,
    CreateUserInput,
    QueueMemberInput,
    UpdateDeviceInput,
    UpdateGroupInput,
    UpdateQueueInput,
    UpdateTrunkInput,
    UpdateUserInput,
    to_device_create,
    to_device_update,
    to_group_create,
    to_group_update,
    to_queue_create,
    to_queue_update,
    to_trunk_create,
    to_trunk_update,
    to_user_create,
    to_user_update,
)
from pbxgraph.schema.nodes import Device, Group, Queue, Trunk, User
from pbxgraph.service import KindService, PbxService

R = TypeVar("R", bound=domain.Record)
C = TypeVar("C")
P = TypeVar("P", bound=domain.PatchMixin)
N = TypeVar("N")


@strawberry.type(description="What a delete removed.")
class DeletePayload:
    deleted_id: strawberry.ID = strawberry.field(description="The global id of the object deleted, as it was given.")


@strawberry.type(description="A device operation the backend accepted.")
class DeviceActionPayload:
    device: Device = strawberry.field(description="The device, read again after the operation.")
    action: str = strawberry.field(description="What was asked of it: `resync` or `restart`.")


def _arg(description: str) -> Any:
    return strawberry.argument(description=description)


BackendArg = Annotated[str, _arg("The configured backend to create it on (see `backends`).")]
UserId = Annotated[strawberry.ID, _arg("The user's global id.")]
GroupId = Annotated[strawberry.ID, _arg("The group's global id.")]
QueueId = Annotated[strawberry.ID, _arg("The queue's global id.")]
TrunkId = Annotated[strawberry.ID, _arg("The trunk's global id.")]
DeviceId = Annotated[strawberry.ID, _arg("The device's global id.")]
UserIds = Annotated[list[strawberry.ID], _arg("Global ids of users of the group's backend; at least one.")]
CREATE = "The new {0}'s fields; all are checked before the backend is called."
CHANGES = "The fields to change; those left out stay as they are."


def _writer(info: Info[Context, None]) -> PbxService:
    """The service, for a caller allowed to change things."""
    if info.context.role != "admin":
        raise Forbidden("this token may only read; mutations need an admin token")
    return info.context.service


def _target(info: Info[Context, None], value: str, kind: domain.Kind, field: str) -> GlobalId:
    gid = decode_expected(value, kind, field=field)
    if info.context.service.hides(gid.backend):
        raise NotFound(f"{kind.value} '{gid.native_id}' does not exist on backend '{gid.backend}'", backend=gid.backend)
    info.context.service.require(gid.backend, field=field)
    return gid


def _same_backend(values: list[str], kind: domain.Kind, backend: str, field: str) -> list[str]:
    native: list[str] = []
    for index, value in enumerate(values):
        where = f"{field}[{index}]"
        gid = decode_expected(value, kind, field=where)
        if gid.backend != backend:
            raise BadUserInput(f"{where}: the {kind.value} is on backend '{gid.backend}', not '{backend}'", field=where)
        native.append(gid.native_id)
    return native


def _user_on(backend: str, value: str, field: str) -> str:
    """The native id of a user that must live on ``backend``."""
    return _same_backend([value], domain.Kind.USER, backend, field)[0]


def _changes(patch: P) -> P:
    if patch.is_empty():
        raise BadUserInput("input: give at least one field to change", field="input")
    return patch


def _fresh(info: Info[Context, None]) -> None:
    """After a write, reads in the same request must not come from the loaders' cache."""
    info.context.loaders.clear()


async def _reload(info: Info[Context, None], gid: GlobalId, kind: type[R]) -> R:
    """The record ``gid`` names, read afresh (or as a write's answer primed it)."""
    record = await info.context.loaders.records(gid.backend, gid.kind).load(gid.native_id)
    if not isinstance(record, kind):
        raise NotFound(
            f"{gid.kind.value} '{gid.native_id}' does not exist on backend '{gid.backend}'", backend=gid.backend
        )
    return record


def _queue_members(values: list[QueueMemberInput], backend: str, field: str) -> list[domain.QueueMemberInput]:
    """The members as the domain takes them; errors name ``field[i].id`` (or ``.priority``)."""
    members: list[domain.QueueMemberInput] = []
    for index, member in enumerate(values):
        where = f"{field}[{index}].id"
        gid = decode_id(member.id, field=where)
        if gid.kind not in (domain.Kind.USER, domain.Kind.GROUP):
            raise BadUserInput(f"{where}: a queue member is a user or a group, not a {gid.kind.value}", field=where)
        if gid.backend != backend:
            raise BadUserInput(
                f"{where}: the {gid.kind.value} is on backend '{gid.backend}', not '{backend}'", field=where
            )
        if member.priority is not None and not 0 <= member.priority <= 1000:
            raise BadUserInput(
                f"{field}[{index}].priority: must be between 0 and 1000", field=f"{field}[{index}].priority"
            )
        members.append(
            domain.QueueMemberInput(kind=domain.MemberKind(gid.kind.value), id=gid.native_id, priority=member.priority)
        )
    return members


@strawberry.type(
    description="The write side. Each mutation needs an admin token (once tokens are configured), "
    "changes one backend (`applyChanges` and `moveUser`: several, planned whole first), checks its "
    "whole input before calling it, and leaves the backend as it was when it fails (or says exactly "
    "what was done). Objects a write changes besides its own are listed in `extensions.sideEffects`."
)
class Mutation(ChangesMutation):
    # --- users -------------------------------------------------------------------

    @strawberry.mutation(description="Create a user on one backend.")
    async def create_user(
        self, info: Info, backend: BackendArg, input: Annotated[CreateUserInput, _arg(CREATE.format("user"))]
    ) -> User:
        return await _create(info, _writer(info).users, backend, lambda: to_user_create(input), User.of)

    @strawberry.mutation(description="Change the given fields of a user; the others stay as they are.")
    async def update_user(self, info: Info, id: UserId, input: Annotated[UpdateUserInput, _arg(CHANGES)]) -> User:
        return await _update(info, _writer(info).users, id, lambda: to_user_update(input), User.of)

    @strawberry.mutation(description="Delete a user.")
    async def delete_user(self, info: Info, id: UserId) -> DeletePayload:
        return await _delete(info, id, domain.Kind.USER)

    # --- groups ------------------------------------------------------------------

    @strawberry.mutation(description="Create a group, optionally with members.")
    async def create_group(
        self, info: Info, backend: BackendArg, input: Annotated[CreateGroupInput, _arg(CREATE.format("group"))]
    ) -> Group:
        return await _create(
            info,
            _writer(info).groups,
            backend,
            lambda: to_group_create(
                input, _same_backend(list(input.member_ids), domain.Kind.USER, backend, "input.memberIds")
            ),
            Group.of,
        )

    @strawberry.mutation(description="Change the given fields of a group.")
    async def update_group(self, info: Info, id: GroupId, input: Annotated[UpdateGroupInput, _arg(CHANGES)]) -> Group:
        return await _update(info, _writer(info).groups, id, lambda: to_group_update(input), Group.of)

    @strawberry.mutation(description="Delete a group (its users stay).")
    async def delete_group(self, info: Info, id: GroupId) -> DeletePayload:
        return await _delete(info, id, domain.Kind.GROUP)

    @strawberry.mutation(description="Append users to a group; users already in it keep their place.")
    async def add_group_members(self, info: Info, group_id: GroupId, user_ids: UserIds) -> Group:
        service = _writer(info)
        gid = _target(info, group_id, domain.Kind.GROUP, "groupId")
        users = _same_backend(list(user_ids), domain.Kind.USER, gid.backend, "userIds")
        if not users:
            raise BadUserInput("userIds: give at least one user", field="userIds")
        members = await service.add_group_members(gid.backend, gid.native_id, users)
        return await _group_with_members(info, gid, members)

    @strawberry.mutation(description="Remove users from a group; all or none.")
    async def remove_group_members(self, info: Info, group_id: GroupId, user_ids: UserIds) -> Group:
        service = _writer(info)
        gid = _target(info, group_id, domain.Kind.GROUP, "groupId")
        users = _same_backend(list(user_ids), domain.Kind.USER, gid.backend, "userIds")
        if not users:
            raise BadUserInput("userIds: give at least one user", field="userIds")
        members = await service.remove_group_members(gid.backend, gid.native_id, users)
        return await _group_with_members(info, gid, members)

    # --- queues ------------------------------------------------------------------

    @strawberry.mutation(description="Create a queue, optionally with members in order.")
    async def create_queue(
        self, info: Info, backend: BackendArg, input: Annotated[CreateQueueInput, _arg(CREATE.format("queue"))]
    ) -> Queue:
        return await _create(
            info,
            _writer(info).queues,
            backend,
            lambda: to_queue_create(input, _queue_members(list(input.members), backend, "input.members")),
            Queue.of,
        )

    @strawberry.mutation(description="Change the given fields of a queue.")
    async def update_queue(self, info: Info, id: QueueId, input: Annotated[UpdateQueueInput, _arg(CHANGES)]) -> Queue:
        return await _update(info, _writer(info).queues, id, lambda: to_queue_update(input), Queue.of)

    @strawberry.mutation(description="Delete a queue.")
    async def delete_queue(self, info: Info, id: QueueId) -> DeletePayload:
        return await _delete(info, id, domain.Kind.QUEUE)

    @strawberry.mutation(description="Replace a queue's members with these, in this order.")
    async def set_queue_members(
        self,
        info: Info,
        queue_id: QueueId,
        members: Annotated[
            list[QueueMemberInput],
            _arg("Every member the queue is to have, in ring order; an empty list leaves it without members."),
        ],
    ) -> Queue:
        service = _writer(info)
        gid = _target(info, queue_id, domain.Kind.QUEUE, "queueId")
        wanted = _queue_members(list(members), gid.backend, "members")
        result = await service.set_queue_members(gid.backend, gid.native_id, wanted)
        _fresh(info)
        info.context.loaders.queue_members(gid.backend).prime(gid.native_id, result)
        return Queue.of(gid.backend, await _reload(info, gid, domain.Queue))

    # --- trunks ------------------------------------------------------------------

    @strawberry.mutation(description="Create a SIP trunk; the password is stored, never shown.")
    async def create_trunk(
        self, info: Info, backend: BackendArg, input: Annotated[CreateTrunkInput, _arg(CREATE.format("trunk"))]
    ) -> Trunk:
        return await _create(info, _writer(info).trunks, backend, lambda: to_trunk_create(input), Trunk.of)

    @strawberry.mutation(description="Change the given fields of a trunk.")
    async def update_trunk(self, info: Info, id: TrunkId, input: Annotated[UpdateTrunkInput, _arg(CHANGES)]) -> Trunk:
        return await _update(info, _writer(info).trunks, id, lambda: to_trunk_update(input), Trunk.of)

    @strawberry.mutation(description="Delete a trunk.")
    async def delete_trunk(self, info: Info, id: TrunkId) -> DeletePayload:
        return await _delete(info, id, domain.Kind.TRUNK)

    # --- devices -----------------------------------------------------------------

    @strawberry.mutation(description="Register a device, optionally assigned to a user.")
    async def create_device(
        self, info: Info, backend: BackendArg, input: Annotated[CreateDeviceInput, _arg(CREATE.format("device"))]
    ) -> Device:
        return await _create(
            info,
            _writer(info).devices,
            backend,
            lambda: to_device_create(
                input, None if input.user_id is None else _user_on(backend, input.user_id, "input.userId")
            ),
            Device.of,
        )

    @strawberry.mutation(description="Change the given fields of a device.")
    async def update_device(
        self, info: Info, id: DeviceId, input: Annotated[UpdateDeviceInput, _arg(CHANGES)]
    ) -> Device:
        return await _update(info, _writer(info).devices, id, lambda: to_device_update(input), Device.of)

    @strawberry.mutation(description="Delete a device.")
    async def delete_device(self, info: Info, id: DeviceId) -> DeletePayload:
        return await _delete(info, id, domain.Kind.DEVICE)

    @strawberry.mutation(description="Assign a device to a user of the same backend.")
    async def assign_device(
        self,
        info: Info,
        device_id: DeviceId,
        user_id: Annotated[strawberry.ID, _arg("Global id of a user of the device's backend.")],
    ) -> Device:
        service = _writer(info)
        gid = _target(info, device_id, domain.Kind.DEVICE, "deviceId")
        user = _user_on(gid.backend, user_id, "userId")
        record = await service.assign_device(gid.backend, gid.native_id, user)
        _fresh(info)
        return Device.of(gid.backend, record)

    @strawberry.mutation(description="Take a device away from its user.")
    async def unassign_device(self, info: Info, device_id: DeviceId) -> Device:
        service = _writer(info)
        gid = _target(info, device_id, domain.Kind.DEVICE, "deviceId")
        record = await service.unassign_device(gid.backend, gid.native_id)
        _fresh(info)
        return Device.of(gid.backend, record)

    @strawberry.mutation(description="Make the device re-read its configuration.")
    async def resync_device(self, info: Info, id: DeviceId) -> DeviceActionPayload:
        return await _device_action(info, id, domain.DeviceAction.RESYNC)

    @strawberry.mutation(description="Reboot the device.")
    async def restart_device(self, info: Info, id: DeviceId) -> DeviceActionPayload:
        return await _device_action(info, id, domain.DeviceAction.RESTART)


async def _create(
    info: Info[Context, None],
    kind: KindService[R, C, Never],
    backend: str,
    data: Callable[[], C],
    node: Callable[[str, R], N],
) -> N:
    """Check the backend, then the input, then create (the caller was checked by ``_writer``)."""
    info.context.service.require(backend)
    record = await kind.create(backend, data())
    _fresh(info)
    return node(backend, record)


async def _update(
    info: Info[Context, None],
    kind: KindService[R, Never, P],
    value: str,
    patch: Callable[[], P],
    node: Callable[[str, R], N],
) -> N:
    """Validate the id, then the patch, then change only what it names."""
    gid = _target(info, value, kind.kind, "id")
    record = await kind.update(gid.backend, gid.native_id, _changes(patch()))
    _fresh(info)
    return node(gid.backend, record)


async def _delete(info: Info[Context, None], value: str, kind: domain.Kind) -> DeletePayload:
    service = _writer(info)
    gid = _target(info, value, kind, "id")
    await service.kind(kind).delete(gid.backend, gid.native_id)
    _fresh(info)
    return DeletePayload(deleted_id=strawberry.ID(value))


async def _group_with_members(info: Info[Context, None], gid: GlobalId, members: list[domain.GroupMember]) -> Group:
    _fresh(info)
    info.context.loaders.group_members(gid.backend).prime(gid.native_id, members)
    return Group.of(gid.backend, await _reload(info, gid, domain.Group))


async def _device_action(info: Info[Context, None], value: str, action: domain.DeviceAction) -> DeviceActionPayload:
    service = _writer(info)
    gid = _target(info, value, domain.Kind.DEVICE, "id")
    await service.device_action(gid.backend, gid.native_id, action)
    return DeviceActionPayload(
        device=Device.of(gid.backend, await _reload(info, gid, domain.Device)), action=action.value
    )
