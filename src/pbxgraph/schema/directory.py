"""Who owns an extension, across every backend."""

from __future__ import annotations

from typing import Annotated

import strawberry

from pbxgraph.schema.enums import Kind
from pbxgraph.schema.nodes import Group, Queue, User

DirectoryOwner = Annotated[User | Group | Queue, strawberry.union("DirectoryOwner")]


@strawberry.type(description="One owner of a number on one backend.")
class DirectoryEntry:
    backend: str
    kind: Kind
    owner: DirectoryOwner


@strawberry.type(description="Every owner of a number; more than one means it is used twice.")
class DirectoryResult:
    number: str
    entries: list[DirectoryEntry]

    @strawberry.field(description="True when the number has more than one owner (on one or several backends).")
    def duplicated(self) -> bool:
        return len(self.entries) > 1
