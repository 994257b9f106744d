"""The ASGI application: /graphql (with GraphiQL), /healthz, /readyz, /metrics.

Around it: the request observer (request id, access line, latency, trace
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
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionResult

from pbxgraph.config import AuthConfig, Config, ServerConfig
from pbxgraph.domain import HealthStatus
from pbxgraph.graphiql import ASSETS_DIR, CSP, STATIC_PREFIX, graphiql_html
from pbxgraph.schema import Context, new_context, production_schema, schema
from pbxgraph.service import Backends, PbxService
from pbxgraph.telemetry.asgi import RequestObserver
from pbxgraph.telemetry.metrics import METRICS
from pbxgraph.telemetry.tracing import Tracing

log = logging.getLogger("pbxgraph.app")
ROLE_KEY = "pbxgraph.role"
#: The backends the caller's token may see (None: all).
BACKENDS_KEY = "pbxgraph.backends"


#: Deepest nesting of arrays and objects a request's JSON may have.
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def request_error(message: str, status: int = 400) -> Response:
    """A request pbxgraph cannot take, answered in GraphQL's shape (never a bare text or a 500)."""
    body = {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}
    return JSONResponse(body, status_code=status)


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``text`` nests arrays or objects deeper than ``limit``, without parsing it.

    Python's parser would recurse once per level and fail with RecursionError
    (a 500) on a 100,000-deep body; strings are skipped, brackets counted.
    """
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if bracket.group(0) in "[{" else -1
        if depth > limit:
            return True
    return False


def parse_request_json(data: str | bytes, what: str) -> Any:
    """JSON from the request (``what`` names it): UTF-8, standard JSON, bounded depth; else HTTP 400."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPException(400, f"{what} is not valid UTF-8") from None
    if json_too_deep(data):
        raise HTTPException(400, f"{what} nests arrays or objects deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(data, parse_constant=_not_json)
    except (ValueError, RecursionError):
        raise HTTPException(400, f"{what} is not valid JSON") from None


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


class PbxGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI view, with our context, our GraphiQL page and metrics.

    Whatever the client sends, a request error answers 400 with a GraphQL
    error body: a body that is not a JSON object, invalid UTF-8 or deeply
    nested JSON would otherwise reach strawberry's parser and fail as a 500.
    """

    def __init__(self, service: PbxService, *, production: bool = False) -> None:
        super().__init__(production_schema() if production else schema,
                         graphql_ide=None if production else "graphiql", allow_queries_via_get=True)
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = request_error(exc.reason, exc.status_code)
        await response(scope, receive, send)

    def parse_json(self, data: str | bytes) -> Any:
        value = parse_request_json(data, "the request body")
        if not isinstance(value, dict):
            raise HTTPException(400, "the request body must be a JSON object with a 'query' "
                                     f"(got {_json_kind(value)}; batches are not supported)")
        return value

    def parse_query_params(self, params: Mapping[str, str | None]) -> dict[str, Any]:
        parsed: dict[str, Any] = dict(params)
        for name in ("variables", "extensions"):
            if parsed.get(name):
                value = parse_request_json(parsed[name], f"the '{name}' parameter")
                if value is not None and not isinstance(value, dict):
                    raise HTTPException(400, f"the '{name}' parameter must be a JSON object "
                                             f"(got {_json_kind(value)})")
                parsed[name] = value
        return parsed

    async def get_context(self, request: Any, response: Any) -> Context:
        role = request.scope.get(ROLE_KEY, "admin")
        service = self.service.scoped(request.scope.get(BACKENDS_KEY))
        return new_context(service, role=role, request=request)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        html = graphiql_html(endpoint=request.url.path, root_path=request.scope.get("root_path", ""))
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP})

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        METRICS.observe_request("error" if result.errors else "ok")
        return await super().process_result(request, result)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "an array", dict: "an object"}.get(type(value), "a value")


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
        match = self.auth.match(presented.strip()) if scheme.lower() == "bearer" else None
        if match is None:
            await _unauthenticated("the API token is not valid")(scope, receive, send)
            return
        scope = dict(scope)
        scope[ROLE_KEY] = match.role
        scope[BACKENDS_KEY] = match.backends
        await self.app(scope, receive, send)


def may_read_metrics(request: Request, auth: AuthConfig) -> bool:
    """/metrics is open while no token is configured; then any API token, or the metrics token."""
    if not auth.enabled and auth.metrics_token is None:
        return True
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    presented = presented.strip()
    if scheme.lower() != "bearer" or not presented:
        return False
    metrics_token = auth.metrics_token is not None and hmac.compare_digest(
        auth.metrics_token.encode(), presented.encode())
    return auth.match(presented) is not None or metrics_token


def _middleware(server: ServerConfig, tracing: Tracing | None) -> list[Middleware]:
    stack = [Middleware(RequestObserver, graphql_path="/graphql", tracing=tracing)]
    if server.cors_origins:
        anywhere = "*" in server.cors_origins
        stack.append(Middleware(
            CORSMiddleware, allow_origins=list(server.cors_origins),
            # Credentials are for named origins; "*" with credentials would trust every site.
            allow_credentials=not anywhere, allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID", "traceparent", "tracestate"],
            expose_headers=["X-Request-ID"], max_age=600))
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
    service = PbxService(backends, config.limits)
    tracing = Tracing(tracer_provider, owned=False) if tracer_provider is not None \
        else Tracing.from_config(config.tracing)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await backends.open()
        log.info("serving %d backend(s): %s", len(backends), ", ".join(backends.names))
        try:
            yield
        finally:
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
                log.warning("backend %s is not ready (%s, %s): %s", name, health.status.value, health.code,
                            health.detail)
        ready = all(h.status is HealthStatus.UP for h in results)
        return Response(json.dumps({"ready": ready, "backends": report}), status_code=200 if ready else 503,
                        media_type="application/json")

    async def metrics(request: Request) -> Response:
        if not may_read_metrics(request, config.auth):
            return PlainTextResponse("a token is required: Authorization: Bearer <token>", status_code=401,
                                     headers={"WWW-Authenticate": "Bearer"})
        body, content_type = METRICS.render(request.headers.get("accept", ""))
        return Response(body, headers={"Content-Type": content_type})

    async def root(request: Request) -> Response:
        return JSONResponse({"graphql": "/graphql", "health": "/healthz", "ready": "/readyz"})

    graphql_app = TokenGate(PbxGraphQL(service, production=config.server.production), config.auth)
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
        middleware=_middleware(config.server, tracing),
    )
    app.state.service = service
    return app
