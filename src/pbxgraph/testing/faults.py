"""Vendor faults, once for every connector whose vendor has an emulator.

Part of the contract suite (:class:`pbxgraph.testing.contract.ConnectorContract`
inherits it): for a connector whose vendor registers an emulator under the
``pbxgraph.emulators`` entry points, the suite builds a fresh emulator and a
connector of the same vendor through the entry points (the connector with a
short timeout), breaks the emulator with the toolkit's faults and checks
what reaches the caller: the same code for the same fault, whatever the
vendor. A connector without an emulator (the local store) skips these.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.contract import ACCESS, Connector
from pbxgraph.connectors.registry import build_connector
from pbxgraph.domain import HealthStatus, Kind, ListQuery, Operation
from pbxgraph.emulators.registry import EmulatedVendor, emulated
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind
from pbxgraph.errors import PbxError

#: A backend's timeout in the fault tests, and how long a slow answer takes: well beyond it.
TIMEOUT_S = 0.2
SLOW_S = 0.6


@dataclass(frozen=True, slots=True)
class VendorFault:
    """A fault every vendor's emulator can be given, and the code a caller must see for it."""

    kind: FaultKind
    code: str
    status: int = 500
    body: bytes = b"Internal Server Error"

    def rule(self) -> Fault:
        """A fresh rule breaking every request (rules count their hits)."""
        return Fault(kind=self.kind, status=self.status, body=self.body)


#: What a broken vendor looks like to the caller: the answer is unusable (garbage, a server error, its
#: refusal of pbxgraph's own credentials: BACKEND_ERROR) or the vendor is not there (a gateway's 502 or
#: 503, a connection dropped half-way or reset before any answer: BACKEND_UNAVAILABLE).
FAULTS = [
    VendorFault(FaultKind.GARBAGE, "BACKEND_ERROR"),
    VendorFault(FaultKind.STATUS, "BACKEND_ERROR", status=500),
    VendorFault(FaultKind.STATUS, "BACKEND_ERROR", status=401, body=b"Unauthorized"),
    VendorFault(FaultKind.STATUS, "BACKEND_ERROR", status=403, body=b"Forbidden"),
    VendorFault(FaultKind.STATUS, "BACKEND_UNAVAILABLE", status=502, body=b"Bad Gateway"),
    VendorFault(FaultKind.STATUS, "BACKEND_UNAVAILABLE", status=503, body=b"Service Unavailable"),
    VendorFault(FaultKind.DROP, "BACKEND_UNAVAILABLE"),
    VendorFault(FaultKind.RESET, "BACKEND_UNAVAILABLE"),
]


def _fault_id(fault: VendorFault) -> str:
    return str(fault.status) if fault.kind is FaultKind.STATUS else fault.kind.value


@dataclass
class Emulated:
    """A fresh emulator of the connector's vendor, and a connector of that vendor in front of it."""

    emulator: Emulator[Any]
    connector: Connector

    def listed_kinds(self) -> list[Kind]:
        return [k for k in Kind if self.connector.capabilities.supports(k, Operation.LIST)]


class VendorFaults:
    """The fault tests of the contract suite (see the module docstring)."""

    def emulated_vendor(self, connector: Connector) -> EmulatedVendor | None:
        """The emulator of the connector's vendor, from the entry points; None when there is none."""
        try:
            return emulated(connector.vendor)
        except ValueError:
            return None

    async def _emulated(self, connector: Connector, *, loopback: bool) -> AsyncIterator[Emulated]:
        vendor = self.emulated_vendor(connector)
        if vendor is None:
            pytest.skip(f"no emulator registered for vendor '{connector.vendor}'")
        emulator = vendor.create(seed=True)
        server = emulator.serve() if loopback else None
        url = server.url if server is not None else f"http://{connector.vendor}.test"
        # The breaker is off: each fault is injected again and again here, to see how it maps,
        # not how long the backend is spared.
        config = BackendConfig(
            name=connector.name,
            vendor=connector.vendor,
            timeout_s=TIMEOUT_S,
            breaker_failures=0,
            options=vendor.options(url),
        )
        built = build_connector(config, transport=None if server is not None else emulator.transport())
        await built.open()
        try:
            yield Emulated(emulator, built)
        finally:
            await built.aclose()
            if server is not None:
                server.stop()

    @pytest.fixture
    async def emulated_backend(self, connector: Connector) -> AsyncIterator[Emulated]:
        """In-process: every fault but a slow answer (an in-process transport has no timeout)."""
        async for emulated_ in self._emulated(connector, loopback=False):
            yield emulated_

    @pytest.fixture
    async def emulated_server(self, connector: Connector) -> AsyncIterator[Emulated]:
        """Over a loopback port, where a slow answer meets the backend's timeout."""
        async for emulated_ in self._emulated(connector, loopback=True):
            yield emulated_

    async def test_vendor_faults_reach_the_caller_as_one_code(self, emulated_backend: Emulated) -> None:
        """For each fault: every kind's listing and the health probe; the backend recovers once it is gone."""
        emulator, connector = emulated_backend.emulator, emulated_backend.connector
        kinds = emulated_backend.listed_kinds()
        assert kinds, "the backend lists nothing"
        for fault in FAULTS:
            emulator.faults.add(fault.rule())
            for kind in kinds:
                with pytest.raises(PbxError) as info:
                    await ACCESS[kind].of(connector).page(ListQuery())
                assert info.value.code == fault.code, f"{kind} listing, {_fault_id(fault)}: {info.value.describe()}"
                assert info.value.backend in (None, connector.name)
            health = await connector.health()
            assert health.status is HealthStatus.DOWN and health.code == fault.code, (_fault_id(fault), health)
            emulator.faults.clear()
            assert (await connector.health()).status is HealthStatus.UP, _fault_id(fault)
            await ACCESS[kinds[0]].of(connector).page(ListQuery())

    async def test_a_slow_vendor_is_backend_timeout(self, emulated_server: Emulated) -> None:
        emulator, connector = emulated_server.emulator, emulated_server.connector
        emulator.faults.add(Fault(kind=FaultKind.LATENCY, delay_s=SLOW_S))
        with pytest.raises(PbxError) as info:
            await ACCESS[emulated_server.listed_kinds()[0]].of(connector).page(ListQuery())
        assert info.value.code == "BACKEND_TIMEOUT", info.value.describe()
        health = await connector.health()
        assert health.status is HealthStatus.DOWN and health.code == "BACKEND_TIMEOUT", health
        emulator.faults.clear()


__all__ = ["FAULTS", "VendorFault", "VendorFaults"]
