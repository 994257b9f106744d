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
from pbxgraph.connectors.sipxcom import errors
from pbxgraph.connectors.sipxcom.payload import (
    PayloadError,
    entries,
    integer,
    items,
    parse_xml,
    to_xml,
    unwrap,
)
from pbxgraph.errors import BackendError, PbxError
from pbxgraph.ids import numeric_id

Format = Literal["xml", "json"]

_XML = "application/xml"
_JSON = "application/json"


class SipxcomClient:
    """sipXconfig's two APIs over the backend's HTTP client (whose lifecycle is the connector's)."""

    def __init__(self, http: VendorHttp, *, fmt: Format, page_size: int) -> None:
        self.http = http
        self.backend = http.backend
        self.format = fmt
        self.page_size = page_size

    # --- decoding ---------------------------------------------------------------

    def _decode(self, response: httpx.Response, roots: tuple[str, ...]) -> Any:
        """A 2xx read as a tree, if it is the document asked for: the configured format, one of ``roots``.

        A proxy's HTML page, a document of another format than the ``Accept``
        asked for, or one with another root is BACKEND_ERROR: read as a tree
        it would look like an empty listing, and a backend would go silently
        missing from every answer.
        """
        kind = response.headers.get("content-type", "").lower()
        if "html" in kind:
            raise errors.unusable(self.backend, response, "an HTML page where a document was expected")
        is_json = "json" in kind or ("xml" not in kind and self.format == "json")
        if is_json != (self.format == "json"):
            got, wanted = ("JSON", "XML") if is_json else ("XML", "JSON")
            raise errors.unusable(self.backend, response, f"{got} where {wanted} was asked for")
        if is_json:
            document = self.http.json(response)
            if not (isinstance(document, dict) and len(document) == 1 and next(iter(document)) in roots):
                raise errors.unusable(
                    self.backend, response, f"a JSON document that is not one {' or '.join(roots)} object"
                )
            return unwrap(document)
        try:
            tag, tree = parse_xml(response.content)
        except PayloadError as exc:
            raise errors.unusable(self.backend, response, f"a body that is not usable XML: {exc}") from None
        if tag not in roots:
            raise errors.unusable(self.backend, response, f"an XML document whose root is not {' or '.join(roots)}")
        return tree

    # --- /rest --------------------------------------------------------------------

    def _rest_accept(self) -> dict[str, str]:
        return {"Accept": _JSON if self.format == "json" else _XML}

    async def rest_get(
        self, path: str, what: str, params: Mapping[str, str] | None = None, *, roots: tuple[str, ...]
    ) -> Any:
        """A ``/rest`` read whose document has one of ``roots``; ERROR_OBJECT_NOT_FOUND and friends raise."""
        response = await self.http.request("GET", f"/rest{path}", params=params, headers=self._rest_accept())
        if response.status_code >= 400:
            raise errors.rest_failure(self.backend, response, what)
        if response.status_code != 200:
            raise errors.unusable(self.backend, response, f"HTTP {response.status_code} where 200 was expected")
        return self._decode(response, roots)

    async def rest_list(
        self, path: str, what: str, wrapper: str, *tags: str, roots: tuple[str, ...]
    ) -> list[dict[str, Any]]:
        """Every item of a ``/rest`` collection, page by page until ``totalPages``."""
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            tree = await self.rest_get(path, what, {"page": str(page), "pagesize": str(self.page_size)}, roots=roots)
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

    async def rest_write(
        self,
        method: str,
        path: str,
        what: str,
        *,
        root: str | None = None,
        body: Mapping[str, Any] | None = None,
        item_tags: Mapping[str, str] | None = None,
        secrets: Iterable[str | None] = (),
    ) -> dict[str, str | None]:
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
        """An ``/api`` read: a JSON document (an HTML page or XML is BACKEND_ERROR); a 404 raises NotFound."""
        response = await self.http.request("GET", f"/api{path}", params=params, headers={"Accept": _JSON})
        if response.status_code >= 400:
            raise errors.api_failure(self.backend, response, what)
        return self._api_document(response)

    def _api_document(self, response: httpx.Response) -> Any:
        kind = response.headers.get("content-type", "").lower()
        if response.status_code != 200 or "html" in kind or "xml" in kind:
            raise errors.unusable(
                self.backend,
                response,
                f"HTTP {response.status_code} {kind or 'with no type'} where a JSON document was expected",
            )
        return self.http.json(response)

    async def api_object(self, path: str, what: str, *, required: tuple[str, ...] = ("id",)) -> dict[str, Any]:
        """An ``/api`` read that must be one JSON object holding ``required`` keys."""
        return self._object(await self.api_get(path, what), what, required)

    async def api_object_optional(
        self, path: str, what: str, *, required: tuple[str, ...] = ("id",)
    ) -> dict[str, Any] | None:
        """An ``/api`` read of one object that may not exist: None for a 404 or an empty 204.

        Anything else must be what :meth:`api_object` reads: an HTML page, a
        list or an object without ``required`` is BACKEND_ERROR, not "none".
        """
        response = await self.http.request("GET", f"/api{path}", headers={"Accept": _JSON})
        if response.status_code in (204, 404):
            return None
        if response.status_code >= 400:
            raise errors.api_failure(self.backend, response, what)
        return self._object(self._api_document(response), what, required)

    def _object(self, document: Any, what: str, required: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(document, dict) or any(key not in document for key in required):
            raise self._shape(what, f"an object with {', '.join(required)}")
        return document

    async def api_list(
        self, path: str, what: str, key: str, *tags: str, params: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """An ``/api`` listing: a JSON array of objects, or ``{key: [...]}``; anything else is BACKEND_ERROR.

        ``tags`` name an item where a server wraps each one (``{"phone": ...}``).
        """
        document = await self.api_get(path, what, params)
        if isinstance(document, dict):
            if key not in document:
                raise self._shape(what, f"a list of {key}")
            document = document[key]
        found = items(document, *tags)
        if not all(isinstance(entry, dict) for entry in found):
            raise self._shape(what, f"a list of {key}")
        return found

    def _shape(self, what: str, wanted: str) -> PbxError:
        return BackendError(
            f"backend '{self.backend}' answered {what} with a JSON document that is not {wanted}", backend=self.backend
        )

    async def api_send(
        self,
        method: str,
        path: str,
        what: str,
        *,
        json_body: Any = None,
        text_body: str | None = None,
        secrets: Iterable[str | None] = (),
    ) -> httpx.Response:
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
