"""Mutation and filter inputs, and their translation into domain inputs.

Every value is validated here, before any backend is called, with an error
naming the argument path (``input.extension``) so a provisioning script learns
exactly what to fix. Update inputs are partial: a field left out stays as it
was (strawberry's UNSET becomes the domain's UNSET), an explicit ``null``
clears a field that may be empty, and is refused for one that may not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry

from pbxgraph import domain, validation
from pbxgraph.errors import BadUserInput, PbxError, raise_all
from pbxgraph.schema.enums import RingStrategy, SortDirection, SortField, Transport, TrunkKind

# --- what the fields mean, the same in every input ------------------------------------------

USERNAME = "The login (SIP user) name, unique on its backend: a letter or digit, then letters, digits and `. _ @ + -`."
DISPLAY_NAME = "The human label phones and directories show; not empty."
USER_DISPLAY_NAME = "The person's name as phones and directories show it; not empty."
EXTENSION = "The internal number: 2 to 15 ASCII digits, free on the backend (else CONFLICT)."
EMAIL = "E-mail address (`name@domain.tld`)."
ENABLED = "Whether the user may register and call; backends without the flag (Era, Infinity) refuse false."
SIP_PASSWORD = "The SIP account's password. Write-only: stored by the backend, never returned or logged."  # noqa: S105 - a description
NAME = "The short name the backend keys it by; not empty, unique among its kind on the backend."
DESCRIPTION = "Free text describing it."
STRATEGY = "How it rings its members; `backends { capabilities { strategies } }` lists what the backend takes."
UPDATE = (
    "Only the fields given change; an explicit null clears a field that may be empty (a required one "
    "refuses null). At least one field."
)
TRUNK_NAME = "The trunk's name; not empty."
TRUNK_PORT = "The port at `host`, 1 to 65535; null for the transport's default."
TRUNK_TRANSPORT = "The SIP transport; null for the backend's default."
TRUNK_USERNAME = "The account's authentication user name at the carrier."
TRUNK_PASSWORD = (
    "The account's password at the carrier. Write-only: stored by the backend, never returned or "  # noqa: S105
    "logged."
)
TRUNK_ENABLED = "Whether the PBX uses the trunk for calls."
TRUNK_REGISTER = "Whether the PBX registers the account with the carrier; null for the backend's default."
DEVICE_MAC = (
    "The device's MAC address, 12 hex digits in any common notation (`00:04:F2:AB:CD:EF`, "
    "`0004.f2ab.cdef`, `00-04-f2-ab-cd-ef`); answered in lower case with colons."
)
DEVICE_MODEL = "The model, as the backend names it; `backends { capabilities { models } }` lists those it takes."
DEVICE_NAME = "A label for the device."

# --- filters and order ---------------------------------------------------------


@strawberry.input(description="Narrows a listing; every field given must match.")
class ListFilter:
    extension: str | None = strawberry.field(default=None, description="Exact extension number, 2 to 15 digits.")
    search: str | None = strawberry.field(
        default=None,
        description="Case-insensitive text in the name (a user's display name or username); "
        "surrounding spaces are ignored.",
    )


@strawberry.input(description="Narrows a device listing; every field given must match.")
class DeviceFilter:
    mac: str | None = strawberry.field(default=None, description="MAC address, any common notation.")
    search: str | None = strawberry.field(default=None, description="Case-insensitive text in the name, MAC or model.")


@strawberry.input(description="How a listing is ordered.")
class OrderBy:
    field: SortField = strawberry.field(default=domain.SortField.NAME, description="What to order by (default NAME).")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Which way (default ASC).")


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


class Checks:
    """Runs each check of an input on its own and keeps every problem, so all are reported at once."""

    def __init__(self) -> None:
        self.errors: list[PbxError] = []

    def __call__(self, check: Callable[..., Any], *args: Any) -> Any:
        try:
            return check(*args)
        except PbxError as error:
            self.errors.append(error)
            return None

    def add(self, error: PbxError) -> None:
        self.errors.append(error)

    def done(self) -> None:
        """Raise every problem found (one error, or :class:`~pbxgraph.errors.InputErrors`)."""
        raise_all(self.errors)


def _text(value: Any, field: str) -> Any:
    if value is strawberry.UNSET or value is None:
        return value
    return validation.non_empty(value, field)


# --- users -------------------------------------------------------------------------


@strawberry.input(
    description="A new user. What a backend takes, and needs beyond `username`, is in "
    "`backends { capabilities { createFields requiredFields } }`."
)
class CreateUserInput:
    username: str = strawberry.field(description=USERNAME)
    display_name: str | None = strawberry.field(default=None, description=USER_DISPLAY_NAME)
    extension: str | None = strawberry.field(default=None, description=EXTENSION)
    email: str | None = strawberry.field(default=None, description=EMAIL)
    enabled: bool = strawberry.field(default=True, description=ENABLED)
    sip_password: str | None = strawberry.field(default=None, description=SIP_PASSWORD)


@strawberry.input(description=f"Changes to a user. {UPDATE}")
class UpdateUserInput:
    username: str | None = strawberry.field(default=strawberry.UNSET, description=USERNAME)
    display_name: str | None = strawberry.field(default=strawberry.UNSET, description=USER_DISPLAY_NAME)
    extension: str | None = strawberry.field(default=strawberry.UNSET, description=EXTENSION)
    email: str | None = strawberry.field(default=strawberry.UNSET, description=EMAIL)
    enabled: bool | None = strawberry.field(default=strawberry.UNSET, description=ENABLED)
    sip_password: str | None = strawberry.field(default=strawberry.UNSET, description=SIP_PASSWORD)


def to_user_create(value: CreateUserInput) -> domain.UserCreate:
    c = Checks()
    data = domain.UserCreate(
        username=c(validation.username, value.username, "input.username"),
        display_name=c(_text, value.display_name, "input.displayName"),
        extension=c(_check, value.extension, validation.extension, "input.extension"),
        email=c(_check, value.email, validation.email, "input.email"),
        enabled=value.enabled,
        sip_password=value.sip_password,
    )
    c.done()
    return data


def to_user_update(value: UpdateUserInput) -> domain.UserUpdate:
    c = Checks()
    if value.username is not strawberry.UNSET and c(_required, value.username, "input.username") is not None:
        c(validation.username, value.username, "input.username")
    if value.enabled is not strawberry.UNSET:
        c(_required, value.enabled, "input.enabled")
    patch = domain.UserUpdate(
        username=_set(value.username),
        display_name=_set(c(_text, value.display_name, "input.displayName")),
        extension=_set(c(_check, value.extension, validation.extension, "input.extension")),
        email=_set(c(_check, value.email, validation.email, "input.email")),
        enabled=_set(value.enabled),
        sip_password=_set(value.sip_password),
    )
    c.done()
    return patch


# --- groups ------------------------------------------------------------------------


@strawberry.input(
    description="A new ring group. What a backend takes, and needs beyond `name`, is in "
    "`backends { capabilities { createFields requiredFields } }`."
)
class CreateGroupInput:
    name: str = strawberry.field(description=NAME)
    display_name: str | None = strawberry.field(default=None, description=DISPLAY_NAME)
    extension: str | None = strawberry.field(default=None, description=EXTENSION)
    strategy: RingStrategy | None = strawberry.field(default=None, description=STRATEGY)
    description: str | None = strawberry.field(default=None, description=DESCRIPTION)
    members: list[MemberInput] | None = strawberry.field(
        default=None,
        description="The users ringing in the group, in ring order (a group's members carry no priority).",
    )
    member_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Global ids of users of the same backend, in ring order.",
        deprecation_reason="Use `members: [{id}]`, the member input groups and queues share.",
    )


@strawberry.input(
    description=f"Changes to a ring group. {UPDATE} Members change with `addMembers`, `removeMembers` and `setMembers`."
)
class UpdateGroupInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description=NAME)
    display_name: str | None = strawberry.field(default=strawberry.UNSET, description=DISPLAY_NAME)
    extension: str | None = strawberry.field(default=strawberry.UNSET, description=EXTENSION)
    strategy: RingStrategy | None = strawberry.field(default=strawberry.UNSET, description=STRATEGY)
    description: str | None = strawberry.field(default=strawberry.UNSET, description=DESCRIPTION)


def group_members_given(value: CreateGroupInput) -> tuple[str, list[MemberInput]]:
    """The members a new group is given, and the field they were written in (``members`` or the old ``memberIds``)."""
    if value.members is not None and value.member_ids is not None:
        raise BadUserInput(
            "input.memberIds: give `members` or the older `memberIds`, not both", field="input.memberIds"
        )
    if value.member_ids is not None:
        return "input.memberIds", [MemberInput(id=member) for member in value.member_ids]
    return "input.members", list(value.members or [])


def to_group_create(value: CreateGroupInput, member_user_ids: list[str]) -> domain.GroupCreate:
    """``member_user_ids``: the members' native ids, already checked to be on the group's backend."""
    c = Checks()
    data = domain.GroupCreate(
        name=c(validation.non_empty, value.name, "input.name"),
        display_name=c(_text, value.display_name, "input.displayName"),
        extension=c(_check, value.extension, validation.extension, "input.extension"),
        strategy=value.strategy,
        description=value.description,
        member_user_ids=member_user_ids,
    )
    c.done()
    return data


def _update_names(c: Checks, value: Any) -> dict[str, Any]:
    """The fields groups and queues share, checked: a partial update of them."""
    if value.name is not strawberry.UNSET:
        c(_required, value.name, "input.name")
    return {
        "name": _set(c(_text, value.name, "input.name")),
        "display_name": _set(c(_text, value.display_name, "input.displayName")),
        "extension": _set(c(_check, value.extension, validation.extension, "input.extension")),
        "strategy": _set(value.strategy),
        "description": _set(value.description),
    }


def to_group_update(value: UpdateGroupInput) -> domain.GroupUpdate:
    c = Checks()
    patch = domain.GroupUpdate(**_update_names(c, value))
    c.done()
    return patch


# --- queues ------------------------------------------------------------------------


@strawberry.input(
    description="A member of a group or queue, in the order given: what it may be is the backend's "
    "`capabilities { memberKinds memberPriority }` for queues; a group's members are users, without priority."
)
class MemberInput:
    id: strawberry.ID = strawberry.field(
        description="Global id of a user (or, in a queue, a group) on the backend of the group or queue; "
        "in `applyChanges`, `ref:NAME` too."
    )
    priority: int | None = strawberry.field(
        default=None,
        description="Queues only: 0 to 1000; which end rings first is `capabilities { memberPriority }`. "
        "Null for none; a group, or a backend whose queue members carry none, refuses one (NOT_SUPPORTED).",
    )


@strawberry.input(
    description="A user or group to serve a queue, in the order given: the same fields as `MemberInput`, "
    "under the name `createQueue` and `setQueueMembers` have always taken."
)
class QueueMemberInput:
    id: strawberry.ID = strawberry.field(
        description="Global id of a user or group on the queue's backend; `backends { capabilities { "
        "memberKinds } }` says which it takes."
    )
    priority: int | None = strawberry.field(
        default=None,
        description="0 to 1000; which end rings first is `capabilities { memberPriority }`. "
        "Null for none; a backend whose members carry none refuses one (NOT_SUPPORTED).",
    )


@strawberry.input(
    description="A new queue. What a backend takes, and needs beyond `name` (sipXcom: an "
    "`extension`), is in `backends { capabilities { createFields requiredFields } }`."
)
class CreateQueueInput:
    name: str = strawberry.field(description=NAME)
    display_name: str | None = strawberry.field(default=None, description=DISPLAY_NAME)
    extension: str | None = strawberry.field(default=None, description=EXTENSION)
    strategy: RingStrategy | None = strawberry.field(default=None, description=STRATEGY)
    description: str | None = strawberry.field(default=None, description=DESCRIPTION)
    members: list[QueueMemberInput] = strawberry.field(
        default_factory=list,
        description="The users or groups serving the queue, in ring order (`QueueMemberInput` has the shape of "
        "`MemberInput`; its name stays so that scripts declaring it keep working).",
    )


@strawberry.input(
    description=f"Changes to a queue. {UPDATE} Members change with `addMembers`, `removeMembers` and `setMembers`."
)
class UpdateQueueInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description=NAME)
    display_name: str | None = strawberry.field(default=strawberry.UNSET, description=DISPLAY_NAME)
    extension: str | None = strawberry.field(default=strawberry.UNSET, description=EXTENSION)
    strategy: RingStrategy | None = strawberry.field(default=strawberry.UNSET, description=STRATEGY)
    description: str | None = strawberry.field(default=strawberry.UNSET, description=DESCRIPTION)


def to_queue_create(value: CreateQueueInput, members: list[domain.QueueMemberInput]) -> domain.QueueCreate:
    """``members``: already resolved to native ids on the queue's backend."""
    c = Checks()
    data = domain.QueueCreate(
        name=c(validation.non_empty, value.name, "input.name"),
        display_name=c(_text, value.display_name, "input.displayName"),
        extension=c(_check, value.extension, validation.extension, "input.extension"),
        strategy=value.strategy,
        description=value.description,
        members=members,
    )
    c.done()
    return data


def to_queue_update(value: UpdateQueueInput) -> domain.QueueUpdate:
    c = Checks()
    patch = domain.QueueUpdate(**_update_names(c, value))
    c.done()
    return patch


# --- trunks ------------------------------------------------------------------------


@strawberry.input(description="A new trunk: give its SIP `domain`, its `host`, or both.")
class CreateTrunkInput:
    name: str = strawberry.field(description=TRUNK_NAME)
    domain: str | None = strawberry.field(
        default=None, description="The SIP domain (realm) of the account: a host name."
    )
    host: str | None = strawberry.field(
        default=None,
        description="Where signalling is sent: outbound proxy or gateway address (host name or IP address).",
    )
    port: int | None = strawberry.field(default=None, description=TRUNK_PORT)
    transport: Transport | None = strawberry.field(default=None, description=TRUNK_TRANSPORT)
    username: str | None = strawberry.field(default=None, description=TRUNK_USERNAME)
    password: str | None = strawberry.field(default=None, description=TRUNK_PASSWORD)
    enabled: bool = strawberry.field(default=True, description=TRUNK_ENABLED)
    register: bool | None = strawberry.field(default=None, description=TRUNK_REGISTER)
    kind: TrunkKind = strawberry.field(default=TrunkKind.SIP, description="What the trunk connects to.")
    model: str | None = strawberry.field(
        default=None, description="The backend's model label; left out, the backend picks its model for `kind`."
    )


@strawberry.input(description=f"Changes to a trunk. {UPDATE} Its kind and model stay as they are.")
class UpdateTrunkInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description=TRUNK_NAME)
    domain: str | None = strawberry.field(
        default=strawberry.UNSET, description="The SIP domain (realm) of the account."
    )
    host: str | None = strawberry.field(
        default=strawberry.UNSET, description="Where signalling is sent; null sends it to the domain again."
    )
    port: int | None = strawberry.field(default=strawberry.UNSET, description=TRUNK_PORT)
    transport: Transport | None = strawberry.field(default=strawberry.UNSET, description=TRUNK_TRANSPORT)
    username: str | None = strawberry.field(default=strawberry.UNSET, description=TRUNK_USERNAME)
    password: str | None = strawberry.field(default=strawberry.UNSET, description=TRUNK_PASSWORD)
    enabled: bool | None = strawberry.field(default=strawberry.UNSET, description=TRUNK_ENABLED)
    register: bool | None = strawberry.field(default=strawberry.UNSET, description=TRUNK_REGISTER)


def to_trunk_create(value: CreateTrunkInput) -> domain.TrunkCreate:
    c = Checks()
    if value.domain is None and value.host is None:
        c.add(BadUserInput("input.domain: give the trunk's SIP domain, its host, or both", field="input.domain"))
    data = domain.TrunkCreate(
        name=c(validation.non_empty, value.name, "input.name"),
        domain=c(_check, value.domain, validation.host, "input.domain"),
        host=c(_check, value.host, validation.host, "input.host"),
        kind=value.kind,
        model=c(_text, value.model, "input.model"),
        port=c(_check, value.port, validation.port, "input.port"),
        transport=value.transport,
        username=value.username,
        password=value.password,
        enabled=value.enabled,
        register=value.register,
    )
    c.done()
    return data


def to_trunk_update(value: UpdateTrunkInput) -> domain.TrunkUpdate:
    c = Checks()
    for name, field in (("name", "input.name"), ("enabled", "input.enabled")):
        if getattr(value, name) is not strawberry.UNSET:
            c(_required, getattr(value, name), field)
    patch = domain.TrunkUpdate(
        name=_set(c(_text, value.name, "input.name")),
        domain=_set(c(_check, value.domain, validation.host, "input.domain")),
        host=_set(c(_check, value.host, validation.host, "input.host")),
        port=_set(c(_check, value.port, validation.port, "input.port")),
        transport=_set(value.transport),
        username=_set(value.username),
        password=_set(value.password),
        enabled=_set(value.enabled),
        register=_set(value.register),
    )
    c.done()
    return patch


# --- devices -----------------------------------------------------------------------


@strawberry.input(
    description="A new device. What a backend takes, and needs beyond `mac` (Era: a `userId`), "
    "is in `backends { capabilities { createFields requiredFields } }`."
)
class CreateDeviceInput:
    mac: str = strawberry.field(description=DEVICE_MAC)
    model: str | None = strawberry.field(default=None, description=DEVICE_MODEL)
    name: str | None = strawberry.field(default=None, description=DEVICE_NAME)
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of a user of the same backend to assign it to at once."
    )


@strawberry.input(
    description=f"Changes to a device. {UPDATE} Its user changes with `assignDevice` and `unassignDevice`."
)
class UpdateDeviceInput:
    mac: str | None = strawberry.field(default=strawberry.UNSET, description=DEVICE_MAC)
    model: str | None = strawberry.field(default=strawberry.UNSET, description=DEVICE_MODEL)
    name: str | None = strawberry.field(default=strawberry.UNSET, description=DEVICE_NAME)


def to_device_create(value: CreateDeviceInput, user_id: str | None) -> domain.DeviceCreate:
    """``user_id``: the owner's native id, already checked to be on the device's backend."""
    return domain.DeviceCreate(
        mac=validation.mac(value.mac, "input.mac"), model=value.model, name=value.name, user_id=user_id
    )


def to_device_update(value: UpdateDeviceInput) -> domain.DeviceUpdate:
    c = Checks()
    if value.mac is not strawberry.UNSET:
        c(_required, value.mac, "input.mac")
    patch = domain.DeviceUpdate(
        mac=_set(c(_check, value.mac, validation.mac, "input.mac")),
        model=_set(value.model),
        name=_set(value.name),
    )
    c.done()
    return patch
