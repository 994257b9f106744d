"""Process-wide counters for /metrics, in the Prometheus text format.

Kept by hand rather than through a client library: a handful of counters and
sums is all we expose, and the text format is stable and tiny.
"""

from __future__ import annotations

import threading
from collections import defaultdict


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[tuple[str, str, str], int] = defaultdict(int)
        self._seconds: dict[tuple[str, str], float] = defaultdict(float)
        self._requests: dict[str, int] = defaultdict(int)

    def observe_backend_call(self, backend: str, operation: str, outcome: str, seconds: float) -> None:
        with self._lock:
            self._calls[(backend, operation, outcome)] += 1
            self._seconds[(backend, operation)] += seconds

    def observe_request(self, outcome: str) -> None:
        with self._lock:
            self._requests[outcome] += 1

    def render(self) -> str:
        lines = [
            "# HELP pbxgraph_graphql_requests_total GraphQL requests by outcome.",
            "# TYPE pbxgraph_graphql_requests_total counter",
        ]
        with self._lock:
            for outcome, count in sorted(self._requests.items()):
                lines.append(f'pbxgraph_graphql_requests_total{{outcome="{outcome}"}} {count}')
            lines += [
                "# HELP pbxgraph_backend_calls_total Connector calls by backend, operation and outcome.",
                "# TYPE pbxgraph_backend_calls_total counter",
            ]
            for (backend, operation, outcome), count in sorted(self._calls.items()):
                lines.append(
                    f'pbxgraph_backend_calls_total{{backend="{backend}",operation="{operation}",'
                    f'outcome="{outcome}"}} {count}'
                )
            lines += [
                "# HELP pbxgraph_backend_call_seconds_total Time spent in connector calls.",
                "# TYPE pbxgraph_backend_call_seconds_total counter",
            ]
            for (backend, operation), seconds in sorted(self._seconds.items()):
                lines.append(
                    f'pbxgraph_backend_call_seconds_total{{backend="{backend}",operation="{operation}"}} '
                    f"{seconds:.6f}"
                )
        return "\n".join(lines) + "\n"


METRICS = Metrics()
