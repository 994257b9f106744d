"""The request's deadline: one clock over every vendor call a GraphQL request makes.

Each vendor call has its backend's ``timeout_s``, but a nested query makes
calls one level after another, so without a bound over the whole request a
backend answering just under its timeout multiplies the wait by the depth of
the query. The app sets the deadline when a request starts; it lives in a
context variable, so every task the request spawns (resolvers, dataloader
batches, fan-outs) sees the same one, and the service and the vendor HTTP
seam ask :func:`remaining` before they wait for anything.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

_DEADLINE: ContextVar[float | None] = ContextVar("pbxgraph_request_deadline", default=None)


def remaining() -> float | None:
    """Seconds left before the current request's deadline (negative once passed); None without one."""
    at = _DEADLINE.get()
    return None if at is None else at - time.monotonic()


@contextlib.contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """Run the block under a deadline ``seconds`` from now (None: no deadline)."""
    token = _DEADLINE.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)
