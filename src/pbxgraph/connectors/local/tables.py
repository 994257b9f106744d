"""The local store's tables, as the newest migration leaves them.

Plain SQLAlchemy Core so the same store runs on SQLite (one file, the default)
and on PostgreSQL (several replicas sharing one database).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(128), nullable=False, unique=True),
    Column("display_name", String(200)),
    Column("extension", String(32)),
    Column("email", String(254)),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("sip_password", String(200)),
    sqlite_autoincrement=True,
)

groups = Table(
    "groups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("extension", String(32)),
    Column("strategy", String(32)),
    Column("description", String(500)),
    Column("display_name", String(200)),
    sqlite_autoincrement=True,
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", Integer, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False),
)

queues = Table(
    "queues",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("extension", String(32)),
    Column("strategy", String(32)),
    Column("description", String(500)),
    Column("display_name", String(200)),
    sqlite_autoincrement=True,
)

queue_members = Table(
    "queue_members",
    metadata,
    Column("queue_id", Integer, ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),
    Column("group_id", Integer, ForeignKey("groups.id", ondelete="CASCADE")),
    Column("priority", Integer),
)

trunks = Table(
    "trunks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("host", String(253)),
    Column("port", Integer),
    Column("transport", String(8)),
    Column("username", String(128)),
    Column("password", String(200)),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("register", Boolean),
    Column("domain", String(253)),
    Column("kind", String(16), nullable=False, default="sip"),
    Column("model", String(100)),
    sqlite_autoincrement=True,
)

devices = Table(
    "devices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mac", String(17), nullable=False, unique=True),
    Column("model", String(100)),
    Column("name", String(200)),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    sqlite_autoincrement=True,
)

#: Every extension in use on this backend, whoever owns it: the primary key
#: makes "extension already taken" a database guarantee, not a race.
numbers = Table(
    "numbers",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("owner_id", Integer, nullable=False),
)
