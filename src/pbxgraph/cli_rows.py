"""Rows of a provisioning file, read and written: CSV, JSON or YAML, one object or change per row.

A row names its object's ``type`` (user, group, queue, trunk, device), an
optional ``action``, ``ref``, ``backend`` and ``id``, and the object's fields
by the names the GraphQL inputs use (``displayName``, ``sipPassword``,
``members`` ...). Without an ``action``, a row with an ``id`` updates that
object and one without creates it, so a file ``pbxgraph export`` writes
comes back through ``pbxgraph apply`` unchanged: every field it holds is what
the object holds, and the plan finds nothing to do.

In CSV an empty cell leaves a field out and ``~`` clears it (an update's
``null``); lists are separated by spaces (``members`` of groups and queues
alike, as ``ID`` or ``ID=PRIORITY``; a group's older ``memberIds`` column is
read too); booleans are ``true``/``false``. JSON and YAML
rows take the same strings, or typed values (lists, numbers, booleans,
``null`` to clear). YAML is read with ``yaml.safe_load`` only: a file never
builds objects.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The null marker of a CSV cell: clear the field.
NULL = "~"
TYPES = ("user", "group", "queue", "trunk", "device")
PLURALS = {f"{t}s": t for t in TYPES}
ACTIONS = ("create", "update", "delete", "add-members", "remove-members", "set-members", "assign", "unassign")
FORMATS = ("csv", "json", "yaml")

#: The fields of each type, in the order export writes them.
FIELDS: Mapping[str, tuple[str, ...]] = {
    "user": ("username", "displayName", "extension", "email", "enabled", "sipPassword"),
    "group": ("name", "displayName", "extension", "strategy", "description", "members"),
    "queue": ("name", "displayName", "extension", "strategy", "description", "members"),
    "trunk": (
        "name",
        "domain",
        "host",
        "port",
        "transport",
        "username",
        "password",
        "enabled",
        "register",
        "kind",
        "model",
    ),
    "device": ("mac", "model", "name", "userId"),
}
#: Columns older files use, still read: a group's ``memberIds`` (user ids), now ``members``.
OLD_FIELDS: Mapping[str, tuple[str, ...]] = {"group": ("memberIds",)}
#: Fields an update leaves alone, because no update changes them (a trunk's kind and model).
CREATE_ONLY: Mapping[str, frozenset[str]] = {"trunk": frozenset({"kind", "model"})}
#: Fields that an update row turns into a change of its own: members, a device's user.
RELATIONS = frozenset({"memberIds", "members", "userId"})
SECRET_FIELDS = frozenset({"sipPassword", "password"})
HEAD = ("type", "action", "ref", "backend", "id")
_BOOLEAN = frozenset({"enabled", "register"})
_INTEGER = frozenset({"port"})
_ENUMS = frozenset({"strategy", "transport", "kind"})
_OPERATION = {"user": "User", "group": "Group", "queue": "Queue", "trunk": "Trunk", "device": "Device"}


class RowError(ValueError):
    """A row that cannot become a change: its number and what is wrong."""


@dataclass(slots=True)
class Rows:
    """A file's rows, each with the number a person finds it by (a CSV line, a JSON or YAML entry)."""

    rows: list[dict[str, Any]]
    numbers: list[int]


@dataclass(slots=True)
class Changes:
    """The changes a file asks for, each with the row it came from."""

    changes: list[dict[str, Any]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


# --- reading ------------------------------------------------------------------------------------


def format_of(path: Path, given: str | None) -> str:
    if given is not None:
        return given
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "yml":
        return "yaml"
    if suffix in FORMATS:
        return suffix
    raise RowError(f"{path}: cannot tell the format from the name; give --format {'|'.join(FORMATS)}")


def read_rows(text: str, fmt: str) -> Rows:
    """The rows of a file's text; RowError naming the place for a file that is not rows."""
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None:
            raise RowError("the CSV file is empty: it needs a header row")
        known = {f for fs in (*FIELDS.values(), *OLD_FIELDS.values()) for f in fs}
        unknown = sorted(set(reader.fieldnames) - set(HEAD) - known)
        if unknown:
            raise RowError(f"line 1: unknown column(s) {', '.join(unknown)}")
        rows, numbers = [], []
        for row in reader:
            if None in row:
                raise RowError(f"line {reader.line_num}: more cells than the header has columns")
            cells = {k: v for k, v in row.items() if v is not None and v.strip() != ""}
            if cells:
                rows.append(cells)
                numbers.append(reader.line_num)
        return Rows(rows, numbers)
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise RowError(f"not JSON: {error}") from None
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise RowError(f"not YAML: {error}") from None
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise RowError("the file must hold a list of rows (objects)")
    for position, row in enumerate(data, start=1):
        if not isinstance(row, dict) or not all(isinstance(k, str) for k in row):
            raise RowError(f"row {position}: must be an object of fields")
    return Rows([dict(r) for r in data], list(range(1, len(data) + 1)))


def _text(value: Any, number: int, name: str) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RowError(f"row {number}: {name} must be text, got {json.dumps(value)}")
    return str(value)


def _value(value: Any, number: int, name: str) -> Any:
    """A cell as the GraphQL input takes it; None clears (the null marker)."""
    if value is None or (isinstance(value, str) and value.strip() == NULL):
        return None
    if name in _BOOLEAN:
        if isinstance(value, bool):
            return value
        text = _text(value, number, name).lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise RowError(f"row {number}: {name} must be true or false, got {value!r}")
    if name in _INTEGER:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = _text(value, number, name)
        if not text.isascii() or not text.isdigit():
            raise RowError(f"row {number}: {name} must be a whole number, got {value!r}")
        return int(text)
    if name in _ENUMS:
        return _text(value, number, name).upper()
    if name == "memberIds":
        items = value if isinstance(value, list) else _text(value, number, name).split()
        return [_text(v, number, name) for v in items]
    if name == "members":
        return _members(value, number)
    return _text(value, number, name)


def _members(value: Any, number: int) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else _text(value, number, "members").split()
    members = []
    for item in items:
        if isinstance(item, dict):
            member_id = item.get("id")
            priority = item.get("priority")
            if not isinstance(member_id, str) or not (priority is None or isinstance(priority, int)):
                raise RowError(f"row {number}: members: each is {{id, priority}}, got {json.dumps(item)}")
            members.append({"id": member_id, "priority": priority})
            continue
        text = _text(item, number, "members")
        head, sep, tail = text.rpartition("=")
        if sep and tail.isascii() and tail.isdigit() and head:
            members.append({"id": head, "priority": int(tail)})
        else:
            members.append({"id": text, "priority": None})
    return members


# --- rows into changes --------------------------------------------------------------------------


def _type_of(row: Mapping[str, Any], number: int) -> str:
    value = row.get("type")
    if value is None:
        raise RowError(f"row {number}: type is missing (one of {', '.join(TYPES)})")
    text = _text(value, number, "type").lower()
    text = PLURALS.get(text, text)
    if text not in TYPES:
        raise RowError(f"row {number}: type {value!r} is not one of {', '.join(TYPES)}")
    return text


def _given(row: Mapping[str, Any], kind: str, number: int, *, create: bool) -> dict[str, Any]:
    """The row's fields of its type (left-out ones absent; cleared ones None, dropped from a create)."""
    extra = sorted(set(row) - set(HEAD) - set(FIELDS[kind]) - set(OLD_FIELDS.get(kind, ())))
    if extra:
        raise RowError(f"row {number}: a {kind} has no field {', '.join(extra)}")
    values = {}
    for name in FIELDS[kind]:
        if name in row:
            value = _value(row[name], number, name)
            if value is not None or not create:
                values[name] = value
    if "memberIds" in row and kind == "group":
        if "members" in row:
            raise RowError(f"row {number}: give members or the older memberIds, not both")
        ids = _value(row["memberIds"], number, "memberIds")
        if ids is not None or not create:
            values["members"] = None if ids is None else [{"id": i, "priority": None} for i in ids]
    return values


def to_changes(rows: Rows, default_backend: str | None = None) -> Changes:
    """The changes the rows ask for; RowError naming every row that cannot become one."""
    found = Changes()
    errors: list[str] = []
    for row, number in zip(rows.rows, rows.numbers, strict=True):
        try:
            for change in row_changes(row, number, default_backend):
                found.changes.append(change)
                found.rows.append(number)
        except RowError as error:
            errors.append(str(error))
    if errors:
        raise RowError("\n".join(errors))
    return found


def row_changes(row: Mapping[str, Any], number: int, default_backend: str | None) -> list[dict[str, Any]]:
    kind = _type_of(row, number)
    name = _OPERATION[kind]
    action = _text(row["action"], number, "action").lower() if row.get("action") is not None else None
    object_id = _text(row["id"], number, "id") if row.get("id") is not None else None
    ref = _text(row["ref"], number, "ref") if row.get("ref") is not None else None
    action = action or ("update" if object_id else "create")
    if action not in ACTIONS:
        raise RowError(f"row {number}: action {action!r} is not one of {', '.join(ACTIONS)}")
    head: dict[str, Any] = {"ref": ref} if ref else {}
    if action == "create":
        backend = _text(row["backend"], number, "backend") if row.get("backend") is not None else default_backend
        if not backend:
            raise RowError(f"row {number}: backend is missing (give the column, or --backend)")
        values = _given(row, kind, number, create=True)
        return [{**head, f"create{name}": {"backend": backend, "input": values}}]
    if object_id is None:
        raise RowError(f"row {number}: {action} needs the object's id")
    if action == "delete":
        return [{**head, f"delete{name}": {"id": object_id}}]
    values = _given(row, kind, number, create=False)
    if action == "update":
        fields = {k: v for k, v in values.items() if k not in RELATIONS and k not in CREATE_ONLY.get(kind, ())}
        changes = [{**head, f"update{name}": {"id": object_id, "input": fields}}] if fields else []
        if kind in ("group", "queue") and "members" in values:
            changes.append({"setMembers": {"id": object_id, "members": values["members"] or []}})
        if kind == "device" and values.get("userId") is not None:
            changes.append({"assignDevice": {"id": object_id, "userId": values["userId"]}})
        elif kind == "device" and "userId" in values:
            changes.append({"unassignDevice": {"id": object_id}})
        if changes and ref and "ref" not in changes[0]:
            changes[0] = {**head, **changes[0]}
        if not changes:
            raise RowError(f"row {number}: nothing to change (give the fields to change)")
        return changes
    if action in ("add-members", "remove-members", "set-members"):
        if kind in ("group", "queue"):
            operation = {"add-members": "addMembers", "remove-members": "removeMembers"}.get(action, "setMembers")
            return [{**head, operation: {"id": object_id, "members": values.get("members") or []}}]
        raise RowError(f"row {number}: {action} is for groups and queues, not a {kind}")
    if kind != "device":
        raise RowError(f"row {number}: {action} is for devices, not a {kind}")
    if action == "assign":
        if values.get("userId") is None:
            raise RowError(f"row {number}: assign needs the userId")
        return [{**head, "assignDevice": {"id": object_id, "userId": values["userId"]}}]
    return [{**head, "unassignDevice": {"id": object_id}}]


# --- writing ----------------------------------------------------------------------------------------


def columns(kinds: Iterable[str]) -> list[str]:
    """The export's columns for these types: head, then each type's fields (secrets never)."""
    found = ["type", "id", "backend"]
    for kind in kinds:
        found += [f for f in FIELDS[kind] if f not in SECRET_FIELDS and f not in found]
    return found


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(
            (f"{v['id']}={v['priority']}" if v.get("priority") is not None else str(v["id"]))
            if isinstance(v, dict)
            else str(v)
            for v in value
        )
    return str(value)


def write_rows(rows: Sequence[Mapping[str, Any]], names: Sequence[str], fmt: str) -> str:
    """``rows`` as a file's text; each row holds typed values (lists, booleans, None)."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(names), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({name: _cell(row.get(name)) for name in names})
        return out.getvalue()
    shaped = [{name: row.get(name) for name in names if name in row} for row in rows]
    if fmt == "json":
        return json.dumps(shaped, indent=2, ensure_ascii=False) + "\n"
    import yaml

    text: str = yaml.safe_dump(shaped, sort_keys=False, allow_unicode=True)
    return text
