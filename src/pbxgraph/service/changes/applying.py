"""Applying a plan: each item once the items it depends on are done, a few at a time per backend.

Items of different backends run at the same time; on one backend at most
``[limits] change_concurrency`` items are in flight (each item's vendor
calls are further bounded by the backend's ``max_concurrency``). An item
whose dependency failed or was skipped is skipped, saying which. When an
item fails, ``onError`` decides: STOP and ROLLBACK start no further item
(those in flight finish), CONTINUE goes on with everything that does not
depend on the failure; ROLLBACK then undoes what was applied
(:mod:`.undoing`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from pbxgraph.domain import Kind
from pbxgraph.errors import InternalError, PbxError
from pbxgraph.service.changes import calls
from pbxgraph.service.changes.graph import describe
from pbxgraph.service.changes.model import Action, Batch, BatchStatus, Item, OnError, Status, Subject
from pbxgraph.service.changes.steps import AssignStep, CreateStep, DeleteStep, GroupStep, QueueStep, UpdateStep
from pbxgraph.service.changes.undoing import roll_back
from pbxgraph.service.service import PbxService

log = logging.getLogger("pbxgraph.changes")

_DONE = frozenset({Status.APPLIED, Status.UNCHANGED})


async def execute(service: PbxService, batch: Batch, item: Item) -> None:
    """Make one item's calls."""
    step, subject = item.steps, calls.subject_of(item)
    backend, kind = subject.backend, subject.kind
    if isinstance(step, CreateStep):
        data = step.data
        if kind is Kind.GROUP:
            data = dataclasses.replace(data, member_user_ids=[calls.native(batch, s) for s in step.members])
        elif kind is Kind.QUEUE:
            data = dataclasses.replace(data, members=calls.seats(batch, step.seats))
        elif kind is Kind.DEVICE:
            data = dataclasses.replace(data, user_id=None if step.user is None else calls.native(batch, step.user))
        record = await calls.create(service, kind, backend, data)
        item.created = Subject(kind, backend, record.id)
    elif isinstance(step, UpdateStep):
        await calls.update(service, kind, backend, calls.native(batch, subject), step.patch)
    elif isinstance(step, DeleteStep):
        await service.kind(kind).delete(backend, calls.native(batch, subject))
    elif isinstance(step, GroupStep):
        group_id = calls.native(batch, subject)
        if item.change.action is Action.ADD_MEMBERS:
            added = [calls.native(batch, s) for s in step.after if s not in step.before]
            await service.add_group_members(backend, group_id, added)
        elif item.change.action is Action.REMOVE_MEMBERS:
            gone = [calls.native(batch, s) for s in step.before if s not in step.after]
            await service.remove_group_members(backend, group_id, gone)
        else:
            await calls.set_group(service, batch, subject, step.before, step.after)
    elif isinstance(step, QueueStep):
        await service.set_queue_members(backend, calls.native(batch, subject), calls.seats(batch, step.after))
    elif isinstance(step, AssignStep):
        await calls.assign(service, batch, subject, step.after)


async def apply(service: PbxService, batch: Batch) -> None:
    """Apply every item of a valid plan; statuses, ids created and errors land on the items."""
    items = batch.items
    done = {item.index: asyncio.Event() for item in items}
    gates: dict[str, asyncio.Semaphore] = {}
    applied: list[int] = []
    failed: list[int] = []
    policy = batch.on_error

    def gate(backend: str) -> asyncio.Semaphore:
        if backend not in gates:
            gates[backend] = asyncio.Semaphore(service.limits.change_concurrency)
        return gates[backend]

    def stopped() -> str | None:
        if failed and policy is not OnError.CONTINUE:
            return f"not started: the batch stopped when {describe(failed[0], batch_changes)} failed"
        return None

    batch_changes = [item.change for item in items]

    async def run(item: Item) -> None:
        try:
            for dependency in item.depends_on:
                await done[dependency].wait()
            blocked = [d for d in item.depends_on if items[d].status not in _DONE]
            if blocked:
                item.status = Status.SKIPPED
                item.note = f"not applied: it depends on {describe(blocked[0], batch_changes)}, which did not apply"
                return
            if item.status is Status.UNCHANGED:
                return
            async with gate(item.backend or ""):
                reason = stopped()
                if reason is not None:
                    item.status, item.note = Status.SKIPPED, reason
                    return
                try:
                    await execute(service, batch, item)
                except PbxError as error:
                    item.status, item.error = Status.FAILED, error
                    failed.append(item.index)
                except Exception:
                    log.exception("change %d of a batch failed unexpectedly", item.index)
                    item.status = Status.FAILED
                    item.error = InternalError(f"{describe(item.index, batch_changes)} failed unexpectedly")
                    failed.append(item.index)
                else:
                    item.status = Status.APPLIED
                    applied.append(item.index)
        finally:
            done[item.index].set()

    await asyncio.gather(*(run(items[index]) for index in batch.order))
    if not failed:
        batch.status = BatchStatus.APPLIED
    elif policy is OnError.ROLLBACK:
        await roll_back(service, batch, applied)
        incomplete = any(items[i].status is Status.NOT_UNDONE for i in applied) or any(
            items[i].error is not None and items[i].error.undone is False  # type: ignore[union-attr]
            for i in failed
        )
        batch.status = BatchStatus.ROLLBACK_INCOMPLETE if incomplete else BatchStatus.ROLLED_BACK
    else:
        batch.status = BatchStatus.FAILED
