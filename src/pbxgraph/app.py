"""The ASGI application: /graphql (with GraphiQL), /healthz, /readyz, /metrics.

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
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionResult

from pbxgraph.config import AuthConfig, Config
from pbxgraph.domain import HealthStatus
from pbxgraph.graphiql import ASSETS_DIR, CSP, STATIC_PREFIX, graphiql_html
from pbxgraph.schema import Context, new_context, schema
from pbxgraph.service import Backends, PbxService
from pbxgraph.service.metrics import METRICS

log = logging.getLogger("pbxgraph.app")
ROLE_KEY = "pbxgraph.role"


class PbxGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI view, with our context, our GraphiQL page and metrics."""

    def __init__(self, service: PbxService) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.service = service

    async def get_context(self, request: Any, response: Any) -> Context:
        role = request.scope.get(ROLE_KEY, "admin")
        return new_context(self.service, role=role, request=request)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        html = graphiql_html(endpoint=request.url.path, root_path=request.scope.get("root_path", ""))
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP})

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        METRICS.observe_request("error" if result.errors else "ok")
        return await super().process_result(request, result)


def _unauthenticated(message: str, status: int = 401) -> Response:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}
    return JSONResponse(body, status_code=status, headers={"WWW-Authenticate": "Bearer"})


class TokenGate:
    """Every GraphQL call carries ``Authorization: Bearer <token>`` once tokens are configured.

    The GraphiQL page itself is served without one (it is static and holds no
    data), so a person can open it and put the token in its headers pane.
    """

    def __init__(self, app: ASGIApp, auth: AuthConfig) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.auth.enabled:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        wants_page = request.method == "GET" and "text/html" in request.headers.get("accept", "") \
            and "query" not in request.query_params
        if wants_page:
            await self.app(scope, receive, send)
            return
        header = request.headers.get("authorization", "")
        scheme, _, presented = header.partition(" ")
        if not header:
            await _unauthenticated("an API token is required: Authorization: Bearer <token>")(scope, receive, send)
            return
        match = None
        if scheme.lower() == "bearer":
            for token in self.auth.tokens:
                if hmac.compare_digest(token.token.encode(), presented.strip().encode()):
                    match = token
        if match is None:
            await _unauthenticated("the API token is not valid")(scope, receive, send)
            return
        scope = dict(scope)
        scope[ROLE_KEY] = match.role
        await self.app(scope, receive, send)


def create_app(
    config: Config,
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    backends: Backends | None = None,
) -> Starlette:
    """Build the app.

    ``transports`` reach configured backends without a network (tests, the
    in-process demo); ``backends`` replaces building connectors from the
    configuration altogether, for programs that embed pbxgraph with connectors
    they construct themselves.
    """
    backends = backends if backends is not None else Backends.from_config(config.backends, transports)
    service = PbxService(backends, config.limits)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await backends.open()
        log.info("serving %d backend(s): %s", len(backends), ", ".join(backends.names))
        try:
            yield
        finally:
            await backends.aclose()

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
                log.warning("backend %s is not ready (%s, %s): %s", name, health.status.value, health.code,
                            health.detail)
        ready = all(h.status is HealthStatus.UP for h in results)
        return Response(json.dumps({"ready": ready, "backends": report}), status_code=200 if ready else 503,
                        media_type="application/json")

    async def metrics(request: Request) -> Response:
        return PlainTextResponse(METRICS.render(), media_type="text/plain; version=0.0.4")

    async def root(request: Request) -> Response:
        return JSONResponse({"graphql": "/graphql", "health": "/healthz", "ready": "/readyz"})

    graphql_app = TokenGate(PbxGraphQL(service), config.auth)
    app = Starlette(
        routes=[
            Route("/", root),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Mount(STATIC_PREFIX, app=StaticFiles(directory=ASSETS_DIR), name="graphiql-assets"),
        ],
        lifespan=lifespan,
    )
    app.state.service = service
    return app
