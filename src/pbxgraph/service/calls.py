"""Calling a connector: timeouts, the request's deadline, scrubbing, and nothing but our errors out.

A connector is trusted to raise only :mod:`pbxgraph.errors`; anything else is
a bug in it, logged with its trace and shown to the caller without internals.
Every call is counted and timed per backend and outcome, in the metrics and
in the record of the request that made it, and traced when tracing is on.

Every error a connector raises leaves through :func:`call`, so this is where
vendor text is made fit to show: the backend's configured secrets (and any
secret of the request, such as a password being set) are masked along with
URL user-info, credentials and secret pairs, and its length is capped.

A read is bounded by its backend's ``timeout_s`` and by what is left of the
request's deadline, whichever comes first; once the deadline has passed, a
read is not started at all. A write is never cut short from outside: a
connector stopped half-way through a multi-call write could neither finish
it nor undo it, so each of its vendor calls is bounded by the backend's
``timeout_s`` instead, and the connector answers for what it did (see
:mod:`pbxgraph.connectors.undo`). Should a write fail after the vendor
accepted calls the connector did not account for, the error lists those
calls (``extensions.undone: false``), so no failed mutation hides a change.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Iterable
from typing import TypeVar

from pbxgraph import deadline
from pbxgraph.config import BackendConfig
from pbxgraph.connectors.http import recording_writes
from pbxgraph.errors import BackendTimeout, InternalError, PbxError
from pbxgraph.telemetry.metrics import METRICS
from pbxgraph.telemetry.requests import backend_call_done, traced_backend_call

log = logging.getLogger("pbxgraph.service")
T = TypeVar("T")


def _tell_writes(error: PbxError, writes: list[str]) -> None:
    """A write failed after the vendor accepted earlier calls the connector did not account for: say which."""
    error.undone = False
    error.remains = [{"state": f"the backend accepted {w}"} for w in writes]
    error.message = f"{error.message}; before that, the backend accepted {'; '.join(writes)}"


def _expired(backend: str) -> BackendTimeout:
    return BackendTimeout(f"backend '{backend}' was not asked: the request's deadline had passed", backend=backend)


@traced_backend_call
async def call(
    config: BackendConfig, operation: str, awaitable: Awaitable[T], *, write: bool = False, secrets: Iterable[str] = ()
) -> T:
    """Await one connector call for backend ``config``; ``secrets`` are the request's own (scrubbed too)."""
    backend = config.name
    started = time.perf_counter()
    outcome = "ok"
    limit: float | None = None if write else config.timeout_s
    by_deadline = False
    left = None if write else deadline.remaining()
    if left is not None:
        if left <= 0:
            if inspect.iscoroutine(awaitable):
                awaitable.close()  # never started: no vendor call, no "never awaited" warning
            METRICS.observe_backend_call(backend, operation, "timeout", 0.0)
            backend_call_done(backend, "timeout")
            raise _expired(backend)
        by_deadline = left < config.timeout_s
        limit = min(config.timeout_s, left)
    try:
        with deadline.tightened(limit), recording_writes() as writes:
            try:
                async with asyncio.timeout(limit):
                    return await awaitable
            except PbxError as exc:
                if write and writes and exc.undone is None:
                    _tell_writes(exc, writes)
                raise
    except TimeoutError:
        outcome = "timeout"
        if by_deadline:
            raise BackendTimeout(
                f"backend '{backend}' did not answer before the request's deadline", backend=backend
            ) from None
        raise BackendTimeout(
            f"backend '{backend}' did not answer within {config.timeout_s:g} s", backend=backend
        ) from None
    except PbxError as exc:
        outcome = exc.code.lower()
        raise exc.with_backend(backend).scrub((*config.secrets, *secrets)) from None
    except Exception:
        outcome = "bug"
        log.exception("connector of backend %s failed on %s", backend, operation)
        raise InternalError(f"backend '{backend}' failed unexpectedly; see the server log", backend=backend) from None
    finally:
        METRICS.observe_backend_call(backend, operation, outcome, time.perf_counter() - started)
        backend_call_done(backend, outcome)
