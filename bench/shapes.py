"""The two reference GraphQL servers of the benchmark suite, with pbxgraph's shapes.

* **bare**: plain strawberry answering the same shapes (users, devices,
  groups, queues with members, trunks, cursor connections) from objects held
  in memory: what GraphQL itself costs in Python, with no backend at all.
* **naive**: plain strawberry whose resolvers call the Era emulator over HTTP
  directly, one request per object and relation, with no dataloaders: the
  N+1 plan a first GraphQL facade makes.

Neither imports pbxgraph, so the suite can measure an older pbxgraph checkout
against the same references.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import strawberry
from strawberry.asgi import GraphQL
from strawberry.scalars import JSON
from strawberry.types import Info


def cursor(index: int) -> str:
    """A cursor as a generic Relay server makes it: an opaque offset."""
    return base64.b64encode(f"arrayconnection:{index}".encode()).decode()


@strawberry.type
class Device:
    id: strawberry.ID
    mac: str | None
    model: str | None


@strawberry.type
class Group:
    id: strawberry.ID
    name: str
    extension: str | None = None


@strawberry.type
class User:
    id: strawberry.ID
    backend: str
    username: str
    display_name: str | None
    extension: str | None
    email: str | None
    enabled: bool
    raw: JSON
    devices: list[Device] | None
    groups: list[Group] | None


@strawberry.type
class QueueMember:
    position: int
    priority: int | None
    member: User | None


@strawberry.type
class Queue:
    id: strawberry.ID
    name: str
    extension: str | None
    members: list[QueueMember] | None


@strawberry.type
class Trunk:
    id: strawberry.ID
    name: str
    host: str | None
    port: int | None
    enabled: bool


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class UserEdge:
    node: User

    @strawberry.field
    def cursor(self, info: Info) -> str:
        return cursor(info.path.prev.key if info.path.prev else 0)  # type: ignore[arg-type]


@strawberry.type
class UserConnection:
    edges: list[UserEdge]
    page_info: PageInfo
    total_count: int | None


@strawberry.type
class QueueEdge:
    node: Queue
    cursor: str


@strawberry.type
class QueueConnection:
    edges: list[QueueEdge]


@strawberry.type
class TrunkEdge:
    node: Trunk
    cursor: str


@strawberry.type
class TrunkConnection:
    edges: list[TrunkEdge]


class Memory:
    """What the bare server answers from: plain objects built once."""

    def __init__(self, users: list[User], queues: list[Queue], trunks: list[Trunk]) -> None:
        self.users = users
        self.queues = queues
        self.trunks = trunks


def bare_user(n: int, backend: str = "office") -> User:
    return User(
        id=strawberry.ID(f"user-{backend}-{n}"),
        backend=backend,
        username=f"user{n:06d}",
        display_name=f"Person {n:06d}",
        extension=str(10000 + n),
        email=f"user{n:06d}@example.com",
        enabled=True,
        raw={"id": n},
        devices=[
            Device(id=strawberry.ID(f"device-{n}"), mac=f"00:0b:82:00:{n // 256 % 256:02x}:{n % 256:02x}", model="VVX")
        ],
        groups=[Group(id=strawberry.ID(f"group-{n % 7}"), name=f"Group {n % 7}")],
    )


def memory(users: int) -> Memory:
    people = [bare_user(n) for n in range(users)]
    queues = [
        Queue(
            id=strawberry.ID(f"queue-{q}"),
            name=f"Queue {q}",
            extension=str(700 + q),
            members=[QueueMember(position=p, priority=100 - p, member=people[(q * 3 + p) % users]) for p in range(3)],
        )
        for q in range(4)
    ]
    trunks = [
        Trunk(id=strawberry.ID(f"trunk-{t}"), name=f"trunk{t}", host=f"192.0.2.{t}", port=5060, enabled=True)
        for t in range(3)
    ]
    return Memory(people, queues, trunks)


def bare_app(data: Memory) -> GraphQL[Any, Any]:
    """Plain strawberry over ``data``: no extensions, no caches, no loaders."""

    @strawberry.type
    class Query:
        @strawberry.field
        def users(self, first: int = 50, after: str | None = None, backends: list[str] | None = None) -> UserConnection:
            page = data.users[:first]
            return UserConnection(
                edges=[UserEdge(node=user) for user in page],
                page_info=PageInfo(has_next_page=len(data.users) > first, end_cursor=cursor(len(page) - 1)),
                total_count=len(data.users),
            )

        @strawberry.field
        def queues(self, first: int = 50, backends: list[str] | None = None) -> QueueConnection:
            return QueueConnection(
                edges=[QueueEdge(node=q, cursor=cursor(i)) for i, q in enumerate(data.queues[:first])]
            )

        @strawberry.field
        def trunks(self, first: int = 50, backends: list[str] | None = None) -> TrunkConnection:
            return TrunkConnection(
                edges=[TrunkEdge(node=t, cursor=cursor(i)) for i, t in enumerate(data.trunks[:first])]
            )

    @strawberry.type
    class Mutation:
        @strawberry.mutation
        def update_user(self, id: strawberry.ID, display_name: str) -> User:
            user = data.users[0]
            user.display_name = display_name
            return user

    return GraphQL(strawberry.Schema(query=Query, mutation=Mutation), graphql_ide=None)


# --- naive: Era over HTTP, one call per object ----------------------------------


def _era_user(payload: dict[str, Any]) -> User:
    return User(
        id=strawberry.ID(payload["id"]),
        backend="era",
        username=payload.get("login", ""),
        display_name=payload.get("name"),
        extension=payload.get("phonenumber"),
        email=None,
        enabled=True,
        raw={k: v for k, v in payload.items() if k != "pwd"},
        devices=None,
        groups=None,
    )


class _Era:
    """The naive server's one HTTP client (set by :func:`naive_app`)."""

    http: httpx.AsyncClient
    prefix = "/rest/v1/uc"


@strawberry.type
class NaiveMember:
    position: int
    priority: int | None
    user_id: strawberry.Private[str]

    @strawberry.field
    async def member(self) -> User | None:
        answer = await _Era.http.get(f"{_Era.prefix}/sipusers/{self.user_id}")
        return _era_user(answer.json()) if answer.status_code == 200 else None


@strawberry.type
class NaiveQueue:
    id: strawberry.ID
    name: str
    extension: str | None

    @strawberry.field
    async def members(self) -> list[NaiveMember]:
        answer = (await _Era.http.get(f"{_Era.prefix}/hunts/{self.id}")).json()
        return [
            NaiveMember(position=p, priority=r.get("priority"), user_id=r["id"])
            for p, r in enumerate(answer.get("resources", []))
        ]


@strawberry.type
class NaiveQueueEdge:
    node: NaiveQueue
    cursor: str


@strawberry.type
class NaiveQueueConnection:
    edges: list[NaiveQueueEdge]


@strawberry.type
class NaiveQuery:
    @strawberry.field
    async def trunks(self, first: int = 50, backends: list[str] | None = None) -> TrunkConnection:
        answer = (await _Era.http.get(f"{_Era.prefix}/providers", params={"limit": first})).json()
        return TrunkConnection(
            edges=[
                TrunkEdge(
                    node=Trunk(
                        id=strawberry.ID(p["id"]),
                        name=p["code"],
                        host=p.get("proxyaddr"),
                        port=p.get("proxyport"),
                        enabled=bool(p.get("enabled")),
                    ),
                    cursor=cursor(i),
                )
                for i, p in enumerate(answer)
            ]
        )

    @strawberry.field
    async def queues(self, first: int = 50, backends: list[str] | None = None) -> NaiveQueueConnection:
        answer = (await _Era.http.get(f"{_Era.prefix}/hunts", params={"limit": first})).json()
        return NaiveQueueConnection(
            edges=[
                NaiveQueueEdge(
                    node=NaiveQueue(id=strawberry.ID(h["id"]), name=h["code"], extension=h.get("phonenumber")),
                    cursor=cursor(i),
                )
                for i, h in enumerate(answer)
            ]
        )


@strawberry.type
class NaiveMutation:
    @strawberry.mutation
    async def update_user(self, id: strawberry.ID, display_name: str) -> User:
        answer = await _Era.http.patch(f"{_Era.prefix}/sipusers/{id}", json={"name": display_name})
        return _era_user(answer.json())


def naive_app(era_url: str, token: str) -> tuple[GraphQL[Any, Any], httpx.AsyncClient]:
    """Strawberry resolvers that call the Era emulator themselves; returns the app and its client."""
    _Era.http = httpx.AsyncClient(base_url=era_url, headers={"Authorization": f"Bearer {token}"})
    return GraphQL(strawberry.Schema(query=NaiveQuery, mutation=NaiveMutation), graphql_ide=None), _Era.http
