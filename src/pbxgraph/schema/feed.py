"""``subscription { changes }``: what changed, as it changes.

Changes made through pbxgraph come at once (from every replica when the
state is on PostgreSQL); changes made behind its back come from the pollers
of the backends ``[[state.poll]]`` names. Any token may subscribe (it only
reads), and sees only the backends it may see.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from pbxgraph import domain
from pbxgraph.errors import BadUserInput, Forbidden
from pbxgraph.ids import encode_id
from pbxgraph.schema.context import Context
from pbxgraph.schema.enums import Kind
from pbxgraph.service import PbxService
from pbxgraph.state import Change


@strawberry.type(description="One object changed on one backend.")
class ChangeEvent:
    kind: Kind = strawberry.field(description="The kind of object.")
    id: strawberry.ID = strawberry.field(description="Its global id (a deleted object's id no longer resolves).")
    native_id: str = strawberry.field(description="The backend's own id for it.")
    backend: str = strawberry.field(description="The backend it lives on.")
    operation: str = strawberry.field(
        description="What happened: create, update, delete, add_members, set_members, assign, ... "
        "(for a change found by polling: create, update or delete)."
    )
    fields: list[str] = strawberry.field(
        description="The names of the fields changed, where known (a polled change of a backend without "
        "field-level stamps lists none)."
    )
    time: datetime = strawberry.field(description="When the change was made or found (UTC).")
    source: str = strawberry.field(
        description="`pbxgraph` for a change made through this API, `poll` for one found by looking."
    )

    @classmethod
    def of(cls, change: Change) -> ChangeEvent:
        kind = domain.Kind[change.kind]
        return cls(
            kind=kind,
            id=strawberry.ID(encode_id(kind, change.backend, change.id)),
            native_id=change.id,
            backend=change.backend,
            operation=change.operation,
            fields=list(change.fields),
            time=change.time,
            source=change.source,
        )


def watched(service: PbxService, backends: list[str] | None, field: str = "backends") -> list[str]:
    """The backends a subscriber asked for, each one it may see; all it sees when none."""
    if backends is None:
        return list(service.backends.names)
    for index, name in enumerate(backends):
        service.require(name, field=f"{field}[{index}]")
    return list(backends)


@strawberry.type(description="Live updates, over `graphql-transport-ws` at `/graphql` (or SSE at `/changes`).")
class Subscription:
    @strawberry.subscription(
        description="Every change of an object, as it happens: those made through pbxgraph at once, those made "
        "on a backend directly when that backend is polled (`[[state.poll]]`)."
    )
    async def changes(
        self,
        info: Info[Context, None],
        backends: Annotated[
            list[str] | None, strawberry.argument(description="Only changes on these backends; all when left out.")
        ] = None,
        kinds: Annotated[
            list[Kind] | None, strawberry.argument(description="Only changes of these kinds; all when left out.")
        ] = None,
    ) -> AsyncGenerator[ChangeEvent, None]:
        service = info.context.service
        if service.state is None:
            raise Forbidden("no change feed is kept by this server")
        names = watched(service, backends)
        if kinds is not None and not kinds:
            raise BadUserInput("kinds: name at least one kind, or leave it out for all", field="kinds")
        wanted = None if kinds is None else [k.name for k in kinds]
        async for change in service.state.feed.stream(backends=names, kinds=wanted):
            yield ChangeEvent.of(change)
