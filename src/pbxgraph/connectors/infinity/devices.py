"""Devices: Infinity's PBX devices and their association with a SIP user.

``name`` is ``pbxDeviceName`` and ``mac`` is ``deviceMacAddress`` (sent as
Infinity writes it, ``10:20:30:1A:2B:3C``). Infinity records no model and
cannot change a device's MAC address (``NOT_SUPPORTED``), and its API has no
device actions (resync, restart). The document lists devices as "SIP
registered PBX devices" but no row carries a registration state, so
``registration`` is ``None``: unknown.

A device belongs to at most one user (the device row's ``userId``).
Assigning creates the user-device association; the ``pbxDeviceToken`` that
answer carries is a provisioning secret and is dropped on the spot.
Assigning a device that another user holds first removes that association;
if the new one then fails, the old one is made again (with a new
provisioning token: Infinity issues one per association). A device created
for a user whose association fails is deleted again.
"""

from __future__ import annotations

from collections.abc import Sequence

from pbxgraph import validation
from pbxgraph.connectors.infinity.ids import NativeId
from pbxgraph.connectors.infinity.inputs import cannot_store, in_domain, unique
from pbxgraph.connectors.infinity.kinds import Kinds
from pbxgraph.connectors.infinity.mapping import text, vendor_mac
from pbxgraph.connectors.undo import Steps
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
from pbxgraph.errors import BackendError, NotFound, NotSupported
from pbxgraph.ids import numeric_id


class InfinityDevices:
    def __init__(self, kinds: Kinds) -> None:
        self.kinds = kinds
        self.client = kinds.client
        self.collection = kinds.devices
        self.backend = kinds.backend

    async def page(self, query: ListQuery) -> Page[Device]:
        return await self.collection.page(query)

    async def get_many(self, ids: Sequence[str]) -> list[Device | None]:
        return await self.collection.get_many(ids)

    async def create(self, data: DeviceCreate) -> Device:
        mac = validation.mac(data.mac)
        if data.model:
            raise cannot_store(self.backend, "model", "Infinity records no device model")
        domain = self.kinds.settings.create_domain
        owner: NativeId | None = None
        if data.user_id is not None:
            owner = self.kinds.users.require_id(data.user_id)
            domain = owner.domain  # a device lives in its user's domain
            await self.kinds.users.fetch(owner)
        async with Steps(self.backend, f"create device {mac}") as steps:
            body = await self.client.create(
                self.client.path(domain, "devices"),
                {
                    "pbxDeviceName": data.name or vendor_mac(mac),
                    "deviceMacAddress": vendor_mac(mac),
                },
            )
            created = steps.done(f"device {mac} created (its id not read back)", kind=Kind.DEVICE)
            device_id = numeric_id(text((body or {}).get("pbxDeviceId")))
            if device_id is None:
                found = await self.collection.find_created(domain, "deviceMacAddress", vendor_mac(mac))
                nid = self.collection.require_id(found.id)
            else:
                nid = NativeId(domain, device_id)
            created.native_id, created.undo = str(nid), lambda: self.delete(str(nid))
            created.state = f"device {nid} created, assigned to nobody"
            if owner is not None:
                await self._associate(nid, owner)
                created.state = f"device {nid} created and assigned to user {owner}"
            steps.finished()
            return await self.collection.fetch(nid)

    async def update(self, id: str, patch: DeviceUpdate) -> Device:
        nid = self.collection.require_id(id)
        changes = patch.changes()
        if changes.get("model"):
            raise cannot_store(self.backend, "model", "Infinity records no device model")
        new_mac = validation.mac(changes["mac"]) if "mac" in changes else None
        needs_current = new_mac is not None or ("name" in changes and not changes["name"])
        current = await self.collection.fetch(nid) if needs_current else None
        if new_mac is not None and current is not None and new_mac != current.mac:
            raise cannot_store(
                self.backend,
                "mac",
                "Infinity cannot change a device's MAC address; delete the device and create it again",
            )
        if "name" in changes:
            name = changes["name"] or vendor_mac((current.mac if current else None) or "")
            await self.client.update(
                self.collection.item_path(nid), {"pbxDeviceName": name}, subject=self.collection.subject(nid)
            )
        elif current is not None:
            return current
        return await self.collection.fetch(nid)

    async def delete(self, id: str) -> None:
        nid = self.collection.require_id(id)
        await self.client.delete(self.collection.item_path(nid), subject=self.collection.subject(nid))

    # --- assignment ---------------------------------------------------------------------

    async def users_of(self, device_ids: Sequence[str]) -> list[User | None]:
        """The devices in one batch, then their users in one batch."""
        devices = await self.collection.get_many(device_ids)
        owners: list[NativeId | None] = []
        for device in devices:
            owner_id = text(device.raw.get("userId")) if device is not None else None
            owner = numeric_id(owner_id) if device is not None else None
            owners.append(
                None
                if device is None or owner is None
                else NativeId(self.collection.require_id(device.id).domain, owner)
            )
        distinct = unique([o for o in owners if o is not None])
        found = await self.kinds.users.get_parsed(distinct) if distinct else []
        users = dict(zip(distinct, found, strict=True))
        return [None if o is None else users.get(o) for o in owners]

    async def _associate(self, device: NativeId, user: NativeId) -> None:
        """POST the association; the provisioning token in the answer is not kept."""
        await self.client.create(
            self.client.path(user.domain, "users", user.id, "devices"),
            {"pbxDeviceId": str(device.id)},
            subject=f"user '{user}' or device '{device}'",
        )

    async def _dissociate(self, device: NativeId, owner_id: int) -> None:
        await self.client.delete(
            self.client.path(device.domain, "users", owner_id, "devices", device.id),
            subject=f"association of device '{device}'",
        )

    async def _owner(self, nid: NativeId) -> int | None:
        row = await self.collection.fetch_row(nid)
        if row is None:
            raise self.collection.not_found(nid)
        owner = text(row.get("userId"))
        if owner is not None and numeric_id(owner) is None:
            raise BackendError(
                f"backend '{self.backend}' sent a device whose 'userId' is not an integer", backend=self.backend
            )
        return None if owner is None else int(owner)

    async def assign(self, device_id: str, user_id: str) -> Device:
        nid = self.collection.require_id(device_id)
        user = in_domain(self.kinds.users, user_id, nid.domain, "user_id")
        owner = await self._owner(nid)
        if owner == user.id:
            return await self.collection.fetch(nid)
        async with Steps(self.backend, f"assign device '{nid}' to user '{user}'") as steps:
            if owner is not None:
                await self.kinds.users.fetch(user)  # NotFound before the old association goes
                try:
                    await self._dissociate(nid, owner)
                except NotFound:
                    pass  # already gone: nothing to take away
                else:
                    old = NativeId(nid.domain, owner)
                    steps.done(
                        f"device {nid} taken from user {old}, assigned to nobody",
                        kind=Kind.DEVICE,
                        native_id=str(nid),
                        undo=lambda: self._associate(nid, old),
                    )
            await self._associate(nid, user)
            steps.finished(f"device {nid} assigned to user {user}", kind=Kind.DEVICE, native_id=str(nid))
            return await self.collection.fetch(nid)

    async def unassign(self, device_id: str) -> Device:
        nid = self.collection.require_id(device_id)
        owner = await self._owner(nid)
        if owner is not None:
            await self._dissociate(nid, owner)
        return await self.collection.fetch(nid)

    async def act(self, device_id: str, action: DeviceAction) -> None:
        raise NotSupported(
            f"backend '{self.backend}' does not support {action.value} of devices: "
            "Infinity's Config API has no device actions",
            backend=self.backend,
        )
