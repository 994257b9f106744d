"""Who holds an extension that a write was refused for: a CONFLICT that names its owner.

A vendor that refuses a number says "already taken" at best; a script then
has to search every backend to learn by whom. Here the refused number is
looked up in the directory once, and the error names the owner (kind,
global id, backend) in its message and in ``extensions.owner``, the same
shape ``applyChanges`` gives its own conflicts.
"""

from __future__ import annotations

from typing import Any

from pbxgraph import domain
from pbxgraph.errors import Conflict, PbxError
from pbxgraph.ids import GlobalId, encode_id
from pbxgraph.service import PbxService


def owner_entry(kind: domain.Kind, backend: str, native_id: str, name: str | None) -> dict[str, Any]:
    """``extensions.owner`` of a CONFLICT: what holds the value, by kind (as the schema's enum), id and backend."""
    entry: dict[str, Any] = {"kind": kind.name, "id": encode_id(kind, backend, native_id), "backend": backend}
    if name:
        entry["name"] = name
    return entry


async def name_owner(service: PbxService, error: PbxError, number: Any, itself: GlobalId | None) -> PbxError:
    """``error`` naming who owns ``number`` when it is a CONFLICT and the directory knows; else as it is."""
    if not isinstance(error, Conflict) or not isinstance(number, str) or "owner" in error.more:
        return error
    try:
        found = await service.directory(number)
    except PbxError:
        return error
    for entry in found.entries:
        if itself is not None and (entry.backend, entry.kind, entry.record.id) == (
            itself.backend,
            itself.kind,
            itself.native_id,
        ):
            continue
        owner = owner_entry(entry.kind, entry.backend, entry.record.id, domain.record_name(entry.record))
        error.message = (
            f"{error.message} (extension {number} belongs to {entry.kind.value} "
            f"{domain.record_name(entry.record)!r}, id {owner['id']}, on backend '{entry.backend}')"
        )
        error.more["owner"] = owner
        if error.field is None:
            error.field = "extension"
        return error
    return error
