"""One Era emulator on a loopback port for the Era tests; its state is fresh for every test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.era import EraConnector
from pbxgraph.connectors.registry import build_connector
from pbxgraph.emulators.era import create_emulator, demo_backend
from pbxgraph.emulators.era.state import EraState
from pbxgraph.emulators.toolkit import Emulator, LoopbackServer

READER_TOKEN = "era-reader-token"


@pytest.fixture(scope="session")
def era_emulator() -> Emulator[EraState]:
    return create_emulator(reader_token=READER_TOKEN)


@pytest.fixture(scope="session")
def era_server(era_emulator: Emulator[EraState]) -> Iterator[LoopbackServer]:
    server = era_emulator.serve()
    yield server
    server.stop()


@pytest.fixture
def era(era_emulator: Emulator[EraState], era_server: LoopbackServer) -> Iterator[Emulator[EraState]]:
    """The running emulator, seeded afresh, with no faults and an empty record."""
    era_emulator.state.reset()
    era_emulator.faults.clear()
    era_emulator.recorder.clear()
    yield era_emulator
    era_emulator.faults.clear()


def era_config(
    url: str, name: str = "era", timeout_s: float = 5.0, max_concurrency: int = 8, **options: Any
) -> BackendConfig:
    """The demo emulator's backend table, with ``options`` on top (``vendor`` is not an option)."""
    table = {**demo_backend(url), **options}
    vendor = table.pop("vendor")
    return BackendConfig(name=name, vendor=vendor, timeout_s=timeout_s, max_concurrency=max_concurrency, options=table)


async def open_connector(config: BackendConfig) -> EraConnector:
    connector = build_connector(config)
    assert isinstance(connector, EraConnector)
    await connector.open()
    return connector


@pytest.fixture
async def era_connector(era: Emulator[EraState], era_server: LoopbackServer) -> AsyncIterator[EraConnector]:
    connector = await open_connector(era_config(era_server.url))
    yield connector
    await connector.aclose()
