"""Process-wide metrics for /metrics, in the Prometheus exposition format.

Built on ``prometheus-client``: histograms need cumulative buckets, sums and
counts kept consistent under concurrency and rendered exactly as Prometheus
parses them, which is what that library is for. The registry is pbxgraph's
own (not the library's global one), so an application embedding pbxgraph
keeps its metrics apart.

Label values a client controls are bounded: an operation name is used as a
label only if it looks like one and while fewer than :data:`MAX_OPERATIONS`
names have been seen, so a client sending random names cannot grow the
series without limit.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder

MAX_OPERATIONS = 200
_OPERATION = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
ERROR_CODES = frozenset(
    {
        "BAD_USER_INPUT",
        "NOT_FOUND",
        "NOT_SUPPORTED",
        "CONFLICT",
        "BACKEND_UNAVAILABLE",
        "BACKEND_TIMEOUT",
        "BACKEND_ERROR",
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "INTERNAL_SERVER_ERROR",
        "PERSISTED_QUERY_NOT_FOUND",
        "PERSISTED_QUERY_NOT_SUPPORTED",
        "PERSISTED_QUERY_NOT_IN_LIST",
    }
)
BREAKER_STATES = ("closed", "open", "half_open")
#: Seconds: GraphQL requests and backend calls both span a millisecond to the timeouts.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._lock = threading.Lock()
        self._operations: set[str] = set()
        self._requests = Counter(
            "pbxgraph_graphql_requests", "GraphQL requests by outcome.", ["outcome"], registry=self.registry
        )
        self._request_seconds = Histogram(
            "pbxgraph_graphql_request_duration_seconds",
            "GraphQL request latency by operation name.",
            ["operation"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self._errors = Counter(
            "pbxgraph_graphql_errors",
            "Errors returned to clients, by extensions.code.",
            ["code"],
            registry=self.registry,
        )
        self._calls = Counter(
            "pbxgraph_backend_calls",
            "Connector calls by backend, operation and outcome.",
            ["backend", "operation", "outcome"],
            registry=self.registry,
        )
        self._call_seconds = Histogram(
            "pbxgraph_backend_call_duration_seconds",
            "Backend call latency by backend and outcome.",
            ["backend", "outcome"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self._up = Gauge(
            "pbxgraph_backend_up",
            "1 if the backend's last health probe answered, else 0.",
            ["backend"],
            registry=self.registry,
        )
        self._breaker = Gauge(
            "pbxgraph_backend_breaker_state",
            "1 for the state each vendor backend's circuit breaker is in (closed, open, half_open), 0 for the others.",
            ["backend", "state"],
            registry=self.registry,
        )

    def operation_label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if not _OPERATION.fullmatch(name):
            return "other"
        with self._lock:
            if name in self._operations:
                return name
            if len(self._operations) >= MAX_OPERATIONS:
                return "other"
            self._operations.add(name)
            return name

    def observe_backend_call(self, backend: str, operation: str, outcome: str, seconds: float) -> None:
        self._calls.labels(backend, operation, outcome).inc()
        self._call_seconds.labels(backend, outcome).observe(seconds)

    def observe_request(self, outcome: str) -> None:
        self._requests.labels(outcome).inc()

    def observe_graphql(self, operation: str | None, seconds: float, codes: list[str]) -> None:
        self._request_seconds.labels(self.operation_label(operation)).observe(seconds)
        for code in codes:
            self._errors.labels(code if code in ERROR_CODES else "OTHER").inc()

    def backend_health(self, backend: str, up: bool) -> None:
        self._up.labels(backend).set(1 if up else 0)

    def breaker_state(self, backend: str, state: Callable[[], str]) -> None:
        """Show ``state()`` for ``backend``, read at each scrape (an open breaker turns half-open with time)."""

        def is_in(each: str) -> Callable[[], float]:
            return lambda: 1.0 if state() == each else 0.0

        for each in BREAKER_STATES:
            self._breaker.labels(backend, each).set_function(is_in(each))

    def render(self, accept: str = "") -> tuple[bytes, str]:
        """The exposition and its content type: the classic text format unless the scraper
        asks for OpenMetrics or a newer text format in ``Accept``."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type


METRICS = Metrics()
