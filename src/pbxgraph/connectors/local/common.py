"""Pieces every local resource uses: id parsing, get-many, the number registry, row locks.

A write locks the row it changes (``SELECT ... FOR UPDATE``; SQLite, which has one
writer at a time, ignores it), so several pbxgraph replicas writing one PostgreSQL
store change an object one after the other, never on a stale read of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import CursorResult, Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pbxgraph.connectors.local import tables
from pbxgraph.connectors.local.store import Store
from pbxgraph.errors import BadUserInput, NotFound
from pbxgraph.ids import numeric_id

#: Local ids are INTEGER columns: anything beyond names nothing, on every database.
_MAX_ID = 2**31 - 1

T = TypeVar("T")


def as_int(native_id: str) -> int | None:
    """Local ids are integers (ASCII digits) that fit an INTEGER column; anything else names nothing here."""
    number = numeric_id(native_id)
    return number if number is not None and number <= _MAX_ID else None


def inserted_id(result: CursorResult[Any]) -> int:
    """The id the database gave the row an INSERT made (every table's key is one integer column)."""
    key = result.inserted_primary_key
    if key is None:
        raise TypeError("not the result of a single-row INSERT")
    return int(key[0])


def fit(store: Store, table: Table, values: Mapping[str, Any]) -> None:
    """Text longer than its column is refused naming the field, as PostgreSQL would refuse it
    (SQLite would keep it): the same store answers the same on either database."""
    for key, value in values.items():
        length = getattr(table.c[key].type, "length", None)
        if isinstance(value, str) and length is not None and len(value) > length:
            raise BadUserInput(
                f"{key}: at most {length} characters on backend '{store.backend}', got {len(value)}",
                backend=store.backend,
                field=key,
            )


async def fetch_by_ids(
    conn: AsyncConnection, table: Table, ids: Sequence[str], to_record: Callable[[Any], T]
) -> list[T | None]:
    wanted = {i for i in (as_int(x) for x in ids) if i is not None}
    found: dict[str, T] = {}
    if wanted:
        rows = (await conn.execute(select(table).where(table.c.id.in_(wanted)))).mappings()
        found = {str(r["id"]): to_record(r) for r in rows}
    return [found.get(str(as_int(x)) if as_int(x) is not None else x) for x in ids]


async def require_row(
    conn: AsyncConnection, store: Store, table: Table, native_id: str, kind: str, *, lock: bool = False
) -> Any:
    """The row, or NotFound; ``lock`` holds it until the transaction ends (the row a write changes)."""
    key = as_int(native_id)
    row = None
    if key is not None:
        stmt = select(table).where(table.c.id == key)
        row = (await conn.execute(stmt.with_for_update() if lock else stmt)).mappings().first()
    if row is None:
        raise NotFound(f"{kind} '{native_id}' does not exist on backend '{store.backend}'", backend=store.backend)
    return row


async def claim_number(conn: AsyncConnection, number: str | None, kind: str, owner_id: int) -> None:
    if number is not None:
        await conn.execute(insert(tables.numbers).values(number=number, kind=kind, owner_id=owner_id))


async def release_number(conn: AsyncConnection, kind: str, owner_id: int) -> None:
    await conn.execute(
        delete(tables.numbers).where((tables.numbers.c.kind == kind) & (tables.numbers.c.owner_id == owner_id))
    )


async def update_row(
    conn: AsyncConnection, store: Store, table: Table, kind: str, native_id: str, changes: dict[str, Any]
) -> Any:
    """Change only ``changes``; a new extension moves in the number registry too. The row after."""
    row = await require_row(conn, store, table, native_id, kind, lock=True)
    fit(store, table, changes)
    if changes:
        await conn.execute(update(table).where(table.c.id == row["id"]).values(**changes))
    if "extension" in changes and changes["extension"] != row["extension"]:
        await release_number(conn, kind, row["id"])
        await claim_number(conn, changes["extension"], kind, row["id"])
    return await require_row(conn, store, table, native_id, kind)


async def delete_row(conn: AsyncConnection, store: Store, table: Table, kind: str, native_id: str) -> None:
    """Delete the row (NotFound if absent) and free its extension, for kinds that have one."""
    row = await require_row(conn, store, table, native_id, kind, lock=True)
    if "extension" in table.c:
        await release_number(conn, kind, row["id"])
    await conn.execute(delete(table).where(table.c.id == row["id"]))
