"""A circuit breaker per vendor backend: stop calling a PBX that keeps failing, try it again later.

Without one, every query that touches a dead or drowning backend waits out
its timeout (and keeps a connection and a concurrency slot busy meanwhile),
and a PBX that is struggling gets the full load of every client on top.
After ``failures`` requests in a row that the backend did not answer, or
answered with a 5xx, the breaker opens: for ``reset_s`` seconds requests to
that backend are refused at once with ``BACKEND_UNAVAILABLE`` and reach no
vendor, so the rest of each query comes back without waiting. Then it is
half-open: one request goes through as a probe (the others are still
refused); its success closes the breaker, its failure opens it again.

Requests that were in flight together and fail together count as one
failure: a query fans out many calls at once, and a burst of them failing
(one broken path, one dropped connection pool) is one event, not the
backend failing five times; the breaker opens on failures that went on
after each other.

An answer below 500 (a 404, a refused input, a 429 already waited for)
proves the backend is up and counts as a success. A request cancelled
because the caller's deadline passed counts as neither: it says nothing of
the backend. The state is per process (each replica judges for itself) and
is shown in ``/metrics`` as ``pbxgraph_backend_breaker_state``.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable

from pbxgraph.errors import BackendUnavailable
from pbxgraph.telemetry.metrics import METRICS


class BreakerState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """The failures of one backend in a row, and whether it may be called now.

    ``failures`` of 0 turns the breaker off (every request is sent).
    ``clock`` is the monotonic time source, replaceable for tests of the
    timing itself.
    """

    def __init__(
        self,
        backend: str,
        *,
        failures: int,
        reset_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.threshold = failures
        self.reset_s = reset_s
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._failed = 0
        self._opened_at = 0.0
        self._probing = False
        #: Failures recorded so far; a request remembers the count it started at.
        self._epoch = 0
        METRICS.breaker_state(backend, lambda: self.state.value)

    @property
    def state(self) -> BreakerState:
        """The state now, moving an open breaker whose wait is over to half-open."""
        if self._state is BreakerState.OPEN and self._clock() - self._opened_at >= self.reset_s:
            self._state = BreakerState.HALF_OPEN
        return self._state

    def admit(self) -> int:
        """Before a request: its ticket if it may be sent (closed, or the half-open probe), else BACKEND_UNAVAILABLE.

        The caller reports the outcome with :meth:`succeeded`,
        :meth:`failed` (passing the ticket) or :meth:`abandoned`.
        """
        if self.threshold <= 0:
            return self._epoch
        state = self.state
        if state is BreakerState.CLOSED:
            return self._epoch
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return self._epoch
        raise self._refusal()

    def succeeded(self) -> None:
        self._probing = False
        self._failed = 0
        self._state = BreakerState.CLOSED

    def failed(self, ticket: int) -> None:
        """A request admitted with ``ticket`` failed; not counted again if a failure was recorded since it began."""
        if self.threshold <= 0 or ticket < self._epoch:
            return  # off, or it overlapped a failure already counted
        self._probing = False
        self._epoch += 1
        self._failed += 1
        if self._state is BreakerState.HALF_OPEN or self._failed >= self.threshold:
            self._opened_at = self._clock()
            self._state = BreakerState.OPEN

    def abandoned(self) -> None:
        """The request ended without telling anything of the backend (cancelled): let another probe go."""
        self._probing = False

    def _refusal(self) -> BackendUnavailable:
        if self._state is BreakerState.OPEN:
            wait = max(0.0, self.reset_s - (self._clock() - self._opened_at))
            when = f"tried again in {wait:.0f} s" if wait >= 1 else "tried again in under a second"
        else:
            when = "tried again once the request probing it answers"
        return BackendUnavailable(
            f"backend '{self.backend}' is not being called: it failed {self._failed} times in a row "
            f"(circuit breaker open); it is {when}",
            backend=self.backend,
        )
