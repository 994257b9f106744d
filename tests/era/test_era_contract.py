"""The Era connector against the connector contract suite, over a real loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from pbxgraph.connectors.era import EraConnector
from pbxgraph.domain import DeviceCreate, DeviceUpdate, Kind, TrunkCreate, UserCreate
from pbxgraph.emulators.era.seed import USERS
from pbxgraph.testing.contract import ConnectorContract

#: Seeded users with no phone: where the suite's sample devices get provisioned.
PHONELESS = [user_id for user_id, *_, mac, _model, _online in USERS if not mac]


class TestEraContract(ConnectorContract):
    @pytest.fixture
    async def connector(self, era_connector: EraConnector) -> AsyncIterator[EraConnector]:
        """The Era connector, opened on the seeded emulator's loopback port."""
        return era_connector

    def sample_user(self, n: int) -> UserCreate:
        """Era SIP accounts have no e-mail address (setting one is NOT_SUPPORTED)."""
        sample = super().sample_user(n)
        sample.email = None
        return sample

    def sample_trunk(self, n: int) -> TrunkCreate:
        """An Era provider account belongs to a SIP domain; the sample's host is its outbound proxy."""
        sample = super().sample_trunk(n)
        sample.domain = f"carrier{n}.example.net"
        return sample

    def sample_device(self, n: int) -> DeviceCreate:
        """An Era phone exists only as a SIP user's provisioning (so it names its user) and has no name."""
        sample = super().sample_device(n)
        return DeviceCreate(mac=sample.mac, model=sample.model, name=None, user_id=PHONELESS[n % len(PHONELESS)])

    def patch_for(self, kind: Kind, n: int) -> tuple[Any, str, Any]:
        if kind is Kind.DEVICE:  # no phone name in Era: change the model instead
            return DeviceUpdate(model=f"Yealink T{n}"), "model", f"Yealink T{n}"
        return super().patch_for(kind, n)

    def kept_fields(self, kind: Kind) -> tuple[str, ...]:
        if kind is Kind.DEVICE:
            return ("mac",)
        return tuple(super().kept_fields(kind))
