"""The service calls one planned step makes, forwards or backwards, with batch objects made native ids.

Every write goes through the service's own write paths (``service.users.create``,
``service.add_group_members`` ...), so a batch meets the same capability
checks, rules, timeouts, scrubbing and records as the single mutations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pbxgraph.domain import Kind, MemberKind, QueueMemberInput, Record
from pbxgraph.errors import PbxError
from pbxgraph.service.changes.model import Batch, Item, QueueSeat, Subject
from pbxgraph.service.service import PbxService


def subject_of(item: Item) -> Subject:
    """The object a planned item acts on (every valid item has one)."""
    if item.subject is None:
        raise RuntimeError(f"changes[{item.index}] has no object to act on")
    return item.subject


def native(batch: Batch, subject: Subject) -> str:
    """The native id of an object, an object the batch created included (its creator ran first)."""
    made = batch.resolved(subject)
    if made.native_id is None:
        raise RuntimeError(f"the {subject.kind.value} of changes[{subject.created_by}] was not created")
    return made.native_id


async def create(service: PbxService, kind: Kind, backend: str, data: Any) -> Record:
    if kind is Kind.USER:
        return await service.users.create(backend, data)
    if kind is Kind.GROUP:
        return await service.groups.create(backend, data)
    if kind is Kind.QUEUE:
        return await service.queues.create(backend, data)
    if kind is Kind.TRUNK:
        return await service.trunks.create(backend, data)
    return await service.devices.create(backend, data)


async def update(service: PbxService, kind: Kind, backend: str, native_id: str, patch: Any) -> Record:
    if kind is Kind.USER:
        return await service.users.update(backend, native_id, patch)
    if kind is Kind.GROUP:
        return await service.groups.update(backend, native_id, patch)
    if kind is Kind.QUEUE:
        return await service.queues.update(backend, native_id, patch)
    if kind is Kind.TRUNK:
        return await service.trunks.update(backend, native_id, patch)
    return await service.devices.update(backend, native_id, patch)


def seats(batch: Batch, values: Sequence[QueueSeat]) -> list[QueueMemberInput]:
    return [QueueMemberInput(MemberKind(s.member.kind.value), native(batch, s.member), s.priority) for s in values]


async def set_group(
    service: PbxService, batch: Batch, group: Subject, before: Sequence[Subject], after: Sequence[Subject]
) -> None:
    """Make a group's users ``after``, in order, with the calls groups have: add and remove.

    The users the two lists share at their head stay; the rest of ``before``
    is removed and the rest of ``after`` appended. Should the append fail,
    the removed tail is appended again, which puts it back where it was.
    """
    shared = 0
    while shared < min(len(before), len(after)) and before[shared] == after[shared]:
        shared += 1
    gone, added = before[shared:], after[shared:]
    backend, group_id = group.backend, native(batch, group)
    if gone:
        await service.remove_group_members(backend, group_id, [native(batch, s) for s in gone])
    try:
        if added:
            await service.add_group_members(backend, group_id, [native(batch, s) for s in added])
    except PbxError as error:
        if not gone:
            raise
        try:
            await service.add_group_members(backend, group_id, [native(batch, s) for s in gone])
        except PbxError:
            error.undone = False
            error.remains = [{"state": f"group {group_id} without users {', '.join(native(batch, s) for s in gone)}"}]
        else:
            error.undone = True
        raise


async def assign(service: PbxService, batch: Batch, device: Subject, user: Subject | None) -> None:
    if user is None:
        await service.unassign_device(device.backend, native(batch, device))
    else:
        await service.assign_device(device.backend, native(batch, device), native(batch, user))
