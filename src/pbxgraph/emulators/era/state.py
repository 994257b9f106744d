"""The emulated Era's memory: four collections, registrations, device commands.

Entities are kept whole (secrets included) in insertion order; the routes
decide what a caller may see. A lock guards every change because a loopback
server runs the app in its own thread while a test may reset or inspect the
state from the main one.

Repeated list rows. Era's own hunts list example names one id twice, the
second row with another code and number; the documents do not say when or
why Era does that, so this emulator never repeats a row by itself. It can be
*given* such a listing (:meth:`EraState.load_listing`, e.g. the document's
example as it stands): the first row of an id becomes the stored entity (what
a single read, a PATCH or a DELETE sees), and each later row of the same id
is kept as it was given and listed after the stored entities, until that id
is deleted or the state reset.
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pbxgraph.emulators.era.errors import already_exists, invalid_params, lookup_failed, not_found
from pbxgraph.emulators.era.schema import COLLECTIONS, NUMBERED, check_fields
from pbxgraph.emulators.era.seed import load_seed

#: The tail Era's own examples share: ids look like uuids but are opaque strings.
_ID_TAIL = "50e54938780c"
ONLINE = "online"
OFFLINE = "offline"


def now_stamp() -> str:
    """Era's timestamp form: ``2019-08-28T08:29:46.74Z`` (hundredths of a second)."""
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 10000:02d}Z"


def new_id() -> str:
    head = secrets.token_hex(8)
    return f"{head[:8]}-016c-{head[8:12]}-{head[12:16]}-{_ID_TAIL}"


class EraState:
    def __init__(self, *, seed: bool = True) -> None:
        self._lock = threading.RLock()
        self.collections: dict[str, dict[str, dict[str, Any]]] = {}
        #: sipuser id -> "online" | "offline" (what ``sipuser_states`` reports).
        self.registrations: dict[str, str] = {}
        #: Every accepted ``POST .../device`` as (sipuser id, operation), oldest first.
        self.device_operations: list[tuple[str, str]] = []
        #: Per collection, list rows repeating a stored id (see the module notes).
        self.repeats: dict[str, list[dict[str, Any]]] = {}
        self.reset(seed=seed)

    # --- setup -------------------------------------------------------------------

    def reset(self, *, seed: bool = True) -> None:
        """Forget everything; reload the seed data set if ``seed``."""
        with self._lock:
            self.collections = {name: {} for name in COLLECTIONS}
            self.repeats = {name: [] for name in COLLECTIONS}
            self.registrations = {}
            self.device_operations = []
            if seed:
                load_seed(self)

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self._lock:
            yield

    # --- reads -----------------------------------------------------------------------

    def entities(self, collection: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.collections[collection].values())

    def listing(self, collection: str) -> list[dict[str, Any]]:
        """What a list request starts from: the stored entities, then any repeated rows."""
        with self._lock:
            return [*self.collections[collection].values(), *self.repeats[collection]]

    def get(self, collection: str, entity_id: str) -> dict[str, Any]:
        with self._lock:
            entity = self.collections[collection].get(entity_id)
            if entity is None:
                raise not_found(f"Not found. No entity '{entity_id}' in {collection}.")
            return entity

    def lookup(self, collection: str, key: str) -> list[str]:
        keys = COLLECTIONS[collection].lookup_keys
        with self._lock:
            found = [
                e["id"]
                for e in self.collections[collection].values()
                if any(e.get(k) == key for k in keys if e.get(k) != "")
            ]
        if not found:
            raise lookup_failed()
        return found

    def states(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"id": u["id"], "username": u["login"], "status": self.registrations.get(u["id"], OFFLINE)}
                for u in self.collections["sipusers"].values()
            ]

    # --- writes ----------------------------------------------------------------------

    def create(self, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        spec = COLLECTIONS[collection]
        with self._lock:
            entity_id = body.get("id")
            if entity_id is None:
                entity_id = new_id()
            elif not isinstance(entity_id, str) or not entity_id:
                raise invalid_params("Field 'id' must be a non-empty string.", field="id")
            if entity_id in self.collections[collection]:
                raise already_exists(f"Entity '{entity_id}' exists in {collection}.", field="id")
            entity = check_fields(spec, body, copy.deepcopy(spec.template))
            if collection == "sipusers" and not body.get("name"):
                entity["name"] = entity["login"]
            self._check_references(collection, entity)
            self._check_unique(collection, entity, entity_id)
            stamp = now_stamp()
            entity = {"id": entity_id, **entity, "ext": {"ct": stamp, "lwt": stamp}}
            self.collections[collection][entity_id] = entity
            if collection == "sipusers":
                self.registrations.setdefault(entity_id, OFFLINE)
            return entity

    def patch(self, collection: str, entity_id: str, body: dict[str, Any]) -> dict[str, Any]:
        spec = COLLECTIONS[collection]
        with self._lock:
            current = self.get(collection, entity_id)
            if "id" in body and body["id"] != entity_id:
                raise invalid_params("Field 'id' is prohibited for modification.", field="id")
            changed = check_fields(spec, body, {k: v for k, v in current.items() if k not in ("id", "ext")})
            self._check_references(collection, changed)
            self._check_unique(collection, changed, entity_id)
            entity = {"id": entity_id, **changed, "ext": {"ct": current["ext"]["ct"], "lwt": now_stamp()}}
            self.collections[collection][entity_id] = entity
            return entity

    def load_listing(self, collection: str, rows: list[dict[str, Any]]) -> None:
        """Take rows as a list answer gave them, ids and timestamps included (see the module notes).

        Every row passes the same field checks as a write. A row whose id is
        not stored yet is stored (with the template's defaults for what a list
        view leaves out, and the checks of a create: unique codes and
        numbers); a row repeating a stored id is kept as a list row.
        """
        spec = COLLECTIONS[collection]
        with self._lock:
            for row in rows:
                entity_id = row.get("id")
                if not isinstance(entity_id, str) or not entity_id:
                    raise invalid_params("Field 'id' must be a non-empty string.", field="id")
                entity = check_fields(spec, row, copy.deepcopy(spec.template))
                stamp = now_stamp()
                ext = row.get("ext") if isinstance(row.get("ext"), dict) else {"ct": stamp, "lwt": stamp}
                entity = {"id": entity_id, **entity, "ext": copy.deepcopy(ext)}
                if entity_id in self.collections[collection]:
                    self.repeats[collection].append(entity)
                else:
                    self._check_unique(collection, entity, entity_id)
                    self.collections[collection][entity_id] = entity
                    if collection == "sipusers":
                        self.registrations.setdefault(entity_id, OFFLINE)

    def delete(self, collection: str, entity_id: str) -> None:
        with self._lock:
            self.get(collection, entity_id)
            del self.collections[collection][entity_id]
            self.repeats[collection] = [r for r in self.repeats[collection] if r["id"] != entity_id]
            if collection == "sipusers":
                self.registrations.pop(entity_id, None)

    def set_registration(self, sipuser_id: str, status: str) -> None:
        with self._lock:
            self.get("sipusers", sipuser_id)
            self.registrations[sipuser_id] = status

    def device_operation(self, sipuser_id: str, operation: str) -> None:
        with self._lock:
            if sipuser_id not in self.collections["sipusers"]:
                raise invalid_params(f"Sipuser not found: '{sipuser_id}'")
            self.device_operations.append((sipuser_id, operation))

    # --- integrity -------------------------------------------------------------------

    def _check_unique(self, collection: str, entity: dict[str, Any], entity_id: str) -> None:
        spec = COLLECTIONS[collection]
        for name in spec.unique:
            value = entity.get(name)
            if not value:
                continue
            for other in self.collections[collection].values():
                if other["id"] != entity_id and str(other.get(name, "")).casefold() == str(value).casefold():
                    raise already_exists(f"Field '{name}' value '{value}' is already used.", field=name)
        number = entity.get("phonenumber")
        if collection in NUMBERED and number:
            for owner in NUMBERED:
                for other in self.collections[owner].values():
                    if other.get("phonenumber") == number and not (owner == collection and other["id"] == entity_id):
                        raise already_exists(f"Phonenumber '{number}' is already used in {owner}.", field="phonenumber")

    def _check_references(self, collection: str, entity: dict[str, Any]) -> None:
        if collection != "hunts" or entity.get("type") != "sipuser":
            return
        for i, resource in enumerate(entity.get("resources", [])):
            if resource["id"] not in self.collections["sipusers"]:
                raise invalid_params(f"Sipuser not found: '{resource['id']}'", field=f"resources[{i}].id")
