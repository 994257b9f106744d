"""Mutation and filter inputs, and their translation into domain inputs.

Every value is validated here, before any backend is called, with an error
naming the argument path (``input.extension``) so a provisioning script learns
exactly what to fix. Update inputs are partial: a field left out stays as it
was (strawberry's UNSET becomes the domain's UNSET), an explicit ``null``
clears a field that may be empty, and is refused for one that may not.
"""

from __future__ import annotations

from typing import Any

import strawberry

from pbxgraph import domain, validation
from pbxgraph.errors import BadUserInput
from pbxgraph.schema.enums import RingStrategy, SortDirection, SortField, Transport, TrunkKind

# --- filters and order ---------------------------------------------------------


@strawberry.input(description="Narrows a listing; every field given must match.")
class ListFilter:
    extension: str | None = strawberry.field(default=None, description="Exact extension number.")
    search: str | None = strawberry.field(default=None, description="Case-insensitive text in the name.")


@strawberry.input(description="Narrows a device listing.")
class DeviceFilter:
    mac: str | None = strawberry.field(default=None, description="MAC address, any common notation.")
    search: str | None = strawberry.field(default=None, description="Text in the name, MAC or model.")


@strawberry.input(description="How a listing is ordered.")
class OrderBy:
    field: SortField = domain.SortField.NAME
    direction: SortDirection = SortDirection.ASC


def to_filter(value: ListFilter | DeviceFilter | None) -> domain.Filter:
    if value is None:
        return domain.Filter()
    extension = getattr(value, "extension", None)
    mac = getattr(value, "mac", None)
    if extension is not None:
        validation.extension(extension, "filter.extension")
    if mac is not None:
        mac = validation.mac(mac, "filter.mac")
    search = value.search.strip() if value.search else None
    return domain.Filter(extension=extension, search=search or None, mac=mac)


# --- helpers ---------------------------------------------------------------------


def _set(value: Any) -> Any:
    """strawberry's UNSET to the domain's UNSET; everything else unchanged."""
    return domain.UNSET if value is strawberry.UNSET else value


def _required(value: Any, field: str) -> Any:
    """A field that may be left out of an update but never cleared."""
    if value is None:
        raise BadUserInput(f"{field}: cannot be null (leave it out to keep the current value)", field=field)
    return value


def _check(value: Any, check: Any, field: str) -> Any:
    if value is strawberry.UNSET or value is None:
        return value
    return check(value, field)


def _text(value: Any, field: str) -> Any:
    if value is strawberry.UNSET or value is None:
        return value
    return validation.non_empty(value, field)


# --- users -------------------------------------------------------------------------


@strawberry.input
class CreateUserInput:
    username: str
    display_name: str | None = None
    extension: str | None = None
    email: str | None = None
    enabled: bool = True
    sip_password: str | None = strawberry.field(default=None, description="Write-only.")


@strawberry.input(description="Only the fields given change; null clears.")
class UpdateUserInput:
    username: str | None = strawberry.UNSET
    display_name: str | None = strawberry.UNSET
    extension: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    enabled: bool | None = strawberry.UNSET
    sip_password: str | None = strawberry.field(default=strawberry.UNSET, description="Write-only.")


def to_user_create(value: CreateUserInput) -> domain.UserCreate:
    return domain.UserCreate(
        username=validation.username(value.username, "input.username"),
        display_name=_text(value.display_name, "input.displayName"),
        extension=_check(value.extension, validation.extension, "input.extension"),
        email=_check(value.email, validation.email, "input.email"),
        enabled=value.enabled,
        sip_password=value.sip_password,
    )


def to_user_update(value: UpdateUserInput) -> domain.UserUpdate:
    if value.username is not strawberry.UNSET:
        validation.username(_required(value.username, "input.username"), "input.username")
    if value.enabled is not strawberry.UNSET:
        _required(value.enabled, "input.enabled")
    return domain.UserUpdate(
        username=_set(value.username),
        display_name=_set(_text(value.display_name, "input.displayName")),
        extension=_set(_check(value.extension, validation.extension, "input.extension")),
        email=_set(_check(value.email, validation.email, "input.email")),
        enabled=_set(value.enabled),
        sip_password=_set(value.sip_password),
    )


# --- groups ------------------------------------------------------------------------


@strawberry.input
class CreateGroupInput:
    name: str
    display_name: str | None = None
    extension: str | None = None
    strategy: RingStrategy | None = None
    description: str | None = None
    member_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Users of the same backend, in ring order."
    )


@strawberry.input(description="Only the fields given change; null clears.")
class UpdateGroupInput:
    name: str | None = strawberry.UNSET
    display_name: str | None = strawberry.UNSET
    extension: str | None = strawberry.UNSET
    strategy: RingStrategy | None = strawberry.UNSET
    description: str | None = strawberry.UNSET


def to_group_create(value: CreateGroupInput, member_user_ids: list[str]) -> domain.GroupCreate:
    """``member_user_ids``: the members' native ids, already checked to be on the group's backend."""
    return domain.GroupCreate(
        name=validation.non_empty(value.name, "input.name"),
        display_name=_text(value.display_name, "input.displayName"),
        extension=_check(value.extension, validation.extension, "input.extension"),
        strategy=value.strategy,
        description=value.description,
        member_user_ids=member_user_ids,
    )


def to_group_update(value: UpdateGroupInput) -> domain.GroupUpdate:
    if value.name is not strawberry.UNSET:
        _required(value.name, "input.name")
    return domain.GroupUpdate(
        name=_set(_text(value.name, "input.name")),
        display_name=_set(_text(value.display_name, "input.displayName")),
        extension=_set(_check(value.extension, validation.extension, "input.extension")),
        strategy=_set(value.strategy),
        description=_set(value.description),
    )


# --- queues ------------------------------------------------------------------------


@strawberry.input(description="A user or group to serve a queue, in the order given.")
class QueueMemberInput:
    id: strawberry.ID = strawberry.field(description="Global id of a user or group on the queue's backend.")
    priority: int | None = None


@strawberry.input
class CreateQueueInput:
    name: str
    display_name: str | None = None
    extension: str | None = None
    strategy: RingStrategy | None = None
    description: str | None = None
    members: list[QueueMemberInput] = strawberry.field(default_factory=list)


@strawberry.input(description="Only the fields given change; null clears.")
class UpdateQueueInput:
    name: str | None = strawberry.UNSET
    display_name: str | None = strawberry.UNSET
    extension: str | None = strawberry.UNSET
    strategy: RingStrategy | None = strawberry.UNSET
    description: str | None = strawberry.UNSET


def to_queue_create(value: CreateQueueInput, members: list[domain.QueueMemberInput]) -> domain.QueueCreate:
    """``members``: already resolved to native ids on the queue's backend."""
    return domain.QueueCreate(
        name=validation.non_empty(value.name, "input.name"),
        display_name=_text(value.display_name, "input.displayName"),
        extension=_check(value.extension, validation.extension, "input.extension"),
        strategy=value.strategy,
        description=value.description,
        members=members,
    )


def to_queue_update(value: UpdateQueueInput) -> domain.QueueUpdate:
    if value.name is not strawberry.UNSET:
        _required(value.name, "input.name")
    return domain.QueueUpdate(
        name=_set(_text(value.name, "input.name")),
        display_name=_set(_text(value.display_name, "input.displayName")),
        extension=_set(_check(value.extension, validation.extension, "input.extension")),
        strategy=_set(value.strategy),
        description=_set(value.description),
    )


# --- trunks ------------------------------------------------------------------------


@strawberry.input(description="A new trunk: give its SIP `domain`, its `host`, or both.")
class CreateTrunkInput:
    name: str
    domain: str | None = strawberry.field(default=None, description="The SIP domain (realm) of the account.")
    host: str | None = strawberry.field(
        default=None, description="Where signalling is sent: outbound proxy or gateway address.")
    port: int | None = None
    transport: Transport | None = None
    username: str | None = None
    password: str | None = strawberry.field(default=None, description="Write-only.")
    enabled: bool = True
    register: bool | None = None
    kind: TrunkKind = strawberry.field(default=TrunkKind.SIP, description="What the trunk connects to.")
    model: str | None = strawberry.field(
        default=None, description="The backend's model label; left out, the backend picks its model for `kind`.")


@strawberry.input(description="Only the fields given change; null clears.")
class UpdateTrunkInput:
    name: str | None = strawberry.UNSET
    domain: str | None = strawberry.UNSET
    host: str | None = strawberry.UNSET
    port: int | None = strawberry.UNSET
    transport: Transport | None = strawberry.UNSET
    username: str | None = strawberry.UNSET
    password: str | None = strawberry.field(default=strawberry.UNSET, description="Write-only.")
    enabled: bool | None = strawberry.UNSET
    register: bool | None = strawberry.UNSET


def to_trunk_create(value: CreateTrunkInput) -> domain.TrunkCreate:
    if value.domain is None and value.host is None:
        raise BadUserInput("input.domain: give the trunk's SIP domain, its host, or both", field="input.domain")
    return domain.TrunkCreate(
        name=validation.non_empty(value.name, "input.name"),
        domain=_check(value.domain, validation.host, "input.domain"),
        host=_check(value.host, validation.host, "input.host"),
        kind=value.kind,
        model=_text(value.model, "input.model"),
        port=_check(value.port, validation.port, "input.port"),
        transport=value.transport,
        username=value.username,
        password=value.password,
        enabled=value.enabled,
        register=value.register,
    )


def to_trunk_update(value: UpdateTrunkInput) -> domain.TrunkUpdate:
    for name, field in (("name", "input.name"), ("enabled", "input.enabled")):
        if getattr(value, name) is not strawberry.UNSET:
            _required(getattr(value, name), field)
    return domain.TrunkUpdate(
        name=_set(_text(value.name, "input.name")),
        domain=_set(_check(value.domain, validation.host, "input.domain")),
        host=_set(_check(value.host, validation.host, "input.host")),
        port=_set(_check(value.port, validation.port, "input.port")),
        transport=_set(value.transport),
        username=_set(value.username),
        password=_set(value.password),
        enabled=_set(value.enabled),
        register=_set(value.register),
    )


# --- devices -----------------------------------------------------------------------


@strawberry.input
class CreateDeviceInput:
    mac: str
    model: str | None = None
    name: str | None = None
    user_id: strawberry.ID | None = strawberry.field(default=None, description="Assign it to this user at once.")


@strawberry.input(description="Only the fields given change; null clears.")
class UpdateDeviceInput:
    mac: str | None = strawberry.UNSET
    model: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET


def to_device_create(value: CreateDeviceInput, user_id: str | None) -> domain.DeviceCreate:
    """``user_id``: the owner's native id, already checked to be on the device's backend."""
    return domain.DeviceCreate(mac=validation.mac(value.mac, "input.mac"), model=value.model,
                               name=value.name, user_id=user_id)


def to_device_update(value: UpdateDeviceInput) -> domain.DeviceUpdate:
    if value.mac is not strawberry.UNSET:
        _required(value.mac, "input.mac")
    return domain.DeviceUpdate(
        mac=_set(_check(value.mac, validation.mac, "input.mac")),
        model=_set(value.model),
        name=_set(value.name),
    )
