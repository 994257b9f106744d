"""Queues: hunt groups under ``/api/callgroups`` (mapping in :mod:`.huntgroups`).

The API reads all hunt groups at once or one by extension, and writes one
by extension: a queue's native id is the hunt group's ``id`` (which stays
when its extension changes), so reading or writing one by id first reads
the list to find its extension. A hunt group always has an extension (it
is how the API addresses it): creating one needs it, and it cannot be
cleared. The document does not say what reading an extension no hunt group
has answers; an empty 204 and a bare 404 (the emulator's guess, as the rest
of ``/api`` answers "not found") are both read as "none".

An update or a member change sends the hunt group back whole (the server
rebuilds it, rings included, from the body), so each is one write: all or
nothing. A write is read back afterwards: should that read fail, the error
says the change was made (``undone: false``, with the queue in
``remains``); a new hunt group whose id the server did not answer is
deleted again by its extension. Members are users, named in the rings by user name; a ring whose
user is gone stays visible as a member without a user. The rings' order is
the members' order; members carry no priority.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pbxgraph import validation
from pbxgraph.connectors.querying import apply_query
from pbxgraph.connectors.sipxcom import huntgroups
from pbxgraph.connectors.sipxcom.lines import LineOwner, UserIndex
from pbxgraph.connectors.sipxcom.lookups import Lookups, native_int, together
from pbxgraph.connectors.sipxcom.payload import text
from pbxgraph.connectors.undo import Steps
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
)
from pbxgraph.errors import BackendError, BadUserInput, NotFound, NotSupported


class SipxcomQueues:
    def __init__(self, lookups: Lookups) -> None:
        self._lookups = lookups
        self._client = lookups.client
        self._backend = lookups.backend

    async def page(self, query: ListQuery) -> Page[Queue]:
        flt = query.filter
        if flt.mac is not None:
            return Page(items=[], has_more=False, total=0)
        if flt.extension is not None:
            # The API reads one hunt group by its extension: one direct read.
            found = await self._lookups.hunt_group_by_extension(flt.extension)
            hunts = [found] if found is not None else []
        else:
            hunts = await self._lookups.all_hunt_groups()
        return apply_query((huntgroups.queue_record(h) for h in hunts), query)

    async def get_many(self, ids: Sequence[str]) -> list[Queue | None]:
        keys = [native_int(i) for i in ids]
        if not any(k is not None for k in keys):
            return [None for _ in keys]
        found = {h["id"]: h for h in await self._lookups.all_hunt_groups()}
        return [huntgroups.queue_record(found[k]) if k in found else None for k in keys]

    async def create(self, data: QueueCreate) -> Queue:
        extension = self._extension(data.extension)
        strategy = self._strategy(data.strategy) if data.strategy is not None else None
        users = await self._check(data.members)
        rings = self._rings(data.members, users, huntgroups.ring_type_for(strategy, None), None)
        body = {
            "name": validation.non_empty(data.name, "name"),
            "extension": extension,
            "description": data.description or "",
            "enabled": True,
            "did": None,
            "ringBeans": rings,
            "fallbackDestination": None,
            "voicemailFallback": True,
            "userForward": True,
            "useFwdTimers": False,
        }
        async with Steps(self._backend, f"create queue '{data.name}'") as steps:
            response = await self._client.api_send("POST", "/callgroups", f"queue '{data.name}'", json_body=body)
            steps.done(
                f"queue '{data.name}' created with extension {extension} (its id not answered)",
                kind=Kind.QUEUE,
                undo=lambda: self._client.api_send("DELETE", f"/callgroups/{extension}", f"queue '{data.name}'"),
            )
            new_id = self._client.created_id(response)
            steps.finished(f"queue {new_id} created", kind=Kind.QUEUE, native_id=new_id)
            return huntgroups.queue_record(await self._lookups.hunt_group(new_id))

    async def update(self, id: str, patch: QueueUpdate) -> Queue:
        changes = patch.changes()
        hunt = await self._lookups.hunt_group(id)
        body = huntgroups.hunt_body(hunt)
        if "name" in changes:
            body["name"] = validation.non_empty(changes["name"], "name")
        if "extension" in changes:
            body["extension"] = self._extension(changes["extension"])
        if "description" in changes:
            body["description"] = changes["description"] or ""
        if changes.get("strategy") is not None:
            ring_type = huntgroups.TYPE_OF_STRATEGY[self._strategy(changes["strategy"])]
            body["ringBeans"] = [{**ring, "typeStr": ring_type} for ring in huntgroups.rings_of(hunt)]
        if body == huntgroups.hunt_body(hunt):
            return huntgroups.queue_record(hunt)
        async with Steps(self._backend, f"update queue '{id}'") as steps:
            await self._put(hunt, body)
            steps.finished(f"queue {hunt['id']} changed", kind=Kind.QUEUE, native_id=str(hunt["id"]))
            return huntgroups.queue_record(await self._lookups.hunt_group(id))

    async def delete(self, id: str) -> None:
        # Read first: the server deletes by extension, and answers 200 for one it does not have.
        hunt = await self._lookups.hunt_group(id)
        await self._client.api_send("DELETE", f"/callgroups/{hunt['extension']}", f"queue '{id}'")

    async def members_of(self, queue_ids: Sequence[str]) -> list[list[QueueMember]]:
        """Each hunt group's rings as members: the hunt groups and every user, read together."""
        keys = [native_int(i) for i in queue_ids]
        if not any(k is not None for k in keys):
            return [[] for _ in keys]
        hunts, index = await together(self._lookups.all_hunt_groups(), self._lookups.user_index())
        found = {h["id"]: h for h in hunts if h["id"] in keys}
        users = {}
        for hunt in found.values():
            for ring in huntgroups.rings_of(hunt):
                user = self._ring_user(index, ring)
                if user is not None:
                    users[user["id"]] = user
        records = {int(r.id): r for r in await self._lookups.user_records(list(users.values()))} if users else {}
        answers: list[list[QueueMember]] = []
        for key in keys:
            asked = found.get(key) if key is not None else None
            members = []
            for position, ring in enumerate(huntgroups.rings_of(asked) if asked is not None else []):
                user = self._ring_user(index, ring)
                members.append(
                    QueueMember(
                        position=position,
                        kind=MemberKind.USER,
                        user=records.get(user["id"]) if user is not None else None,
                        raw=dict(ring),
                    )
                )
            answers.append(members)
        return answers

    async def set_members(self, queue_id: str, members: Sequence[QueueMemberInput]) -> list[QueueMember]:
        hunt, users = await together(self._lookups.hunt_group(queue_id), self._check(members))
        body = huntgroups.hunt_body(hunt)
        body["ringBeans"] = self._rings(members, users, huntgroups.ring_type_for(None, hunt), hunt)
        async with Steps(self._backend, f"set the members of queue '{queue_id}'") as steps:
            if body != huntgroups.hunt_body(hunt):
                await self._put(hunt, body)
                steps.finished(f"members of queue {hunt['id']} set", kind=Kind.QUEUE, native_id=str(hunt["id"]))
            return (await self.members_of([queue_id]))[0]

    # --- helpers ---------------------------------------------------------------------

    @staticmethod
    def _ring_user(index: UserIndex, ring: dict[str, Any]) -> Any:
        name = text(ring.get("userName"))
        return index.find(LineOwner(name=name)) if name else None

    async def _put(self, hunt: dict[str, Any], body: dict[str, Any]) -> None:
        extension = text(hunt.get("extension"))
        if not extension:
            raise BackendError(
                f"backend '{self._backend}' has hunt group '{hunt['id']}' without an extension, "
                "which its API cannot write",
                backend=self._backend,
            )
        await self._client.api_send("PUT", f"/callgroups/{extension}", f"queue '{hunt['id']}'", json_body=body)

    def _extension(self, value: str | None) -> str:
        if value is None:
            raise BadUserInput(
                "extension: a sipXcom hunt group always has an extension (its API addresses hunt groups by it)",
                backend=self._backend,
                field="extension",
            )
        return validation.extension(value)

    def _strategy(self, strategy: RingStrategy) -> RingStrategy:
        if strategy not in huntgroups.TYPE_OF_STRATEGY:
            raise NotSupported(
                f"strategy: backend '{self._backend}' cannot ring a queue as {strategy.name} (it can: ALL, SEQUENTIAL)",
                backend=self._backend,
                field="strategy",
            )
        return strategy

    async def _check(self, members: Sequence[QueueMemberInput]) -> dict[int, dict[str, Any]]:
        """The members' users, before anything is written: users only, each once, each existing."""
        seen: set[str] = set()
        for i, member in enumerate(members):
            if member.kind is not MemberKind.USER:
                raise NotSupported(
                    f"members[{i}].id: queues on backend '{self._backend}' take users, not {member.kind.value}s",
                    backend=self._backend,
                    field=f"members[{i}].id",
                )
            if member.priority is not None:
                raise NotSupported(
                    f"members[{i}].priority: queue members on backend '{self._backend}' have no "
                    "priority; they ring in the order given",
                    backend=self._backend,
                    field=f"members[{i}].priority",
                )
            if member.id in seen:
                raise BadUserInput(
                    f"members[{i}].id: user '{member.id}' is given twice",
                    backend=self._backend,
                    field=f"members[{i}].id",
                )
            seen.add(member.id)
        keys = [native_int(m.id) for m in members]
        users = await self._lookups.users_by_id(k for k in keys if k is not None) if members else {}
        for i, (member, key) in enumerate(zip(members, keys, strict=True)):
            if key is None or key not in users:
                raise NotFound(
                    f"members[{i}].id: user '{member.id}' does not exist on backend '{self._backend}'",
                    backend=self._backend,
                    field=f"members[{i}].id",
                )
        return users

    @staticmethod
    def _rings(
        members: Sequence[QueueMemberInput],
        users: dict[int, dict[str, Any]],
        ring_type: str,
        hunt: dict[str, Any] | None,
    ) -> list[dict[str, Any]]:
        """Ring beans for ``members`` in order, keeping the settings of rings already there."""
        current = {text(r.get("userName")): r for r in huntgroups.rings_of(hunt)} if hunt is not None else {}
        rings = []
        for member in members:
            name = users[int(member.id)]["userName"]
            rings.append(huntgroups.ring_bean(name, ring_type, current.get(name)))
        return rings
