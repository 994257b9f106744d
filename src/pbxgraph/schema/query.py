"""The read side: nodes by id, aggregated listings, backends, the directory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Never, TypeVar

import strawberry
from strawberry.types import Info

from pbxgraph import domain, validation
from pbxgraph.errors import not_supported
from pbxgraph.ids import decode_id
from pbxgraph.schema.audit import AuditQuery
from pbxgraph.schema.backends import Backend
from pbxgraph.schema.connections import Connection, Edge, PageInfo
from pbxgraph.schema.context import Context
from pbxgraph.schema.directory import DirectoryEntry, DirectoryResult
from pbxgraph.schema.enums import SortDirection
from pbxgraph.schema.inputs import DeviceFilter, ListFilter, OrderBy, to_filter
from pbxgraph.schema.nodes import Device, Group, Node, NodeType, Queue, Trunk, User, to_node
from pbxgraph.schema.subselection import selects
from pbxgraph.service import KindService

R = TypeVar("R", bound=domain.Record)
N = TypeVar("N")

BACKENDS_HELP = "Only these backends (by name); all configured backends when left out."
FIRST_HELP = "Page size, 0 to 500: the most items this page holds across all backends."
AFTER_HELP = (
    "Continue after this cursor (an `endCursor` or `cursor` of the same listing); from the start when left out."
)
ORDER_HELP = (
    "The order (default: by name, ascending); every backend is read in it and the pages merged, so "
    "cursors continue across backends."
)
FILTER_HELP = (
    "Only the items that match every field given; filters a backend cannot apply itself are applied by pbxgraph."
)
#: A username look-up reads at most this many pages of its text search (500 users each).
_MAX_LOOKUP_PAGES = 20
BackendsArg = Annotated[list[str] | None, strawberry.argument(description=BACKENDS_HELP)]
FirstArg = Annotated[int, strawberry.argument(description=FIRST_HELP)]
AfterArg = Annotated[str | None, strawberry.argument(description=AFTER_HELP)]
OrderArg = Annotated[OrderBy | None, strawberry.argument(description=ORDER_HELP)]
FilterArg = Annotated[ListFilter | None, strawberry.argument(description=FILTER_HELP)]
DeviceFilterArg = Annotated[DeviceFilter | None, strawberry.argument(description=FILTER_HELP)]


async def load_node(info: Info[Context, None], value: str, *, field: str = "id") -> NodeType | None:
    """The object a global id names, or None; bad ids never reach a backend."""
    gid = decode_id(value, field=field)
    service = info.context.service
    if service.hides(gid.backend):
        return None  # a backend out of the token's sight holds nothing for it
    if not service.capabilities(gid.backend, field=field).supports(gid.kind):
        raise not_supported(gid.backend, gid.kind.value)
    record = await info.context.loaders.records(gid.backend, gid.kind).load(gid.native_id)
    return to_node(gid.backend, record) if record is not None else None


async def list_kind(
    info: Info[Context, None],
    kind: KindService[R, Never, Never],
    node: Callable[[str, R], N],
    backends: list[str] | None,
    filter: ListFilter | DeviceFilter | None,
    order_by: OrderBy | None,
    first: int,
    after: str | None,
) -> Connection[N]:
    """A page of ``kind`` across ``backends``, as nodes; a failing backend is a partial error."""
    order = order_by or OrderBy()
    page = await kind.page(
        backends,
        flt=to_filter(filter),
        sort=order.field,
        descending=order.direction is SortDirection.DESC,
        first=first,
        after=after,
        count=selects(info, "totalCount"),
    )
    path = info.path.as_list()
    for error in page.errors:
        info.context.report(error, path)
    edges: list[Edge[N]] = []
    for edge in page.edges:
        info.context.loaders.prime(edge.backend, edge.record)
        edges.append(Edge(cursor=edge.cursor, node=node(edge.backend, edge.record)))
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )


def _owner(backend: str, record: domain.User | domain.Group | domain.Queue) -> User | Group | Queue:
    if isinstance(record, domain.User):
        return User.of(backend, record)
    if isinstance(record, domain.Group):
        return Group.of(backend, record)
    return Queue.of(backend, record)


@strawberry.type(
    description="The read side: objects by id, listings over every backend, the backends "
    "themselves, and who owns a number."
)
class Query(AuditQuery):
    @strawberry.field(description="The object with this global id, or null if it does not exist.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id, as an object's `id` gives it.")],
    ) -> Node | None:
        return await load_node(info, id)

    @strawberry.field(
        description="Objects by global id, in order; null for one that does not exist. "
        "Ids of one backend and kind are fetched in one batched call."
    )
    def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description="Global ids, of any kinds and backends; a malformed one fails only its own entry."
            ),
        ],
    ) -> list[Node | None]:
        # Each item resolves on its own, so one bad id fails only its own entry.
        return [
            load_node(info, value, field=f"ids[{index}]")  # type: ignore[misc]
            for index, value in enumerate(ids)
        ]

    @strawberry.field(description="Users across backends, a page at a time.")
    async def users(
        self,
        info: Info,
        backends: BackendsArg = None,
        filter: FilterArg = None,
        order_by: OrderArg = None,
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[User]:
        return await list_kind(info, info.context.service.users, User.of, backends, filter, order_by, first, after)

    @strawberry.field(description="Ring groups across backends, a page at a time.")
    async def groups(
        self,
        info: Info,
        backends: BackendsArg = None,
        filter: FilterArg = None,
        order_by: OrderArg = None,
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[Group]:
        return await list_kind(info, info.context.service.groups, Group.of, backends, filter, order_by, first, after)

    @strawberry.field(description="Call queues (hunt groups) across backends, a page at a time.")
    async def queues(
        self,
        info: Info,
        backends: BackendsArg = None,
        filter: FilterArg = None,
        order_by: OrderArg = None,
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[Queue]:
        return await list_kind(info, info.context.service.queues, Queue.of, backends, filter, order_by, first, after)

    @strawberry.field(
        description="Trunks across backends, a page at a time; a backend without trunks "
        "(Infinity) adds a NOT_SUPPORTED error naming it beside the others' trunks."
    )
    async def trunks(
        self,
        info: Info,
        backends: BackendsArg = None,
        filter: FilterArg = None,
        order_by: OrderArg = None,
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[Trunk]:
        return await list_kind(info, info.context.service.trunks, Trunk.of, backends, filter, order_by, first, after)

    @strawberry.field(description="Devices (phones) across backends, a page at a time.")
    async def devices(
        self,
        info: Info,
        backends: BackendsArg = None,
        filter: DeviceFilterArg = None,
        order_by: OrderArg = None,
        first: FirstArg = 50,
        after: AfterArg = None,
    ) -> Connection[Device]:
        return await list_kind(info, info.context.service.devices, Device.of, backends, filter, order_by, first, after)

    @strawberry.field(
        description="The user whose username is exactly this, on one backend (usernames are unique there); null "
        "when there is none. For scripts that know people by login: no paging, no text search to sift."
    )
    async def user_by_username(
        self,
        info: Info,
        backend: Annotated[str, strawberry.argument(description="The configured backend to look on.")],
        username: Annotated[str, strawberry.argument(description="The exact username (case matters).")],
    ) -> User | None:
        info.context.service.require(backend)
        validation.username(username, "username")
        after: str | None = None
        for _ in range(_MAX_LOOKUP_PAGES):
            page = await list_kind(
                info, info.context.service.users, User.of, [backend], ListFilter(search=username), None, 500, after
            )
            for edge in page.edges:
                if edge.node.username == username:
                    return edge.node
            if not page.page_info.has_next_page:
                return None
            after = page.page_info.end_cursor
        return None

    @strawberry.field(
        description="The device with this MAC address (any common notation), on the first backend in "
        "configuration order that has it; null when none has. A backend that cannot be read adds its error."
    )
    async def device_by_mac(
        self,
        info: Info,
        mac: Annotated[str, strawberry.argument(description="The MAC address: 12 hex digits in any common notation.")],
        backends: BackendsArg = None,
    ) -> Device | None:
        validation.mac(mac, "mac")
        page = await list_kind(
            info, info.context.service.devices, Device.of, backends, DeviceFilter(mac=mac), None, 500, None
        )
        found = [edge.node for edge in page.edges]
        order = list(info.context.service.vendors())
        found.sort(key=lambda device: order.index(device.backend) if device.backend in order else len(order))
        return found[0] if found else None

    @strawberry.field(description="The configured backends (those the caller's token may see), in configuration order.")
    def backends(self, info: Info) -> list[Backend]:
        return [Backend(name=name, vendor=vendor) for name, vendor in info.context.service.vendors().items()]

    @strawberry.field(
        description="Which users, groups and queues own a number, on every backend: also "
        "finds one number used on two backends."
    )
    async def directory(
        self,
        info: Info,
        number: Annotated[str, strawberry.argument(description="The extension to look up: 2 to 15 ASCII digits.")],
    ) -> DirectoryResult:
        validation.extension(number, "number")
        result = await info.context.service.directory(number)
        path = info.path.as_list()
        for error in result.errors:
            info.context.report(error, path)
        return DirectoryResult(
            number=number,
            entries=[
                DirectoryEntry(backend=e.backend, kind=e.kind, owner=_owner(e.backend, e.record))
                for e in result.entries
            ],
        )
