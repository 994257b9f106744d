"""GraphQL enums, exposed straight from the domain's enums.

``strawberry.enum`` registers each domain enum (its GraphQL name and
description) and hands the same class back, so the names below are plain
aliases: a resolver annotated ``Kind`` takes and gives ``domain.Kind``.
"""

from __future__ import annotations

import enum
from typing import TypeAlias

import strawberry

from pbxgraph import domain

strawberry.enum(domain.Kind, name="Kind", description="The kinds of object pbxgraph unifies.")
strawberry.enum(domain.Operation, name="Operation", description="What a backend can do with one kind.")
strawberry.enum(domain.RingStrategy, name="RingStrategy", description="How a group or queue rings its members.")
strawberry.enum(domain.Registration, name="Registration",
                description="Whether a phone, user or trunk is registered.")
strawberry.enum(domain.Transport, name="Transport", description="SIP transport.")
strawberry.enum(domain.TrunkKind, name="TrunkKind",
                description="What a trunk connects to: SIP, ISDN PRI or BRI, analogue lines, "
                            "a gateway the PBX does not manage, or other.")
strawberry.enum(domain.MemberKind, name="MemberKind", description="What a queue member is.")
strawberry.enum(domain.PriorityOrder, name="PriorityOrder", description="Which queue member priority rings first.")
strawberry.enum(domain.HealthStatus, name="HealthStatus")
strawberry.enum(domain.SortField, name="SortField", description="What a listing is ordered by.")

Kind: TypeAlias = domain.Kind
Operation: TypeAlias = domain.Operation
RingStrategy: TypeAlias = domain.RingStrategy
Registration: TypeAlias = domain.Registration
Transport: TypeAlias = domain.Transport
TrunkKind: TypeAlias = domain.TrunkKind
MemberKind: TypeAlias = domain.MemberKind
PriorityOrder: TypeAlias = domain.PriorityOrder
HealthStatus: TypeAlias = domain.HealthStatus
SortField: TypeAlias = domain.SortField


@strawberry.enum(description="Ascending or descending order.")
class SortDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"
