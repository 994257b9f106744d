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
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from cross_web import HTTPException
from starlette.datastructures import QueryParams
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

    def __init__(self, service: PbxService) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
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

    def parse_query_params(self, params: QueryParams) -> dict[str, Any]:
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
        return new_context(self.service, role=role, request=request)

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
    service = PbxService(backends)

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
        names = backends.names
        results = await asyncio.gather(*(service.health(n) for n in names))
        report = {n: {"status": h.status.value, "detail": h.detail} for n, h in zip(names, results, strict=True)}
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
