"""Fixtures for the sipXcom tests: one emulator served on loopback per module.

Starting a server per test would dominate the run time, so each module
shares one; every test gets it back reset to the seed, with an empty request
record and no faults. ``tls_server`` serves the same emulator over HTTPS
with a throwaway CA (``trustme``), since the toolkit's loopback server
speaks plain HTTP only.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
import uvicorn

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
async def connector(request: pytest.FixtureRequest, url: str) -> AsyncIterator[SipxcomConnector]:
    """An opened connector speaking ``/rest`` in XML, then in JSON."""
    connector = make_connector(url, format=request.param)
    await connector.open()
    yield connector
    await connector.aclose()


class TlsServer:
    """uvicorn on 127.0.0.1 with a certificate from a throwaway CA."""

    def __init__(self, app: Any, certfile: Path, keyfile: Path) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off",
                                access_log=False, loop="asyncio", ssl_certfile=str(certfile),
                                ssl_keyfile=str(keyfile))
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=lambda: asyncio.run(self._server.serve()), daemon=True)
        self.port: int | None = None

    def start(self) -> TlsServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("TLS emulator server did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


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
    server = TlsServer(emulator.app, certfile, keyfile).start()
    yield TlsServed(emulator, server.url, ca_file)
    server.stop()
