"""Doing in pbxgraph what a vendor cannot do itself: filter, sort, page.

A connector whose vendor cannot filter or sort by what a ListQuery asks
fetches the candidates and hands them here, so every backend answers the same
query the same way and the service can merge their pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pbxgraph.domain import (
    Device,
    Filter,
    ListQuery,
    Page,
    R,
    User,
    record_extension,
    record_name,
)
from pbxgraph.ordering import sort_key
from pbxgraph.validation import normalize_mac


def matches(record: Any, flt: Filter) -> bool:
    if flt.extension is not None and record_extension(record) != flt.extension:
        return False
    if flt.search:
        needle = flt.search.casefold()
        haystack = [record_name(record)]
        if isinstance(record, User):
            haystack.append(record.username)
        if isinstance(record, Device):
            haystack += [record.mac or "", record.model or ""]
        if not any(needle in (text or "").casefold() for text in haystack):
            return False
    if flt.mac is not None:
        wanted = normalize_mac(flt.mac) or flt.mac.casefold()
        if not isinstance(record, Device) or (record.mac or "") != wanted:
            return False
    return True


def ordered(records: Iterable[R], query: ListQuery) -> list[R]:
    """The records that match the query's filter, in its order (its offset and limit not applied)."""
    selected = [r for r in records if matches(r, query.filter)]
    selected.sort(key=lambda r: sort_key(r, query.sort), reverse=query.descending)
    if query.descending:
        # Nulls still last, whatever the direction.
        selected.sort(key=lambda r: sort_key(r, query.sort)[0])
    return selected


def window(selected: Sequence[R], query: ListQuery) -> Page[R]:
    """The query's page of records already filtered and ordered (:func:`ordered`)."""
    items = selected[query.offset : query.offset + query.limit]
    return Page(items=items, has_more=query.offset + query.limit < len(selected), total=len(selected))


def apply_query(records: Iterable[R], query: ListQuery) -> Page[R]:
    return window(ordered(records, query), query)
