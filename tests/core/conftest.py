"""Two local-store backends ("east" and "west") behind the real app, spied on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pbxgraph.config import BackendConfig, Config
from pbxgraph.connectors.registry import build_connector
from pbxgraph.testing.graphql import GraphQLTestClient
from pbxgraph.testing.spy import SpyConnector, spied


def local(name: str, path: Path | str, *, demo: bool = True, **extra: object) -> BackendConfig:
    return BackendConfig(name=name, vendor="local", options={"path": str(path), "demo": demo}, **extra)  # type: ignore[arg-type]


@dataclass
class Env:
    client: GraphQLTestClient
    spies: dict[str, SpyConnector]
    config: Config

    def reset_calls(self) -> None:
        for spy in self.spies.values():
            spy.reset()


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    configs = [local("east", tmp_path / "east.sqlite3"), local("west", tmp_path / "west.sqlite3")]
    config = Config(backends=tuple(configs))
    spies, backends = spied([build_connector(c) for c in configs], configs)
    async with GraphQLTestClient.running(config, backends=backends) as client:
        yield Env(client=client, spies={s.name: s for s in spies}, config=config)


@pytest.fixture
async def client(env: Env) -> GraphQLTestClient:
    return env.client
