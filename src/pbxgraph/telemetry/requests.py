"""The request being served, as every layer below the app can see it.

The app's observer middleware opens a :class:`RequestRecord` in a context
variable; asyncio copies the context into every task the request starts, so
backend calls made deep in the service or a connector add to the record of
the request that caused them, and log lines carry its id, without any layer
passing it along.
"""

from __future__ import annotations

import contextlib
import functools
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

_CURRENT: ContextVar[RequestRecord | None] = ContextVar("pbxgraph_request", default=None)
#: What a client may send as X-Request-ID: a short token, never anything that could forge a log line.
_CLIENT_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


def request_id(presented: str | None) -> str:
    """The client's X-Request-ID when it is a sane token, else a new one."""
    if presented and _CLIENT_ID.fullmatch(presented):
        return presented
    return uuid.uuid4().hex


@dataclass(slots=True)
class BackendCalls:
    """One backend's part in a request: connector calls by outcome, and vendor HTTP requests."""

    calls: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    http: int = 0

    def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = {"calls": self.calls, **dict(sorted(self.outcomes.items()))}
        if self.http:
            result["http"] = self.http
        return result


@dataclass(slots=True)
class RequestRecord:
    id: str
    method: str = ""
    path: str = ""
    started: float = field(default_factory=time.perf_counter)
    #: The GraphQL operation's name and type, once the schema has parsed it.
    operation: str | None = None
    operation_type: str | None = None
    backends: dict[str, BackendCalls] = field(default_factory=dict)
    #: ``extensions.code`` of every error in the response, in order.
    errors: list[str] = field(default_factory=list)
    #: An OpenTelemetry tracer when tracing is on.
    tracer: Any = None

    def backend_call(self, backend: str, outcome: str) -> None:
        entry = self.backends.setdefault(backend, BackendCalls())
        entry.calls += 1
        entry.outcomes[outcome] = entry.outcomes.get(outcome, 0) + 1

    def vendor_request(self, backend: str) -> None:
        self.backends.setdefault(backend, BackendCalls()).http += 1

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    @contextlib.contextmanager
    def span(self, name: str, attributes: Mapping[str, Any]) -> Iterator[Any]:
        """A child span of the request's when tracing is on; nothing otherwise."""
        if self.tracer is None:
            yield None
            return
        with self.tracer.start_as_current_span(name, attributes=dict(attributes)) as span:
            yield span


def current() -> RequestRecord | None:
    return _CURRENT.get()


@contextlib.contextmanager
def serving(record: RequestRecord) -> Iterator[RequestRecord]:
    token = _CURRENT.set(record)
    try:
        yield record
    finally:
        _CURRENT.reset(token)


@contextlib.contextmanager
def span(name: str, attributes: Mapping[str, Any]) -> Iterator[Any]:
    """A span under the current request, if there is one and tracing is on."""
    record = current()
    if record is None:
        yield None
        return
    with record.span(name, attributes) as opened:
        yield opened


F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def traced_backend_call(function: F) -> F:
    """Wrap ``call(config, operation, awaitable, ...)`` in a span when tracing is on.

    ``config`` is the backend's configuration; only its ``name`` is read here,
    so telemetry needs nothing from the layers it reports on.
    """

    @functools.wraps(function)
    async def wrapper(config: Any, operation: str, *args: Any, **kwargs: Any) -> Any:
        record = current()
        if record is None or record.tracer is None:
            return await function(config, operation, *args, **kwargs)
        backend = config.name
        with record.span(
            f"backend {backend} {operation}", {"pbxgraph.backend": backend, "pbxgraph.operation": operation}
        ):
            return await function(config, operation, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def backend_call_done(backend: str, outcome: str) -> None:
    """Count a finished backend call in its request, and mark its span with the outcome."""
    record = current()
    if record is None:
        return
    record.backend_call(backend, outcome)
    if record.tracer is not None:
        from opentelemetry import trace

        trace.get_current_span().set_attribute("pbxgraph.outcome", outcome)


def vendor_request_done(backend: str) -> None:
    """Count one HTTP request to a vendor in the current request."""
    record = current()
    if record is not None:
        record.vendor_request(backend)
