"""An in-memory Era (``/rest/v1/uc/``): SIP users, group numbers, hunts, providers.

It speaks the API as the vendor documents describe it (verbs, status codes,
bare-array lists, partial list views, ``LOOKUP``, Era-coded errors) so the
connector, the tests and the no-config demo can run against it over real
HTTP; :mod:`~pbxgraph.emulators.era.routes` lists the endpoints and
:mod:`~pbxgraph.emulators.era.schema` what the emulator decided where the
documents are silent; :mod:`~pbxgraph.emulators.era.state` how it serves a
listing that repeats an id, as Era's own hunts example does.
``create_emulator()`` wraps it in the toolkit's request recorder and fault
injector.
"""

from __future__ import annotations

from typing import Any

from pbxgraph.emulators.era.routes import Credentials, EraApp
from pbxgraph.emulators.era.state import EraState
from pbxgraph.emulators.registry import EmulatedVendor
from pbxgraph.emulators.toolkit import Emulator

#: The administrator token of the demo emulator (a demo secret, not a real one).
DEMO_TOKEN = "era-demo-token"


def create_emulator(
    *,
    seed: bool = True,
    token: str = DEMO_TOKEN,
    token_header: str = "Authorization",
    reader_token: str | None = None,
) -> Emulator[EraState]:
    """An Era with (``seed``) or without its demo data.

    ``token`` is the administrator's; ``token_header`` the header that carries
    it (``Authorization`` means ``Bearer <token>``, any other header the bare
    token); ``reader_token`` optionally admits a read-only user.
    """
    state = EraState(seed=seed)
    app = EraApp(state, Credentials(token, header=token_header, reader_token=reader_token))
    return Emulator(app, state, name="era")


def demo_backend(url: str) -> dict[str, Any]:
    """The ``[[backends]]`` options that connect the Era connector to a default emulator at ``url``."""
    return {"vendor": "era", "url": url, "token": DEMO_TOKEN}


#: What the ``pbxgraph.emulators`` entry point names: the demo, ``pbxgraph emulate era`` and the
#: contract suite find this emulator through it.
EMULATED = EmulatedVendor(vendor="era", create=create_emulator, backend=demo_backend, port=8101)


__all__ = ["DEMO_TOKEN", "EMULATED", "EraState", "create_emulator", "demo_backend"]
