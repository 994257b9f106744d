"""HTTP to one Era: authentication, paths, list paging, batched look-ups.

Everything Era-specific about *talking* lives here; the resources only say
what they want. Three habits matter:

* Ids are opaque strings (Era's own examples contain ids that are not valid
  UUIDs), so they are never validated, only percent-encoded into the path.
* Era returns no totals: ``list_all`` reads a filtered collection in chunks of
  ``page_size`` ordered by id (so offsets stay stable) and knows the end when
  a chunk comes back short.
* Batched look-ups are one ``in`` filter per chunk of keys (chunks keep the
  query string well below common URL limits), chunks in flight concurrently
  under the backend's concurrency cap.
* A listing can name one id twice (Era's own hunts example does, with another
  code and number on the second row). Every listing read through here keeps
  the first row of each id, so no object is answered twice and none takes
  another's data; the single read of that id is what Era says it is.
* List views leave fields out (``opts.comment``, a hunt's ``resources``) and
  Era documents no multi-get (``LOOKUP`` answers ids only), so ``read_many``
  reads whole entities one GET each, concurrently under the cap.
* Within one query, every list view read (``list_all`` without a mask) is
  remembered by id (:func:`pbxgraph.selection.reads`), and ``list_in`` by
  id asks Era only for the ids not yet seen: a group's members come from the
  dial plans the group listing already showed, a user's phone from the user
  row already read. Any write forgets them.
* ``listing`` reads a whole listing for a page and keeps it for the pages
  after it (:class:`~pbxgraph.connectors.kit.snapshots.Snapshots`); any
  write through this client drops what it kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from pbxgraph import selection
from pbxgraph.connectors.era.errors import error_for
from pbxgraph.connectors.http import VendorHttp, gather
from pbxgraph.connectors.kit.snapshots import Snapshots
from pbxgraph.errors import BackendError

BASE = "/rest/v1/uc"
#: Keys per ``in`` filter: 100 ids of ~40 characters stay near 6 kB of query string.
IN_CHUNK = 100

Filter = list[Any]


def first_by_id(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows in order, each id once (its first row); rows without an id are kept for the mapping to refuse."""
    seen: set[str] = set()
    kept: list[dict[str, Any]] = []
    for item in items:
        key = item.get("id")
        if isinstance(key, str):
            if key in seen:
                continue
            seen.add(key)
        kept.append(item)
    return kept


def all_of(*parts: Filter | None) -> Filter | None:
    present = [p for p in parts if p is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else ["and", *present]


def prop(name: str) -> list[str]:
    return ["property", name]


def equals(name: str, value: Any) -> Filter:
    return ["==", prop(name), value]


def one_of(name: str, values: Sequence[Any]) -> Filter:
    return ["in", prop(name), list(values)]


def contains_text(names: Sequence[str], needle: str) -> Filter:
    """A case-insensitive substring test on any of ``names``.

    ``%`` and ``_`` in the needle act as wildcards in Era's ``like``, so the
    answer is a superset; the resources refine it with the exact test.
    """
    tests: list[Any] = [["like", prop(n), f"%{needle}%"] for n in names]
    return tests[0] if len(tests) == 1 else ["or", *tests]


class EraClient:
    """Era's collections over the backend's HTTP client (whose lifecycle is the connector's)."""

    def __init__(self, http: VendorHttp, *, page_size: int = 500, snapshot_s: float = 0.0) -> None:
        self.http = http
        self.backend = http.backend
        self.page_size = page_size
        self.snapshots = Snapshots(snapshot_s)

    def _seen(self, collection: str) -> dict[str, Any] | None:
        """The list views of ``collection`` the current query was given, by id (None outside a query)."""
        reads = selection.reads()
        return None if reads is None else reads.of(self.backend, collection)

    def remember(self, collection: str, views: Sequence[dict[str, Any]]) -> None:
        """Note list views of ``collection`` the current query was given (from Era, or from a kept listing)."""
        seen = self._seen(collection)
        if seen is not None:
            seen.update((item["id"], item) for item in views)

    def _written(self) -> None:
        """Era was (or may have been) changed: nothing read before may answer for it now."""
        self.snapshots.clear()
        reads = selection.reads()
        if reads is not None:
            reads.forget(self.backend)

    # --- plumbing ---------------------------------------------------------------------

    @staticmethod
    def path(collection: str, entity_id: str | None = None, *rest: str) -> str:
        parts = [BASE, collection]
        if entity_id is not None:
            parts.append(quote(entity_id, safe=""))
        parts.extend(rest)
        return "/".join(parts)

    async def _send(
        self, method: str, url: str, what: str, *, fields: Mapping[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        if method == "GET":
            response = await self.http.request(method, url, **kwargs)
        else:
            self._written()
            try:
                response = await self.http.request(method, url, **kwargs)
            finally:
                self._written()  # also what a read running meanwhile kept
        if response.status_code >= 300:
            raise error_for(response, self.backend, what, fields)
        return response

    def _object(self, response: httpx.Response, what: str) -> dict[str, Any]:
        body = self.http.json(response)
        if not isinstance(body, dict):
            raise BackendError(
                f"backend '{self.backend}' answered {what} with something other than an object",
                backend=self.backend,
                details={"status": response.status_code},
            )
        return body

    def _array(self, response: httpx.Response, what: str) -> list[Any]:
        body = self.http.json(response)
        if not isinstance(body, list):
            raise BackendError(
                f"backend '{self.backend}' answered {what} with something other than an array",
                backend=self.backend,
                details={"status": response.status_code},
            )
        return body

    # --- collections ---------------------------------------------------------------------

    async def select(
        self,
        collection: str,
        *,
        filter: Filter | None = None,
        mask: Sequence[str] | None = None,
        offset: int | None = None,
        limit: int | None = None,
        order: Sequence[Any] | None = None,
    ) -> list[dict[str, Any]]:
        params: dict[str, str] = {}
        if filter is not None:
            params["filter"] = json.dumps(filter, separators=(",", ":"))
        if mask:
            params["mask"] = ",".join(mask)
        if offset:
            params["offset"] = str(offset)
        if limit is not None:
            params["limit"] = str(limit)
        if order:
            params["order"] = json.dumps(list(order), separators=(",", ":"))
        what = f"list {collection}"
        items = self._array(await self._send("GET", self.path(collection), what, params=params), what)
        if not all(isinstance(item, dict) for item in items):
            raise BackendError(
                f"backend '{self.backend}' listed {collection} with items that are not objects", backend=self.backend
            )
        # Every entity has its id (every mask asks for it): an item without one is not an entity of this
        # collection, and dropping it would make a silently shorter list.
        if not all(isinstance(item.get("id"), str) and item["id"] for item in items):
            raise BackendError(
                f"backend '{self.backend}' listed {collection} with an item that has no id", backend=self.backend
            )
        return items

    async def list_all(
        self, collection: str, *, filter: Filter | None = None, mask: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """Every entity matching ``filter``, chunk by chunk until a short chunk; each id once."""
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            chunk = await self.select(
                collection, filter=filter, mask=mask, offset=offset, limit=self.page_size, order=["id"]
            )
            found += chunk
            if len(chunk) < self.page_size:
                found = first_by_id(found)
                if mask is None:
                    self.remember(collection, found)
                return found
            offset += len(chunk)

    async def listing(self, collection: str, *, filter: Filter | None = None, fresh: bool) -> list[dict[str, Any]]:
        """The whole listing for a page: read afresh when ``fresh`` (a first page), else maybe as kept."""
        key = (collection, json.dumps(filter, separators=(",", ":")))
        return await self.snapshots.listing(key, lambda: self.list_all(collection, filter=filter), fresh=fresh)

    async def list_in(
        self,
        collection: str,
        name: str,
        values: Sequence[Any],
        *,
        filter: Filter | None = None,
        mask: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Entities whose ``name`` is one of ``values``: one request per chunk of values."""
        unique = list(dict.fromkeys(values))
        if not unique:
            return []
        seen = self._seen(collection) if name == "id" and filter is None and mask is None else None
        known: list[dict[str, Any]] = []
        if seen:
            known = [seen[v] for v in unique if v in seen]
            unique = [v for v in unique if v not in seen]
            if not unique:
                return known
        chunks = [unique[i : i + IN_CHUNK] for i in range(0, len(unique), IN_CHUNK)]
        answers = await gather(
            self.list_all(collection, filter=all_of(one_of(name, chunk), filter), mask=mask) for chunk in chunks
        )
        return first_by_id(known + [item for answer in answers for item in answer])

    async def read_many(self, collection: str, entity_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The whole entity of each id that exists (absent where Era says 404): one GET per id."""
        unique = list(dict.fromkeys(entity_ids))
        seen = self._seen(f"{collection}/whole")  # what this query already read whole (a page's details)
        known = {i: seen[i] for i in unique if i in seen} if seen else {}
        unique = [i for i in unique if i not in known]
        answers = await gather(self.find(collection, entity_id) for entity_id in unique)
        found = {entity_id: answer for entity_id, answer in zip(unique, answers, strict=True) if answer is not None}
        if seen is not None:
            seen.update(found)
        return {**known, **found}

    async def get(self, collection: str, entity_id: str, *, fields: Mapping[str, str] | None = None) -> dict[str, Any]:
        what = f"read {collection}/{entity_id}"
        return self._object(await self._send("GET", self.path(collection, entity_id), what, fields=fields), what)

    async def find(self, collection: str, entity_id: str) -> dict[str, Any] | None:
        """The entity, or None where Era says it does not exist."""
        what = f"read {collection}/{entity_id}"
        response = await self.http.request("GET", self.path(collection, entity_id))
        if response.status_code == 404:
            return None
        if response.status_code >= 300:
            raise error_for(response, self.backend, what)
        return self._object(response, what)

    async def create(
        self, collection: str, body: Mapping[str, Any], *, fields: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        what = f"create in {collection}"
        response = await self._send("POST", self.path(collection), what, fields=fields, json=dict(body))
        return self._object(response, what)

    async def patch(
        self, collection: str, entity_id: str, body: Mapping[str, Any], *, fields: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        what = f"change {collection}/{entity_id}"
        response = await self._send("PATCH", self.path(collection, entity_id), what, fields=fields, json=dict(body))
        return self._object(response, what)

    async def delete(self, collection: str, entity_id: str) -> None:
        await self._send("DELETE", self.path(collection, entity_id), f"delete {collection}/{entity_id}")

    async def device_operation(self, sipuser_id: str, operation: str) -> None:
        what = f"send '{operation}' to the phone of sipusers/{sipuser_id}"
        response = await self._send(
            "POST", self.path("sipusers", sipuser_id, "device"), what, json={"operation": operation}
        )
        body = self._object(response, what)
        if str(body.get("result")).lower() != "true":
            raise BackendError(
                f"backend '{self.backend}' did not accept {what}",
                backend=self.backend,
                details={"status": response.status_code, "result": body.get("result")},
            )
