"""The embedded demo: the local store with demo data, plus every installed vendor emulator.

With no configuration, ``pbxgraph serve`` starts this, so a newcomer sees
several backends of different vendors aggregated in GraphiQL without owning a
PBX. The emulators are those the ``pbxgraph.emulators`` entry points name
(a new vendor's package joins the demo by declaring its own). Each listens
on its own loopback port (printed at start-up), so its vendor API can be
explored with curl too, and made slow or broken through its
``/_emulator/faults`` control route.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pbxgraph.config import BackendConfig, Config
from pbxgraph.emulators.registry import EmulatedVendor, emulated_vendors
from pbxgraph.emulators.toolkit import Emulator, LoopbackServer


def demo_vendors() -> dict[str, EmulatedVendor]:
    """The emulated vendors the demo runs, by the name their backend gets (``era-demo`` ...)."""
    return {f"{vendor}-demo": emulated for vendor, emulated in emulated_vendors().items()}


def backend_snippet(name: str, options: Mapping[str, Any]) -> str:
    """A ``[[backends]]`` table for the configuration file, in TOML."""
    lines = ["[[backends]]", f'name = "{name}"']
    for key, value in options.items():
        if isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        elif isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        else:
            lines.append(f"{key} = {value!r}")
    return "\n".join(lines)


@dataclass
class DemoEnvironment:
    config: Config
    servers: dict[str, LoopbackServer] = field(default_factory=dict)
    #: The emulators behind ``servers``, for making them slow or broken.
    emulators: dict[str, Emulator[Any]] = field(default_factory=dict)

    @classmethod
    def start(cls, *, store: str = ":memory:") -> DemoEnvironment:
        backends = [BackendConfig(name="office", vendor="local", options={"path": store, "demo": True})]
        servers: dict[str, LoopbackServer] = {}
        emulators: dict[str, Emulator[Any]] = {}
        for name, emulated in demo_vendors().items():
            emulator = emulated.create(seed=True)
            server = emulator.serve()
            servers[name] = server
            emulators[name] = emulator
            backends.append(BackendConfig(name=name, vendor=emulated.vendor, options=emulated.options(server.url)))
        return cls(config=Config(backends=tuple(backends)), servers=servers, emulators=emulators)

    def describe(self) -> list[str]:
        lines = ["backend office: local store (demo data, in memory)"]
        vendors = {b.name: b.vendor for b in self.config.backends}
        for name, server in self.servers.items():
            lines.append(f"backend {name}: {vendors[name]} emulator at {server.url}")
        return lines

    def stop(self) -> None:
        for server in self.servers.values():
            server.signal_stop()  # all at once: each takes a tick of its loop to notice
        for server in self.servers.values():
            server.stop()
