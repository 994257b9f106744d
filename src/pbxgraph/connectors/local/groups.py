"""Groups and their members in the local store."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select
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
    Group,
    GroupCreate,
    GroupMember,
    GroupUpdate,
    ListQuery,
    Page,
)
from pbxgraph.errors import NotFound

_COLUMNS = {"name", "extension", "strategy", "description", "display_name"}


class LocalGroups:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def page(self, query: ListQuery) -> Page[Group]:
        async with self._store.read() as conn:
            return await page_of(conn, tables.groups, query, rows.group, store=self._store)

    async def get_many(self, ids: Sequence[str]) -> list[Group | None]:
        async with self._store.read() as conn:
            return await fetch_by_ids(conn, tables.groups, ids, rows.group)

    async def create(self, data: GroupCreate) -> Group:
        async with self._store.write() as conn:
            values = {
                "name": data.name,
                "extension": data.extension,
                "description": data.description,
                "display_name": data.display_name,
                "strategy": data.strategy.value if data.strategy else None,
            }
            fit(self._store, tables.groups, values)
            result = await conn.execute(insert(tables.groups).values(**values))
            new_id = inserted_id(result)
            await self._append(conn, new_id, data.member_user_ids)
            await claim_number(conn, data.extension, "group", new_id)
            row = await require_row(conn, self._store, tables.groups, str(new_id), "group")
        return rows.group(row)

    async def update(self, id: str, patch: GroupUpdate) -> Group:
        changes = {k: v for k, v in patch.changes().items() if k in _COLUMNS}
        if changes.get("strategy") is not None:
            changes["strategy"] = changes["strategy"].value
        async with self._store.write() as conn:
            row = await update_row(conn, self._store, tables.groups, "group", id, changes)
        return rows.group(row)

    async def delete(self, id: str) -> None:
        async with self._store.write() as conn:
            await delete_row(conn, self._store, tables.groups, "group", id)

    async def members_of(self, group_ids: Sequence[str]) -> list[list[GroupMember]]:
        async with self._store.read() as conn:
            return await self._members(conn, group_ids)

    async def add_members(self, group_id: str, user_ids: Sequence[str]) -> list[GroupMember]:
        async with self._store.write() as conn:
            row = await require_row(conn, self._store, tables.groups, group_id, "group", lock=True)
            await self._append(conn, row["id"], user_ids)
            (members,) = await self._members(conn, [group_id])
        return members

    async def remove_members(self, group_id: str, user_ids: Sequence[str]) -> list[GroupMember]:
        async with self._store.write() as conn:
            row = await require_row(conn, self._store, tables.groups, group_id, "group", lock=True)
            current = set(
                (
                    await conn.execute(
                        select(tables.group_members.c.user_id).where(tables.group_members.c.group_id == row["id"])
                    )
                ).scalars()
            )
            for user_id in user_ids:
                key = as_int(user_id)
                if key not in current:
                    raise NotFound(
                        f"user '{user_id}' is not a member of group '{group_id}'",
                        backend=self._store.backend,
                        field="userIds",
                    )
                await conn.execute(
                    delete(tables.group_members).where(
                        (tables.group_members.c.group_id == row["id"]) & (tables.group_members.c.user_id == key)
                    )
                )
            (members,) = await self._members(conn, [group_id])
        return members

    async def _append(self, conn: AsyncConnection, group_id: int, user_ids: Sequence[str]) -> None:
        """Append users in order; a user already in the group keeps its place."""
        for user_id in user_ids:
            await require_row(conn, self._store, tables.users, user_id, "user")
        present = set(
            (
                await conn.execute(
                    select(tables.group_members.c.user_id).where(tables.group_members.c.group_id == group_id)
                )
            ).scalars()
        )
        position = (
            await conn.execute(
                select(func.coalesce(func.max(tables.group_members.c.position), -1)).where(
                    tables.group_members.c.group_id == group_id
                )
            )
        ).scalar_one()
        for user_id in user_ids:
            key = as_int(user_id)
            if key in present:
                continue
            position += 1
            present.add(key)
            await conn.execute(insert(tables.group_members).values(group_id=group_id, user_id=key, position=position))

    async def _members(self, conn: AsyncConnection, group_ids: Sequence[str]) -> list[list[GroupMember]]:
        keys = [as_int(i) for i in group_ids]
        found: dict[int, list[GroupMember]] = {}
        wanted = [k for k in keys if k is not None]
        if wanted:
            stmt = (
                select(tables.group_members.c.group_id, tables.group_members.c.position, tables.users)
                .join(tables.users, tables.users.c.id == tables.group_members.c.user_id)
                .where(tables.group_members.c.group_id.in_(wanted))
                .order_by(tables.group_members.c.group_id, tables.group_members.c.position)
            )
            for r in (await conn.execute(stmt)).mappings():
                bucket = found.setdefault(r["group_id"], [])
                bucket.append(GroupMember(position=len(bucket), user=rows.user(r)))
        return [found.get(k, []) if k is not None else [] for k in keys]
