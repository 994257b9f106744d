"""Pieces every local resource uses: id parsing, get-many, the number registry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pbxgraph.connectors.local import tables
from pbxgraph.connectors.local.store import Store
from pbxgraph.errors import NotFound
from pbxgraph.ids import numeric_id

T = TypeVar("T")


def as_int(native_id: str) -> int | None:
    """Local ids are integers (ASCII digits); anything else simply names nothing here."""
    return numeric_id(native_id)


async def fetch_by_ids(conn: AsyncConnection, table: Table, ids: Sequence[str],
                       to_record: Callable[[Any], T]) -> list[T | None]:
    wanted = {i for i in (as_int(x) for x in ids) if i is not None}
    found: dict[str, T] = {}
    if wanted:
        rows = (await conn.execute(select(table).where(table.c.id.in_(wanted)))).mappings()
        found = {str(r["id"]): to_record(r) for r in rows}
    return [found.get(str(as_int(x)) if as_int(x) is not None else x) for x in ids]


async def require_row(conn: AsyncConnection, store: Store, table: Table, native_id: str,
                      kind: str) -> Any:
    key = as_int(native_id)
    row = None
    if key is not None:
        row = (await conn.execute(select(table).where(table.c.id == key))).mappings().first()
    if row is None:
        raise NotFound(f"{kind} '{native_id}' does not exist on backend '{store.backend}'",
                       backend=store.backend)
    return row


async def claim_number(conn: AsyncConnection, number: str | None, kind: str, owner_id: int) -> None:
    if number is not None:
        await conn.execute(insert(tables.numbers).values(number=number, kind=kind, owner_id=owner_id))


async def release_number(conn: AsyncConnection, kind: str, owner_id: int) -> None:
    await conn.execute(delete(tables.numbers).where(
        (tables.numbers.c.kind == kind) & (tables.numbers.c.owner_id == owner_id)))


async def update_row(conn: AsyncConnection, store: Store, table: Table, kind: str, native_id: str,
                     changes: dict[str, Any]) -> Any:
    """Change only ``changes``; a new extension moves in the number registry too. The row after."""
    row = await require_row(conn, store, table, native_id, kind)
    if changes:
        await conn.execute(update(table).where(table.c.id == row["id"]).values(**changes))
    if "extension" in changes and changes["extension"] != row["extension"]:
        await release_number(conn, kind, row["id"])
        await claim_number(conn, changes["extension"], kind, row["id"])
    return await require_row(conn, store, table, native_id, kind)


async def delete_row(conn: AsyncConnection, store: Store, table: Table, kind: str, native_id: str) -> None:
    """Delete the row (NotFound if absent) and free its extension, for kinds that have one."""
    row = await require_row(conn, store, table, native_id, kind)
    if "extension" in table.c:
        await release_number(conn, kind, row["id"])
    await conn.execute(delete(table).where(table.c.id == row["id"]))
