"""Group numbers (``sipgroups``) as pbxgraph groups.

An Era group rings *numbers*: the members are the numbers of its dial plan
(``dialplan[].dial``), each resolved to the SIP user owning that extension;
a number no user owns stays visible as an external member (``user=None``).
Membership changes edit the dial plan in place: an added user becomes a new
step of its own at the end (Era's own examples use one number per step), a
removed user's number leaves every step, and only a step left with nothing to
dial disappears (with its timeout). Every other step keeps its numbers and its
``timeout``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pbxgraph import validation
from pbxgraph.connectors.era import mapping
from pbxgraph.connectors.era.client import EraClient, all_of, contains_text, equals
from pbxgraph.connectors.era.common import unique, users_by_number, whole
from pbxgraph.connectors.querying import apply_query
from pbxgraph.domain import (
    Group,
    GroupCreate,
    GroupMember,
    GroupUpdate,
    Kind,
    ListQuery,
    Page,
    RingStrategy,
)
from pbxgraph.errors import BadUserInput, NotFound, NotSupported

COLLECTION = "sipgroups"
FIELDS = {"phonenumber": "extension", "type": "strategy", "dialplan": "member_user_ids"}


def era_type(strategy: RingStrategy | None) -> str:
    if strategy is None:
        raise BadUserInput("strategy: an Era group number always has a ring type", field="strategy")
    try:
        return mapping.GROUP_TYPE_OF[strategy]
    except KeyError:
        allowed = ", ".join(s.name for s in mapping.GROUP_TYPE_OF)
        raise NotSupported(
            f"strategy: Era group numbers ring {allowed}, not {strategy.name}", field="strategy"
        ) from None


class EraGroups:
    def __init__(self, client: EraClient) -> None:
        self.client = client

    async def page(self, query: ListQuery) -> Page[Group]:
        flt = query.filter
        if flt.mac is not None:
            return Page(items=[], has_more=False, total=0)
        pushed = all_of(
            equals("phonenumber", flt.extension) if flt.extension is not None else None,
            contains_text(["opts.title", "phonenumber"], flt.search) if flt.search else None,
        )
        payloads = {
            p["id"]: p
            for p in await self.client.listing(COLLECTION, filter=pushed, fresh=query.offset == 0)
            if isinstance(p.get("id"), str)
        }
        page = apply_query([mapping.group_from(p) for p in payloads.values()], query)
        completed = await whole(self.client, COLLECTION, [payloads[g.id] for g in page.items], Kind.GROUP)
        return replace(page, items=[mapping.group_from(p) for p in completed])

    async def get_many(self, ids: Sequence[str]) -> list[Group | None]:
        if not ids:
            return []
        found = await self.client.read_many(COLLECTION, ids)
        return [mapping.group_from(found[i]) if i in found else None for i in ids]

    async def create(self, data: GroupCreate) -> Group:
        if data.extension is None:
            raise BadUserInput("extension: an Era group number needs its number", field="extension")
        body: dict[str, Any] = {
            "phonenumber": validation.extension(data.extension),
            "dialplan": [{"dial": [n]} for n in await self._numbers_of(data.member_user_ids, "member_user_ids")],
            "opts": {
                "title": self._title(validation.non_empty(data.name, "name"), data.display_name),
                "comment": data.description or "",
            },
        }
        if data.strategy is not None:
            body["type"] = era_type(data.strategy)
        return mapping.group_from(await self.client.create(COLLECTION, body, fields=FIELDS))

    async def update(self, id: str, patch: GroupUpdate) -> Group:
        changes = patch.changes()
        body: dict[str, Any] = {}
        if "extension" in changes:
            if changes["extension"] is None:
                raise BadUserInput("extension: an Era group number cannot be without its number", field="extension")
            body["phonenumber"] = validation.extension(changes["extension"])
        if "strategy" in changes:
            body["type"] = era_type(changes["strategy"])
        options: dict[str, Any] = {}
        if "name" in changes:
            name = validation.non_empty(changes["name"], "name")
            options["title"] = self._title(name, changes.get("display_name", name), given="display_name" in changes)
        elif "display_name" in changes:
            options["title"] = changes["display_name"] or ""
        if "description" in changes:
            options["comment"] = changes["description"] or ""
        if options:
            # Era's documents do not say whether PATCH merges or replaces ``opts``;
            # sending the whole of it, read just before, is right either way.
            current = await self.client.get(COLLECTION, id)
            body["opts"] = {**mapping.opts(current), **options}
        if not body:
            return mapping.group_from(await self.client.get(COLLECTION, id))
        return mapping.group_from(await self.client.patch(COLLECTION, id, body, fields=FIELDS))

    async def delete(self, id: str) -> None:
        await self.client.delete(COLLECTION, id)

    async def members_of(self, group_ids: Sequence[str]) -> list[list[GroupMember]]:
        if not group_ids:
            return []
        payloads = {
            p["id"]: p for p in await self.client.list_in(COLLECTION, "id", group_ids) if isinstance(p.get("id"), str)
        }
        members = await self._members(list(payloads.values()))
        return [members.get(gid, []) for gid in group_ids]

    async def add_members(self, group_id: str, user_ids: Sequence[str]) -> list[GroupMember]:
        group = await self.client.get(COLLECTION, group_id)
        numbers = await self._numbers_of(user_ids, "user_ids")
        steps = mapping.dialplan(group)
        present = set(mapping.dial_numbers(group))
        added = [n for n in unique(numbers) if n not in present]
        if added:
            group = await self.client.patch(
                COLLECTION, group_id, {"dialplan": steps + [{"dial": [n]} for n in added]}, fields=FIELDS
            )
        return (await self._members([group]))[group_id]

    async def remove_members(self, group_id: str, user_ids: Sequence[str]) -> list[GroupMember]:
        group = await self.client.get(COLLECTION, group_id)
        numbers = await self._numbers_of(user_ids, "user_ids")
        present = set(mapping.dial_numbers(group))
        for user_id, number in zip(user_ids, numbers, strict=True):
            if number not in present:
                raise NotFound(
                    f"user_ids: user '{user_id}' (extension {number}) is not a member of group '{group_id}'",
                    field="user_ids",
                )
        removed = set(numbers)
        steps: list[dict[str, Any]] = []
        for step in mapping.dialplan(group):
            dial = step.get("dial")
            if not isinstance(dial, list):
                steps.append(step)
                continue
            kept = [n for n in dial if n not in removed]
            if kept:
                steps.append({**step, "dial": kept})
        group = await self.client.patch(COLLECTION, group_id, {"dialplan": steps}, fields=FIELDS)
        return (await self._members([group]))[group_id]

    # --- helpers ---------------------------------------------------------------------

    def _title(self, name: str, display_name: str | None, *, given: bool = False) -> str:
        """The one label Era keeps for a group number, from a name and a display name that must agree.

        ``given`` says the display name was sent (an explicit ``null`` then disagrees with a name).
        """
        if (display_name is not None or given) and display_name != name:
            raise NotSupported(
                f"display_name: backend '{self.client.backend}' (Era) keeps one label for a group number, "
                "its name; give display_name the same value as name, or leave it out",
                backend=self.client.backend,
                field="display_name",
            )
        return name

    async def _members(self, groups: Sequence[dict[str, Any]]) -> dict[str, list[GroupMember]]:
        """Members of each group: one users request and one states request for all of them."""
        dialled = {mapping.entity_id(g, "sipgroup"): mapping.dial_numbers(g) for g in groups}
        numbers = unique(n for ns in dialled.values() for n in ns)
        users = await users_by_number(self.client, numbers) if numbers else {}
        return {
            gid: [GroupMember(position=i, user=users.get(n), number=n) for i, n in enumerate(ns)]
            for gid, ns in dialled.items()
        }

    async def _numbers_of(self, user_ids: Sequence[str], field: str) -> list[str]:
        """The extension of each user, in order; unknown users and users without one are refused."""
        if not user_ids:
            return []
        payloads = {p.get("id"): p for p in await self.client.list_in("sipusers", "id", unique(user_ids))}
        numbers = []
        for user_id in user_ids:
            payload = payloads.get(user_id)
            if payload is None:
                raise NotFound(f"{field}: no user '{user_id}'", field=field)
            number = mapping.text(payload, "phonenumber")
            if number is None:
                raise BadUserInput(
                    f"{field}: user '{user_id}' has no extension, and Era groups ring numbers", field=field
                )
            numbers.append(number)
        return numbers
