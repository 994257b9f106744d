"""Fixtures for the sipXcom tests: one emulator served on loopback per module.

Starting a server per test would dominate the run time, so each module
shares one; every test gets it back reset to the seed, with an empty request
record and no faults. ``tls_server`` serves the same emulator over HTTPS
with a throwaway CA (``trustme``), since the toolkit's loopback server
speaks plain HTTP only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.registry import build_connector
from pbxgraph.connectors.sipxcom import SipxcomConnector
from pbxgraph.emulators.sipxcom import SipxState, create_emulator, demo_backend
from pbxgraph.emulators.toolkit import Emulator, LoopbackServer


@dataclass
class Served:
    emulator: Emulator[SipxState]
    server: LoopbackServer


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    emulator = create_emulator()
    server = emulator.serve()
    yield Served(emulator, server)
    server.stop()


@pytest.fixture
def emulator(served: Served) -> Emulator[SipxState]:
    served.emulator.state.reset(seed=True)
    served.emulator.recorder.clear()
    served.emulator.faults.clear()
    return served.emulator


@pytest.fixture
def url(served: Served, emulator: Emulator[SipxState]) -> str:
    return served.server.url


def make_connector(url: str, *, timeout_s: float = 5.0, **options: Any) -> SipxcomConnector:
    """A connector for the emulator at ``url``: the demo options, overridden by ``options``."""
    demo = {k: v for k, v in demo_backend(url).items() if k != "vendor"}
    config = BackendConfig(name="sipx", vendor="sipxcom", timeout_s=timeout_s, options={**demo, **options})
    connector = build_connector(config)
    assert isinstance(connector, SipxcomConnector)
    return connector


@pytest.fixture(params=["xml", "json"])
async def connector(
    request: pytest.FixtureRequest, url: str, emulator: Emulator[SipxState]
) -> AsyncIterator[SipxcomConnector]:
    """An opened connector speaking ``/rest`` in XML, then in JSON; what opening asked is forgotten,
    so that a test counts the requests of what it does."""
    connector = make_connector(url, format=request.param)
    await connector.open()
    emulator.recorder.clear()
    yield connector
    await connector.aclose()


@dataclass
class TlsServed:
    emulator: Emulator[SipxState]
    url: str
    ca_file: Path


@pytest.fixture(scope="module")
def tls_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServed]:
    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile, ca_file = folder / "cert.pem", folder / "key.pem", folder / "ca.pem"
    leaf.cert_chain_pems[0].write_to_path(str(certfile))
    for extra in leaf.cert_chain_pems[1:]:
        extra.write_to_path(str(certfile), append=True)
    leaf.private_key_pem.write_to_path(str(keyfile))
    ca.cert_pem.write_to_path(str(ca_file))
    emulator = create_emulator()
    server = emulator.serve(ssl_certfile=str(certfile), ssl_keyfile=str(keyfile))
    yield TlsServed(emulator, server.url, ca_file)
    server.stop()
