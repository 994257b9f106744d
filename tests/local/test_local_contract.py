"""The local store against the connector contract suite, on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.contract import Connector
from pbxgraph.connectors.registry import build_connector
from pbxgraph.testing.contract import ConnectorContract


class TestLocalStoreContract(ConnectorContract):
    @pytest.fixture
    async def connector(self, tmp_path: Path) -> AsyncIterator[Connector]:
        config = BackendConfig(name="office", vendor="local",
                               options={"path": str(tmp_path / "store.sqlite3"), "demo": True})
        connector = build_connector(config)
        await connector.open()
        yield connector
        await connector.aclose()
