"""Phones: the device a SIP user is auto-provisioned with.

Era has no device collection. A phone exists as two options of a SIP user,
``opts.ap_mac_address`` and ``opts.ap_device_model``, so:

* **The device id is the phone's MAC address**, 12 lower-case hex digits
  (``805ec0d525ca``). It stays the same when the phone moves to another
  user, which an id derived from the owner could not. A MAC cannot be changed
  by an update (that would be another phone, with another id): delete the
  device and create the new one.
* A user without a well-formed MAC has no device; a MAC provisioned on two
  users (Era does not forbid it) is one device, owned by the lower user id,
  and assignment moves it off every holder.
* Creating a device provisions it for a user, so ``user_id`` is required;
  Era provisions one phone per account. Era keeps no phone name: a name is
  NOT_SUPPORTED rather than dropped.
* Unassigning clears the user's provisioning options, after which Era no
  longer knows the phone: the record returned is the phone as it was, with
  no registration (it has no account left to register as).
* A phone's registration is its account's (``sipuser_states``, see
  :mod:`.mapping`): one states request per answer, for its phones only.
* Resync and restart are Era's device operation (``POST
  /sipusers/<id>/device``: ``sync`` / ``restart``) on the owner's account.
* Moving or removing a phone may touch several accounts, one PATCH each:
  when one fails, the accounts already changed get their options back as
  they were read, and the error says so (or names what is left).

Reading phones by MAC is one users request whose filter matches the MAC in
the spellings Era may hold (bare or separated, either case), refined here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pbxgraph import validation
from pbxgraph.connectors.era import mapping
from pbxgraph.connectors.era.client import EraClient, Filter, prop
from pbxgraph.connectors.era.common import (
    devices_with_registration,
    unique,
    users_with_registration,
)
from pbxgraph.connectors.http import gather
from pbxgraph.connectors.querying import apply_query
from pbxgraph.connectors.undo import Steps, Undo
from pbxgraph.domain import (
    Device,
    DeviceAction,
    DeviceCreate,
    DeviceUpdate,
    Kind,
    ListQuery,
    Page,
    User,
)
from pbxgraph.errors import BadUserInput, Conflict, NotFound, NotSupported
from pbxgraph.validation import normalize_mac

USERS = "sipusers"
MAC_OPTION = "opts.ap_mac_address"
#: MACs per request: four ``like`` tests each keep the query string short.
MAC_CHUNK = 20
_OPERATIONS = {DeviceAction.RESYNC: "sync", DeviceAction.RESTART: "restart"}
_HAS_MAC: Filter = ["and", ["!=", prop(MAC_OPTION), ""], ["!=", prop(MAC_OPTION), None]]


def mac_filter(macs: Sequence[str]) -> Filter:
    """Users whose MAC option may be one of ``macs`` (``_`` matches any separator)."""
    tests: list[Any] = []
    for mac in macs:
        bare, separated = mac.replace(":", ""), mac.replace(":", "_")
        for pattern in sorted({bare, bare.upper(), separated, separated.upper()}):
            tests.append(["like", prop(MAC_OPTION), pattern])
    return tests[0] if len(tests) == 1 else ["or", *tests]


class EraDevices:
    def __init__(self, client: EraClient) -> None:
        self.client = client

    async def page(self, query: ListQuery) -> Page[Device]:
        flt = query.filter
        if flt.extension is not None:
            return Page(items=[], has_more=False, total=0)
        if flt.mac is not None:
            mac = normalize_mac(flt.mac)
            if mac is None:
                return Page(items=[], has_more=False, total=0)
            payloads = await self.client.listing(USERS, filter=mac_filter([mac]), fresh=query.offset == 0)
        else:
            payloads = await self.client.listing(USERS, filter=_HAS_MAC, fresh=query.offset == 0)
        devices: dict[str, Device] = {}
        owners: dict[str, dict[str, Any]] = {}
        for payload in sorted(payloads, key=lambda p: str(p.get("id"))):
            device = mapping.device_from(payload)
            if device is not None and device.id not in devices:
                devices[device.id] = device
                owners[device.id] = payload
        page = apply_query(devices.values(), query)
        found = await devices_with_registration(self.client, [owners[d.id] for d in page.items])
        return replace(page, items=[d for d in found if d is not None])

    async def get_many(self, ids: Sequence[str]) -> list[Device | None]:
        if not ids:
            return []
        holders = await self._holders(ids)
        found = {i: h[0] for i in ids if (h := holders.get(i))}
        devices = dict(zip(found, await devices_with_registration(self.client, list(found.values())), strict=True))
        return [devices.get(i) for i in ids]

    async def create(self, data: DeviceCreate) -> Device:
        if data.name is not None:
            raise self._no_name()
        if data.user_id is None:
            raise BadUserInput("user_id: Era provisions a phone for a SIP user; say which one", field="user_id")
        mac = validation.mac(data.mac)
        holders = await self._holders([mapping.device_id(mac)])
        if holders:
            owner = holders[mapping.device_id(mac)][0]["id"]
            raise Conflict(f"mac: {mac} is already provisioned for user '{owner}'", field="mac")
        user = await self._user(data.user_id)
        existing = mapping.device_from(user)
        if existing is not None:
            raise Conflict(
                f"user_id: user '{data.user_id}' already has phone {existing.mac}; "
                "Era provisions one phone per account",
                field="user_id",
            )
        changed = await self._provision(user, mapping.era_mac(mac), data.model or "")
        return await self._device(changed)

    async def update(self, id: str, patch: DeviceUpdate) -> Device:
        changes = patch.changes()
        if changes.get("name") is not None:
            raise self._no_name()
        holder = await self._holder(id)
        device = self._bare_device(holder)
        if "mac" in changes and validation.mac(changes["mac"]) != device.mac:
            raise BadUserInput(
                "mac: an Era phone is known by its MAC address; delete this device and create the new one", field="mac"
            )
        if "model" not in changes:
            return await self._device(holder)
        user = await self.client.get(USERS, holder["id"])
        changed = await self._provision(
            user, mapping.opts(user).get("ap_mac_address") or mapping.era_mac(device.mac or ""), changes["model"] or ""
        )
        return await self._device(changed)

    async def delete(self, id: str) -> None:
        holders = (await self._holders([id])).get(id) or self._missing(id)
        async with Steps(self.client.backend, f"delete device '{id}'") as steps:
            await self._clear(holders, steps)

    async def users_of(self, device_ids: Sequence[str]) -> list[User | None]:
        if not device_ids:
            return []
        holders = await self._holders(device_ids)
        owners = [h[0] for h in holders.values()]
        users = {u.id: u for u in await users_with_registration(self.client, owners)}
        return [users[h[0]["id"]] if (h := holders.get(i)) else None for i in device_ids]

    async def assign(self, device_id: str, user_id: str) -> Device:
        holders = (await self._holders([device_id])).get(device_id) or self._missing(device_id)
        if [h["id"] for h in holders] == [user_id]:
            return await self._device(holders[0])
        target = await self._user(user_id)
        current = mapping.device_from(target)
        if current is not None and current.id != device_id:
            raise Conflict(
                f"user_id: user '{user_id}' already has phone {current.mac}; unassign it first", field="user_id"
            )
        options = mapping.opts(holders[0])
        async with Steps(self.client.backend, f"assign device '{device_id}' to user '{user_id}'") as steps:
            # Provision the new owner first: should undoing fail too, the phone is on two accounts, never none.
            moved = await self._provision(
                target, str(options.get("ap_mac_address") or ""), str(options.get("ap_device_model") or "")
            )
            steps.done(
                f"device {device_id} provisioned for user {user_id} too",
                kind=Kind.DEVICE,
                native_id=device_id,
                undo=self._options_back(target),
            )
            await self._clear([h for h in holders if h["id"] != user_id], steps)
            steps.finished()
            return await self._device(moved)

    async def unassign(self, device_id: str) -> Device:
        holders = (await self._holders([device_id])).get(device_id) or self._missing(device_id)
        device = replace(self._bare_device(holders[0]), user_id=None)
        async with Steps(self.client.backend, f"unassign device '{device_id}'") as steps:
            await self._clear(holders, steps)
        return device

    async def act(self, device_id: str, action: DeviceAction) -> None:
        holders = (await self._holders([device_id])).get(device_id) or self._missing(device_id)
        await self.client.device_operation(holders[0]["id"], _OPERATIONS[action])

    # --- helpers ---------------------------------------------------------------------

    def _no_name(self) -> NotSupported:
        return NotSupported(
            f"backend '{self.client.backend}' (Era) keeps no name for a phone",
            backend=self.client.backend,
            field="name",
        )

    def _missing(self, device_id: str) -> list[dict[str, Any]]:
        raise NotFound(f"no device '{device_id}'", backend=self.client.backend)

    def _bare_device(self, payload: dict[str, Any]) -> Device:
        """The phone of this SIP user, without its registration."""
        device = mapping.device_from(payload)
        if device is None:  # Era dropped or garbled the MAC it was just given
            raise NotFound(f"sipuser '{payload.get('id')}' has no phone", backend=self.client.backend)
        return device

    async def _device(self, payload: dict[str, Any]) -> Device:
        """The phone of this SIP user, with its account's registration."""
        (device,) = await devices_with_registration(self.client, [payload])
        return device if device is not None else self._bare_device(payload)

    async def _user(self, user_id: str) -> dict[str, Any]:
        user = await self.client.find(USERS, user_id)
        if user is None:
            raise NotFound(f"user_id: no user '{user_id}'", field="user_id")
        return user

    async def _holder(self, device_id: str) -> dict[str, Any]:
        return ((await self._holders([device_id])).get(device_id) or self._missing(device_id))[0]

    async def _holders(self, device_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The users holding each phone, lowest id first; ids that are not MACs hold nothing."""
        macs = unique(m for i in device_ids if (m := mapping.mac_of_id(i)) is not None)
        if not macs:
            return {}
        chunks = [macs[i : i + MAC_CHUNK] for i in range(0, len(macs), MAC_CHUNK)]
        answers = await gather(self.client.list_all(USERS, filter=mac_filter(chunk)) for chunk in chunks)
        holders: dict[str, list[dict[str, Any]]] = {}
        for payload in sorted((p for a in answers for p in a), key=lambda p: str(p.get("id"))):
            device = mapping.device_from(payload)
            if device is not None and device.mac in macs:
                holders.setdefault(device.id, []).append(payload)
        return {i: holders[i] for i in device_ids if i in holders}

    async def _clear(self, holders: Sequence[dict[str, Any]], steps: Steps) -> None:
        """Take the phone off each holder's account, each a step undone by giving its options back."""
        for holder in holders:
            user = await self.client.get(USERS, holder["id"])
            await self._provision(user, "", "")
            steps.done(
                f"user {holder['id']} without its phone",
                kind=Kind.USER,
                native_id=str(holder["id"]),
                undo=self._options_back(user),
            )

    def _options_back(self, user: dict[str, Any]) -> Undo:
        """Giving an account back its ``opts`` as they were read."""

        async def undo() -> None:
            await self.client.patch(USERS, mapping.entity_id(user, "sipuser"), {"opts": mapping.opts(user)})

        return undo

    async def _provision(self, user: dict[str, Any], mac: str, model: str) -> dict[str, Any]:
        """Set a user's provisioning options; the whole ``opts``, read just before, is sent."""
        options = {**mapping.opts(user), "ap_mac_address": mac, "ap_device_model": model}
        return await self.client.patch(USERS, mapping.entity_id(user, "sipuser"), {"opts": options})
