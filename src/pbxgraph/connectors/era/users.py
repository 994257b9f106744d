"""SIP users (``sipusers``) as pbxgraph users, with registration from ``sipuser_states``.

Era SIP accounts have no e-mail address and no disabled state: asking to set
either is NOT_SUPPORTED naming the field, rather than a value silently lost
(the connector's capabilities declare it, so the service refuses before any
call; the checks here keep the connector honest on its own).

Groups and hunts follow their user (:mod:`.follow`): a new extension is
rewritten into the groups that rang the old one, and a deleted user leaves
every group and hunt, in the same mutation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pbxgraph import validation
from pbxgraph.connectors.era import follow, mapping
from pbxgraph.connectors.era.client import EraClient, all_of, contains_text, equals
from pbxgraph.connectors.era.common import (
    registrations,
    unique,
    users_with_registration,
    whole,
)
from pbxgraph.connectors.http import both
from pbxgraph.connectors.querying import ordered, window
from pbxgraph.domain import Device, Group, Kind, ListQuery, Page, User, UserCreate, UserUpdate
from pbxgraph.errors import BadUserInput, NotSupported

COLLECTION = "sipusers"
#: Era's field names in errors, as the caller knows them.
FIELDS = {"login": "username", "name": "display_name", "phonenumber": "extension", "pwd": "sip_password"}


def _unsupported(backend: str, field: str, what: str) -> NotSupported:
    return NotSupported(f"backend '{backend}' (Era) cannot store {what} on a SIP user", backend=backend, field=field)


class EraUsers:
    def __init__(self, client: EraClient) -> None:
        self.client = client

    async def page(self, query: ListQuery) -> Page[User]:
        flt = query.filter
        if flt.mac is not None:
            return Page(items=[], has_more=False, total=0)
        pushed = all_of(
            equals("phonenumber", flt.extension) if flt.extension is not None else None,
            contains_text(["name", "login"], flt.search) if flt.search else None,
        )

        async def read() -> tuple[dict[str, dict[str, Any]], list[User]]:
            """The listing's rows by id, and its users filtered and ordered (without payloads: the page's
            own users are made whole below, and scrubbing every row of a big listing costs)."""
            payloads = await self.client.list_all(COLLECTION, filter=pushed)
            by_id = {p["id"]: p for p in payloads if isinstance(p.get("id"), str)}
            return by_id, ordered([mapping.user_from(p, raw=False) for p in payloads], query)

        # The listing's fingerprint: what was sent, what pbxgraph filters and the order (not the page).
        key = (COLLECTION, json.dumps(pushed), repr(flt), query.sort.value, str(query.descending))
        by_id, users = await self.client.snapshots.listing(key, read, fresh=query.offset == 0)
        page = window(users, query)
        self.client.remember(COLLECTION, [by_id[u.id] for u in page.items])  # a kept listing's rows serve relations
        states = await registrations(self.client, [u.id for u in page.items])
        return replace(page, items=[mapping.user_from(by_id[u.id], states.get(u.id)) for u in page.items])

    async def get_many(self, ids: Sequence[str]) -> list[User | None]:
        wanted = unique(ids)
        if not wanted:
            return []
        payloads, states = await both(self.client.list_in(COLLECTION, "id", wanted), registrations(self.client, wanted))
        found = {u.id: u for u in (mapping.user_from(p, states.get(p["id"])) for p in payloads)}
        return [found.get(i) for i in ids]

    async def create(self, data: UserCreate) -> User:
        backend = self.client.backend
        if data.email is not None:
            raise _unsupported(backend, "email", "an e-mail address")
        if not data.enabled:
            raise _unsupported(backend, "enabled", "a disabled state")
        body: dict[str, Any] = {"login": validation.username(data.username)}
        if data.display_name is not None:
            body["name"] = data.display_name
        if data.extension is not None:
            body["phonenumber"] = validation.extension(data.extension)
        if data.sip_password is not None:
            body["pwd"] = data.sip_password
        payload = await self.client.create(COLLECTION, body, fields=FIELDS)
        (user,) = await users_with_registration(self.client, [payload])
        return user

    async def update(self, id: str, patch: UserUpdate) -> User:
        backend = self.client.backend
        changes = patch.changes()
        body: dict[str, Any] = {}
        if changes.get("email") is not None:
            raise _unsupported(backend, "email", "an e-mail address")
        if changes.get("enabled") is False:
            raise _unsupported(backend, "enabled", "a disabled state")
        if "username" in changes:
            body["login"] = validation.username(changes["username"])
        if "display_name" in changes:
            body["name"] = changes["display_name"] or ""
        if "extension" in changes:
            body["phonenumber"] = validation.extension(changes["extension"]) if changes["extension"] else ""
        if "sip_password" in changes:
            if not changes["sip_password"]:
                raise BadUserInput(
                    "sip_password: an Era SIP account cannot be left without a password", field="sip_password"
                )
            body["pwd"] = changes["sip_password"]
        if not body:
            payload = await self.client.get(COLLECTION, id)
        elif "phonenumber" not in body:
            payload = await self.client.patch(COLLECTION, id, body, fields=FIELDS)
        else:
            payload = await self._renumber(id, body)
        (user,) = await users_with_registration(self.client, [payload])
        return user

    async def _renumber(self, id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Change the user, extension included; then the groups that rang the old number ring the new one.

        The groups are read before the user is changed, so that a failed read
        changes nothing; they are written once the user's change succeeded.
        """
        old = mapping.text(await self.client.get(COLLECTION, id), "phonenumber")
        new = body["phonenumber"] or None
        follow_ups = await follow.renumbering(self.client, old, new) if old is not None and old != new else []
        payload = await self.client.patch(COLLECTION, id, body, fields=FIELDS)
        await follow.apply(
            self.client, follow_ups, user_id=id, after=f"user {self._who(payload)} now has extension {new or 'none'}"
        )
        return payload

    async def delete(self, id: str) -> None:
        """Delete the account, then take it out of every group and hunt (read before, written after)."""
        payload = await self.client.get(COLLECTION, id)
        who = self._who(payload)
        follow_ups = await follow.removal(self.client, id, mapping.text(payload, "phonenumber"), who)
        await self.client.delete(COLLECTION, id)
        await follow.apply(self.client, follow_ups, user_id=id, after=f"user {who} was deleted")

    @staticmethod
    def _who(payload: dict[str, Any]) -> str:
        return f"'{payload.get('login')}' (id {payload.get('id')})"

    async def groups_of(self, user_ids: Sequence[str]) -> list[list[Group]]:
        """Groups whose dial plan rings each user's extension.

        Era cannot filter group numbers by dial-plan content, so this is one
        users request plus a read of the group numbers, matched here; the
        groups found are then read whole (their descriptions), one GET each.
        """
        if not user_ids:
            return []
        payloads = await self.client.list_in(COLLECTION, "id", unique(user_ids))
        numbers = {p["id"]: p.get("phonenumber") for p in payloads if p.get("phonenumber")}
        if not numbers:
            return [[] for _ in user_ids]
        wanted = set(numbers.values())
        ringing = [g for g in await self.client.list_all("sipgroups") if wanted & set(mapping.dial_numbers(g))]
        groups = [
            (mapping.group_from(g), set(mapping.dial_numbers(g)))
            for g in await whole(self.client, "sipgroups", sorted(ringing, key=lambda g: str(g.get("id"))), Kind.GROUP)
        ]
        return [[group for group, dialled in groups if numbers.get(uid) in dialled] for uid in user_ids]

    async def devices_of(self, user_ids: Sequence[str]) -> list[list[Device]]:
        """The phone provisioned for each user (Era provisions at most one per account)."""
        if not user_ids:
            return []
        payloads = await self.client.list_in(COLLECTION, "id", unique(user_ids))
        devices = {p["id"]: mapping.device_from(p) for p in payloads}
        return [[d] if (d := devices.get(uid)) is not None else [] for uid in user_ids]
