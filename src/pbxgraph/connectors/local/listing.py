"""A ListQuery as SQL: the same order the service merges by, done in the database.

Names sort case-insensitively, extensions numerically (shorter first, as the
in-memory ``querying.sort_key`` does), rows lacking the field last, ties by id.

Every order has an index of its own (migration 4) whose columns are exactly the
expressions below, so a page reads its rows off the index in order instead of
sorting the table; a page after a known item (``ListQuery.after``) seeks to it in
that index (keyset paging) instead of skipping ``offset`` rows. The page and the
count are separate statements, and the count runs only when the query asks for it.
A search of at least three characters asks the table's trigram index (SQLite FTS5,
where the store has one) for candidates, then checks them with the same
case-insensitive substring test as a search without it; shorter needles, which a
trigram index cannot look up, read the rows as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, false, func, literal, literal_column, or_, select, text, true, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from pbxgraph.connectors.local.common import as_int
from pbxgraph.domain import ListQuery, Page, SortField
from pbxgraph.validation import normalize_mac

#: The shortest needle a trigram index can look up.
TRIGRAM = 3


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
    """The name a record sorts by, as ``domain.record_name`` gives it (an empty display name is none)."""
    empty = literal_column("''")
    if table.name == "users":
        return func.coalesce(func.nullif(table.c.display_name, empty), table.c.username)
    if table.name == "devices":
        return func.coalesce(func.nullif(table.c.name, empty), table.c.mac)
    return table.c.name


def _name_key(value: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    # PostgreSQL's default collation ignores punctuation and spaces; the merge across
    # backends compares code points, as "C" does (and SQLite always does).
    key = func.lower(value)
    return key.collate("C") if dialect == "postgresql" else key


def _fts_candidates(table: Table, needle: str) -> ColumnElement[bool]:
    """Rows whose searched columns contain ``needle`` in any case, as the trigram index finds them."""
    fts = f"{table.name}_search"
    phrase = '"' + needle.replace('"', '""') + '"'
    # The index's name is this module's own (``<table>_search``), never input; the needle is bound.
    match = text(f"{fts} MATCH :needle").bindparams(needle=phrase)
    return table.c.id.in_(select(literal_column("rowid")).select_from(text(fts)).where(match))


def conditions(table: Table, query: ListQuery, searchable: frozenset[str] = frozenset()) -> list[ColumnElement[bool]]:
    """The filter as WHERE terms; ``[false()]`` when the kind has no such field."""
    terms: list[ColumnElement[bool]] = []
    flt = query.filter
    if flt.extension is not None:
        if "extension" not in table.c:
            return [false()]
        terms.append(table.c.extension == flt.extension)
    if flt.search:
        needle = flt.search.casefold()
        if table.name in searchable and len(needle) >= TRIGRAM:
            terms.append(_fts_candidates(table, needle))
        pattern = _like(flt.search)
        terms.append(or_(*(func.lower(c).like(pattern, escape="\\") for c in _search_columns(table))))
    if flt.mac is not None:
        if table.name != "devices":
            return [false()]
        terms.append(table.c.mac == (normalize_mac(flt.mac) or flt.mac.lower()))
    return terms


def _has_extension(table: Table, query: ListQuery) -> bool:
    return query.sort is SortField.EXTENSION and "extension" in table.c


def order_keys(table: Table, query: ListQuery, dialect: str) -> list[ColumnElement[Any]]:
    """The sort expressions before the tie-break by id, as the order's index holds them.

    Rows lacking an extension come last in either direction: ascending reads
    ``(extension IS NULL), length, extension`` forwards, descending reads
    ``(extension IS NOT NULL), length, extension`` backwards. Names are never
    missing here (every kind's name, or what stands in for it, is NOT NULL).
    """
    if query.sort is SortField.EXTENSION:
        if "extension" not in table.c:
            # No record of this kind has an extension: every one lacks it, so ties (all of them) go by id.
            return []
        value = table.c.extension
        flag = value.is_not(None) if query.descending else value.is_(None)
        return [flag, func.length(value), value]
    return [_name_key(_name_column(table), dialect)]


def ordered_by(table: Table, query: ListQuery, dialect: str) -> list[ColumnElement[Any]]:
    keys = [*order_keys(table, query, dialect), table.c.id]
    return [k.desc() for k in keys] if query.descending else keys


def after(table: Table, query: ListQuery, dialect: str) -> ColumnElement[bool] | None:
    """The rows after ``query.after`` in the order, as a seek in its index; None to skip ``offset`` instead."""
    anchor = query.after
    anchor_id = as_int(anchor.id) if anchor is not None else None
    if anchor is None or anchor_id is None:
        return None
    left: list[ColumnElement[Any]] = [*order_keys(table, query, dialect), table.c.id]
    right: list[ColumnElement[Any]]
    if not _has_extension(table, query):
        if query.sort is SortField.EXTENSION:
            right = [literal(anchor_id)]
        elif anchor.value is None:
            return None
        else:
            right = [_name_key(literal(anchor.value), dialect), literal(anchor_id)]
    elif anchor.value is None:
        # The anchor lacks an extension: only rows lacking one follow it, by id.
        column = table.c.extension
        later = table.c.id < anchor_id if query.descending else table.c.id > anchor_id
        return column.is_(None) & later
    else:
        # The anchor has one: ascending, its flag "missing" is false; descending, its flag "present" is true.
        value = literal(anchor.value)
        right = [true() if query.descending else false(), func.length(value), value, literal(anchor_id)]
    if len(left) == 1:
        return left[0] < right[0] if query.descending else left[0] > right[0]
    return tuple_(*left) < tuple_(*right) if query.descending else tuple_(*left) > tuple_(*right)


async def page_of(
    conn: AsyncConnection,
    table: Table,
    query: ListQuery,
    to_record: Callable[[Any], Any],
    *,
    searchable: frozenset[str] = frozenset(),
) -> Page[Any]:
    """A page (one more row read than asked, to tell whether more follow) and, if asked, the count."""
    where = conditions(table, query, searchable)
    dialect = conn.dialect.name
    total = None
    if query.count:
        total = (await conn.execute(select(func.count()).select_from(table).where(*where))).scalar_one()
    stmt = select(table).where(*where).order_by(*ordered_by(table, query, dialect)).limit(query.limit + 1)
    seek = after(table, query, dialect)
    stmt = stmt.where(seek) if seek is not None else stmt.offset(query.offset)
    found = (await conn.execute(stmt)).mappings().all()
    items = [to_record(r) for r in found[: query.limit]]
    return Page(items=items, has_more=len(found) > query.limit, total=total)
