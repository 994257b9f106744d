"""Hunts (waiting queues) as pbxgraph queues.

A hunt's ``resources`` are SIP users with a priority, in ring order. The list
view leaves ``resources`` out, so members take one GET per hunt, concurrently
under the backend's cap, then one users request and one states request for
all the members together. Only users can serve a hunt of type ``sipuser``: a
group given as a member is refused naming the field. A resource whose user no
longer exists stays visible as a member with ``user=None`` (its resource in
``raw``).

A hunt's name is its ``code``, its display name ``opts.title`` and its
description ``opts.comment`` (see :mod:`.mapping`). The list view leaves the
comment out, so a listed page and ``get_many`` read each hunt whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pbxgraph import validation
from pbxgraph.connectors.era import mapping
from pbxgraph.connectors.era.client import EraClient, all_of, contains_text, equals
from pbxgraph.connectors.era.common import unique, users_by_id, whole
from pbxgraph.connectors.http import gather
from pbxgraph.connectors.querying import apply_query
from pbxgraph.domain import (
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
    User,
)
from pbxgraph.errors import BadUserInput, NotFound, NotSupported

COLLECTION = "hunts"
FIELDS = {"code": "name", "phonenumber": "extension", "resmode": "strategy", "resources": "members"}


def era_mode(strategy: RingStrategy | None) -> str:
    if strategy is None:
        raise BadUserInput("strategy: an Era hunt always has a resource mode", field="strategy")
    try:
        return mapping.HUNT_MODE_OF[strategy]
    except KeyError:
        allowed = ", ".join(s.name for s in mapping.HUNT_MODE_OF)
        raise NotSupported(f"strategy: Era hunts ring by {allowed}, not {strategy.name}", field="strategy") from None


class EraQueues:
    def __init__(self, client: EraClient) -> None:
        self.client = client

    async def page(self, query: ListQuery) -> Page[Queue]:
        flt = query.filter
        if flt.mac is not None:
            return Page(items=[], has_more=False, total=0)
        pushed = all_of(
            equals("phonenumber", flt.extension) if flt.extension is not None else None,
            contains_text(["code"], flt.search) if flt.search else None,
        )
        payloads = {
            p["id"]: p
            for p in await self.client.listing(COLLECTION, filter=pushed, fresh=query.offset == 0)
            if isinstance(p.get("id"), str)
        }
        page = apply_query([mapping.queue_from(p) for p in payloads.values()], query)
        completed = await whole(self.client, COLLECTION, [payloads[q.id] for q in page.items], Kind.QUEUE)
        return replace(page, items=[mapping.queue_from(p) for p in completed])

    async def get_many(self, ids: Sequence[str]) -> list[Queue | None]:
        if not ids:
            return []
        found = await self.client.read_many(COLLECTION, ids)
        return [mapping.queue_from(found[i]) if i in found else None for i in ids]

    async def create(self, data: QueueCreate) -> Queue:
        body: dict[str, Any] = {
            "code": validation.non_empty(data.name, "name"),
            "type": "sipuser",
            "opts": {"title": data.display_name or "", "comment": data.description or ""},
        }
        if data.extension is not None:
            body["phonenumber"] = validation.extension(data.extension)
        if data.strategy is not None:
            body["resmode"] = era_mode(data.strategy)
        if data.members:
            await self._users_of(data.members)
            body["resources"] = self._resources(data.members)
        return mapping.queue_from(await self.client.create(COLLECTION, body, fields=FIELDS))

    async def update(self, id: str, patch: QueueUpdate) -> Queue:
        changes = patch.changes()
        body: dict[str, Any] = {}
        if "name" in changes:
            body["code"] = validation.non_empty(changes["name"], "name")
        if "extension" in changes:
            body["phonenumber"] = validation.extension(changes["extension"]) if changes["extension"] else ""
        if "strategy" in changes:
            body["resmode"] = era_mode(changes["strategy"])
        options: dict[str, Any] = {}
        if "display_name" in changes:
            options["title"] = changes["display_name"] or ""
        if "description" in changes:
            options["comment"] = changes["description"] or ""
        if options:
            # Sent whole, as read just before: the documents do not say whether PATCH merges ``opts``.
            current = await self.client.get(COLLECTION, id)
            body["opts"] = {**mapping.opts(current), **options}
        if not body:
            return mapping.queue_from(await self.client.get(COLLECTION, id))
        return mapping.queue_from(await self.client.patch(COLLECTION, id, body, fields=FIELDS))

    async def delete(self, id: str) -> None:
        await self.client.delete(COLLECTION, id)

    async def members_of(self, queue_ids: Sequence[str]) -> list[list[QueueMember]]:
        wanted = unique(queue_ids)
        if not wanted:
            return []
        hunts = await gather(self.client.find(COLLECTION, qid) for qid in wanted)
        found = {qid: hunt for qid, hunt in zip(wanted, hunts, strict=True) if hunt is not None}
        user_ids = [r["id"] for hunt in found.values() for r in mapping.resources(hunt)]
        users = await users_by_id(self.client, user_ids) if user_ids else {}
        members = {qid: self._members(hunt, users) for qid, hunt in found.items()}
        return [members.get(qid, []) for qid in queue_ids]

    async def set_members(self, queue_id: str, members: Sequence[QueueMemberInput]) -> list[QueueMember]:
        users = await self._users_of(members)
        hunt = await self.client.patch(COLLECTION, queue_id, {"resources": self._resources(members)}, fields=FIELDS)
        return self._members(hunt, users)

    # --- helpers ---------------------------------------------------------------------

    @staticmethod
    def _resources(members: Sequence[QueueMemberInput]) -> list[dict[str, Any]]:
        resources = []
        for member in members:
            resource: dict[str, Any] = {"id": member.id}
            if member.priority is not None:
                resource["priority"] = member.priority
            resources.append(resource)
        return resources

    async def _users_of(self, members: Sequence[QueueMemberInput]) -> dict[str, User]:
        """Check the members before anything is written: users only, each once, each existing."""
        seen: set[str] = set()
        for i, member in enumerate(members):
            if member.kind is not MemberKind.USER:
                raise NotSupported(
                    f"members[{i}].id: Era hunts are served by SIP users, not {member.kind.value}s",
                    field=f"members[{i}].id",
                )
            if member.id in seen:
                raise BadUserInput(f"members[{i}].id: user '{member.id}' is given twice", field=f"members[{i}].id")
            seen.add(member.id)
        users = await users_by_id(self.client, [m.id for m in members]) if members else {}
        for i, member in enumerate(members):
            if member.id not in users:
                raise NotFound(f"members[{i}].id: no user '{member.id}'", field=f"members[{i}].id")
        return users

    @staticmethod
    def _members(hunt: dict[str, Any], users: dict[str, User]) -> list[QueueMember]:
        return [
            QueueMember(
                position=i,
                kind=MemberKind.USER,
                user=users.get(r["id"]),
                priority=r["priority"] if isinstance(r.get("priority"), int) else None,
                raw=r,
            )
            for i, r in enumerate(mapping.resources(hunt))
        ]
