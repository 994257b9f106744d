"""GraphQL enums, exposed straight from the domain's enums, each value described.

The domain knows no GraphQL, so its enums carry no descriptions; they are
given here, one per value, and a value left without one stops the import
(the schema documents every value it has). ``strawberry.enum`` registers each
domain enum and hands the same class back, so the names at the end are plain
aliases: a resolver annotated ``Kind`` takes and gives ``domain.Kind``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeAlias

import strawberry

from pbxgraph import domain


def described(cls: type[enum.Enum], name: str, description: str, values: Mapping[str, str]) -> None:
    """``cls`` as a GraphQL enum named ``name``, with ``values`` describing each of its members."""
    exposed = strawberry.enum(cls, name=name, description=description)
    # strawberry adds the definition to the class at run time; its stubs do not say so.
    definition = exposed.__strawberry_definition__  # type: ignore[attr-defined]
    missing = {value.name for value in definition.values} ^ set(values)
    if missing:
        raise TypeError(f"enum {name}: describe exactly its values (differs on {sorted(missing)})")
    for value in definition.values:
        value.description = values[value.name]


described(
    domain.Kind,
    "Kind",
    "The kinds of object pbxgraph unifies.",
    {
        "USER": "A person or SIP account that owns an extension (`User`).",
        "GROUP": "A ring group: users called together or in turn (`Group`).",
        "QUEUE": "A call queue or hunt group with ordered members (`Queue`).",
        "TRUNK": "A trunk to a carrier or gateway (`Trunk`).",
        "DEVICE": "A phone or other SIP device (`Device`).",
    },
)
described(
    domain.Operation,
    "Operation",
    "What a backend can do with one kind of object.",
    {
        "LIST": "List them: `users`, `groups`, `queues`, `trunks`, `devices`.",
        "READ": "Fetch one by id: `node`, `nodes`.",
        "CREATE": "Create one: `createUser`, `createGroup`, ...",
        "UPDATE": "Change one: `updateUser`, `updateGroup`, ...",
        "DELETE": "Delete one: `deleteUser`, `deleteGroup`, ...",
        "MEMBERS": "Read and change members: `addGroupMembers`, `removeGroupMembers`, `setQueueMembers`.",
        "ASSIGN": "Assign a device to a user and take it away: `assignDevice`, `unassignDevice`.",
        "RESYNC": "Make a device re-read its configuration: `resyncDevice`.",
        "RESTART": "Reboot a device: `restartDevice`.",
        "REGISTRATION": "Tell whether it is registered: the `registration` fields are filled.",
    },
)
described(
    domain.RingStrategy,
    "RingStrategy",
    "How a group or queue rings its members.",
    {
        "ALL": "Every member at once (parallel ringing).",
        "SEQUENTIAL": "One member after the other, in member order (cascade).",
        "RANDOM": "Members in a random order.",
        "ROUND_ROBIN": "In turn, starting after the member who rang last.",
        "LONGEST_IDLE": "The member idle the longest first.",
        "PRIORITY": "By member priority (see `Capability.memberPriority`), then member order.",
    },
)
described(
    domain.Registration,
    "Registration",
    "Whether a phone, user or trunk is registered.",
    {
        "ONLINE": "Registered: calls can reach it.",
        "OFFLINE": "Not registered (never, or expired).",
    },
)
described(
    domain.Transport,
    "Transport",
    "The SIP transport a trunk signals over.",
    {
        "UDP": "SIP over UDP (port 5060 by convention).",
        "TCP": "SIP over TCP (port 5060 by convention).",
        "TLS": "SIP over TLS (port 5061 by convention).",
    },
)
described(
    domain.TrunkKind,
    "TrunkKind",
    "What a trunk connects to: SIP, ISDN PRI or BRI, analogue lines, a gateway the PBX does not manage, or other.",
    {
        "SIP": "A SIP trunk to a carrier or another PBX.",
        "PRI": "An ISDN primary-rate gateway (E1/T1).",
        "BRI": "An ISDN basic-rate gateway.",
        "ANALOG": "A gateway to analogue lines (FXO).",
        "UNMANAGED": "A gateway the PBX routes calls to but does not configure.",
        "OTHER": "Any other model the backend has (its `model` says which).",
    },
)
described(
    domain.MemberKind,
    "MemberKind",
    "What a queue member is.",
    {
        "USER": "A user, rung directly.",
        "GROUP": "A ring group, ringing its own members (Infinity's queues take only groups).",
    },
)
described(
    domain.PriorityOrder,
    "PriorityOrder",
    "Which queue member priority rings first.",
    {
        "LOWER_FIRST": "Members with a lower priority number ring first (1 before 2).",
        "HIGHER_FIRST": "Members with a higher priority number ring first (Era's hunts).",
    },
)
described(
    domain.HealthStatus,
    "HealthStatus",
    "How a backend answered its health probe.",
    {
        "UP": "It answered as expected.",
        "DOWN": "It could not be reached, refused pbxgraph's credentials, timed out or answered nonsense.",
        "DEGRADED": "It answered, but not all of what pbxgraph is configured to serve is usable "
        "(e.g. an Infinity SIP domain these credentials cannot see).",
    },
)
described(
    domain.SortField,
    "SortField",
    "What a listing is ordered by.",
    {
        "NAME": "The name, case-insensitively: a user's display name (else username), a device's name "
        "(else MAC), every other object's name. Ties go by native id.",
        "EXTENSION": "The extension, numerically (shorter numbers first); objects without one come last "
        "in either direction.",
    },
)

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
    ASC = strawberry.enum_value("asc", description="Ascending: A to Z, 10 before 200 (the default).")
    DESC = strawberry.enum_value("desc", description="Descending: Z to A, 200 before 10.")
