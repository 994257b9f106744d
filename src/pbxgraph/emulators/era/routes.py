"""The Era REST API under ``/rest/v1/uc/``, as the documents describe it.

=========  ==============================  ==========================================
verb       path                            answer
=========  ==============================  ==========================================
POST       /<collection>                   200, the stored entity (a given ``id`` is kept)
GET        /<collection>                   200, a bare array of list views
GET        /<collection>/<id>              200, the entity (``pwd`` for administrators only)
PATCH      /<collection>/<id>              200, the whole entity
DELETE     /<collection>/<id>              204
LOOKUP     /<collection>                   200, an array of ids for a bare JSON string; 404/1404
GET        /sipuser_states[/<id>]          200, ``{id, username, status}``
DELETE     /sipuser_states/<id>            204, the account's registrations cleared
POST       /sipusers/<id>/device           200, ``{"result": "true"}`` for sync/restart
=========  ==============================  ==========================================

Authentication is not in the documents; the emulator wants a token in a
configurable header (``Authorization: Bearer <token>`` by default, the bare
token in any other header) and answers 401 without it. A second, read-only
token stands for a user who may read but not administer: its writes get
Era's access-denied answer (1506) and its reads never show ``pwd``.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from pbxgraph.emulators.era import query
from pbxgraph.emulators.era.errors import (
    EraError,
    access_denied,
    invalid_params,
    method_not_allowed,
    not_found,
    unauthorized,
)
from pbxgraph.emulators.era.schema import COLLECTIONS, full_view, list_view
from pbxgraph.emulators.era.state import OFFLINE, EraState

PREFIX = "/rest/v1/uc/"
_LIST_PARAMS = frozenset({"filter", "mask", "offset", "limit", "order", "flat"})
_ONE_PARAMS = frozenset({"mask", "flat"})
_STATE_MASK = ("id", "username", "status")
_OPERATIONS = frozenset({"sync", "restart"})


class Credentials:
    """Who may call: an administrator token and, optionally, a read-only one."""

    def __init__(self, token: str, *, header: str = "Authorization", reader_token: str | None = None) -> None:
        if not token:
            raise ValueError("the emulator needs a token")
        self.token = token
        self.header = header.lower()
        self.reader_token = reader_token

    def role(self, request: Request) -> str | None:
        presented = request.headers.get(self.header)
        if presented is None:
            return None
        if self.header == "authorization":
            scheme, _, presented = presented.partition(" ")
            if scheme.lower() != "bearer":
                return None
        presented = presented.strip()
        if hmac.compare_digest(presented.encode(), self.token.encode()):
            return "admin"
        if self.reader_token and hmac.compare_digest(presented.encode(), self.reader_token.encode()):
            return "reader"
        return None


class EraApp:
    """The ASGI app; all answers, failures included, are Era-shaped JSON."""

    def __init__(self, state: EraState, credentials: Credentials) -> None:
        self.state = state
        self.credentials = credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        try:
            response = await self._dispatch(request)
        except EraError as error:
            response = error.response()
        await response(scope, receive, send)

    async def _dispatch(self, request: Request) -> Response:
        path = request.url.path
        if not path.startswith(PREFIX):
            raise not_found(f"Not found. No resource at '{path}'.")
        role = self.credentials.role(request)
        if role is None:
            raise unauthorized()
        parts = path[len(PREFIX) :].strip("/").split("/")
        method = request.method
        if method not in ("GET", "HEAD", "LOOKUP") and role != "admin":
            raise access_denied()
        admin = role == "admin"
        if parts[0] == "sipuser_states":
            return await self._states(request, parts[1:])
        if parts[0] not in COLLECTIONS or len(parts) > 3:
            raise not_found(f"Not found. No resource at '{path}'.")
        collection = parts[0]
        if len(parts) == 3:
            if collection == "sipusers" and parts[2] == "device":
                if method != "POST":
                    raise method_not_allowed(method)
                return await self._device(request, parts[1])
            raise not_found(f"Not found. No resource at '{path}'.")
        if len(parts) == 1:
            if method == "GET":
                return self._list(request, collection)
            if method == "POST":
                body = await _json_body(request, dict, "an entity object")
                return JSONResponse(full_view(self.state.create(collection, body), admin=admin))
            if method == "LOOKUP":
                key = await _json_body(request, str, "a JSON string")
                return JSONResponse(self.state.lookup(collection, key))
            raise method_not_allowed(method)
        entity_id = parts[1]
        if method == "GET":
            return self._one(request, collection, entity_id, admin)
        if method == "PATCH":
            body = await _json_body(request, dict, "an entity object")
            return JSONResponse(full_view(self.state.patch(collection, entity_id, body), admin=admin))
        if method == "DELETE":
            self.state.delete(collection, entity_id)
            return Response(status_code=204)
        raise method_not_allowed(method)

    # --- handlers --------------------------------------------------------------------

    def _list(self, request: Request, collection: str) -> Response:
        spec = COLLECTIONS[collection]
        items = _select(request, self.state.listing(collection))
        mask, flat = _mask_and_flat(request, spec.list_mask, _LIST_PARAMS)
        views = [list_view(spec, e) for e in items]
        return JSONResponse([_shape(v, mask, flat) for v in views])

    def _one(self, request: Request, collection: str, entity_id: str, admin: bool) -> Response:
        mask, flat = _mask_and_flat(request, None, _ONE_PARAMS)
        entity = full_view(self.state.get(collection, entity_id), admin=admin)
        return JSONResponse(_shape(entity, mask, flat))

    async def _states(self, request: Request, rest: list[str]) -> Response:
        method = request.method
        if not rest:
            if method != "GET":
                raise method_not_allowed(method)
            items = _select(request, self.state.states())
            mask, flat = _mask_and_flat(request, _STATE_MASK, _LIST_PARAMS)
            return JSONResponse([_shape(s, mask, flat) for s in items])
        if len(rest) != 1:
            raise not_found("Not found.")
        sipuser_id = rest[0]
        current = next((s for s in self.state.states() if s["id"] == sipuser_id), None)
        if current is None:
            raise not_found(f"Not found. No entity '{sipuser_id}' in sipuser_states.")
        if method == "GET":
            mask, flat = _mask_and_flat(request, _STATE_MASK, _ONE_PARAMS)
            return JSONResponse(_shape(current, mask, flat))
        if method == "DELETE":
            self.state.set_registration(sipuser_id, OFFLINE)
            return Response(status_code=204)
        raise method_not_allowed(method)

    async def _device(self, request: Request, sipuser_id: str) -> Response:
        body = await _json_body(request, dict, "an object with 'operation'")
        operation = body.get("operation")
        if operation not in _OPERATIONS:
            raise invalid_params("Field 'operation' must be 'sync' or 'restart'.", field="operation")
        self.state.device_operation(sipuser_id, operation)
        return JSONResponse({"result": "true"})


async def _json_body(request: Request, kind: type, what: str) -> Any:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        raise invalid_params(f"The request body is not valid JSON; expected {what}.") from None
    if not isinstance(body, kind):
        raise invalid_params(f"The request body must be {what}.")
    return body


def _check_params(request: Request, allowed: frozenset[str]) -> None:
    for name in request.query_params:
        if name not in allowed:
            raise invalid_params(f"Unknown parameter '{name}'.", parameter=name)


def _select(request: Request, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply ``filter``, ``order``, ``offset`` and ``limit`` to whole entities."""
    _check_params(request, _LIST_PARAMS)
    params = request.query_params
    if "filter" in params:
        predicate = query.compile_filter(query.parse_json_param("filter", params["filter"]))
        entities = [e for e in entities if predicate(e)]
    if "order" in params:
        text = params["order"]
        try:
            spec: Any = json.loads(text)
        except ValueError:
            spec = [name.strip() for name in text.split(",") if name.strip()]
        entities = query.apply_order(entities, query.parse_order(spec))
    offset = query.parse_int("offset", params.get("offset")) or 0
    limit = query.parse_int("limit", params.get("limit"))
    end = None if limit is None else offset + limit
    return entities[offset:end]


def _mask_and_flat(
    request: Request, allowed: tuple[str, ...] | None, params: frozenset[str]
) -> tuple[list[str] | None, bool]:
    _check_params(request, params)
    mask_text = request.query_params.get("mask")
    mask = query.parse_mask(mask_text, allowed) if mask_text is not None else None
    return mask, query.parse_bool("flat", request.query_params.get("flat"))


def _shape(entity: dict[str, Any], mask: list[str] | None, flat: bool) -> dict[str, Any]:
    shaped = query.apply_mask(entity, mask) if mask is not None else entity
    return query.flatten(shaped) if flat else shaped
