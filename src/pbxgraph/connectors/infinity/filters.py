"""The ``filter[]`` values the connector sends, and the same tests done here.

The document lists ``filter (array)`` among every list's parameters and names
the fields one may filter on, but never writes a filter out. The connector
relies on this guess (the emulator makes the same one, see
:mod:`pbxgraph.emulators.infinity.listing`): a filter is
``{field}-{op}-value-{value}``, several are ANDed, and the operators are
``eq`` and, beyond it, ``gt``, ``lt`` (numeric on ids) and ``like`` (SQL
LIKE, ``%`` any run, ``_`` one character, case-insensitive).

``eq`` is the guess everything stands on. The others only narrow what is
fetched: every filter can also be applied to a row here (:meth:`matches`), so
when a server refuses an operator the client sends the request without it and
filters the rows itself (see :meth:`InfinityClient.matching_rows
<pbxgraph.connectors.infinity.client.InfinityClient.matching_rows>`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

#: The operator every Infinity server is assumed to take.
BASE_OPERATOR = "eq"


def _number(value: str) -> int | None:
    stripped = value.strip()
    return int(stripped) if stripped.lstrip("-").isdigit() else None


def like_regex(pattern: str) -> re.Pattern[str]:
    """SQL LIKE as a regular expression over the whole value, case-insensitive."""
    out: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            out.append(re.escape(next(chars, "\\")))
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class VendorFilter:
    field: str
    op: str
    value: str

    def param(self) -> str:
        """The ``filter[]`` value as sent."""
        return f"{self.field}-{self.op}-value-{self.value}"

    @cached_property
    def _like(self) -> re.Pattern[str]:
        return like_regex(self.value)

    def matches(self, row: dict[str, Any]) -> bool:
        """What the server would answer for this row; a null column matches nothing."""
        raw = row.get(self.field)
        if raw is None:
            return False
        actual = str(raw)
        if self.op == "eq":
            return actual == self.value
        if self.op == "like":
            return self._like.fullmatch(actual) is not None
        left, right = _number(actual), _number(self.value)
        if left is None or right is None:
            return False
        if self.op == "gt":
            return left > right
        if self.op == "lt":
            return left < right
        raise ValueError(f"no local test for filter operator '{self.op}'")


def eq(field: str, value: str | int) -> VendorFilter:
    return VendorFilter(field, "eq", str(value))


def gt(field: str, value: int) -> VendorFilter:
    return VendorFilter(field, "gt", str(value))


def lt(field: str, value: int) -> VendorFilter:
    return VendorFilter(field, "lt", str(value))


def like(field: str, pattern: str) -> VendorFilter:
    return VendorFilter(field, "like", pattern)
