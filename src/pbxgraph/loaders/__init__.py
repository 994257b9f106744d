"""The per-request dataloaders.

A :class:`Loaders` is built for each request (aiodataloader binds to the
running event loop, and a cache that outlived the request would serve one
caller's data to the next). Loaders are made lazily, one per backend and kind
or relation, so a tick of the resolver tree becomes one call per backend.
"""

from __future__ import annotations

from collections.abc import Callable

from aiodataloader import DataLoader

from pbxgraph.domain import RECORD_KIND, Kind, Record
from pbxgraph.loaders.device_user import device_user_loader
from pbxgraph.loaders.group_members import group_members_loader
from pbxgraph.loaders.queue_members import queue_members_loader
from pbxgraph.loaders.records import record_loader
from pbxgraph.loaders.user_devices import user_devices_loader
from pbxgraph.loaders.user_groups import user_groups_loader
from pbxgraph.service import PbxService


class Loaders:
    def __init__(self, service: PbxService) -> None:
        self._service = service
        self._loaders: dict[tuple[str, str], DataLoader] = {}

    def _get(self, key: tuple[str, str], make: Callable[[], DataLoader]) -> DataLoader:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = make()
        return loader

    def records(self, backend: str, kind: Kind) -> DataLoader:
        return self._get((backend, f"record:{kind.value}"),
                         lambda: record_loader(self._service, backend, kind))

    def group_members(self, backend: str) -> DataLoader:
        return self._get((backend, "group_members"), lambda: group_members_loader(self._service, backend))

    def queue_members(self, backend: str) -> DataLoader:
        return self._get((backend, "queue_members"), lambda: queue_members_loader(self._service, backend))

    def user_groups(self, backend: str) -> DataLoader:
        return self._get((backend, "user_groups"), lambda: user_groups_loader(self._service, backend))

    def user_devices(self, backend: str) -> DataLoader:
        return self._get((backend, "user_devices"), lambda: user_devices_loader(self._service, backend))

    def device_user(self, backend: str) -> DataLoader:
        return self._get((backend, "device_user"), lambda: device_user_loader(self._service, backend))

    def prime(self, backend: str, record: Record) -> None:
        """Remember a record a listing or relation already brought back."""
        kind = RECORD_KIND[type(record)]
        self.records(backend, kind).prime(record.id, record)

    def clear(self) -> None:
        """Forget everything: after a mutation, reads in the same request must be fresh."""
        self._loaders.clear()


__all__ = ["Loaders"]
