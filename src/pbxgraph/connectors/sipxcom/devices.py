"""Devices: phones under ``/api/phones``, assigned to users through lines.

A phone's lines name the users it serves; the device's user is the user of
its first line. Assigning adds a line for the user (a phone already serving
another user is a CONFLICT: unassign it first, nothing is taken away
silently); unassigning removes the phone's lines. Resync sends the phone its
profile (``sendProfile``), restart sends it and reboots the phone
(``sendProfile/restart``).

A phone's model must be one the server knows: the input may name it by
model id or by label, read once from ``/api/phones/models``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pbxgraph import validation
from pbxgraph.connectors.querying import apply_query
from pbxgraph.connectors.sipxcom import mapping
from pbxgraph.connectors.sipxcom.lookups import Lookups, native_int
from pbxgraph.connectors.sipxcom.payload import items, text
from pbxgraph.domain import (
    Device,
    DeviceAction,
    DeviceCreate,
    DeviceUpdate,
    ListQuery,
    Page,
    User,
)
from pbxgraph.errors import BadUserInput, Conflict, NotFound

_ACTION_PATHS = {DeviceAction.RESYNC: "sendProfile", DeviceAction.RESTART: "sendProfile/restart"}


class SipxcomDevices:
    def __init__(self, lookups: Lookups) -> None:
        self._lookups = lookups
        self._client = lookups.client
        self._backend = lookups.backend
        self._models: dict[str, str] | None = None

    async def list(self, query: ListQuery) -> Page[Device]:
        wanted_mac = validation.normalize_mac(query.filter.mac) if query.filter.mac else None
        if query.filter.mac is not None:
            # Phones are addressed by MAC: a MAC filter is one direct read.
            phones: list[dict[str, Any]] = []
            if wanted_mac is not None:
                try:
                    phones = [await self._client.api_object(f"/phones/{wanted_mac.replace(':', '')}",
                                                            f"device with MAC {wanted_mac}")]
                except NotFound:
                    phones = []
        else:
            phones = await self._lookups.all_phones()
        return apply_query((mapping.device_record(p) for p in phones), query)

    async def get_many(self, ids: Sequence[str]) -> list[Device | None]:
        keys = [native_int(i) for i in ids]
        found = await self._lookups.phones_by_id([k for k in keys if k is not None])
        return [mapping.device_record(found[k]) if k in found else None for k in keys]

    async def _model_id(self, model: str) -> str:
        """A model id from a model id or label the server knows; BAD_USER_INPUT otherwise."""
        if self._models is None:
            known: dict[str, str] = {}
            for entry in await self._client.api_list("/phones/models", "the phone models", "models", "model"):
                model_id = text(entry.get("modelId"))
                if model_id:
                    known[model_id.casefold()] = model_id
                    label = text(entry.get("label"))
                    if label:
                        known.setdefault(label.casefold(), model_id)
            self._models = known
        found = self._models.get(model.strip().casefold())
        if found is None:
            raise BadUserInput(f"model: '{model}' is not a phone model backend '{self._backend}' knows "
                               "(give its model id or label)", backend=self._backend, field="model")
        return found

    async def create(self, data: DeviceCreate) -> Device:
        mac = validation.mac(data.mac)
        if not data.model:
            raise BadUserInput("model: sipXcom needs the phone model to create a phone",
                               backend=self._backend, field="model")
        model_id = await self._model_id(data.model)
        bean: dict[str, Any] = {"serialNo": mac.replace(":", ""), "model": {"modelId": model_id},
                                "description": data.name}
        if data.user_id is not None:
            user = await self._lookups.user(data.user_id)
            bean["lines"] = [{"user": user["userName"]}]
        response = await self._client.api_send("POST", "/phones", f"device {mac}", json_body=bean)
        return mapping.device_record(await self._lookups.phone(self._client.created_id(response)))

    async def update(self, id: str, patch: DeviceUpdate) -> Device:
        changes = patch.changes()
        phone = await self._lookups.phone(id)
        bean = mapping.phone_body(phone)
        if "mac" in changes:
            bean["serialNo"] = validation.mac(changes["mac"]).replace(":", "")
        if "model" in changes:
            if changes["model"] is None:
                raise BadUserInput("model: a sipXcom phone always has a model", backend=self._backend,
                                   field="model")
            bean["model"] = {"modelId": await self._model_id(changes["model"])}
        if "name" in changes:
            bean["description"] = changes["name"]
        if bean == mapping.phone_body(phone):
            return mapping.device_record(phone)
        await self._client.api_send("PUT", f"/phones/{phone['id']}", f"device '{id}'", json_body=bean)
        return mapping.device_record(await self._lookups.phone(id))

    async def delete(self, id: str) -> None:
        key = native_int(id)
        if key is None:
            raise NotFound(f"device '{id}' does not exist on backend '{self._backend}'", backend=self._backend)
        await self._client.api_send("DELETE", f"/phones/{key}", f"device '{id}'")

    async def users_of(self, device_ids: Sequence[str]) -> list[User | None]:
        keys = [native_int(i) for i in device_ids]
        phones = await self._lookups.phones_by_id([k for k in keys if k is not None])
        owner_of = {k: (mapping.line_user_ids(p) or [None])[0] for k, p in phones.items()}
        owners = [o for o in dict.fromkeys(owner_of.values()) if o is not None]
        found = await self._lookups.users_by_id(owners) if owners else {}
        records = {int(r.id): r for r in await self._lookups.user_records(list(found.values()))}
        answers: list[User | None] = []
        for key in keys:
            owner = owner_of.get(key) if key is not None else None
            answers.append(records.get(owner) if owner is not None else None)
        return answers

    async def assign(self, device_id: str, user_id: str) -> Device:
        phone = await self._lookups.phone(device_id)
        user = await self._lookups.user(user_id)
        served = mapping.line_user_ids(phone)
        if user["id"] in served:
            return mapping.device_record(phone)
        if served:
            raise Conflict(f"device '{device_id}' on backend '{self._backend}' already has a line for user "
                           f"'{served[0]}'; unassign it first", backend=self._backend)
        await self._client.api_send("POST", f"/phones/{phone['id']}/lines", f"a line on device '{device_id}'",
                                    json_body={"user": user["userName"]})
        return mapping.device_record(await self._lookups.phone(device_id))

    async def unassign(self, device_id: str) -> Device:
        phone = await self._lookups.phone(device_id)
        if not mapping.line_user_ids(phone) and not items(phone.get("lines"), "line"):
            return mapping.device_record(phone)
        await self._client.api_send("DELETE", f"/phones/{phone['id']}/lines", f"the lines of device '{device_id}'")
        return mapping.device_record(await self._lookups.phone(device_id))

    async def act(self, device_id: str, action: DeviceAction) -> None:
        key = native_int(device_id)
        if key is None:
            raise NotFound(f"device '{device_id}' does not exist on backend '{self._backend}'",
                           backend=self._backend)
        await self._client.api_send("PUT", f"/phones/{key}/{_ACTION_PATHS[action]}", f"device '{device_id}'")
