"""Finding connectors: built-in and third-party alike, through entry points.

A vendor is a package that declares, in its own metadata::

    [project.entry-points."pbxgraph.connectors"]
    myvendor = "mypackage:create_connector"

so adding a vendor never means editing pbxgraph.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import httpx

from pbxgraph.config import BackendConfig, ConfigError
from pbxgraph.connectors.contract import Connector, ConnectorFactory

GROUP = "pbxgraph.connectors"


def available_vendors() -> dict[str, ConnectorFactory]:
    """Every installed connector factory, by vendor name (loaded lazily per call)."""
    return {ep.name: ep.load() for ep in entry_points(group=GROUP)}


def load_factory(vendor: str) -> ConnectorFactory:
    matches = entry_points(group=GROUP, name=vendor)
    for ep in matches:
        return ep.load()  # type: ignore[no-any-return]
    known = ", ".join(sorted(ep.name for ep in entry_points(group=GROUP))) or "none"
    raise ConfigError(f"vendor '{vendor}': no connector installed for it (installed: {known})")


def build_connector(
    config: BackendConfig, *, transport: httpx.AsyncBaseTransport | None = None
) -> Connector:
    factory = load_factory(config.vendor)
    try:
        return factory(config, transport=transport)
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"backends.{config.name}: {exc}") from None
