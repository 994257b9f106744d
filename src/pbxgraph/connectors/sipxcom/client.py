"""HTTP to sipXconfig: its two APIs, their formats, authentication and paths.

One :class:`~pbxgraph.connectors.http.VendorHttp` (concurrency cap, timeouts,
transport errors) under ``{url}/sipxconfig``, with HTTP Basic credentials
sent preemptively on every request (the server would otherwise answer with
a Digest challenge first, doubling every call).

* ``/rest`` reads come back in the configured format (XML, or JSON through
  ``Accept``), and are parsed by their ``Content-Type`` since writes and
  errors answer with an XML envelope whatever was asked for.
* ``/api`` is spoken in JSON. Its "not found" is a bare 404.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import httpx

from pbxgraph.connectors.http import VendorHttp
from pbxgraph.ids import numeric_id
from pbxgraph.connectors.sipxcom import errors
from pbxgraph.connectors.sipxcom.payload import (
    PayloadError,
    entries,
    integer,
    parse_xml,
    to_xml,
    unwrap,
)

Format = Literal["xml", "json"]

_XML = "application/xml"
_JSON = "application/json"


class SipxcomClient:
    def __init__(self, http: VendorHttp, *, backend: str, fmt: Format, page_size: int) -> None:
        self.http = http
        self.backend = backend
        self.format = fmt
        self.page_size = page_size

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- decoding ---------------------------------------------------------------

    def _decode(self, response: httpx.Response) -> Any:
        """A 2xx body as a tree, XML or JSON by its Content-Type (then by our format)."""
        kind = response.headers.get("content-type", "").lower()
        is_json = "json" in kind or ("xml" not in kind and self.format == "json")
        if is_json:
            return unwrap(self.http.json(response))
        try:
            return parse_xml(response.content)[1]
        except PayloadError as exc:
            raise errors.unusable(self.backend, response, f"a body that is not usable XML: {exc}") from None

    # --- /rest --------------------------------------------------------------------

    def _rest_accept(self) -> dict[str, str]:
        return {"Accept": _JSON if self.format == "json" else _XML}

    async def rest_get(self, path: str, what: str, params: Mapping[str, str] | None = None) -> Any:
        """A ``/rest`` read; ERROR_OBJECT_NOT_FOUND and friends raise."""
        response = await self.http.request("GET", f"/rest{path}", params=params, headers=self._rest_accept())
        if response.status_code >= 400:
            raise errors.rest_failure(self.backend, response, what)
        return self._decode(response)

    async def rest_list(self, path: str, what: str, wrapper: str, *tags: str) -> list[dict[str, Any]]:
        """Every item of a ``/rest`` collection, page by page until ``totalPages``."""
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            tree = await self.rest_get(path, what, {"page": str(page), "pagesize": str(self.page_size)})
            metadata = tree.get("metadata") if isinstance(tree, dict) else None
            total_pages = integer(metadata.get("totalPages")) if isinstance(metadata, dict) else None
            current = integer(metadata.get("currentPage")) if isinstance(metadata, dict) else None
            if page > 1 and (current is None or current < page):
                # The server answered a page read already instead of the next: stop, or loop forever.
                return found
            found += entries(tree, wrapper, *tags)
            if total_pages is None or current is None or current >= total_pages:
                return found
            page = current + 1

    async def rest_write(self, method: str, path: str, what: str, *, root: str | None = None,
                         body: Mapping[str, Any] | None = None, item_tags: Mapping[str, str] | None = None,
                         secrets: Iterable[str | None] = ()) -> dict[str, str | None]:
        """A ``/rest`` create/update/delete; answers the envelope (``code``, ``id``, ...)."""
        kwargs: dict[str, Any] = {}
        if body is not None and root is not None:
            if self.format == "json":
                kwargs["content"] = json.dumps({root: body}).encode("utf-8")
                kwargs["headers"] = {"Content-Type": _JSON}
            else:
                kwargs["content"] = to_xml(root, body, item_tags or {})
                kwargs["headers"] = {"Content-Type": _XML}
        response = await self.http.request(method, f"/rest{path}", **kwargs)
        secrets = tuple(secrets)
        if response.status_code >= 400:
            raise errors.rest_failure(self.backend, response, what, secrets)
        said = errors.envelope(response)
        if said is None or not (said["code"] or "").startswith("SUCCESS"):
            raise errors.unusable(self.backend, response, "no success envelope")
        return said

    # --- /api ----------------------------------------------------------------------

    async def api_get(self, path: str, what: str, params: Mapping[str, str] | None = None) -> Any:
        """An ``/api`` read; a 404 raises NotFound."""
        response = await self.http.request("GET", f"/api{path}", params=params, headers={"Accept": _JSON})
        if response.status_code >= 400:
            raise errors.api_failure(self.backend, response, what)
        return self.http.json(response)

    async def api_get_optional(self, path: str, what: str) -> Any:
        """An ``/api`` read of one object that may not exist: None for a 404 or an empty 204."""
        response = await self.http.request("GET", f"/api{path}", headers={"Accept": _JSON})
        if response.status_code in (204, 404):
            return None
        if response.status_code >= 400:
            raise errors.api_failure(self.backend, response, what)
        return self.http.json(response)

    async def api_send(self, method: str, path: str, what: str, *, json_body: Any = None,
                       text_body: str | None = None, secrets: Iterable[str | None] = ()) -> httpx.Response:
        kwargs: dict[str, Any] = {"headers": {"Accept": _JSON}}
        if json_body is not None:
            kwargs["content"] = json.dumps(json_body).encode("utf-8")
            kwargs["headers"]["Content-Type"] = _JSON
        elif text_body is not None:
            kwargs["content"] = text_body.encode("utf-8")
            kwargs["headers"]["Content-Type"] = "text/plain"
        response = await self.http.request(method, f"/api{path}", **kwargs)
        if response.status_code >= 400:
            raise errors.api_failure(self.backend, response, what, tuple(secrets))
        return response

    def created_id(self, response: httpx.Response) -> str:
        """The new id an ``/api`` POST answers: a bare number (or a JSON object holding ``id``)."""
        body = response.text.strip().strip('"')
        if numeric_id(body) is not None:
            return body
        try:
            parsed = json.loads(response.text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and numeric_id(str(parsed.get("id", ""))) is not None:
            return str(parsed["id"])
        raise errors.unusable(self.backend, response, "no new id")
