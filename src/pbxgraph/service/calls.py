"""Calling a connector: per-backend timeout, and nothing but our errors out.

A connector is trusted to raise only :mod:`pbxgraph.errors`; anything else is
a bug in it, logged with its trace and shown to the caller without internals.
Every call is counted and timed per backend and outcome, in the metrics and
in the record of the request that made it, and traced when tracing is on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import TypeVar

from pbxgraph.errors import BackendTimeout, InternalError, PbxError
from pbxgraph.telemetry.metrics import METRICS
from pbxgraph.telemetry.requests import backend_call_done, traced_backend_call

log = logging.getLogger("pbxgraph.service")
T = TypeVar("T")


@traced_backend_call
async def call(backend: str, timeout_s: float, operation: str, awaitable: Awaitable[T]) -> T:
    started = time.perf_counter()
    outcome = "ok"
    try:
        async with asyncio.timeout(timeout_s):
            return await awaitable
    except TimeoutError:
        outcome = "timeout"
        raise BackendTimeout(f"backend '{backend}' did not answer within {timeout_s:g} s",
                             backend=backend) from None
    except PbxError as exc:
        outcome = exc.code.lower()
        raise exc.with_backend(backend)
    except Exception:
        outcome = "bug"
        log.exception("connector of backend %s failed on %s", backend, operation)
        raise InternalError(f"backend '{backend}' failed unexpectedly; see the server log",
                            backend=backend) from None
    finally:
        METRICS.observe_backend_call(backend, operation, outcome, time.perf_counter() - started)
        backend_call_done(backend, outcome)
