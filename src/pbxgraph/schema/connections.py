"""Relay cursor connections for every top-level list."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

T = TypeVar("T")


@strawberry.type(description="Where a page stands in its listing.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` to continue after this item.")
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="Items across the answering backends, where every one of them can tell."
    )

    @strawberry.field(description="The nodes of `edges`, for callers that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]
