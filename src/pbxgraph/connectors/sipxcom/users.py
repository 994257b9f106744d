"""Users: ``/rest/user``, with registrations from ``/api/registrations``.

The user listing cannot filter or sort the way pbxgraph lists (by display
name, by extension), so :meth:`list` reads every user (paged) and narrows in
pbxgraph; registrations are then read for the page's users only.

A ``/rest`` update replaces the whole user, groups, branch and aliases
included (a list left out is emptied), so every update reads the user first
and sends it back whole with only the asked-for fields changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pbxgraph.connectors.querying import apply_query
from pbxgraph.connectors.sipxcom import mapping
from pbxgraph.connectors.sipxcom.lookups import Lookups, native_int
from pbxgraph.domain import Device, Group, ListQuery, Page, User, UserCreate, UserUpdate
from pbxgraph.errors import BackendError, BadUserInput, NotFound, NotSupported


class SipxcomUsers:
    def __init__(self, lookups: Lookups) -> None:
        self._lookups = lookups
        self._client = lookups.client
        self._backend = lookups.backend

    def _cannot_disable(self) -> NotSupported:
        return NotSupported(f"backend '{self._backend}' cannot disable users: sipXcom users have no "
                            "enabled flag", backend=self._backend, field="enabled")

    async def list(self, query: ListQuery) -> Page[User]:
        users = await self._lookups.all_users()
        by_id = {u["id"]: u for u in users}
        page = apply_query((mapping.user_record(u) for u in users), query)
        page.items = await self._lookups.user_records([by_id[int(item.id)] for item in page.items])
        return page

    async def get_many(self, ids: Sequence[str]) -> list[User | None]:
        keys = [native_int(i) for i in ids]
        found = await self._lookups.users_by_id(k for k in keys if k is not None)
        records = {int(r.id): r for r in await self._lookups.user_records(list(found.values()))}
        return [records.get(k) if k is not None else None for k in keys]

    async def _reread(self, native_id: str) -> User:
        (record,) = await self._lookups.user_records([await self._lookups.user(native_id)])
        return record

    async def create(self, data: UserCreate) -> User:
        if not data.enabled:
            raise self._cannot_disable()
        first, last = mapping.split_display_name(data.display_name)
        body = mapping.user_body({
            "userName": data.username, "firstName": first, "lastName": last,
            "emailAddress": data.email, "groups": [], "branch": None,
            "aliases": mapping.with_extension([], data.username, data.extension),
            "sipPassword": data.sip_password,
        })
        said = await self._client.rest_write("PUT", "/user", f"user '{data.username}'", root="user",
                                             body=body, item_tags=mapping.USER_ITEM_TAGS,
                                             secrets=(data.sip_password,))
        if not said["id"]:
            raise BackendError(f"backend '{self._backend}' created user '{data.username}' without "
                               "answering its id", backend=self._backend)
        return await self._reread(said["id"])

    async def update(self, id: str, patch: UserUpdate) -> User:
        changes = patch.changes()
        if changes.get("enabled") is False:
            raise self._cannot_disable()
        if "sip_password" in changes and changes["sip_password"] is None:
            raise BadUserInput("sip_password: sipXcom cannot clear a SIP password, only set a new one",
                               backend=self._backend, field="sip_password")
        current = await self._lookups.user(id)
        changes.pop("enabled", None)
        if not changes:
            (record,) = await self._lookups.user_records([current])
            return record
        await self.put(current, changes)
        return await self._reread(id)

    async def put(self, current: dict[str, Any], changes: dict[str, Any],
                  groups: list[dict[str, Any]] | None = None) -> None:
        """Send a user back whole: ``current`` with ``changes`` (UserUpdate names) applied."""
        user = dict(current)
        if "username" in changes:
            user["userName"] = changes["username"]
        if "display_name" in changes:
            user["firstName"], user["lastName"] = mapping.split_display_name(changes["display_name"])
        if "email" in changes:
            user["emailAddress"] = changes["email"]
        if "extension" in changes:
            user["aliases"] = mapping.with_extension(current["aliases"], user["userName"] or "",
                                                     changes["extension"])
        if groups is not None:
            user["groups"] = groups
        user["sipPassword"] = changes.get("sip_password")
        await self._client.rest_write("PUT", f"/user/{current['id']}", f"user '{current['id']}'", root="user",
                                      body=mapping.user_body(user), item_tags=mapping.USER_ITEM_TAGS,
                                      secrets=(changes.get("sip_password"),))

    async def delete(self, id: str) -> None:
        key = native_int(id)
        if key is None:
            raise NotFound(f"user '{id}' does not exist on backend '{self._backend}'", backend=self._backend)
        await self._client.rest_write("DELETE", f"/user/{key}", f"user '{id}'")

    async def groups_of(self, user_ids: Sequence[str]) -> list[list[Group]]:
        keys = [native_int(i) for i in user_ids]
        found = await self._lookups.users_by_id(k for k in keys if k is not None)
        return [[mapping.group_record(g) for g in found[k]["groups"]] if k in found else [] for k in keys]

    async def devices_of(self, user_ids: Sequence[str]) -> list[list[Device]]:
        keys = [native_int(i) for i in user_ids]
        if not any(k is not None for k in keys):
            return [[] for _ in keys]
        owned: dict[int, list[Device]] = {}
        for phone in sorted(await self._lookups.all_phones(), key=lambda p: p.get("id") or 0):
            for user_id in mapping.line_user_ids(phone):
                owned.setdefault(user_id, []).append(mapping.device_record(phone))
        return [owned.get(k, []) if k is not None else [] for k in keys]
