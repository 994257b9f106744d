"""``applyChanges`` and ``moveUser``: batches of changes with a plan, as GraphQL answers them.

The answer is the plan, and once applied the outcome, of every change:
what it does (or that there is nothing to do), on which backend, the fields
it changes with their values before and after (a secret only as
"changed"), what it waits for, every problem found, and after applying
its status, the id it created, its error and what a rollback did with it.
Problems name the field as the caller wrote it
(``input.changes[3].createUser.input.extension``); those of a move, which
builds its changes itself, name the change in the answer's ``changes``.

Besides the answer, a batch that is not applied because of its problems
(without ``dryRun``) has one GraphQL error per problem, and one whose
changes failed one error per failed change, each with ``extensions.code``,
``field`` where there is one, ``item`` (the change's index) and ``ref``: a
script that only looks at ``errors`` still learns that nothing, or not
everything, was done. A dry run answers its problems in the plan only.
"""

from __future__ import annotations

import copy
import enum
import re
from collections.abc import Sequence
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.types import Info

from pbxgraph import domain
from pbxgraph.errors import Forbidden, PbxError
from pbxgraph.ids import decode_expected, encode_id
from pbxgraph.schema.change_inputs import ApplyChangesInput, to_changes
from pbxgraph.schema.context import Context
from pbxgraph.schema.enums import described
from pbxgraph.schema.naming import input_name
from pbxgraph.schema.nodes import User
from pbxgraph.service import PbxService
from pbxgraph.service.changes import (
    Action,
    Batch,
    BatchStatus,
    Item,
    QueueSeat,
    Status,
    Subject,
    apply_changes,
    check_size,
)
from pbxgraph.service.changes.moving import MoveOptions, move_user

described(
    Action,
    "ChangeAction",
    "What a change does on its backend.",
    {
        "CREATE": "Create the object.",
        "UPDATE": "Change some of its fields.",
        "DELETE": "Delete it.",
        "ADD_MEMBERS": "Append members to a group or queue.",
        "REMOVE_MEMBERS": "Take members out of a group or queue.",
        "SET_MEMBERS": "Make a group's users, or a queue's members, the given ones in the given order.",
        "ASSIGN": "Give a device to a user.",
        "UNASSIGN": "Take a device from its user.",
    },
)
described(
    Status,
    "ChangeStatus",
    "Where one change of a batch stands.",
    {
        "INVALID": "It has a problem (see `problems`): the batch was not applied.",
        "PLANNED": "Dry run: it would be applied.",
        "UNCHANGED": "Nothing to do: the object already is as asked. No backend call is made for it.",
        "APPLIED": "Applied.",
        "FAILED": "Its backend refused it or failed (see `error`).",
        "SKIPPED": "Not started: a change it depends on did not apply, or the batch stopped (see `note`).",
        "UNDONE": "Applied, then undone by the rollback (see `undo`).",
        "NOT_UNDONE": "Applied, and the rollback could not undo it (see `undo`: what is left).",
    },
)
described(
    BatchStatus,
    "BatchStatus",
    "Where a batch of changes stands.",
    {
        "PLANNED": "Dry run: every change is valid; nothing was written.",
        "INVALID": "At least one change has a problem; nothing was written.",
        "APPLIED": "Every change applied, or had nothing to do.",
        "FAILED": "At least one change failed; those applied stay applied (STOP, CONTINUE).",
        "ROLLED_BACK": "A change failed, and every change applied before was undone.",
        "ROLLBACK_INCOMPLETE": "A change failed, and some of what was applied could not be undone.",
    },
)


# --- answers ----------------------------------------------------------------------------------------


@strawberry.type(description="A problem of a change (or of the batch): why it cannot, or could not, be applied.")
class ChangeProblem:
    code: str = strawberry.field(description="The error code: BAD_USER_INPUT, NOT_FOUND, CONFLICT, NOT_SUPPORTED ...")
    message: str = strawberry.field(description="What is wrong, naming the field.")
    field: str | None = strawberry.field(
        description="The path of the field at fault, as sent (`input.changes[2].createUser.input.extension`)."
    )
    backend: str | None = strawberry.field(description="The backend concerned, where there is one.")
    index: int | None = strawberry.field(description="The change's position in `changes`; null for the batch.")
    ref: str | None = strawberry.field(description="The change's `ref`, where it has one.")


@strawberry.type(description="One field a change sets, with its value before and after.")
class FieldChange:
    field: str = strawberry.field(
        description="The field, as the inputs name it (`displayName`); `members` for a group's or queue's "
        "members, `user` for a device's user."
    )
    before: JSON | None = strawberry.field(
        description="Its value before the change (as the backend holds it, or as earlier changes leave it); "
        "ids are global ids, or `ref:NAME` for an object the batch creates."
    )
    after: JSON | None = strawberry.field(description="Its value after the change, in the same form.")
    secret: bool = strawberry.field(
        description="A write-only secret (a password): it changes, and its values are never shown."
    )


@strawberry.type(description="What the rollback did with an applied change.")
class ChangeUndo:
    undone: bool = strawberry.field(description="Whether it is taken back whole.")
    message: str = strawberry.field(description="What was taken back, or what is left and why.")


@strawberry.type(description="One change of a batch: the plan for it, and once applied, what happened.")
class ChangeResult:
    index: int = strawberry.field(description="Its position in `changes`.")
    ref: str | None = strawberry.field(description="Its `ref`, as given.")
    operation: str = strawberry.field(description="The operation as given: `createUser`, `setMembers` ...")
    kind: domain.Kind = strawberry.field(description="The kind of object it acts on.")
    action: Action | None = strawberry.field(
        description="What it does; null when there is nothing to do (UNCHANGED) or it is INVALID."
    )
    backend: str | None = strawberry.field(description="The backend it acts on.")
    id: strawberry.ID | None = strawberry.field(
        description="The global id of the object it acts on; for a create, the new object's once it is created."
    )
    status: Status = strawberry.field(description="Where it stands.")
    depends_on: list[int] = strawberry.field(
        description="The changes (by index) that are applied before it: refs it uses, objects and numbers it "
        "shares with them."
    )
    fields: list[FieldChange] = strawberry.field(description="The fields it sets, before and after.")
    problems: list[ChangeProblem] = strawberry.field(description="Every problem found in it; empty when valid.")
    error: ChangeProblem | None = strawberry.field(description="Why it failed on its backend (status FAILED).")
    note: str | None = strawberry.field(description="Why it was skipped (status SKIPPED).")
    undo: ChangeUndo | None = strawberry.field(description="What the rollback did with it, when it ran.")


@strawberry.type(description="How many changes of a batch stand where.")
class ChangeCounts:
    total: int = strawberry.field(description="Every change of the batch.")
    planned: int = strawberry.field(description="PLANNED: would be applied (dry run).")
    unchanged: int = strawberry.field(description="UNCHANGED: nothing to do.")
    applied: int = strawberry.field(description="APPLIED.")
    failed: int = strawberry.field(description="FAILED.")
    skipped: int = strawberry.field(description="SKIPPED.")
    undone: int = strawberry.field(description="UNDONE by the rollback.")
    not_undone: int = strawberry.field(description="NOT_UNDONE: applied and left in place by a rollback.")
    invalid: int = strawberry.field(description="INVALID: with a problem.")


@strawberry.type(description="The changes of a batch on one backend, in the order they apply.")
class BackendChanges:
    backend: str = strawberry.field(description="The backend.")
    changes: list[ChangeResult] = strawberry.field(description="Its changes, in the order they apply.")


@strawberry.type(description="A batch of changes: the plan, and once applied, the outcome.")
class ChangeBatch:
    status: BatchStatus = strawberry.field(description="Where the batch stands.")
    dry_run: bool = strawberry.field(description="Whether it was only planned.")
    changes: list[ChangeResult] = strawberry.field(description="Every change, in the order given.")
    order: list[int] = strawberry.field(description="The indexes of the changes in the order they apply.")
    backends: list[BackendChanges] = strawberry.field(description="The plan per backend.")
    problems: list[ChangeProblem] = strawberry.field(description="Every problem of every change.")
    warnings: list[ChangeProblem] = strawberry.field(
        description="What could not be checked or kept, without stopping the batch (a backend that did not "
        "answer a look-up of numbers, a field a move leaves behind)."
    )
    counts: ChangeCounts = strawberry.field(description="How many changes stand where.")


@strawberry.type(description="An object of a moved user, on the source and on the target.")
class MovedId:
    kind: domain.Kind = strawberry.field(description="USER or DEVICE.")
    old_id: strawberry.ID = strawberry.field(description="Its global id on the source backend.")
    new_id: strawberry.ID | None = strawberry.field(
        description="Its global id on the target backend; null unless created and kept (a dry run, a move rolled back)."
    )


@strawberry.type(description="A user's move to another backend: the batch it took, and the ids it changed.")
class MoveUserPayload(ChangeBatch):
    ids: list[MovedId] = strawberry.field(description="Old id to new id: the user, then each of their devices.")
    user_id: strawberry.Private[str | None]

    @strawberry.field(description="The user on the target, once moved (null on a dry run or a failed move).")
    async def user(self, info: Info[Context, None]) -> User | None:
        if self.user_id is None:
            return None
        gid = decode_expected(self.user_id, domain.Kind.USER)
        record = await info.context.loaders.records(gid.backend, gid.kind).load(gid.native_id)
        return User.of(gid.backend, record) if isinstance(record, domain.User) else None


@strawberry.input(description="How a user moves to another backend.")
class MoveUserOptions:
    keep_extension: bool = strawberry.field(
        default=True, description="Keep the user's extension on the target (default true)."
    )
    extension: str | None = strawberry.field(
        default=None, description="With `keepExtension: false`: the user's new extension on the target."
    )
    sip_password: str | None = strawberry.field(
        default=None,
        description="The SIP password on the target (write-only): the source's cannot be read, and some "
        "backends need one.",
    )
    dry_run: bool = strawberry.field(default=False, description="Only plan the move: read, check, write nothing.")


# --- from the service's batch ---------------------------------------------------------------------------


class _Shown:
    """Turns a batch's records into answers: ids made global, fields named as the inputs name them."""

    def __init__(self, batch: Batch, prefix: str = "input.changes") -> None:
        self.batch = batch
        #: Where the changes are, as the caller sees them: the argument sent, or the answer's list.
        self.prefix = prefix
        self.changes = [item.change for item in batch.items]

    def subject(self, subject: Subject) -> str:
        made = self.batch.resolved(subject)
        if made.native_id is not None:
            return encode_id(made.kind, made.backend, made.native_id)
        ref = self.changes[subject.created_by or 0].ref
        return f"ref:{ref}" if ref else f"changes[{subject.created_by}]"

    def value(self, value: Any) -> Any:
        if isinstance(value, Subject):
            return self.subject(value)
        if isinstance(value, QueueSeat):
            return {"id": self.subject(value.member), "priority": value.priority}
        if isinstance(value, enum.Enum):
            return value.name
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        return value

    def path(self, index: int | None, field: str | None) -> str | None:
        """``input.changes[3].createUser.input.sipPassword`` for an item's ``input.sip_password``."""
        if index is None:
            return field
        item = f"{self.prefix}[{index}]"
        if field is None:
            return item
        if field == "ref":
            return f"{item}.ref"
        inner = ".".join(input_name(part) for part in field.split("."))
        return f"{item}.{self.changes[index].operation}.{inner}"

    def error(self, index: int | None, error: PbxError) -> PbxError:
        """The error with its field (or, without one, the item) as the caller wrote it."""
        path = self.path(index, error.field)
        if path is None:
            return error
        if error.field is None:
            named = copy.copy(error)
            named.message, named.field = f"{path}: {error.message}", path
            return named
        return error.naming(path)

    def problem(self, index: int | None, error: PbxError) -> ChangeProblem:
        named = self.error(index, error)
        return ChangeProblem(
            code=named.code,
            message=named.message,
            field=named.field,
            backend=named.backend,
            index=index,
            ref=self.changes[index].ref if index is not None else None,
        )

    def result(self, item: Item) -> ChangeResult:
        subject = item.created or item.subject
        return ChangeResult(
            index=item.index,
            ref=item.change.ref,
            operation=item.change.operation,
            kind=item.change.kind,
            action=None if item.status in (Status.INVALID, Status.UNCHANGED) else item.action,
            backend=item.backend,
            id=None if subject is None or subject.native_id is None else strawberry.ID(self.subject(subject)),
            status=item.status,
            depends_on=item.depends_on,
            fields=[
                FieldChange(
                    field=input_name(f.field),
                    before=None if f.secret else self.value(f.before),
                    after=None if f.secret else self.value(f.after),
                    secret=f.secret,
                )
                for f in item.fields
            ],
            problems=[self.problem(item.index, e) for e in item.problems],
            error=None if item.error is None else self.problem(item.index, item.error),
            note=item.note,
            undo=None
            if item.undo_note is None
            else ChangeUndo(undone=item.status is Status.UNDONE, message=self.renamed(item, item.undo_note)),
        )

    @staticmethod
    def renamed(item: Item, text: str) -> str:
        """A note that names the item's fields, with the names the inputs give them (``sipPassword``)."""
        for change in item.fields:
            text = re.sub(rf"\b{re.escape(change.field)}\b", input_name(change.field), text)
        return text

    def fields(self) -> dict[str, Any]:
        results = [self.result(item) for item in self.batch.items]
        backends: dict[str, list[ChangeResult]] = {}
        for index in self.batch.order:
            backend = self.batch.items[index].backend
            if backend is not None:
                backends.setdefault(backend, []).append(results[index])
        statuses = [item.status for item in self.batch.items]
        return {
            "status": self.batch.status,
            "dry_run": self.batch.dry_run,
            "changes": results,
            "order": list(self.batch.order),
            "backends": [BackendChanges(backend=b, changes=c) for b, c in backends.items()],
            "problems": [p for r in results for p in r.problems],
            "warnings": [self.problem(p.index, p.error) for p in self.batch.warnings],
            "counts": ChangeCounts(
                total=len(statuses),
                planned=statuses.count(Status.PLANNED),
                unchanged=statuses.count(Status.UNCHANGED),
                applied=statuses.count(Status.APPLIED),
                failed=statuses.count(Status.FAILED),
                skipped=statuses.count(Status.SKIPPED),
                undone=statuses.count(Status.UNDONE),
                not_undone=statuses.count(Status.NOT_UNDONE),
                invalid=statuses.count(Status.INVALID),
            ),
        }

    def report(self, info: Info[Context, None], field_name: str) -> None:
        """GraphQL errors beside the answer: every problem of a refused batch, every failed change."""
        if self.batch.dry_run:
            return
        found: list[tuple[int | None, PbxError]] = []
        if self.batch.status is BatchStatus.INVALID:
            found = [(p.index, p.error) for p in self.batch.problems]
        else:
            found = [(item.index, item.error) for item in self.batch.items if item.error is not None]
        for index, error in found:
            named = self.error(index, error)
            extensions = {**named.extensions(), "item": index}
            if index is not None and self.changes[index].ref is not None:
                extensions["ref"] = self.changes[index].ref
            info.context.partial_errors.append(
                GraphQLError(named.message, path=[field_name], extensions=extensions, original_error=named)
            )


def _writer(info: Info[Context, None]) -> PbxService:
    """The service, for a caller allowed to change things."""
    if info.context.role != "admin":
        raise Forbidden("this token may only read; mutations need an admin token")
    return info.context.service


def _field_name(info: Info[Context, None]) -> str:
    return str(info.path.key)


@strawberry.type
class ChangesMutation:
    """``applyChanges`` and ``moveUser``; the root ``Mutation`` extends this."""

    @strawberry.mutation(
        description="Apply a batch of changes of any kind, on any backends, with a plan: everything is read and "
        "checked first, and a batch with any problem applies nothing and lists every problem. With "
        "`dryRun` the plan is the answer and nothing is written. Changes apply in dependency order, "
        "several at a time per backend; `onError` says what a failure does."
    )
    async def apply_changes(
        self,
        info: Info[Context, None],
        input: Annotated[ApplyChangesInput, strawberry.argument(description="The changes and how to apply them.")],
    ) -> ChangeBatch:
        service = _writer(info)
        check_size(service, len(input.changes), field="input.changes")
        batch = await apply_changes(
            service, to_changes(list(input.changes)), dry_run=input.dry_run, on_error=input.on_error
        )
        if not batch.dry_run:
            info.context.loaders.clear()
        shown = _Shown(batch)
        shown.report(info, _field_name(info))
        return ChangeBatch(**shown.fields())

    @strawberry.mutation(
        description="Move a user to another backend: create them there with their devices and memberships "
        "(groups and queues of the same name), then remove them from the source; a failure rolls back "
        "what was done. Plan it first with `options: {dryRun: true}`."
    )
    async def move_user(
        self,
        info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The user's global id.")],
        to_backend: Annotated[str, strawberry.argument(description="The configured backend to move the user to.")],
        options: Annotated[
            MoveUserOptions | None, strawberry.argument(description="How to move; the defaults keep the extension.")
        ] = None,
    ) -> MoveUserPayload:
        service = _writer(info)
        chosen = options or MoveUserOptions()
        gid = decode_expected(id, domain.Kind.USER, field="id")
        move = await move_user(
            service,
            gid,
            to_backend,
            MoveOptions(
                keep_extension=chosen.keep_extension, extension=chosen.extension, sip_password=chosen.sip_password
            ),
            dry_run=chosen.dry_run,
        )
        if not move.batch.dry_run:
            info.context.loaders.clear()
        shown = _Shown(move.batch, prefix="changes")
        shown.report(info, _field_name(info))
        ids = [
            MovedId(
                kind=old.kind,
                old_id=strawberry.ID(shown.subject(old)),
                new_id=None
                if move.batch.items[index].created is None or move.batch.items[index].status is Status.UNDONE
                else strawberry.ID(shown.subject(Subject(old.kind, to_backend, created_by=index))),
            )
            for old, index in move.moved
        ]
        user = move.user if move.batch.status is BatchStatus.APPLIED else None
        return MoveUserPayload(
            **shown.fields(),
            ids=ids,
            user_id=None if user is None else shown.subject(user),
        )


__all__: Sequence[str] = ["ChangeBatch", "ChangesMutation", "MoveUserPayload"]
