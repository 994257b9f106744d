"""Relay cursor connections for every top-level list."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

T = TypeVar("T")


@strawberry.type(description="Where a page stands in its listing.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True when more items follow: ask again with `after: endCursor` for them."
    )
    has_previous_page: bool = strawberry.field(
        description="True when this page does not start the listing (it was asked for with `after`)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item, to pass as `after` for the next page; null when the "
        "page is empty."
    )


@strawberry.type(description="One item of a page, with the cursor that continues after it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="Pass as `after` to continue after this item; valid only for the same listing (backends, "
        "filter, order)."
    )
    node: T = strawberry.field(description="The item.")


@strawberry.type(
    description="A page of a listing over every backend asked (a Relay cursor connection), in one "
    "order across them all. A backend that fails adds its coded error to the "
    "response; the other backends' items still come back."
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page's items in order, each with its cursor.")
    page_info: PageInfo = strawberry.field(description="Whether more items follow, and the cursors to go on.")
    total_count: int | None = strawberry.field(
        description="How many items the whole listing holds across the backends that answered; null where "
        "one of them cannot tell."
    )

    @strawberry.field(description="The nodes of `edges`, for callers that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]
