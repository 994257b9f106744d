"""The audit trail: every change that reached a backend, who asked, what it changed, how it ended.

An entry is written after the backend answered (ok, or the error's code), so
a change refused before any backend call (bad input, a token that may not
write) leaves none. Field values are the domain's, with every secret (a SIP
or trunk password) shown only as ``"changed"``. Entries are listed newest
first, filtered in SQL, and removed after the configured retention.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select

from pbxgraph.state.database import Database, audit

#: What a secret's values are recorded as.
CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    before: Any = None
    after: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after}


@dataclass(slots=True)
class AuditEntry:
    at: float
    token: str
    operation: str
    backend: str
    kind: str
    object_id: str | None
    fields: list[FieldChange] = field(default_factory=list)
    #: "ok" or the error's code.
    outcome: str = "ok"
    message: str | None = None
    id: int | None = None

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.at, UTC)

    def as_json(self) -> dict[str, Any]:
        """One line of the JSON-lines export."""
        return {
            "id": self.id,
            "time": self.time.isoformat(),
            "token": self.token,
            "operation": self.operation,
            "backend": self.backend,
            "kind": self.kind,
            "objectId": self.object_id,
            "fields": [f.as_dict() for f in self.fields],
            "outcome": self.outcome,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class AuditFilter:
    backends: Collection[str] | None = None
    kinds: Collection[str] | None = None
    object_id: str | None = None
    tokens: Collection[str] | None = None
    operations: Collection[str] | None = None
    outcomes: Collection[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    #: The backends the caller may see (None: all).
    visible: Collection[str] | None = None

    def where(self) -> list[ColumnElement[bool]]:
        c = audit.c
        terms: list[ColumnElement[bool]] = []
        for column, values in (
            (c.backend, self.backends),
            (c.backend, self.visible),
            (c.kind, self.kinds),
            (c.token, self.tokens),
            (c.operation, self.operations),
            (c.outcome, self.outcomes),
        ):
            if values is not None:
                terms.append(column.in_(list(values)))
        if self.object_id is not None:
            terms.append(c.object_id == self.object_id)
        if self.since is not None:
            terms.append(c.at >= self.since.timestamp())
        if self.until is not None:
            terms.append(c.at < self.until.timestamp())
        return terms


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    has_next: bool


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        token=row.token,
        operation=row.operation,
        backend=row.backend,
        kind=row.kind,
        object_id=row.object_id,
        fields=[FieldChange(**f) for f in json.loads(row.fields)],
        outcome=row.outcome,
        message=row.message,
    )


class AuditTrail:
    def __init__(self, database: Database, retention_days: float) -> None:
        self.database = database
        self.retention_days = retention_days

    async def record(self, entry: AuditEntry) -> None:
        async with self.database.write() as conn:
            result = await conn.execute(
                insert(audit).values(
                    at=entry.at,
                    token=entry.token,
                    operation=entry.operation,
                    backend=entry.backend,
                    kind=entry.kind,
                    object_id=entry.object_id,
                    fields=json.dumps([f.as_dict() for f in entry.fields], default=str),
                    outcome=entry.outcome,
                    message=entry.message,
                )
            )
            key = result.inserted_primary_key
            entry.id = int(key[0]) if key else None

    async def page(self, flt: AuditFilter, *, first: int, after: int | None = None) -> AuditPage:
        """Newest first; ``after`` is the id of the last entry of the previous page."""
        terms = flt.where()
        async with self.database.read() as conn:
            total = (await conn.execute(select(func.count()).select_from(audit).where(*terms))).scalar_one()
            query = select(audit).where(*terms)
            if after is not None:
                query = query.where(audit.c.id < after)
            rows = (await conn.execute(query.order_by(audit.c.id.desc()).limit(first + 1))).all()
        entries = [_entry(r) for r in rows[:first]]
        return AuditPage(entries=entries, total=int(total), has_next=len(rows) > first)

    async def every(self, flt: AuditFilter, *, chunk: int = 500) -> Sequence[AuditEntry]:
        """Every entry the filter lets through, oldest first (the export)."""
        terms = flt.where()
        async with self.database.read() as conn:
            rows = (await conn.execute(select(audit).where(*terms).order_by(audit.c.id))).all()
        return [_entry(r) for r in rows]

    async def expire(self) -> int:
        """Remove entries older than the retention; returns how many."""
        if not self.retention_days:
            return 0
        cutoff = time.time() - self.retention_days * 86_400
        async with self.database.write() as conn:
            result = await conn.execute(delete(audit).where(audit.c.at < cutoff))
        return result.rowcount or 0
