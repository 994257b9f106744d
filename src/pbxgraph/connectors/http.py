"""The HTTP seam every vendor connector shares.

One ``httpx.AsyncClient`` per backend, owned by the connector's open/aclose;
a semaphore that caps the calls in flight against that backend (a fan-out of
many GETs never floods a PBX); and the mapping of transport failures onto the
project's error codes, so no httpx exception ever reaches the layers above.
Vendor-specific status/body mapping stays in each connector's ``errors.py``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import ssl
import time
from collections.abc import Awaitable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from pbxgraph.errors import BackendError, BackendTimeout, BackendUnavailable, BadUserInput, shown
from pbxgraph.ids import unsafe_segment
from pbxgraph.telemetry.logs import scrub_url
from pbxgraph.telemetry.requests import span, vendor_request_done

log = logging.getLogger("pbxgraph.vendor")
T = TypeVar("T")


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
    ) -> None:
        self.backend = backend
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout_s),
            auth=auth,
            headers=dict(headers or {}),
            verify=verify,
            transport=transport,
            follow_redirects=False,
        )

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request under the concurrency cap; transport failures become ours."""
        refuse_unsafe_path(self.backend, method, url)
        async with self._semaphore:
            started = time.perf_counter()
            try:
                response = await self._send(method, url, **kwargs)
            except httpx.TimeoutException:
                raise BackendTimeout(
                    f"backend '{self.backend}' did not answer {method} {url} in time",
                    backend=self.backend,
                ) from None
            except (httpx.ConnectError, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                raise BackendUnavailable(
                    f"backend '{self.backend}' could not be reached ({type(exc).__name__})",
                    backend=self.backend,
                ) from None
            except httpx.HTTPError as exc:
                raise BackendError(
                    f"backend '{self.backend}': {type(exc).__name__} on {method} {url}",
                    backend=self.backend,
                ) from None
            # Bodies are never logged; secret-named query parameters are masked.
            log.debug(
                "%s %s %s -> %s in %.1f ms",
                self.backend, method, scrub_url(str(response.request.url)), response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            return response

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One vendor request, counted in the current request and traced when tracing is on."""
        vendor_request_done(self.backend)
        with span(f"HTTP {method}", {"pbxgraph.backend": self.backend, "http.request.method": method,
                                     "url.path": url.split("?", 1)[0]}) as traced:
            response = await self._client.request(method, url, **kwargs)
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
        await self._client.aclose()


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
        for step in path.split("/")[1 if path.startswith("/") else 0:]:
            problem = unsafe_segment(step)
            if problem is not None:
                break
    if problem is not None:
        raise BadUserInput(f"backend '{backend}': refused to send {method} {shown(url, 80)}: a step of the "
                           f"path {problem}", backend=backend)


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


async def _awaited(call: Awaitable[T]) -> T:
    return await call


def _first(failures: BaseExceptionGroup[BaseException]) -> BaseException:
    error = failures.exceptions[0]
    return _first(error) if isinstance(error, BaseExceptionGroup) else error
