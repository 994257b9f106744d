"""The emulated Infinity's in-memory data: domains and everything inside them.

Records are kept as dicts keyed by the vendor's own field names, holding the
values as the Config API shows them (strings, or ``None`` for an empty
column), so rendering a row is a copy and filtering/sorting work on exactly
what a client sees. Ids are auto-increment integers per table shared by all
domains, as a relational back end would hand them out; a record belongs to
the domain named in its ``domainId``.

Secrets are kept apart from the rows (``user_secrets``, ``device_tokens``)
so that no listing can leak them by accident.

The ``*_FIELDS`` below are the rows' fields. ``DEVICE_FIELDS`` and
``USER_DEVICE_FIELDS`` are the document's (its example bodies, in its order);
the others are a guess the connector shares, since the document shows no
such row: the create parameters (secrets left out), the id named as in the
paths, ``domainId`` and the datetimes device rows have.
"""

from __future__ import annotations

import itertools
import secrets as _secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pbxgraph.emulators.infinity.quirks import Quirks

Row = dict[str, str | None]

#: Field order of each kind's rows (the order they appear in a rendered row).
DOMAIN_FIELDS = ("domainId", "domainName", "displayName", "rec", "createDatetime", "updateDatetime")
USER_FIELDS = (
    "userId",
    "domainId",
    "user",
    "displayName",
    "extensionNumber",
    "email",
    "firstName",
    "lastName",
    "jobName",
    "departmentName",
    "companyName",
    "officeName",
    "ukCallerId",
    "usCallerId",
    "mobileNumber",
    "mobileFollow",
    "ukPhoneId",
    "usPhoneId",
    "hotdeskAllowed",
    "dashboard",
    "createDatetime",
    "updateDatetime",
)
GROUP_FIELDS = (
    "groupId",
    "domainId",
    "groupName",
    "displayName",
    "extensionNumber",
    "ringRetry",
    "ringExclusive",
    "callerNameFormat",
    "createDatetime",
    "updateDatetime",
)
QUEUE_FIELDS = (
    "queueId",
    "domainId",
    "queueName",
    "displayName",
    "extensionNumber",
    "callerNameFormat",
    "createDatetime",
    "updateDatetime",
)
QUEUE_MEMBER_FIELDS = (
    "queueMemberId",
    "queueId",
    "groupId",
    "ringStrategy",
    "ringAttempts",
    "ringSecs",
    "ringOrder",
    "createDatetime",
    "updateDatetime",
)
DEVICE_FIELDS = (
    "pbxDeviceId",
    "pbxDeviceName",
    "domainId",
    "deviceMacAddress",
    "createDatetime",
    "updateDatetime",
    "userId",
    "user",
)
TRUSTED_NETWORK_FIELDS = (
    "trustedNetworkId",
    "domainId",
    "network",
    "description",
    "createDatetime",
    "updateDatetime",
)
USER_DEVICE_FIELDS = ("userId", "pbxDeviceId", "user", "updateDatetime", "pbxDeviceName")


def now_text() -> str:
    """The vendor's datetime format: ``2019-10-31 09:42:56``."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


class Table:
    """Rows of one kind by id, with the auto-increment a database would keep."""

    def __init__(self, id_field: str) -> None:
        self.id_field = id_field
        self.rows: dict[int, Row] = {}
        self._ids = itertools.count(1)

    def insert(self, values: Row) -> Row:
        new_id = next(self._ids)
        row: Row = {self.id_field: str(new_id)}
        row.update((k, v) for k, v in values.items() if k != self.id_field)
        self.rows[new_id] = row
        return row

    def get(self, row_id: int, domain_id: int | None = None) -> Row | None:
        row = self.rows.get(row_id)
        if row is None or (domain_id is not None and row.get("domainId") != str(domain_id)):
            return None
        return row

    def in_domain(self, domain_id: int) -> list[Row]:
        return [r for _, r in sorted(self.rows.items()) if r.get("domainId") == str(domain_id)]

    def delete(self, row_id: int) -> None:
        self.rows.pop(row_id, None)

    def __iter__(self) -> Iterator[Row]:
        return iter([r for _, r in sorted(self.rows.items())])


@dataclass
class Account:
    """Who may call the API: ``domains`` None means every domain, empty means none."""

    domains: frozenset[int] | None = None

    def may_use(self, domain_id: int) -> bool:
        return self.domains is None or domain_id in self.domains


@dataclass
class Membership:
    """A user in a group; the link id keeps the order users were added in."""

    link_id: int
    group_id: int
    user_id: int


@dataclass
class InfinityState:
    domains: Table = field(default_factory=lambda: Table("domainId"))
    users: Table = field(default_factory=lambda: Table("userId"))
    groups: Table = field(default_factory=lambda: Table("groupId"))
    queues: Table = field(default_factory=lambda: Table("queueId"))
    queue_members: Table = field(default_factory=lambda: Table("queueMemberId"))
    devices: Table = field(default_factory=lambda: Table("pbxDeviceId"))
    trusted_networks: Table = field(default_factory=lambda: Table("trustedNetworkId"))
    memberships: list[Membership] = field(default_factory=list)
    #: userId -> {"password": ..., "pin": ...}; never rendered.
    user_secrets: dict[int, dict[str, str]] = field(default_factory=dict)
    #: pbxDeviceId -> the provisioning token handed out on association; never rendered.
    device_tokens: dict[int, str] = field(default_factory=dict)
    #: Basic credentials: username -> (password, account).
    basic_accounts: dict[str, tuple[str, Account]] = field(default_factory=dict)
    #: ApiKey credentials: key -> account.
    api_keys: dict[str, Account] = field(default_factory=dict)
    #: Test-only departures from the emulator's guesses (see :mod:`.quirks`).
    quirks: Quirks = field(default_factory=Quirks)
    _links: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def clear(self) -> None:
        """Forget all data; the credentials stay."""
        fresh = InfinityState()
        for name in (
            "domains",
            "users",
            "groups",
            "queues",
            "queue_members",
            "devices",
            "trusted_networks",
            "memberships",
            "user_secrets",
            "device_tokens",
            "_links",
        ):
            setattr(self, name, getattr(fresh, name))

    # --- look-ups shared by the routes ------------------------------------------

    def extension_owner(self, domain_id: int, extension: str) -> str | None:
        """Which kind already dials ``extension`` in the domain (users, groups, queues share numbers)."""
        for kind, table in (("user", self.users), ("group", self.groups), ("queue", self.queues)):
            for row in table.in_domain(domain_id):
                if row.get("extensionNumber") == extension:
                    return f"{kind} {row[table.id_field]}"
        return None

    def members_of_group(self, group_id: int) -> list[Membership]:
        return sorted((m for m in self.memberships if m.group_id == group_id), key=lambda m: m.link_id)

    def groups_of_user(self, user_id: int) -> list[Membership]:
        return sorted((m for m in self.memberships if m.user_id == user_id), key=lambda m: m.group_id)

    def add_membership(self, group_id: int, user_id: int) -> None:
        if not any(m.group_id == group_id and m.user_id == user_id for m in self.memberships):
            self.memberships.append(Membership(next(self._links), group_id, user_id))

    def remove_membership(self, group_id: int, user_id: int) -> None:
        self.memberships = [m for m in self.memberships if not (m.group_id == group_id and m.user_id == user_id)]

    def members_of_queue(self, queue_id: int) -> list[Row]:
        rows = [r for r in self.queue_members if r["queueId"] == str(queue_id)]
        return sorted(rows, key=lambda r: (int(r["ringOrder"] or 0), int(r["queueMemberId"] or 0)))

    # --- rendering ----------------------------------------------------------------

    def device_row(self, row: Row) -> Row:
        """A device as listed: its association shown through ``userId`` and ``user``."""
        out = dict(row)
        user_id = row.get("userId")
        user = self.users.get(int(user_id)) if user_id else None
        out["user"] = user["user"] if user else None
        return {name: out.get(name) for name in DEVICE_FIELDS}

    def issue_device_token(self, device_id: int) -> str:
        """A provisioning token shaped like the document's example (25 hex digits)."""
        token = _secrets.token_hex(13)[:25]
        self.device_tokens[device_id] = token
        return token

    # --- cascades -----------------------------------------------------------------

    def delete_user(self, user_id: int) -> None:
        self.users.delete(user_id)
        self.user_secrets.pop(user_id, None)
        self.memberships = [m for m in self.memberships if m.user_id != user_id]
        for device in self.devices:
            if device.get("userId") == str(user_id):
                device["userId"] = None
                self.device_tokens.pop(int(device["pbxDeviceId"] or 0), None)

    def delete_group(self, group_id: int) -> None:
        self.groups.delete(group_id)
        self.memberships = [m for m in self.memberships if m.group_id != group_id]
        for member in list(self.queue_members):
            if member["groupId"] == str(group_id):
                self.queue_members.delete(int(member["queueMemberId"] or 0))

    def delete_queue(self, queue_id: int) -> None:
        self.queues.delete(queue_id)
        for member in list(self.queue_members):
            if member["queueId"] == str(queue_id):
                self.queue_members.delete(int(member["queueMemberId"] or 0))

    def delete_device(self, device_id: int) -> None:
        self.devices.delete(device_id)
        self.device_tokens.pop(device_id, None)


def row_of(fields: tuple[str, ...], values: dict[str, Any]) -> Row:
    """A row with every field of its kind present, in order; missing ones are ``None``."""
    return {name: (None if values.get(name) is None else str(values[name])) for name in fields}
