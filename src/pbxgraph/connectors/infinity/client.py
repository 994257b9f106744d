"""HTTP to Infinity's Config API: paths, auth, rows, forms and expected statuses.

Built on the shared :class:`~pbxgraph.connectors.http.VendorHttp` (one client
per backend, the concurrency cap, transport errors mapped). This module adds
what is Infinity's own: every resource under ``{api}/sip/domains/{domainId}``,
list answers as rows, creates and updates as form parameters (arrays as
``name[]``), and the statuses each call must answer (201 for a create, 204
for an update, delete or order change).

Lists are read with :meth:`InfinityClient.matching_rows`, which sends the
filters (:mod:`.filters`) a server takes and applies the rest itself: a
server that answers 400 to a request whose filters use an operator beyond
``eq`` is asked again with only the ``eq`` filters, the rows are filtered
here, and the refused operators are not sent to this backend again. The
document shows no error body, so the refusal is recognised by its status
alone (400 or 422) and the body is not read for it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from pbxgraph.connectors.http import VendorHttp, gather
from pbxgraph.connectors.infinity.errors import error_for
from pbxgraph.connectors.infinity.filters import BASE_OPERATOR, VendorFilter
from pbxgraph.connectors.infinity.rows import Row, parse_object, parse_rows, unique_rows
from pbxgraph.connectors.infinity.settings import InfinitySettings
from pbxgraph.connectors.kit.snapshots import Snapshots
from pbxgraph.errors import BackendError, BadUserInput, NotFound

log = logging.getLogger(__name__)

#: Rows asked for per request when reading a whole collection.
PAGE_SIZE = 1000

Form = Mapping[str, str | Sequence[str]]
Filters = tuple[VendorFilter, ...]


def filter_params(filters: Sequence[VendorFilter]) -> list[tuple[str, str]]:
    return [("filter[]", f.param()) for f in filters]


class InfinityClient:
    """Infinity's calls over the backend's HTTP client (whose lifecycle is the connector's)."""

    def __init__(self, http: VendorHttp, settings: InfinitySettings) -> None:
        self.backend = http.backend
        self.settings = settings
        self.http = http
        #: Filter operators this backend answered 400 to; filtered here from then on.
        self.refused_operators: set[str] = set()
        #: Listings kept for the pages after their first; any write drops them.
        self.snapshots = Snapshots(settings.listing_snapshot_s)

    # --- paths --------------------------------------------------------------------

    def domains_path(self) -> str:
        return f"{self.settings.api_path}/sip/domains"

    def path(self, domain: int, *parts: str | int) -> str:
        tail = "/".join(str(p) for p in parts)
        return f"{self.settings.api_path}/sip/domains/{domain}" + (f"/{tail}" if tail else "")

    # --- calls --------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        path: str,
        *,
        expect: tuple[int, ...],
        subject: str | None,
        params: Sequence[tuple[str, str]] | None = None,
        form: Form | None = None,
    ) -> httpx.Response:
        kwargs: dict[str, Any] = {}
        if params:
            kwargs["params"] = list(params)
        if form is not None:
            kwargs["data"] = dict(form)
        if method == "GET":
            response = await self.http.request(method, path, **kwargs)
        else:
            self.snapshots.clear()
            try:
                response = await self.http.request(method, path, **kwargs)
            finally:
                self.snapshots.clear()  # also what a read running meanwhile kept
        if response.status_code >= 400:
            raise error_for(response, self.backend, subject)
        if response.status_code not in expect:
            raise BackendError(
                f"backend '{self.backend}' answered {response.status_code} to {method} {path} "
                f"(expected {' or '.join(map(str, expect))})",
                backend=self.backend,
                details={"status": response.status_code},
            )
        return response

    async def rows(
        self,
        path: str,
        params: Sequence[tuple[str, str]] | None = None,
        *,
        subject: str | None = None,
        id_field: str | None = None,
    ) -> list[Row]:
        """Rows of a read; each must carry an integer ``id_field`` where one is named."""
        response = await self._send("GET", path, expect=(200,), subject=subject, params=params)
        return parse_rows(response, self.backend, id_field)

    async def row(self, path: str, *, subject: str, id_field: str) -> Row | None:
        """One record read by its path; None when the vendor says 404."""
        try:
            rows = await self.rows(path, subject=subject, id_field=id_field)
        except NotFound:
            return None
        if len(rows) != 1:
            raise BackendError(
                f"backend '{self.backend}' answered GET {path} with {len(rows)} rows where one was expected",
                backend=self.backend,
            )
        return rows[0]

    async def matching_rows(
        self, path: str, alternatives: Sequence[Sequence[VendorFilter]], *, id_field: str, subject: str | None = None
    ) -> list[Row]:
        """Rows matching all filters of any of the ``alternatives`` (their answers merged), each id once.

        Alternatives that send the same request once refused operators are
        left out are fetched once.
        """
        plan: list[tuple[Filters, list[VendorFilter]]] = []
        requests: dict[Filters, None] = {}
        for filters in alternatives:
            sent = tuple(f for f in filters if f.op not in self.refused_operators)
            plan.append((sent, [f for f in filters if f not in sent]))
            requests.setdefault(sent)
        keys = list(requests)
        answers = await gather([self._paged(path, key, id_field=id_field, subject=subject) for key in keys])
        fetched = dict(zip(keys, answers, strict=True))
        out: list[Row] = []
        for sent, local in plan:
            rows, dropped = fetched[sent]
            tests = [*local, *dropped]
            out += [row for row in rows if all(f.matches(row) for f in tests)]
        return unique_rows(out, id_field)

    async def _paged(
        self, path: str, filters: Filters, *, id_field: str, subject: str | None
    ) -> tuple[list[Row], list[VendorFilter]]:
        """The rows of one filtered listing, and the filters the server refused (to apply here)."""
        try:
            return await self._pages(path, filters, id_field=id_field, subject=subject), []
        except BadUserInput:
            dropped = [f for f in filters if f.op != BASE_OPERATOR]
            if not dropped:
                raise
        kept = tuple(f for f in filters if f.op == BASE_OPERATOR)
        rows = await self._pages(path, kept, id_field=id_field, subject=subject)
        refused = {f.op for f in dropped} - self.refused_operators
        if refused:
            self.refused_operators |= refused
            log.warning(
                "backend '%s' refused filter operator(s) %s; pbxgraph filters those rows itself",
                self.backend,
                ", ".join(sorted(refused)),
            )
        return rows, dropped

    async def _pages(self, path: str, filters: Filters, *, id_field: str, subject: str | None) -> list[Row]:
        """Every row of one filtered listing, page by page in id order (the vendor gives no total)."""
        out: list[Row] = []
        offset = 0
        while True:
            params = filter_params(filters)
            params += [("sort[]", f"{id_field}-asc"), ("limit", str(PAGE_SIZE)), ("offset", str(offset))]
            page = await self.rows(path, params, subject=subject, id_field=id_field)
            out += page
            if len(page) < PAGE_SIZE:
                return out
            offset += PAGE_SIZE

    async def create(self, path: str, form: Form, *, subject: str | None = None) -> Row | None:
        """POST a create; the body where the vendor sends one (devices), else None."""
        response = await self._send("POST", path, expect=(201, 200), subject=subject, form=form)
        return parse_object(response, self.backend)

    async def update(self, path: str, form: Form, *, subject: str | None = None) -> None:
        await self._send("POST", path, expect=(204, 200), subject=subject, form=form)

    async def put(self, path: str, form: Form, *, subject: str | None = None) -> None:
        await self._send("PUT", path, expect=(204, 200), subject=subject, form=form)

    async def delete(self, path: str, form: Form | None = None, *, subject: str | None = None) -> None:
        await self._send("DELETE", path, expect=(204, 200), subject=subject, form=form)
