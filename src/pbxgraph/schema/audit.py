"""``auditLog``: who changed what, where, and how it ended, newest first.

Readable by admin tokens only (once tokens are configured): the log names
every token and what it did. A token limited to some backends sees only
their entries. The same entries, filtered the same way, come as JSON lines
from ``GET /audit.jsonl``.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from pbxgraph import domain
from pbxgraph.errors import BadUserInput, Forbidden
from pbxgraph.ids import decode_id, encode_id
from pbxgraph.schema.connections import PageInfo
from pbxgraph.schema.context import Context
from pbxgraph.schema.enums import Kind
from pbxgraph.service import PbxService
from pbxgraph.state import AuditEntry, AuditFilter

MAX_FIRST = 500
_CURSOR = "audit:"


@strawberry.type(description="One field a change set, with its value before and after.")
class AuditFieldChange:
    field: str = strawberry.field(description="The field's name, as the domain names it (`display_name`).")
    before: JSON | None = strawberry.field(
        description="Its value before; null when it had none or it was not read (see `[state] audit_read_before`)."
    )
    after: JSON | None = strawberry.field(
        description="Its value after; a secret (a password) is never shown, only the word `changed`."
    )


@strawberry.type(description="One change that reached a backend, as the audit trail recorded it.")
class AuditLogEntry:
    time: datetime = strawberry.field(description="When the backend answered (UTC).")
    token: str = strawberry.field(description="The name of the caller's token; `anonymous` without tokens.")
    operation: str = strawberry.field(
        description="What was done: create, update, delete, add_members, remove_members, set_members, assign, "
        "unassign, resync or restart."
    )
    backend: str = strawberry.field(description="The backend it was done on.")
    kind: Kind = strawberry.field(description="The kind of object changed.")
    object_id: strawberry.ID | None = strawberry.field(
        description="The object's global id; null for a create that failed before the backend named it."
    )
    native_id: str | None = strawberry.field(description="The backend's own id for the object.")
    fields: list[AuditFieldChange] = strawberry.field(description="The fields the change set, in no set order.")
    outcome: str = strawberry.field(description="`ok`, or the error code the change ended with.")
    message: str | None = strawberry.field(description="The error's message (scrubbed of secrets); null when ok.")

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditLogEntry:
        kind = domain.Kind[entry.kind]
        return cls(
            time=entry.time,
            token=entry.token,
            operation=entry.operation,
            backend=entry.backend,
            kind=kind,
            object_id=strawberry.ID(encode_id(kind, entry.backend, entry.object_id)) if entry.object_id else None,
            native_id=entry.object_id,
            fields=[AuditFieldChange(field=f.field, before=f.before, after=f.after) for f in entry.fields],
            outcome=entry.outcome,
            message=entry.message,
        )


@strawberry.type(description="One audit entry with the cursor that continues after it.")
class AuditLogEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this entry.")
    node: AuditLogEntry = strawberry.field(description="The entry.")


@strawberry.type(description="A page of the audit trail, newest first.")
class AuditLogConnection:
    edges: list[AuditLogEdge] = strawberry.field(description="The page's entries, newest first.")
    page_info: PageInfo = strawberry.field(description="Whether more entries follow, and the cursors to go on.")
    total_count: int = strawberry.field(description="How many entries the filter lets through in all.")

    @strawberry.field(description="The entries of `edges`, for callers that need no cursors.")
    def nodes(self) -> list[AuditLogEntry]:
        return [edge.node for edge in self.edges]


@strawberry.input(description="Which audit entries to list; every field given must match.")
class AuditLogFilter:
    backends: list[str] | None = strawberry.field(default=None, description="Only changes on these backends.")
    kinds: list[Kind] | None = strawberry.field(default=None, description="Only changes of these kinds.")
    object_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only changes of this object (its global id)."
    )
    tokens: list[str] | None = strawberry.field(default=None, description="Only changes by these token names.")
    operations: list[str] | None = strawberry.field(
        default=None, description="Only these operations (create, update, delete, ...)."
    )
    outcomes: list[str] | None = strawberry.field(
        default=None, description="Only these outcomes: `ok` or error codes such as `CONFLICT`."
    )
    since: datetime | None = strawberry.field(default=None, description="Only changes at or after this time.")
    until: datetime | None = strawberry.field(default=None, description="Only changes before this time.")


def audit_filter(
    service: PbxService,
    *,
    backends: list[str] | None = None,
    kinds: list[domain.Kind] | None = None,
    object_id: str | None = None,
    tokens: list[str] | None = None,
    operations: list[str] | None = None,
    outcomes: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    field: str = "filter.objectId",
) -> AuditFilter:
    """The store's filter for a caller: its arguments, within the backends its token sees."""
    native = None
    if object_id is not None:
        gid = decode_id(object_id, field=field)
        native = gid.native_id
        backends = [b for b in (backends or [gid.backend]) if b == gid.backend]
        kinds = [k for k in (kinds or [gid.kind]) if k is gid.kind]
    return AuditFilter(
        backends=backends,
        kinds=None if kinds is None else [k.name for k in kinds],
        object_id=native,
        tokens=tokens,
        operations=operations,
        outcomes=outcomes,
        since=since,
        until=until,
        visible=list(service.backends.names),
    )


def may_read_audit(role: str) -> None:
    if role != "admin":
        raise Forbidden("the audit log needs an admin token")


def _cursor(entry: AuditEntry) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR}{entry.id}".encode()).decode()


def _after(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        text = base64.urlsafe_b64decode(value.encode()).decode()
        if text.startswith(_CURSOR):
            return int(text[len(_CURSOR) :])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise BadUserInput("after: not a cursor of the audit log", field="after")


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="The audit trail: every change that reached a backend, newest first. Needs an admin token; "
        "a token limited to some backends sees only theirs."
    )
    async def audit_log(
        self,
        info: Info[Context, None],
        first: Annotated[int, strawberry.argument(description="Page size, 0 to 500.")] = 50,
        after: Annotated[
            str | None, strawberry.argument(description="Continue after this cursor; from the newest when left out.")
        ] = None,
        filter: Annotated[
            AuditLogFilter | None, strawberry.argument(description="Only the entries that match every field given.")
        ] = None,
    ) -> AuditLogConnection:
        may_read_audit(info.context.role)
        if not 0 <= first <= MAX_FIRST:
            raise BadUserInput(f"first: must be from 0 to {MAX_FIRST}", field="first")
        service = info.context.service
        state = service.state
        if state is None:
            raise Forbidden("no audit trail is kept by this server")
        given = filter or AuditLogFilter()
        flt = audit_filter(
            service,
            backends=given.backends,
            kinds=given.kinds,
            object_id=given.object_id,
            tokens=given.tokens,
            operations=given.operations,
            outcomes=given.outcomes,
            since=given.since,
            until=given.until,
        )
        page = await state.audit.page(flt, first=first, after=_after(after))
        edges = [AuditLogEdge(cursor=_cursor(e), node=AuditLogEntry.of(e)) for e in page.entries]
        return AuditLogConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total,
        )
