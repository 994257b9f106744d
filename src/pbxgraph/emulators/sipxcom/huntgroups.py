"""``/sipxconfig/api/callgroups``: hunt groups, as the document's "Hunt Groups" lists them.

All hunt groups, those whose extension starts with a prefix, one by its
extension; ``POST`` creates from the document's body (``name``,
``extension``, ``description``, ``enabled``, ``did``, ``ringBeans``,
``fallbackDestination``, ``voicemailFallback``, ``userForward``,
``useFwdTimers``) and answers the new id; ``PUT`` to an extension replaces
the hunt group with the body (a field left out takes its default, and the
rings are rebuilt from ``ringBeans``); ``DELETE`` to an extension removes
it; ``duplicate`` copies one under a new extension; ``rotate`` moves the
rings after a given member's ring to the front.

The document shows no read and no ring bean. Where it is silent, the
emulator and the connector rely on these guesses:

* a read answers the create body's fields plus ``id`` and the group's own
  ``sipPassword`` (which the server generates), a list wrapped as
  ``{"callGroups": [...]}`` (``<CallGroups><CallGroup>`` in XML);
* a ring bean is ``{"userName", "typeStr", "enabled", "expiration"}``,
  in ring order; ``typeStr`` is how the ring follows the one before it,
  ``"If no response"`` (after that ring's ``expiration`` seconds) or
  ``"At the same time"``; like the vendor's bean, a ring bean that leaves
  out ``enabled`` or ``expiration`` gets ``false`` and ``0``;
* a ring for a user that does not exist, a taken name or extension, and an
  unknown extension answer as the rest of ``/api`` does: a plain-text 400,
  a plain-text 500 and a bare 404. Deleting an unknown extension answers
  200, as the vendor's delete (by alias) does.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pbxgraph.emulators.sipxcom.codec import BodyError, Flat, flag, integer, items, text
from pbxgraph.emulators.sipxcom.errors import api_not_found
from pbxgraph.emulators.sipxcom.state import (
    RING_DELAYED,
    Duplicate,
    HuntGroup,
    Invalid,
    Missing,
    Ring,
    SipxState,
)
from pbxgraph.emulators.sipxcom.wire import bean, created, failure, ok, render_list, render_one, state_of


def ring_payload(state: SipxState, ring: Ring) -> dict[str, Any]:
    user = state.users.get(ring.user_id)
    return {
        "typeStr": ring.type,
        "userName": user.user_name if user else None,
        "enabled": ring.enabled,
        "expiration": ring.expiration,
    }


def hunt_group_payload(state: SipxState, hunt: HuntGroup) -> dict[str, Any]:
    return {
        "id": hunt.id,
        "name": hunt.name,
        "extension": hunt.extension,
        "description": hunt.description,
        "enabled": hunt.enabled,
        "did": hunt.did,
        # Repeated <ringBeans> elements in XML, as an unwrapped list property is written.
        "ringBeans": Flat(ring_payload(state, r) for r in hunt.rings),
        "fallbackDestination": hunt.fallback_destination,
        "voicemailFallback": hunt.voicemail_fallback,
        "userForward": hunt.user_forward,
        "useFwdTimers": hunt.use_fwd_timers,
        "sipPassword": hunt.sip_password,
    }


def _rings(state: SipxState, value: Any) -> list[Ring]:
    rings = []
    for index, entry in enumerate(items(value, "ringBeans", "ringBean")):
        if not isinstance(entry, dict):
            raise Invalid("ringBeans", f"ring {index} is not an object")
        name = text(entry.get("userName"))
        user = state.user_by_name_or_alias(name) if name else None
        if user is None:
            raise Invalid("ringBeans", f"ring {index}: no user named '{name}'")
        expiration = integer(entry.get("expiration"))
        rings.append(
            Ring(
                user_id=user.id,
                type=text(entry.get("typeStr")) or RING_DELAYED,
                enabled=flag(entry.get("enabled")),
                expiration=expiration or 0,
            )
        )
    return rings


def _from_bean(state: SipxState, value: dict[str, Any], hunt_id: int, existing: HuntGroup | None) -> HuntGroup:
    hunt = HuntGroup(
        id=hunt_id,
        name=text(value.get("name")) or "",
        extension=text(value.get("extension")) or "",
        description=text(value.get("description")),
        enabled=flag(value.get("enabled")),
        did=text(value.get("did")),
        rings=_rings(state, value.get("ringBeans")),
        fallback_destination=text(value.get("fallbackDestination")),
        voicemail_fallback=flag(value.get("voicemailFallback"), default=True),
        user_forward=flag(value.get("userForward"), default=True),
        use_fwd_timers=flag(value.get("useFwdTimers")),
    )
    if existing is not None:
        hunt.sip_password = existing.sip_password
    return hunt


async def hunt_groups(request: Request) -> Response:
    state = state_of(request)
    if request.method == "POST":
        try:
            hunt = state.save_hunt_group(_from_bean(state, await bean(request), state.next_id("hunt_group"), None))
        except (Invalid, BodyError, Duplicate, Missing) as exc:
            return failure(exc)
        return created(hunt.id)
    ordered = sorted(state.hunt_groups.values(), key=lambda h: h.id)
    return render_list(
        request, "callGroups", "CallGroups", "CallGroup", [hunt_group_payload(state, h) for h in ordered]
    )


async def by_prefix(request: Request) -> Response:
    state = state_of(request)
    prefix = request.path_params["prefix"]
    found = sorted((h for h in state.hunt_groups.values() if h.extension.startswith(prefix)), key=lambda h: h.id)
    return render_list(request, "callGroups", "CallGroups", "CallGroup", [hunt_group_payload(state, h) for h in found])


async def hunt_group(request: Request) -> Response:
    state = state_of(request)
    found = state.hunt_group_by_extension(request.path_params["extension"])
    if request.method == "DELETE":
        if found is not None:
            del state.hunt_groups[found.id]
        return ok()
    if found is None:
        return api_not_found()
    if request.method == "GET":
        return render_one(request, "CallGroup", hunt_group_payload(state, found))
    try:
        state.save_hunt_group(_from_bean(state, await bean(request), found.id, found))
    except (Invalid, BodyError, Duplicate, Missing) as exc:
        return failure(exc)
    return created(found.id)


async def duplicate(request: Request) -> Response:
    """A copy under a new extension, named ``<name>-<extension>``; answers the original's id."""
    state = state_of(request)
    found = state.hunt_group_by_extension(request.path_params["extension"])
    if found is None:
        return api_not_found()
    extension = request.path_params["new_extension"]
    copy = HuntGroup(
        id=state.next_id("hunt_group"),
        name=f"{found.name}-{extension}",
        extension=extension,
        description=found.description,
        enabled=found.enabled,
        did=None,
        rings=[Ring(r.user_id, r.type, r.enabled, r.expiration) for r in found.rings],
        fallback_destination=found.fallback_destination,
        voicemail_fallback=found.voicemail_fallback,
        user_forward=found.user_forward,
        use_fwd_timers=found.use_fwd_timers,
    )
    try:
        state.save_hunt_group(copy)
    except (Invalid, Duplicate) as exc:
        return failure(exc)
    return created(found.id)


async def rotate(request: Request) -> Response:
    """Make the ring of the user with that extension the last one (the next call starts after it)."""
    state = state_of(request)
    found = state.hunt_group_by_extension(request.path_params["extension"])
    if found is None:
        return api_not_found()
    wanted = request.path_params["ring_extension"]
    for index, ring in enumerate(found.rings):
        user = state.users.get(ring.user_id)
        if user is not None and user.extension == wanted:
            found.rings = found.rings[index + 1 :] + found.rings[: index + 1]
            break
    return created(found.id)


ROUTES = [
    Route("/callgroups", hunt_groups, methods=["GET", "POST"]),
    Route("/callgroups/prefix/{prefix}", by_prefix, methods=["GET"]),
    Route("/callgroups/{extension}", hunt_group, methods=["GET", "PUT", "DELETE"]),
    Route("/callgroups/{extension}/duplicate/{new_extension}", duplicate, methods=["POST"]),
    Route("/callgroups/{extension}/rotate/{ring_extension}", rotate, methods=["POST"]),
]
