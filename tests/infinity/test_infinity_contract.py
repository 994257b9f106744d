"""The connector contract suite against the Infinity emulator over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from pbxgraph.connectors.contract import Connector
from pbxgraph.connectors.infinity import InfinityConnector
from pbxgraph.domain import DeviceCreate
from pbxgraph.testing.contract import ConnectorContract


class TestInfinityContract(ConnectorContract):
    @pytest.fixture
    async def connector(self, infinity: InfinityConnector) -> AsyncIterator[Connector]:
        return infinity

    #: Infinity queue members are groups rung in list order; a priority is refused.
    queue_member_priority = None

    def sample_device(self, n: int) -> DeviceCreate:
        """Infinity records no device model."""
        sample = super().sample_device(n)
        return DeviceCreate(mac=sample.mac, model=None, name=sample.name)
