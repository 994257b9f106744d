"""The Config API's list conventions: rows out, filter/sort/limit/offset/display in.

Output is *rows*: one JSON object per line, no enclosing array and no total,
every value a string (or null for an empty column), as the document's device
examples show. ``format=jsonarray`` asks for one JSON array instead.

The document names ``filter``, ``sort`` (arrays), ``limit`` and ``offset``
and the fields one may filter and sort on, but never writes a filter or a
sort out, and does not mention ``display`` or ``format``. What follows is the
emulator's guess, which the connector relies on too; only ``eq`` is assumed
of every server, and a test can make the emulator refuse the other operators
(:mod:`.quirks`) to check that the connector then filters rows itself.

Parameters, as array parameters (``name[]=...``):

- ``filter[]={field}-{op}-value-{value}``, several ANDed. Operators: ``eq``,
  ``neq``, ``lt``, ``gt``, ``lte``, ``gte`` (numeric when both sides are
  numbers, text otherwise) and ``like`` (SQL LIKE: ``%`` any run, ``_`` one
  character, ``\\`` escapes; case-insensitive like the vendor's collation).
  A null column matches no comparison.
- ``sort[]={field}-{asc|desc}``, applied in sequence; nulls sort first
  ascending.
- ``limit``, ``offset``.
- ``display[]={field}`` or ``{field}-{alias}``: only those fields, renamed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from starlette.responses import Response

from pbxgraph.emulators.infinity.errors import bad_request
from pbxgraph.emulators.infinity.state import Row

_FILTER = re.compile(r"([A-Za-z][A-Za-z0-9_]*)-([a-z]+)-value-(.*)", re.DOTALL)
_SORT = re.compile(r"([A-Za-z][A-Za-z0-9_]*)-(asc|desc)")
_DISPLAY = re.compile(r"([A-Za-z][A-Za-z0-9_]*)(?:-([A-Za-z][A-Za-z0-9_]*))?")
_OPERATORS = frozenset({"eq", "neq", "lt", "gt", "lte", "gte", "like"})
_LIST_KEYS = frozenset({"filter", "sort", "limit", "offset", "display", "format"})
_READ_KEYS = frozenset({"display", "format"})
ROWS_MEDIA_TYPE = "application/x-ndjson"


def array_values(items: Iterable[tuple[str, str]], name: str) -> list[str]:
    """Values of an array parameter sent as ``name[]``, ``name[0]`` or plain ``name``."""
    pattern = re.compile(rf"{re.escape(name)}(\[[0-9]*\])?")
    return [value for key, value in items if pattern.fullmatch(key)]


def _base_name(key: str) -> str:
    return key.split("[", 1)[0]


@dataclass(slots=True)
class ListParams:
    filters: list[tuple[str, str, str]] = field(default_factory=list)
    sorts: list[tuple[str, bool]] = field(default_factory=list)
    limit: int | None = None
    offset: int = 0
    display: list[tuple[str, str]] | None = None
    json_array: bool = False


def _non_negative(name: str, text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise bad_request(f"{name} must be a non-negative integer, got '{text}'")
    return int(text)


def parse_params(
    items: Sequence[tuple[str, str]],
    fields: Sequence[str],
    *,
    single: bool = False,
    refused_operators: frozenset[str] = frozenset(),
) -> ListParams:
    """Read and check the list parameters against the fields the rows have.

    ``refused_operators`` are answered 400 as unknown (a test-only quirk, see :mod:`.quirks`).
    """
    allowed = _READ_KEYS if single else _LIST_KEYS
    for key, _ in items:
        if _base_name(key) not in allowed:
            raise bad_request(f"unknown parameter '{key}'")
    params = ListParams()
    for text in array_values(items, "filter"):
        match = _FILTER.fullmatch(text)
        if match is None:
            raise bad_request(f"invalid filter '{text}': expected {{field}}-{{op}}-value-{{value}}")
        name, op, value = match.groups()
        if name not in fields:
            raise bad_request(f"invalid filter '{text}': unknown field '{name}'")
        if op not in _OPERATORS or op in refused_operators:
            raise bad_request(f"invalid filter '{text}': unknown operator '{op}'")
        params.filters.append((name, op, value))
    for text in array_values(items, "sort"):
        match = _SORT.fullmatch(text)
        if match is None or match.group(1) not in fields:
            raise bad_request(f"invalid sort '{text}': expected {{field}}-asc or {{field}}-desc")
        params.sorts.append((match.group(1), match.group(2) == "desc"))
    displays = array_values(items, "display")
    if displays:
        params.display = []
        for text in displays:
            match = _DISPLAY.fullmatch(text)
            if match is None or match.group(1) not in fields:
                raise bad_request(f"invalid display '{text}': unknown field")
            params.display.append((match.group(1), match.group(2) or match.group(1)))
    for key, value in items:
        if key == "limit":
            params.limit = _non_negative("limit", value)
        elif key == "offset":
            params.offset = _non_negative("offset", value)
        elif key == "format":
            if value != "jsonarray":
                raise bad_request(f"unsupported format '{value}'")
            params.json_array = True
    return params


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def like_pattern(pattern: str) -> re.Pattern[str]:
    """SQL LIKE as a regular expression (case-insensitive, whole value)."""
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


def _matches(row: Row, name: str, op: str, value: str) -> bool:
    actual = row.get(name)
    if actual is None:
        return False
    if op == "like":
        return like_pattern(value).fullmatch(actual) is not None
    if op == "eq":
        return actual == value
    if op == "neq":
        return actual != value
    left, right = _number(actual), _number(value)
    pair: tuple[float, float] | tuple[str, str]
    pair = (left, right) if left is not None and right is not None else (actual, value)
    a, b = pair
    return {"lt": a < b, "gt": a > b, "lte": a <= b, "gte": a >= b}[op]  # type: ignore[operator]


def select(rows: Iterable[Row], params: ListParams) -> list[Row]:
    """Filter, sort and window rows (which arrive in the resource's default order)."""
    chosen = [r for r in rows if all(_matches(r, *f) for f in params.filters)]
    for name, descending in reversed(params.sorts):
        values = [r.get(name) for r in chosen]
        numeric = all(v is None or _number(v) is not None for v in values)

        def key(row: Row, name: str = name, numeric: bool = numeric) -> tuple[int, float | str]:
            value = row.get(name)
            if value is None:
                return (0, "")
            return (1, float(value)) if numeric else (1, value.casefold())

        chosen.sort(key=key, reverse=descending)
    end = None if params.limit is None else params.offset + params.limit
    return chosen[params.offset : end]


def _shape(row: Row, params: ListParams) -> Row:
    if params.display is None:
        return dict(row)
    return {alias: row.get(name) for name, alias in params.display}


def rows_response(rows: Iterable[Row], params: ListParams) -> Response:
    shaped = [_shape(r, params) for r in rows]
    if params.json_array:
        return Response(json.dumps(shaped, separators=(",", ":")), media_type="application/json")
    body = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in shaped)
    return Response(body, media_type=ROWS_MEDIA_TYPE)


def row_response(row: Row, params: ListParams) -> Response:
    """A single row (a read): the same line format, one line."""
    return rows_response([row], params)
