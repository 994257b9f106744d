"""A connector wrapper that counts calls and can be told to fail or dawdle.

It wraps a *real* connector (the local store, or a vendor connector talking
to its emulator), so what a test measures is the real behaviour of the layers
above: how many batched calls the loaders make, how the service degrades
when one backend raises or hangs.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.contract import Connector
from pbxgraph.domain import Capabilities, Health, Kind

if TYPE_CHECKING:
    from pbxgraph.service import Backends

T = TypeVar("T")


@dataclass
class Behaviour:
    """What the spy does besides forwarding: per ``"kind.method"`` (or ``"*"``)."""

    failures: dict[str, BaseException] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)

    def lookup(self, table: dict[str, Any], key: str) -> Any:
        return table.get(key, table.get(key.split(".")[0] + ".*", table.get("*")))


class _SpyResource:
    """Forwards every method of the resource it wraps, counted under ``"kind.method"``."""

    def __init__(self, inner: object, kind: Kind, spy: SpyConnector) -> None:
        self._inner = inner
        self._kind = kind
        self._spy = spy

    def __getattr__(self, method: str) -> Any:
        target = getattr(self._inner, method)
        if not callable(target):
            return target
        key = f"{self._kind.value}.{method}"

        async def call(*args: Any, **kwargs: Any) -> Any:
            self._spy.calls[key] += 1
            self._spy.log.append((key, args))
            delay = self._spy.behaviour.lookup(self._spy.behaviour.delays, key)
            if delay:
                await asyncio.sleep(delay)
            failure = self._spy.behaviour.lookup(self._spy.behaviour.failures, key)
            if failure is not None:
                raise failure
            return await target(*args, **kwargs)

        return call


def _spied(resource: T | None, kind: Kind, spy: SpyConnector) -> T | None:
    # The proxy answers every method of the resource it wraps, so it has that resource's type.
    return None if resource is None else cast(T, _SpyResource(resource, kind, spy))


class SpyConnector:
    def __init__(self, inner: Connector, behaviour: Behaviour | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.vendor = inner.vendor
        self.behaviour = behaviour or Behaviour()
        self.calls: Counter[str] = Counter()
        self.log: list[tuple[str, tuple[Any, ...]]] = []
        self.users = _spied(inner.users, Kind.USER, self)
        self.groups = _spied(inner.groups, Kind.GROUP, self)
        self.queues = _spied(inner.queues, Kind.QUEUE, self)
        self.trunks = _spied(inner.trunks, Kind.TRUNK, self)
        self.devices = _spied(inner.devices, Kind.DEVICE, self)

    @property
    def capabilities(self) -> Capabilities:
        return self.inner.capabilities

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def reset(self) -> None:
        self.calls.clear()
        self.log.clear()

    async def open(self) -> None:
        await self.inner.open()

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def health(self) -> Health:
        return await self.inner.health()


def spied(connectors: list[Connector], configs: list[BackendConfig]) -> tuple[list[SpyConnector], Backends]:
    """Wrap connectors and build the ``Backends`` to hand to ``create_app``."""
    from pbxgraph.service import Backends

    spies = [SpyConnector(c) for c in connectors]
    return spies, Backends(spies, {c.name: c for c in configs})
