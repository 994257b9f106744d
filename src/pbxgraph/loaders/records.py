"""Objects by native id, per backend and kind: ``node``, ``nodes`` and relations."""

from __future__ import annotations

from aiodataloader import DataLoader

from pbxgraph.domain import Kind
from pbxgraph.loaders.batch import batched
from pbxgraph.service import PbxService


def record_loader(service: PbxService, backend: str, kind: Kind) -> DataLoader:
    return batched(lambda ids: service.get_many(backend, kind, ids))
