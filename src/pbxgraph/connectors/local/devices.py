"""Devices (phones) in the local store, each assigned to at most one user."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select, update

from pbxgraph.connectors.local import rows, tables
from pbxgraph.connectors.local.common import (
    as_int,
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
    Device,
    DeviceAction,
    DeviceCreate,
    DeviceUpdate,
    ListQuery,
    Page,
    User,
)
from pbxgraph.errors import not_supported

_COLUMNS = {"mac", "model", "name"}


class LocalDevices:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def page(self, query: ListQuery) -> Page[Device]:
        async with self._store.read() as conn:
            return await page_of(conn, tables.devices, query, rows.device, store=self._store)

    async def get_many(self, ids: Sequence[str]) -> list[Device | None]:
        async with self._store.read() as conn:
            return await fetch_by_ids(conn, tables.devices, ids, rows.device)

    async def create(self, data: DeviceCreate) -> Device:
        async with self._store.write() as conn:
            owner = None
            if data.user_id is not None:
                owner = (await require_row(conn, self._store, tables.users, data.user_id, "user"))["id"]
            values = {"mac": data.mac, "model": data.model, "name": data.name, "user_id": owner}
            fit(self._store, tables.devices, values)
            result = await conn.execute(insert(tables.devices).values(**values))
            row = await require_row(conn, self._store, tables.devices, str(inserted_id(result)), "device")
        return rows.device(row)

    async def update(self, id: str, patch: DeviceUpdate) -> Device:
        changes = {k: v for k, v in patch.changes().items() if k in _COLUMNS}
        async with self._store.write() as conn:
            row = await update_row(conn, self._store, tables.devices, "device", id, changes)
        return rows.device(row)

    async def delete(self, id: str) -> None:
        async with self._store.write() as conn:
            await delete_row(conn, self._store, tables.devices, "device", id)

    async def users_of(self, device_ids: Sequence[str]) -> list[User | None]:
        keys = [as_int(i) for i in device_ids]
        wanted = [k for k in keys if k is not None]
        found: dict[int, User] = {}
        if wanted:
            async with self._store.read() as conn:
                stmt = (
                    select(tables.devices.c.id.label("device_id"), tables.users)
                    .join(tables.users, tables.users.c.id == tables.devices.c.user_id)
                    .where(tables.devices.c.id.in_(wanted))
                )
                found = {r["device_id"]: rows.user(r) for r in (await conn.execute(stmt)).mappings()}
        return [found.get(k) if k is not None else None for k in keys]

    async def assign(self, device_id: str, user_id: str) -> Device:
        async with self._store.write() as conn:
            row = await require_row(conn, self._store, tables.devices, device_id, "device", lock=True)
            owner = await require_row(conn, self._store, tables.users, user_id, "user")
            await conn.execute(
                update(tables.devices).where(tables.devices.c.id == row["id"]).values(user_id=owner["id"])
            )
            row = await require_row(conn, self._store, tables.devices, device_id, "device")
        return rows.device(row)

    async def unassign(self, device_id: str) -> Device:
        async with self._store.write() as conn:
            row = await require_row(conn, self._store, tables.devices, device_id, "device", lock=True)
            await conn.execute(update(tables.devices).where(tables.devices.c.id == row["id"]).values(user_id=None))
            row = await require_row(conn, self._store, tables.devices, device_id, "device")
        return rows.device(row)

    async def act(self, device_id: str, action: DeviceAction) -> None:
        # The local store provisions no real phones: there is nothing to resync or reboot.
        raise not_supported(self._store.backend, "device", action.value)
