"""The three vendor emulators behind the real app, for tests of how pbxgraph holds up against them.

Each test gets fresh emulators (seeded, no faults, empty records), reached
in-process through their ASGI transport, and configured with credentials of
its own, so a test can look for those exact values in what comes back.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from pbxgraph.config import BackendConfig, Config
from pbxgraph.emulators import era as era_package
from pbxgraph.emulators import infinity as infinity_package
from pbxgraph.emulators import sipxcom as sipxcom_package
from pbxgraph.emulators.toolkit import Emulator
from pbxgraph.testing.graphql import GraphQLTestClient

#: The credentials each backend is configured with: secrets a response must never show.
ERA_TOKEN = "era-configured-Token-7f3a"
INFINITY_KEY = "infinity-configured-ApiKey-91c2"
SIPX_PASSWORD = "sipx-configured-Password-5d8e"
SECRETS = {"era": ERA_TOKEN, "infinity": INFINITY_KEY, "sipxcom": SIPX_PASSWORD}
VENDORS = ("era", "infinity", "sipxcom")

#: Where each vendor's API lives, for fault rules.
PREFIX = {"era": "/rest/v1/uc", "infinity": "/config/v2", "sipxcom": "/sipxconfig"}


@dataclass
class Vendors:
    era: Emulator[Any]
    infinity: Emulator[Any]
    sipxcom: Emulator[Any]

    def __getitem__(self, vendor: str) -> Emulator[Any]:
        emulator: Emulator[Any] = getattr(self, vendor)
        return emulator

    def backend(self, vendor: str, *, timeout_s: float = 5.0, **options: Any) -> BackendConfig:
        """The backend table for this vendor's emulator, named after the vendor."""
        url = f"http://{vendor}.test"
        table = dict(VENDOR_TABLES[vendor](url))
        table.pop("vendor")
        table.update(options)
        return BackendConfig(name=vendor, vendor=vendor, timeout_s=timeout_s, options=table)


VENDOR_TABLES: dict[str, Callable[[str], dict[str, Any]]] = {
    "era": lambda url: {**era_package.demo_backend(url), "token": ERA_TOKEN},
    "infinity": lambda url: {**infinity_package.demo_backend(url), "api_key": INFINITY_KEY},
    "sipxcom": lambda url: {**sipxcom_package.demo_backend(url), "password": SIPX_PASSWORD},
}


@pytest.fixture
def vendors() -> Vendors:
    return Vendors(
        era=era_package.create_emulator(token=ERA_TOKEN),
        infinity=infinity_package.create_emulator(api_key=INFINITY_KEY),
        sipxcom=sipxcom_package.create_emulator(password=SIPX_PASSWORD),
    )


Running = Callable[..., contextlib.AbstractAsyncContextManager[GraphQLTestClient]]


@pytest.fixture
def running(vendors: Vendors) -> Running:
    """``async with running(*backends, config=...) as client``: the app over these backend tables."""

    @contextlib.asynccontextmanager
    async def start(*backends: BackendConfig, **config: Any) -> AsyncIterator[GraphQLTestClient]:
        transports = {b.name: vendors[b.vendor].transport() for b in backends if b.vendor in VENDORS}
        async with GraphQLTestClient.running(Config(backends=backends, **config), transports=transports) as client:
            for vendor in VENDORS:
                vendors[vendor].recorder.clear()
            yield client

    return start
