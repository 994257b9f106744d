"""Users in the local store."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select

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
from pbxgraph.domain import Device, Group, ListQuery, Page, User, UserCreate, UserUpdate

_COLUMNS = {"username", "display_name", "extension", "email", "enabled", "sip_password"}


class LocalUsers:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def page(self, query: ListQuery) -> Page[User]:
        async with self._store.read() as conn:
            return await page_of(conn, tables.users, query, rows.user, store=self._store)

    async def get_many(self, ids: Sequence[str]) -> list[User | None]:
        async with self._store.read() as conn:
            return await fetch_by_ids(conn, tables.users, ids, rows.user)

    async def create(self, data: UserCreate) -> User:
        async with self._store.write() as conn:
            values = {
                "username": data.username,
                "display_name": data.display_name,
                "extension": data.extension,
                "email": data.email,
                "enabled": data.enabled,
                "sip_password": data.sip_password,
            }
            fit(self._store, tables.users, values)
            result = await conn.execute(insert(tables.users).values(**values))
            new_id = inserted_id(result)
            await claim_number(conn, data.extension, "user", new_id)
            row = await require_row(conn, self._store, tables.users, str(new_id), "user")
        return rows.user(row)

    async def update(self, id: str, patch: UserUpdate) -> User:
        changes = {k: v for k, v in patch.changes().items() if k in _COLUMNS}
        async with self._store.write() as conn:
            row = await update_row(conn, self._store, tables.users, "user", id, changes)
        return rows.user(row)

    async def delete(self, id: str) -> None:
        async with self._store.write() as conn:
            await delete_row(conn, self._store, tables.users, "user", id)

    async def groups_of(self, user_ids: Sequence[str]) -> list[list[Group]]:
        keys = [as_int(i) for i in user_ids]
        found: dict[int, list[Group]] = {}
        async with self._store.read() as conn:
            if any(k is not None for k in keys):
                stmt = (
                    select(tables.group_members.c.user_id, tables.groups)
                    .join(tables.groups, tables.groups.c.id == tables.group_members.c.group_id)
                    .where(tables.group_members.c.user_id.in_([k for k in keys if k is not None]))
                    .order_by(tables.groups.c.name, tables.groups.c.id)
                )
                for r in (await conn.execute(stmt)).mappings():
                    found.setdefault(r["user_id"], []).append(rows.group(r))
        return [found.get(k, []) if k is not None else [] for k in keys]

    async def devices_of(self, user_ids: Sequence[str]) -> list[list[Device]]:
        keys = [as_int(i) for i in user_ids]
        found: dict[int, list[Device]] = {}
        async with self._store.read() as conn:
            if any(k is not None for k in keys):
                stmt = (
                    select(tables.devices)
                    .where(tables.devices.c.user_id.in_([k for k in keys if k is not None]))
                    .order_by(tables.devices.c.id)
                )
                for r in (await conn.execute(stmt)).mappings():
                    found.setdefault(r["user_id"], []).append(rows.device(r))
        return [found.get(k, []) if k is not None else [] for k in keys]
