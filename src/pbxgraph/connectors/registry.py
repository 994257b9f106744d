"""Finding connectors: built-in and third-party alike, through entry points.

A vendor is a package that declares, in its own metadata::

    [project.entry-points."pbxgraph.connectors"]
    myvendor = "mypackage:create_connector"

so adding a vendor never means editing pbxgraph.
"""

from __future__ import annotations

import re
from importlib.metadata import entry_points

import httpx

from pbxgraph.config import BackendConfig, ConfigError
from pbxgraph.connectors.contract import Connector, ConnectorFactory

GROUP = "pbxgraph.connectors"


def load_factory(vendor: str) -> ConnectorFactory:
    matches = entry_points(group=GROUP, name=vendor)
    for ep in matches:
        return ep.load()  # type: ignore[no-any-return]
    known = ", ".join(sorted(ep.name for ep in entry_points(group=GROUP))) or "none"
    raise ConfigError(f"vendor: no connector installed for vendor '{vendor}' (installed: {known})")


_UNKNOWN_KEY = re.compile(r"^unknown key '([^']+)'(.*)$", re.S)
_KEYED = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*): (.*)$", re.S)


def option_error(backend: str, error: Exception) -> ConfigError:
    """A factory's complaint as ``backends.<name>.<key>: cause``, whatever its style.

    Factories raise ConfigError with the full key path, or a plain ValueError
    starting with the option's name (``url: ...``), or ``unknown key 'x' ...``;
    the operator sees one form for all of them.
    """
    text = str(error)
    prefix = f"backends.{backend}."
    if text.startswith(prefix):
        return error if isinstance(error, ConfigError) else ConfigError(text)
    unknown = _UNKNOWN_KEY.match(text)
    if unknown:
        return ConfigError(f"{prefix}{unknown.group(1)}: unknown key{unknown.group(2)}")
    keyed = _KEYED.match(text)
    if keyed:
        return ConfigError(f"{prefix}{keyed.group(1)}: {keyed.group(2)}")
    return ConfigError(f"backends.{backend}: {text}")


def build_connector(config: BackendConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> Connector:
    try:
        factory = load_factory(config.vendor)
        return factory(config, transport=transport)
    except (TypeError, ValueError) as exc:
        raise option_error(config.name, exc) from None
