"""The sipXcom connector against the connector contract suite, over loopback HTTP.

Run twice: with the ``/rest`` API spoken in XML and in JSON.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from pbxgraph.connectors.contract import Connector, resource_of
from pbxgraph.domain import DeviceCreate, Filter, GroupCreate, Kind, ListQuery, Operation
from pbxgraph.testing.contract import ConnectorContract


class TestSipxcomContract(ConnectorContract):
    @pytest.fixture
    async def connector(self, connector: Connector) -> AsyncIterator[Connector]:  # type: ignore[override]
        yield connector

    def sample_group(self, n: int) -> GroupCreate:
        # sipXcom user groups have no extension (and refuse one).
        return GroupCreate(name=f"contract-group-{n}")

    def sample_device(self, n: int) -> DeviceCreate:
        # The server knows its phone models: the model is named by label (or model id).
        sample = super().sample_device(n)
        return DeviceCreate(mac=sample.mac, model="Polycom VVX 450", name=sample.name)

    @pytest.mark.parametrize("kind", [Kind.USER, Kind.GROUP, Kind.QUEUE], ids=str)
    async def test_list_filters_by_extension_and_search(self, connector: Connector, kind: Kind) -> None:
        """sipXcom user groups have no extension, so for groups only the name search applies.

        For users the contract's own test runs unchanged; queues are not served.
        """
        if kind is not Kind.GROUP:
            await super().test_list_filters_by_extension_and_search(connector, kind)
            return
        groups = resource_of(connector, Kind.GROUP)
        assert Operation.LIST in connector.capabilities.kinds[Kind.GROUP]
        target = await groups.create(self.sample_group(424242))
        by_name = await groups.list(ListQuery(filter=Filter(search=target.name.upper()), limit=100))
        assert [g.id for g in by_name.items] == [target.id]
        nothing = await groups.list(ListQuery(filter=Filter(search="zz-no-such-name-zz")))
        assert nothing.items == [] and not nothing.has_more
        with_extension = await groups.list(ListQuery(filter=Filter(extension="6001")))
        assert with_extension.items == []
