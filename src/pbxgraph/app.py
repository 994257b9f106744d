"""The ASGI application: /graphql (with GraphiQL), /healthz, /readyz, /metrics.

``/graphql`` itself is :mod:`pbxgraph.web` (GraphQL over HTTP, persisted
queries, batches, the GraphiQL page); this module builds it from the
configuration and puts the token gate in front of it. Around it: the request observer (request id, access line, latency, trace
span) and, when ``[server] cors_origins`` lists any, Starlette's CORS
middleware for browser frontends on other origins. The production profile
serves a schema without introspection or suggestions, and no GraphiQL.

The backends' connectors (and through them their HTTP clients) are owned by
the app's lifespan: opened once at start-up, closed at shutdown. Opening never
fails because a vendor is down: the schema never depends on a backend being
reachable, and such a backend simply answers with coded errors until it is
back.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from pbxgraph.config import AuthConfig, Config, ServerConfig
from pbxgraph.domain import HealthStatus
from pbxgraph.graphiql import ASSETS_DIR, FAVICON_ICO, STATIC_PREFIX
from pbxgraph.schema import Context, new_context
from pbxgraph.schema.federation import served_schema
from pbxgraph.service import Backends, PbxService
from pbxgraph.service.polling import Pollers
from pbxgraph.state import State
from pbxgraph.telemetry.asgi import RequestObserver
from pbxgraph.telemetry.metrics import METRICS
from pbxgraph.telemetry.tracing import Tracing
from pbxgraph.web import GraphQLEndpoint, PersistedQueries, RequestError, error_response, load_manifest, media
from pbxgraph.web.audit import audit_export
from pbxgraph.web.feed import WebSocketEndpoint, sse_changes

log = logging.getLogger("pbxgraph.app")
ROLE_KEY = "pbxgraph.role"
#: The backends the caller's token may see (None: all).
BACKENDS_KEY = "pbxgraph.backends"
#: The caller's token name (absent while no tokens are configured).
CALLER_KEY = "pbxgraph.token"


def _unauthenticated(request: Request, message: str) -> Response:
    """401 in the client's media type, with no ``data``: nothing was executed."""
    error = RequestError(message, status=401, code="UNAUTHENTICATED", headers={"WWW-Authenticate": "Bearer"})
    return error_response(error, media.choose(request.headers.get("accept")))


class TokenGate:
    """Every GraphQL call carries ``Authorization: Bearer <token>`` once tokens are configured.

    The GraphiQL page itself is served without one (it is static and holds no
    data), so a person can open it and put the token in its headers pane;
    ``public`` (the endpoint's own test) says which requests get the page.
    """

    def __init__(self, app: ASGIApp, auth: AuthConfig, public: Callable[[Request], bool] = lambda _: False) -> None:
        self.app = app
        self.auth = auth
        self.public = public

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.auth.enabled:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self.public(request):
            await self.app(scope, receive, send)
            return
        header = request.headers.get("authorization", "")
        scheme, _, presented = header.partition(" ")
        if not header:
            await _unauthenticated(request, "an API token is required: Authorization: Bearer <token>")(
                scope, receive, send
            )
            return
        match = self.auth.match(presented.strip()) if scheme.lower() == "bearer" else None
        if match is None:
            await _unauthenticated(request, "the API token is not valid")(scope, receive, send)
            return
        scope = dict(scope)
        scope[ROLE_KEY] = match.role
        scope[BACKENDS_KEY] = match.backends
        scope[CALLER_KEY] = match.name
        await self.app(scope, receive, send)


def handler_app(handler: Callable[[Request], Any]) -> ASGIApp:
    """A request handler as a plain ASGI app, so the token gate can stand in front of it."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response = await handler(Request(scope, receive))
        await response(scope, receive, send)

    return app


def may_read_metrics(request: Request, auth: AuthConfig) -> bool:
    """/metrics is open while no token is configured; then any API token, or the metrics token."""
    if not auth.enabled and auth.metrics_token is None:
        return True
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    presented = presented.strip()
    if scheme.lower() != "bearer" or not presented:
        return False
    metrics_token = auth.metrics_token is not None and hmac.compare_digest(
        auth.metrics_token.encode(), presented.encode()
    )
    return auth.match(presented) is not None or metrics_token


def graphql_endpoint(config: Config, service: PbxService) -> GraphQLEndpoint:
    """``/graphql`` as the configuration asks: profile, federation, persisted queries, batches."""
    server = config.server
    served = served_schema(production=server.production, federation=server.federation)
    trusted = load_manifest(server.trusted_documents, served._schema) if server.trusted_documents else None

    def context(request: Request) -> Context:
        scoped = service.scoped(request.scope.get(BACKENDS_KEY))
        return new_context(
            scoped, role=request.scope.get(ROLE_KEY, "admin"), request=request, token=request.scope.get(CALLER_KEY)
        )

    return GraphQLEndpoint(
        served,
        context,
        graphiql=not server.production,
        persisted=PersistedQueries(apq=server.persisted_queries, trusted=trusted),
        max_batch=server.max_batch,
        bearer_tokens=config.auth.enabled,
    )


def _middleware(server: ServerConfig, tracing: Tracing | None) -> list[Middleware]:
    stack = [Middleware(RequestObserver, graphql_path="/graphql", tracing=tracing)]
    if server.cors_origins:
        anywhere = "*" in server.cors_origins
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(server.cors_origins),
                # Credentials are for named origins; "*" with credentials would trust every site.
                allow_credentials=not anywhere,
                allow_methods=["GET", "POST"],
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    "X-Request-ID",
                    "Idempotency-Key",
                    "traceparent",
                    "tracestate",
                ],
                expose_headers=["X-Request-ID"],
                max_age=600,
            )
        )
    return stack


def create_app(
    config: Config,
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    backends: Backends | None = None,
    tracer_provider: Any = None,
) -> Starlette:
    """Build the app.

    ``transports`` reach configured backends without a network (tests, the
    in-process demo); ``backends`` replaces building connectors from the
    configuration altogether, for programs that embed pbxgraph with connectors
    they construct themselves. ``tracer_provider`` (OpenTelemetry) traces
    requests with a provider the caller owns, instead of the ``[tracing]`` table.
    """
    backends = backends if backends is not None else Backends.from_config(config.backends, transports)
    state = State.from_config(config)
    service = PbxService(backends, config.limits, state)
    pollers = Pollers(service, state, config.state.poll)
    tracing = (
        Tracing(tracer_provider, owned=False) if tracer_provider is not None else Tracing.from_config(config.tracing)
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await backends.open()
        await state.open()
        pollers.start()
        log.info("serving %d backend(s): %s", len(backends), ", ".join(backends.names))
        try:
            yield
        finally:
            await pollers.stop()
            await state.aclose()
            await backends.aclose()
            if tracing is not None:
                tracing.shutdown()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        """Status and error code per backend, nothing more: this route needs no token.

        What a failing backend said goes to the log (scrubbed, like every
        vendor text) and to ``backends { health { detail } }`` for callers
        with a token.
        """
        names = backends.names
        results = await asyncio.gather(*(service.health(n) for n in names))
        report: dict[str, dict[str, str | None]] = {}
        for name, health in zip(names, results, strict=True):
            report[name] = {"status": health.status.value, "code": health.code}
            if health.status is not HealthStatus.UP:
                log.warning(
                    "backend %s is not ready (%s, %s): %s", name, health.status.value, health.code, health.detail
                )
        ready = all(h.status is HealthStatus.UP for h in results)
        return Response(
            json.dumps({"ready": ready, "backends": report}),
            status_code=200 if ready else 503,
            media_type="application/json",
        )

    async def metrics(request: Request) -> Response:
        if not may_read_metrics(request, config.auth):
            return PlainTextResponse(
                "a token is required: Authorization: Bearer <token>",
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        body, content_type = METRICS.render(request.headers.get("accept", ""))
        return Response(body, headers={"Content-Type": content_type})

    async def audit_jsonl(request: Request) -> Response:
        scoped = service.scoped(request.scope.get(BACKENDS_KEY))
        return await audit_export(request, scoped, request.scope.get(ROLE_KEY, "admin"))

    async def changes(request: Request) -> Response:
        return await sse_changes(request, service.scoped(request.scope.get(BACKENDS_KEY)))

    async def root(request: Request) -> Response:
        return JSONResponse(
            {
                "graphql": "/graphql",
                "health": "/healthz",
                "ready": "/readyz",
                "changes": "/changes",
                "audit": "/audit.jsonl",
            }
        )

    async def favicon(request: Request) -> Response:
        return FileResponse(FAVICON_ICO, media_type="image/x-icon")

    endpoint = graphql_endpoint(config, service)
    app = Starlette(
        routes=[
            Route("/", root),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            Route("/favicon.ico", favicon),
            Route("/audit.jsonl", TokenGate(handler_app(audit_jsonl), config.auth)),
            Route("/changes", TokenGate(handler_app(changes), config.auth)),
            # Every method reaches the endpoint, which answers those it does not take with 405 and Allow.
            Route("/graphql", TokenGate(endpoint, config.auth, public=endpoint.public)),
            # Subscriptions (and any operation) over graphql-transport-ws; the token comes in connection_init.
            WebSocketRoute("/graphql", WebSocketEndpoint(endpoint.schema, service, config.auth, new_context)),
            Mount(STATIC_PREFIX, app=StaticFiles(directory=ASSETS_DIR), name="graphiql-assets"),
        ],
        lifespan=lifespan,
        middleware=_middleware(config.server, tracing),
    )
    app.state.service = service
    app.state.pollers = pollers
    app.state.graphql = endpoint
    return app
