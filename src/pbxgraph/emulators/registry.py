"""Finding emulators: built-in and third-party alike, through entry points.

A vendor package that ships a stand-in for its API declares it beside its
connector, in its own metadata::

    [project.entry-points."pbxgraph.connectors"]
    myvendor = "mypackage:create_connector"

    [project.entry-points."pbxgraph.emulators"]
    myvendor = "mypackage.emulator:EMULATED"

so the no-configuration demo, ``pbxgraph emulate myvendor``, docker and the
contract suite's fault tests find it without a list of vendors anywhere in
pbxgraph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Protocol

from pbxgraph.emulators.toolkit.emulator import Emulator

GROUP = "pbxgraph.emulators"


class EmulatorFactory(Protocol):
    def __call__(self, *, seed: bool = True) -> Emulator[Any]:
        """A fresh emulator: with the vendor's demo data, or empty (``seed=False``)."""
        ...


@dataclass(frozen=True, slots=True)
class EmulatedVendor:
    """What a ``pbxgraph.emulators`` entry point names: a vendor's stand-in and how to reach it."""

    #: The connector vendor it stands in for (the ``vendor`` of a backend table).
    vendor: str
    create: EmulatorFactory
    #: The ``[[backends]]`` keys (with ``vendor``, without ``name``) that connect to an emulator at a URL
    #: with its demo credentials.
    backend: Callable[[str], Mapping[str, Any]]
    #: Where ``pbxgraph emulate`` listens unless told otherwise.
    port: int

    def options(self, url: str) -> dict[str, Any]:
        """The backend keys for an emulator at ``url``, without ``vendor``: a ``BackendConfig``'s options."""
        return {key: value for key, value in self.backend(url).items() if key != "vendor"}


def emulator_names() -> list[str]:
    """The vendors with an installed emulator, without loading any."""
    return sorted({ep.name for ep in entry_points(group=GROUP)})


def emulated_vendors() -> dict[str, EmulatedVendor]:
    """Every installed emulator, by vendor name, in name order."""
    found: dict[str, EmulatedVendor] = {}
    for ep in sorted(entry_points(group=GROUP), key=lambda ep: ep.name):
        emulated = ep.load()
        if not isinstance(emulated, EmulatedVendor):
            raise TypeError(f"entry point {GROUP}:{ep.name} names {ep.value}, which is not an EmulatedVendor")
        found[emulated.vendor] = emulated
    return found


def emulated(vendor: str) -> EmulatedVendor:
    """The emulator of ``vendor``; ValueError naming the installed ones when there is none."""
    for ep in entry_points(group=GROUP, name=vendor):
        found = ep.load()
        if isinstance(found, EmulatedVendor):
            return found
    raise ValueError(f"no emulator for vendor '{vendor}' (emulated: {', '.join(emulator_names()) or 'none'})")
