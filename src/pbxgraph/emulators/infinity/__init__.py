"""An in-memory Infinity (Config API v2, SIP phone system) for tests and the demo.

It speaks the API as the vendor document describes it (see :mod:`.routes`):
every SIP resource under ``/config/v2/sip/domains/{domainId}`` with HTTP Basic,
and the same under ``/config/v2.1`` with ``Authorization: ApiKey <key>``.

Credentials ``create_emulator`` accepts (all optional, demo values otherwise):

- ``username`` / ``password``: the Basic account, with rights to every domain;
- ``api_key``: a key with rights to every domain;
- ``limited_api_key``: a key with rights to domain 1 only (403 elsewhere);
- ``denied_api_key``: a key without rights (403 on every route).

``quirks`` (test-only, :class:`~.quirks.Quirks`) makes it refuse filter
operators or repeat rows, where the document leaves real servers free to.
"""

from __future__ import annotations

from typing import Any

from pbxgraph.emulators.infinity.auth import AuthGate
from pbxgraph.emulators.infinity.quirks import Quirks
from pbxgraph.emulators.infinity.routes import build_app
from pbxgraph.emulators.infinity.seed import SEED_COUNTS, load_seed
from pbxgraph.emulators.infinity.state import Account, InfinityState
from pbxgraph.emulators.registry import EmulatedVendor
from pbxgraph.emulators.toolkit import Emulator

DEMO_CREDENTIALS: dict[str, str] = {
    "username": "demo",
    "password": "demo-password",
    "api_key": "demo-api-key",
    "limited_api_key": "demo-api-key-domain-1",
    "denied_api_key": "demo-api-key-no-rights",
}
#: The domains the seed holds, in the order a demo backend serves them.
DEMO_DOMAINS = [1, 2]


def create_emulator(*, seed: bool = True, quirks: Quirks | None = None, **credentials: str) -> Emulator[InfinityState]:
    """A fresh Infinity: seeded unless ``seed=False``; credentials and quirks as in the module docstring."""
    unknown = sorted(set(credentials) - set(DEMO_CREDENTIALS))
    if unknown:
        raise TypeError(f"create_emulator() got an unknown credential '{unknown[0]}'")
    creds = {**DEMO_CREDENTIALS, **credentials}
    state = InfinityState()
    if quirks is not None:
        state.quirks = quirks
    state.basic_accounts[creds["username"]] = (creds["password"], Account(domains=None))
    state.api_keys[creds["api_key"]] = Account(domains=None)
    state.api_keys[creds["limited_api_key"]] = Account(domains=frozenset({1}))
    state.api_keys[creds["denied_api_key"]] = Account(domains=frozenset())
    if seed:
        load_seed(state)
    return Emulator(AuthGate(build_app(state), state), state, name="infinity")


def reset_emulator(emulator: Emulator[InfinityState], *, seed: bool = True) -> None:
    """Back to a fresh data set, with no recorded requests, faults or quirks (credentials stay)."""
    emulator.state.clear()
    emulator.state.quirks = Quirks()
    if seed:
        load_seed(emulator.state)
    emulator.recorder.clear()
    emulator.faults.clear()


def demo_backend(url: str) -> dict[str, Any]:
    """The ``[[backends]]`` options (no ``name``) connecting pbxgraph to an emulator at ``url``."""
    return {
        "vendor": "infinity",
        "url": url,
        "domains": list(DEMO_DOMAINS),
        "api_key": DEMO_CREDENTIALS["api_key"],
    }


#: What the ``pbxgraph.emulators`` entry point names: the demo, ``pbxgraph emulate infinity`` and the
#: contract suite find this emulator through it.
EMULATED = EmulatedVendor(vendor="infinity", create=create_emulator, backend=demo_backend, port=8102)


__all__ = [
    "DEMO_CREDENTIALS",
    "DEMO_DOMAINS",
    "EMULATED",
    "SEED_COUNTS",
    "InfinityState",
    "Quirks",
    "create_emulator",
    "demo_backend",
    "reset_emulator",
]
