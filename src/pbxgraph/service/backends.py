"""The configured backends of one running server, opened and closed together.

A caller whose token is limited to some backends sees a view (:meth:`Backends.only`)
in which the others do not exist: not listed, not selectable by name, and an id on
one of them names nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Iterator, Mapping, Sequence

import httpx

from pbxgraph.config import BackendConfig
from pbxgraph.connectors.contract import Connector
from pbxgraph.connectors.registry import build_connector
from pbxgraph.errors import BadUserInput, shown
from pbxgraph.redaction import scrub_text

log = logging.getLogger("pbxgraph.backends")


class Backends:
    def __init__(self, connectors: Sequence[Connector], configs: Mapping[str, BackendConfig]) -> None:
        self._connectors = {c.name: c for c in connectors}
        self._configs = dict(configs)
        self._hidden: frozenset[str] = frozenset()

    @classmethod
    def from_config(
        cls,
        configs: Sequence[BackendConfig],
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    ) -> Backends:
        transports = transports or {}
        connectors = [build_connector(c, transport=transports.get(c.name)) for c in configs]
        return cls(connectors, {c.name: c for c in configs})

    async def open(self) -> None:
        """Open every connector; a backend that is down now is not fatal."""
        results = await asyncio.gather(*(c.open() for c in self._connectors.values()), return_exceptions=True)
        for connector, result in zip(self._connectors.values(), results, strict=True):
            if isinstance(result, BaseException):
                secrets = self._configs[connector.name].secrets if connector.name in self._configs else ()
                log.warning("backend %s failed to open: %s", connector.name, scrub_text(str(result), secrets))

    async def aclose(self) -> None:
        await asyncio.gather(*(c.aclose() for c in self._connectors.values()), return_exceptions=True)

    def only(self, names: Collection[str] | None) -> Backends:
        """The same open connectors, as a caller allowed only ``names`` sees them (all for None)."""
        if names is None:
            return self
        view = Backends(
            [c for c in self._connectors.values() if c.name in names],
            {n: c for n, c in self._configs.items() if n in names},
        )
        view._hidden = frozenset(self._connectors) - frozenset(names) | self._hidden
        return view

    def hides(self, name: str) -> bool:
        """Whether ``name`` is configured but out of this caller's sight."""
        return name in self._hidden

    def __iter__(self) -> Iterator[Connector]:
        return iter(self._connectors.values())

    def __len__(self) -> int:
        return len(self._connectors)

    @property
    def names(self) -> list[str]:
        return list(self._connectors)

    def get(self, name: str, *, field: str = "backend") -> Connector:
        try:
            return self._connectors[name]
        except KeyError:
            raise BadUserInput(
                f"{field}: no backend named {shown(name)} is configured "
                f"(configured: {', '.join(self._connectors) or 'none'})",
                field=field,
            ) from None

    def config(self, name: str) -> BackendConfig:
        return self._configs[name]

    def select(self, names: Sequence[str] | None, *, field: str = "backends") -> list[Connector]:
        """The named backends in the order given (duplicates dropped), or all of them."""
        if names is None:
            return list(self._connectors.values())
        chosen: list[Connector] = []
        for name in names:
            connector = self.get(name, field=field)
            if connector not in chosen:
                chosen.append(connector)
        return chosen
