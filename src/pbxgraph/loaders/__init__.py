"""The per-request dataloaders, typed: ``DataLoader[native id, what the service answers for it]``.

A :class:`Loaders` is built for each request (a loader binds to the running
event loop, and a cache that outlived the request would serve one caller's
data to the next). Loaders are made lazily, one per backend and kind or
relation, so a tick of the resolver tree becomes one service call per
backend. A failed call rejects every key of its batch with the same coded
error, so each field that asked for it resolves to null with that error and
the rest of the answer stands.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader

from pbxgraph.domain import RECORD_KIND, Device, Group, GroupMember, Kind, QueueMember, Record, User
from pbxgraph.errors import PbxError
from pbxgraph.service import PbxService

K = TypeVar("K")
V = TypeVar("V")


def batched(fetch: Callable[[list[str]], Awaitable[Sequence[V]]]) -> DataLoader[str, V]:
    """A loader making one ``fetch`` per batch of native ids; a coded failure answers every key of it."""

    async def load(keys: list[str]) -> list[V | BaseException]:
        try:
            return list(await fetch(list(keys)))
        except PbxError as exc:
            return [exc for _ in keys]

    return DataLoader(load_fn=load)


class _Family(Generic[K, V]):
    """The loaders of one relation, one per key (a backend, or a backend and a kind), made on first use."""

    def __init__(self, make: Callable[[K], DataLoader[str, V]]) -> None:
        self._make = make
        self._loaders: dict[K, DataLoader[str, V]] = {}

    def get(self, key: K) -> DataLoader[str, V]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = self._make(key)
        return loader

    def clear(self) -> None:
        self._loaders.clear()


class Loaders:
    def __init__(self, service: PbxService) -> None:
        self._service = service
        #: Records listings and relations already brought back, by backend and kind: asked for by id
        #: later in the request, they are answered from here. Kept as a plain dict rather than primed
        #: into the loader, which would make a future for every item of every page.
        self._known: dict[tuple[str, Kind], dict[str, Record]] = {}
        self._records: _Family[tuple[str, Kind], Record | None] = _Family(
            lambda key: batched(lambda ids: self._fetch_records(key, ids))
        )
        self._group_members: _Family[str, list[GroupMember]] = _Family(
            lambda backend: batched(lambda ids: service.members_of_groups(backend, ids))
        )
        self._queue_members: _Family[str, list[QueueMember]] = _Family(
            lambda backend: batched(lambda ids: service.members_of_queues(backend, ids))
        )
        self._user_groups: _Family[str, list[Group]] = _Family(
            lambda backend: batched(lambda ids: service.groups_of_users(backend, ids))
        )
        self._user_devices: _Family[str, list[Device]] = _Family(
            lambda backend: batched(lambda ids: service.devices_of_users(backend, ids))
        )
        self._device_user: _Family[str, User | None] = _Family(
            lambda backend: batched(lambda ids: service.users_of_devices(backend, ids))
        )
        self._families: tuple[_Family[Any, Any], ...] = (
            self._records,
            self._group_members,
            self._queue_members,
            self._user_groups,
            self._user_devices,
            self._device_user,
        )

    def records(self, backend: str, kind: Kind) -> DataLoader[str, Record | None]:
        """Objects by native id: ``node``, ``nodes``, and reloading a record after a write."""
        return self._records.get((backend, kind))

    def group_members(self, backend: str) -> DataLoader[str, list[GroupMember]]:
        """``Group.members`` of every group on the page."""
        return self._group_members.get(backend)

    def queue_members(self, backend: str) -> DataLoader[str, list[QueueMember]]:
        """``Queue.members`` of every queue on the page."""
        return self._queue_members.get(backend)

    def user_groups(self, backend: str) -> DataLoader[str, list[Group]]:
        """``User.groups`` of every user on the page."""
        return self._user_groups.get(backend)

    def user_devices(self, backend: str) -> DataLoader[str, list[Device]]:
        """``User.devices`` of every user on the page."""
        return self._user_devices.get(backend)

    def device_user(self, backend: str) -> DataLoader[str, User | None]:
        """``Device.user`` of every device on the page."""
        return self._device_user.get(backend)

    def prime(self, backend: str, record: Record) -> None:
        """Remember a record a listing or relation already brought back."""
        self._known.setdefault((backend, RECORD_KIND[type(record)]), {})[record.id] = record

    async def _fetch_records(self, key: tuple[str, Kind], ids: list[str]) -> list[Record | None]:
        """The records of ``ids``: those already brought back, and the rest in one service call."""
        known = self._known.get(key, {})
        missing = [i for i in ids if i not in known]
        fetched: dict[str, Record | None] = {}
        if missing:
            backend, kind = key
            fetched = dict(zip(missing, await self._service.kind(kind).get_many(backend, missing), strict=True))
        return [known[i] if i in known else fetched[i] for i in ids]

    def clear(self) -> None:
        """Forget everything: after a mutation, reads in the same request must be fresh."""
        self._known.clear()
        for family in self._families:
            family.clear()


__all__ = ["Loaders", "batched"]
