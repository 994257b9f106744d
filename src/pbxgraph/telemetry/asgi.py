"""The observer around the whole app: request id, access line, latency, request span.

Every HTTP request gets an id (the client's ``X-Request-ID`` when it is a sane
token, else a new one), returned in ``X-Request-ID``. A GraphQL request is
logged in one access line when it ends, with its operation, duration, status,
what each backend was asked and how it went, and the codes of the errors it
returned; its latency goes to the histogram of its operation. Other paths
(probes, metrics, static assets) are logged at DEBUG only.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pbxgraph.telemetry.metrics import METRICS
from pbxgraph.telemetry.requests import RequestRecord, request_id, serving
from pbxgraph.telemetry.tracing import Tracing

access_log = logging.getLogger("pbxgraph.access")


class RequestObserver:
    def __init__(self, app: ASGIApp, *, graphql_path: str = "/graphql", tracing: Tracing | None = None) -> None:
        self.app = app
        self.graphql_path = graphql_path
        self.tracing = tracing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        record = RequestRecord(
            id=request_id(headers.get("x-request-id")),
            method=scope["method"],
            path=scope["path"],
            tracer=self.tracing.tracer if self.tracing else None,
        )
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = record.id
            await send(message)

        span_cm: Any = contextlib.nullcontext()
        if self.tracing is not None:
            span_cm = self.tracing.request_span(
                f"{scope['method']} {scope['path']}",
                headers,
                {"http.request.method": scope["method"], "url.path": scope["path"], "pbxgraph.request_id": record.id},
            )
        with serving(record), span_cm as span:
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                if span is not None:
                    span.set_attribute("http.response.status_code", status)
                    if record.operation:
                        span.set_attribute("graphql.operation.name", record.operation)
                        span.update_name(f"{record.operation_type or 'graphql'} {record.operation}")
                self._report(record, status)

    def _report(self, record: RequestRecord, status: int) -> None:
        elapsed_ms = record.elapsed_ms()
        graphql = record.operation_type is not None or status >= 400
        if record.path != self.graphql_path or not graphql:
            access_log.debug("%s %s %d %.1f ms", record.method, record.path, status, elapsed_ms)
            return
        METRICS.observe_graphql(record.operation, elapsed_ms / 1000, record.errors)
        fields: dict[str, Any] = {
            "request_id": record.id,
            "operation": record.operation or "anonymous",
            "status": status,
            "duration_ms": round(elapsed_ms, 1),
            "backends": {name: record.backends[name].summary() for name in sorted(record.backends)},
            "errors": list(record.errors),
        }
        access_log.info("%s %s", record.method, record.path, extra={"fields": fields})
