"""What a plan reads before it decides anything: the objects it names, as they are now.

Every existing object a batch acts on or refers to is read once, in one
batched call per backend and kind (``get_many``), and the relations a plan
needs (group and queue members, a device's user) in one batched call per
backend too, every backend at the same time. A read that fails is kept as
its coded error, so each item that needed it reports that error as its
problem and the others are planned as usual.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pbxgraph.domain import GroupMember, Kind, QueueMember, Record, User
from pbxgraph.errors import PbxError
from pbxgraph.service.changes.model import Subject
from pbxgraph.service.service import PbxService

#: Ids per look-up call: a large batch is read in slices of this many.
SLICE = 500

V = TypeVar("V")


@dataclass(slots=True)
class Snapshot:
    """The objects and relations read, each by the object it belongs to; failures as their errors."""

    records: dict[Subject, Record | None] = field(default_factory=dict)
    group_members: dict[Subject, list[GroupMember]] = field(default_factory=dict)
    queue_members: dict[Subject, list[QueueMember]] = field(default_factory=dict)
    device_users: dict[Subject, User | None] = field(default_factory=dict)
    #: Why an object, or one of its relations (keyed ``(relation, object)``), could not be read.
    failed: dict[Subject | tuple[str, Subject], PbxError] = field(default_factory=dict)

    def error(self, subject: Subject, relation: str | None = None) -> PbxError | None:
        return self.failed.get(subject if relation is None else (relation, subject))


def _grouped(subjects: Collection[Subject]) -> dict[tuple[str, Kind], list[Subject]]:
    groups: dict[tuple[str, Kind], list[Subject]] = {}
    for subject in sorted(subjects, key=lambda s: (s.backend, s.kind.value, s.native_id or "")):
        if subject.native_id is not None:
            groups.setdefault((subject.backend, subject.kind), []).append(subject)
    return groups


async def _sliced(
    subjects: Sequence[Subject],
    fetch: Callable[[list[str]], Awaitable[Sequence[V]]],
    store: dict[Subject, V],
    failed: dict[Subject | tuple[str, Subject], PbxError],
    relation: str | None,
) -> None:
    for start in range(0, len(subjects), SLICE):
        part = subjects[start : start + SLICE]
        try:
            answers = await fetch([s.native_id or "" for s in part])
        except PbxError as error:
            for subject in part:
                failed[subject if relation is None else (relation, subject)] = error
            continue
        store.update(zip(part, answers, strict=True))


async def read(
    service: PbxService,
    objects: Collection[Subject],
    *,
    groups: Collection[Subject] = (),
    queues: Collection[Subject] = (),
    devices: Collection[Subject] = (),
) -> Snapshot:
    """Read ``objects``, and the members of ``groups`` and ``queues`` and the user of ``devices``."""
    snapshot = Snapshot()
    reads: list[Awaitable[None]] = []
    for (backend, kind), subjects in _grouped(objects).items():
        reads.append(
            _sliced(
                subjects,
                functools.partial(service.kind(kind).get_many, backend),
                snapshot.records,
                snapshot.failed,
                None,
            )
        )
    relations: tuple[
        tuple[Collection[Subject], Callable[..., Awaitable[Sequence[Any]]], dict[Subject, Any], str], ...
    ] = (
        (groups, service.members_of_groups, snapshot.group_members, "members"),
        (queues, service.members_of_queues, snapshot.queue_members, "members"),
        (devices, service.users_of_devices, snapshot.device_users, "user"),
    )
    for wanted, fetch, store, relation in relations:
        for (backend, _), subjects in _grouped(wanted).items():
            reads.append(_sliced(subjects, functools.partial(fetch, backend), store, snapshot.failed, relation))
    await asyncio.gather(*reads)
    return snapshot
