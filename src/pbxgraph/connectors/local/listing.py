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

from sqlalchemy import Table, Text, cast, false, func, literal, literal_column, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from pbxgraph.connectors.local.common import as_int
from pbxgraph.connectors.local.store import Store
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
    empty: ColumnElement[str] = literal_column("''")
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


def _extension_key(table: Table, dialect: str, missing: str) -> ColumnElement[Any]:
    """An extension as one text sorting by length, then digit by digit (``0003201``); ``missing`` for none.

    Spelled exactly as migration 4 indexes it, so the database reads the order off that index.
    """
    value = table.c.extension
    width: ColumnElement[int] = literal_column("4")
    fill: ColumnElement[str] = literal_column("'0'")
    if dialect == "postgresql":
        padded = func.lpad(cast(func.length(value), Text), width, fill)
    else:
        padded = func.printf(literal_column("'%04d'"), func.length(value))
    key = func.coalesce(padded.op("||")(value), literal_column(f"'{missing}'"))
    return key.collate("C") if dialect == "postgresql" else key


def order_key(table: Table, query: ListQuery, dialect: str) -> ColumnElement[Any] | None:
    """The sort expression before the tie-break by id, as the order's index holds it; None: by id alone.

    Rows lacking an extension come last in either direction: their key is '~' (after
    every other) ascending and '' (before every other, read backwards) descending.
    Names are never missing here (every kind's name, or what stands in for it, is NOT NULL).
    """
    if query.sort is SortField.EXTENSION:
        if "extension" not in table.c:
            # No record of this kind has an extension: every one lacks it, so ties (all of them) go by id.
            return None
        return _extension_key(table, dialect, "" if query.descending else "~")
    return _name_key(_name_column(table), dialect)


def _anchor_key(table: Table, query: ListQuery, dialect: str, value: str) -> ColumnElement[Any]:
    if query.sort is SortField.EXTENSION:
        return literal(f"{len(value):04d}{value}")
    return _name_key(literal(value), dialect)


def seek(table: Table, query: ListQuery, dialect: str) -> tuple[list[ColumnElement[bool]], list[ColumnElement[Any]]]:
    """WHERE terms for the rows after ``query.after`` (none without it) and the ORDER BY to read them in.

    The seek is on the index's first column (``key >= K``) with the tie-break by id as a
    filter, which every database turns into a range read of the index.
    """
    key = order_key(table, query, dialect)
    anchor = query.after
    anchor_id = as_int(anchor.id) if anchor is not None else None
    terms: list[ColumnElement[bool]] = []
    if anchor is not None and anchor_id is not None:
        later = table.c.id < anchor_id if query.descending else table.c.id > anchor_id
        if key is None:
            terms = [later]
        elif anchor.value is None:
            if query.sort is SortField.EXTENSION:
                # After one lacking an extension come only others lacking one, by id.
                key, terms = None, [table.c.extension.is_(None), later]
        else:
            bound = _anchor_key(table, query, dialect, anchor.value)
            if query.descending:
                terms = [key <= bound, or_(key < bound, later)]
            else:
                terms = [key >= bound, or_(key > bound, later)]
    order: list[ColumnElement[Any]] = [table.c.id] if key is None else [key, table.c.id]
    return terms, [k.desc() for k in order] if query.descending else order


#: Change rows of one table's kept count beyond which reading it folds them into one (PostgreSQL).
FOLD_AT = 64


async def count_of(conn: AsyncConnection, store: Store, table: Table, where: list[ColumnElement[bool]]) -> int:
    """How many rows match: the kept count of an unfiltered table where the store keeps one, else counted."""
    if not where and store.counted:
        name: ColumnElement[str] = literal_column("name")
        delta: ColumnElement[int] = literal_column("n")
        kept = select(func.coalesce(func.sum(delta), 0), func.count()).select_from(text("row_counts"))
        total, rows = (await conn.execute(kept.where(name == table.name))).one()
        if rows > FOLD_AT and conn.dialect.name != "sqlite":  # SQLite keeps one row per table
            await fold_count(store, table.name)
        return int(total)
    return int((await conn.execute(select(func.count()).select_from(table).where(*where))).scalar_one())


async def fold_count(store: Store, name: str) -> None:
    """Replace a table's change rows by their sum, so that reading its count stays one row's work.

    Concurrent folds and writes stay exact: a fold deletes only the rows its statement sees
    (committed ones; a row another fold deleted first is skipped) and adds back their sum.
    """
    fold = text(
        "WITH gone AS (DELETE FROM row_counts WHERE name = :name RETURNING n) "
        "INSERT INTO row_counts (name, n) SELECT :name, coalesce(sum(n), 0) FROM gone"
    )
    async with store.write() as conn:
        await conn.execute(fold, {"name": name})


async def page_of(
    conn: AsyncConnection, table: Table, query: ListQuery, to_record: Callable[[Any], Any], *, store: Store
) -> Page[Any]:
    """A page (one more row read than asked, to tell whether more follow) and, if asked, the count."""
    where = conditions(table, query, store.searchable)
    dialect = conn.dialect.name
    total = await count_of(conn, store, table, where) if query.count else None
    after, order = seek(table, query, dialect)
    stmt = select(table).where(*where, *after).order_by(*order).limit(query.limit + 1)
    if not after:
        stmt = stmt.offset(query.offset)
    found = (await conn.execute(stmt)).mappings().all()
    items = [to_record(r) for r in found[: query.limit]]
    return Page(items=items, has_more=len(found) > query.limit, total=total)
