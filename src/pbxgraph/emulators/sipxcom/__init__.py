"""An in-memory sipXcom configuration server (sipXconfig), both of its APIs.

``/sipxconfig/rest`` (users, user groups, branches: XML by default, JSON on
request, ``PUT`` to a collection creates, XML envelopes for writes and
errors) and ``/sipxconfig/api`` (phones with lines and groups, phone groups,
gateways of every documented model with settings, hunt groups,
registrations: JSON or XML, ``POST`` creates, bare 404 for "not found"), behind HTTP Basic or Digest authentication, following
the vendor's REST API reference. Wrapped in the toolkit's recorder and fault
injector like every emulator.
"""

from __future__ import annotations

from typing import Any

from pbxgraph.emulators.registry import EmulatedVendor
from pbxgraph.emulators.sipxcom.routes import build_app
from pbxgraph.emulators.sipxcom.seed import SEED_PINS, SEED_SIP_PASSWORDS, SEED_TRUNK_PASSWORD
from pbxgraph.emulators.sipxcom.state import SipxState
from pbxgraph.emulators.toolkit import Emulator

#: The administrator account of the emulated server (demo and tests only).
DEMO_USERNAME = "superadmin"
DEMO_PASSWORD = "sipx-demo-Admin-Pw"


def create_emulator(
    *, seed: bool = True, username: str = DEMO_USERNAME, password: str = DEMO_PASSWORD, domain: str = "pbx.example.com"
) -> Emulator[SipxState]:
    """A sipXconfig emulator; ``username``/``password`` are the accepted administrator login."""
    state = SipxState(seed=seed, domain=domain)
    return Emulator(build_app(state, username=username, password=password), state, name="sipxcom")


def demo_backend(url: str) -> dict[str, Any]:
    """The ``[[backends]]`` options (no ``name``) that connect pbxgraph to a demo emulator at ``url``."""
    return {"vendor": "sipxcom", "url": url, "username": DEMO_USERNAME, "password": DEMO_PASSWORD}


#: What the ``pbxgraph.emulators`` entry point names: the demo, ``pbxgraph emulate sipxcom`` and the
#: contract suite find this emulator through it.
EMULATED = EmulatedVendor(vendor="sipxcom", create=create_emulator, backend=demo_backend, port=8103)


__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "EMULATED",
    "SEED_PINS",
    "SEED_SIP_PASSWORDS",
    "SEED_TRUNK_PASSWORD",
    "SipxState",
    "create_emulator",
    "demo_backend",
]
