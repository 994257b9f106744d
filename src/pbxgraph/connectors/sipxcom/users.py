"""Users: ``/rest/user``, with registrations from ``/api/registrations``.

The user listing cannot filter or sort the way pbxgraph lists (by display
name, by extension), so :meth:`list` reads every user (paged) and narrows in
pbxgraph; registrations are then read for the page's users only.

A ``/rest`` update replaces the whole user, groups, branch and aliases
included (a list left out is emptied), so every update reads the user first
and sends it back whole with only the asked-for fields changed.

The document lists no enabled flag under ``/rest/user``; it shows a user's
``enabled`` among the profile fields of ``/my/contact-information``. Where it
is silent, the connector relies on the guess the emulator documents: a
``/rest`` user carries that flag as ``enabled``. A user read without it is
enabled, and is sent back without it unless the caller sets it.

A user's devices are the phones with a line naming the user (see
:mod:`.lines`): by user name or alias, never by mistaking a numeric name for
an id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pbxgraph.connectors.querying import apply_query
from pbxgraph.connectors.sipxcom import lines, mapping
from pbxgraph.connectors.sipxcom.lookups import Lookups, native_int, together
from pbxgraph.domain import Device, Group, ListQuery, Page, User, UserCreate, UserUpdate
from pbxgraph.errors import BackendError, BadUserInput, NotFound


class SipxcomUsers:
    def __init__(self, lookups: Lookups) -> None:
        self._lookups = lookups
        self._client = lookups.client
        self._backend = lookups.backend

    async def page(self, query: ListQuery) -> Page[User]:
        users = await self._lookups.all_users()
        by_id = {u["id"]: u for u in users}
        page = apply_query((mapping.user_record(u) for u in users), query)
        return replace(page, items=await self._lookups.user_records([by_id[int(item.id)] for item in page.items]))

    async def get_many(self, ids: Sequence[str]) -> list[User | None]:
        keys = [native_int(i) for i in ids]
        found = await self._lookups.users_by_id(k for k in keys if k is not None)
        records = {int(r.id): r for r in await self._lookups.user_records(list(found.values()))}
        return [records.get(k) if k is not None else None for k in keys]

    async def _reread(self, native_id: str) -> User:
        (record,) = await self._lookups.user_records([await self._lookups.user(native_id)])
        return record

    async def create(self, data: UserCreate) -> User:
        first, last = mapping.split_display_name(data.display_name)
        body = mapping.user_body(
            {
                "userName": data.username,
                "firstName": first,
                "lastName": last,
                "emailAddress": data.email,
                "groups": [],
                "branch": None,
                "aliases": mapping.with_extension([], data.username, data.extension),
                "sipPassword": data.sip_password,
                # A new user is enabled unless asked otherwise: say so only then.
                "enabled": None if data.enabled else False,
            }
        )
        said = await self._client.rest_write(
            "PUT",
            "/user",
            f"user '{data.username}'",
            root="user",
            body=body,
            item_tags=mapping.USER_ITEM_TAGS,
            secrets=(data.sip_password,),
        )
        if not said["id"]:
            raise BackendError(
                f"backend '{self._backend}' created user '{data.username}' without answering its id",
                backend=self._backend,
            )
        return await self._reread(said["id"])

    async def update(self, id: str, patch: UserUpdate) -> User:
        changes = patch.changes()
        if "sip_password" in changes and changes["sip_password"] is None:
            raise BadUserInput(
                "sip_password: sipXcom cannot clear a SIP password, only set a new one",
                backend=self._backend,
                field="sip_password",
            )
        current = await self._lookups.user(id)
        if changes.get("enabled") is (current["enabled"] is not False):
            changes.pop("enabled")  # already so: nothing to send for it
        if not changes:
            (record,) = await self._lookups.user_records([current])
            return record
        await self.put(current, changes)
        return await self._reread(id)

    async def put(
        self, current: dict[str, Any], changes: dict[str, Any], groups: list[dict[str, Any]] | None = None
    ) -> None:
        """Send a user back whole: ``current`` with ``changes`` (UserUpdate names) applied."""
        user = dict(current)
        if "username" in changes:
            user["userName"] = changes["username"]
        if "display_name" in changes:
            user["firstName"], user["lastName"] = mapping.split_display_name(changes["display_name"])
        if "email" in changes:
            user["emailAddress"] = changes["email"]
        if "extension" in changes:
            user["aliases"] = mapping.with_extension(current["aliases"], user["userName"] or "", changes["extension"])
        if "enabled" in changes:
            user["enabled"] = changes["enabled"]
        if groups is not None:
            user["groups"] = groups
        user["sipPassword"] = changes.get("sip_password")
        await self._client.rest_write(
            "PUT",
            f"/user/{current['id']}",
            f"user '{current['id']}'",
            root="user",
            body=mapping.user_body(user),
            item_tags=mapping.USER_ITEM_TAGS,
            secrets=(changes.get("sip_password"),),
        )

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
        """The phones whose lines name each user: the users (for their names) and the phones, read together."""
        keys = [native_int(i) for i in user_ids]
        wanted = [k for k in keys if k is not None]
        if not wanted:
            return [[] for _ in keys]
        users, phones = await together(self._lookups.users_by_id(wanted), self._lookups.all_phones())
        index = lines.UserIndex(users.values())
        owned: dict[int, list[int]] = {}
        served: dict[int, dict[str, Any]] = {}
        for phone in sorted(phones, key=lambda p: p["id"]):
            for owner in lines.owners_of(phone):
                user = index.find(owner)
                if user is not None and phone["id"] not in owned.setdefault(user["id"], []):
                    owned[user["id"]].append(phone["id"])
                    served[phone["id"]] = phone
        records = {int(r.id): r for r in await self._lookups.device_records(list(served.values()))} if served else {}
        for phone_id, phone in served.items():
            # The phone's user is its first line's. These few users know it for sure when the line names
            # one of them by id or by user name (an alias could be another user's name: ask users_of then).
            owner = lines.owners_of(phone)[0]
            first = index.find(owner)
            if first is not None and (
                owner.name is None or (first["userName"] or "").casefold() == owner.name.casefold()
            ):
                records[phone_id] = replace(records[phone_id], user_id=str(first["id"]))
        return [[records[p] for p in owned.get(k, [])] if k is not None else [] for k in keys]
