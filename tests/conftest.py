"""Shared fixtures for the whole suite."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from pbxgraph.testing import postgres


@dataclass(frozen=True)
class PostgresStore:
    """A PostgreSQL database and schemas of this test's own in it (one per backend name)."""

    url: str
    schema: str

    def schema_of(self, backend: str | None = None) -> str:
        return self.schema if backend is None else f"{self.schema}_{backend.replace('-', '_')}"

    def options(self, backend: str | None = None, **extra: object) -> dict[str, object]:
        return {"url": self.url, "schema": self.schema_of(backend), **extra}


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test database; skipped with the reason when none is reachable, unless one was named."""
    url, explicit = postgres.configured_url()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # callers may be inside an event loop
        reason = pool.submit(asyncio.run, postgres.unreachable(url)).result()
    if reason is not None:
        if explicit:
            pytest.fail(f"{postgres.ENV} is set but PostgreSQL at {url} cannot be used: {reason}")
        pytest.skip(f"PostgreSQL not reachable at {url} ({reason}); set {postgres.ENV} to run these tests")
    return url


@pytest.fixture
async def postgres_store(postgres_url: str) -> AsyncIterator[PostgresStore]:
    store = PostgresStore(postgres_url, postgres.new_schema())
    yield store
    await postgres.drop_schemas(postgres_url, store.schema)
