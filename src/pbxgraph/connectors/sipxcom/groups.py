"""User groups: ``/rest/user-group``; membership lives on each user.

A sipXcom user group has a name and a description: no extension, no ring
strategy (it is a set of users for permissions and settings, not a ring
group) and no display name apart from its name, so asking to set one is
NOT_SUPPORTED naming the field (the connector's rules say so up front). A
group's members are the users whose ``groups`` list names it, in user id
order (the vendor keeps no member order); adding or removing members
rewrites those users, sending each back whole. When one of those writes
fails, the users already rewritten are sent back as they were (and a group
being created with them is deleted again); the error tells what was undone,
or what is left where undoing failed too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pbxgraph.connectors.querying import apply_query
from pbxgraph.connectors.sipxcom import mapping
from pbxgraph.connectors.sipxcom.lookups import Lookups, native_int
from pbxgraph.connectors.sipxcom.users import SipxcomUsers
from pbxgraph.connectors.undo import Steps, Undo
from pbxgraph.domain import (
    Group,
    GroupCreate,
    GroupMember,
    GroupUpdate,
    Kind,
    ListQuery,
    Page,
)
from pbxgraph.errors import BackendError, NotFound, NotSupported

#: What a sipXcom user group cannot store.
UNSTORED = ("extension", "strategy", "display_name")


class SipxcomGroups:
    def __init__(self, lookups: Lookups, users: SipxcomUsers) -> None:
        self._lookups = lookups
        self._users = users
        self._client = lookups.client
        self._backend = lookups.backend

    def _refuse(self, field: str) -> NotSupported:
        return NotSupported(
            f"{field}: backend '{self._backend}' cannot store this field of a group "
            f"(sipXcom user groups have no {field.replace('_', ' ')})",
            backend=self._backend,
            field=field,
        )

    async def page(self, query: ListQuery) -> Page[Group]:
        return apply_query((mapping.group_record(g) for g in await self._lookups.all_groups()), query)

    async def get_many(self, ids: Sequence[str]) -> list[Group | None]:
        keys = [native_int(i) for i in ids]
        found = await self._lookups.groups_by_id([k for k in keys if k is not None])
        return [mapping.group_record(found[k]) if k in found else None for k in keys]

    async def create(self, data: GroupCreate) -> Group:
        for field in UNSTORED:
            if getattr(data, field) is not None:
                raise self._refuse(field)
        if data.member_user_ids:
            await self._members_exist(data.member_user_ids)
        body = mapping.group_body({"name": data.name, "description": data.description, "branch": None})
        async with Steps(self._backend, f"create group '{data.name}'") as steps:
            said = await self._client.rest_write("PUT", "/user-group", f"group '{data.name}'", root="group", body=body)
            new_id = said["id"]
            if not new_id:
                steps.done(f"group '{data.name}' created (its id not answered)", kind=Kind.GROUP)
                raise BackendError(
                    f"backend '{self._backend}' created group '{data.name}' without answering its id",
                    backend=self._backend,
                )
            steps.done(
                f"group {new_id} created without all its members",
                kind=Kind.GROUP,
                native_id=new_id,
                undo=lambda: self.delete(new_id),
            )
            if data.member_user_ids:
                await self._add_members(new_id, data.member_user_ids, steps)
            steps.finished(f"group {new_id} created with its members", kind=Kind.GROUP, native_id=new_id)
            return mapping.group_record(await self._lookups.group(new_id))

    async def update(self, id: str, patch: GroupUpdate) -> Group:
        changes = patch.changes()
        for field in UNSTORED:
            if changes.get(field) is not None:
                raise self._refuse(field)
        current = await self._lookups.group(id)
        wanted = dict(current)
        if "name" in changes:
            wanted["name"] = changes["name"]
        if "description" in changes:
            wanted["description"] = changes["description"]
        if wanted == current:
            return mapping.group_record(current)
        await self._client.rest_write(
            "PUT", f"/user-group/{current['id']}", f"group '{id}'", root="group", body=mapping.group_body(wanted)
        )
        return mapping.group_record(await self._lookups.group(id))

    async def delete(self, id: str) -> None:
        key = native_int(id)
        if key is None:
            raise NotFound(f"group '{id}' does not exist on backend '{self._backend}'", backend=self._backend)
        await self._client.rest_write("DELETE", f"/user-group/{key}", f"group '{id}'")

    async def members_of(self, group_ids: Sequence[str]) -> list[list[GroupMember]]:
        keys = [native_int(i) for i in group_ids]
        if not any(k is not None for k in keys):
            return [[] for _ in keys]
        users = sorted(await self._lookups.all_users(), key=lambda u: u["id"])
        wanted = {k for k in keys if k is not None}
        members = [u for u in users if any(g["id"] in wanted for g in u["groups"])]
        records = {int(r.id): r for r in await self._lookups.user_records(members)}
        answers: list[list[GroupMember]] = []
        for key in keys:
            of_group = [u for u in members if key is not None and any(g["id"] == key for g in u["groups"])]
            answers.append([GroupMember(position=i, user=records[u["id"]]) for i, u in enumerate(of_group)])
        return answers

    async def _members_exist(self, user_ids: Sequence[str]) -> dict[int, dict[str, Any]]:
        keys = [native_int(i) for i in user_ids]
        found = await self._lookups.users_by_id(k for k in keys if k is not None)
        for native_id, key in zip(user_ids, keys, strict=True):
            if key is None or key not in found:
                raise NotFound(f"user '{native_id}' does not exist on backend '{self._backend}'", backend=self._backend)
        return found

    async def _rewrite(self, changed: list[tuple[dict[str, Any], list[dict[str, Any]]]], steps: Steps) -> None:
        """Send each user back with its new groups, each a step undone by sending the user back as it was."""
        for user, groups in changed:
            await self._users.put(user, {}, groups=groups)
            steps.done(
                f"user {user['id']} in groups {', '.join(str(g['id']) for g in groups) or 'none'}",
                kind=Kind.USER,
                native_id=str(user["id"]),
                undo=self._put_back(user),
            )

    def _put_back(self, user: dict[str, Any]) -> Undo:
        """Sending a user back as it was read, its groups included."""

        async def undo() -> None:
            await self._users.put(user, {})

        return undo

    async def add_members(self, group_id: str, user_ids: Sequence[str]) -> list[GroupMember]:
        async with Steps(self._backend, f"add members to group '{group_id}'") as steps:
            await self._add_members(group_id, user_ids, steps)
        return (await self.members_of([group_id]))[0]

    async def _add_members(self, group_id: str, user_ids: Sequence[str], steps: Steps) -> None:
        group = await self._lookups.group(group_id)
        found = await self._members_exist(user_ids)
        ref = {"id": group["id"], "name": group["name"], "description": group["description"]}
        changed = []
        for key in dict.fromkeys(native_int(i) for i in user_ids):
            user = found[key]  # type: ignore[index]
            if all(g["id"] != group["id"] for g in user["groups"]):
                changed.append((user, [*user["groups"], ref]))
        await self._rewrite(changed, steps)

    async def remove_members(self, group_id: str, user_ids: Sequence[str]) -> list[GroupMember]:
        group = await self._lookups.group(group_id)
        found = await self._members_exist(user_ids)
        changed = []
        for native_id in dict.fromkeys(user_ids):
            user = found[native_int(native_id)]  # type: ignore[index]
            if all(g["id"] != group["id"] for g in user["groups"]):
                raise NotFound(
                    f"user '{native_id}' is not a member of group '{group_id}' on backend '{self._backend}'",
                    backend=self._backend,
                )
            changed.append((user, [g for g in user["groups"] if g["id"] != group["id"]]))
        async with Steps(self._backend, f"remove members from group '{group_id}'") as steps:
            await self._rewrite(changed, steps)
        return (await self.members_of([group_id]))[0]
