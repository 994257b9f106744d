"""What applying one planned item means, worked out by the planner for the applier and the rollback.

Each step holds the values the plan read or projected before the item (so
the rollback can put them back) and the ones it leads to. Objects the batch
creates appear as :class:`~.model.Subject` values with ``created_by`` set,
and become native ids only when the item runs, after the item creating them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pbxgraph.service.changes.model import QueueSeat, Subject


@dataclass(frozen=True, slots=True)
class CreateStep:
    #: The domain create input; member and user ids are filled in from the fields below when it runs.
    data: Any
    members: tuple[Subject, ...] = ()
    seats: tuple[QueueSeat, ...] = ()
    user: Subject | None = None


@dataclass(frozen=True, slots=True)
class UpdateStep:
    #: Only the fields that differ from what the object holds (secrets always count as different).
    patch: Any
    #: The values those fields held before, secrets left out: what the rollback writes back.
    restore: dict[str, Any]
    #: Write-only fields the update sets, which nothing can put back.
    secrets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeleteStep:
    pass


@dataclass(frozen=True, slots=True)
class GroupStep:
    """A group's users before and after; numbers that are not users are left alone."""

    before: tuple[Subject, ...]
    after: tuple[Subject, ...]


@dataclass(frozen=True, slots=True)
class QueueStep:
    before: tuple[QueueSeat, ...]
    after: tuple[QueueSeat, ...]


@dataclass(frozen=True, slots=True)
class AssignStep:
    """A device's user before and after (None: no user)."""

    before: Subject | None
    after: Subject | None


Step = CreateStep | UpdateStep | DeleteStep | GroupStep | QueueStep | AssignStep
