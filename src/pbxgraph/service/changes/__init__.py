"""Bulk changes with a plan: ``apply_changes`` validates a whole batch, then applies it or only shows it.

GraphQL-free: the layer above turns its input into :class:`Change` items
(fields already checked by the same converters as the single mutations),
and gets back a :class:`Batch`: per item where it acts, what it depends on,
each field before and after, every problem, and once applied its status,
the id it created, its error and what a rollback did with it.

A batch with any problem applies nothing. A dry run plans and reads, and
never writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from pbxgraph.errors import BadUserInput
from pbxgraph.service.changes.applying import apply
from pbxgraph.service.changes.model import (
    Action,
    Batch,
    BatchStatus,
    Change,
    FieldChange,
    Item,
    Member,
    OnError,
    Problem,
    QueueSeat,
    Ref,
    Status,
    Subject,
    Target,
)
from pbxgraph.service.changes.planning import Planner
from pbxgraph.service.service import PbxService


def check_size(service: PbxService, count: int, field: str = "changes") -> None:
    """A batch over ``[limits] max_changes`` (or an empty one) is refused before anything is read."""
    limit = service.limits.max_changes
    if count > limit:
        raise BadUserInput(
            f"{field}: at most {limit} changes per batch (limits.max_changes), got {count}; split the batch",
            field=field,
        )
    if count == 0:
        raise BadUserInput(f"{field}: give at least one change", field=field)


async def apply_changes(
    service: PbxService, changes: Sequence[Change], *, dry_run: bool = False, on_error: OnError = OnError.STOP
) -> Batch:
    """Plan ``changes`` and, unless ``dry_run`` or a problem was found, apply them."""
    check_size(service, len(changes))
    batch = await Planner(service, changes, on_error).plan(dry_run)
    if dry_run:
        return batch
    if batch.status is BatchStatus.INVALID:
        for item in batch.items:
            if item.status is not Status.INVALID:
                item.status, item.note = Status.SKIPPED, "not applied: other changes of the batch have problems"
        return batch
    await apply(service, batch)
    return batch


__all__ = [
    "Action",
    "Batch",
    "BatchStatus",
    "Change",
    "FieldChange",
    "Item",
    "Member",
    "OnError",
    "Problem",
    "QueueSeat",
    "Ref",
    "Status",
    "Subject",
    "Target",
    "apply_changes",
    "check_size",
]
