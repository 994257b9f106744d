"""Devices: phones under ``/api/phones``, assigned to users through lines.

A phone's lines name the users it serves (see :mod:`.lines` for how a line
names its user); the device's user is the user of its first line. Assigning
adds a line for the user (a phone already serving another user is a
CONFLICT: unassign it first, nothing is taken away silently); unassigning
removes the phone's lines. Resync sends the phone its profile
(``sendProfile``), restart sends it and reboots the phone
(``sendProfile/restart``). A device's registration is its MAC's, read with
the records (see :mod:`.registrations`).

A phone's model must be one the server knows: the input may name it by
model id or by label, as ``/api/phones/models`` lists them. That list is
read once (when the connector opens, else on first need) and declared in
the backend's capabilities, so that the service refuses an unknown model
before any call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from pbxgraph import validation
from pbxgraph.connectors.querying import apply_query
from pbxgraph.connectors.sipxcom import lines, mapping
from pbxgraph.connectors.sipxcom.lookups import Lookups, native_int, together
from pbxgraph.connectors.sipxcom.payload import text
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


class PhoneModels:
    """The phone models the server knows, by model id and label; read once."""

    def __init__(self, lookups: Lookups, on_known: Callable[[tuple[str, ...]], None]) -> None:
        self._client = lookups.client
        self._backend = lookups.backend
        self._on_known = on_known
        self._ids: dict[str, str] | None = None

    @property
    def known(self) -> bool:
        return self._ids is not None

    async def load(self) -> dict[str, str]:
        if self._ids is None:
            ids: dict[str, str] = {}
            names: list[str] = []
            for entry in await self._client.api_list("/phones/models", "the phone models", "models", "model", "Model"):
                model_id = text(entry.get("modelId"))
                if not model_id:
                    continue
                label = text(entry.get("label"))
                ids[model_id.casefold()] = model_id
                if label:
                    ids.setdefault(label.casefold(), model_id)
                names += [n for n in (label, model_id) if n and n not in names]
            self._ids = ids
            self._on_known(tuple(names))
        return self._ids

    async def model_id(self, model: str) -> str:
        """A model id from a model id or label the server knows; BAD_USER_INPUT otherwise."""
        found = (await self.load()).get(model.strip().casefold())
        if found is None:
            raise BadUserInput(
                f"model: '{model}' is not a phone model backend '{self._backend}' knows (give its model id or label)",
                backend=self._backend,
                field="model",
            )
        return found


class SipxcomDevices:
    def __init__(self, lookups: Lookups, models: PhoneModels) -> None:
        self._lookups = lookups
        self._client = lookups.client
        self._backend = lookups.backend
        self.models = models

    async def page(self, query: ListQuery) -> Page[Device]:
        wanted_mac = validation.normalize_mac(query.filter.mac) if query.filter.mac else None
        if query.filter.mac is not None:
            # Phones are addressed by MAC: a MAC filter is one direct read.
            phones: list[dict[str, Any]] = []
            if wanted_mac is not None:
                try:
                    phones = mapping.unique_by_id(
                        [
                            await self._client.api_object(
                                f"/phones/{wanted_mac.replace(':', '')}", f"device with MAC {wanted_mac}"
                            )
                        ]
                    )
                except NotFound:
                    phones = []
        else:
            phones = await self._lookups.all_phones()
        by_id = {str(p["id"]): p for p in phones}
        page = apply_query((mapping.device_record(p) for p in phones), query)
        return replace(page, items=await self._lookups.device_records([by_id[d.id] for d in page.items]))

    async def get_many(self, ids: Sequence[str]) -> list[Device | None]:
        keys = [native_int(i) for i in ids]
        found = await self._lookups.phones_by_id([k for k in keys if k is not None])
        records = {int(r.id): r for r in await self._lookups.device_records(list(found.values()))} if found else {}
        return [records.get(k) if k is not None else None for k in keys]

    async def _reread(self, native_id: str) -> Device:
        return await self._lookups.device_record(await self._lookups.phone(native_id))

    async def create(self, data: DeviceCreate) -> Device:
        mac = validation.mac(data.mac)
        if not data.model:
            raise BadUserInput(
                "model: sipXcom needs the phone model to create a phone", backend=self._backend, field="model"
            )
        model_id = await self.models.model_id(data.model)
        bean: dict[str, Any] = {
            "serialNo": mac.replace(":", ""),
            "model": {"modelId": model_id},
            "description": data.name,
        }
        if data.user_id is not None:
            user = await self._lookups.user(data.user_id)
            bean["lines"] = [{"user": user["userName"]}]
        response = await self._client.api_send("POST", "/phones", f"device {mac}", json_body=bean)
        return await self._reread(self._client.created_id(response))

    async def update(self, id: str, patch: DeviceUpdate) -> Device:
        changes = patch.changes()
        phone = await self._lookups.phone(id)
        bean = mapping.phone_body(phone)
        if "mac" in changes:
            bean["serialNo"] = validation.mac(changes["mac"]).replace(":", "")
        if "model" in changes:
            if changes["model"] is None:
                raise BadUserInput("model: a sipXcom phone always has a model", backend=self._backend, field="model")
            bean["model"] = {"modelId": await self.models.model_id(changes["model"])}
        if "name" in changes:
            bean["description"] = changes["name"]
        if bean == mapping.phone_body(phone):
            return await self._lookups.device_record(phone)
        await self._client.api_send("PUT", f"/phones/{phone['id']}", f"device '{id}'", json_body=bean)
        return await self._reread(id)

    async def delete(self, id: str) -> None:
        key = native_int(id)
        if key is None:
            raise NotFound(f"device '{id}' does not exist on backend '{self._backend}'", backend=self._backend)
        await self._client.api_send("DELETE", f"/phones/{key}", f"device '{id}'")

    async def users_of(self, device_ids: Sequence[str]) -> list[User | None]:
        """Each phone's first line's user: the phones, then every user (lines name users by name)."""
        keys = [native_int(i) for i in device_ids]
        phones = await self._lookups.phones_by_id([k for k in keys if k is not None])
        first = {k: (lines.owners_of(p) or [lines.LineOwner()])[0] for k, p in phones.items()}
        named = [o for o in first.values() if o.names_anyone]
        if not named:
            return [None for _ in keys]
        if all(o.name is None for o in named):  # only numeric ids: read just those users
            index = lines.UserIndex((await self._lookups.users_by_id(o.id for o in named if o.id)).values())
        else:
            index = await self._lookups.user_index()
        owners = {k: index.find(o) for k, o in first.items()}
        unique = list({u["id"]: u for u in owners.values() if u is not None}.values())
        records = {int(r.id): r for r in await self._lookups.user_records(unique)} if unique else {}
        answers: list[User | None] = []
        for key in keys:
            owner = owners.get(key) if key is not None else None
            answers.append(records.get(owner["id"]) if owner is not None else None)
        return answers

    async def assign(self, device_id: str, user_id: str) -> Device:
        phone, user = await together(self._lookups.phone(device_id), self._lookups.user(user_id))
        owners = lines.owners_of(phone)
        mine = lines.UserIndex([user])
        if any(mine.find(o) is not None for o in owners):
            return await self._lookups.device_record(phone)
        if owners or lines.lines_of(phone):
            served = (owners[0].name or owners[0].id) if owners else "someone"
            raise Conflict(
                f"device '{device_id}' on backend '{self._backend}' already has a line for user "
                f"'{served}'; unassign it first",
                backend=self._backend,
            )
        await self._client.api_send(
            "POST",
            f"/phones/{phone['id']}/lines",
            f"a line on device '{device_id}'",
            json_body={"user": user["userName"]},
        )
        return await self._reread(device_id)

    async def unassign(self, device_id: str) -> Device:
        phone = await self._lookups.phone(device_id)
        if not lines.lines_of(phone):
            return await self._lookups.device_record(phone)
        await self._client.api_send("DELETE", f"/phones/{phone['id']}/lines", f"the lines of device '{device_id}'")
        return await self._reread(device_id)

    async def act(self, device_id: str, action: DeviceAction) -> None:
        key = native_int(device_id)
        if key is None:
            raise NotFound(f"device '{device_id}' does not exist on backend '{self._backend}'", backend=self._backend)
        await self._client.api_send("PUT", f"/phones/{key}/{_ACTION_PATHS[action]}", f"device '{device_id}'")
