"""``User.groups``: one batched call per backend for every user on the page."""

from __future__ import annotations

from aiodataloader import DataLoader

from pbxgraph.loaders.batch import batched
from pbxgraph.service import PbxService


def user_groups_loader(service: PbxService, backend: str) -> DataLoader:
    return batched(lambda ids: service.groups_of_users(backend, ids))
