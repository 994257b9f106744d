"""Queues: Infinity's SIP queues, whose members are *groups* with ring settings.

``name`` is ``queueName`` (the short name, "sales") and ``display_name`` is
``displayName`` ("Sales Dept"); an empty display name is sent as the name.
Infinity queues have no description (``NOT_SUPPORTED``).

A queue rings its member groups in ``ringOrder``; each member carries how it
rings its users, ``ringStrategy`` (``all`` | ``huntLongestIdle``), and
``ringAttempts``, ``ringSecs``, shown in the member's ``raw``. The queue's
``strategy`` is the ring strategy its members share (``ALL`` or
``LONGEST_IDLE``; null when they differ or there are none), read by
:meth:`InfinityQueues.attach_strategies`, the one place that fetches member
rows for queue records (one request per queue, concurrently: Infinity has no
call that lists the members of several queues). Writing ``strategy`` sets
every member's ``ringStrategy``; groups added later ring the same way, or by
the configured ``queue_member_ring_strategy`` while the members disagree. A
queue without members has nowhere to keep a strategy, so one other than that
default is refused until it has members; ``strategy: null`` leaves the
members as they are (Infinity has no "no strategy").

Members come back in ring order (lowest ``ringOrder`` first) with
``priority`` empty: Infinity has none. Setting members takes groups only; a
user member or a priority is ``NOT_SUPPORTED`` before any request (Infinity
would need the user put in a group). Setting members is a diff against what
the queue has: members that stay keep their ring settings, removed ones are
deleted, new ones are created with the queue's strategy and the configured
``queue_member_ring_attempts`` / ``_secs``, and the order is then set with
one ``PUT .../members/order``. Everything is checked (the queue, every
group) before the first write. Infinity has no transactions: when a call
fails half-way, the members are put back as they were (removed ones created
again with their own ring settings, added ones deleted, the old order set),
and a new queue whose members could not be set is deleted again. An update
that renames a queue and changes its strategy sets the members' ring
strategy first and the queue's own fields last; should the last call fail,
the members ring as they did before.
"""

from __future__ import annotations

from collections.abc import Sequence

from pbxgraph import validation
from pbxgraph.connectors.http import both, gather
from pbxgraph.connectors.infinity.ids import NativeId
from pbxgraph.connectors.infinity.inputs import cannot_store, in_domain, refuse, unique
from pbxgraph.connectors.infinity.kinds import Kinds
from pbxgraph.connectors.infinity.mapping import (
    VENDOR_RING_STRATEGY,
    queue_member_from_row,
    shared_strategy,
    shared_vendor_strategy,
    text,
    vendor_int,
)
from pbxgraph.connectors.infinity.rows import Row, unique_rows
from pbxgraph.connectors.undo import Steps
from pbxgraph.domain import (
    Group,
    Kind,
    ListQuery,
    MemberKind,
    Page,
    Queue,
    QueueCreate,
    QueueMember,
    QueueMemberInput,
    QueueUpdate,
    RingStrategy,
)
from pbxgraph.errors import BadUserInput, NotFound

#: What a queue member row holds besides its ids: sent back as it was when a member is put back.
_MEMBER_SETTINGS = ("groupId", "ringStrategy", "ringAttempts", "ringSecs", "ringOrder")


class InfinityQueues:
    def __init__(self, kinds: Kinds) -> None:
        self.kinds = kinds
        self.client = kinds.client
        self.collection = kinds.queues
        self.backend = kinds.backend

    async def page(self, query: ListQuery) -> Page[Queue]:
        page = await self.collection.page(query)
        await self.attach_strategies(page.items)
        return page

    async def get_many(self, ids: Sequence[str]) -> list[Queue | None]:
        queues = await self.collection.get_many(ids)
        await self.attach_strategies(queues)
        return queues

    async def _fetch(self, nid: NativeId) -> Queue:
        queue = await self.collection.fetch(nid)
        await self.attach_strategies([queue])
        return queue

    async def attach_strategies(self, queues: Sequence[Queue | None]) -> None:
        """Set each queue's ``strategy`` from its member rows: one request per distinct queue, concurrently."""
        wanted = [q for q in queues if q is not None]
        distinct = unique([self.collection.require_id(q.id) for q in wanted])
        answers = await gather([self._member_rows_or_empty(nid) for nid in distinct])
        strategies = {str(nid): shared_strategy(rows) for nid, rows in zip(distinct, answers, strict=True)}
        for queue in wanted:
            queue.strategy = strategies[queue.id]

    def _vendor_strategy(self, strategy: RingStrategy, *, has_members: bool) -> str:
        """The ``ringStrategy`` for ``strategy``; refused where the queue could not keep it."""
        strategy = RingStrategy(strategy)
        vendor = VENDOR_RING_STRATEGY.get(strategy)
        if vendor is None:
            raise cannot_store(
                self.backend,
                "strategy",
                f"Infinity queue members ring {' or '.join(s.name for s in VENDOR_RING_STRATEGY)}, not {strategy.name}",
            )
        default = self.kinds.settings.member_ring_strategy
        if not has_members and vendor != default:
            raise refuse(
                self.backend,
                "strategy",
                "Infinity keeps a queue's ring strategy on its member groups, and this queue has "
                f"none; give members with it (groups added later ring '{default}', the backend's "
                "queue_member_ring_strategy)",
            )
        return vendor

    def _check_description(self, description: object) -> None:
        if description is not None:
            raise cannot_store(
                self.backend, "description", "Infinity queues have no description; the human label is display_name"
            )

    async def create(self, data: QueueCreate) -> Queue:
        name = validation.non_empty(data.name, "name")
        self._check_description(data.description)
        if data.extension is None:
            raise refuse(self.backend, "extension", "Infinity needs an extension number for every queue")
        extension = validation.extension(data.extension)
        domain = self.kinds.settings.create_domain
        wanted = self._member_groups(data.members, domain, "members")
        ring = self.kinds.settings.member_ring_strategy
        if data.strategy is not None:
            ring = self._vendor_strategy(data.strategy, has_members=bool(wanted))
        groups = await self._existing_groups(wanted)
        async with Steps(self.backend, f"create queue '{name}'") as steps:
            await self.client.create(
                self.client.path(domain, "queues"),
                {
                    "queueName": name,
                    "displayName": data.display_name or name,
                    "extensionNumber": extension,
                },
            )
            created = steps.done(
                f"queue '{name}' created with extension {extension} (its id not read back)", kind=Kind.QUEUE
            )
            queue = await self.collection.find_created(domain, "extensionNumber", extension)
            created.native_id, created.state = queue.id, f"queue {queue.id} created without all its members"
            created.undo = lambda: self.delete(queue.id)  # its members go with it
            if wanted:
                rows = await self._apply(self.collection.require_id(queue.id), [], wanted, groups, ring)
                queue.strategy = shared_strategy(rows)
            steps.finished()
        return queue

    async def update(self, id: str, patch: QueueUpdate) -> Queue:
        nid = self.collection.require_id(id)
        changes = patch.changes()
        self._check_description(changes.pop("description", None))
        strategy: RingStrategy | None = changes.pop("strategy", None)
        form: dict[str, str] = {}
        if "name" in changes:
            form["queueName"] = validation.non_empty(changes["name"], "name")
        if "extension" in changes:
            if changes["extension"] is None:
                raise refuse(self.backend, "extension", "an Infinity queue must keep an extension number")
            form["extensionNumber"] = validation.extension(changes["extension"])
        restrategy: list[Row] = []
        ring = ""
        if strategy is not None:
            members = await self._member_rows(nid)
            ring = self._vendor_strategy(strategy, has_members=bool(members))
            restrategy = [row for row in members if text(row.get("ringStrategy")) != ring]
        if changes.get("display_name"):
            form["displayName"] = changes["display_name"]
        elif "display_name" in changes or "name" in changes:
            # An empty display name is the name; one that only repeated the name keeps following it.
            row = await self.collection.fetch_row(nid)
            if row is None:
                raise self.collection.not_found(nid)
            old_name = text(row.get("queueName")) or ""
            new_name = form.get("queueName", old_name)
            if "display_name" in changes or text(row.get("displayName")) in (None, old_name):
                form["displayName"] = new_name
        members_path = self.collection.item_path(nid, "members")
        async with Steps(self.backend, f"update queue '{nid}'") as steps:

            async def restrategise(row: Row) -> None:
                member_id = vendor_int(row, "queueMemberId", self.backend)
                path, subject = f"{members_path}/{member_id}", f"member of queue '{nid}'"
                await self.client.update(path, {"ringStrategy": ring}, subject=subject)
                before = text(row.get("ringStrategy"))

                async def back() -> None:
                    await self.client.update(path, {"ringStrategy": before or ""}, subject=subject)

                steps.done(
                    f"member {member_id} of queue {nid} rings '{ring}'",
                    kind=Kind.QUEUE,
                    native_id=str(nid),
                    undo=back if before else None,
                )

            await gather([restrategise(row) for row in restrategy])
            if form:
                await self.client.update(self.collection.item_path(nid), form, subject=self.collection.subject(nid))
            if form or restrategy:
                steps.finished(f"queue {nid} changed", kind=Kind.QUEUE, native_id=str(nid))
            return await self._fetch(nid)

    async def delete(self, id: str) -> None:
        nid = self.collection.require_id(id)
        await self.client.delete(self.collection.item_path(nid), subject=self.collection.subject(nid))

    # --- members ------------------------------------------------------------------------

    def _member_groups(self, members: Sequence[QueueMemberInput], domain: int, field: str) -> list[NativeId]:
        wanted: list[NativeId] = []
        for index, member in enumerate(members):
            where = f"{field}[{index}]"
            if member.kind is not MemberKind.GROUP:
                raise cannot_store(
                    self.backend,
                    f"{where}.id",
                    "Infinity queue members are groups, not users; put the users in a group and add the group",
                )
            if member.priority is not None:
                raise cannot_store(
                    self.backend,
                    f"{where}.priority",
                    "Infinity queue members have no priority; they ring in the order given",
                )
            nid = in_domain(self.kinds.groups, member.id, domain, f"{where}.id")
            if nid in wanted:
                raise BadUserInput(
                    f"{where}.id: group '{member.id}' is listed twice", field=f"{where}.id", backend=self.backend
                )
            wanted.append(nid)
        return wanted

    async def _existing_groups(self, wanted: list[NativeId]) -> dict[NativeId, Group]:
        if not wanted:
            return {}
        found = await self.kinds.groups.get_parsed(wanted)
        for nid, group in zip(wanted, found, strict=True):
            if group is None:
                raise self.kinds.groups.not_found(nid)
        return {nid: group for nid, group in zip(wanted, found, strict=True) if group is not None}

    async def _member_rows_or_empty(self, nid: NativeId) -> list[Row]:
        try:
            return await self._member_rows(nid)
        except NotFound:
            return []

    async def _member_rows(self, nid: NativeId) -> list[Row]:
        """The queue's member rows in ring order; NotFound for an unknown queue."""
        rows = await self.client.rows(
            self.collection.item_path(nid, "members"), subject=self.collection.subject(nid), id_field="queueMemberId"
        )
        return sorted(
            unique_rows(rows, "queueMemberId"),
            key=lambda r: (vendor_int(r, "ringOrder", self.backend), vendor_int(r, "queueMemberId", self.backend)),
        )

    def _group_of(self, row: Row, domain: int) -> NativeId:
        return NativeId(domain, vendor_int(row, "groupId", self.backend))

    def _members(self, rows: list[Row], domain: int, groups: dict[NativeId, Group]) -> list[QueueMember]:
        return [
            queue_member_from_row(row, domain, position, groups.get(self._group_of(row, domain)))
            for position, row in enumerate(rows)
        ]

    async def members_of(self, queue_ids: Sequence[str]) -> list[list[QueueMember]]:
        """One ``queues/{id}/members`` request per distinct queue, then the groups in one batch."""
        parsed = [self.collection.parse(q) for q in queue_ids]
        distinct = unique([p for p in parsed if p is not None])
        answers = await gather([self._member_rows_or_empty(nid) for nid in distinct])
        group_ids = unique(
            [self._group_of(row, nid.domain) for nid, rows in zip(distinct, answers, strict=True) for row in rows]
        )
        found = await self.kinds.groups.get_parsed(group_ids) if group_ids else []
        groups = {nid: group for nid, group in zip(group_ids, found, strict=True) if group is not None}
        by_queue = {nid: self._members(rows, nid.domain, groups) for nid, rows in zip(distinct, answers, strict=True)}
        return [[] if p is None else list(by_queue[p]) for p in parsed]

    async def set_members(self, queue_id: str, members: Sequence[QueueMemberInput]) -> list[QueueMember]:
        nid = self.collection.require_id(queue_id)
        wanted = self._member_groups(members, nid.domain, "members")
        current, groups = await both(self._member_rows(nid), self._existing_groups(wanted))
        ring = shared_vendor_strategy(current) or self.kinds.settings.member_ring_strategy
        async with Steps(self.backend, f"set the members of queue '{nid}'") as steps:
            steps.done(
                f"members of queue {nid} partly changed",
                kind=Kind.QUEUE,
                native_id=str(nid),
                undo=lambda: self._restore(nid, current),
            )
            rows = await self._apply(nid, current, wanted, groups, ring)
        return self._members(rows, nid.domain, groups)

    async def _restore(self, nid: NativeId, before: Sequence[Row]) -> None:
        """Put a queue's members back as ``before``: the same groups, ring settings and order."""
        now = await self._member_rows(nid)
        kept = {self._group_of(row, nid.domain) for row in before}
        present = {self._group_of(row, nid.domain) for row in now}
        members_path = self.collection.item_path(nid, "members")
        await gather(
            [
                self.client.delete(
                    f"{members_path}/{vendor_int(row, 'queueMemberId', self.backend)}",
                    subject=f"member of queue '{nid}'",
                )
                for row in now
                if self._group_of(row, nid.domain) not in kept
            ]
        )
        await gather(
            [
                self.client.create(
                    members_path,
                    {key: text(row.get(key)) or "" for key in _MEMBER_SETTINGS},
                    subject=f"queue '{nid}' or group '{self._group_of(row, nid.domain)}'",
                )
                for row in before
                if self._group_of(row, nid.domain) not in present
            ]
        )
        rows = await self._member_rows(nid)
        by_group = {self._group_of(row, nid.domain): row for row in rows}
        order = [
            vendor_int(by_group[self._group_of(row, nid.domain)], "queueMemberId", self.backend)
            for row in before
            if self._group_of(row, nid.domain) in by_group
        ]
        if order and [vendor_int(r, "queueMemberId", self.backend) for r in rows] != order:
            await self.client.put(
                f"{members_path}/order",
                {"queueMemberId[]": [str(i) for i in order]},
                subject=self.collection.subject(nid),
            )

    async def _apply(
        self,
        nid: NativeId,
        current: list[Row],
        wanted: list[NativeId],
        groups: dict[NativeId, Group],
        ring_strategy: str,
    ) -> list[Row]:
        """Make the queue's members ``wanted``, in order, new ones ringing by ``ring_strategy``.

        Answers the member rows afterwards.
        """
        settings = self.kinds.settings
        by_group = {self._group_of(row, nid.domain): row for row in current}
        removed = [row for group, row in by_group.items() if group not in wanted]
        added = [(index, group) for index, group in enumerate(wanted) if group not in by_group]
        members_path = self.collection.item_path(nid, "members")
        await gather(
            [
                self.client.delete(
                    f"{members_path}/{vendor_int(row, 'queueMemberId', self.backend)}",
                    subject=f"member of queue '{nid}'",
                )
                for row in removed
            ]
        )
        await gather(
            [
                self.client.create(
                    members_path,
                    {
                        "groupId": str(group.id),
                        "ringStrategy": ring_strategy,
                        "ringAttempts": str(settings.member_ring_attempts),
                        "ringSecs": str(settings.member_ring_secs),
                        "ringOrder": str(index),
                    },
                    subject=f"queue '{nid}' or group '{group}'",
                )
                for index, group in added
            ]
        )
        rows = await self._member_rows(nid) if added else [r for r in current if r not in removed]
        by_group = {self._group_of(row, nid.domain): row for row in rows}
        order = [vendor_int(by_group[g], "queueMemberId", self.backend) for g in wanted if g in by_group]
        if [vendor_int(r, "queueMemberId", self.backend) for r in rows] != order and order:
            await self.client.put(
                f"{members_path}/order",
                {"queueMemberId[]": [str(i) for i in order]},
                subject=self.collection.subject(nid),
            )
            rows = await self._member_rows(nid)
        return rows
