"""SIP trunks in the local store; the password is kept, never returned."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert

from pbxgraph.connectors.local import rows, tables
from pbxgraph.connectors.local.common import (
    delete_row,
    fetch_by_ids,
    fit,
    inserted_id,
    require_row,
    update_row,
)
from pbxgraph.connectors.local.listing import page_of
from pbxgraph.connectors.local.store import Store
from pbxgraph.domain import ListQuery, Page, Trunk, TrunkCreate, TrunkUpdate

_COLUMNS = {"name", "host", "port", "transport", "username", "password", "enabled", "register", "domain"}


class LocalTrunks:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def page(self, query: ListQuery) -> Page[Trunk]:
        async with self._store.read() as conn:
            return await page_of(conn, tables.trunks, query, rows.trunk, store=self._store)

    async def get_many(self, ids: Sequence[str]) -> list[Trunk | None]:
        async with self._store.read() as conn:
            return await fetch_by_ids(conn, tables.trunks, ids, rows.trunk)

    async def create(self, data: TrunkCreate) -> Trunk:
        async with self._store.write() as conn:
            values = {
                "name": data.name,
                "host": data.host,
                "port": data.port,
                "transport": data.transport.value if data.transport else None,
                "username": data.username,
                "password": data.password,
                "enabled": data.enabled,
                "register": data.register,
                "domain": data.domain,
                "kind": data.kind.value,
                "model": data.model,
            }
            fit(self._store, tables.trunks, values)
            result = await conn.execute(insert(tables.trunks).values(**values))
            row = await require_row(conn, self._store, tables.trunks, str(inserted_id(result)), "trunk")
        return rows.trunk(row)

    async def update(self, id: str, patch: TrunkUpdate) -> Trunk:
        changes = {k: v for k, v in patch.changes().items() if k in _COLUMNS}
        if changes.get("transport") is not None:
            changes["transport"] = changes["transport"].value
        async with self._store.write() as conn:
            row = await update_row(conn, self._store, tables.trunks, "trunk", id, changes)
        return rows.trunk(row)

    async def delete(self, id: str) -> None:
        async with self._store.write() as conn:
            await delete_row(conn, self._store, tables.trunks, "trunk", id)
