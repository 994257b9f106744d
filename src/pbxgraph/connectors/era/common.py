"""What the Era resources share: user resolution, registrations, whole reads.

Two fetches cost extra requests and live here alone, so that a request that
shows neither is spared both (:mod:`pbxgraph.selection`): registrations
(``registrations``, one ``sipuser_states`` request per chunk of accounts, only
when a user's or a phone's ``registration`` is selected) and whole entities
where a list view leaves fields out (``whole``, one GET per entity, only when
the ``description`` or the ``raw`` payload is selected).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from pbxgraph import selection
from pbxgraph.connectors.era import mapping
from pbxgraph.connectors.era.client import EraClient
from pbxgraph.domain import Device, Kind, Registration, User
from pbxgraph.errors import PbxError

log = logging.getLogger("pbxgraph.connectors.era")


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


async def registrations(client: EraClient, user_ids: Sequence[str], kind: Kind = Kind.USER) -> dict[str, Registration]:
    """Registration of each user from ``sipuser_states``: one request per chunk of ids.

    None at all (and no request) when the request shows no ``registration``
    of ``kind`` (a user's, or a phone's: its account's).

    The registration is a nice-to-have on a user record: when Era cannot say,
    the users still come back, with ``registration=None`` (null where the
    backend cannot tell), and the failure is logged.
    """
    if not user_ids or not selection.wants(kind, "registration"):
        return {}
    try:
        states = await client.list_in("sipuser_states", "id", user_ids, mask=["id", "status"])
    except PbxError as error:
        # The code only: vendor text is scrubbed where errors leave the connector, not here.
        log.warning("backend '%s': registrations unavailable (%s)", client.backend, error.code)
        return {}
    found: dict[str, Registration] = {}
    for state in states:
        registration = mapping.registration_from(state.get("status"))
        if isinstance(state.get("id"), str) and registration is not None:
            found[state["id"]] = registration
    return found


async def whole(
    client: EraClient, collection: str, payloads: Sequence[dict[str, Any]], kind: Kind
) -> list[dict[str, Any]]:
    """Each listed entity completed with what only its single read shows (when the request shows it).

    Era's list views leave out what a record needs (a group's or hunt's
    ``opts.comment``), and Era offers no multi-get, so this is one GET per
    entity, concurrently under the backend's cap: call it for a page, never
    for a whole collection. The listed fields stay as listed (the page was
    filtered and ordered by them); the read adds the others. Like the
    registrations, the details are not worth the listing: when Era cannot
    give them, the listed views are answered (description null) and the
    failure is logged.
    """
    ids = [p["id"] for p in payloads if isinstance(p.get("id"), str)]
    if not ids or not selection.wants(kind, "description", "raw"):
        return list(payloads)
    try:
        found = await client.read_many(collection, ids)
    except PbxError as error:
        log.warning(
            "backend '%s': %s details unavailable (%s): %s", client.backend, collection, error.code, error.message
        )
        return list(payloads)
    completed = []
    for listed in payloads:
        read = found.get(str(listed.get("id")))
        if read is None:
            completed.append(listed)
        else:
            completed.append({**read, **listed, "opts": {**mapping.opts(read), **mapping.opts(listed)}})
    return completed


async def devices_with_registration(client: EraClient, holders: Sequence[dict[str, Any]]) -> list[Device | None]:
    """The phone of each SIP user payload (None without a usable MAC), with its account's registration."""
    owners = [p["id"] for p in holders if mapping.device_from(p) is not None]
    states = await registrations(client, unique(owners), Kind.DEVICE)
    return [mapping.device_from(p, states.get(str(p.get("id")))) for p in holders]


async def users_with_registration(client: EraClient, payloads: Sequence[dict[str, Any]]) -> list[User]:
    states = await registrations(client, [mapping.entity_id(p, "sipuser") for p in payloads])
    return [mapping.user_from(p, states.get(p["id"])) for p in payloads]


async def users_by_id(client: EraClient, user_ids: Sequence[str]) -> dict[str, User]:
    """Users by native id (unknown ids absent): one users request and one states request."""
    payloads = await client.list_in("sipusers", "id", unique(user_ids))
    return {u.id: u for u in await users_with_registration(client, payloads)}


async def users_by_number(client: EraClient, numbers: Sequence[str]) -> dict[str, User]:
    """Users by extension (numbers no user owns absent): one users request and one states request."""
    payloads = await client.list_in("sipusers", "phonenumber", unique(numbers))
    users = await users_with_registration(client, payloads)
    return {u.extension: u for u in sorted(users, key=lambda u: u.id, reverse=True) if u.extension}
