"""A ListQuery as SQL: the same order the service merges by, done in the database.

Names sort case-insensitively, extensions numerically (shorter first, as the
in-memory ``querying.sort_key`` does), rows lacking the field last, ties by id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, Table, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from pbxgraph.domain import ListQuery, Page, SortField
from pbxgraph.validation import normalize_mac


def _like(value: str) -> str:
    escaped = value.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_columns(table: Table) -> list[ColumnElement[Any]]:
    names = {
        "users": ["display_name", "username"],
        "devices": ["name", "mac", "model"],
    }.get(table.name, ["name"])
    return [table.c[name] for name in names]


def _name_column(table: Table) -> ColumnElement[Any]:
    if table.name == "users":
        return func.coalesce(table.c.display_name, table.c.username)
    if table.name == "devices":
        return func.coalesce(table.c.name, table.c.mac)
    return table.c.name


def filtered(table: Table, query: ListQuery) -> Select[Any]:
    stmt = select(table)
    flt = query.filter
    if flt.extension is not None:
        if "extension" not in table.c:
            return stmt.where(False)  # type: ignore[arg-type]
        stmt = stmt.where(table.c.extension == flt.extension)
    if flt.search:
        pattern = _like(flt.search)
        stmt = stmt.where(or_(*(func.lower(c).like(pattern, escape="\\") for c in _search_columns(table))))
    if flt.mac is not None:
        if table.name != "devices":
            return stmt.where(False)  # type: ignore[arg-type]
        stmt = stmt.where(table.c.mac == (normalize_mac(flt.mac) or flt.mac.lower()))
    return stmt


def ordered(table: Table, stmt: Select[Any], query: ListQuery, dialect: str = "sqlite") -> Select[Any]:
    ident = table.c.id.desc() if query.descending else table.c.id
    if query.sort is SortField.EXTENSION and "extension" not in table.c:
        # No record of this kind has an extension: every one lacks it, so ties (all of them) go by id.
        return stmt.order_by(ident)
    value: ColumnElement[Any]
    if query.sort is SortField.EXTENSION:
        value = table.c.extension
        keys: list[Any] = [func.length(value), value]
    else:
        value = _name_column(table)
        # PostgreSQL's default collation ignores punctuation and spaces; the merge across
        # backends compares code points, as "C" does (and SQLite always does).
        keys = [func.lower(value).collate("C") if dialect == "postgresql" else func.lower(value)]
    missing = value.is_(None)
    keys = [k.desc() if query.descending else k for k in keys]
    return stmt.order_by(missing, *keys, ident)


async def page_of(conn: AsyncConnection, table: Table, query: ListQuery, to_record: Callable[[Any], Any]) -> Page[Any]:
    base = filtered(table, query)
    total = (await conn.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    stmt = ordered(table, base, query, conn.dialect.name).offset(query.offset).limit(query.limit)
    rows = (await conn.execute(stmt)).mappings()
    items = [to_record(r) for r in rows]
    return Page(items=items, has_more=query.offset + len(items) < total, total=total)
