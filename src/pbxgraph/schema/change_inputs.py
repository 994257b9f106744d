"""The input of ``applyChanges`` and its translation into the service's change items.

A change is one operation with the same input as its single mutation
(``createUser`` takes a ``CreateUserInput``, ``updateGroup`` an
``UpdateGroupInput`` ...), checked by the same converters, so a batch and a
single mutation accept and refuse exactly the same values. Anywhere a change
takes an id it may instead say ``ref:NAME``: the object of the batch's item
whose ``ref`` is NAME (the one it creates, or the one it acts on).

Conversion never stops at the first problem: each item keeps every problem
found in it (its id, its input, each member), named by its path inside the
item, and the service adds what it finds on the backends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import strawberry

from pbxgraph import domain, validation
from pbxgraph.errors import BadUserInput, PbxError
from pbxgraph.ids import decode_expected, decode_id
from pbxgraph.schema.enums import described
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
from pbxgraph.service.changes import Action, Change, Member, OnError, Ref, Target
from pbxgraph.service.changes.model import REF_PREFIX

described(
    OnError,
    "OnError",
    "What a batch of changes does when one of them fails on its backend.",
    {
        "STOP": "Start no further change; those applied stay applied (the default).",
        "CONTINUE": "Go on with every change that does not depend on the failed one.",
        "ROLLBACK": "Start no further change, then undo those applied, newest first, where the backend allows.",
    },
)

ID_OR_REF = "In a batch, `ref:NAME` names the object of the change whose `ref` is NAME."


@strawberry.input(description=f"Create a user. {ID_OR_REF}")
class CreateUserChange:
    backend: str = strawberry.field(description="The configured backend to create it on.")
    input: CreateUserInput = strawberry.field(description="The new user, as `createUser` takes it.")


@strawberry.input(description=f"Create a ring group. {ID_OR_REF}")
class CreateGroupChange:
    backend: str = strawberry.field(description="The configured backend to create it on.")
    input: CreateGroupInput = strawberry.field(
        description="The new group, as `createGroup` takes it; `memberIds` may hold `ref:NAME`."
    )


@strawberry.input(description=f"Create a queue. {ID_OR_REF}")
class CreateQueueChange:
    backend: str = strawberry.field(description="The configured backend to create it on.")
    input: CreateQueueInput = strawberry.field(
        description="The new queue, as `createQueue` takes it; a member's `id` may be `ref:NAME`."
    )


@strawberry.input(description="Create a trunk.")
class CreateTrunkChange:
    backend: str = strawberry.field(description="The configured backend to create it on.")
    input: CreateTrunkInput = strawberry.field(description="The new trunk, as `createTrunk` takes it.")


@strawberry.input(description=f"Create a device. {ID_OR_REF}")
class CreateDeviceChange:
    backend: str = strawberry.field(description="The configured backend to create it on.")
    input: CreateDeviceInput = strawberry.field(
        description="The new device, as `createDevice` takes it; `userId` may be `ref:NAME`."
    )


@strawberry.input(
    description=f"Change the given fields of a user; fields that already hold the value given are left alone. {ID_OR_REF}"
)
class UpdateUserChange:
    id: strawberry.ID = strawberry.field(description="The user's global id, or `ref:NAME`.")
    input: UpdateUserInput = strawberry.field(description="The fields to change, as `updateUser` takes them.")


@strawberry.input(
    description=f"Change the given fields of a group; fields that already hold the value given are left alone. {ID_OR_REF}"
)
class UpdateGroupChange:
    id: strawberry.ID = strawberry.field(description="The group's global id, or `ref:NAME`.")
    input: UpdateGroupInput = strawberry.field(description="The fields to change, as `updateGroup` takes them.")


@strawberry.input(
    description=f"Change the given fields of a queue; fields that already hold the value given are left alone. {ID_OR_REF}"
)
class UpdateQueueChange:
    id: strawberry.ID = strawberry.field(description="The queue's global id, or `ref:NAME`.")
    input: UpdateQueueInput = strawberry.field(description="The fields to change, as `updateQueue` takes them.")


@strawberry.input(
    description=f"Change the given fields of a trunk; fields that already hold the value given are left alone. {ID_OR_REF}"
)
class UpdateTrunkChange:
    id: strawberry.ID = strawberry.field(description="The trunk's global id, or `ref:NAME`.")
    input: UpdateTrunkInput = strawberry.field(description="The fields to change, as `updateTrunk` takes them.")


@strawberry.input(
    description=f"Change the given fields of a device; fields that already hold the value given are left alone. {ID_OR_REF}"
)
class UpdateDeviceChange:
    id: strawberry.ID = strawberry.field(description="The device's global id, or `ref:NAME`.")
    input: UpdateDeviceInput = strawberry.field(description="The fields to change, as `updateDevice` takes them.")


@strawberry.input(description=f"Delete an object. {ID_OR_REF}")
class DeleteChange:
    id: strawberry.ID = strawberry.field(description="The object's global id, or `ref:NAME`.")


@strawberry.input(description=f"Users to add to a group, take out of it, or make its users. {ID_OR_REF}")
class GroupMembersChange:
    id: strawberry.ID = strawberry.field(description="The group's global id, or `ref:NAME`.")
    member_ids: list[strawberry.ID] = strawberry.field(
        description="Global ids (or `ref:NAME`) of users of the group's backend, in ring order."
    )


@strawberry.input(description=f"The members a queue is to have, in ring order. {ID_OR_REF}")
class QueueMembersChange:
    id: strawberry.ID = strawberry.field(description="The queue's global id, or `ref:NAME`.")
    members: list[QueueMemberInput] = strawberry.field(
        description="Every member the queue is to have, in ring order; a member's `id` may be `ref:NAME`."
    )


@strawberry.input(description=f"Give a device to a user of its backend. {ID_OR_REF}")
class AssignDeviceChange:
    device_id: strawberry.ID = strawberry.field(description="The device's global id, or `ref:NAME`.")
    user_id: strawberry.ID = strawberry.field(description="The user's global id, or `ref:NAME`.")


@strawberry.input(description=f"Take a device from its user. {ID_OR_REF}")
class UnassignDeviceChange:
    device_id: strawberry.ID = strawberry.field(description="The device's global id, or `ref:NAME`.")


@strawberry.input(
    description="One change of a batch: give `ref` (optional) and exactly one operation. Each operation takes "
    "what its single mutation takes, and wherever it takes an id, `ref:NAME` names the object of the "
    "change whose `ref` is NAME, earlier or later in the batch: the batch applies it first."
)
class ChangeInput:
    ref: str | None = strawberry.field(
        default=None,
        description="A name for the object this change creates or acts on, unique in the batch: a letter or "
        "digit, then letters, digits and `. _ @ + -`.",
    )
    create_user: CreateUserChange | None = strawberry.field(default=None, description="Create a user.")
    update_user: UpdateUserChange | None = strawberry.field(default=None, description="Change a user's fields.")
    delete_user: DeleteChange | None = strawberry.field(default=None, description="Delete a user.")
    create_group: CreateGroupChange | None = strawberry.field(default=None, description="Create a ring group.")
    update_group: UpdateGroupChange | None = strawberry.field(default=None, description="Change a group's fields.")
    delete_group: DeleteChange | None = strawberry.field(default=None, description="Delete a group.")
    add_group_members: GroupMembersChange | None = strawberry.field(
        default=None, description="Append users to a group; users already in it keep their place."
    )
    remove_group_members: GroupMembersChange | None = strawberry.field(
        default=None, description="Take users out of a group; each must be in it."
    )
    set_group_members: GroupMembersChange | None = strawberry.field(
        default=None,
        description="Make the group's users exactly these, in this order (members that are numbers, not users, stay).",
    )
    create_queue: CreateQueueChange | None = strawberry.field(default=None, description="Create a queue.")
    update_queue: UpdateQueueChange | None = strawberry.field(default=None, description="Change a queue's fields.")
    delete_queue: DeleteChange | None = strawberry.field(default=None, description="Delete a queue.")
    set_queue_members: QueueMembersChange | None = strawberry.field(
        default=None, description="Replace a queue's members with these, in this order."
    )
    create_trunk: CreateTrunkChange | None = strawberry.field(default=None, description="Create a trunk.")
    update_trunk: UpdateTrunkChange | None = strawberry.field(default=None, description="Change a trunk's fields.")
    delete_trunk: DeleteChange | None = strawberry.field(default=None, description="Delete a trunk.")
    create_device: CreateDeviceChange | None = strawberry.field(default=None, description="Register a device.")
    update_device: UpdateDeviceChange | None = strawberry.field(default=None, description="Change a device's fields.")
    delete_device: DeleteChange | None = strawberry.field(default=None, description="Delete a device.")
    assign_device: AssignDeviceChange | None = strawberry.field(default=None, description="Give a device to a user.")
    unassign_device: UnassignDeviceChange | None = strawberry.field(
        default=None, description="Take a device from its user."
    )


@strawberry.input(description="A batch of changes, planned whole before anything is written.")
class ApplyChangesInput:
    changes: list[ChangeInput] = strawberry.field(
        description="The changes, at most `[limits] max_changes` of them (5,000 by default). They apply in this "
        "order, except where a change needs another first (a ref it uses, an object or number another "
        "change frees)."
    )
    dry_run: bool = strawberry.field(
        default=False,
        description="Only plan: read and check everything, answer the plan with every problem, write nothing.",
    )
    on_error: OnError = strawberry.field(
        default=OnError.STOP, description="What to do when a change fails on its backend (default STOP)."
    )


# --- into the service's items ----------------------------------------------------------------------


def target(value: str, kind: domain.Kind, field: str) -> Target:
    """An id of a ``kind``, or ``ref:NAME``; BAD_USER_INPUT naming ``field`` for anything else."""
    if value.startswith(REF_PREFIX):
        return Ref(value[len(REF_PREFIX) :])
    return decode_expected(value, kind, field=field)


def _member(value: str, field: str) -> Target:
    if value.startswith(REF_PREFIX):
        return Ref(value[len(REF_PREFIX) :])
    gid = decode_id(value, field=field)
    if gid.kind not in (domain.Kind.USER, domain.Kind.GROUP):
        raise BadUserInput(f"{field}: a queue member is a user or a group, not a {gid.kind.value}", field=field)
    return gid


@dataclass
class _Item:
    """Collects one item's parts and problems: each part is tried on its own, so every problem is kept."""

    problems: list[PbxError]

    def attempt(self, make: Callable[..., Any], *args: Any) -> Any:
        try:
            return make(*args)
        except PbxError as error:
            self.problems.append(error)
            return None


def _users(item: _Item, values: list[strawberry.ID], field: str) -> tuple[Member, ...]:
    members = []
    for position, value in enumerate(values):
        where = f"{field}[{position}]"
        found = item.attempt(target, value, domain.Kind.USER, where)
        if found is not None:
            members.append(Member(found, where))
    return tuple(members)


def _seats(item: _Item, values: list[QueueMemberInput], field: str) -> tuple[Member, ...]:
    members = []
    for position, value in enumerate(values):
        where = f"{field}[{position}]"
        found = item.attempt(_member, value.id, f"{where}.id")
        priority = value.priority
        if priority is not None:
            priority = item.attempt(validation.priority, priority, f"{where}.priority")
        if found is not None:
            members.append(Member(found, f"{where}.id", priority))
    return tuple(members)


def _create(index: int, ref: str | None, name: str, kind: domain.Kind, value: Any) -> Change:
    item = _Item([])
    members: tuple[Member, ...] = ()
    user: Target | None = None
    data: Any
    if kind is domain.Kind.GROUP:
        members = _users(item, list(value.input.member_ids), "input.memberIds")
        data = item.attempt(to_group_create, value.input, [])
    elif kind is domain.Kind.QUEUE:
        members = _seats(item, list(value.input.members), "input.members")
        data = item.attempt(to_queue_create, value.input, [])
    elif kind is domain.Kind.DEVICE:
        if value.input.user_id is not None:
            user = item.attempt(target, value.input.user_id, domain.Kind.USER, "input.userId")
        data = item.attempt(to_device_create, value.input, None)
    elif kind is domain.Kind.USER:
        data = item.attempt(to_user_create, value.input)
    else:
        data = item.attempt(to_trunk_create, value.input)
    return Change(
        index,
        name,
        Action.CREATE,
        kind,
        ref=ref,
        backend=value.backend,
        data=data if not item.problems else None,
        members=members,
        user=user,
        user_field="input.userId",
        problems=item.problems,
    )


_UPDATES: dict[domain.Kind, Callable[[Any], domain.PatchMixin]] = {
    domain.Kind.USER: to_user_update,
    domain.Kind.GROUP: to_group_update,
    domain.Kind.QUEUE: to_queue_update,
    domain.Kind.TRUNK: to_trunk_update,
    domain.Kind.DEVICE: to_device_update,
}


def _update(index: int, ref: str | None, name: str, kind: domain.Kind, value: Any) -> Change:
    item = _Item([])
    found = item.attempt(target, value.id, kind, "id")
    patch = item.attempt(_UPDATES[kind], value.input)
    if patch is not None and patch.is_empty():
        item.problems.append(BadUserInput("input: give at least one field to change", field="input"))
    return Change(
        index,
        name,
        Action.UPDATE,
        kind,
        ref=ref,
        target=found,
        data=patch if not item.problems else None,
        problems=item.problems,
    )


def _delete(index: int, ref: str | None, name: str, kind: domain.Kind, value: Any) -> Change:
    item = _Item([])
    found = item.attempt(target, value.id, kind, "id")
    return Change(index, name, Action.DELETE, kind, ref=ref, target=found, problems=item.problems)


def _group_members(action: Action) -> Callable[[int, str | None, str, domain.Kind, Any], Change]:
    def convert(index: int, ref: str | None, name: str, kind: domain.Kind, value: Any) -> Change:
        item = _Item([])
        found = item.attempt(target, value.id, kind, "id")
        members = _users(item, list(value.member_ids), "memberIds")
        if not value.member_ids and action is not Action.SET_MEMBERS:
            item.problems.append(BadUserInput("memberIds: give at least one user", field="memberIds"))
        return Change(index, name, action, kind, ref=ref, target=found, members=members, problems=item.problems)

    return convert


def _queue_members(index: int, ref: str | None, name: str, kind: domain.Kind, value: Any) -> Change:
    item = _Item([])
    found = item.attempt(target, value.id, kind, "id")
    members = _seats(item, list(value.members), "members")
    return Change(index, name, Action.SET_MEMBERS, kind, ref=ref, target=found, members=members, problems=item.problems)


def _assign(index: int, ref: str | None, name: str, kind: domain.Kind, value: Any) -> Change:
    item = _Item([])
    found = item.attempt(target, value.device_id, kind, "deviceId")
    user = item.attempt(target, value.user_id, domain.Kind.USER, "userId")
    return Change(
        index,
        name,
        Action.ASSIGN,
        kind,
        ref=ref,
        target=found,
        target_field="deviceId",
        user=user,
        problems=item.problems,
    )


def _unassign(index: int, ref: str | None, name: str, kind: domain.Kind, value: Any) -> Change:
    item = _Item([])
    found = item.attempt(target, value.device_id, kind, "deviceId")
    return Change(
        index, name, Action.UNASSIGN, kind, ref=ref, target=found, target_field="deviceId", problems=item.problems
    )


Converter = Callable[[int, str | None, str, domain.Kind, Any], Change]
K = domain.Kind
#: Every operation a change may name: its GraphQL name, its field on ChangeInput, its kind, and its converter.
OPERATIONS: tuple[tuple[str, str, domain.Kind, Converter], ...] = (
    ("createUser", "create_user", K.USER, _create),
    ("updateUser", "update_user", K.USER, _update),
    ("deleteUser", "delete_user", K.USER, _delete),
    ("createGroup", "create_group", K.GROUP, _create),
    ("updateGroup", "update_group", K.GROUP, _update),
    ("deleteGroup", "delete_group", K.GROUP, _delete),
    ("addGroupMembers", "add_group_members", K.GROUP, _group_members(Action.ADD_MEMBERS)),
    ("removeGroupMembers", "remove_group_members", K.GROUP, _group_members(Action.REMOVE_MEMBERS)),
    ("setGroupMembers", "set_group_members", K.GROUP, _group_members(Action.SET_MEMBERS)),
    ("createQueue", "create_queue", K.QUEUE, _create),
    ("updateQueue", "update_queue", K.QUEUE, _update),
    ("deleteQueue", "delete_queue", K.QUEUE, _delete),
    ("setQueueMembers", "set_queue_members", K.QUEUE, _queue_members),
    ("createTrunk", "create_trunk", K.TRUNK, _create),
    ("updateTrunk", "update_trunk", K.TRUNK, _update),
    ("deleteTrunk", "delete_trunk", K.TRUNK, _delete),
    ("createDevice", "create_device", K.DEVICE, _create),
    ("updateDevice", "update_device", K.DEVICE, _update),
    ("deleteDevice", "delete_device", K.DEVICE, _delete),
    ("assignDevice", "assign_device", K.DEVICE, _assign),
    ("unassignDevice", "unassign_device", K.DEVICE, _unassign),
)
_ACTIONS = {
    "create": Action.CREATE,
    "update": Action.UPDATE,
    "delete": Action.DELETE,
    "addGroupMembers": Action.ADD_MEMBERS,
    "removeGroupMembers": Action.REMOVE_MEMBERS,
    "setGroupMembers": Action.SET_MEMBERS,
    "setQueueMembers": Action.SET_MEMBERS,
    "assignDevice": Action.ASSIGN,
    "unassignDevice": Action.UNASSIGN,
}


def _action_of(name: str) -> Action:
    for prefix in ("create", "update", "delete"):
        if name.startswith(prefix):
            return _ACTIONS[prefix]
    return _ACTIONS[name]


def to_change(index: int, value: ChangeInput) -> Change:
    """One item as the service takes it; a missing or second operation is the item's problem."""
    given = [
        (name, attr, kind, convert) for name, attr, kind, convert in OPERATIONS if getattr(value, attr) is not None
    ]
    if len(given) != 1:
        names = ", ".join(name for name, *_ in given) if given else "none"
        problem = BadUserInput(f"give exactly one operation (createUser, updateUser, ...); given: {names}")
        kind = given[0][2] if given else domain.Kind.USER
        action = _action_of(given[0][0]) if given else Action.UPDATE
        return Change(index, given[0][0] if given else "change", action, kind, ref=value.ref, problems=[problem])
    name, attr, kind, convert = given[0]
    return convert(index, value.ref, name, kind, getattr(value, attr))


def to_changes(values: list[ChangeInput]) -> list[Change]:
    return [to_change(index, value) for index, value in enumerate(values)]
