"""Infinity rows <-> domain records, and domain inputs -> Infinity form parameters.

Rows carry every value as a string (ids included) or null; here they become
typed fields. ``raw`` keeps the row as Infinity sent it, minus secrets, and
always shows the record's ``domainId``.

Naming: a group's and a queue's ``name`` is Infinity's ``groupName`` /
``queueName`` and its ``description`` the ``displayName``. Infinity requires
a display name (and a device name) where pbxgraph lets it be empty; the
connector then sends the name (the user name, the MAC address) in its place,
and a display name equal to that fallback reads back as empty, so what a
caller wrote is what a caller reads.
"""

from __future__ import annotations

import re
from typing import Any

from pbxgraph.connectors.infinity.ids import native_id
from pbxgraph.connectors.infinity.rows import Row
from pbxgraph.domain import Device, Group, MemberKind, Queue, QueueMember, User
from pbxgraph.errors import BackendError
from pbxgraph.redaction import redact
from pbxgraph.validation import normalize_mac

_INTEGER = re.compile(r"-?[0-9]{1,18}")


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
    name = text(row.get("groupName")) or ""
    return Group(
        id=native_id(domain, vendor_int(row, "groupId", backend)),
        name=name,
        extension=text(row.get("extensionNumber")),
        strategy=None,
        description=_unless_fallback(text(row.get("displayName")), name),
        raw=raw_of(row, domain),
    )


def queue_from_row(row: Row, domain: int, backend: str) -> Queue:
    name = text(row.get("queueName")) or ""
    return Queue(
        id=native_id(domain, vendor_int(row, "queueId", backend)),
        name=name,
        extension=text(row.get("extensionNumber")),
        strategy=None,
        description=_unless_fallback(text(row.get("displayName")), name),
        raw=raw_of(row, domain),
    )


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
        raw=raw_of(row, domain),
    )


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
