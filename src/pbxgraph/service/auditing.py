"""Every write the service makes is recorded: the audit entry and the change feed.

The service's write paths (the kinds' create, update and delete; membership,
device assignment and device operations) run inside :func:`audited`, so the
single mutations, ``applyChanges`` (its undo steps included) and ``moveUser``
are recorded alike, each backend call once. The entry is written after the
backend answered; a write refused by the service's own checks before any call
leaves none. Recording never fails the write it describes: the change is made
by then, and an error would only invite a retry; it is logged instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import logging
import time
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from pbxgraph.domain import Kind, PatchMixin, Record
from pbxgraph.errors import PbxError
from pbxgraph.redaction import is_secret_key
from pbxgraph.state import CHANGED, AuditEntry, FieldChange, State, caller, count_write

log = logging.getLogger("pbxgraph.audit")
#: Record fields that say where an object is or what the vendor said, not what was set.
_NOT_FIELDS = frozenset({"id", "raw"})


def plain(value: Any) -> Any:
    """A domain value as JSON holds it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return value


def _secret(name: str) -> bool:
    return is_secret_key(name)


def _values(record: Any) -> dict[str, Any]:
    if record is None or not dataclasses.is_dataclass(record) or isinstance(record, type):
        return {}
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record) if f.name not in _NOT_FIELDS}


def created(data: Any) -> list[FieldChange]:
    """The fields a create set (those given a value)."""
    changes = []
    for name, value in _values(data).items():
        if value is None or (isinstance(value, (list, tuple)) and not value):
            continue
        changes.append(FieldChange(name, None, CHANGED if _secret(name) else plain(value)))
    return changes


def patched(patch: PatchMixin, before: Record | None, after: Record | None) -> list[FieldChange]:
    """The fields an update named, with their values before (when read) and after."""
    old, new = _values(before), _values(after)
    changes = []
    for name, value in patch.changes().items():
        if _secret(name):
            changes.append(FieldChange(name, None, CHANGED))
            continue
        changes.append(FieldChange(name, plain(old[name]) if name in old else None, plain(new.get(name, value))))
    return changes


def removed(before: Record | None) -> list[FieldChange]:
    """A deleted object's fields, when it was read before."""
    return [
        FieldChange(name, CHANGED if _secret(name) else plain(value), None)
        for name, value in _values(before).items()
        if value is not None and not _secret(name)
    ]


@contextlib.asynccontextmanager
async def audited(
    state: State | None, backend: str, kind: Kind, operation: str, object_id: str | None = None
) -> AsyncIterator[AuditEntry]:
    """Record the write done inside: ok, or the code of the error it raised."""
    entry = AuditEntry(
        at=time.time(), token=caller(), operation=operation, backend=backend, kind=kind.name, object_id=object_id
    )
    count_write()
    try:
        yield entry
    except PbxError as error:
        entry.outcome = error.code
        entry.message = error.message
        await _record(state, entry)
        raise
    await _record(state, entry)


async def _record(state: State | None, entry: AuditEntry) -> None:
    if state is None:
        return
    try:
        await state.record(entry)
    except Exception:
        log.exception(
            "could not record %s of %s %s on backend %s in the audit trail",
            entry.operation,
            entry.kind,
            entry.object_id,
            entry.backend,
        )
