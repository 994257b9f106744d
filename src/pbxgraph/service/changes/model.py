"""A batch of changes, the plan made of it and what applying it did: plain records, no GraphQL.

A :class:`Change` is one item of a batch as the layer above hands it over:
one action on one kind, its domain input already checked field by field, and
the objects it names as :data:`Target` values, either an existing object
(a :class:`~pbxgraph.ids.GlobalId`) or :class:`Ref`, the object of another
item of the same batch (the one it creates, or the one it acts on). The
planner turns each change into an :class:`Item`: where it acts, what it
depends on, the fields it changes with their values before and after, and
every problem found; applying fills in its status, the id it created, its
error, and what a rollback did with it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from pbxgraph.domain import Kind
from pbxgraph.errors import PbxError
from pbxgraph.ids import GlobalId


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    #: Append members to a group or queue.
    ADD_MEMBERS = "add_members"
    #: Take members out of a group or queue.
    REMOVE_MEMBERS = "remove_members"
    #: Make a group's users, or a queue's members, exactly the given ones in the given order.
    SET_MEMBERS = "set_members"
    #: Give a device to a user.
    ASSIGN = "assign"
    #: Take a device from its user.
    UNASSIGN = "unassign"


#: Actions on members: the group's or queue's member list is the field they change.
MEMBER_ACTIONS = frozenset({Action.ADD_MEMBERS, Action.REMOVE_MEMBERS, Action.SET_MEMBERS})


class OnError(enum.StrEnum):
    """What a batch does when an item fails on its backend."""

    #: Start no further item; what was applied stays (the default).
    STOP = "stop"
    #: Go on with every item that does not depend on the failed one.
    CONTINUE = "continue"
    #: Start no further item, then undo what was applied, newest first.
    ROLLBACK = "rollback"


class Status(enum.StrEnum):
    """Where one item stands."""

    #: It has a problem: the batch is not applied.
    INVALID = "invalid"
    #: Dry run: it would be applied.
    PLANNED = "planned"
    #: There is nothing to do: the object already is as asked.
    UNCHANGED = "unchanged"
    APPLIED = "applied"
    FAILED = "failed"
    #: Not started: an item it depends on did not apply, or the batch stopped.
    SKIPPED = "skipped"
    #: Applied, then taken back by the rollback.
    UNDONE = "undone"
    #: Applied, and the rollback could not take it back (``undo_note`` says what is left).
    NOT_UNDONE = "not_undone"


class BatchStatus(enum.StrEnum):
    #: Dry run: every item is valid; nothing was written.
    PLANNED = "planned"
    #: At least one item has a problem; nothing was written.
    INVALID = "invalid"
    #: Every item applied (or had nothing to do).
    APPLIED = "applied"
    #: At least one item failed; what was applied stays (STOP, CONTINUE).
    FAILED = "failed"
    #: An item failed and everything applied before was undone.
    ROLLED_BACK = "rolled_back"
    #: An item failed and some of what was applied could not be undone.
    ROLLBACK_INCOMPLETE = "rollback_incomplete"


REF_PREFIX = "ref:"


@dataclass(frozen=True, slots=True)
class Ref:
    """The object of the batch's item whose ``ref`` is ``name``: written ``ref:NAME`` where an id goes."""

    name: str

    def __str__(self) -> str:
        return f"{REF_PREFIX}{self.name}"


Target = GlobalId | Ref


@dataclass(frozen=True, slots=True)
class Member:
    """One member a change names: a user (groups) or a user or group with a priority (queues)."""

    target: Target
    #: Where the caller wrote it, relative to the item (``memberIds[2]``, ``input.members[0].id``).
    field: str
    priority: int | None = None


@dataclass(slots=True)
class Change:
    """One item of a batch, checked field by field by the layer that built it."""

    index: int
    #: How the caller named the operation (``createUser``), for messages.
    operation: str
    action: Action
    kind: Kind
    ref: str | None = None
    #: CREATE: the backend to create on.
    backend: str | None = None
    #: Every other action: the object acted on.
    target: Target | None = None
    #: Where the target was written (``id``, ``deviceId``).
    target_field: str = "id"
    #: The domain input: a create input (ids of members and users filled in when applied) or an update patch.
    data: Any = None
    members: tuple[Member, ...] = ()
    #: A device's user (create or assign), and where it was written.
    user: Target | None = None
    user_field: str = "userId"
    #: DELETE: an object already gone (or deleted earlier in the batch) is nothing to do, not a problem.
    if_exists: bool = False
    #: Items that must be applied before this one besides those its refs and objects call for.
    after: frozenset[int] = frozenset()
    #: Problems the layer above found in the item (its fields named relative to the item).
    problems: list[PbxError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Subject:
    """An object a batch deals with: one that exists (``native_id``) or one an item creates (``created_by``)."""

    kind: Kind
    backend: str
    native_id: str | None = None
    created_by: int | None = None

    @classmethod
    def of(cls, gid: GlobalId) -> Subject:
        return cls(gid.kind, gid.backend, gid.native_id)

    @property
    def gid(self) -> GlobalId | None:
        return None if self.native_id is None else GlobalId(self.kind, self.backend, self.native_id)


@dataclass(frozen=True, slots=True)
class QueueSeat:
    """A queue member as a plan shows it: who, and with which priority."""

    member: Subject
    priority: int | None = None


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field an item changes. Secrets are never shown: ``secret`` says it changes, values stay None."""

    field: str
    before: Any
    after: Any
    secret: bool = False


@dataclass(slots=True)
class Item:
    """A change as planned, and then as applied."""

    change: Change
    #: What it does; None when there is nothing to do (or it is invalid).
    action: Action | None
    #: The object it acts on (or creates).
    subject: Subject | None = None
    fields: list[FieldChange] = field(default_factory=list)
    depends_on: list[int] = field(default_factory=list)
    problems: list[PbxError] = field(default_factory=list)
    status: Status = Status.PLANNED
    #: After a create: the new object.
    created: Subject | None = None
    error: PbxError | None = None
    #: Why it was skipped.
    note: str | None = None
    #: What the rollback did with it, or why it could not.
    undo_note: str | None = None
    #: How to apply it, worked out by the planner (the domain calls and their arguments).
    steps: Any = None

    @property
    def index(self) -> int:
        return self.change.index

    @property
    def backend(self) -> str | None:
        return self.subject.backend if self.subject is not None else self.change.backend


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem of one item (``index``), or of the batch (None)."""

    index: int | None
    error: PbxError


@dataclass(slots=True)
class Batch:
    """The plan, and after applying it, the outcome."""

    items: list[Item]
    #: Indexes in the order the items apply (dependencies first).
    order: list[int]
    dry_run: bool
    on_error: OnError
    status: BatchStatus = BatchStatus.PLANNED
    #: Checks that could not be made (a backend that did not answer a look-up), not blocking.
    warnings: list[Problem] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [Problem(item.index, error) for item in self.items for error in item.problems]

    def created(self, index: int) -> Subject | None:
        return self.items[index].created

    def resolved(self, subject: Subject) -> Subject:
        """An object created in the batch as the id it was given, once it was; else as it is."""
        if subject.created_by is not None:
            made = self.items[subject.created_by].created
            if made is not None:
                return made
        return subject
