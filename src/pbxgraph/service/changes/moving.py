"""Moving a user to another backend: a batch of changes built from what the user has, run with ROLLBACK.

The user is created on the target (same username, names, e-mail and, with
``keep_extension``, the same number), then each of their devices (same MAC,
model and name) assigned to the new user, then their memberships: each
group and queue of theirs is found on the target by its name, and the new
user joins it (in a queue, at the end, with the same priority where the
target's queues have priorities). Only then is the source cleaned: the user
leaves their groups and queues there, their devices are deleted, and last
the user. Every step is an item of one batch, so the dry run shows it all
with every problem (a username or number taken on the target, a group the
target lacks, a device model it does not know), and a failure rolls back
what was done.

What the target cannot store is left out and said in a warning (Era keeps
no e-mail, Infinity no device model); what it requires and the source cannot
give (a SIP password: write-only, so never read) is an option of the move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pbxgraph.domain import (
    DeviceCreate,
    Group,
    Kind,
    KindRules,
    ListQuery,
    MemberKind,
    Operation,
    Queue,
    QueueMember,
    Record,
    User,
    UserCreate,
)
from pbxgraph.errors import BadUserInput, NotFound, PbxError
from pbxgraph.ids import GlobalId
from pbxgraph.service.changes import apply_changes
from pbxgraph.service.changes.model import Action, Batch, Change, Member, OnError, Problem, Ref, Subject
from pbxgraph.service.listing import MAX_PAGE
from pbxgraph.service.service import PbxService

USER_REF = "user"


@dataclass(frozen=True, slots=True)
class MoveOptions:
    keep_extension: bool = True
    #: The user's number on the target when ``keep_extension`` is false (None: none).
    extension: str | None = None
    #: The SIP password on the target: the source's cannot be read.
    sip_password: str | None = None


@dataclass(slots=True)
class Move:
    batch: Batch
    #: Each object moved (the user, then their devices) with the item creating its copy.
    moved: list[tuple[Subject, int]] = field(default_factory=list)

    @property
    def user(self) -> Subject | None:
        """The user on the target, once created."""
        return self.batch.items[self.moved[0][1]].created if self.moved else None


async def _all(service: PbxService, backend: str, kind: Kind) -> list[Any]:
    """Every object of a kind on a backend, page by page."""
    found: list[Any] = []
    while True:
        page = await service.kind(kind).page_of(backend, ListQuery(offset=len(found), limit=MAX_PAGE))
        found += page.items
        if not page.has_more or not page.items:
            return found


def _kept(
    values: dict[str, Any], rules: KindRules, kind: Kind, neutral: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The values the target can store, and the names of those it cannot (given, not neutral)."""
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for name, value in values.items():
        if value is None or value == neutral.get(name) or rules.creatable(name):
            kept[name] = value
        else:
            kept[name] = neutral.get(name)
            dropped.append(name)
    return kept, dropped


class _Builder:
    def __init__(self, service: PbxService, user: GlobalId, target: str, options: MoveOptions) -> None:
        self.service = service
        self.user = user
        self.source = user.backend
        self.target = target
        self.options = options
        self.changes: list[Change] = []
        self.warnings: list[Problem] = []
        self.moved: list[tuple[Subject, int]] = []

    def add(self, change: Change) -> int:
        self.changes.append(change)
        return change.index

    def next_index(self) -> int:
        return len(self.changes)

    def warn(self, text: str) -> None:
        self.warnings.append(Problem(None, BadUserInput(text, backend=self.target)))

    def supports(self, backend: str, kind: Kind, operation: Operation) -> bool:
        return self.service.capabilities(backend).supports(kind, operation)

    async def build(self) -> None:
        record = (await self.service.users.get_many(self.source, [self.user.native_id]))[0]
        if record is None:
            raise NotFound(
                f"id: user '{self.user.native_id}' does not exist on backend '{self.source}'",
                backend=self.source,
                field="id",
            )
        self._create_user(record)
        devices = (await self.service.devices_of_users(self.source, [record.id]))[0]
        groups = (await self.service.groups_of_users(self.source, [record.id]))[0]
        queues = await self._queues_of(record)
        for number, device in enumerate(devices):
            self._create_device(number, device)
        await self._join_groups(groups)
        await self._join_queues(queues)
        on_target = frozenset(range(self.next_index()))
        self._leave(record, groups, queues, devices, on_target)

    def _create_user(self, record: User) -> None:
        rules = self.service.rules_of(self.target, Kind.USER)
        extension = record.extension if self.options.keep_extension else self.options.extension
        values, dropped = _kept(
            {
                "username": record.username,
                "display_name": record.display_name,
                "extension": extension,
                "email": record.email,
                "enabled": record.enabled,
                "sip_password": self.options.sip_password,
            },
            rules,
            Kind.USER,
            {"enabled": True},
        )
        for name in dropped:
            self.warn(f"the user's {name} is not kept: backend '{self.target}' cannot store it")
        index = self.add(
            Change(
                self.next_index(),
                "createUser",
                Action.CREATE,
                Kind.USER,
                ref=USER_REF,
                backend=self.target,
                data=UserCreate(**values),
            )
        )
        self.moved.append((Subject.of(self.user), index))

    def _create_device(self, number: int, device: Any) -> None:
        rules = self.service.rules_of(self.target, Kind.DEVICE)
        model = device.model
        if (
            model is not None
            and rules.models is not None
            and model not in rules.models
            and "model" not in rules.required
        ):
            self.warn(f"device {device.mac}: model '{model}' is not kept: backend '{self.target}' does not know it")
            model = None
        values, dropped = _kept({"model": model, "name": device.name}, rules, Kind.DEVICE, {})
        for name in dropped:
            self.warn(f"device {device.mac}: its {name} is not kept: backend '{self.target}' cannot store it")
        index = self.add(
            Change(
                self.next_index(),
                "createDevice",
                Action.CREATE,
                Kind.DEVICE,
                ref=f"device-{number + 1}",
                backend=self.target,
                data=DeviceCreate(mac=device.mac, **values),
                user=Ref(USER_REF),
                user_field="input.userId",
            )
        )
        self.moved.append((Subject(Kind.DEVICE, self.source, device.id), index))

    async def _queues_of(self, record: User) -> list[tuple[Queue, list[QueueMember], int | None]]:
        """The source's queues the user serves, with all their members and the user's priority."""
        if not (
            self.supports(self.source, Kind.QUEUE, Operation.LIST)
            and self.supports(self.source, Kind.QUEUE, Operation.READ)
        ):
            return []
        queues: list[Queue] = await _all(self.service, self.source, Kind.QUEUE)
        if not queues:
            return []
        members = await self.service.members_of_queues(self.source, [q.id for q in queues])
        found = []
        for queue, seats in zip(queues, members, strict=True):
            mine = [m for m in seats if m.kind is MemberKind.USER and m.user is not None and m.user.id == record.id]
            if mine:
                found.append((queue, seats, mine[0].priority))
        return found

    async def _by_name(self, kind: Kind, wanted: bool) -> dict[str, Record]:
        if not wanted or not self.supports(self.target, kind, Operation.LIST):
            return {}
        return {r.name: r for r in await _all(self.service, self.target, kind)}

    def _missing(self, kind: Kind, action: Action, operation: str, name: str) -> None:
        self.add(
            Change(
                self.next_index(),
                operation,
                action,
                kind,
                problems=[
                    NotFound(
                        f"the user is in {kind.value} '{name}' on backend '{self.source}', and backend "
                        f"'{self.target}' has no {kind.value} of that name to join: create it there first",
                        backend=self.target,
                    )
                ],
            )
        )

    async def _join_groups(self, groups: list[Group]) -> None:
        on_target = await self._by_name(Kind.GROUP, bool(groups))
        for group in groups:
            found = on_target.get(group.name)
            if found is None:
                self._missing(Kind.GROUP, Action.ADD_MEMBERS, "addMembers", group.name)
                continue
            self.add(
                Change(
                    self.next_index(),
                    "addMembers",
                    Action.ADD_MEMBERS,
                    Kind.GROUP,
                    target=GlobalId(Kind.GROUP, self.target, found.id),
                    members=(Member(Ref(USER_REF), "members[0].id"),),
                )
            )

    async def _join_queues(self, queues: list[tuple[Queue, list[QueueMember], int | None]]) -> None:
        on_target = await self._by_name(Kind.QUEUE, bool(queues))
        found_queues = [(q, on_target.get(q.name), p) for q, _, p in queues]
        ids = [t.id for _, t, _ in found_queues if t is not None]
        current = dict(zip(ids, await self.service.members_of_queues(self.target, ids), strict=True)) if ids else {}
        priorities = self.service.rules_of(self.target, Kind.QUEUE).member_priority is not None
        for queue, found, priority in found_queues:
            if found is None:
                self._missing(Kind.QUEUE, Action.SET_MEMBERS, "setMembers", queue.name)
                continue
            seats = _seats(self.target, current[found.id])
            seats.append(Member(Ref(USER_REF), f"members[{len(seats)}].id", priority if priorities else None))
            self.add(
                Change(
                    self.next_index(),
                    "setMembers",
                    Action.SET_MEMBERS,
                    Kind.QUEUE,
                    target=GlobalId(Kind.QUEUE, self.target, found.id),
                    members=tuple(seats),
                )
            )

    def _leave(
        self,
        record: User,
        groups: list[Group],
        queues: list[tuple[Queue, list[QueueMember], int | None]],
        devices: list[Any],
        on_target: frozenset[int],
    ) -> None:
        """The source's side: leave groups and queues, delete the devices, then the user; after the target's."""
        leaving: list[int] = []
        for group in groups:
            leaving.append(
                self.add(
                    Change(
                        self.next_index(),
                        "removeMembers",
                        Action.REMOVE_MEMBERS,
                        Kind.GROUP,
                        target=GlobalId(Kind.GROUP, self.source, group.id),
                        members=(Member(self.user, "members[0].id"),),
                        after=on_target,
                    )
                )
            )
        for queue, members, _ in queues:
            others = [
                m for m in members if not (m.kind is MemberKind.USER and m.user is not None and m.user.id == record.id)
            ]
            leaving.append(
                self.add(
                    Change(
                        self.next_index(),
                        "setMembers",
                        Action.SET_MEMBERS,
                        Kind.QUEUE,
                        target=GlobalId(Kind.QUEUE, self.source, queue.id),
                        members=tuple(_seats(self.source, others)),
                        after=on_target,
                    )
                )
            )
        for device in devices:
            leaving.append(
                self.add(
                    Change(
                        self.next_index(),
                        "deleteDevice",
                        Action.DELETE,
                        Kind.DEVICE,
                        target=GlobalId(Kind.DEVICE, self.source, device.id),
                        after=on_target,
                    )
                )
            )
        self.add(
            Change(
                self.next_index(),
                "deleteUser",
                Action.DELETE,
                Kind.USER,
                target=self.user,
                after=on_target | frozenset(leaving),
            )
        )


def _seats(backend: str, members: list[QueueMember]) -> list[Member]:
    seats: list[Member] = []
    for member in members:
        who = member.user if member.kind is MemberKind.USER else member.group
        if who is not None:
            kind = Kind.USER if member.kind is MemberKind.USER else Kind.GROUP
            seats.append(Member(GlobalId(kind, backend, who.id), f"members[{len(seats)}].id", member.priority))
    return seats


async def move_user(
    service: PbxService, user: GlobalId, to_backend: str, options: MoveOptions, *, dry_run: bool = False
) -> Move:
    """Plan the move of ``user`` to ``to_backend`` and, unless ``dry_run`` or a problem was found, make it."""
    if service.hides(user.backend):
        raise NotFound(
            f"id: user '{user.native_id}' does not exist on backend '{user.backend}'", backend=user.backend, field="id"
        )
    service.require(user.backend, field="id")
    service.require(to_backend, field="toBackend")
    if to_backend == user.backend:
        raise BadUserInput(f"toBackend: the user is on backend '{to_backend}' already", field="toBackend")
    if options.keep_extension and options.extension is not None:
        raise BadUserInput(
            "options.extension: a new extension goes with keepExtension: false", field="options.extension"
        )
    for backend, field_name in ((user.backend, "id"), (to_backend, "toBackend")):
        try:
            service.connector(backend, Kind.USER, Operation.READ if backend == user.backend else Operation.CREATE)
        except PbxError as error:
            raise error.naming(field_name) if error.field else error from None
    builder = _Builder(service, user, to_backend, options)
    await builder.build()
    batch = await apply_changes(service, builder.changes, dry_run=dry_run, on_error=OnError.ROLLBACK)
    batch.warnings = builder.warnings + batch.warnings
    return Move(batch=batch, moved=builder.moved)
