"""The change feed's transports: ``graphql-transport-ws`` at ``/graphql``, and SSE at ``/changes``.

**WebSocket.** A client opens ``ws://host/graphql`` with the
``graphql-transport-ws`` subprotocol (graphql-ws, Apollo, urql ...) and
sends its token in the ``connection_init`` payload, as ``{"token": "..."}``
or ``{"Authorization": "Bearer ..."}``; a missing or wrong one closes the
socket with 4403 once tokens are configured. Then
``subscription { changes(backends: [...], kinds: [...]) { ... } }`` streams
events. Queries and mutations work over it too (``idempotencyKey`` as an
argument, since a WebSocket message has no headers).

**Server-sent events.** Where a client prefers plain HTTP,
``GET /changes?backend=hq&kind=USER`` (``Authorization: Bearer`` as for
``/graphql``) answers ``text/event-stream``: one ``event: change`` per
change, its ``data`` the JSON of a ``ChangeEvent`` (``kind``, ``id``,
``nativeId``, ``backend``, ``operation``, ``fields``, ``time``,
``source``), and a comment line every 15 s to keep proxies from closing it.
It is a simple event stream rather than GraphQL over SSE: a script with
``curl -N`` reads it without a GraphQL client.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from pbxgraph import domain
from pbxgraph.config import AuthConfig
from pbxgraph.errors import PbxError
from pbxgraph.loaders import Loaders
from pbxgraph.schema import Context
from pbxgraph.schema.feed import ChangeEvent, watched
from pbxgraph.service import PbxService

HEARTBEAT_S = 15.0


def _presented(params: dict[str, Any] | None) -> str | None:
    """The token of a ``connection_init`` payload: ``token``, or ``Authorization: Bearer ...``."""
    if not params:
        return None
    token = params.get("token")
    if isinstance(token, str):
        return token
    for key, value in params.items():
        if key.lower() == "authorization" and isinstance(value, str):
            scheme, _, presented = value.partition(" ")
            if scheme.lower() == "bearer":
                return presented.strip()
    return None


class WebSocketEndpoint(GraphQL[Context, None]):
    """strawberry's ASGI view, for WebSockets only, with pbxgraph's context and token check."""

    def __init__(
        self, schema: BaseSchema, service: PbxService, auth: AuthConfig, new_context: Callable[..., Context]
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            keep_alive=True,
            keep_alive_interval=HEARTBEAT_S,
            connection_init_wait_timeout=timedelta(seconds=30),
        )
        self.service = service
        self.auth = auth
        self.new_context = new_context

    async def get_context(self, request: Any, response: Any) -> Context:
        # The role and token come with ``connection_init``; until then the socket may do nothing.
        return self.new_context(self.service, role="none", request=request)

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        if not self.auth.enabled:
            context.role = "admin"
            return None
        presented = _presented(context.connection_params)
        match = self.auth.match(presented) if presented else None
        if match is None:
            raise ConnectionRejectionError({"message": "an API token is required in the connection_init payload"})
        scoped = self.service.scoped(match.backends)
        context.service, context.loaders = scoped, Loaders(scoped)
        context.role, context.token = match.role, match.name
        return None


def _event(change: ChangeEvent) -> str:
    data = {
        "kind": change.kind.name,
        "id": change.id,
        "nativeId": change.native_id,
        "backend": change.backend,
        "operation": change.operation,
        "fields": change.fields,
        "time": change.time.isoformat(),
        "source": change.source,
    }
    return f"event: change\ndata: {json.dumps(data)}\n\n"


async def sse_changes(request: Request, service: PbxService) -> Response:
    """``GET /changes``: the change feed as ``text/event-stream``."""
    state = service.state
    if state is None:
        return JSONResponse({"error": "no change feed is kept by this server"}, status_code=404)
    try:
        backends = watched(service, request.query_params.getlist("backend") or None, field="backend")
        kinds = [domain.Kind[k.upper()].name for k in request.query_params.getlist("kind")] or None
    except KeyError:
        return JSONResponse({"error": f"kind: one of {', '.join(k.name for k in domain.Kind)}"}, status_code=400)
    except PbxError as error:
        return JSONResponse({"error": error.message, "code": error.code}, status_code=400)

    async def events() -> AsyncIterator[str]:
        async with state.feed.subscribe(backends=backends, kinds=kinds) as subscription:
            yield ": connected\n\n"
            while True:
                try:
                    change = await asyncio.wait_for(subscription.queue.get(), HEARTBEAT_S)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield _event(ChangeEvent.of(change))

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )


__all__ = ["WebSocketEndpoint", "sse_changes"]
