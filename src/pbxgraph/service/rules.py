"""A backend's declared rules, enforced before any vendor call.

Each connector declares per kind which fields it can store, which it needs on
create, which strategies and member kinds it takes (``KindRules``). Checking
them here, once for every vendor, gives one error for one mistake whatever
the backend: ``NOT_SUPPORTED`` naming the field and the backend for a field
the backend cannot store, ``BAD_USER_INPUT`` for a value it refuses. A field
left at its neutral value (left out, ``null``, or the create default such as
``enabled: true``) asks nothing of the backend and passes everywhere.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from pbxgraph.domain import (
    UNSET,
    DeviceCreate,
    GroupCreate,
    Kind,
    KindRules,
    QueueCreate,
    QueueMemberInput,
    TrunkCreate,
    UserCreate,
)
from pbxgraph.errors import BadUserInput, NotSupported, PbxError, raise_all

CREATE_INPUTS: Mapping[Kind, type] = {
    Kind.USER: UserCreate,
    Kind.GROUP: GroupCreate,
    Kind.QUEUE: QueueCreate,
    Kind.TRUNK: TrunkCreate,
    Kind.DEVICE: DeviceCreate,
}


def _neutral(kind: Kind) -> dict[str, Any]:
    """Each create field's value that asks nothing of a backend."""
    neutral: dict[str, Any] = {}
    for f in dataclasses.fields(CREATE_INPUTS[kind]):
        if f.default is not dataclasses.MISSING:
            neutral[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            neutral[f.name] = f.default_factory()
    return neutral


NEUTRAL: Mapping[Kind, Mapping[str, Any]] = {kind: _neutral(kind) for kind in Kind}


def given(kind: Kind, values: Mapping[str, Any]) -> list[str]:
    """The fields of ``values`` that ask the backend to store something."""
    neutral = NEUTRAL[kind]
    return [
        name
        for name, value in values.items()
        if value is not UNSET and value is not None and (name not in neutral or value != neutral[name])
    ]


def _refuse_field(backend: str, kind: Kind, name: str) -> NotSupported:
    return NotSupported(
        f"{name}: backend '{backend}' cannot store this field of a {kind.value}", backend=backend, field=name
    )


def check_create(backend: str, kind: Kind, rules: KindRules, data: Any) -> None:
    """Every field of a create against the backend's rules; every problem at once."""
    values = {f.name: getattr(data, f.name) for f in dataclasses.fields(data)}
    problems: list[PbxError] = [
        _refuse_field(backend, kind, name) for name in given(kind, values) if not rules.creatable(name)
    ]
    for name in sorted(rules.required):
        if name not in given(kind, values):
            problems.append(
                BadUserInput(
                    f"{name}: required to create a {kind.value} on backend '{backend}'", backend=backend, field=name
                )
            )
    problems += _value_problems(backend, kind, rules, values, problems)
    if kind is Kind.QUEUE:
        for index, member in enumerate(data.members):
            problems += queue_member_problems(backend, rules, member, f"members[{index}]")
    raise_all(problems)


def check_update(backend: str, kind: Kind, rules: KindRules, patch: Any) -> None:
    """Every field a patch names against the backend's rules; every problem at once."""
    changes: dict[str, Any] = patch.changes()
    problems: list[PbxError] = [
        _refuse_field(backend, kind, name) for name in given(kind, changes) if not rules.updatable(name)
    ]
    problems += _value_problems(backend, kind, rules, changes, problems)
    raise_all(problems)


def _value_problems(
    backend: str, kind: Kind, rules: KindRules, values: Mapping[str, Any], found: list[PbxError]
) -> list[PbxError]:
    """A value the backend refuses, unless its field is refused already (one problem per field)."""
    refused = {error.field for error in found}
    try:
        _check_values(backend, kind, rules, {k: v for k, v in values.items() if k not in refused})
    except PbxError as error:
        return [error]
    return []


def _check_values(backend: str, kind: Kind, rules: KindRules, values: Mapping[str, Any]) -> None:
    strategy = values.get("strategy")
    if strategy not in (None, UNSET) and rules.strategies is not None and strategy not in rules.strategies:
        raise NotSupported(
            f"strategy: backend '{backend}' cannot ring a {kind.value} as {strategy.name} "
            f"(it can: {_names(rules.strategies)})",
            backend=backend,
            field="strategy",
        )
    model = values.get("model")
    if model not in (None, UNSET) and rules.models is not None and model not in rules.models:
        raise BadUserInput(
            f"model: backend '{backend}' does not know the {kind.value} model '{model[:64]}' "
            "(see Backend.capabilities for the models it accepts)",
            backend=backend,
            field="model",
        )
    trunk_kind = values.get("kind")
    if (
        kind is Kind.TRUNK
        and trunk_kind not in (None, UNSET)
        and rules.trunk_kinds is not None
        and trunk_kind not in rules.trunk_kinds
    ):
        raise NotSupported(
            f"kind: backend '{backend}' cannot create a {trunk_kind.name} trunk (it can: {_names(rules.trunk_kinds)})",
            backend=backend,
            field="kind",
        )


def check_queue_members(
    backend: str, rules: KindRules, members: Iterable[QueueMemberInput], *, field: str = "members"
) -> None:
    """Every member against the backend's rules; every problem at once."""
    problems: list[PbxError] = []
    for index, member in enumerate(members):
        problems += queue_member_problems(backend, rules, member, f"{field}[{index}]")
    raise_all(problems)


def queue_member_problems(backend: str, rules: KindRules, member: QueueMemberInput, where: str) -> list[PbxError]:
    """What the backend's rules refuse in one queue member written at ``where`` (``members[2]``)."""
    problems: list[PbxError] = []
    if member.kind not in rules.member_kinds:
        problems.append(
            NotSupported(
                f"{where}.id: queues on backend '{backend}' take "
                f"{' or '.join(sorted(k.value + 's' for k in rules.member_kinds)) or 'no members'}, "
                f"not {member.kind.value}s",
                backend=backend,
                field=f"{where}.id",
            )
        )
    if member.priority is not None and rules.member_priority is None:
        problems.append(
            NotSupported(
                f"{where}.priority: queue members on backend '{backend}' have no priority; "
                "they ring in the order given",
                backend=backend,
                field=f"{where}.priority",
            )
        )
    return problems


def _names(values: Iterable[Any]) -> str:
    return ", ".join(sorted(v.name for v in values))
