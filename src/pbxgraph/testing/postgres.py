"""A PostgreSQL database for tests of the local store, when one is reachable.

``PBXGRAPH_TEST_POSTGRES_URL`` names it (an SQLAlchemy async URL); without it
the default ``postgresql+asyncpg://postgres@127.0.0.1:5432/test`` is tried.
Every test gets a schema of its own (:func:`new_schema`), dropped afterwards,
so parallel and repeated runs never see each other's tables.
"""

from __future__ import annotations

import os
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ENV = "PBXGRAPH_TEST_POSTGRES_URL"
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def configured_url() -> tuple[str, bool]:
    """The URL to try, and whether it was asked for explicitly."""
    url = os.environ.get(ENV)
    return (url, True) if url else (DEFAULT_URL, False)


async def unreachable(url: str) -> str | None:
    """Why ``url`` cannot be used (driver missing, no server, refused), or None if it can."""
    try:
        engine = create_async_engine(url, connect_args={"timeout": 3})
    except ModuleNotFoundError as exc:
        return f"driver '{exc.name}' not installed (pip install \"pbxgraph[postgres]\")"
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means: not usable here
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
    finally:
        await engine.dispose()
    return None


def new_schema() -> str:
    return f"pbxgraph_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"


async def drop_schemas(url: str, prefix: str) -> None:
    """Drop ``prefix`` and every schema named ``prefix_...``: all a test created."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            names = (
                (
                    await conn.execute(
                        text("SELECT nspname FROM pg_namespace WHERE nspname = :p OR starts_with(nspname, :under)"),
                        {"p": prefix, "under": prefix + "_"},
                    )
                )
                .scalars()
                .all()
            )
            for name in names:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    finally:
        await engine.dispose()
