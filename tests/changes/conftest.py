"""The local store and the three vendor emulators behind the real app, fresh for every test.

``office`` is the local store with its demo data; ``era``, ``sipxcom`` and
``infinity`` reach their seeded emulators in-process. Every connector is
wrapped in a spy, so a test can count the writes each backend received: the
spies count the local store's connector calls, and the emulators' recorders
the vendor HTTP requests that write (anything but GET, HEAD and Era's LOOKUP).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from pbxgraph.config import BackendConfig, Config, LimitsConfig, StateConfig
from pbxgraph.connectors.registry import build_connector
from pbxgraph.emulators.registry import emulated_vendors
from pbxgraph.emulators.toolkit import Emulator
from pbxgraph.testing.graphql import GraphQLTestClient
from pbxgraph.testing.spy import SpyConnector, spied

LOCAL = "office"
VENDORS = ("era", "sipxcom", "infinity")
READS = frozenset({"GET", "HEAD", "LOOKUP"})
#: Connector methods that write, as the spy names them.
WRITING = frozenset(
    {"create", "update", "delete", "add_members", "remove_members", "set_members", "assign", "unassign"}
)

RESULT = """index ref operation action backend id status dependsOn
  fields { field before after secret }
  problems { code message field index ref backend }
  error { code message backend }
  note
  undo { undone message }"""
APPLY = (
    "mutation($input: ApplyChangesInput!) { applyChanges(input: $input) { status dryRun order"
    " counts { total planned unchanged applied failed skipped undone notUndone invalid }"
    " problems { code message field index ref backend } warnings { code message backend }"
    " backends { backend changes { index action status } }"
    " changes { " + RESULT + " } } }"
)


@dataclass
class Stack:
    client: GraphQLTestClient
    emulators: dict[str, Emulator[Any]]
    spies: dict[str, SpyConnector]

    def writes(self) -> dict[str, int]:
        """Writes each backend received since the last reset: vendor HTTP writes, local store write calls."""
        counts = {
            name: sum(1 for r in emulator.recorder.requests if r.method not in READS)
            for name, emulator in self.emulators.items()
        }
        counts[LOCAL] = sum(n for key, n in self.spies[LOCAL].calls.items() if key.split(".")[1] in WRITING)
        return counts

    def requests(self, name: str) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.emulators[name].recorder.requests]

    def reset(self) -> None:
        for emulator in self.emulators.values():
            emulator.recorder.clear()
        for spy in self.spies.values():
            spy.reset()

    async def apply(self, changes: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
        """The whole answer of ``applyChanges`` (``data`` and ``errors``)."""
        return await self.client.execute(APPLY, {"input": {"changes": changes, **options}})

    async def ids(self, plural: str, backend: str, key: str = "username") -> dict[str, str]:
        """Global ids of a backend's objects by one of their fields."""
        data = await self.client.data(
            f'query {{ {plural}(first: 500, backends: ["{backend}"]) {{ nodes {{ id {key} }} }} }}'
        )
        return {node[key]: node["id"] for node in data[plural]["nodes"]}


NO_WRITES = {LOCAL: 0, **dict.fromkeys(VENDORS, 0)}


def stack_config(limits: LimitsConfig | None = None, state: StateConfig | None = None) -> Config:
    vendors = emulated_vendors()
    backends = [BackendConfig(name=LOCAL, vendor="local", options={"path": ":memory:", "demo": True})]
    backends += [BackendConfig(name=v, vendor=v, options=vendors[v].options(f"http://{v}.test")) for v in VENDORS]
    return Config(backends=tuple(backends), limits=limits or LimitsConfig(), state=state or StateConfig())


Start = Callable[..., contextlib.AbstractAsyncContextManager[Stack]]


@pytest.fixture
def start() -> Start:
    """``async with start(limits=...) as stack``: fresh seeded emulators behind a fresh app."""

    @contextlib.asynccontextmanager
    async def running(
        limits: LimitsConfig | None = None, state: StateConfig | None = None, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[Stack]:
        vendors = emulated_vendors()
        emulators = {v: vendors[v].create(seed=True) for v in VENDORS}
        config = stack_config(limits, state)
        connectors = [
            build_connector(c, transport=emulators[c.name].transport() if c.name in emulators else None)
            for c in config.backends
        ]
        spies, backends = spied(connectors, list(config.backends))
        async with GraphQLTestClient.running(config, backends=backends, headers=headers) as client:
            stack = Stack(client=client, emulators=emulators, spies={s.name: s for s in spies})
            stack.reset()
            yield stack

    return running


@pytest.fixture
async def stack(start: Start) -> AsyncIterator[Stack]:
    async with start() as running:
        yield running


def by_index(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = answer["changes"]
    return changes
