"""GraphQL enums, exposed straight from the domain's enums."""

from __future__ import annotations

import enum

import strawberry

from pbxgraph import domain

Kind = strawberry.enum(domain.Kind, name="Kind", description="The kinds of object pbxgraph unifies.")
Operation = strawberry.enum(domain.Operation, name="Operation",
                            description="What a backend can do with one kind.")
RingStrategy = strawberry.enum(domain.RingStrategy, name="RingStrategy",
                               description="How a group or queue rings its members.")
Registration = strawberry.enum(domain.Registration, name="Registration",
                               description="Whether a phone, user or trunk is registered.")
Transport = strawberry.enum(domain.Transport, name="Transport", description="SIP transport.")
TrunkKind = strawberry.enum(domain.TrunkKind, name="TrunkKind",
                            description="What a trunk connects to: SIP, ISDN PRI or BRI, analogue lines, "
                                        "a gateway the PBX does not manage, or other.")
MemberKind = strawberry.enum(domain.MemberKind, name="MemberKind", description="What a queue member is.")
PriorityOrder = strawberry.enum(domain.PriorityOrder, name="PriorityOrder",
                                description="Which queue member priority rings first.")
HealthStatus = strawberry.enum(domain.HealthStatus, name="HealthStatus")
SortField = strawberry.enum(domain.SortField, name="SortField", description="What a listing is ordered by.")


@strawberry.enum(description="Ascending or descending order.")
class SortDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"
