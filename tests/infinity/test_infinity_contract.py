"""The connector contract suite against the Infinity emulator over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from pbxgraph.connectors.contract import Connector
from pbxgraph.connectors.infinity import InfinityConnector
from pbxgraph.domain import DeviceCreate, Group, Kind, MemberKind, Queue, QueueMemberInput
from pbxgraph.testing.contract import ConnectorContract


class TestInfinityContract(ConnectorContract):
    @pytest.fixture
    async def connector(self, infinity: InfinityConnector) -> AsyncIterator[Connector]:
        yield infinity

    def sample_device(self, n: int) -> DeviceCreate:
        """Infinity records no device model."""
        sample = super().sample_device(n)
        return DeviceCreate(mac=sample.mac, model=None, name=sample.name)

    async def test_queue_members_round_trip(self, connector: Connector) -> None:
        """Infinity queue members are groups and have no priority (the ring order is the list
        order), so the suite's second member, which asks for priority 2, is refused by design.
        This is the suite's round trip with groups and no priority."""
        queues = self._require(connector, Kind.QUEUE)
        queue: Queue = await queues.create(self._sample(Kind.QUEUE, 900))
        first: Group = await self._create(connector, Kind.GROUP)
        second: Group = await self._create(connector, Kind.GROUP)
        wanted = [QueueMemberInput(kind=MemberKind.GROUP, id=g.id) for g in (first, second)]
        await queues.set_members(queue.id, wanted[:1])
        members = await queues.set_members(queue.id, list(reversed(wanted)))
        assert [m.group.id for m in members if m.group] == [second.id, first.id]
        (listed,) = await queues.members_of([queue.id])
        assert [m.group.id for m in listed if m.group] == [second.id, first.id]
        assert [m.position for m in listed] == sorted(m.position for m in listed)
