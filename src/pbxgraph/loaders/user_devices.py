"""``User.devices``: one batched call per backend for every user on the page."""

from __future__ import annotations

from aiodataloader import DataLoader

from pbxgraph.loaders.batch import batched
from pbxgraph.service import PbxService


def user_devices_loader(service: PbxService, backend: str) -> DataLoader:
    return batched(lambda ids: service.devices_of_users(backend, ids))
