"""Queues and their ordered members (users or groups) in the local store."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from pbxgraph.connectors.local import rows, tables
from pbxgraph.connectors.local.common import (
    as_int,
    claim_number,
    delete_row,
    fetch_by_ids,
    fit,
    inserted_id,
    require_row,
    update_row,
)
from pbxgraph.connectors.local.listing import page_of
from pbxgraph.connectors.local.store import Store
from pbxgraph.domain import (
    ListQuery,
    MemberKind,
    Page,
    Queue,
    QueueCreate,
    QueueMember,
    QueueMemberInput,
    QueueUpdate,
)
from pbxgraph.errors import BadUserInput

_COLUMNS = {"name", "extension", "strategy", "description", "display_name"}


class LocalQueues:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def page(self, query: ListQuery) -> Page[Queue]:
        async with self._store.read() as conn:
            return await page_of(conn, tables.queues, query, rows.queue, store=self._store)

    async def get_many(self, ids: Sequence[str]) -> list[Queue | None]:
        async with self._store.read() as conn:
            return await fetch_by_ids(conn, tables.queues, ids, rows.queue)

    async def create(self, data: QueueCreate) -> Queue:
        async with self._store.write() as conn:
            values = {
                "name": data.name,
                "extension": data.extension,
                "description": data.description,
                "display_name": data.display_name,
                "strategy": data.strategy.value if data.strategy else None,
            }
            fit(self._store, tables.queues, values)
            result = await conn.execute(insert(tables.queues).values(**values))
            new_id = inserted_id(result)
            await claim_number(conn, data.extension, "queue", new_id)
            await self._replace(conn, new_id, data.members)
            row = await require_row(conn, self._store, tables.queues, str(new_id), "queue")
        return rows.queue(row)

    async def update(self, id: str, patch: QueueUpdate) -> Queue:
        changes = {k: v for k, v in patch.changes().items() if k in _COLUMNS}
        if changes.get("strategy") is not None:
            changes["strategy"] = changes["strategy"].value
        async with self._store.write() as conn:
            row = await update_row(conn, self._store, tables.queues, "queue", id, changes)
        return rows.queue(row)

    async def delete(self, id: str) -> None:
        async with self._store.write() as conn:
            await delete_row(conn, self._store, tables.queues, "queue", id)

    async def members_of(self, queue_ids: Sequence[str]) -> list[list[QueueMember]]:
        async with self._store.read() as conn:
            return await self._members(conn, queue_ids)

    async def set_members(self, queue_id: str, members: Sequence[QueueMemberInput]) -> list[QueueMember]:
        async with self._store.write() as conn:
            row = await require_row(conn, self._store, tables.queues, queue_id, "queue", lock=True)
            await self._replace(conn, row["id"], members)
            (result,) = await self._members(conn, [queue_id])
        return result

    async def _replace(self, conn: AsyncConnection, queue_id: int, members: Sequence[QueueMemberInput]) -> None:
        seen: set[tuple[MemberKind, str]] = set()
        for index, member in enumerate(members):
            if (member.kind, member.id) in seen:
                raise BadUserInput(
                    f"members[{index}]: {member.kind.value} '{member.id}' is listed twice",
                    backend=self._store.backend,
                    field=f"members[{index}]",
                )
            seen.add((member.kind, member.id))
            table = tables.users if member.kind is MemberKind.USER else tables.groups
            await require_row(conn, self._store, table, member.id, member.kind.value)
        await conn.execute(delete(tables.queue_members).where(tables.queue_members.c.queue_id == queue_id))
        for position, member in enumerate(members):
            key = as_int(member.id)
            await conn.execute(
                insert(tables.queue_members).values(
                    queue_id=queue_id,
                    position=position,
                    priority=member.priority,
                    user_id=key if member.kind is MemberKind.USER else None,
                    group_id=key if member.kind is MemberKind.GROUP else None,
                )
            )

    async def _members(self, conn: AsyncConnection, queue_ids: Sequence[str]) -> list[list[QueueMember]]:
        keys = [as_int(i) for i in queue_ids]
        wanted = [k for k in keys if k is not None]
        found: dict[int, list[QueueMember]] = {}
        if wanted:
            qm = tables.queue_members
            entries = (
                (await conn.execute(select(qm).where(qm.c.queue_id.in_(wanted)).order_by(qm.c.queue_id, qm.c.position)))
                .mappings()
                .all()
            )
            user_ids = {e["user_id"] for e in entries if e["user_id"] is not None}
            group_ids = {e["group_id"] for e in entries if e["group_id"] is not None}
            users = (
                {
                    r["id"]: rows.user(r)
                    for r in (
                        await conn.execute(select(tables.users).where(tables.users.c.id.in_(user_ids)))
                    ).mappings()
                }
                if user_ids
                else {}
            )
            groups = (
                {
                    r["id"]: rows.group(r)
                    for r in (
                        await conn.execute(select(tables.groups).where(tables.groups.c.id.in_(group_ids)))
                    ).mappings()
                }
                if group_ids
                else {}
            )
            for e in entries:
                bucket = found.setdefault(e["queue_id"], [])
                if e["user_id"] is not None:
                    member = QueueMember(
                        position=len(bucket), kind=MemberKind.USER, user=users.get(e["user_id"]), priority=e["priority"]
                    )
                else:
                    member = QueueMember(
                        position=len(bucket),
                        kind=MemberKind.GROUP,
                        group=groups.get(e["group_id"]),
                        priority=e["priority"],
                    )
                bucket.append(member)
        return [found.get(k, []) if k is not None else [] for k in keys]
