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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry

from pbxgraph import domain, validation
from pbxgraph.errors import BadUserInput, InputErrors, PbxError
from pbxgraph.ids import GlobalId, decode_expected, decode_id
from pbxgraph.schema.enums import described
from pbxgraph.schema.inputs import (
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
        description="The new group, as `createGroup` takes it; a member's `id` may be `ref:NAME`."
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
    if_exists: bool = strawberry.field(
        default=False,
        description="True: an object already gone is no problem; the change is UNCHANGED (nothing to do).",
    )


@strawberry.input(description=f"Members to add to a group or queue, take out of it, or make its members. {ID_OR_REF}")
class MembersChange:
    id: strawberry.ID = strawberry.field(description="The group's or queue's global id, or `ref:NAME`.")
    members: list[MemberInput] = strawberry.field(
        description="The members, in ring order, as `addMembers`, `removeMembers` and `setMembers` take them; "
        "a member's `id` may be `ref:NAME`."
    )


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


OLD_DEVICE_ID = "Use `id`: every change names the object it acts on `id`."


@strawberry.input(description=f"Give a device to a user of its backend. {ID_OR_REF}")
class AssignDeviceChange:
    user_id: strawberry.ID = strawberry.field(description="The user's global id, or `ref:NAME`.")
    id: strawberry.ID | None = strawberry.field(default=None, description="The device's global id, or `ref:NAME`.")
    device_id: strawberry.ID | None = strawberry.field(
        default=None, description="The device's global id, or `ref:NAME`.", deprecation_reason=OLD_DEVICE_ID
    )


@strawberry.input(description=f"Take a device from its user. {ID_OR_REF}")
class UnassignDeviceChange:
    id: strawberry.ID | None = strawberry.field(default=None, description="The device's global id, or `ref:NAME`.")
    device_id: strawberry.ID | None = strawberry.field(
        default=None, description="The device's global id, or `ref:NAME`.", deprecation_reason=OLD_DEVICE_ID
    )


OLD_MEMBERS = "Use `{0}: {{id, members: [{{id}}]}}`, the same for groups and queues."


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
    add_members: MembersChange | None = strawberry.field(
        default=None, description="Append members to a group or queue; members already in it keep their place."
    )
    remove_members: MembersChange | None = strawberry.field(
        default=None, description="Take members out of a group or queue; each must be in it."
    )
    set_members: MembersChange | None = strawberry.field(
        default=None,
        description="Make a group's or queue's members exactly these, in this order (a group's members that are "
        "numbers, not users, stay).",
    )
    add_group_members: GroupMembersChange | None = strawberry.field(
        default=None,
        description="Append users to a group; users already in it keep their place.",
        deprecation_reason=OLD_MEMBERS.format("addMembers"),
    )
    remove_group_members: GroupMembersChange | None = strawberry.field(
        default=None,
        description="Take users out of a group; each must be in it.",
        deprecation_reason=OLD_MEMBERS.format("removeMembers"),
    )
    set_group_members: GroupMembersChange | None = strawberry.field(
        default=None,
        description="Make the group's users exactly these, in this order (members that are numbers, not users, stay).",
        deprecation_reason=OLD_MEMBERS.format("setMembers"),
    )
    create_queue: CreateQueueChange | None = strawberry.field(default=None, description="Create a queue.")
    update_queue: UpdateQueueChange | None = strawberry.field(default=None, description="Change a queue's fields.")
    delete_queue: DeleteChange | None = strawberry.field(default=None, description="Delete a queue.")
    set_queue_members: QueueMembersChange | None = strawberry.field(
        default=None,
        description="Replace a queue's members with these, in this order.",
        deprecation_reason=OLD_MEMBERS.format("setMembers"),
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


def _any_member(value: str, field: str) -> Target:
    if value.startswith(REF_PREFIX):
        return Ref(value[len(REF_PREFIX) :])
    return decode_id(value, field=field)


@dataclass
class _Item:
    """Collects one item's parts and problems: each part is tried on its own, so every problem is kept."""

    problems: list[PbxError]

    def attempt(self, make: Callable[..., Any], *args: Any) -> Any:
        try:
            return make(*args)
        except InputErrors as errors:
            self.problems.extend(errors.errors)
            return None
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


def _seats(
    item: _Item, values: Sequence[MemberInput | QueueMemberInput], field: str, *, any_kind: bool = False
) -> tuple[Member, ...]:
    """Members as ``field[i].id`` and ``.priority``; ``any_kind``: leave the kind to the planner (it knows the holder)."""
    members = []
    for position, value in enumerate(values):
        where = f"{field}[{position}]"
        found = item.attempt(_any_member if any_kind else _member, value.id, f"{where}.id")
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
        given = item.attempt(group_members_given, value.input)
        if given is not None and given[0].endswith("memberIds"):
            members = _users(item, [m.id for m in given[1]], given[0])
        elif given is not None:
            members = _seats(item, given[1], given[0], any_kind=True)
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
    return Change(
        index, name, Action.DELETE, kind, ref=ref, target=found, problems=item.problems, if_exists=value.if_exists
    )


def _members(action: Action) -> Callable[[int, str | None, str, domain.Kind, Any], Change]:
    """``addMembers``, ``removeMembers``, ``setMembers``: of a group or a queue, as the id (or ref) says."""

    def convert(index: int, ref: str | None, name: str, kind: domain.Kind, value: Any) -> Change:
        item = _Item([])
        found = item.attempt(_holder, value.id, "id")
        if isinstance(found, GlobalId):
            kind = found.kind
        members = _seats(item, list(value.members), "members", any_kind=True)
        if not value.members and action is not Action.SET_MEMBERS:
            item.problems.append(BadUserInput("members: give at least one member", field="members"))
        return Change(index, name, action, kind, ref=ref, target=found, members=members, problems=item.problems)

    return convert


def _holder(value: str, field: str) -> Target:
    """A group's or queue's id, or ``ref:NAME``."""
    if value.startswith(REF_PREFIX):
        return Ref(value[len(REF_PREFIX) :])
    gid = decode_id(value, field=field)
    if gid.kind not in (domain.Kind.GROUP, domain.Kind.QUEUE):
        raise BadUserInput(f"{field}: names a {gid.kind.value}, not a group or queue", field=field)
    return gid


def _device_id(item: _Item, value: Any) -> tuple[Target | None, str]:
    """The device acted on, as ``id`` or the older ``deviceId``: exactly one of them."""
    if value.id is not None and value.device_id is not None:
        item.problems.append(BadUserInput("deviceId: give `id` or the older `deviceId`, not both", field="deviceId"))
        return None, "id"
    if value.id is None and value.device_id is None:
        item.problems.append(BadUserInput("id: give the device's id", field="id"))
        return None, "id"
    field = "id" if value.id is not None else "deviceId"
    return item.attempt(target, value.id if value.id is not None else value.device_id, domain.Kind.DEVICE, field), field


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
    found, field = _device_id(item, value)
    user = item.attempt(target, value.user_id, domain.Kind.USER, "userId")
    return Change(
        index,
        name,
        Action.ASSIGN,
        kind,
        ref=ref,
        target=found,
        target_field=field,
        user=user,
        problems=item.problems,
    )


def _unassign(index: int, ref: str | None, name: str, kind: domain.Kind, value: Any) -> Change:
    item = _Item([])
    found, field = _device_id(item, value)
    return Change(index, name, Action.UNASSIGN, kind, ref=ref, target=found, target_field=field, problems=item.problems)


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
    ("addMembers", "add_members", K.GROUP, _members(Action.ADD_MEMBERS)),
    ("removeMembers", "remove_members", K.GROUP, _members(Action.REMOVE_MEMBERS)),
    ("setMembers", "set_members", K.GROUP, _members(Action.SET_MEMBERS)),
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
    "addMembers": Action.ADD_MEMBERS,
    "removeMembers": Action.REMOVE_MEMBERS,
    "setMembers": Action.SET_MEMBERS,
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


def _ref_kinds(values: list[ChangeInput]) -> dict[str, domain.Kind]:
    """The kind of the object each ``ref`` names, where the item's operation (or id) says it."""
    kinds: dict[str, domain.Kind] = {}
    for value in values:
        if value.ref is None:
            continue
        given = [(attr, kind) for _, attr, kind, _ in OPERATIONS if getattr(value, attr) is not None]
        if len(given) != 1:
            continue
        attr, kind = given[0]
        if attr in _HOLDERS:
            raw = getattr(value, attr).id
            try:
                kind = decode_id(raw).kind
            except PbxError:
                continue
        kinds[value.ref] = kind
    return kinds


#: The operations whose kind is that of the object they name: a group's or a queue's members.
_HOLDERS = frozenset({"add_members", "remove_members", "set_members"})


def to_changes(values: list[ChangeInput]) -> list[Change]:
    changes = [to_change(index, value) for index, value in enumerate(values)]
    kinds = _ref_kinds(values)
    for change in changes:
        if change.operation in ("addMembers", "removeMembers", "setMembers") and isinstance(change.target, Ref):
            change.kind = kinds.get(change.target.name, change.kind)
    return changes
