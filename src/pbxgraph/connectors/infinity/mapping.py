"""Infinity rows <-> domain records, and domain inputs -> Infinity form parameters.

Rows carry every value as a string (ids included) or null, as the
document's examples do; here they become typed fields. ``raw`` keeps the row
as Infinity sent it, minus secrets, and always shows the record's
``domainId``.

Which fields a row has is documented for PBX devices and user devices only
(with example bodies); for users, groups, queues and queue members the
document says just "rows". The connector relies on this guess, which the
emulator shares: such a row carries the create call's parameters under the
same names (``user``, ``displayName``, ``extensionNumber``, ``email``;
``groupName``; ``queueName``; ``groupId``, ``ringStrategy``, ``ringOrder``)
and its id as ``userId`` / ``groupId`` / ``queueId`` / ``queueMemberId``, the
names the document's paths and its device rows use. A listing of a group's
users (or a user's groups) is guessed to be user (group) rows with the
``groupId`` (``userId``) of the link added.

Naming: a group's and a queue's ``name`` is Infinity's short name
(``groupName`` / ``queueName``, "sales") and its ``display_name`` the
``displayName`` ("Sales Dept"). Infinity keeps no description for either, so
``description`` is always empty (and a backend that cannot store it says so
in its capabilities). Infinity requires a display name (and a device name)
where pbxgraph lets it be empty; the connector then sends the name (the user
name, the MAC address) in its place, and a display name equal to that
fallback reads back as empty, so what a caller wrote is what a caller reads.

Ring strategies: the document gives a queue member (a group in a queue) a
``ringStrategy`` of ``all`` ("ring all users at the same time") or
``huntLongestIdle`` ("ring users sequentially based on longest idle time"),
which are :attr:`RingStrategy.ALL` and :attr:`RingStrategy.LONGEST_IDLE`.
A queue's strategy is the one its members share (:func:`shared_strategy`).

Infinity has no registration state in this API (no device or user row
carries one), so ``User.registration`` and ``Device.registration`` are
always ``None``: unknown, not offline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pbxgraph.connectors.infinity.ids import native_id
from pbxgraph.connectors.infinity.rows import Row
from pbxgraph.domain import UNSET, Device, Group, MemberKind, Queue, QueueMember, RingStrategy, UnsetType, User
from pbxgraph.errors import BackendError
from pbxgraph.ids import numeric_id
from pbxgraph.redaction import redact
from pbxgraph.validation import normalize_mac

_INTEGER = re.compile(r"-?[0-9]{1,18}")


#: ``ringStrategy`` values of the document <-> ring strategies, both ways.
RING_STRATEGY: Mapping[str, RingStrategy] = {
    "all": RingStrategy.ALL,
    "huntLongestIdle": RingStrategy.LONGEST_IDLE,
}
VENDOR_RING_STRATEGY: Mapping[RingStrategy, str] = {v: k for k, v in RING_STRATEGY.items()}


def text(value: Any) -> str | None:
    """A row value as text; null and empty are None."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def vendor_int(row: Row, field: str, backend: str) -> int:
    """An integer column (ids, orders) that must be there; BACKEND_ERROR otherwise."""
    value = text(row.get(field))
    if value is None or not _INTEGER.fullmatch(value):
        raise BackendError(
            f"backend '{backend}' sent a row whose '{field}' is not an integer",
            backend=backend,
            details={"field": field},
        )
    return int(value)


def raw_of(row: Row, domain: int) -> dict[str, Any]:
    raw: dict[str, Any] = redact(row)
    raw.setdefault("domainId", str(domain))
    return raw


def _unless_fallback(value: str | None, fallback: str | None) -> str | None:
    return None if value is not None and value == fallback else value


def user_from_row(row: Row, domain: int, backend: str) -> User:
    username = text(row.get("user"))
    if username is None:
        raise BackendError(f"backend '{backend}' sent a user row without 'user'", backend=backend)
    return User(
        id=native_id(domain, vendor_int(row, "userId", backend)),
        username=username,
        display_name=_unless_fallback(text(row.get("displayName")), username),
        extension=text(row.get("extensionNumber")),
        email=text(row.get("email")),
        enabled=True,
        registration=None,
        raw=raw_of(row, domain),
    )


def group_from_row(row: Row, domain: int, backend: str) -> Group:
    """A group; it has no strategy of its own (a queue's member carries one) and no description."""
    name = text(row.get("groupName")) or ""
    return Group(
        id=native_id(domain, vendor_int(row, "groupId", backend)),
        name=name,
        extension=text(row.get("extensionNumber")),
        strategy=None,
        description=None,
        display_name=_unless_fallback(text(row.get("displayName")), name),
        raw=raw_of(row, domain),
    )


def queue_from_row(row: Row, domain: int, backend: str, strategy: RingStrategy | None = None) -> Queue:
    """A queue; ``strategy`` is its members' (:func:`shared_strategy`), read apart from the queue row."""
    name = text(row.get("queueName")) or ""
    return Queue(
        id=native_id(domain, vendor_int(row, "queueId", backend)),
        name=name,
        extension=text(row.get("extensionNumber")),
        strategy=strategy,
        description=None,
        display_name=_unless_fallback(text(row.get("displayName")), name),
        raw=raw_of(row, domain),
    )


def shared_vendor_strategy(member_rows: Iterable[Row]) -> str | None:
    """The ``ringStrategy`` every member row has; None when they differ or there are none."""
    values = {text(row.get("ringStrategy")) for row in member_rows}
    if len(values) != 1:
        return None
    return values.pop()


def shared_strategy(member_rows: Iterable[Row]) -> RingStrategy | None:
    """A queue's ring strategy: its members' shared one, where the document names it."""
    vendor = shared_vendor_strategy(member_rows)
    return None if vendor is None else RING_STRATEGY.get(vendor)


def vendor_mac(mac: str) -> str:
    """pbxgraph's normal form (``00:04:f2:aa:bb:cc``) as Infinity writes it (``00:04:F2:AA:BB:CC``)."""
    return mac.upper()


def device_from_row(row: Row, domain: int, backend: str) -> Device:
    mac_text = text(row.get("deviceMacAddress"))
    mac = normalize_mac(mac_text) if mac_text else None
    return Device(
        id=native_id(domain, vendor_int(row, "pbxDeviceId", backend)),
        mac=mac,
        model=None,
        name=_unless_fallback(text(row.get("pbxDeviceName")), mac_text),
        registration=None,
        raw=raw_of(row, domain),
        user_id=_owner_of(row, domain),
    )


def _owner_of(row: Row, domain: int) -> str | None | UnsetType:
    """The user a device row names (``userId``; empty or 0: none), UNSET where the row says nothing."""
    if "userId" not in row:
        return UNSET
    owner = numeric_id(text(row.get("userId")))
    return native_id(domain, owner) if owner else None


def queue_member_from_row(row: Row, domain: int, position: int, group: Group | None) -> QueueMember:
    return QueueMember(
        position=position,
        kind=MemberKind.GROUP,
        user=None,
        group=group,
        priority=None,
        raw=raw_of(row, domain),
    )


def flag(value: bool) -> str:
    return "1" if value else "0"
