"""The embedded demo: the local store with demo data, plus every vendor emulator.

With no configuration, ``pbxgraph serve`` starts this, so a newcomer sees
several backends of different vendors aggregated in GraphiQL without owning a
PBX. Each emulator listens on its own loopback port (printed at start-up), so
its vendor API can be explored with curl too, and made slow or broken through
its ``/_emulator/faults`` control route.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from pbxgraph.config import BackendConfig, Config
from pbxgraph.emulators.toolkit import LoopbackServer

#: Emulated vendors the demo runs, by the name their backend gets.
DEMO_VENDORS: tuple[tuple[str, str], ...] = (
    ("era-demo", "era"),
    ("infinity-demo", "infinity"),
    ("sipxcom-demo", "sipxcom"),
)
#: Where ``pbxgraph emulate VENDOR`` listens unless told otherwise.
EMULATOR_PORTS: dict[str, int] = {"era": 8101, "infinity": 8102, "sipxcom": 8103}


def emulator_module(vendor: str) -> Any:
    """The emulator package of ``vendor``: ``create_emulator`` and ``demo_backend``."""
    if vendor not in EMULATOR_PORTS:
        raise ValueError(f"no emulator for vendor '{vendor}' (emulated: {', '.join(EMULATOR_PORTS)})")
    return importlib.import_module(f"pbxgraph.emulators.{vendor}")


def backend_snippet(name: str, options: dict[str, Any]) -> str:
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
    emulators: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def start(cls, *, store: str = ":memory:") -> DemoEnvironment:
        backends = [BackendConfig(name="office", vendor="local", options={"path": store, "demo": True})]
        servers: dict[str, LoopbackServer] = {}
        emulators: dict[str, Any] = {}
        for name, vendor in DEMO_VENDORS:
            module = emulator_module(vendor)
            emulator = module.create_emulator(seed=True)
            server = emulator.serve()
            servers[name] = server
            emulators[name] = emulator
            options = dict(module.demo_backend(server.url))
            options.pop("vendor", None)
            backends.append(BackendConfig(name=name, vendor=vendor, options=options))
        return cls(config=Config(backends=tuple(backends)), servers=servers, emulators=emulators)

    def describe(self) -> list[str]:
        lines = ["backend office: local store (demo data, in memory)"]
        for name, server in self.servers.items():
            vendor = self.config.backend(name).vendor  # type: ignore[union-attr]
            lines.append(f"backend {name}: {vendor} emulator at {server.url}")
        return lines

    def stop(self) -> None:
        for server in self.servers.values():
            server.signal_stop()  # all at once: each takes a tick of its loop to notice
        for server in self.servers.values():
            server.stop()
