"""One listing over several backends: fetch concurrently, merge, resume.

Each backend is read as an ordered stream (its own ``list`` with offsets). A
page takes up to ``first`` items from each stream, merges the heads by the
common ordering, and keeps the first ``first``. The cursor of every edge
records how far each backend's stream has been consumed at that edge, so
``after`` resumes exactly there: no item is lost or repeated, whatever the
backends' sizes, and a cursor can be taken from any edge, not only the last.
Beside each backend's offset the cursor holds the last item taken from it (its
sort value and native id, :class:`~pbxgraph.domain.After`), so a backend that can
seek by it (the local store's indexes) starts right there instead of skipping
``offset`` items; a cursor made before it carried them still resumes by offset.

A backend that fails is left out of the page with one coded error; its
offset does not move, so a later page reads it from where it stood.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Generic, Never, TypeVar

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.contract import Access, Connector, Resource
from pbxgraph.domain import (
    After,
    Filter,
    Kind,
    ListQuery,
    Operation,
    Page,
    Record,
    SortField,
    record_extension,
    record_name,
)
from pbxgraph.errors import BadUserInput, PbxError, not_supported
from pbxgraph.ordering import precedes, sort_key
from pbxgraph.service.calls import call

R = TypeVar("R", bound=Record)

MAX_PAGE = 500
#: Largest offset a cursor may hold into one backend's listing.
MAX_OFFSET = 10**9
#: Longest cursor accepted, in characters (a few dozen backends' offsets fit easily; the last items
#: come along where they fit).
MAX_CURSOR_LENGTH = 4096
#: Longest sort value or native id a cursor carries for a backend's last item; a longer one is left
#: out, and that backend resumes by offset.
MAX_KEY_LENGTH = 256
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


@dataclass(slots=True)
class Edge(Generic[R]):
    cursor: str
    backend: str
    record: R


@dataclass(slots=True)
class AggregatedPage(Generic[R]):
    edges: list[Edge[R]]
    has_next: bool
    has_previous: bool
    #: Sum of the backends' totals when every answering backend knows its total.
    total: int | None
    errors: list[PbxError] = field(default_factory=list)


def _fingerprint(kind: Kind, backends: list[str], flt: Filter, sort: SortField, descending: bool) -> str:
    text = json.dumps([kind.value, backends, flt.extension, flt.search, flt.mac, sort.value, descending])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


#: One encoder for every cursor: ``json.dumps`` with options builds a new one per call, once per edge.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def encode_cursor(fingerprint: str, offsets: dict[str, int], anchors: dict[str, After] | None = None) -> str:
    """The cursor for ``offsets`` and, where they fit in :data:`MAX_CURSOR_LENGTH`, the last items
    (else offsets alone: still a cursor, read by offset)."""
    data: dict[str, object] = {"q": fingerprint, "o": offsets}
    if anchors:
        data["k"] = {name: [a.value, a.id] for name, a in anchors.items()}
    payload = _COMPACT.encode(data)
    cursor = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    if anchors and len(cursor) > MAX_CURSOR_LENGTH:
        return encode_cursor(fingerprint, offsets)
    return cursor


def anchor_of(record: Record, sort: SortField) -> After | None:
    """What a cursor keeps of the last item taken from a backend, when it is short enough to carry."""
    value = record_name(record) if sort is SortField.NAME else record_extension(record)
    if len(record.id) > MAX_KEY_LENGTH or (value is not None and len(value) > MAX_KEY_LENGTH):
        return None
    return After(value=value, id=record.id)


def _anchors(data: object, backends: list[str]) -> dict[str, After] | None:
    """The last items a cursor holds (none in a cursor made before it carried them); None if malformed."""
    if data is None:
        return {}
    if not isinstance(data, dict) or not set(data) <= set(backends):
        return None
    found = {}
    for name, pair in data.items():
        if not (isinstance(pair, list) and len(pair) == 2):
            return None
        value, native_id = pair
        if not (isinstance(native_id, str) and 0 < len(native_id) <= MAX_KEY_LENGTH):
            return None
        if not (value is None or (isinstance(value, str) and len(value) <= MAX_KEY_LENGTH)):
            return None
        found[name] = After(value=value, id=native_id)
    return found


def decode_cursor(cursor: str, fingerprint: str, backends: list[str]) -> dict[str, int]:
    """The offsets a cursor holds; BAD_USER_INPUT naming ``after`` for anything else."""
    return decode_position(cursor, fingerprint, backends)[0]


def decode_position(cursor: str, fingerprint: str, backends: list[str]) -> tuple[dict[str, int], dict[str, After]]:
    """The offsets and last items a cursor holds; BAD_USER_INPUT naming ``after`` for anything else.

    A cursor comes back from the client, so every value in it is checked as
    input: its length, its shape, and each offset an integer between 0 and
    :data:`MAX_OFFSET` (a forged ``2**63`` would otherwise overflow a driver).
    """
    not_a_cursor = BadUserInput("after: not a cursor of this listing", field="after")
    if len(cursor) > MAX_CURSOR_LENGTH or not _BASE64URL.fullmatch(cursor):
        raise not_a_cursor
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")), parse_constant=_no_constant)
        offsets = data["o"]
        query = data["q"]
        anchors = _anchors(data.get("k"), backends)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeError, RecursionError):
        raise not_a_cursor from None
    if not isinstance(offsets, dict) or not all(type(v) is int and 0 <= v <= MAX_OFFSET for v in offsets.values()):
        raise not_a_cursor
    if query != fingerprint or set(offsets) != set(backends):
        raise BadUserInput(
            "after: the cursor belongs to a listing with other backends, filter or order",
            field="after",
        )
    if anchors is None:
        raise not_a_cursor
    return offsets, anchors


async def list_across(
    connectors: list[Connector],
    access: Access[Resource[R, Never, Never]],
    *,
    flt: Filter,
    sort: SortField,
    descending: bool,
    first: int,
    after: str | None,
    configs: dict[str, BackendConfig],
    count: bool = False,
) -> AggregatedPage[R]:
    """Up to ``first`` records of ``access``'s kind from ``connectors``, merged, after the cursor ``after``.

    ``count``: the total is wanted (``totalCount``); a backend for which it costs a query
    of its own runs that query only then.
    """
    kind = access.kind
    if first < 0 or first > MAX_PAGE:
        raise BadUserInput(f"first: must be between 0 and {MAX_PAGE}, got {first}", field="first")
    names = [c.name for c in connectors]
    fingerprint = _fingerprint(kind, names, flt, sort, descending)
    offsets, anchors = decode_position(after, fingerprint, names) if after else (dict.fromkeys(names, 0), {})

    async def fetch(connector: Connector) -> Page[R]:
        if not connector.capabilities.supports(kind, Operation.LIST):
            raise not_supported(connector.name, kind.value, "listing")
        resource = access.of(connector)
        query = ListQuery(
            filter=flt,
            sort=sort,
            descending=descending,
            offset=offsets[connector.name],
            limit=max(first, 1),
            after=anchors.get(connector.name) if offsets[connector.name] else None,
            count=count,
        )
        return await call(configs[connector.name], f"{kind.value}.list", resource.page(query))

    results = await asyncio.gather(*(fetch(c) for c in connectors), return_exceptions=True)
    pages: dict[str, Page[R]] = {}
    errors: list[PbxError] = []
    for connector, result in zip(connectors, results, strict=True):
        if isinstance(result, PbxError):
            errors.append(result.with_backend(connector.name))
        elif isinstance(result, BaseException):
            raise result
        else:
            pages[connector.name] = result

    heads = dict.fromkeys(pages, 0)
    position = dict(offsets)
    edges: list[Edge[R]] = []
    while len(edges) < first:
        best: str | None = None
        best_key: tuple[int, str, str] | None = None
        for name in names:  # configuration order breaks ties between backends
            if name not in pages or heads[name] >= len(pages[name].items):
                continue
            key = sort_key(pages[name].items[heads[name]], sort)
            if best_key is None or precedes(key, best_key, descending):
                best, best_key = name, key
        if best is None:
            break
        record = pages[best].items[heads[best]]
        heads[best] += 1
        position[best] += 1
        anchor = anchor_of(record, sort)
        if anchor is None:
            anchors.pop(best, None)
        else:
            anchors[best] = anchor
        edges.append(Edge(cursor=encode_cursor(fingerprint, position, anchors), backend=best, record=record))

    has_next = any(heads[name] < len(page.items) or page.has_more for name, page in pages.items())
    totals = [page.total for page in pages.values()]
    total = sum(t for t in totals if t is not None) if totals and None not in totals else None
    return AggregatedPage(
        edges=edges,
        has_next=has_next,
        has_previous=any(v > 0 for v in offsets.values()),
        total=total,
        errors=errors,
    )
