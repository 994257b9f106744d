"""Trunks: every gateway under ``/api/gateways``, of every model.

What each field means for which model is in :mod:`.gateways`. The name,
address, port, transport and enabled flag live on the gateway; a SIP
trunk's proxy address, account name, password and whether it registers
live in its settings, written one at a time as plain text (and read only
for SIP trunks, one request each). The server shows the password setting
in clear: it is read only to be dropped, never kept in a record.

A gateway ``PUT`` replaces the gateway, so an update reads it first and
sends it back whole with the asked-for fields changed; settings not asked
about are not touched. A new trunk's model is the one asked for, or the
one its kind stands for (``SIP`` -> ``sipTrunkStandard``, ...).

A create or update takes several calls (the gateway, then one per
setting): when one fails, what was done is undone (a new gateway deleted;
an updated one sent back as it was, its settings set back to the values
read before), and the error says so, or what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pbxgraph import selection
from pbxgraph.connectors.querying import apply_query
from pbxgraph.connectors.sipxcom import gateways
from pbxgraph.connectors.sipxcom.lookups import Lookups, native_int
from pbxgraph.connectors.undo import Steps, Undo
from pbxgraph.domain import Kind, ListQuery, Page, Trunk, TrunkCreate, TrunkKind, TrunkUpdate
from pbxgraph.errors import BadUserInput, NotFound

_SETTING_OF = {
    "host": gateways.SETTING_PROXY,
    "username": gateways.SETTING_USERNAME,
    "password": gateways.SETTING_PASSWORD,
    "register": gateways.SETTING_REGISTER,
}


#: The trunk fields a SIP trunk's settings fill (the proxy is its host).
SETTING_FIELDS = ("username", "register", "host", "raw")


class SipxcomTrunks:
    def __init__(self, lookups: Lookups) -> None:
        self._lookups = lookups
        self._client = lookups.client
        self._backend = lookups.backend

    async def _records(self, found: Sequence[dict[str, Any]]) -> list[Trunk]:
        """Trunks of gateways; a SIP trunk's settings (one request each) only when a field they fill is shown."""
        if not selection.wants(Kind.TRUNK, *SETTING_FIELDS):
            return [gateways.trunk_record(g, None) for g in found]
        sip = [g for g in found if gateways.kind_of(g) is TrunkKind.SIP]
        settings = await self._client.http.gather(self._lookups.gateway_settings(g["id"]) for g in sip)
        of = {g["id"]: s for g, s in zip(sip, settings, strict=True)}
        return [gateways.trunk_record(g, of.get(g["id"])) for g in found]

    async def page(self, query: ListQuery) -> Page[Trunk]:
        found = await self._lookups.all_gateways()
        by_id = {str(g["id"]): g for g in found}
        page = apply_query((gateways.trunk_record(g, None) for g in found), query)
        return replace(page, items=await self._records([by_id[t.id] for t in page.items]))

    async def get_many(self, ids: Sequence[str]) -> list[Trunk | None]:
        keys = [native_int(i) for i in ids]
        found = await self._lookups.gateways_by_id([k for k in keys if k is not None])
        records = {int(r.id): r for r in await self._records(list(found.values()))}
        return [records.get(k) if k is not None else None for k in keys]

    async def _reread(self, native_id: str) -> Trunk:
        (record,) = await self._records([await self._lookups.gateway(native_id)])
        return record

    async def _write_settings(
        self, gateway_id: str, values: dict[str, Any], steps: Steps, before: dict[str, str | None] | None = None
    ) -> None:
        """Write settings one at a time; with ``before`` (the values read first), each is a step undone."""
        for field, value in values.items():
            await self._write_setting(gateway_id, field, value)
            if before is not None:
                old = before.get(_SETTING_OF[field])
                steps.done(
                    f"trunk {gateway_id} with its {field} changed",
                    kind=Kind.TRUNK,
                    native_id=gateway_id,
                    undo=self._setting_back(gateway_id, field, old),
                )

    async def _write_setting(self, gateway_id: str, field: str, value: Any) -> None:
        path = f"/gateways/{gateway_id}/settings/{_SETTING_OF[field]}"
        what = f"the {field} of trunk '{gateway_id}'"
        if value is None:
            await self._client.api_send("DELETE", path, what)
        else:
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            await self._client.api_send(
                "PUT", path, what, text_body=text, secrets=(value if field == "password" else None,)
            )

    def _setting_back(self, gateway_id: str, field: str, old: str | None) -> Undo:
        """Writing a setting's earlier value back (deleting it where it had none)."""

        async def undo() -> None:
            await self._write_setting(gateway_id, field, old)

        return undo

    def _no_address(self, field: str, kind: TrunkKind) -> BadUserInput:
        what = "its SIP domain is its address" if kind is TrunkKind.SIP else "it is reached at its address"
        return BadUserInput(
            f"{field}: a sipXcom {kind.name} gateway always has an address ({what}); "
            "give another one instead of clearing it",
            backend=self._backend,
            field=field,
        )

    async def create(self, data: TrunkCreate) -> Trunk:
        model = gateways.model_for(data.kind, data.model, self._backend)
        kind = gateways.MODEL_KINDS[model]
        gateways.refuse_account_fields(
            kind,
            model,
            {"domain": data.domain, "username": data.username, "password": data.password, "register": data.register},
            self._backend,
        )
        settings: dict[str, Any] = {}
        if kind is TrunkKind.SIP:
            address = data.domain or data.host
            if data.domain is not None and data.host is not None and data.host != data.domain:
                settings["host"] = data.host  # an outbound proxy apart from the domain
            settings.update(
                (k, v)
                for k, v in (("username", data.username), ("password", data.password), ("register", data.register))
                if v is not None
            )
        else:
            address = data.host
        if address is None:
            raise self._no_address("host", kind)
        bean = {
            "name": data.name,
            "description": None,
            "model": {"modelId": model},
            "enabled": data.enabled,
            "address": address,
            "addressPort": data.port or 0,
            "outboundPort": 5060,
            "addressTransport": data.transport.value if data.transport else "none",
            "shared": False,
            "useInternalBridge": kind is TrunkKind.SIP,
        }
        async with Steps(self._backend, f"create trunk '{data.name}'") as steps:
            response = await self._client.api_send("POST", "/gateways", f"trunk '{data.name}'", json_body=bean)
            created = steps.done(f"trunk '{data.name}' created (its id not answered)", kind=Kind.TRUNK)
            new_id = self._client.created_id(response)
            created.native_id, created.state = new_id, f"trunk {new_id} created without all its settings"
            created.undo = lambda: self._client.api_send("DELETE", f"/gateways/{new_id}", f"trunk '{new_id}'")
            await self._write_settings(new_id, settings, steps)
            steps.finished(f"trunk {new_id} created", kind=Kind.TRUNK, native_id=new_id)
            return await self._reread(new_id)

    async def update(self, id: str, patch: TrunkUpdate) -> Trunk:
        changes = patch.changes()
        gateway = await self._lookups.gateway(id)
        kind = gateways.kind_of(gateway)
        model, _ = gateways.model_of(gateway)
        gateways.refuse_account_fields(kind, model or "unknown", changes, self._backend)
        bean = gateways.gateway_body(gateway)
        for field, key in (("name", "name"), ("enabled", "enabled")):
            if field in changes:
                bean[key] = changes[field]
        if "port" in changes:
            bean["addressPort"] = changes["port"] or 0
        if "transport" in changes:
            bean["addressTransport"] = changes["transport"].value if changes["transport"] else "none"
        address_field = "domain" if kind is TrunkKind.SIP else "host"
        if address_field in changes:
            if changes[address_field] is None:
                raise self._no_address(address_field, kind)
            bean["address"] = changes[address_field]
        settings = (
            {k: v for k, v in changes.items() if k in _SETTING_OF and k != address_field}
            if kind is TrunkKind.SIP
            else {}
        )
        gateway_id = str(gateway["id"])
        # The settings as they were, to write back should a later one fail (read only when some change).
        before = await self._lookups.gateway_settings(gateway["id"]) if settings else {}
        async with Steps(self._backend, f"update trunk '{id}'") as steps:
            original = gateways.gateway_body(gateway)
            if bean != original:
                await self._client.api_send("PUT", f"/gateways/{gateway_id}", f"trunk '{id}'", json_body=bean)
                steps.done(
                    f"trunk {gateway_id} with its gateway fields changed",
                    kind=Kind.TRUNK,
                    native_id=gateway_id,
                    undo=lambda: self._client.api_send(
                        "PUT", f"/gateways/{gateway_id}", f"trunk '{id}'", json_body=original
                    ),
                )
            await self._write_settings(gateway_id, settings, steps, before)
            if bean != original or settings:
                steps.finished(f"trunk {gateway_id} changed", kind=Kind.TRUNK, native_id=gateway_id)
            return await self._reread(id)

    async def delete(self, id: str) -> None:
        key = native_int(id)
        if key is None:
            raise NotFound(f"trunk '{id}' does not exist on backend '{self._backend}'", backend=self._backend)
        await self._client.api_send("DELETE", f"/gateways/{key}", f"trunk '{id}'")
