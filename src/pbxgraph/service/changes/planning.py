"""Planning a batch: every check before any write, and what each item would change.

The planner reads, and never writes: the objects the batch names (in one
batched call per backend and kind), the relations it changes, and who owns
the numbers it wants (:mod:`.numbers`). Then it walks the items in the order
they would apply, keeping a projection of every object it touches, so an
item sees the objects as the items before it leave them: the before and
after values it reports are those it would really meet, an update that
asks for what the object already holds is UNCHANGED (and makes no vendor
call), and an item on an object an earlier item deletes is NOT_FOUND.

Each item is checked with the same rules a single mutation meets: the
backend (configured, visible to the caller), the backend's capabilities for
the kind and operation, the backend's rules for the fields it sets
(:mod:`pbxgraph.service.rules`), the objects it names (existing, of the right
kind, on the same backend), and numbers: an extension already taken on its
backend, or on any other backend by an object the batch does not free, is
CONFLICT naming the owner. Every problem is kept, on its item, with its
field named relative to the item; nothing stops at the first.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pbxgraph.domain import (
    UNSET,
    Kind,
    MemberKind,
    Operation,
    QueueMemberInput,
    record_name,
)
from pbxgraph.errors import BadUserInput, Conflict, InputErrors, NotFound, PbxError
from pbxgraph.ids import encode_id
from pbxgraph.service import rules
from pbxgraph.service.changes import graph
from pbxgraph.service.changes.model import (
    MEMBER_ACTIONS,
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
)
from pbxgraph.service.changes.numbers import Numbering, owners_of
from pbxgraph.service.changes.reads import Snapshot, read
from pbxgraph.service.changes.steps import AssignStep, CreateStep, DeleteStep, GroupStep, QueueStep, UpdateStep
from pbxgraph.service.service import PbxService
from pbxgraph.validation import normalize_mac

#: The fields of each kind a plan compares and shows, as the domain names them.
FIELDS: Mapping[Kind, tuple[str, ...]] = {
    Kind.USER: ("username", "display_name", "extension", "email", "enabled"),
    Kind.GROUP: ("name", "display_name", "extension", "strategy", "description"),
    Kind.QUEUE: ("name", "display_name", "extension", "strategy", "description"),
    Kind.TRUNK: ("name", "domain", "host", "port", "transport", "username", "enabled", "register", "kind", "model"),
    Kind.DEVICE: ("mac", "model", "name"),
}
#: Write-only fields: shown as changed, never with a value; nothing can put them back.
SECRETS: Mapping[Kind, frozenset[str]] = {Kind.USER: frozenset({"sip_password"}), Kind.TRUNK: frozenset({"password"})}
#: Create fields shown apart from the others (members and a device's user).
_RELATION_FIELDS = frozenset({"member_user_ids", "members", "user_id"})
#: What each action needs the backend to declare for the kind.
OPERATION: Mapping[Action, Operation] = {
    Action.CREATE: Operation.CREATE,
    Action.UPDATE: Operation.UPDATE,
    Action.DELETE: Operation.DELETE,
    Action.ADD_MEMBERS: Operation.MEMBERS,
    Action.REMOVE_MEMBERS: Operation.MEMBERS,
    Action.SET_MEMBERS: Operation.MEMBERS,
    Action.ASSIGN: Operation.ASSIGN,
    Action.UNASSIGN: Operation.ASSIGN,
}
#: Kinds whose extension numbers share one numbering plan on a backend.
_NUMBERED = frozenset({Kind.USER, Kind.GROUP, Kind.QUEUE})


def located(error: PbxError, prefix: str) -> PbxError:
    """``error`` with its field under ``prefix`` (``input.`` for a field of the item's input)."""
    if isinstance(error, InputErrors):
        return InputErrors(located(part, prefix) for part in error.errors)
    return error.naming(prefix + error.field) if error.field is not None else error


def shown_id(subject: Subject) -> str:
    gid = subject.gid
    return f"'{subject.native_id}'" if gid is None else f"'{subject.native_id}' (id {gid.encode()})"


@dataclass(slots=True)
class State:
    """One object as the plan projects it, item after item."""

    values: dict[str, Any]
    deleted_by: int | None = None
    #: A group's users in ring order (numbers that are no user are left out: no item changes them).
    members: list[Subject] | None = None
    seats: list[QueueSeat] | None = None
    user: Subject | None = None
    user_known: bool = False


@dataclass(slots=True)
class _Keys:
    """The numbers, usernames and MACs items free and take, per backend: for ordering and conflicts."""

    frees: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)
    takes: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)

    def edges(self) -> graph.Edges:
        found: graph.Edges = {}
        for key, takers in self.takes.items():
            for taker in takers:
                found.setdefault(taker, set()).update(f for f in self.frees.get(key, ()) if f != taker)
        return found


class Planner:
    """``await Planner(service, changes, on_error).plan(dry_run)``: the batch, checked and ordered."""

    def __init__(self, service: PbxService, changes: Sequence[Change], on_error: OnError) -> None:
        self.service = service
        self.changes = list(changes)
        self.on_error = on_error
        self.problems: dict[int, list[PbxError]] = {c.index: list(c.problems) for c in self.changes}
        self.items = [Item(change=c, action=c.action) for c in self.changes]
        self.warnings: list[Problem] = []
        self.refs = graph.Refs(self.changes, self.problems)  # type: ignore[arg-type]
        self.states: dict[Subject, State] = {}
        self.snapshot = Snapshot()
        self.numbering = Numbering()
        #: Projected owners of each number wanted, on every backend.
        self.owners: dict[str, list[Subject]] = {}
        self.names: dict[Subject, str] = {}
        #: Per number, the objects that give it up somewhere in the batch.
        self.freed: dict[str, set[Subject]] = {}
        #: Usernames and MACs taken by items of the batch, per backend.
        self.taken: dict[tuple[str, str, str], Subject] = {}

    # --- helpers ---------------------------------------------------------------------------

    def add(self, index: int, error: PbxError) -> None:
        self.problems[index].extend(error.errors if isinstance(error, InputErrors) else [error])

    def valid(self, index: int) -> bool:
        return not self.problems[index]

    def broken(self, change: Change) -> bool:
        """The layer above could not even build the item: nothing more to check in it."""
        return change.data is None and change.action in (Action.CREATE, Action.UPDATE)

    # --- the whole plan ---------------------------------------------------------------------

    async def plan(self, dry_run: bool) -> Batch:
        for item in self.items:
            item.subject = self.refs.subject(item.index)
        base = self.refs.ref_edges()
        for item in self.items:
            self._check_static(item)
        await self._read()
        base_order, _ = graph.topological(len(self.items), base)
        writes, reads = self._objects()
        keys = self._keys()
        edges = graph.merged(base, graph.hazard_edges(base_order, writes, reads), keys.edges())
        order, cycles = graph.topological(len(self.items), edges)
        if self.on_error is OnError.ROLLBACK and not cycles:
            later = graph.merged(edges, self._irreversible_last(edges, order))
            later_order, later_cycles = graph.topological(len(self.items), later)
            if not later_cycles:  # deletes last where they can go last together; else as the batch orders them
                edges, order = later, later_order
        for cycle in cycles:
            for index in cycle:
                self.add(index, graph.cycle_problem(cycle, self.changes))
        for item in self.items:
            item.depends_on = sorted(edges.get(item.index, ()))
        for index in order:
            self._walk(self.items[index])
        for item in self.items:
            item.problems = self.problems[item.index]
            if item.problems:
                item.status = Status.INVALID
            elif item.action is None:
                item.status = Status.UNCHANGED
        invalid = any(item.problems for item in self.items)
        return Batch(
            items=self.items,
            order=order,
            dry_run=dry_run,
            on_error=self.on_error,
            status=BatchStatus.INVALID if invalid else BatchStatus.PLANNED,
            warnings=self.warnings,
        )

    # --- before any read -----------------------------------------------------------------------

    def _check_static(self, item: Item) -> None:
        """Backends, kinds of refs and capabilities: what needs no read."""
        change = item.change
        if self.broken(change):
            return
        try:
            if change.action is Action.CREATE:
                self.service.require(change.backend or "", field="backend")
            elif change.target is not None and not isinstance(change.target, Ref):
                gid = change.target
                if self.service.hides(gid.backend):
                    raise NotFound(
                        f"{change.target_field}: {gid.kind.value} '{gid.native_id}' does not exist on backend "
                        f"'{gid.backend}'",
                        backend=gid.backend,
                        field=change.target_field,
                    )
                self.service.require(gid.backend, field=change.target_field)
        except PbxError as error:
            self.add(item.index, error)
            return
        subject = item.subject
        if subject is None:
            return
        if subject.kind is not change.kind:
            self.add(
                item.index,
                BadUserInput(
                    f"{change.target_field}: '{change.target}' names a {subject.kind.value} "
                    f"({graph.describe(subject.created_by or 0, self.changes)}), not a {change.kind.value}"
                    if subject.created_by is not None
                    else f"{change.target_field}: names a {subject.kind.value}, not a {change.kind.value}",
                    field=change.target_field,
                ),
            )
            return
        try:
            self.service.connector(subject.backend, change.kind, OPERATION[change.action])
        except PbxError as error:
            self.add(item.index, error)

    # --- reads ---------------------------------------------------------------------------------

    def _named(self, item: Item) -> list[Subject]:
        """Every object an item names besides its own: members and a device's user."""
        found = [self.refs.target(m.target) for m in item.change.members]
        if item.change.user is not None:
            found.append(self.refs.target(item.change.user))
        return [s for s in found if s is not None]

    async def _read(self) -> None:
        objects: set[Subject] = set()
        groups: set[Subject] = set()
        queues: set[Subject] = set()
        devices: set[Subject] = set()
        numbers: set[str] = set()
        for item in self.items:
            change = item.change
            if self.broken(change) or not self.valid(item.index):
                continue
            subject = item.subject
            if subject is not None and subject.native_id is not None:
                objects.add(subject)
                if change.action in MEMBER_ACTIONS:
                    (groups if change.kind is Kind.GROUP else queues).add(subject)
                if change.action in (Action.ASSIGN, Action.UNASSIGN):
                    devices.add(subject)
            objects.update(s for s in self._named(item) if s.native_id is not None)
            number = self._number_wanted(change)
            if number is not None:
                numbers.add(number)
        self.snapshot, self.numbering = await asyncio.gather(
            read(self.service, objects, groups=groups, queues=queues, devices=devices),
            owners_of(self.service, numbers),
        )
        for number, owners in self.numbering.owners.items():
            self.owners[number] = [o.subject for o in owners]
            self.names.update((o.subject, o.name) for o in owners)
        writing = {item.backend for item in self.items if item.backend is not None}
        for backend, error in self.numbering.failed.items():
            if backend not in writing:
                self.warnings.append(
                    Problem(
                        None,
                        type(error)(
                            f"numbers could not be checked on backend '{backend}': {error.message}", backend=backend
                        ),
                    )
                )

    @staticmethod
    def _number_wanted(change: Change) -> str | None:
        if change.kind not in _NUMBERED or change.data is None:
            return None
        if change.action is Action.CREATE or change.action is Action.UPDATE:
            number = change.data.extension
        else:
            return None
        return number if isinstance(number, str) else None

    # --- ordering ---------------------------------------------------------------------------------

    def _objects(self) -> tuple[dict[int, set[Subject]], dict[int, set[Subject]]]:
        writes: dict[int, set[Subject]] = {}
        reads: dict[int, set[Subject]] = {}
        for item in self.items:
            if item.subject is not None:
                writes[item.index] = {item.subject}
            reads[item.index] = set(self._named(item))
        return writes, reads

    def _current(self, subject: Subject, name: str) -> Any:
        """A field of an object before the batch: as read, or as its create in the batch sets it."""
        if subject.created_by is not None:
            data = self.changes[subject.created_by].data
            return getattr(data, name, None) if data is not None else None
        record = self.snapshot.records.get(subject)
        return getattr(record, name, None) if record is not None else None

    def _keys(self) -> _Keys:
        """Which item frees and which takes each number, username and MAC, for the order they need."""
        keys = _Keys()
        for item in self.items:
            change, subject = item.change, item.subject
            if subject is None or self.broken(change):
                continue
            for kind_of_key, name in (("extension", "extension"), ("username", "username"), ("mac", "mac")):
                if name == "extension" and subject.kind not in _NUMBERED:
                    continue
                if name == "username" and subject.kind is not Kind.USER:
                    continue
                if name == "mac" and subject.kind is not Kind.DEVICE:
                    continue
                old = None if change.action is Action.CREATE else self._current(subject, name)
                new: Any = UNSET
                if change.action in (Action.CREATE, Action.UPDATE):
                    new = getattr(change.data, name, UNSET)
                if name == "mac":
                    old = normalize_mac(old) if isinstance(old, str) else old
                if change.action is Action.DELETE or (new is not UNSET and new != old):
                    if isinstance(old, str):
                        keys.frees.setdefault((subject.backend, kind_of_key, old), []).append(item.index)
                        if kind_of_key == "extension":
                            self.freed.setdefault(old, set()).add(subject)
                    if isinstance(new, str):
                        keys.takes.setdefault((subject.backend, kind_of_key, new), []).append(item.index)
        return keys

    def _irreversible_last(self, edges: graph.Edges, order: Sequence[int]) -> graph.Edges:
        """ROLLBACK: deletes (which no rollback brings back) after every item that need not follow them."""
        count = len(self.items)
        deletes = [i.index for i in self.items if i.change.action is Action.DELETE]
        if not deletes:
            return {}
        dependents: dict[int, list[int]] = {index: [] for index in range(count)}
        for index, before in edges.items():
            for other in before:
                dependents[other].append(index)
        below = [0] * count
        for index in reversed(order):
            bits = 0
            for dependent in dependents[index]:
                bits |= (1 << dependent) | below[dependent]
            below[index] = bits
        others = [i.index for i in self.items if i.change.action is not Action.DELETE]
        return {delete: {o for o in others if not (below[delete] >> o) & 1} for delete in deletes}

    # --- the walk ----------------------------------------------------------------------------------

    def _state(self, subject: Subject) -> State | None:
        """The object as projected so far; None when it does not exist (or could not be read)."""
        state = self.states.get(subject)
        if state is not None or subject.created_by is not None:
            return state
        record = self.snapshot.records.get(subject)
        if record is None:
            return None
        state = State(values={name: getattr(record, name, None) for name in FIELDS[subject.kind]})
        self.names.setdefault(subject, record_name(record))
        self.states[subject] = state
        return state

    def _existing(self, index: int, subject: Subject, where: str) -> State | None:
        """The state of an object an item needs, or the problem why there is none."""
        if subject.created_by is not None:
            state = self.states.get(subject)
            if state is None:
                return None  # its create is invalid and says so
        else:
            error = self.snapshot.error(subject)
            if error is not None:
                self.add(index, located(error, "") if error.field is None else error)
                return None
            state = self._state(subject)
            if state is None:
                self.add(
                    index,
                    NotFound(
                        f"{where}: {subject.kind.value} '{subject.native_id}' does not exist on backend "
                        f"'{subject.backend}'",
                        backend=subject.backend,
                        field=where,
                    ),
                )
                return None
        if state.deleted_by is not None:
            self.add(
                index,
                NotFound(
                    f"{where}: the {subject.kind.value} is deleted by {graph.describe(state.deleted_by, self.changes)}",
                    backend=subject.backend,
                    field=where,
                ),
            )
            return None
        return state

    def _named_subject(
        self, index: int, target: Any, where: str, kinds: frozenset[Kind], backend: str
    ) -> Subject | None:
        """A member or user an item names: of one of ``kinds``, on ``backend``, existing."""
        subject = self.refs.target(target)
        if subject is None:
            return None
        if subject.kind not in kinds:
            self.add(
                index,
                BadUserInput(
                    f"{where}: '{target}' names a {subject.kind.value}, not a "
                    f"{' or a '.join(sorted(k.value for k in kinds))}",
                    field=where,
                ),
            )
            return None
        if subject.backend != backend:
            self.add(
                index,
                BadUserInput(
                    f"{where}: the {subject.kind.value} is on backend '{subject.backend}', not '{backend}'",
                    field=where,
                ),
            )
            return None
        return subject if self._existing(index, subject, where) is not None else None

    def _gone(self, subject: Subject) -> bool:
        """Whether an object is known not to exist (read and not found, or deleted earlier in the batch)."""
        if subject.created_by is not None:
            state = self.states.get(subject)
            return state is not None and state.deleted_by is not None
        if self.snapshot.error(subject) is not None:
            return False
        state = self._state(subject)
        return state is None or state.deleted_by is not None

    def _unranked(self, index: int, change: Change) -> None:
        """A group's members ring in the order given: a priority for one is refused."""
        for member in change.members:
            if member.priority is not None:
                where = member.field.removesuffix(".id") + ".priority"
                self.add(
                    index,
                    BadUserInput(
                        f"{where}: a group's members carry no priority; they ring in the order given", field=where
                    ),
                )

    def _walk(self, item: Item) -> None:
        change, subject = item.change, item.subject
        if self.broken(change) or subject is None or not self.valid(item.index):
            return
        action = change.action
        if action is Action.CREATE:
            self._create(item, subject)
            return
        if action is Action.DELETE and change.if_exists and self._gone(subject):
            item.action = None
            return
        state = self._existing(item.index, subject, change.target_field)
        if state is None:
            return
        if action is Action.UPDATE:
            self._update(item, subject, state)
        elif action is Action.DELETE:
            self._delete(item, subject, state)
        elif action in MEMBER_ACTIONS and change.kind is Kind.GROUP:
            self._group_members(item, subject, state)
        elif action in MEMBER_ACTIONS:
            self._queue_members(item, subject, state)
        else:
            self._assign(item, subject, state)

    # --- creates and updates -------------------------------------------------------------------------

    def _create(self, item: Item, subject: Subject) -> None:
        change, index, backend, kind = item.change, item.index, subject.backend, subject.kind
        members: list[Subject] = []
        seats: list[QueueSeat] = []
        user: Subject | None = None
        wanted = frozenset({Kind.USER}) if kind is Kind.GROUP else frozenset({Kind.USER, Kind.GROUP})
        if kind is Kind.GROUP:
            self._unranked(index, change)
        for member in change.members:
            found = self._named_subject(index, member.target, member.field, wanted, backend)
            if found is not None:
                members.append(found)
                seats.append(QueueSeat(found, member.priority))
        if change.user is not None:
            user = self._named_subject(index, change.user, change.user_field, frozenset({Kind.USER}), backend)
        checked = change.data
        if kind is Kind.GROUP:
            checked = dataclasses.replace(checked, member_user_ids=["-"] * len(change.members))
        elif kind is Kind.QUEUE:
            checked = dataclasses.replace(
                checked,
                members=[QueueMemberInput(MemberKind(seat.member.kind.value), "-", seat.priority) for seat in seats],
            )
        elif kind is Kind.DEVICE:
            checked = dataclasses.replace(checked, user_id="-" if change.user is not None else None)
        try:
            rules.check_create(backend, kind, self.service.rules_of(backend, kind), checked)
        except PbxError as error:
            self.add(index, located(error, "input."))
        values = {f.name: getattr(change.data, f.name) for f in dataclasses.fields(change.data)}
        for name in rules.given(kind, values):
            if name in _RELATION_FIELDS:
                continue
            if name in SECRETS.get(kind, ()):
                item.fields.append(FieldChange(name, None, None, secret=True))
            else:
                item.fields.append(FieldChange(name, None, values[name]))
        if kind is Kind.GROUP and members:
            item.fields.append(FieldChange("members", [], list(members)))
        if kind is Kind.QUEUE and seats:
            item.fields.append(FieldChange("members", [], list(seats)))
        if user is not None:
            item.fields.append(FieldChange("user", None, user))
        self._take(item, subject, values, None)
        self.states[subject] = State(
            values={name: values.get(name) for name in FIELDS[kind]},
            members=members if kind is Kind.GROUP else None,
            seats=seats if kind is Kind.QUEUE else None,
            user=user,
            user_known=True,
        )
        self.names[subject] = str(values.get("name") or values.get("display_name") or values.get("username") or "")
        item.steps = CreateStep(change.data, tuple(members), tuple(seats), user)

    def _update(self, item: Item, subject: Subject, state: State) -> None:
        change, kind = item.change, subject.kind
        kept: dict[str, Any] = {}
        for name, value in change.data.changes().items():
            if name in SECRETS.get(kind, ()):
                kept[name] = value
                item.fields.append(FieldChange(name, None, None, secret=True))
                continue
            current = state.values.get(name)
            if _same(name, current, value):
                continue
            kept[name] = value
            item.fields.append(FieldChange(name, current, value))
        if not kept:
            item.action = None
            return
        patch = type(change.data)(**kept)
        try:
            rules.check_update(subject.backend, kind, self.service.rules_of(subject.backend, kind), patch)
        except PbxError as error:
            self.add(item.index, located(error, "input."))
        self._take(item, subject, kept, state)
        restore = {f.field: f.before for f in item.fields if not f.secret}
        state.values.update({k: v for k, v in kept.items() if k not in SECRETS.get(kind, ())})
        item.steps = UpdateStep(patch, restore, tuple(sorted(set(kept) & SECRETS.get(kind, frozenset()))))

    def _delete(self, item: Item, subject: Subject, state: State) -> None:
        item.fields = [FieldChange(name, value, None) for name, value in state.values.items() if value is not None]
        number = state.values.get("extension")
        if subject.kind in _NUMBERED and isinstance(number, str):
            self._release(number, subject)
        for key in self._personal(subject, state.values):
            self.taken.pop(key, None)
        state.deleted_by = item.index
        item.steps = DeleteStep()

    # --- numbers, usernames, MACs ----------------------------------------------------------------------

    @staticmethod
    def _personal(subject: Subject, values: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        found = []
        if subject.kind is Kind.USER and isinstance(values.get("username"), str):
            found.append((subject.backend, "username", values["username"]))
        if subject.kind is Kind.DEVICE and isinstance(values.get("mac"), str):
            found.append((subject.backend, "mac", normalize_mac(values["mac"]) or values["mac"]))
        return found

    def _release(self, number: str, subject: Subject) -> None:
        self.owners[number] = [o for o in self.owners.get(number, []) if o != subject]

    def _take(self, item: Item, subject: Subject, values: Mapping[str, Any], state: State | None) -> None:
        """Claim the item's new number, username or MAC; CONFLICT naming whoever holds it."""
        index = item.index
        number = values.get("extension", UNSET)
        if subject.kind in _NUMBERED and number is not UNSET:
            old = state.values.get("extension") if state is not None else None
            if isinstance(old, str):
                self._release(old, subject)
            if isinstance(number, str):
                self._claim(index, subject, number)
        before = self._personal(subject, state.values) if state is not None else []
        after = self._personal(subject, {**(state.values if state is not None else {}), **values})
        for key in before:
            if key not in after:
                self.taken.pop(key, None)
        for key in after:
            if key in before:
                continue
            holder = self.taken.get(key)
            if holder is not None and holder != subject:
                where = "input.username" if key[1] == "username" else "input.mac"
                self.add(
                    index,
                    Conflict(
                        f"{where}: '{key[2]}' is taken on backend '{key[0]}' by "
                        f"{self._who(holder)} earlier in the batch",
                        backend=key[0],
                        field=where,
                    ),
                )
            else:
                self.taken[key] = subject

    def _who(self, subject: Subject) -> str:
        if subject.created_by is not None:
            return f"the {subject.kind.value} {graph.describe(subject.created_by, self.changes)} creates"
        name = self.names.get(subject)
        return f"{subject.kind.value} {f'{name!r} ' if name else ''}{shown_id(subject)}"

    def _claim(self, index: int, subject: Subject, number: str) -> None:
        where = "input.extension"
        for failed_backend, error in self.numbering.failed.items():
            if failed_backend == subject.backend:
                self.add(
                    index,
                    type(error)(
                        f"{where}: could not check whether {number} is free on backend '{failed_backend}': "
                        f"{error.message}",
                        backend=failed_backend,
                        field=where,
                    ),
                )
        for owner in self.owners.get(number, []):
            if owner == subject:
                continue
            if owner.backend == subject.backend:
                cause = f"it is taken on backend '{owner.backend}' by {self._who(owner)}"
            elif owner not in self.freed.get(number, set()):
                cause = (
                    f"it is taken on backend '{owner.backend}' by {self._who(owner)}, and a number "
                    "belongs to one object across the backends"
                )
            else:
                continue
            owner_id = f" ({encode_id(owner.kind, owner.backend, owner.native_id)})" if owner.native_id else ""
            conflict = Conflict(
                f"{where}: {number} is not free: {cause}{owner_id}", backend=subject.backend, field=where
            )
            if owner.native_id is not None:
                conflict.more["owner"] = {
                    "kind": owner.kind.name,
                    "id": encode_id(owner.kind, owner.backend, owner.native_id),
                    "backend": owner.backend,
                }
            self.add(index, conflict)
            return
        self.owners.setdefault(number, []).append(subject)

    # --- members and devices ---------------------------------------------------------------------------

    def _group_before(self, index: int, subject: Subject, state: State, where: str) -> list[Subject] | None:
        if state.members is not None:
            return state.members
        error = self.snapshot.error(subject, "members")
        if error is not None:
            self.add(index, error)
            return None
        members = self.snapshot.group_members.get(subject, [])
        state.members = [Subject(Kind.USER, subject.backend, m.user.id) for m in members if m.user is not None]
        return state.members

    def _group_members(self, item: Item, subject: Subject, state: State) -> None:
        change, index = item.change, item.index
        self._unranked(index, change)
        before = self._group_before(index, subject, state, change.target_field)
        if before is None:
            return
        named: list[Subject] = []
        for member in change.members:
            found = self._named_subject(index, member.target, member.field, frozenset({Kind.USER}), subject.backend)
            if found is None:
                continue
            if found in named:
                if change.action is Action.SET_MEMBERS:
                    self.add(
                        index,
                        BadUserInput(f"{member.field}: the user is named twice", field=member.field),
                    )
                continue
            named.append(found)
        if change.action is Action.ADD_MEMBERS:
            after = before + [s for s in named if s not in before]
        elif change.action is Action.REMOVE_MEMBERS:
            for member, found in zip(change.members, named, strict=False):
                if found not in before:
                    self.add(
                        index,
                        NotFound(
                            f"{member.field}: the user is not a member of the group",
                            backend=subject.backend,
                            field=member.field,
                        ),
                    )
            after = [s for s in before if s not in named]
        else:
            after = named
        if after == before:
            item.action = None
            return
        item.fields.append(FieldChange("members", list(before), list(after)))
        state.members = after
        item.steps = GroupStep(tuple(before), tuple(after))

    def _queue_members(self, item: Item, subject: Subject, state: State) -> None:
        change, index = item.change, item.index
        if state.seats is None:
            error = self.snapshot.error(subject, "members")
            if error is not None:
                self.add(index, error)
                return
            state.seats = [
                QueueSeat(Subject(Kind(m.kind.value), subject.backend, who.id), m.priority)
                for m in self.snapshot.queue_members.get(subject, [])
                if (who := m.user if m.kind is MemberKind.USER else m.group) is not None
            ]
        before = state.seats
        named: list[QueueSeat] = []
        written: list[tuple[Member, QueueSeat]] = []
        for member in change.members:
            found = self._named_subject(
                index, member.target, member.field, frozenset({Kind.USER, Kind.GROUP}), subject.backend
            )
            if found is None:
                continue
            if any(seat.member == found for seat in named):
                self.add(
                    index, BadUserInput(f"{member.field}: the {found.kind.value} is named twice", field=member.field)
                )
                continue
            if change.action is Action.REMOVE_MEMBERS and not any(seat.member == found for seat in before):
                self.add(
                    index,
                    NotFound(
                        f"{member.field}: the {found.kind.value} is not a member of the queue",
                        backend=subject.backend,
                        field=member.field,
                    ),
                )
            named.append(QueueSeat(found, member.priority))
            written.append((member, named[-1]))
        if change.action is Action.ADD_MEMBERS:
            present = {seat.member for seat in before}
            after = before + [seat for seat in named if seat.member not in present]
        elif change.action is Action.REMOVE_MEMBERS:
            gone = {seat.member for seat in named}
            after = [seat for seat in before if seat.member not in gone]
        else:
            after = named
        if change.action is not Action.REMOVE_MEMBERS:
            kind_rules = self.service.rules_of(subject.backend, Kind.QUEUE)
            for member, seat in written:
                for problem in rules.queue_member_problems(
                    subject.backend,
                    kind_rules,
                    QueueMemberInput(MemberKind(seat.member.kind.value), "-", seat.priority),
                    member.field.removesuffix(".id"),
                ):
                    self.add(index, problem)
        if after == before:
            item.action = None
            return
        item.fields.append(FieldChange("members", list(before), list(after)))
        state.seats = after
        item.steps = QueueStep(tuple(before), tuple(after))

    def _assign(self, item: Item, subject: Subject, state: State) -> None:
        change, index = item.change, item.index
        if not state.user_known:
            error = self.snapshot.error(subject, "user")
            if error is not None:
                self.add(index, error)
                return
            owner = self.snapshot.device_users.get(subject)
            state.user = None if owner is None else Subject(Kind.USER, subject.backend, owner.id)
            state.user_known = True
        before = state.user
        after: Subject | None = None
        if change.action is Action.ASSIGN:
            if change.user is None:
                return
            after = self._named_subject(index, change.user, change.user_field, frozenset({Kind.USER}), subject.backend)
            if after is None:
                return
        if after == before:
            item.action = None
            return
        item.fields.append(FieldChange("user", before, after))
        state.user = after
        item.steps = AssignStep(before, after)


def _same(name: str, current: Any, wanted: Any) -> bool:
    """Whether an update's value is what the object already holds."""
    if name == "mac" and isinstance(current, str) and isinstance(wanted, str):
        return normalize_mac(current) == normalize_mac(wanted)
    return bool(current == wanted)
