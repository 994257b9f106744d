"""The one ordering every listing follows, on every backend and when merged.

Names compare case-insensitively, extensions by length and then digit by
digit (numerically, where no extension starts with a zero; ``30`` comes
before ``0030``, which is another number to dial), records lacking the
field come last in either direction, ties go by native id. Connectors sort
by it (in the vendor, in SQL or in memory), and the service merges several
backends' pages by it, so an aggregated listing is ordered as if it came
from one backend.
"""

from __future__ import annotations

import re
from typing import Any

from pbxgraph.domain import SortField, record_extension, record_name

_DIGITS = re.compile(r"[0-9]+")


def sort_key(record: Any, field: SortField) -> tuple[int, str, str]:
    value = record_name(record) if field is SortField.NAME else record_extension(record)
    if value is None:
        return (1, "", id_key(record.id))
    text = value.casefold() if field is SortField.NAME else f"{len(value):04d}{value}"
    return (0, text, id_key(record.id))


def id_key(native_id: str) -> str:
    """Numeric ids compare numerically, others as text: stable either way."""
    return native_id.zfill(20) if _DIGITS.fullmatch(native_id) else native_id


def precedes(a: tuple[int, str, str], b: tuple[int, str, str], descending: bool) -> bool:
    """Whether key ``a`` comes before ``b``; missing values stay last when descending."""
    if a[0] != b[0]:
        return a[0] < b[0]
    return a[1:] > b[1:] if descending else a[1:] < b[1:]
