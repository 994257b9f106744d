"""Fixtures for the Infinity tests: one emulator on a loopback port for the session.

Starting a server per test would dominate the run time, so the server lives
for the whole session and every test starts from a freshly seeded state with
an empty request record and no faults.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.infinity import InfinityConnector, create_connector
from pbxgraph.emulators.infinity import InfinityState, create_emulator, demo_backend, reset_emulator
from pbxgraph.emulators.toolkit import Emulator, LoopbackServer


@pytest.fixture(scope="session")
def infinity_emulator() -> Emulator[InfinityState]:
    return create_emulator()


@pytest.fixture(scope="session")
def infinity_server(infinity_emulator: Emulator[InfinityState]) -> Iterator[LoopbackServer]:
    server = infinity_emulator.serve()
    yield server
    server.stop()


@pytest.fixture
def emulator(infinity_emulator: Emulator[InfinityState], infinity_server: LoopbackServer) -> Emulator[InfinityState]:
    reset_emulator(infinity_emulator)
    return infinity_emulator


@pytest.fixture
def infinity_url(infinity_server: LoopbackServer) -> str:
    return infinity_server.url


ConnectorFactory = Callable[..., Awaitable[InfinityConnector]]


def backend_config(url: str, name: str = "inf", **overrides: Any) -> BackendConfig:
    """The demo's backend table for the emulator at ``url``, options overridden (None removes one)."""
    options = {k: v for k, v in demo_backend(url).items() if k != "vendor"}
    options.update(overrides)
    for key in [k for k, v in options.items() if v is None]:
        del options[key]
    timeout_s = options.pop("timeout_s", 5.0)
    return BackendConfig(name=name, vendor="infinity", timeout_s=timeout_s, options=options)


def connector_for(url: str, name: str = "inf", **overrides: Any) -> InfinityConnector:
    return create_connector(backend_config(url, name, **overrides))


@pytest.fixture
async def make_infinity(emulator: Emulator[InfinityState], infinity_url: str) -> AsyncIterator[ConnectorFactory]:
    """Opened connectors to the emulator, closed after the test: ``await make_infinity(**options)``."""
    opened: list[InfinityConnector] = []

    async def make(name: str = "inf", **overrides: Any) -> InfinityConnector:
        connector = connector_for(infinity_url, name, **overrides)
        await connector.open()
        opened.append(connector)
        return connector

    yield make
    for connector in opened:
        await connector.aclose()


@pytest.fixture
async def infinity(make_infinity: ConnectorFactory) -> InfinityConnector:
    return await make_infinity()
