"""The configured backends, what each can do, and whether it answers."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from pbxgraph.schema.enums import HealthStatus, Kind, Operation


@strawberry.type(description="What a backend can do with one kind of object.")
class Capability:
    kind: Kind
    operations: list[Operation]


@strawberry.type(description="The outcome of probing a backend now.")
class BackendHealth:
    status: HealthStatus
    detail: str | None = strawberry.field(description="What the probe found, vendor text scrubbed of credentials.")
    latency_ms: float | None
    code: str | None = strawberry.field(description="The error code of a failed probe, e.g. BACKEND_UNAVAILABLE.")


@strawberry.type(description="A configured PBX backend.")
class Backend:
    name: str
    vendor: str

    @strawberry.field(description="Kinds and operations this backend supports.")
    def capabilities(self, info: Info) -> list[Capability]:
        connector = info.context.service.backends.get(self.name)
        return [
            Capability(kind=kind, operations=sorted(ops, key=lambda o: list(type(o)).index(o)))
            for kind, ops in sorted(connector.capabilities.kinds.items(),
                                    key=lambda item: list(type(item[0])).index(item[0]))
        ]

    @strawberry.field(description="Probes the backend (each request probes afresh).")
    async def health(self, info: Info) -> BackendHealth:
        health = await info.context.service.health(self.name)
        return BackendHealth(status=health.status, detail=health.detail, latency_ms=health.latency_ms,
                             code=health.code)
