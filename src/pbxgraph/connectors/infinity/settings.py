"""The backend's configuration keys, declared once and checked at start-up.

:class:`InfinityOptions` declares the keys (listed in the package docstring);
:func:`pbxgraph.config.read_options` checks a backend table against it, so
every problem is a :class:`~pbxgraph.config.ConfigError` naming the key and
a misconfigured Infinity backend is found before the first request.
:class:`InfinitySettings` is what the connector works with, derived from
them: the API's path for the credentials given, the domain ids as integers.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from pbxgraph.config import one_of, setting
from pbxgraph.connectors.infinity.mapping import RING_STRATEGY
from pbxgraph.connectors.kit import HttpOptions, listing_snapshot
from pbxgraph.ids import numeric_id

BASIC_PATH = "/config/v2"
APIKEY_PATH = "/config/v2.1"
RING_STRATEGIES = tuple(RING_STRATEGY)
DEFAULT_CALLER_NAME_FORMAT = "{displayName} - {srcPhoneNumber}"
_API_SUFFIX = re.compile(r"/config/v2(\.1)?/?$")


class ApiKeyAuth(httpx.Auth):
    """``Authorization: ApiKey <key>``, the scheme of Config API v2.1."""

    def __init__(self, key: str) -> None:
        self._header = f"ApiKey {key}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "ApiKeyAuth(<hidden>)"


def _domain_id(value: int | str) -> int | None:
    """A positive domain id, given as a number or as its digits; None for anything else."""
    if isinstance(value, int):
        return value if value > 0 else None
    digits = value.strip()
    return int(digits) if numeric_id(digits) is not None else None


def _domains(value: Any) -> str | None:
    values = value if isinstance(value, tuple) else (value,)
    ids = [_domain_id(v) for v in values]
    if not ids:
        return "list at least one SIP domain id"
    if None in ids:
        return f"expected positive domain ids, got {value!r}"
    if len(set(ids)) != len(ids):
        return "a domain id is listed twice"
    return None


def _positive_id(value: Any) -> str | None:
    return None if value is None or _domain_id(value) is not None else f"expected a positive domain id, got {value!r}"


def _at_least_one(value: Any) -> str | None:
    return None if value >= 1 else f"must be a whole number of at least 1, got {value!r}"


@dataclass(frozen=True, slots=True, kw_only=True)
class InfinityOptions(HttpOptions):
    """The keys; ``url`` is the API root (a trailing ``/config/v2`` or ``/config/v2.1`` is ignored)."""

    #: The SIP domain ids served: one id or a list.
    domains: tuple[int | str, ...] | int | str = setting(check=_domains)
    #: Config API v2.1 ("Authorization: ApiKey <key>") ...
    api_key: str | None = None
    #: ... or HTTP Basic on Config API v2.
    username: str | None = None
    password: str | None = None
    #: Where new users, groups, queues and devices go (default: the first of ``domains``).
    create_domain: int | str | None = setting(None, check=_positive_id)
    #: New queue members' ring strategy, unless the queue's members share one.
    queue_member_ring_strategy: str = setting("all", check=one_of(*RING_STRATEGIES))
    queue_member_ring_attempts: int = setting(1, check=_at_least_one)
    queue_member_ring_secs: int = setting(20, check=_at_least_one)
    #: ``callerNameFormat`` of new groups.
    group_caller_name_format: str = DEFAULT_CALLER_NAME_FORMAT
    #: Seconds the pages after a listing's first may reuse what it read (0: read every page afresh).
    listing_snapshot_s: float = listing_snapshot()

    def __repr__(self) -> str:  # credentials stay out of logs and tracebacks
        return f"InfinityOptions(url={self.url!r}, domains={self.domains!r})"

    def problems(self) -> Iterator[tuple[str, str]]:
        if self.api_key and (self.username or self.password):
            yield "api_key", "set either api_key or username/password, not both"
        elif not self.api_key and not self.username:
            yield "api_key", "required (or username and password) for vendor 'infinity'"
        elif not self.api_key and not self.password:
            yield "password", "required with username for vendor 'infinity'"
        if self.create_domain is not None and _domain_id(self.create_domain) not in self.domain_ids:
            yield "create_domain", f"{self.create_domain} is not one of domains {list(self.domain_ids)}"

    @property
    def domain_ids(self) -> tuple[int, ...]:
        values = self.domains if isinstance(self.domains, tuple) else (self.domains,)
        return tuple(i for i in (_domain_id(v) for v in values) if i is not None)

    @property
    def auth(self) -> httpx.Auth:
        if self.api_key:
            return ApiKeyAuth(self.api_key)
        return httpx.BasicAuth(self.username or "", self.password or "")


@dataclass(frozen=True, slots=True)
class InfinitySettings:
    """What the connector works with, derived from the options."""

    base_url: str
    #: ``/config/v2`` (Basic) or ``/config/v2.1`` (API key).
    api_path: str
    domains: tuple[int, ...]
    create_domain: int
    member_ring_strategy: str
    member_ring_attempts: int
    member_ring_secs: int
    group_caller_name_format: str
    listing_snapshot_s: float = 0.0

    @classmethod
    def of(cls, options: InfinityOptions) -> InfinitySettings:
        domains = options.domain_ids
        create = _domain_id(options.create_domain) if options.create_domain is not None else None
        return cls(
            base_url=_API_SUFFIX.sub("", options.url.rstrip("/")),
            api_path=APIKEY_PATH if options.api_key else BASIC_PATH,
            domains=domains,
            create_domain=create or domains[0],
            member_ring_strategy=options.queue_member_ring_strategy,
            member_ring_attempts=options.queue_member_ring_attempts,
            member_ring_secs=options.queue_member_ring_secs,
            group_caller_name_format=options.group_caller_name_format,
            listing_snapshot_s=options.listing_snapshot_s,
        )
