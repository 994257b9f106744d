"""Fixtures for the trust tests: the demo's shape for crafted input, fresh emulators for faulty backends.

``stack`` is the demo's shape in-process, one app for the whole module
(starting it costs more than most tests): the local store ``office`` with
its demo data, and ``era-demo``, ``infinity-demo`` and ``sipxcom-demo``
reaching their seeded emulators over in-process HTTP. Each connector is
wrapped in a spy, so a test can assert that a request made no backend call
at all: the spies count connector calls (the local store included) and the
emulators' recorders count HTTP requests.

``vendors`` and ``running`` are the three vendor emulators behind the real
app, for tests of how pbxgraph holds up against them: each test gets fresh
emulators (seeded, no faults, empty records), reached in-process through
their ASGI transport, and configured with credentials of its own, so a test
can look for those exact values in what comes back.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from pbxgraph.config import BackendConfig, Config
from pbxgraph.connectors.registry import build_connector
from pbxgraph.demo import demo_vendors
from pbxgraph.emulators import era as era_package
from pbxgraph.emulators import infinity as infinity_package
from pbxgraph.emulators import sipxcom as sipxcom_package
from pbxgraph.emulators.toolkit import Emulator
from pbxgraph.testing.graphql import GraphQLTestClient
from pbxgraph.testing.spy import SpyConnector, spied

# --- the demo's shape, spied ------------------------------------------------------------------------------

LOCAL = "office"
BACKENDS = (LOCAL, *demo_vendors())


@dataclass
class Stack:
    client: GraphQLTestClient
    spies: dict[str, SpyConnector]
    emulators: dict[str, Any]

    def reset_calls(self) -> None:
        for spy in self.spies.values():
            spy.reset()
        for emulator in self.emulators.values():
            emulator.recorder.clear()

    def calls(self) -> dict[str, int]:
        """Connector calls per backend plus HTTP requests per emulator, since the last reset."""
        counts = {f"{name}.calls": spy.total_calls for name, spy in self.spies.items()}
        counts |= {f"{name}.requests": len(e.recorder.requests) for name, e in self.emulators.items()}
        return counts

    def no_calls(self) -> dict[str, int]:
        return dict.fromkeys(self.calls(), 0)


def stack_config(emulators: dict[str, Any]) -> Config:
    backends = [BackendConfig(name=LOCAL, vendor="local", options={"path": ":memory:", "demo": True})]
    for name, emulated in demo_vendors().items():
        backends.append(
            BackendConfig(
                name=name, vendor=emulated.vendor, timeout_s=30, options=emulated.options(f"http://{name}.test")
            )
        )
    return Config(backends=tuple(backends))


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack() -> AsyncIterator[Stack]:
    emulators = {name: emulated.create(seed=True) for name, emulated in demo_vendors().items()}
    config = stack_config(emulators)
    connectors = [
        build_connector(c, transport=emulators[c.name].transport() if c.name in emulators else None)
        for c in config.backends
    ]
    spies, backends = spied(connectors, list(config.backends))
    async with GraphQLTestClient.running(config, backends=backends) as client:
        yield Stack(client=client, spies={s.name: s for s in spies}, emulators=emulators)


@pytest.fixture
def fresh(stack: Stack) -> Stack:
    """The module's stack with its call counts reset."""
    stack.reset_calls()
    return stack


# --- fresh vendor emulators with credentials of their own ---------------------------------------------------

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

    def backend(
        self,
        vendor: str,
        *,
        timeout_s: float = 5.0,
        breaker_failures: int = 5,
        breaker_reset_s: float = 30.0,
        **options: Any,
    ) -> BackendConfig:
        """The backend table for this vendor's emulator, named after the vendor."""
        url = f"http://{vendor}.test"
        table = dict(VENDOR_TABLES[vendor](url))
        table.pop("vendor")
        table.update(options)
        return BackendConfig(
            name=vendor,
            vendor=vendor,
            timeout_s=timeout_s,
            breaker_failures=breaker_failures,
            breaker_reset_s=breaker_reset_s,
            options=table,
        )


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
