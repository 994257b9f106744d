"""The shape every HTTP vendor connector shares: name, lifecycle, health.

A vendor's connector extends :class:`HttpConnector`, sets its resources in
``__init__`` (``self.users = ...``; a kind it lacks stays ``None``) and says
how to probe the backend (:meth:`HttpConnector.probe`). The kit does the rest
the same way for every vendor:

* the one HTTP client of the backend (:class:`~pbxgraph.connectors.http.VendorHttp`)
  is made by ``open`` and released by ``aclose``;
* ``open`` then runs the vendor's :meth:`~HttpConnector.prepare` (reading
  what the capabilities depend on, say), and a backend that is down then is
  logged, not fatal;
* ``health`` times the probe and never raises: a project error is DOWN with
  its code, anything else DOWN as an internal error, with its trace logged.

Errors need no wrapping here: the service names the backend on every error
that leaves a connector (:func:`pbxgraph.service.calls.call`).
"""

from __future__ import annotations

import abc
import logging
import time
from collections.abc import Mapping
from typing import ClassVar

import httpx

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.contract import DeviceResource, GroupResource, QueueResource, TrunkResource, UserResource
from pbxgraph.connectors.http import VendorHttp
from pbxgraph.connectors.kit.options import HttpOptions
from pbxgraph.domain import Capabilities, Health, HealthStatus
from pbxgraph.errors import PbxError

log = logging.getLogger("pbxgraph.connectors")


class HttpConnector(abc.ABC):
    """A backend reached over HTTP; see the module docstring for what a vendor adds."""

    #: The vendor's name, as ``vendor`` in the configuration and its entry point.
    vendor: ClassVar[str]
    #: What this backend can do; a vendor may replace it once it has read what it depends on.
    capabilities: Capabilities
    users: UserResource | None = None
    groups: GroupResource | None = None
    queues: QueueResource | None = None
    trunks: TrunkResource | None = None
    devices: DeviceResource | None = None

    def __init__(
        self,
        config: BackendConfig,
        options: HttpOptions,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        base_url: str | None = None,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """The backend's HTTP client: at ``base_url`` (default: the ``url`` key), with its credentials."""
        self.name = config.name
        self.http = VendorHttp(
            config.name,
            options.url if base_url is None else base_url,
            timeout_s=config.timeout_s,
            max_concurrency=config.max_concurrency,
            auth=auth,
            headers=headers,
            verify=options.tls,
            transport=transport,
            breaker_failures=config.breaker_failures,
            breaker_reset_s=config.breaker_reset_s,
        )

    async def open(self) -> None:
        """Make the HTTP client, then let the vendor prepare; an unreachable backend is no failure."""
        self.http.open()
        try:
            await self.prepare()
        except PbxError as error:
            # The code only: vendor text is scrubbed where errors leave the service, not here.
            log.warning(
                "backend %s could not be prepared at open (%s); it is asked again on first need", self.name, error.code
            )

    async def prepare(self) -> None:  # noqa: B027 - a hook a vendor may leave out, not an abstract method
        """What the vendor reads once at open (nothing, unless it says otherwise)."""

    async def aclose(self) -> None:
        await self.http.aclose()

    @abc.abstractmethod
    async def probe(self) -> Health | None:
        """One cheap request that proves the backend answers: None when it does, or the vendor's own finding."""

    async def health(self) -> Health:
        """The probe's outcome, timed; never raises."""
        started = time.perf_counter()
        try:
            found = await self.probe()
        except PbxError as error:
            return Health(HealthStatus.DOWN, detail=error.describe(), latency_ms=_since(started), code=error.code)
        except Exception as error:  # a probe reports, it never raises; the trace goes to the log
            log.exception("health probe of backend '%s' failed", self.name)
            return Health(
                HealthStatus.DOWN,
                detail=f"probe failed: {type(error).__name__}",
                latency_ms=_since(started),
                code="INTERNAL_SERVER_ERROR",
            )
        if found is None:
            return Health(HealthStatus.UP, latency_ms=_since(started))
        if found.latency_ms is None:
            found.latency_ms = _since(started)
        return found


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
