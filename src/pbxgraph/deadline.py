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


@contextlib.contextmanager
def tightened(seconds: float | None) -> Iterator[None]:
    """Run the block under the current deadline or one ``seconds`` from now, whichever comes first.

    The service wraps each read in its backend's timeout this way, so what
    runs inside (the vendor HTTP seam deciding whether a retry still fits)
    sees the tightest bound, not only the request's.
    """
    current = _DEADLINE.get()
    if seconds is None:
        wanted = current
    else:
        wanted = time.monotonic() + seconds
        if current is not None:
            wanted = min(wanted, current)
    token = _DEADLINE.set(wanted)
    try:
        yield
    finally:
        _DEADLINE.reset(token)
