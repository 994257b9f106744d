"""Queues: Infinity's SIP queues, whose members are *groups* with ring settings.

``name`` is ``queueName``, ``description`` is ``displayName``. A queue has no
ring strategy of its own; each member group carries ``ringStrategy``
(``all`` | ``huntLongestIdle``), ``ringAttempts``, ``ringSecs`` and
``ringOrder``, shown in the member's ``raw``. Members come back in ring order
(``ringOrder``, lowest first) with ``priority`` empty: Infinity has none.

Setting members takes groups only; a user member or a priority is refused
before any request (Infinity would need the user put in a group). Setting
members is a diff against what the queue has: members that stay keep their
ring settings, removed ones are deleted, new ones are created with the
configured defaults (``queue_member_ring_*``), and the order is then set
with one ``PUT .../members/order``. Everything is checked (the queue, every
group) before the first write. Infinity has no transactions: when a call
fails half-way, the members are put back as they were (removed ones created
again with their own ring settings, added ones deleted, the old order set),
and a new queue whose members could not be set is deleted again.
"""

from __future__ import annotations

from collections.abc import Sequence

from pbxgraph import validation
from pbxgraph.connectors.http import gather
from pbxgraph.connectors.infinity.ids import NativeId
from pbxgraph.connectors.infinity.inputs import in_domain, refuse, unique
from pbxgraph.connectors.infinity.kinds import Kinds
from pbxgraph.connectors.infinity.mapping import queue_member_from_row, text, vendor_int
from pbxgraph.connectors.infinity.rows import Row
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

    async def list(self, query: ListQuery) -> Page[Queue]:
        return await self.collection.list(query)

    async def get_many(self, ids: Sequence[str]) -> list[Queue | None]:
        return await self.collection.get_many(ids)

    def _check_strategy(self, strategy: object) -> None:
        if strategy is not None:
            raise refuse(self.backend, "strategy",
                         "Infinity queues have no ring strategy of their own; each member group has a "
                         "ringStrategy")

    async def create(self, data: QueueCreate) -> Queue:
        name = validation.non_empty(data.name, "name")
        self._check_strategy(data.strategy)
        if data.extension is None:
            raise refuse(self.backend, "extension", "Infinity needs an extension number for every queue")
        extension = validation.extension(data.extension)
        domain = self.kinds.settings.create_domain
        wanted = self._member_groups(data.members, domain, "members")
        groups = await self._existing_groups(wanted)
        async with Steps(self.backend, f"create queue '{name}'") as steps:
            await self.client.create(self.client.path(domain, "queues"), {
                "queueName": name,
                "displayName": data.description or name,
                "extensionNumber": extension,
            })
            created = steps.done(f"queue '{name}' created with extension {extension} (its id not read back)",
                                 kind=Kind.QUEUE)
            queue = await self.collection.find_created(domain, "extensionNumber", extension)
            created.native_id, created.state = queue.id, f"queue {queue.id} created without all its members"
            created.undo = lambda: self.delete(queue.id)  # its members go with it
            if wanted:
                await self._apply(self.collection.require_id(queue.id), [], wanted, groups)
            steps.finished()
        return queue

    async def update(self, id: str, patch: QueueUpdate) -> Queue:
        nid = self.collection.require_id(id)
        changes = patch.changes()
        self._check_strategy(changes.pop("strategy", None))
        form: dict[str, str] = {}
        if "name" in changes:
            form["queueName"] = validation.non_empty(changes["name"], "name")
        if "extension" in changes:
            if changes["extension"] is None:
                raise refuse(self.backend, "extension", "an Infinity queue must keep an extension number")
            form["extensionNumber"] = validation.extension(changes["extension"])
        if "description" in changes and changes["description"]:
            form["displayName"] = changes["description"]
        elif "description" in changes or "name" in changes:
            # An empty description is the name; one that only repeated the name keeps following it.
            row = await self.collection.fetch_row(nid)
            if row is None:
                raise self.collection.not_found(nid)
            old_name = text(row.get("queueName")) or ""
            new_name = form.get("queueName", old_name)
            if "description" in changes or text(row.get("displayName")) in (None, old_name):
                form["displayName"] = new_name
        if form:
            await self.client.update(self.collection.item_path(nid), form, subject=self.collection.subject(nid))
        return await self.collection.fetch(nid)

    async def delete(self, id: str) -> None:
        nid = self.collection.require_id(id)
        await self.client.delete(self.collection.item_path(nid), subject=self.collection.subject(nid))

    # --- members ------------------------------------------------------------------------

    def _member_groups(self, members: Sequence[QueueMemberInput], domain: int, field: str) -> list[NativeId]:
        wanted: list[NativeId] = []
        for index, member in enumerate(members):
            where = f"{field}[{index}]"
            if member.kind is not MemberKind.GROUP:
                raise refuse(self.backend, f"{where}.kind",
                             "Infinity queue members are groups, not users; put the users in a group "
                             "and add the group")
            if member.priority is not None:
                raise refuse(self.backend, f"{where}.priority",
                             "Infinity queue members have no priority; they ring in the order given")
            nid = in_domain(self.kinds.groups, member.id, domain, f"{where}.id")
            if nid in wanted:
                raise BadUserInput(f"{where}.id: group '{member.id}' is listed twice", field=f"{where}.id",
                                   backend=self.backend)
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

    async def _member_rows(self, nid: NativeId) -> list[Row]:
        """The queue's member rows in ring order; NotFound for an unknown queue."""
        rows = await self.client.rows(self.collection.item_path(nid, "members"), subject=self.collection.subject(nid),
                                      id_field="queueMemberId")
        return sorted(rows, key=lambda r: (vendor_int(r, "ringOrder", self.backend),
                                           vendor_int(r, "queueMemberId", self.backend)))

    def _group_of(self, row: Row, domain: int) -> NativeId:
        return NativeId(domain, vendor_int(row, "groupId", self.backend))

    def _members(self, rows: list[Row], domain: int, groups: dict[NativeId, Group]) -> list[QueueMember]:
        return [queue_member_from_row(row, domain, position, groups.get(self._group_of(row, domain)))
                for position, row in enumerate(rows)]

    async def members_of(self, queue_ids: Sequence[str]) -> list[list[QueueMember]]:
        """One ``queues/{id}/members`` request per distinct queue, then the groups in one batch."""
        parsed = [self.collection.parse(q) for q in queue_ids]
        distinct = unique([p for p in parsed if p is not None])

        async def rows_or_empty(nid: NativeId) -> list[Row]:
            try:
                return await self._member_rows(nid)
            except NotFound:
                return []

        answers = await gather([rows_or_empty(nid) for nid in distinct])
        group_ids = unique([self._group_of(row, nid.domain) for nid, rows in zip(distinct, answers, strict=True)
                            for row in rows])
        found = await self.kinds.groups.get_parsed(group_ids) if group_ids else []
        groups = {nid: group for nid, group in zip(group_ids, found, strict=True) if group is not None}
        by_queue = {nid: self._members(rows, nid.domain, groups) for nid, rows in zip(distinct, answers, strict=True)}
        return [[] if p is None else list(by_queue[p]) for p in parsed]

    async def set_members(self, queue_id: str, members: Sequence[QueueMemberInput]) -> list[QueueMember]:
        nid = self.collection.require_id(queue_id)
        wanted = self._member_groups(members, nid.domain, "members")
        current, groups = await gather([self._member_rows(nid), self._existing_groups(wanted)])
        async with Steps(self.backend, f"set the members of queue '{nid}'") as steps:
            steps.done(f"members of queue {nid} partly changed", kind=Kind.QUEUE, native_id=str(nid),
                       undo=lambda: self._restore(nid, current))
            rows = await self._apply(nid, current, wanted, groups)
        return self._members(rows, nid.domain, groups)

    async def _restore(self, nid: NativeId, before: list[Row]) -> None:
        """Put a queue's members back as ``before``: the same groups, ring settings and order."""
        now = await self._member_rows(nid)
        kept = {self._group_of(row, nid.domain) for row in before}
        present = {self._group_of(row, nid.domain) for row in now}
        members_path = self.collection.item_path(nid, "members")
        await gather([
            self.client.delete(f"{members_path}/{vendor_int(row, 'queueMemberId', self.backend)}",
                               subject=f"member of queue '{nid}'")
            for row in now if self._group_of(row, nid.domain) not in kept
        ])
        await gather([
            self.client.create(members_path, {key: text(row.get(key)) or "" for key in _MEMBER_SETTINGS},
                               subject=f"queue '{nid}' or group '{self._group_of(row, nid.domain)}'")
            for row in before if self._group_of(row, nid.domain) not in present
        ])
        rows = await self._member_rows(nid)
        by_group = {self._group_of(row, nid.domain): row for row in rows}
        order = [vendor_int(by_group[self._group_of(row, nid.domain)], "queueMemberId", self.backend)
                 for row in before if self._group_of(row, nid.domain) in by_group]
        if order and [vendor_int(r, "queueMemberId", self.backend) for r in rows] != order:
            await self.client.put(f"{members_path}/order", {"queueMemberId[]": [str(i) for i in order]},
                                  subject=self.collection.subject(nid))

    async def _apply(self, nid: NativeId, current: list[Row], wanted: list[NativeId],
                     groups: dict[NativeId, Group]) -> list[Row]:
        """Make the queue's members ``wanted``, in order; answer the member rows afterwards."""
        settings = self.kinds.settings
        by_group = {self._group_of(row, nid.domain): row for row in current}
        removed = [row for group, row in by_group.items() if group not in wanted]
        added = [(index, group) for index, group in enumerate(wanted) if group not in by_group]
        members_path = self.collection.item_path(nid, "members")
        await gather([
            self.client.delete(f"{members_path}/{vendor_int(row, 'queueMemberId', self.backend)}",
                               subject=f"member of queue '{nid}'")
            for row in removed
        ])
        await gather([
            self.client.create(members_path, {
                "groupId": str(group.id),
                "ringStrategy": settings.member_ring_strategy,
                "ringAttempts": str(settings.member_ring_attempts),
                "ringSecs": str(settings.member_ring_secs),
                "ringOrder": str(index),
            }, subject=f"queue '{nid}' or group '{group}'")
            for index, group in added
        ])
        rows = await self._member_rows(nid) if added else [r for r in current if r not in removed]
        by_group = {self._group_of(row, nid.domain): row for row in rows}
        order = [vendor_int(by_group[g], "queueMemberId", self.backend) for g in wanted if g in by_group]
        if [vendor_int(r, "queueMemberId", self.backend) for r in rows] != order and order:
            await self.client.put(f"{members_path}/order", {"queueMemberId[]": [str(i) for i in order]},
                                  subject=self.collection.subject(nid))
            rows = await self._member_rows(nid)
        return rows
