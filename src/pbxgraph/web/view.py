"""``/graphql``: GraphQL over HTTP as its spec gives it, GraphiQL for browsers, persisted queries, batches.

* **Media types.** ``application/graphql-response+json`` when the client
  accepts it, ``application/json`` otherwise (and when it sends no
  ``Accept``); 406 when it accepts neither. With the new type, a request that
  is not executed (its document does not parse or validate, its variables do
  not coerce, its operation cannot be found) answers 400; with
  ``application/json`` every well-formed request answers 200, as older
  clients expect. Either way such a response has no ``data``: ``data: null``
  means execution started and a non-null field failed.
* **Methods.** POST runs queries and mutations; GET and HEAD run queries only
  (a mutation is 405 with ``Allow: POST``); HEAD answers GET's status and
  headers without the body. Any other method is 405 with ``Allow``.
* **GraphiQL.** A browser's navigation (``Accept`` preferring ``text/html``)
  gets GraphiQL, whatever the query string holds: the page itself fills its
  editors from ``query``, ``variables`` and ``operationName``, so a link to a
  query opens GraphiQL with it. Off in the production profile and in
  trusted-documents mode (its own queries would be refused).
* **Batches.** A JSON array of request objects runs each and answers an
  array in the same order, with 200: each entry carries its own errors. At
  most ``[server] max_batch`` entries (0 refuses batches). Each operation
  goes through the schema on its own, with every limit the schema enforces;
  queries run concurrently, and a batch holding a mutation runs in order.
* **Persisted queries** are resolved by :mod:`pbxgraph.web.persisted`.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, parse
from graphql import OperationType as AstOperationType
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from pbxgraph.graphiql import CSP, graphiql_html
from pbxgraph.telemetry.metrics import METRICS
from pbxgraph.telemetry.requests import current
from pbxgraph.web import media
from pbxgraph.web.persisted import PersistedQueries, Resolved
from pbxgraph.web.requests import GraphQLParams, RequestError, from_body, from_query_string, request_object

#: Methods /graphql answers.
ALLOW = "GET, HEAD, POST"
#: Batch entries a request may hold unless ``[server] max_batch`` says otherwise.
DEFAULT_MAX_BATCH = 10
#: Tokens the endpoint reads of a document to find its operations (the schema refuses beyond 5,000).
MAX_TOKENS = 10_000

ContextFactory = Callable[[Request], Any]


@dataclass(slots=True)
class Answer:
    """One operation's answer: its body, and the status and headers it would have on its own."""

    body: dict[str, Any]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: ``body["data"]`` as JSON text, when the schema already encoded it (to check the answer's size).
    data_json: str | None = None

    def encoded(self) -> bytes:
        """The body as JSON, reusing the encoded ``data`` where there is one."""
        if self.data_json is None or "data" not in self.body:
            return encode(self.body)
        rest = {key: value for key, value in self.body.items() if key != "data"}
        tail = b"," + encode(rest)[1:] if rest else b"}"
        return b'{"data":' + self.data_json.encode("utf-8") + tail


def encode(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def json_response(
    body: Any, status: int, media_type: str, headers: Mapping[str, str] | None = None, *, content: bytes | None = None
) -> Response:
    """``body`` as JSON (``content``: already encoded)."""
    return Response(
        encode(body) if content is None else content,
        status_code=status,
        media_type=f"{media_type}; charset=utf-8",
        headers={"Vary": "Accept", **(headers or {})},
    )


def error_response(error: RequestError, media_type: str | None) -> Response:
    """A request error in the client's media type (``application/json`` when it named none we serve)."""
    chosen = media_type or media.JSON
    status = error.legacy_status if chosen == media.JSON else error.status
    _record([error.code])
    return json_response(error.body(), status, chosen, error.headers)


def _record(codes: list[str]) -> None:
    """Errors answered before the schema saw the request still reach the access log and metrics."""
    record = current()
    if record is not None:
        record.errors += codes
        record.operation_type = record.operation_type or "invalid"


class GraphQLEndpoint:
    """The ASGI app behind ``/graphql`` (see the module docstring)."""

    def __init__(
        self,
        schema: BaseSchema,
        context: ContextFactory,
        *,
        graphiql: bool,
        persisted: PersistedQueries | None = None,
        max_batch: int = DEFAULT_MAX_BATCH,
        bearer_tokens: bool = False,
    ) -> None:
        self.schema = schema
        self.context = context
        self.persisted = persisted or PersistedQueries()
        self.graphiql = graphiql and not self.persisted.trusted_only
        self.max_batch = max_batch
        self.bearer_tokens = bearer_tokens

    def serves_page(self, request: Request) -> bool:
        """Whether this request gets the GraphiQL page."""
        return self.graphiql and request.method in ("GET", "HEAD") and media.wants_page(request.headers.get("accept"))

    def public(self, request: Request) -> bool:
        """Whether answering this request reveals nothing, so it needs no token: the page, or a 405."""
        return self.serves_page(request) or request.method not in ("GET", "HEAD", "POST")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.handle(request)
        if request.method == "HEAD":
            response = _without_body(response)
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        chosen = media.choose(request.headers.get("accept"))
        if request.method not in ("GET", "HEAD", "POST"):
            return error_response(
                RequestError(
                    f"/graphql takes GET, HEAD and POST, not {request.method[:20]}",
                    status=405,
                    headers={"Allow": ALLOW},
                ),
                chosen,
            )
        if self.serves_page(request):
            return self.page(request)
        if chosen is None:
            return error_response(
                RequestError(
                    f"the response can be sent as {media.GRAPHQL_RESPONSE} or {media.JSON}, and the Accept header "
                    "takes neither",
                    status=406,
                ),
                media.JSON,
            )
        try:
            if request.method == "POST":
                params = from_body(await request.body(), request.headers.get("content-type"))
            else:
                params = from_query_string(request.query_params)
        except RequestError as error:
            return error_response(error, chosen)
        if isinstance(params, list):
            return await self.batch(request, params, chosen)
        answer = await self.run(request, params, chosen)
        return json_response(answer.body, answer.status, chosen, answer.headers, content=answer.encoded())

    def page(self, request: Request) -> Response:
        html = graphiql_html(
            endpoint=request.url.path, root_path=request.scope.get("root_path", ""), bearer_tokens=self.bearer_tokens
        )
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "Vary": "Accept"})

    async def run(self, request: Request, params: GraphQLParams, chosen: str) -> Answer:
        """One operation, start to end; request errors become answers, never exceptions."""
        try:
            resolved = self.persisted.resolve(params)
        except RequestError as error:
            return self._refused(error, chosen)
        return await self.execute(request, params, resolved, chosen)

    async def execute(self, request: Request, params: GraphQLParams, resolved: Resolved, chosen: str) -> Answer:
        allowed = (
            {OperationType.QUERY}
            if request.method in ("GET", "HEAD")
            else {OperationType.QUERY, OperationType.MUTATION}
        )
        if params.operation_name is None and len(operations(resolved.query)) > 1:
            # GraphQL's GetOperation: several operations need a name (strawberry would run the first).
            return self._refused(
                RequestError("the document holds several operations: name the one to run in 'operationName'"),
                chosen,
                request_error=True,
            )
        context = self.context(request)
        try:
            result = await self.schema.execute(
                resolved.query,
                variable_values=params.variables,
                context_value=context,
                operation_name=params.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=params.extensions,
            )
        except InvalidOperationTypeError as exc:
            return self._refused(_not_allowed(exc.operation_type, request.method), chosen)
        except CannotGetOperationTypeError as exc:
            return self._refused(_no_operation(exc, params), chosen, request_error=True)
        except MissingQueryError:
            return self._refused(RequestError("the 'query' is empty"), chosen)
        METRICS.observe_request("error" if result.errors else "ok")
        started = executed(result)
        if started:
            self.persisted.remember(resolved)
        body: dict[str, Any] = {}
        if started:
            body["data"] = result.data
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            body["extensions"] = result.extensions
        status = 200 if started or chosen == media.JSON else 400
        encoded = getattr(context, "encoded_data", None)
        data_json = encoded[1] if started and encoded is not None and encoded[0] is result.data else None
        return Answer(body, status, data_json=data_json)

    def _refused(self, error: RequestError, chosen: str, *, request_error: bool = False) -> Answer:
        """An operation that does not run; ``request_error``: a GraphQL request error (200 with JSON)."""
        _record([error.code])
        METRICS.observe_request("error")
        status = error.status if chosen != media.JSON else (200 if request_error else error.legacy_status)
        return Answer(error.body(), status, error.headers)

    async def batch(self, request: Request, entries: list[Any], chosen: str) -> Response:
        if self.max_batch <= 0:
            return error_response(
                RequestError(
                    "batched requests (a JSON array of operations) are turned off on this server "
                    "([server] max_batch = 0): send one operation per request"
                ),
                chosen,
            )
        if not entries:
            return error_response(RequestError("the batch is empty: send at least one operation"), chosen)
        if len(entries) > self.max_batch:
            return error_response(
                RequestError(
                    f"the batch holds {len(entries)} operations; this server takes at most {self.max_batch} "
                    "([server] max_batch)"
                ),
                chosen,
            )
        try:
            params = [request_object(entry, f"batch entry [{index}]") for index, entry in enumerate(entries)]
        except RequestError as error:
            return error_response(error, chosen)
        resolved: list[Resolved | RequestError] = []
        for entry in params:
            try:
                resolved.append(self.persisted.resolve(entry))
            except RequestError as error:
                resolved.append(error)

        async def one(entry: GraphQLParams, found: Resolved | RequestError) -> Answer:
            if isinstance(found, RequestError):
                return self._refused(found, chosen)
            return await self.execute(request, entry, found, chosen)

        if any(
            isinstance(found, Resolved) and _mutates(found.query, entry.operation_name)
            for entry, found in zip(params, resolved, strict=True)
        ):
            answers = [await one(entry, found) for entry, found in zip(params, resolved, strict=True)]
        else:
            answers = list(
                await asyncio.gather(*(one(entry, found) for entry, found in zip(params, resolved, strict=True)))
            )
        return json_response([answer.body for answer in answers], 200, chosen)


def executed(result: ExecutionResult) -> bool:
    """Whether execution started: not refused while parsing, validating or coercing variables.

    strawberry marks parse and validation failures (and a request an extension
    refused before execution) as :class:`PreExecutionError`; graphql-core
    answers variables that do not coerce with no data and errors that have no
    path, where every field error has one.
    """
    if isinstance(result, PreExecutionError):
        return False
    errors = result.errors or []
    return not (result.data is None and errors and all(error.path is None for error in errors))


def operations(query: str | None) -> list[OperationDefinitionNode]:
    """The operations a document defines; none when it does not parse (the schema then says why).

    Parsing is bounded by tokens like the schema's own parse, so a huge
    document costs no more here than there; each distinct text is parsed
    once (clients send the same documents again and again).
    """
    if not query:
        return []
    return list(_operations(query))


@functools.lru_cache(maxsize=512)
def _operations(query: str) -> tuple[OperationDefinitionNode, ...]:
    try:
        document = parse(query, no_location=True, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return ()
    return tuple(d for d in document.definitions if isinstance(d, OperationDefinitionNode))


def _mutates(query: str | None, operation_name: str | None) -> bool:
    found = operations(query)
    if operation_name is not None:
        found = [o for o in found if o.name is not None and o.name.value == operation_name]
    return bool(found) and found[0].operation is AstOperationType.MUTATION


def _not_allowed(operation_type: OperationType, method: str) -> RequestError:
    if operation_type is OperationType.MUTATION:
        return RequestError(f"mutations are sent with POST, not {method}", status=405, headers={"Allow": "POST"})
    return RequestError("this server has no subscriptions", status=400)


def _no_operation(exc: CannotGetOperationTypeError, params: GraphQLParams) -> RequestError:
    if params.operation_name is None:
        return RequestError("the document holds no operation to run")
    return RequestError(f"the document has no operation named '{params.operation_name[:100]}'")


def _without_body(response: Response) -> Response:
    """HEAD: the same status and headers (Content-Length included), no body."""
    response.body = b""
    return response


__all__ = ["ALLOW", "DEFAULT_MAX_BATCH", "GraphQLEndpoint", "error_response", "executed", "json_response"]
