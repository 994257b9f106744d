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

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Never, TypeVar

import strawberry
from strawberry.types import Info

from pbxgraph import domain, validation
from pbxgraph.errors import BadUserInput, Forbidden, InputErrors, NotFound, PbxError, raise_all
from pbxgraph.ids import GlobalId, decode_expected, decode_id
from pbxgraph.schema.changes import ChangesMutation
from pbxgraph.schema.context import Context
from pbxgraph.schema.inputs import (
    Checks,
    CreateDeviceInput,
    CreateGroupInput,
    CreateQueueInput,
    CreateTrunkInput,
    CreateUserInput,
    MemberInput,
    QueueMemberInput,
    UpdateDeviceInput,
    UpdateGroupInput,
    UpdateQueueInput,
    UpdateTrunkInput,
    UpdateUserInput,
    group_members_given,
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
from pbxgraph.schema.owners import name_owner
from pbxgraph.service import KindService, PbxService
from pbxgraph.service.changes import Action, BatchStatus, Change, Member, Status, apply_changes

R = TypeVar("R", bound=domain.Record)
C = TypeVar("C")
P = TypeVar("P", bound=domain.PatchMixin)
N = TypeVar("N")


@strawberry.type(description="What a delete removed.")
class DeletePayload:
    deleted_id: strawberry.ID = strawberry.field(description="The global id of the object deleted, as it was given.")
    deleted: bool = strawberry.field(
        default=True,
        description="Whether this call deleted it: false when `ifExists: true` found it already gone.",
    )


@strawberry.type(description="A group or queue after a change of its members: the one of the two the id named.")
class MembersPayload:
    id: strawberry.ID = strawberry.field(description="The global id of the group or queue, as it was given.")
    group: Group | None = strawberry.field(description="The group, read again; null when the id names a queue.")
    queue: Queue | None = strawberry.field(description="The queue, read again; null when the id names a group.")


@strawberry.type(description="A device operation the backend accepted.")
class DeviceActionPayload:
    device: Device = strawberry.field(description="The device, read again after the operation.")
    action: str = strawberry.field(description="What was asked of it: `resync` or `restart`.")


def _arg(description: str, deprecated: str | None = None) -> Any:
    return strawberry.argument(description=description, deprecation_reason=deprecated)


BackendArg = Annotated[str, _arg("The configured backend to create it on (see `backends`).")]
UserId = Annotated[strawberry.ID, _arg("The user's global id.")]
GroupId = Annotated[strawberry.ID, _arg("The group's global id.")]
QueueId = Annotated[strawberry.ID, _arg("The queue's global id.")]
TrunkId = Annotated[strawberry.ID, _arg("The trunk's global id.")]
DeviceId = Annotated[strawberry.ID, _arg("The device's global id.")]
UserIds = Annotated[list[strawberry.ID], _arg("Global ids of users of the group's backend; at least one.")]
IfExists = Annotated[
    bool,
    _arg("True: an object already gone is no error (the answer says `deleted: false`); a retry stays quiet."),
]
MembersId = Annotated[strawberry.ID, _arg("The global id of the group or queue acted on.")]
CREATE = "The new {0}'s fields; all are checked before the backend is called."
CHANGES = "The fields to change; those left out stay as they are."
OLD_MEMBERS = "Use `{0}(id:, members: [{{id}}])`, the same for groups and queues."
OLD_DEVICE_ID = "Use `id`: every mutation names the object it acts on `id`."


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


def _one_of(new: str | None, old: str | None, new_name: str, old_name: str) -> tuple[str, str]:
    """The id given as ``new_name`` or, by an older script, as ``old_name``: exactly one of them."""
    if new is not None and old is not None:
        raise BadUserInput(f"{old_name}: give `{new_name}` or the older `{old_name}`, not both", field=old_name)
    if new is None and old is None:
        raise BadUserInput(f"{new_name}: give the id of the object to act on", field=new_name)
    return (new, new_name) if new is not None else (old or "", old_name)


def _expected(value: str, kind: domain.Kind, field: str) -> GlobalId:
    return decode_expected(value, kind, field=field)


def _decoded(value: str, field: str) -> GlobalId:
    return decode_id(value, field=field)


def _same_backend(values: list[str], kind: domain.Kind, backend: str, field: str) -> list[str]:
    """The native ids of ``values`` (``field[i]``), each of ``kind`` on ``backend``; every problem at once."""
    native: list[str] = []
    c = Checks()
    for index, value in enumerate(values):
        where = f"{field}[{index}]"
        gid = c(_expected, value, kind, where)
        if gid is None:
            continue
        if gid.backend != backend:
            c.add(
                BadUserInput(f"{where}: the {kind.value} is on backend '{gid.backend}', not '{backend}'", field=where)
            )
            continue
        native.append(gid.native_id)
    c.done()
    return native


def _user_on(backend: str, value: str, field: str) -> str:
    """The native id of a user that must live on ``backend``; errors name ``field`` itself."""
    gid = decode_expected(value, domain.Kind.USER, field=field)
    if gid.backend != backend:
        raise BadUserInput(f"{field}: the user is on backend '{gid.backend}', not '{backend}'", field=field)
    return gid.native_id


def _group_members(values: list[MemberInput], backend: str, field: str) -> list[str]:
    """A new group's members as native user ids, errors naming them as written: ``memberIds[i]`` or ``members[i].id``."""
    if field.endswith("memberIds"):
        return _same_backend([m.id for m in values], domain.Kind.USER, backend, field)
    c = Checks()
    native: list[str] = []
    for index, member in enumerate(values):
        where = f"{field}[{index}]"
        gid = c(_expected, member.id, domain.Kind.USER, f"{where}.id")
        if gid is not None and gid.backend != backend:
            c.add(
                BadUserInput(
                    f"{where}.id: the user is on backend '{gid.backend}', not '{backend}'", field=f"{where}.id"
                )
            )
        elif gid is not None:
            native.append(gid.native_id)
        if member.priority is not None:
            c.add(
                BadUserInput(
                    f"{where}.priority: a group's members carry no priority; they ring in the order given",
                    field=f"{where}.priority",
                )
            )
    c.done()
    return native


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


def _queue_members(
    values: Sequence[MemberInput | QueueMemberInput], backend: str, field: str
) -> list[domain.QueueMemberInput]:
    """The members as the domain takes them; errors name ``field[i].id`` (or ``.priority``), all at once."""
    members: list[domain.QueueMemberInput] = []
    c = Checks()
    for index, member in enumerate(values):
        where = f"{field}[{index}].id"
        if member.priority is not None:
            c(validation.priority, member.priority, f"{field}[{index}].priority")
        gid = c(_decoded, member.id, where)
        if gid is None:
            continue
        if gid.kind not in (domain.Kind.USER, domain.Kind.GROUP):
            c.add(BadUserInput(f"{where}: a queue member is a user or a group, not a {gid.kind.value}", field=where))
        elif gid.backend != backend:
            c.add(
                BadUserInput(
                    f"{where}: the {gid.kind.value} is on backend '{gid.backend}', not '{backend}'", field=where
                )
            )
        else:
            members.append(
                domain.QueueMemberInput(
                    kind=domain.MemberKind(gid.kind.value), id=gid.native_id, priority=member.priority
                )
            )
    c.done()
    return members


def _both(make: Callable[[], C], *checks: Callable[[], Any]) -> C:
    """Run every check and ``make``, then raise all their problems together."""
    c = Checks()
    for check in checks:
        c(check)
    data = c(make)
    c.done()
    return data  # type: ignore[no-any-return]


async def _membership(
    info: Info[Context, None], operation: str, action: Action, value: str, members: list[MemberInput]
) -> MembersPayload:
    """Add, remove or set the members of a group or queue: planned and checked whole, as ``applyChanges`` does."""
    service = _writer(info)
    problems: list[PbxError] = []
    target: GlobalId | None = None
    try:
        target = decode_id(value, field="id")
        if target.kind not in (domain.Kind.GROUP, domain.Kind.QUEUE):
            raise BadUserInput(f"id: names a {target.kind.value}, not a group or queue", field="id")
    except PbxError as error:
        problems.append(error)
        target = None
    named: list[Member] = []
    for index, member in enumerate(members):
        where = f"members[{index}]"
        try:
            found = decode_id(member.id, field=f"{where}.id")
            if target is not None and found.backend != target.backend:
                raise BadUserInput(
                    f"{where}.id: the {found.kind.value} is on backend '{found.backend}', not '{target.backend}'",
                    field=f"{where}.id",
                )
            named.append(Member(found, f"{where}.id", member.priority))
        except PbxError as error:
            problems.append(error)
        if member.priority is not None:
            try:
                validation.priority(member.priority, f"{where}.priority")
            except PbxError as error:
                problems.append(error)
    if action is not Action.SET_MEMBERS and not members:
        problems.append(BadUserInput("members: give at least one member", field="members"))
    if target is None:
        raise InputErrors(problems)  # the id's problem, and any other
    change = Change(0, operation, action, target.kind, target=target, members=tuple(named), problems=problems)
    batch = await apply_changes(service, [change])
    item = batch.items[0]
    if batch.status is BatchStatus.INVALID:
        raise_all(list(item.problems))
    if item.status is Status.FAILED and item.error is not None:
        _fresh(info)
        failure = item.error
        if failure.field is not None and not failure.field.startswith(("members", "id")):
            failure = failure.naming("members")  # a vendor's name for the member list (``user_ids``) is ours
        raise failure
    _fresh(info)
    if target.kind is domain.Kind.GROUP:
        return MembersPayload(
            id=strawberry.ID(value),
            group=Group.of(target.backend, await _reload(info, target, domain.Group)),
            queue=None,
        )
    return MembersPayload(
        id=strawberry.ID(value), group=None, queue=Queue.of(target.backend, await _reload(info, target, domain.Queue))
    )


MembersArg = Annotated[
    list[MemberInput],
    _arg(
        "The members, in ring order: users of the group's backend, or users or groups of the queue's backend as "
        "its `capabilities { memberKinds }` say; a priority only where `memberPriority` is not null."
    ),
]


@strawberry.type(
    description="The write side. Each mutation needs an admin token (once tokens are configured), "
    "changes one backend (`applyChanges` and `moveUser`: several, planned whole first), checks its "
    "whole input before calling it and reports every problem at once (one error each, with its field), "
    "and leaves the backend as it was when it fails (or says exactly "
    "what was done). Objects a write changes besides its own are listed in `extensions.sideEffects`. "
    "Every mutation names the object it acts on `id`."
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
    async def delete_user(self, info: Info, id: UserId, if_exists: IfExists = False) -> DeletePayload:
        return await _delete(info, id, domain.Kind.USER, if_exists)

    # --- groups ------------------------------------------------------------------

    @strawberry.mutation(description="Create a group, optionally with members.")
    async def create_group(
        self, info: Info, backend: BackendArg, input: Annotated[CreateGroupInput, _arg(CREATE.format("group"))]
    ) -> Group:
        def data() -> domain.GroupCreate:
            field, members = group_members_given(input)
            ids: list[str] = []

            def named() -> None:
                ids.extend(_group_members(members, backend, field))

            return _both(lambda: to_group_create(input, ids), named)

        return await _create(info, _writer(info).groups, backend, data, Group.of)

    @strawberry.mutation(description="Change the given fields of a group.")
    async def update_group(self, info: Info, id: GroupId, input: Annotated[UpdateGroupInput, _arg(CHANGES)]) -> Group:
        return await _update(info, _writer(info).groups, id, lambda: to_group_update(input), Group.of)

    @strawberry.mutation(description="Delete a group (its users stay).")
    async def delete_group(self, info: Info, id: GroupId, if_exists: IfExists = False) -> DeletePayload:
        return await _delete(info, id, domain.Kind.GROUP, if_exists)

    @strawberry.mutation(
        description="Append users to a group.",
        deprecation_reason=OLD_MEMBERS.format("addMembers"),
    )
    async def add_group_members(self, info: Info, group_id: GroupId, user_ids: UserIds) -> Group:
        service = _writer(info)
        gid = _target(info, group_id, domain.Kind.GROUP, "groupId")
        users = _same_backend(list(user_ids), domain.Kind.USER, gid.backend, "userIds")
        if not users:
            raise BadUserInput("userIds: give at least one user", field="userIds")
        members = await service.add_group_members(gid.backend, gid.native_id, users)
        return await _group_with_members(info, gid, members)

    @strawberry.mutation(
        description="Remove users from a group; all or none.",
        deprecation_reason=OLD_MEMBERS.format("removeMembers"),
    )
    async def remove_group_members(self, info: Info, group_id: GroupId, user_ids: UserIds) -> Group:
        service = _writer(info)
        gid = _target(info, group_id, domain.Kind.GROUP, "groupId")
        users = _same_backend(list(user_ids), domain.Kind.USER, gid.backend, "userIds")
        if not users:
            raise BadUserInput("userIds: give at least one user", field="userIds")
        members = await service.remove_group_members(gid.backend, gid.native_id, users)
        return await _group_with_members(info, gid, members)

    # --- members of groups and queues -----------------------------------------------

    @strawberry.mutation(
        description="Append members to a group or queue; members already in it keep their place. "
        "Planned and checked whole first, like one change of `applyChanges`."
    )
    async def add_members(self, info: Info, id: MembersId, members: MembersArg) -> MembersPayload:
        return await _membership(info, "addMembers", Action.ADD_MEMBERS, id, list(members))

    @strawberry.mutation(description="Take members out of a group or queue; each must be in it. All or none.")
    async def remove_members(self, info: Info, id: MembersId, members: MembersArg) -> MembersPayload:
        return await _membership(info, "removeMembers", Action.REMOVE_MEMBERS, id, list(members))

    @strawberry.mutation(
        description="Make a group's or queue's members exactly these, in this order; an empty list leaves it "
        "without members (a group's members that are numbers, not users, stay)."
    )
    async def set_members(self, info: Info, id: MembersId, members: MembersArg) -> MembersPayload:
        return await _membership(info, "setMembers", Action.SET_MEMBERS, id, list(members))

    # --- queues ------------------------------------------------------------------

    @strawberry.mutation(description="Create a queue, optionally with members in order.")
    async def create_queue(
        self, info: Info, backend: BackendArg, input: Annotated[CreateQueueInput, _arg(CREATE.format("queue"))]
    ) -> Queue:
        def data() -> domain.QueueCreate:
            members: list[domain.QueueMemberInput] = []

            def named() -> None:
                members.extend(_queue_members(list(input.members), backend, "input.members"))

            return _both(lambda: to_queue_create(input, members), named)

        return await _create(info, _writer(info).queues, backend, data, Queue.of)

    @strawberry.mutation(description="Change the given fields of a queue.")
    async def update_queue(self, info: Info, id: QueueId, input: Annotated[UpdateQueueInput, _arg(CHANGES)]) -> Queue:
        return await _update(info, _writer(info).queues, id, lambda: to_queue_update(input), Queue.of)

    @strawberry.mutation(description="Delete a queue.")
    async def delete_queue(self, info: Info, id: QueueId, if_exists: IfExists = False) -> DeletePayload:
        return await _delete(info, id, domain.Kind.QUEUE, if_exists)

    @strawberry.mutation(
        description="Replace a queue's members with these, in this order.",
        deprecation_reason=OLD_MEMBERS.format("setMembers"),
    )
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
    async def delete_trunk(self, info: Info, id: TrunkId, if_exists: IfExists = False) -> DeletePayload:
        return await _delete(info, id, domain.Kind.TRUNK, if_exists)

    # --- devices -----------------------------------------------------------------

    @strawberry.mutation(description="Register a device, optionally assigned to a user.")
    async def create_device(
        self, info: Info, backend: BackendArg, input: Annotated[CreateDeviceInput, _arg(CREATE.format("device"))]
    ) -> Device:
        def data() -> domain.DeviceCreate:
            user: list[str | None] = [None]

            def owner() -> None:
                if input.user_id is not None:
                    user[0] = _user_on(backend, input.user_id, "input.userId")

            return _both(lambda: to_device_create(input, user[0]), owner)

        return await _create(info, _writer(info).devices, backend, data, Device.of)

    @strawberry.mutation(description="Change the given fields of a device.")
    async def update_device(
        self, info: Info, id: DeviceId, input: Annotated[UpdateDeviceInput, _arg(CHANGES)]
    ) -> Device:
        return await _update(info, _writer(info).devices, id, lambda: to_device_update(input), Device.of)

    @strawberry.mutation(description="Delete a device.")
    async def delete_device(self, info: Info, id: DeviceId, if_exists: IfExists = False) -> DeletePayload:
        return await _delete(info, id, domain.Kind.DEVICE, if_exists)

    @strawberry.mutation(description="Assign a device to a user of the same backend.")
    async def assign_device(
        self,
        info: Info,
        user_id: Annotated[strawberry.ID, _arg("Global id of a user of the device's backend.")],
        id: Annotated[strawberry.ID | None, _arg("The device's global id.")] = None,
        device_id: Annotated[strawberry.ID | None, _arg("The device's global id.", OLD_DEVICE_ID)] = None,
    ) -> Device:
        service = _writer(info)
        value, field = _one_of(id, device_id, "id", "deviceId")
        c = Checks()
        gid = c(_target, info, value, domain.Kind.DEVICE, field)
        user = (
            c(_user_on, gid.backend, user_id, "userId")
            if gid is not None
            else c(_expected, user_id, domain.Kind.USER, "userId")
        )
        c.done()
        record = await service.assign_device(gid.backend, gid.native_id, user)
        _fresh(info)
        return Device.of(gid.backend, record)

    @strawberry.mutation(description="Take a device away from its user.")
    async def unassign_device(
        self,
        info: Info,
        id: Annotated[strawberry.ID | None, _arg("The device's global id.")] = None,
        device_id: Annotated[strawberry.ID | None, _arg("The device's global id.", OLD_DEVICE_ID)] = None,
    ) -> Device:
        service = _writer(info)
        value, field = _one_of(id, device_id, "id", "deviceId")
        gid = _target(info, value, domain.Kind.DEVICE, field)
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
    value = data()
    try:
        record = await kind.create(backend, value)
    except PbxError as error:
        raise await name_owner(info.context.service, error, getattr(value, "extension", None), None) from None
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
    c = Checks()
    gid = c(_target, info, value, kind.kind, "id")
    changes = c(lambda: _changes(patch()))
    c.done()
    try:
        record = await kind.update(gid.backend, gid.native_id, changes)
    except PbxError as error:
        raise await name_owner(info.context.service, error, getattr(changes, "extension", None), gid) from None
    _fresh(info)
    return node(gid.backend, record)


async def _delete(info: Info[Context, None], value: str, kind: domain.Kind, if_exists: bool = False) -> DeletePayload:
    service = _writer(info)
    gid = _target(info, value, kind, "id")
    try:
        await service.kind(kind).delete(gid.backend, gid.native_id)
    except NotFound:
        if not if_exists:
            raise
        return DeletePayload(deleted_id=strawberry.ID(value), deleted=False)
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
