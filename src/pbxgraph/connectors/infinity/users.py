"""Users: Infinity's SIP users, with their groups and devices.

``user`` is the username and cannot change after creation (the update call
has no such parameter); ``password`` and ``pin`` are write-only and never
read back. Infinity users have no enabled flag and no registration status
(the document shows none), so ``enabled`` is always true and
``registration`` is left unknown.
"""

from __future__ import annotations

from collections.abc import Sequence

from pbxgraph import validation
from pbxgraph.connectors.http import gather
from pbxgraph.connectors.infinity.ids import NativeId
from pbxgraph.connectors.infinity.inputs import cannot_store, refuse, unique
from pbxgraph.connectors.infinity.kinds import Kinds
from pbxgraph.connectors.infinity.mapping import group_from_row, text
from pbxgraph.connectors.infinity.rows import unique_rows
from pbxgraph.connectors.undo import Steps
from pbxgraph.domain import Device, Group, Kind, ListQuery, Page, User, UserCreate, UserUpdate
from pbxgraph.errors import NotFound


class InfinityUsers:
    def __init__(self, kinds: Kinds) -> None:
        self.kinds = kinds
        self.client = kinds.client
        self.collection = kinds.users
        self.backend = kinds.backend

    async def page(self, query: ListQuery) -> Page[User]:
        return await self.collection.page(query)

    async def get_many(self, ids: Sequence[str]) -> list[User | None]:
        return await self.collection.get_many(ids)

    async def create(self, data: UserCreate) -> User:
        username = validation.username(data.username, "username")
        if data.extension is None:
            raise refuse(self.backend, "extension", "Infinity needs an extension number for every SIP user")
        extension = validation.extension(data.extension)
        if not data.enabled:
            raise cannot_store(self.backend, "enabled", "Infinity SIP users cannot be disabled")
        if not data.sip_password:
            raise refuse(self.backend, "sip_password", "Infinity needs a SIP password to create a user")
        form = {
            "user": username,
            "password": data.sip_password,
            "displayName": data.display_name or username,
            "extensionNumber": extension,
        }
        if data.email:
            form["email"] = validation.email(data.email)
        domain = self.kinds.settings.create_domain
        async with Steps(self.backend, f"create user '{username}'") as steps:
            await self.client.create(self.client.path(domain, "users"), form)
            steps.finished(f"user '{username}' created (its id not read back)", kind=Kind.USER)
            return await self.collection.find_created(domain, "user", username)

    async def update(self, id: str, patch: UserUpdate) -> User:
        nid = self.collection.require_id(id)
        changes = patch.changes()
        form: dict[str, str] = {}
        if "extension" in changes:
            if changes["extension"] is None:
                raise refuse(self.backend, "extension", "an Infinity SIP user must keep an extension number")
            form["extensionNumber"] = validation.extension(changes["extension"])
        if "email" in changes:
            form["email"] = validation.email(changes["email"]) if changes["email"] else ""
        if changes.get("enabled") is False:
            raise cannot_store(self.backend, "enabled", "Infinity SIP users cannot be disabled")
        if "sip_password" in changes:
            if not changes["sip_password"]:
                raise refuse(self.backend, "sip_password", "an Infinity SIP user's password cannot be cleared")
            form["password"] = changes["sip_password"]
        needs_current = "username" in changes or ("display_name" in changes and not changes["display_name"])
        current = await self.collection.fetch(nid) if needs_current else None
        if "username" in changes and current is not None and changes["username"] != current.username:
            raise cannot_store(self.backend, "username", "Infinity cannot rename a SIP user; create a new one instead")
        if "display_name" in changes:
            form["displayName"] = changes["display_name"] or (current.username if current else "")
        if form:
            await self.client.update(self.collection.item_path(nid), form, subject=self.collection.subject(nid))
        return await self.collection.fetch(nid)

    async def delete(self, id: str) -> None:
        nid = self.collection.require_id(id)
        await self.client.delete(self.collection.item_path(nid), subject=self.collection.subject(nid))

    # --- relations ----------------------------------------------------------------------

    async def groups_of(self, user_ids: Sequence[str]) -> list[list[Group]]:
        """One ``users/{id}/groups`` request per distinct user, concurrently."""
        parsed = [self.collection.parse(u) for u in user_ids]
        distinct = unique([p for p in parsed if p is not None])
        answers = await gather([self._groups_of_one(nid) for nid in distinct])
        by_user = dict(zip(distinct, answers, strict=True))
        return [[] if p is None else list(by_user[p]) for p in parsed]

    async def _groups_of_one(self, nid: NativeId) -> list[Group]:
        try:
            rows = await self.client.rows(
                self.collection.item_path(nid, "groups"), subject=self.collection.subject(nid), id_field="groupId"
            )
        except NotFound:
            return []
        groups = []
        for row in unique_rows(rows, "groupId"):
            group_row = {k: v for k, v in row.items() if k != "userId"}
            groups.append(group_from_row(group_row, nid.domain, self.backend))
        return groups

    async def devices_of(self, user_ids: Sequence[str]) -> list[list[Device]]:
        """The devices list filtered by ``userId``: one request per domain and run of ids."""
        parsed = [self.collection.parse(u) for u in user_ids]
        by_domain: dict[int, set[int]] = {}
        for nid in parsed:
            if nid is not None:
                by_domain.setdefault(nid.domain, set()).add(nid.id)
        domains = list(by_domain)
        answers = await gather([self.kinds.devices.rows_where(d, "userId", by_domain[d]) for d in domains])
        owned: dict[NativeId, list[Device]] = {}
        for domain, rows in zip(domains, answers, strict=True):
            for row in rows:
                owner = NativeId(domain, int(text(row.get("userId")) or 0))
                owned.setdefault(owner, []).append(self.kinds.devices.record(row, domain))
        return [[] if p is None else list(owned.get(p, [])) for p in parsed]
