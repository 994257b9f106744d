"""Registrations from ``/api/registrations``: the one place they are read.

sipXcom's registrar knows which phones and softphones are registered now:
a user's are those whose address of record names the user (by user name or
alias), a phone's those its ``instrument`` (the MAC it registered with)
names, as the document's "Filter registrations by MAC address" reads them.
Gateways do not register with sipXcom (it sends to them, or its SIP bridge
registers with the carrier), so trunks have no registration here.

One read serves every record of one request level: for one user or one
phone the narrowed listing (``/registrations/user/{id}``,
``/registrations/serialNo/{mac}``), for more the whole listing, page by page
(``start``/``limit``). :meth:`Registrations.read` is the only method that
calls the server, and they are read only when the request shows them (a
``registration`` or the ``raw`` payload, which carries them; see
:mod:`pbxgraph.selection`): otherwise the records' registration is unknown. When they cannot be read the records are
still answered, with their registration unknown.

The document lists no field of a registration; this module relies on the
guess the emulator documents: ``uri`` (the address of record), ``contact``,
``expires`` (epoch seconds), ``instrument``, ``status`` (``active`` or
``expired``) and ``secondsToExpire``. A document of another shape (an HTML
page, an object without the list) leaves the registration unknown, as a
failed read does.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pbxgraph import selection
from pbxgraph.connectors.sipxcom.client import SipxcomClient
from pbxgraph.connectors.sipxcom.payload import integer, text
from pbxgraph.domain import Kind, Registration, RegistrationState
from pbxgraph.errors import NotFound, PbxError

log = logging.getLogger("pbxgraph.connectors.sipxcom")

Entries = list[dict[str, Any]]


def is_active(registration: Mapping[str, Any]) -> bool:
    status = text(registration.get("status"))
    if status is not None:
        return status.lower() == "active"
    remaining = integer(registration.get("secondsToExpire"))
    return remaining is not None and remaining > 0


def registered_name(registration: Mapping[str, Any]) -> str | None:
    """The user part of a registration's AOR (``sip:200@example.org`` -> ``200``), folded."""
    uri = text(registration.get("uri"))
    if uri is None:
        return None
    if uri.lower().startswith(("sip:", "sips:")):
        uri = uri.split(":", 1)[1]
    return uri.split("@", 1)[0].casefold() or None


def serial_key(value: str | None) -> str | None:
    """A MAC in the one form sipXcom's serial numbers and instruments are compared in."""
    if not value:
        return None
    folded = "".join(ch for ch in value.lower() if ch.isalnum())
    return folded or None


def contact_address(contact: str | None) -> str | None:
    """Where a contact points: ``"A"<sip:200@192.0.2.5:5060;transport=udp>`` -> ``192.0.2.5:5060``."""
    if not contact:
        return None
    inner = contact.rsplit("<", 1)[-1].split(">", 1)[0].strip()
    if inner.lower().startswith(("sip:", "sips:")):
        inner = inner.split(":", 1)[1]
    host = inner.rsplit("@", 1)[-1]
    for stop in (";", "?"):
        host = host.split(stop, 1)[0]
    return host or None


def state_of(entries: Sequence[Mapping[str, Any]]) -> RegistrationState:
    """Registered when any registration is active (the latest gives the address).

    sipXcom keeps when a registration expires, not when it began: an online
    state has no ``changed_at``; an offline one went offline when its last
    registration expired.
    """
    active = [e for e in entries if is_active(e)]
    if active:
        latest = max(active, key=lambda e: integer(e.get("expires")) or 0)
        return RegistrationState(Registration.ONLINE, address=contact_address(text(latest.get("contact"))))
    expiries = [integer(e.get("expires")) for e in entries]
    last = max((e for e in expiries if e and e > 0), default=None)
    return RegistrationState(Registration.OFFLINE, changed_at=_moment(last))


def _moment(epoch_seconds: int | None) -> datetime | None:
    """An epoch time as a datetime; None for one no calendar holds (a vendor's garbage)."""
    if epoch_seconds is None:
        return None
    try:
        return datetime.fromtimestamp(epoch_seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


class Registrations:
    def __init__(self, client: SipxcomClient, *, enabled: bool) -> None:
        self.client = client
        self.backend = client.backend
        self.enabled = enabled

    async def read(self, path: str) -> Entries | None:
        """Every registration under ``path``, page by page; None when they cannot be read."""
        if not self.enabled:
            return None
        found: Entries = []
        start = 0
        limit = self.client.page_size
        previous: Entries | None = None
        try:
            while True:
                try:
                    page = await self.client.api_list(
                        path,
                        "the registrations",
                        "registrations",
                        "registration",
                        "Registration",
                        params={"start": str(start), "limit": str(limit)},
                    )
                except NotFound:
                    return found  # nobody by that name or MAC: nothing registered
                if page == previous:  # the server ignored ``start``: this page was read already
                    return found
                found += page
                if len(page) < limit:
                    return found
                previous = page
                start += limit
        except PbxError as exc:
            log.warning("backend %s: registrations unavailable (%s); registration left unknown", self.backend, exc.code)
            return None

    async def of_users(self, users: Sequence[Mapping[str, Any]]) -> dict[int, Entries] | None:
        """Each user's registrations, by user id (matched by user name and alias); None when unknown."""
        if not self.enabled or not selection.wants(Kind.USER, "registration", "raw"):
            return None
        if not users:
            return {}
        path = f"/registrations/user/{users[0]['id']}" if len(users) == 1 else "/registrations"
        entries = await self.read(path)
        if entries is None:
            return None
        owners: dict[str, int] = {}
        for user in users:
            for name in (user["userName"], *user["aliases"]):
                if name:
                    owners.setdefault(name.casefold(), user["id"])
        found: dict[int, Entries] = {u["id"]: [] for u in users}
        for entry in entries:
            owner = owners.get(registered_name(entry) or "")
            if owner is not None:
                found[owner].append(entry)
        return found

    async def of_phones(self, phones: Sequence[Mapping[str, Any]]) -> dict[int, Entries] | None:
        """Each phone's registrations, by phone id (matched by MAC); None when unknown."""
        if not self.enabled or not selection.wants(Kind.DEVICE, "registration", "raw"):
            return None
        keyed = {serial_key(text(p.get("serialNo"))): integer(p.get("id")) for p in phones}
        keyed.pop(None, None)
        if not keyed:
            return {integer(p.get("id")) or 0: [] for p in phones}
        path = f"/registrations/serialNo/{next(iter(keyed))}" if len(phones) == 1 else "/registrations"
        entries = await self.read(path)
        if entries is None:
            return None
        found: dict[int, Entries] = {integer(p.get("id")) or 0: [] for p in phones}
        for entry in entries:
            owner = keyed.get(serial_key(text(entry.get("instrument"))))
            if owner is not None:
                found[owner].append(entry)
        return found
