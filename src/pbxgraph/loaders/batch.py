"""The shape every loader shares: one service call per batch, errors per key.

A failed backend call rejects every key of its batch with the same coded
error, so each field that asked for it resolves to null with that error and
the rest of the answer stands.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiodataloader import DataLoader

from pbxgraph.errors import PbxError

V = TypeVar("V")


def batched(fetch: Callable[[list[str]], Awaitable[Sequence[V]]]) -> DataLoader:
    async def load(keys: list[str]) -> list[V | PbxError]:
        try:
            return list(await fetch(list(keys)))
        except PbxError as exc:
            return [exc for _ in keys]

    return DataLoader(load)


def prime(loader: DataLoader, key: str, value: Any) -> None:
    """Tell a loader what a relation already fetched, saving a later round trip."""
    loader.prime(key, value)
