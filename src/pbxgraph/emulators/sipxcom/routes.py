"""The emulated sipXconfig server: both APIs under ``/sipxconfig``, behind its login.

``/sipxconfig/rest/...`` (users, user groups, branches) and
``/sipxconfig/api/...`` (phones, phone groups, gateways, hunt groups,
registrations)
share one state and one authentication; anything else is a 404.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount

from pbxgraph.emulators.sipxcom import api, huntgroups, registrations, rest
from pbxgraph.emulators.sipxcom.auth import Authenticator
from pbxgraph.emulators.sipxcom.state import SipxState


def build_app(state: SipxState, *, username: str, password: str) -> Authenticator:
    app = Starlette(
        routes=[
            Mount("/sipxconfig/rest", routes=rest.ROUTES),
            Mount("/sipxconfig/api", routes=[*api.ROUTES, *huntgroups.ROUTES, *registrations.ROUTES]),
        ]
    )
    app.state.sipx = state
    return Authenticator(app, username=username, password=password, realm=state.domain)
