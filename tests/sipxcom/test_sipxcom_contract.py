"""The sipXcom connector against the connector contract suite, over loopback HTTP.

Run twice: with the ``/rest`` API spoken in XML and in JSON.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from pbxgraph.connectors.contract import Connector
from pbxgraph.domain import DeviceCreate, GroupCreate
from pbxgraph.testing.contract import ConnectorContract


class TestSipxcomContract(ConnectorContract):
    #: Hunt group members ring in the order given and carry no priority.
    queue_member_priority = None

    @pytest.fixture
    async def connector(self, connector: Connector) -> AsyncIterator[Connector]:  # type: ignore[override]
        return connector

    def sample_group(self, n: int) -> GroupCreate:
        # sipXcom user groups have no extension (and refuse one).
        return GroupCreate(name=f"contract-group-{n}")

    def sample_device(self, n: int) -> DeviceCreate:
        # The server knows its phone models: the model is named by label (or model id).
        sample = super().sample_device(n)
        return DeviceCreate(mac=sample.mac, model="Polycom VVX 450", name=sample.name)
