"""Configuration: a TOML file listing the backends.

Secrets never live in the file itself: a value may be ``${NAME}`` (taken from
the environment) or ``${file:/path}`` (the file's content, trailing newline
removed), so the file can be committed and the secrets mounted. Every problem
is reported with the key that caused it, because a config error found at
start-up is the cheapest one to fix.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pbxgraph.ids import BACKEND_NAME
from pbxgraph.redaction import is_secret_key

CONFIG_ENV = "PBXGRAPH_CONFIG"
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
_COMMON_KEYS = {"name", "vendor", "timeout_s", "max_concurrency"}


class ConfigError(ValueError):
    """A configuration problem; the message names the key."""


@dataclass(frozen=True, slots=True)
class BackendConfig:
    name: str
    vendor: str
    #: Per-call timeout against this backend, in seconds.
    timeout_s: float = 5.0
    #: Vendor calls in flight at once against this backend.
    max_concurrency: int = 8
    #: Everything else in the table: the vendor's own keys (url, token, ...).
    options: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Secret values of this backend's table: those under a secret key (token, password, api_key, ...)
        and any password written into a URL's user-info. Masked wherever they appear in vendor text."""
        found: list[str] = []

        def walk(key: str, value: Any) -> None:
            if isinstance(value, Mapping):
                for k, v in value.items():
                    walk(str(k), v)
            elif isinstance(value, (list, tuple)):
                for v in value:
                    walk(key, v)
            elif isinstance(value, str) and value:
                if is_secret_key(key):
                    found.append(value)
                elif "@" in value and "://" in value:
                    try:
                        password = urlsplit(value).password
                    except ValueError:
                        password = None
                    if password:
                        found.extend((password, unquote(password)))

        for key, value in self.options.items():
            walk(key, value)
        return tuple(dict.fromkeys(found))

    def require(self, key: str) -> Any:
        """An option the vendor cannot do without; missing is a config error naming it."""
        if key not in self.options or self.options[key] in (None, ""):
            raise ConfigError(f"backends.{self.name}.{key}: required for vendor '{self.vendor}'")
        return self.options[key]


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8000


ROLES = ("admin", "reader")


@dataclass(frozen=True, slots=True)
class ApiToken:
    name: str
    token: str = field(repr=False)
    #: "admin" may query and mutate; "reader" may only query.
    role: str = "admin"


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """With no tokens the API is open (a developer's laptop); with any, every call needs one."""

    tokens: tuple[ApiToken, ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.tokens)


@dataclass(frozen=True, slots=True)
class LimitsConfig:
    """What one GraphQL request may cost: time, estimated work, ids, answer size (``[limits]``).

    The defaults let every ordinary query through (an admin page of 500
    users with their groups and devices over several backends) and refuse
    the amplification attacks: dozens of aliased listings or directory
    look-ups, thousands of ids, many-megabyte answers.
    """

    #: Seconds a query may take over all its vendor calls; None: the largest backend ``timeout_s`` plus one.
    request_timeout_s: float | None = None
    #: Largest estimated cost of a request (items it may return plus weighted vendor calls).
    max_cost: int = 50_000
    #: Most ids one ``nodes(ids:)`` may ask for.
    max_node_ids: int = 100
    #: Largest answer of a query, in bytes of JSON.
    max_response_bytes: int = 4_000_000


@dataclass(frozen=True, slots=True)
class Config:
    backends: tuple[BackendConfig, ...]
    server: ServerConfig = ServerConfig()
    auth: AuthConfig = AuthConfig()
    limits: LimitsConfig = LimitsConfig()

    def backend(self, name: str) -> BackendConfig | None:
        return next((b for b in self.backends if b.name == name), None)


def _interpolate(value: Any, key: str, env: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _interpolate(v, f"{key}.{k}", env) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, f"{key}[{i}]", env) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        ref = match.group(1).strip()
        if ref.startswith("file:"):
            path = Path(ref[5:])
            try:
                return path.read_text().rstrip("\n")
            except OSError as exc:
                raise ConfigError(f"{key}: cannot read secret file '{path}': {exc.strerror}") from None
        if ref not in env:
            raise ConfigError(f"{key}: environment variable '{ref}' is not set")
        return env[ref]

    return _PLACEHOLDER.sub(replace, value)


def _number(table: Mapping[str, Any], key: str, where: str, default: float, kind: type) -> Any:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{where}.{key}: must be a positive number, got {value!r}")
    if kind is int and not isinstance(value, int):
        raise ConfigError(f"{where}.{key}: must be a whole number, got {value!r}")
    return kind(value)


def parse_config(data: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    unknown = set(data) - {"backends", "server", "auth", "limits"}
    if unknown:
        raise ConfigError(
            f"{sorted(unknown)[0]}: unknown top-level key (expected 'backends', 'server', 'auth', 'limits')"
        )
    raw_backends = data.get("backends", [])
    if not isinstance(raw_backends, list) or not raw_backends:
        raise ConfigError("backends: at least one [[backends]] table is required")
    backends: list[BackendConfig] = []
    seen: set[str] = set()
    for index, table in enumerate(raw_backends):
        where = f"backends[{index}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: must be a table")
        name = table.get("name")
        if not isinstance(name, str) or not BACKEND_NAME.match(name):
            raise ConfigError(
                f"{where}.name: required; letters, digits, '-' and '_' only, got {name!r}"
            )
        where = f"backends.{name}"
        if name in seen:
            raise ConfigError(f"{where}.name: duplicate backend name '{name}'")
        seen.add(name)
        vendor = table.get("vendor")
        if not isinstance(vendor, str) or not vendor:
            raise ConfigError(f"{where}.vendor: required (e.g. 'local', 'era', 'infinity', 'sipxcom')")
        options = {k: v for k, v in table.items() if k not in _COMMON_KEYS}
        backends.append(
            BackendConfig(
                name=name,
                vendor=vendor,
                timeout_s=_number(table, "timeout_s", where, 5.0, float),
                max_concurrency=_number(table, "max_concurrency", where, 8, int),
                options=_interpolate(options, where, env),
            )
        )
    server_table = data.get("server", {})
    if not isinstance(server_table, dict):
        raise ConfigError("server: must be a table")
    server = ServerConfig(
        host=str(server_table.get("host", "127.0.0.1")),
        port=int(_number(server_table, "port", "server", 8000, int)),
    )
    return Config(backends=tuple(backends), server=server, auth=_parse_auth(data.get("auth", {}), env),
                  limits=_parse_limits(data.get("limits", {})))


def _parse_limits(table: Any) -> LimitsConfig:
    if not isinstance(table, dict):
        raise ConfigError("limits: must be a table")
    defaults = LimitsConfig()
    known = {"request_timeout_s", "max_cost", "max_node_ids", "max_response_bytes"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"limits.{unknown[0]}: unknown key (known: {', '.join(sorted(known))})")
    timeout = table.get("request_timeout_s")
    return LimitsConfig(
        request_timeout_s=None if timeout is None else _number(table, "request_timeout_s", "limits", 1.0, float),
        max_cost=_number(table, "max_cost", "limits", defaults.max_cost, int),
        max_node_ids=_number(table, "max_node_ids", "limits", defaults.max_node_ids, int),
        max_response_bytes=_number(table, "max_response_bytes", "limits", defaults.max_response_bytes, int),
    )


def _parse_auth(table: Any, env: Mapping[str, str]) -> AuthConfig:
    if not isinstance(table, dict):
        raise ConfigError("auth: must be a table")
    tokens: list[ApiToken] = []
    for index, entry in enumerate(table.get("tokens", [])):
        where = f"auth.tokens[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: must be a table with name, token and role")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{where}.name: required")
        token = _interpolate(entry.get("token"), f"{where}.token", env)
        if not isinstance(token, str) or len(token) < 16:
            raise ConfigError(f"{where}.token: required, at least 16 characters")
        role = entry.get("role", "admin")
        if role not in ROLES:
            raise ConfigError(f"{where}.role: must be one of {', '.join(ROLES)}, got {role!r}")
        tokens.append(ApiToken(name=name, token=token, role=role))
    return AuthConfig(tokens=tuple(tokens))


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> Config:
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, env)
