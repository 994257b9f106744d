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
from typing import Any

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.contract import Connector
from pbxgraph.domain import Kind

_ATTRIBUTES = {"users": Kind.USER, "groups": Kind.GROUP, "queues": Kind.QUEUE,
               "trunks": Kind.TRUNK, "devices": Kind.DEVICE}


@dataclass
class Behaviour:
    """What the spy does besides forwarding: per ``"kind.method"`` (or ``"*"``)."""

    failures: dict[str, BaseException] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)

    def lookup(self, table: dict[str, Any], key: str) -> Any:
        return table.get(key, table.get(key.split(".")[0] + ".*", table.get("*")))


class _SpyResource:
    def __init__(self, inner: Any, kind: Kind, spy: SpyConnector) -> None:
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


class SpyConnector:
    def __init__(self, inner: Connector, behaviour: Behaviour | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.vendor = inner.vendor
        self.capabilities = inner.capabilities
        self.behaviour = behaviour or Behaviour()
        self.calls: Counter[str] = Counter()
        self.log: list[tuple[str, tuple[Any, ...]]] = []
        for attribute, kind in _ATTRIBUTES.items():
            resource = getattr(inner, attribute)
            setattr(self, attribute, _SpyResource(resource, kind, self) if resource is not None else None)

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

    async def health(self) -> Any:
        return await self.inner.health()


def spied(connectors: list[Connector], configs: list[BackendConfig]) -> tuple[list[SpyConnector], Any]:
    """Wrap connectors and build the ``Backends`` to hand to ``create_app``."""
    from pbxgraph.service import Backends

    spies = [SpyConnector(c) for c in connectors]
    return spies, Backends(spies, {c.name: c for c in configs})
