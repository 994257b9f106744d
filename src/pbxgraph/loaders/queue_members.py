"""``Queue.members``: one batched call per backend for every queue on the page."""

from __future__ import annotations

from aiodataloader import DataLoader

from pbxgraph.loaders.batch import batched
from pbxgraph.service import PbxService


def queue_members_loader(service: PbxService, backend: str) -> DataLoader:
    return batched(lambda ids: service.members_of_queues(backend, ids))
