"""The local store against the connector contract suite, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.contract import Connector
from pbxgraph.connectors.registry import build_connector
from pbxgraph.testing.contract import ConnectorContract
from tests.conftest import PostgresStore


class TestLocalStoreContract(ConnectorContract):
    @pytest.fixture
    async def connector(self, tmp_path: Path) -> AsyncIterator[Connector]:
        config = BackendConfig(
            name="office", vendor="local", options={"path": str(tmp_path / "store.sqlite3"), "demo": True}
        )
        connector = build_connector(config)
        await connector.open()
        yield connector
        await connector.aclose()


class TestLocalStoreContractOnPostgres(ConnectorContract):
    """The same code on PostgreSQL, each test in a fresh schema (skipped when none is reachable)."""

    @pytest.fixture
    async def connector(self, postgres_store: PostgresStore) -> AsyncIterator[Connector]:
        config = BackendConfig(name="office", vendor="local", options=postgres_store.options(demo=True))
        connector = build_connector(config)
        await connector.open()
        yield connector
        await connector.aclose()
