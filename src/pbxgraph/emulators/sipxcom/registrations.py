"""``/sipxconfig/api/registrations``: the registrar's current contacts.

Every listing needs ``start`` and ``limit`` (400 without them) and may be
narrowed by user (id, name or alias), by phone MAC (serial number), by
contact IP, by Call-ID or by server; the narrowed ones also delete.

The document lists no field of a registration. The emulator answers the
fields of the vendor's registration records and nothing more: ``uri`` (the
address of record), ``contact``, ``expires`` (epoch seconds), ``primary``
(the registrar), ``instrument`` (the MAC of the phone that registered, where
it said), ``status`` (``active`` or ``expired``) and ``secondsToExpire``
(0 once expired). The connector relies on the same guess. Call-ID and user
agent are kept only to filter by.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pbxgraph.emulators.sipxcom.codec import integer
from pbxgraph.emulators.sipxcom.errors import api_not_found, api_text
from pbxgraph.emulators.sipxcom.state import Registration, SipxState
from pbxgraph.emulators.sipxcom.wire import ok, render_list, state_of


def registration_payload(state: SipxState, registration: Registration) -> dict[str, Any]:
    remaining = registration.expires - int(state.clock())
    return {
        "uri": f"sip:{registration.user_part}@{state.domain}",
        "contact": registration.contact,
        "expires": registration.expires,
        "primary": state.server_fqdn,
        "instrument": registration.instrument,
        "status": "active" if remaining > 0 else "expired",
        "secondsToExpire": max(remaining, 0),
    }


def _contact_host(contact: str) -> str:
    inner = contact.split("<", 1)[-1].rstrip(">")
    host = inner.split("@", 1)[-1]
    return host.split(";", 1)[0].split(":", 1)[0]


def _window(request: Request) -> tuple[int, int] | None:
    start = integer(request.query_params.get("start"))
    limit = integer(request.query_params.get("limit"))
    if start is None or limit is None or start < 0 or limit < 1:
        return None
    return start, limit


async def _answer(request: Request, selected: list[Registration] | None, drop: bool = True) -> Response:
    state = state_of(request)
    if selected is None:
        return api_not_found()
    if request.method == "DELETE" and drop:
        gone = {id(r) for r in selected}
        state.registrations = [r for r in state.registrations if id(r) not in gone]
        return ok()
    window = _window(request)
    if window is None:
        return api_text(400, "start and limit are required: start >= 0, limit >= 1")
    start, limit = window
    return render_list(
        request,
        "registrations",
        "Registrations",
        "Registration",
        [registration_payload(state, r) for r in selected[start : start + limit]],
    )


async def registrations(request: Request) -> Response:
    return await _answer(request, list(state_of(request).registrations), drop=False)


async def by_user(request: Request) -> Response:
    state = state_of(request)
    user = state.user_by_id_or_name(request.path_params["user_id"])
    return await _answer(request, state.registrations_of([user]) if user else None)


async def by_serial(request: Request) -> Response:
    state = state_of(request)
    serial = request.path_params["serial"].replace(":", "").replace("-", "").lower()
    return await _answer(request, [r for r in state.registrations if (r.instrument or "").lower() == serial])


async def by_ip(request: Request) -> Response:
    state = state_of(request)
    ip = request.path_params["ip"]
    return await _answer(request, [r for r in state.registrations if _contact_host(r.contact) == ip])


async def by_call_id(request: Request) -> Response:
    state = state_of(request)
    call_id = request.path_params["call_id"]
    return await _answer(request, [r for r in state.registrations if r.call_id == call_id])


async def by_server(request: Request) -> Response:
    state = state_of(request)
    server = request.path_params["server_id"]
    if server not in ("1", state.server_fqdn):
        return api_not_found()
    return await _answer(request, list(state.registrations))


ROUTES = [
    Route("/registrations", registrations, methods=["GET"]),
    Route("/registrations/user/{user_id}", by_user, methods=["GET", "DELETE"]),
    Route("/registrations/serialNo/{serial}", by_serial, methods=["GET", "DELETE"]),
    Route("/registrations/ip/{ip}", by_ip, methods=["GET", "DELETE"]),
    Route("/registrations/callId/{call_id}", by_call_id, methods=["GET", "DELETE"]),
    Route("/registrations/server/{server_id}", by_server, methods=["GET", "DELETE"]),
]
