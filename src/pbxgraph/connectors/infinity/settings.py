"""The backend's configuration keys, read and checked once at start-up.

Every problem is a :class:`~pbxgraph.config.ConfigError` naming the key, so a
misconfigured Infinity backend is found before the first request. The keys
are listed in the package docstring.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from pbxgraph.config import BackendConfig, ConfigError
from pbxgraph.connectors.http import tls_verify
from pbxgraph.connectors.infinity.mapping import RING_STRATEGY
from pbxgraph.ids import numeric_id

BASIC_PATH = "/config/v2"
APIKEY_PATH = "/config/v2.1"
RING_STRATEGIES = tuple(RING_STRATEGY)
DEFAULT_CALLER_NAME_FORMAT = "{displayName} - {srcPhoneNumber}"
_API_SUFFIX = re.compile(r"/config/v2(\.1)?/?$")
KEYS = ("url", "domains", "api_key", "username", "password", "verify", "create_domain",
        "queue_member_ring_strategy", "queue_member_ring_attempts", "queue_member_ring_secs",
        "group_caller_name_format")


class ApiKeyAuth(httpx.Auth):
    """``Authorization: ApiKey <key>``, the scheme of Config API v2.1."""

    def __init__(self, key: str) -> None:
        self._header = f"ApiKey {key}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "ApiKeyAuth(<hidden>)"


@dataclass(frozen=True, slots=True)
class InfinitySettings:
    base_url: str
    #: ``/config/v2`` (Basic) or ``/config/v2.1`` (API key).
    api_path: str
    domains: tuple[int, ...]
    create_domain: int
    auth: httpx.Auth
    verify: bool | ssl.SSLContext
    member_ring_strategy: str
    member_ring_attempts: int
    member_ring_secs: int
    group_caller_name_format: str

    def __repr__(self) -> str:  # credentials stay out of logs and tracebacks
        return (f"InfinitySettings(base_url={self.base_url!r}, api_path={self.api_path!r}, "
                f"domains={self.domains!r})")


def _key(config: BackendConfig, key: str) -> str:
    return f"backends.{config.name}.{key}"


def _domain_id(config: BackendConfig, key: str, value: Any) -> int:
    if isinstance(value, bool) or not (
        (isinstance(value, int) and value > 0) or (isinstance(value, str) and numeric_id(value.strip()) is not None)
    ):
        raise ConfigError(f"{_key(config, key)}: expected a positive domain id, got {value!r}")
    return int(value)


def _domains(config: BackendConfig) -> tuple[int, ...]:
    raw = config.require("domains")
    values = raw if isinstance(raw, list) else [raw]
    domains = tuple(_domain_id(config, "domains", v) for v in values)
    if not domains:
        raise ConfigError(f"{_key(config, 'domains')}: list at least one SIP domain id")
    if len(set(domains)) != len(domains):
        raise ConfigError(f"{_key(config, 'domains')}: a domain id is listed twice")
    return domains


def _auth(config: BackendConfig) -> tuple[str, httpx.Auth]:
    options: Mapping[str, Any] = config.options
    api_key = options.get("api_key")
    username, password = options.get("username"), options.get("password")
    if api_key and (username or password):
        raise ConfigError(f"{_key(config, 'api_key')}: set either api_key or username/password, not both")
    if api_key:
        if not isinstance(api_key, str):
            raise ConfigError(f"{_key(config, 'api_key')}: must be a string")
        return APIKEY_PATH, ApiKeyAuth(api_key)
    if not username:
        raise ConfigError(f"{_key(config, 'api_key')}: required (or username and password) for vendor 'infinity'")
    if not password:
        raise ConfigError(f"{_key(config, 'password')}: required with username for vendor 'infinity'")
    return BASIC_PATH, httpx.BasicAuth(str(username), str(password))


def _positive_int(config: BackendConfig, key: str, default: int) -> int:
    value = config.option(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{_key(config, key)}: must be a whole number of at least 1, got {value!r}")
    return value


def load_settings(config: BackendConfig) -> InfinitySettings:
    unknown = sorted(set(config.options) - set(KEYS))
    if unknown:
        raise ConfigError(f"{_key(config, unknown[0])}: unknown key for vendor 'infinity' (known: {', '.join(KEYS)})")
    url = config.require("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ConfigError(f"{_key(config, 'url')}: must be an http(s) URL, got {url!r}")
    base_url = _API_SUFFIX.sub("", url.rstrip("/"))
    domains = _domains(config)
    create_domain = _domain_id(config, "create_domain", config.option("create_domain", domains[0]))
    if create_domain not in domains:
        raise ConfigError(f"{_key(config, 'create_domain')}: {create_domain} is not one of domains {list(domains)}")
    api_path, auth = _auth(config)
    try:
        verify = tls_verify(config.option("verify", True))
    except ValueError as exc:
        raise ConfigError(f"{_key(config, 'verify')}: {str(exc).removeprefix('verify: ')}") from None
    strategy = config.option("queue_member_ring_strategy", "all")
    if strategy not in RING_STRATEGIES:
        raise ConfigError(f"{_key(config, 'queue_member_ring_strategy')}: one of {', '.join(RING_STRATEGIES)}, "
                          f"got {strategy!r}")
    caller_name_format = config.option("group_caller_name_format", DEFAULT_CALLER_NAME_FORMAT)
    if not isinstance(caller_name_format, str):
        raise ConfigError(f"{_key(config, 'group_caller_name_format')}: must be a string")
    return InfinitySettings(
        base_url=base_url,
        api_path=api_path,
        domains=domains,
        create_domain=create_domain,
        auth=auth,
        verify=verify,
        member_ring_strategy=strategy,
        member_ring_attempts=_positive_int(config, "queue_member_ring_attempts", 1),
        member_ring_secs=_positive_int(config, "queue_member_ring_secs", 20),
        group_caller_name_format=caller_name_format,
    )
