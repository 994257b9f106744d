"""Rolling a batch back: what was applied, taken back newest first, where the vendor allows.

Each applied item is undone with the values the plan read before it:

* a create: the object it created is deleted;
* an update: the fields it changed are written back; a write-only secret
  (a SIP or trunk password) cannot be read, so cannot be put back, and the
  item says so;
* members of a group or queue, a device's user: set back as they were, in
  their order;
* a delete cannot be undone: a new object would have another id and none of
  the old one's secrets. With ROLLBACK the planner applies deletes after
  everything that need not follow them, so a failure before them leaves
  none behind.

One undo failing does not stop the others; each item says what was undone
(``UNDONE``) or what is left (``NOT_UNDONE`` and the reason).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pbxgraph.errors import PbxError
from pbxgraph.service.changes import calls
from pbxgraph.service.changes.model import Batch, Item, Status, Subject
from pbxgraph.service.changes.steps import AssignStep, CreateStep, DeleteStep, GroupStep, QueueStep, UpdateStep
from pbxgraph.service.service import PbxService

log = logging.getLogger("pbxgraph.changes")


class NotUndoable(Exception):
    """What an item left that nothing can take back."""


async def undo(service: PbxService, batch: Batch, item: Item) -> str:
    """Take one applied item back; what was done about it (NotUndoable: what stays)."""
    step, subject = item.steps, calls.subject_of(item)
    kind = subject.kind.value
    if isinstance(step, CreateStep):
        made = calls.native(batch, Subject(subject.kind, subject.backend, created_by=item.index))
        await service.kind(subject.kind).delete(subject.backend, made)
        return f"the {kind} it created ({made}) is deleted"
    if isinstance(step, UpdateStep):
        if step.restore:
            patch = type(step.patch)(**step.restore)
            await calls.update(service, subject.kind, subject.backend, calls.native(batch, subject), patch)
        put_back = ", ".join(step.restore) or "nothing"
        if step.secrets:
            raise NotUndoable(
                f"fields put back: {put_back}; {', '.join(step.secrets)} stays as set (write-only: its old "
                "value cannot be read, so cannot be put back)"
            )
        return f"fields put back: {put_back}"
    if isinstance(step, DeleteStep):
        raise NotUndoable(
            f"the {kind} stays deleted: a deleted {kind} cannot be brought back as it was (a new one would have "
            "another id and none of its secrets)"
        )
    if isinstance(step, GroupStep):
        await calls.set_group(service, batch, subject, step.after, step.before)
        return "the group's users are as they were"
    if isinstance(step, QueueStep):
        await service.set_queue_members(subject.backend, calls.native(batch, subject), calls.seats(batch, step.before))
        return "the queue's members are as they were"
    if isinstance(step, AssignStep):
        await calls.assign(service, batch, subject, step.before)
        return "the device's user is as it was"
    raise NotUndoable("nothing to undo")


async def roll_back(service: PbxService, batch: Batch, applied: Sequence[int]) -> None:
    """Undo ``applied`` (indexes in the order they were applied), newest first."""
    for index in reversed(applied):
        item = batch.items[index]
        try:
            item.undo_note = await undo(service, batch, item)
        except NotUndoable as left:
            item.status, item.undo_note = Status.NOT_UNDONE, str(left)
        except PbxError as error:
            log.warning("could not undo change %d of a batch: %s", index, error.code)
            item.status = Status.NOT_UNDONE
            item.undo_note = f"could not be undone: {error.code}: {error.message}"
        except Exception:
            log.exception("undoing change %d of a batch failed unexpectedly", index)
            item.status = Status.NOT_UNDONE
            item.undo_note = "could not be undone: INTERNAL_SERVER_ERROR (see the server log)"
        else:
            item.status = Status.UNDONE
