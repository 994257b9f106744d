"""The HTTP seam every vendor connector shares.

One ``httpx.AsyncClient`` per backend, made by :meth:`VendorHttp.open` (or by
the first request of a connector used before it was opened) and released by
:meth:`VendorHttp.aclose`, after which requests are refused until it is
opened again;
a semaphore that caps the calls in flight against that backend (a fan-out of
many GETs never floods a PBX); the one retry policy every vendor shares (see
:meth:`VendorHttp.request`); and the mapping of transport failures onto the
project's error codes, so no httpx exception ever reaches the layers above.
Vendor-specific status/body mapping stays in each connector's ``errors.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import email.utils
import functools
import logging
import os
import ssl
import time
from collections.abc import Awaitable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from pbxgraph import deadline
from pbxgraph.connectors.breaker import CircuitBreaker
from pbxgraph.errors import BackendError, BackendTimeout, BackendUnavailable, BadUserInput, shown
from pbxgraph.ids import unsafe_segment
from pbxgraph.telemetry.logs import scrub_url
from pbxgraph.telemetry.requests import span, vendor_request_done

log = logging.getLogger("pbxgraph.vendor")
T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")

#: Methods that only read, so sending one again cannot do anything twice.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "LOOKUP"})
#: Waits a read answered 429/503 with Retry-After may take, and the longest wait it honours.
RETRY_AFTER_ATTEMPTS = 2
RETRY_AFTER_MAX_S = 2.0


#: The writes a vendor accepted during the current connector call, when the service is recording them.
_WRITES: ContextVar[list[str] | None] = ContextVar("pbxgraph_vendor_writes", default=None)


@contextlib.contextmanager
def recording_writes() -> Iterator[list[str]]:
    """Collect, for the block, every write a vendor accepted (``"POST /path answered 201"``).

    The service wraps each mutation in it, so that a mutation failing after
    a write the connector did not account for (reading the result back, say)
    can still tell the caller exactly what the backend did.
    """
    writes: list[str] = []
    token = _WRITES.set(writes)
    try:
        yield writes
    finally:
        _WRITES.reset(token)


class _Unanswered(Exception):
    """An attempt that failed before any answer arrived: safe to send a read again."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def retry_after(response: httpx.Response) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (delta or HTTP date); None without one."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())


def _time_left(wait: float) -> bool:
    """Whether the current request's deadline (if any) leaves room to wait ``wait`` s and try again."""
    left = deadline.remaining()
    return left is None or left > wait


@functools.cache
def _default_tls() -> ssl.SSLContext:
    """The system trust store, built once: loading it costs tens of milliseconds per client."""
    return httpx.create_ssl_context(verify=True)


def tls_verify(value: Any) -> bool | ssl.SSLContext:
    """A backend's ``verify`` key: true (system CAs), false (no check), or a CA bundle file or directory.

    "true"/"false" strings are accepted too, as they arrive from environment
    variables. Raises ValueError naming the key, which the registry reports as
    a configuration error of that backend.
    """
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        value = value.strip().lower() == "true"
    if value is True:
        return _default_tls()
    if value is False:
        return False
    if isinstance(value, str) and value:
        if os.path.isdir(value):
            return ssl.create_default_context(capath=value)
        if os.path.isfile(value):
            return ssl.create_default_context(cafile=value)
        raise ValueError(f"verify: CA bundle '{value}' does not exist")
    raise ValueError(f"verify: must be true, false or the path of a CA bundle, got {value!r}")


class VendorHttp:
    """Requests to one backend: its base URL, credentials, TLS trust, timeout and concurrency cap."""

    def __init__(
        self,
        backend: str,
        base_url: str,
        *,
        timeout_s: float,
        max_concurrency: int,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        verify: bool | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
        breaker_failures: int = 5,
        breaker_reset_s: float = 30.0,
    ) -> None:
        self.backend = backend
        self.base_url = base_url
        self.breaker = CircuitBreaker(backend, failures=breaker_failures, reset_s=breaker_reset_s)
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._settings: dict[str, Any] = {
            "base_url": base_url,
            "timeout": httpx.Timeout(timeout_s),
            "auth": auth,
            "headers": dict(headers or {}),
            "verify": verify,
            "transport": transport,
            "follow_redirects": False,
        }
        self._client: httpx.AsyncClient | None = None
        self._closed = False

    def open(self) -> None:
        """Make the client; opening an open one does nothing, and a closed one opens again."""
        self._closed = False
        self._open_client()

    def _open_client(self) -> httpx.AsyncClient:
        if self._client is None:
            if self._closed:
                raise BackendUnavailable(f"backend '{self.backend}' is closed", backend=self.backend)
            self._client = httpx.AsyncClient(**self._settings)
        return self._client

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request under the concurrency cap; transport failures become ours.

        A read (GET, HEAD, OPTIONS, Era's LOOKUP) that fails before any answer
        arrived (a pooled connection the peer had closed, a reset, a refused
        connect) is sent once more on another connection, and a read answered
        429 or 503 with a ``Retry-After`` of at most ``RETRY_AFTER_MAX_S`` is
        sent again after that wait, at most ``RETRY_AFTER_ATTEMPTS`` times;
        neither happens once the request's deadline would pass. A write is
        sent exactly once, whatever happens: the vendor may have done it.

        The backend's circuit breaker (:mod:`pbxgraph.connectors.breaker`)
        sees the outcome of the whole request, retries included, and refuses
        it before anything is sent while the backend is judged down.
        """
        refuse_unsafe_path(self.backend, method, url)
        ticket = self.breaker.admit()
        try:
            response = await self._request(method, url, **kwargs)
        except (BackendUnavailable, BackendTimeout):
            self.breaker.failed(ticket)
            raise
        except BaseException:
            self.breaker.abandoned()
            raise
        if response.status_code >= 500:
            self.breaker.failed(ticket)
        else:
            self.breaker.succeeded()
        return response

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """:meth:`request` past the breaker: the attempts and the retries."""
        read = method.upper() in IDEMPOTENT
        reconnected = False
        waits = 0
        while True:
            try:
                response = await self._send(method, url, **kwargs)
            except _Unanswered as unanswered:
                if read and not reconnected and _time_left(0.0):
                    reconnected = True
                    log.info(
                        "%s %s %s failed before an answer (%s); sending it again on a new connection",
                        self.backend,
                        method,
                        url.split("?", 1)[0],
                        unanswered.reason,
                    )
                    continue
                raise BackendUnavailable(
                    f"backend '{self.backend}' could not be reached ({unanswered.reason})",
                    backend=self.backend,
                ) from None
            if read and waits < RETRY_AFTER_ATTEMPTS and response.status_code in (429, 503):
                delay = retry_after(response)
                if delay is not None and delay <= RETRY_AFTER_MAX_S and _time_left(delay):
                    waits += 1
                    log.info(
                        "%s %s %s answered %s; again in %.1f s as Retry-After asks",
                        self.backend,
                        method,
                        url.split("?", 1)[0],
                        response.status_code,
                        delay,
                    )
                    await asyncio.sleep(delay)
                    continue
            writes = _WRITES.get()
            if not read and writes is not None and response.status_code < 300:
                writes.append(f"{method} {url.split('?', 1)[0]} answered {response.status_code}")
            return response

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One attempt under the cap: headers first (a failure there had no answer), then the whole body."""
        async with self._semaphore:
            started = time.perf_counter()
            try:
                response = await self._attempt(method, url, **kwargs)
            except httpx.TimeoutException:
                raise BackendTimeout(
                    f"backend '{self.backend}' did not answer {method} {url.split('?', 1)[0]} in time",
                    backend=self.backend,
                ) from None
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                raise BackendUnavailable(
                    f"backend '{self.backend}' could not be reached ({type(exc).__name__})",
                    backend=self.backend,
                ) from None
            except httpx.HTTPError as exc:
                raise BackendError(
                    f"backend '{self.backend}': {type(exc).__name__} on {method} {url.split('?', 1)[0]}",
                    backend=self.backend,
                ) from None
            # Bodies are never logged; secret-named query parameters are masked (only when the line is
            # wanted: masking the URL of every vendor request would cost where nobody reads it).
            if log.isEnabledFor(logging.DEBUG):
                log.debug(
                    "%s %s %s -> %s in %.1f ms",
                    self.backend,
                    method,
                    scrub_url(str(response.request.url)),
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                )
            return response

    async def _attempt(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One vendor request, counted in the current request and traced when tracing is on.

        A transport failure before the response's headers arrived is
        :class:`_Unanswered` (the vendor cannot have answered, so a read may be
        sent again); a failure while reading the body is not.
        """
        vendor_request_done(self.backend)
        with span(
            f"HTTP {method}",
            {"pbxgraph.backend": self.backend, "http.request.method": method, "url.path": url.split("?", 1)[0]},
        ) as traced:
            client = self._open_client()
            request = client.build_request(method, url, **kwargs)
            try:
                response = await client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
                raise _Unanswered(type(exc).__name__) from None
            try:
                await response.aread()
            finally:
                await response.aclose()
            if traced is not None:
                traced.set_attribute("http.response.status_code", response.status_code)
            return response

    def json(self, response: httpx.Response) -> Any:
        """Parse a JSON body, or BACKEND_ERROR naming the backend when it is garbage."""
        try:
            return response.json()
        except ValueError:
            raise BackendError(
                f"backend '{self.backend}' answered {response.request.method} "
                f"{response.request.url.path} with a body that is not JSON",
                backend=self.backend,
                details={"status": response.status_code},
            ) from None

    async def gather(self, calls: Iterable[Awaitable[T]]) -> list[T]:
        """Run calls concurrently (each request still takes the semaphore); see :func:`gather`."""
        return await gather(calls)

    async def aclose(self) -> None:
        client, self._client = self._client, None
        self._closed = True
        if client is not None:
            await client.aclose()


def refuse_unsafe_path(backend: str, method: str, url: str) -> None:
    """BAD_USER_INPUT, before anything is sent, for a path that could leave the resource it names.

    Ids are checked where they are decoded; this is the last line for any
    path a connector builds (from input or from a vendor's own payload): a
    ``.``/``..`` step (httpx would collapse it: ``DELETE /users/..`` would
    reach ``DELETE /``), an empty step, a fragment marker, a backslash or a
    control character, as such or %-encoded. A query string is left to httpx.
    """
    problem: str | None = None
    if "#" in url:
        problem = "holds '#'"
    else:
        path = urlsplit(url).path
        for step in path.split("/")[1 if path.startswith("/") else 0 :]:
            problem = unsafe_segment(step)
            if problem is not None:
                break
    if problem is not None:
        raise BadUserInput(
            f"backend '{backend}': refused to send {method} {shown(url, 80)}: a step of the path {problem}",
            backend=backend,
        )


async def gather(calls: Iterable[Awaitable[T]]) -> list[T]:
    """Run calls concurrently; the first failure cancels the others and is raised alone.

    Unlike a bare ``asyncio.gather``, no sibling request is left running once
    the answer has been given up on: it would reach the vendor for nothing,
    after the caller has moved on.
    """
    tasks: list[asyncio.Task[T]] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_awaited(call)) for call in calls]
    except BaseExceptionGroup as failures:
        raise _first(failures) from None
    return [task.result() for task in tasks]


async def both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Two calls of different answers concurrently, as :func:`gather` runs them (the first failure wins)."""
    try:
        async with asyncio.TaskGroup() as group:
            one = group.create_task(_awaited(first))
            two = group.create_task(_awaited(second))
    except BaseExceptionGroup as failures:
        raise _first(failures) from None
    return one.result(), two.result()


async def _awaited(call: Awaitable[T]) -> T:
    return await call


def _first(failures: BaseExceptionGroup[BaseException]) -> BaseException:
    error = failures.exceptions[0]
    return _first(error) if isinstance(error, BaseExceptionGroup) else error
