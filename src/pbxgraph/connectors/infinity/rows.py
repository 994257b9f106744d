"""Reading Infinity's *rows*: one JSON object per line, no array, no total.

The line format is the document's own (its device examples are one object
per line, every value a string). A line that is not a whole JSON object (a
truncated answer, an HTML error page, garbage) is a ``BACKEND_ERROR`` naming
the backend, never a crash and never a silently shorter list. A body that is
one JSON array is read too: the document does not mention one, but some
deployments answer ``format=jsonarray`` that way, and reading it costs nothing.

A listing may repeat a row (offset paging over a table that changes between
pages does, and so do some vendors' own examples); :func:`unique_rows` keeps
the first row of each id so that one vendor record is one pbxgraph record.

Where the caller names the row's id column, a row without an integer there
is not a row of that kind (an error object answered with status 200, say)
and is a ``BACKEND_ERROR`` too, rather than a row silently dropped or read
as an empty record.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from pbxgraph.errors import BackendError

Row = dict[str, Any]


def _unusable(backend: str, response: httpx.Response, what: str, line: int | None = None) -> BackendError:
    details: dict[str, Any] = {"status": response.status_code}
    if line is not None:
        details["line"] = line
    return BackendError(
        f"backend '{backend}' answered {response.request.method} {response.request.url.path} with {what}",
        backend=backend,
        details=details,
    )


def parse_rows(response: httpx.Response, backend: str, id_field: str | None = None) -> list[Row]:
    rows = _rows(response, backend)
    if id_field is not None:
        for number, row in enumerate(rows, start=1):
            value = row.get(id_field)
            if isinstance(value, bool) or not str(value if value is not None else "").strip().isdigit():
                raise _unusable(backend, response, f"row {number} that has no '{id_field}'", number)
    return rows


def _rows(response: httpx.Response, backend: str) -> list[Row]:
    kind = response.headers.get("content-type", "").lower()
    if "html" in kind or "xml" in kind:
        raise _unusable(backend, response, f"a {kind.split(';')[0]} document where JSON rows were expected")
    try:
        text = response.content.decode("utf-8")
    except UnicodeDecodeError:
        raise _unusable(backend, response, "a body that is not UTF-8 text") from None
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            value = json.loads(stripped)
        except ValueError:
            raise _unusable(backend, response, "a JSON array that does not parse") from None
        if not all(isinstance(item, dict) for item in value):
            raise _unusable(backend, response, "an array of something other than rows")
        return list(value)
    rows: list[Row] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            raise _unusable(backend, response, f"row {number} that is not JSON", number) from None
        if not isinstance(value, dict):
            raise _unusable(backend, response, f"row {number} that is not a JSON object", number)
        rows.append(value)
    return rows


def unique_rows(rows: list[Row], id_field: str) -> list[Row]:
    """The rows in order, each id once (the first row seen wins).

    A row without the id is kept: mapping it names the missing column as a
    ``BACKEND_ERROR`` rather than this function hiding it.
    """
    seen: set[str] = set()
    out: list[Row] = []
    for row in rows:
        value = row.get(id_field)
        if value is not None:
            key = str(value).strip()
            if key in seen:
                continue
            seen.add(key)
        out.append(row)
    return out


def parse_object(response: httpx.Response, backend: str) -> Row | None:
    """An optional JSON object body (create answers); None when the body is empty. An array is not one."""
    if not response.content.strip():
        return None
    if response.content.lstrip().startswith(b"["):
        raise _unusable(backend, response, "a JSON array where one object was expected")
    rows = parse_rows(response, backend)
    if len(rows) != 1:
        raise _unusable(backend, response, f"{len(rows)} objects where one was expected")
    return rows[0]
