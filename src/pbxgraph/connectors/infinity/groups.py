"""Groups: Infinity's SIP groups and their users.

``name`` is ``groupName`` (the short name, "sales") and ``display_name`` is
``displayName`` ("Sales Dept"); an empty display name is sent as the name.
Infinity groups have no description and no ring strategy of their own (a
queue rings its member groups by ``ringStrategy``), so both are empty and
setting either is ``NOT_SUPPORTED``.
``ringRetry``, ``ringExclusive`` and ``callerNameFormat`` stay visible in
``raw``; a new group gets ``ringRetry=0``, ``ringExclusive=0`` and the
configured ``group_caller_name_format``.

The document marks no group update parameter optional, so an update reads
the group and sends every parameter back with the changed ones replaced:
nothing the caller did not mention is lost. Members are listed in the order
Infinity lists them; added users go to the end.
"""

from __future__ import annotations

from collections.abc import Sequence

from pbxgraph import validation
from pbxgraph.connectors.http import gather
from pbxgraph.connectors.infinity.ids import NativeId
from pbxgraph.connectors.infinity.inputs import cannot_store, in_domain, refuse, unique
from pbxgraph.connectors.infinity.kinds import Kinds
from pbxgraph.connectors.infinity.mapping import flag, text, user_from_row
from pbxgraph.connectors.infinity.rows import unique_rows
from pbxgraph.connectors.undo import Steps
from pbxgraph.domain import (
    Group,
    GroupCreate,
    GroupMember,
    GroupUpdate,
    Kind,
    ListQuery,
    Page,
)
from pbxgraph.errors import NotFound


class InfinityGroups:
    def __init__(self, kinds: Kinds) -> None:
        self.kinds = kinds
        self.client = kinds.client
        self.collection = kinds.groups
        self.backend = kinds.backend

    async def page(self, query: ListQuery) -> Page[Group]:
        return await self.collection.page(query)

    async def get_many(self, ids: Sequence[str]) -> list[Group | None]:
        return await self.collection.get_many(ids)

    def _check_unstored(self, strategy: object, description: object) -> None:
        if strategy is not None:
            raise cannot_store(
                self.backend, "strategy", "Infinity groups have no ring strategy; a queue's member groups carry one"
            )
        if description is not None:
            raise cannot_store(
                self.backend, "description", "Infinity groups have no description; the human label is display_name"
            )

    async def create(self, data: GroupCreate) -> Group:
        name = validation.non_empty(data.name, "name")
        self._check_unstored(data.strategy, data.description)
        if data.extension is None:
            raise refuse(self.backend, "extension", "Infinity needs an extension number for every group")
        extension = validation.extension(data.extension)
        domain = self.kinds.settings.create_domain
        members = unique([in_domain(self.kinds.users, u, domain, "member_user_ids") for u in data.member_user_ids])
        if members:
            found = await self.kinds.users.get_parsed(members)
            missing = [str(nid) for nid, user in zip(members, found, strict=True) if user is None]
            if missing:
                raise self.kinds.users.not_found(missing[0])
        async with Steps(self.backend, f"create group '{name}'") as steps:
            await self.client.create(
                self.client.path(domain, "groups"),
                {
                    "groupName": name,
                    "displayName": data.display_name or name,
                    "extensionNumber": extension,
                    "ringRetry": flag(False),
                    "ringExclusive": flag(False),
                    "callerNameFormat": self.kinds.settings.group_caller_name_format,
                },
            )
            created = steps.done(
                f"group '{name}' created with extension {extension} (its id not read back)", kind=Kind.GROUP
            )
            group = await self.collection.find_created(domain, "extensionNumber", extension)
            nid = self.collection.require_id(group.id)
            created.native_id, created.state = group.id, f"group {group.id} created without its members"
            created.undo = lambda: self.delete(group.id)
            if members:
                await self.client.update(
                    self.collection.item_path(nid, "users"),
                    {"userSpec[]": [str(m.id) for m in members]},
                    subject=self.collection.subject(nid),
                )
            steps.finished()
        return group

    async def update(self, id: str, patch: GroupUpdate) -> Group:
        nid = self.collection.require_id(id)
        changes = patch.changes()
        self._check_unstored(changes.pop("strategy", None), changes.pop("description", None))
        if "name" in changes:
            changes["name"] = validation.non_empty(changes["name"], "name")
        if "extension" in changes:
            if changes["extension"] is None:
                raise refuse(self.backend, "extension", "an Infinity group must keep an extension number")
            changes["extension"] = validation.extension(changes["extension"])
        if not changes:
            return await self.collection.fetch(nid)
        row = await self.collection.fetch_row(nid)
        if row is None:
            raise self.collection.not_found(nid)
        old_name = text(row.get("groupName")) or ""
        old_display = text(row.get("displayName"))
        name = changes.get("name", old_name)
        if "display_name" in changes:
            display = changes["display_name"] or name
        else:
            # A display name that only repeated the name keeps following it.
            display = name if old_display in (None, old_name) else old_display
        form = {
            "groupName": name,
            "displayName": display,
            "extensionNumber": changes.get("extension", text(row.get("extensionNumber")) or ""),
            "ringRetry": text(row.get("ringRetry")) or "0",
            "ringExclusive": text(row.get("ringExclusive")) or "0",
            "callerNameFormat": text(row.get("callerNameFormat")) or "",
        }
        await self.client.update(self.collection.item_path(nid), form, subject=self.collection.subject(nid))
        return await self.collection.fetch(nid)

    async def delete(self, id: str) -> None:
        nid = self.collection.require_id(id)
        await self.client.delete(self.collection.item_path(nid), subject=self.collection.subject(nid))

    # --- members ------------------------------------------------------------------------

    async def _members(self, nid: NativeId) -> list[GroupMember]:
        """The group's users in Infinity's order; NotFound for an unknown group."""
        rows = await self.client.rows(
            self.collection.item_path(nid, "users"), subject=self.collection.subject(nid), id_field="userId"
        )
        members = []
        for position, row in enumerate(unique_rows(rows, "userId")):
            user_row = {k: v for k, v in row.items() if k != "groupId"}
            members.append(GroupMember(position=position, user=user_from_row(user_row, nid.domain, self.backend)))
        return members

    async def _members_or_empty(self, nid: NativeId) -> list[GroupMember]:
        try:
            return await self._members(nid)
        except NotFound:
            return []

    async def members_of(self, group_ids: Sequence[str]) -> list[list[GroupMember]]:
        """One ``groups/{id}/users`` request per distinct group, concurrently."""
        parsed = [self.collection.parse(g) for g in group_ids]
        distinct = unique([p for p in parsed if p is not None])
        answers = await gather([self._members_or_empty(nid) for nid in distinct])
        by_group = dict(zip(distinct, answers, strict=True))
        return [[] if p is None else list(by_group[p]) for p in parsed]

    async def add_members(self, group_id: str, user_ids: Sequence[str]) -> list[GroupMember]:
        nid = self.collection.require_id(group_id)
        wanted = unique([in_domain(self.kinds.users, u, nid.domain, "user_ids") for u in user_ids])
        current = await self._members(nid)
        present = {m.user.id for m in current if m.user is not None}
        new = [u for u in wanted if str(u) not in present]
        if not new:
            return current
        await self.client.update(
            self.collection.item_path(nid, "users"),
            {"userSpec[]": [str(u.id) for u in new]},
            subject=f"group '{nid}' or one of the users {', '.join(map(str, new))}",
        )
        return await self._members(nid)

    async def remove_members(self, group_id: str, user_ids: Sequence[str]) -> list[GroupMember]:
        nid = self.collection.require_id(group_id)
        current = await self._members(nid)
        present = {m.user.id for m in current if m.user is not None}
        missing = [u for u in user_ids if u not in present]
        if missing:
            raise NotFound(
                f"user '{missing[0]}' is not a member of group '{nid}' on backend '{self.backend}'",
                backend=self.backend,
            )
        wanted = unique([self.kinds.users.require_id(u) for u in user_ids])
        if not wanted:
            return current
        await self.client.delete(
            self.collection.item_path(nid, "users"),
            {"userSpec[]": [str(u.id) for u in wanted]},
            subject=self.collection.subject(nid),
        )
        return await self._members(nid)
