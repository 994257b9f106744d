"""``Device.user``: one batched call per backend for every device on the page."""

from __future__ import annotations

from aiodataloader import DataLoader

from pbxgraph.loaders.batch import batched
from pbxgraph.service import PbxService


def device_user_loader(service: PbxService, backend: str) -> DataLoader:
    return batched(lambda ids: service.users_of_devices(backend, ids))
