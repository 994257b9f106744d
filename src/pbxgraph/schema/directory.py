"""Who owns an extension, across every backend."""

from __future__ import annotations

from typing import Annotated

import strawberry

from pbxgraph.schema.enums import Kind
from pbxgraph.schema.nodes import Group, Queue, User

DirectoryOwner = Annotated[
    User | Group | Queue,
    strawberry.union("DirectoryOwner", description="What can own a number: a user, a ring group or a queue."),
]


@strawberry.type(description="One owner of a number on one backend.")
class DirectoryEntry:
    backend: str = strawberry.field(description="The backend on which the number is owned.")
    kind: Kind = strawberry.field(description="What owns it: USER, GROUP or QUEUE.")
    owner: DirectoryOwner = strawberry.field(description="The user, group or queue whose extension it is.")


@strawberry.type(description="Every owner of a number; more than one means it is used twice.")
class DirectoryResult:
    number: str = strawberry.field(description="The number looked up.")
    entries: list[DirectoryEntry] = strawberry.field(
        description="Every owner found, on every backend that answered; empty when the number is free there. "
        "A backend that failed adds its coded error to the response."
    )

    @strawberry.field(description="True when the number has more than one owner (on one or several backends).")
    def duplicated(self) -> bool:
        return len(self.entries) > 1
