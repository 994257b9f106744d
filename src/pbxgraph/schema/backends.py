"""The configured backends, what each can do, and whether it answers."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from typing import TypeVar

import strawberry
from strawberry.types import Info

from pbxgraph import domain
from pbxgraph.schema.enums import HealthStatus, Kind, MemberKind, Operation, PriorityOrder, RingStrategy, TrunkKind
from pbxgraph.schema.naming import input_name
from pbxgraph.service.rules import CREATE_INPUTS

E = TypeVar("E", bound=enum.Enum)

_UPDATE_INPUTS = {
    domain.Kind.USER: domain.UserUpdate,
    domain.Kind.GROUP: domain.GroupUpdate,
    domain.Kind.QUEUE: domain.QueueUpdate,
    domain.Kind.TRUNK: domain.TrunkUpdate,
    domain.Kind.DEVICE: domain.DeviceUpdate,
}


def _ordered(values: Iterable[E]) -> list[E]:
    """Enum members in the order their enum declares them."""
    return sorted(values, key=lambda v: list(type(v).__members__.values()).index(v))


def _fields(declared: frozenset[str] | None, every: type) -> list[str]:
    names = [f.name for f in dataclasses.fields(every)]
    return [input_name(n) for n in names if declared is None or n in declared]


@strawberry.type(description="What a backend can do with one kind of object, and what it accepts.")
class Capability:
    kind: Kind = strawberry.field(description="The kind of object these rules are for.")
    operations: list[Operation] = strawberry.field(
        description="What the backend can do with this kind; anything else answers NOT_SUPPORTED before the "
        "backend is called."
    )
    create_fields: list[str] = strawberry.field(
        description="Input fields a create may set on this backend (others are NOT_SUPPORTED)."
    )
    update_fields: list[str] = strawberry.field(
        description="Input fields an update may change on this backend (others are NOT_SUPPORTED)."
    )
    required_fields: list[str] = strawberry.field(
        description="Input fields this backend needs on create although the schema lets them be left out."
    )
    strategies: list[RingStrategy] | None = strawberry.field(
        description="Ring strategies a group or queue may take here; null for other kinds."
    )
    member_kinds: list[MemberKind] | None = strawberry.field(
        description="What a group's or queue's members may be here (a group's are users); null for other kinds."
    )
    member_priority: PriorityOrder | None = strawberry.field(
        description="For queues: which member priority rings first; null where members carry no priority "
        "(they ring in list order)."
    )
    models: list[str] | None = strawberry.field(
        description="Device or trunk models this backend accepts; null when it takes any."
    )
    trunk_kinds: list[TrunkKind] | None = strawberry.field(
        description="For trunks: the kinds a create may ask for; null for other kinds."
    )

    @classmethod
    def of(cls, kind: domain.Kind, operations: frozenset[domain.Operation], rules: domain.KindRules) -> Capability:
        rings = kind in (domain.Kind.GROUP, domain.Kind.QUEUE)
        is_queue = kind is domain.Kind.QUEUE
        is_group = kind is domain.Kind.GROUP
        return cls(
            kind=kind,
            operations=_ordered(operations),
            create_fields=_fields(rules.create_fields, CREATE_INPUTS[kind]),
            update_fields=_fields(rules.update_fields, _UPDATE_INPUTS[kind]),
            required_fields=[input_name(n) for n in sorted(rules.required)],
            strategies=_ordered(rules.strategies if rules.strategies is not None else domain.RingStrategy)
            if rings
            else None,
            member_kinds=_ordered(rules.member_kinds) if is_queue else [MemberKind.USER] if is_group else None,
            member_priority=rules.member_priority if is_queue else None,
            models=list(rules.models) if rules.models is not None else None,
            trunk_kinds=_ordered(rules.trunk_kinds if rules.trunk_kinds is not None else domain.TrunkKind)
            if kind is domain.Kind.TRUNK
            else None,
        )


@strawberry.type(description="The outcome of probing a backend now.")
class BackendHealth:
    status: HealthStatus = strawberry.field(description="How the backend answered the probe.")
    detail: str | None = strawberry.field(
        description="What went wrong, scrubbed of credentials; null when the backend is up."
    )
    latency_ms: float | None = strawberry.field(
        description="How long the probe took, in milliseconds; null where it could not be timed."
    )
    code: str | None = strawberry.field(
        description="The error code of a failed probe (e.g. BACKEND_UNAVAILABLE, BACKEND_TIMEOUT); null when up."
    )


@strawberry.type(description="A configured PBX backend.")
class Backend:
    name: str = strawberry.field(
        description="The name the configuration gives it; it is part of the global id of each of its objects "
        "and is what `backends:` arguments and mutations name."
    )
    vendor: str = strawberry.field(
        description="The connector that speaks to it: `local`, `era`, `infinity`, `sipxcom`, or a third-party "
        "connector's name."
    )

    @strawberry.field(description="Kinds and operations this backend supports, and what it accepts for each.")
    def capabilities(self, info: Info) -> list[Capability]:
        capabilities = info.context.service.capabilities(self.name)
        return [
            Capability.of(kind, capabilities.kinds[kind], capabilities.rules_for(kind))
            for kind in _ordered(capabilities.kinds)
        ]

    @strawberry.field(description="Probes the backend now (each request probes afresh; not cached).")
    async def health(self, info: Info) -> BackendHealth:
        health = await info.context.service.health(self.name)
        return BackendHealth(status=health.status, detail=health.detail, latency_ms=health.latency_ms, code=health.code)
