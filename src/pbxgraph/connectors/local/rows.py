"""Rows to domain records. Secrets columns are read by nobody but the store."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import RowMapping

from pbxgraph.connectors.local import tables
from pbxgraph.domain import Device, Group, Kind, Queue, RingStrategy, Transport, Trunk, TrunkKind, User
from pbxgraph.selection import wants


@functools.cache
def _shown_columns(table: Table, secret: tuple[str, ...]) -> frozenset[str]:
    """The table's column names but its secrets, worked out once per table."""
    # A column collection iterates its columns; keys() are their names.
    return frozenset(table.c.keys()) - frozenset(secret)


def _raw(kind: Kind, row: RowMapping, table: Table, *secret: str) -> dict[str, Any]:
    """The row as stored, minus secrets and any columns a join brought along; empty when the query
    shows no ``raw`` of this kind (a page of hundreds of rows need not copy each)."""
    if not wants(kind, "raw"):
        return {}
    shown = _shown_columns(table, secret)
    return {k: v for k, v in row.items() if k in shown}


def user(row: RowMapping) -> User:
    return User(
        id=str(row["id"]),
        username=row["username"],
        display_name=row["display_name"],
        extension=row["extension"],
        email=row["email"],
        enabled=bool(row["enabled"]),
        raw=_raw(Kind.USER, row, tables.users, "sip_password"),
    )


def group(row: RowMapping) -> Group:
    return Group(
        id=str(row["id"]),
        name=row["name"],
        extension=row["extension"],
        strategy=RingStrategy(row["strategy"]) if row["strategy"] else None,
        description=row["description"],
        display_name=row["display_name"],
        raw=_raw(Kind.GROUP, row, tables.groups),
    )


def queue(row: RowMapping) -> Queue:
    return Queue(
        id=str(row["id"]),
        name=row["name"],
        extension=row["extension"],
        strategy=RingStrategy(row["strategy"]) if row["strategy"] else None,
        description=row["description"],
        display_name=row["display_name"],
        raw=_raw(Kind.QUEUE, row, tables.queues),
    )


def trunk(row: RowMapping) -> Trunk:
    return Trunk(
        id=str(row["id"]),
        name=row["name"],
        host=row["host"],
        port=row["port"],
        transport=Transport(row["transport"]) if row["transport"] else None,
        username=row["username"],
        enabled=bool(row["enabled"]),
        register=row["register"],
        domain=row["domain"],
        kind=TrunkKind(row["kind"]),
        model=row["model"],
        raw=_raw(Kind.TRUNK, row, tables.trunks, "password"),
    )


def device(row: RowMapping) -> Device:
    return Device(
        id=str(row["id"]),
        mac=row["mac"],
        model=row["model"],
        name=row["name"],
        raw=_raw(Kind.DEVICE, row, tables.devices),
    )
