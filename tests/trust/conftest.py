"""The demo's shape, in-process: a local store beside the three vendor emulators, every call counted.

``stack`` is one app for the whole module (starting it costs more than most
tests): the local store ``office`` with its demo data, and ``era-demo``,
``infinity-demo`` and ``sipxcom-demo`` reaching their seeded emulators over
in-process HTTP. Each connector is wrapped in a spy, so a test can assert
that a request made no backend call at all: the spies count connector
calls (the local store included) and the emulators' recorders count HTTP
requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from pbxgraph.config import BackendConfig, Config
from pbxgraph.connectors.registry import build_connector
from pbxgraph.demo import DEMO_VENDORS, emulator_module
from pbxgraph.testing.graphql import GraphQLTestClient
from pbxgraph.testing.spy import SpyConnector, spied

LOCAL = "office"
BACKENDS = (LOCAL, *(name for name, _ in DEMO_VENDORS))


@dataclass
class Stack:
    client: GraphQLTestClient
    spies: dict[str, SpyConnector]
    emulators: dict[str, Any]

    def reset_calls(self) -> None:
        for spy in self.spies.values():
            spy.reset()
        for emulator in self.emulators.values():
            emulator.recorder.clear()

    def calls(self) -> dict[str, int]:
        """Connector calls per backend plus HTTP requests per emulator, since the last reset."""
        counts = {f"{name}.calls": spy.total_calls for name, spy in self.spies.items()}
        counts |= {f"{name}.requests": len(e.recorder.requests) for name, e in self.emulators.items()}
        return counts

    def no_calls(self) -> dict[str, int]:
        return {key: 0 for key in self.calls()}


def stack_config(emulators: dict[str, Any]) -> Config:
    backends = [BackendConfig(name=LOCAL, vendor="local", options={"path": ":memory:", "demo": True})]
    for name, vendor in DEMO_VENDORS:
        options = dict(emulator_module(vendor).demo_backend(f"http://{name}.test"))
        options.pop("vendor")
        backends.append(BackendConfig(name=name, vendor=vendor, timeout_s=30, options=options))
    return Config(backends=tuple(backends))


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack() -> AsyncIterator[Stack]:
    emulators = {name: emulator_module(vendor).create_emulator(seed=True) for name, vendor in DEMO_VENDORS}
    config = stack_config(emulators)
    connectors = [build_connector(c, transport=emulators[c.name].transport() if c.name in emulators else None)
                  for c in config.backends]
    spies, backends = spied(connectors, list(config.backends))
    async with GraphQLTestClient.running(config, backends=backends) as client:
        yield Stack(client=client, spies={s.name: s for s in spies}, emulators=emulators)


@pytest.fixture
def fresh(stack: Stack) -> Stack:
    """The module's stack with its call counts reset."""
    stack.reset_calls()
    return stack
