"""Configuration: a TOML file listing the backends, the server and who may call it.

Secrets never live in the file itself: a value may be ``${NAME}`` (taken from
the environment) or ``${file:/path}`` (the file's content, trailing newline
removed), so the file can be committed and the secrets mounted. A secret
written in clear is accepted with a warning naming its key.

Every problem is one :class:`ConfigError` naming the key path
(``server.hots: unknown key``), and :func:`load_config` adds the file and
line, because a config error found at start-up is the cheapest one to fix.

The tables are plain dataclasses and the parser reads them generically: a
field's type says what the key accepts (``str``, ``int``, ``float``,
``bool``, ``tuple[str, ...]``, a nested table, or ``tuple[Table, ...]`` for an
array of tables), :func:`setting` adds a check, and any key that is not a
field is an error. Adding a key to ``[server]`` is one line in
:class:`ServerConfig`; adding a table is a dataclass and one line in
:class:`Config`.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import hmac
import ipaddress
import os
import re
import tomllib
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlsplit

from pbxgraph.ids import BACKEND_NAME
from pbxgraph.redaction import is_secret_key

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")

CONFIG_ENV = "PBXGRAPH_CONFIG"
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
_LEADING_KEY = re.compile(r"^([A-Za-z0-9_.\[\]-]+): ")


class ConfigError(ValueError):
    """A configuration problem: ``key: cause``, located in the file when there is one."""

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        match = _LEADING_KEY.match(message)
        #: The key path the message starts with (``backends.hq.url``), if any.
        self.key = key if key is not None else (match.group(1) if match else None)
        #: ``file:line`` (or just ``file``) once :meth:`ConfigSource.locate` has placed it.
        self.location: str | None = None

    def __str__(self) -> str:
        return self.message

    def describe(self) -> str:
        """The one line an operator reads: ``pbxgraph.toml:7: server.hots: unknown key``."""
        return f"{self.location}: {self.message}" if self.location else self.message


@dataclass(frozen=True, slots=True)
class ConfigWarning:
    """Something accepted that should still be changed, such as a secret in clear."""

    key: str
    cause: str
    location: str | None = None

    def describe(self) -> str:
        text = f"{self.key}: {self.cause}"
        return f"{self.location}: {text}" if self.location else text


# --- declaring keys -------------------------------------------------------------------------------

Check = Callable[[Any], str | None]


def setting(default: Any = dataclasses.MISSING, *, check: Check | None = None) -> Any:
    """A key with a default (none: the key is required) and a check returning the cause of a bad value."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple or a nested table as a default")
    return field(default=default, metadata={"check": check} if check else {})


def positive(value: Any) -> str | None:
    return None if value is None or value > 0 else f"must be a positive number, got {value!r}"


def between(low: int, high: int) -> Check:
    """A whole number from ``low`` to ``high``."""

    def check(value: Any) -> str | None:
        if value is None or low <= value <= high:
            return None
        return f"must be a whole number from {low} to {high}, got {value!r}"

    return check


def one_of(*choices: str) -> Check:
    def check(value: Any) -> str | None:
        if value is None or value in choices:
            return None
        return f"must be one of {', '.join(repr(c) for c in choices)}, got {value!r}"

    return check


def not_negative(value: Any) -> str | None:
    return None if value is None or value >= 0 else f"must be 0 or more, got {value!r}"


def _port(value: Any) -> str | None:
    return None if 1 <= value <= 65535 else f"must be a port number from 1 to 65535, got {value!r}"


def _origins(values: Any) -> str | None:
    for value in values:
        if value == "*":
            continue
        parts = urlsplit(value)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
        ):
            return f"'{value}' is not an origin: scheme://host[:port] (no path), or '*'"
    return None


# --- the tables ------------------------------------------------------------------------------------

PROFILES = ("development", "production")
ROLES = ("admin", "reader")


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = setting(8000, check=_port)
    #: "production": no introspection, GraphiQL or field suggestions; internal errors masked;
    #: no anonymous access on a non-loopback address unless ``auth.allow_anonymous``.
    profile: str = setting("development", check=one_of(*PROFILES))
    #: Browser origins allowed to call the API (CORS); none by default.
    cors_origins: tuple[str, ...] = setting((), check=_origins)
    #: Most operations one batched request (a JSON array of them) may hold; 0 refuses batches.
    max_batch: int = setting(10, check=not_negative)
    #: Apollo's automatic persisted queries: a client sends a query once, then only its hash.
    persisted_queries: bool = True
    #: Path of a JSON manifest of trusted documents: only the operations it lists run.
    trusted_documents: str | None = None
    #: Serve as an Apollo Federation v2 subgraph: ``_service``, ``_entities``, entities keyed by ``id``.
    federation: bool = False

    @property
    def production(self) -> bool:
        return self.profile == "production"


@dataclass(frozen=True, slots=True)
class ApiToken:
    name: str
    #: The token itself (from ``${ENV}`` or ``${file:...}``), or ...
    token: str | None = field(default=None, repr=False)
    #: "admin" may query and mutate; "reader" may only query.
    role: str = setting("admin", check=one_of(*ROLES))
    #: ... its SHA-256 digest in hex, so the file never holds the token.
    token_sha256: str | None = field(default=None, repr=False)
    #: The backends this token sees; all when left out. Others look as if they did not exist.
    backends: tuple[str, ...] | None = None

    def problems(self) -> Iterator[tuple[str, str]]:
        if not self.name:
            yield "name", "required"
        if (self.token is None) == (self.token_sha256 is None):
            yield "token", "give either token or token_sha256"
        if self.token is not None and len(self.token) < 16:
            yield "token", "required, at least 16 characters"
        if self.token_sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", self.token_sha256):
            yield "token_sha256", "must be 64 hex digits (the SHA-256 digest of the token)"
        if self.backends is not None and not self.backends:
            yield "backends", "list at least one backend, or leave the key out for all"

    def matches(self, presented: str) -> bool:
        """Constant-time comparison against the token or its digest."""
        if self.token_sha256 is not None:
            digest = hashlib.sha256(presented.encode()).hexdigest()
            return hmac.compare_digest(digest, self.token_sha256.lower())
        return self.token is not None and hmac.compare_digest(self.token.encode(), presented.encode())

    def sees(self, backend: str) -> bool:
        return self.backends is None or backend in self.backends


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """With no tokens the API is open (a developer's laptop); with any, every call needs one."""

    tokens: tuple[ApiToken, ...] = ()
    #: Production profile only: serve a non-loopback address without tokens all the same.
    allow_anonymous: bool = False
    #: A token that may read /metrics and nothing else (any API token may read it too).
    metrics_token: str | None = field(default=None, repr=False)

    def problems(self) -> Iterator[tuple[str, str]]:
        if self.metrics_token is not None and len(self.metrics_token) < 16:
            yield "metrics_token", "at least 16 characters"

    @property
    def enabled(self) -> bool:
        return bool(self.tokens)

    def match(self, presented: str) -> ApiToken | None:
        """The token presented, checking every configured one so timing tells nothing."""
        found = None
        for token in self.tokens:
            if token.matches(presented):
                found = token
        return found


@dataclass(frozen=True, slots=True)
class TracingConfig:
    """OpenTelemetry tracing (the ``otel`` extra); off unless an exporter is named."""

    #: "otlp" (OTLP over HTTP) or "console"; none = tracing off.
    exporter: str | None = setting(None, check=one_of("otlp", "console"))
    #: OTLP endpoint; default: the OTEL_EXPORTER_OTLP_* environment, else localhost:4318.
    endpoint: str | None = None
    service_name: str = "pbxgraph"
    #: Fraction of requests traced, 0 to 1.
    sample_ratio: float = setting(1.0, check=lambda v: None if 0 <= v <= 1 else f"must be 0 to 1, got {v!r}")

    @property
    def enabled(self) -> bool:
        return self.exporter is not None


@dataclass(frozen=True, slots=True)
class LimitsConfig:
    """What one GraphQL request may cost: time, estimated work, ids, answer size, changes (``[limits]``).

    The defaults let every ordinary query through (an admin page of 500
    users with their groups and devices over several backends) and refuse
    the amplification attacks: dozens of aliased listings or directory
    look-ups, thousands of ids, many-megabyte answers.
    """

    #: Seconds a query may take over all its vendor calls; None: the largest backend ``timeout_s`` plus one.
    request_timeout_s: float | None = setting(None, check=positive)
    #: Largest estimated cost of a request (items it may return plus weighted vendor calls).
    max_cost: int = setting(50_000, check=positive)
    #: Most ids one ``nodes(ids:)`` may ask for.
    max_node_ids: int = setting(100, check=positive)
    #: Largest answer of a query, in bytes of JSON.
    max_response_bytes: int = setting(4_000_000, check=positive)
    #: Most changes one request may carry (``applyChanges``), refused before any backend is called.
    max_changes: int = setting(5_000, check=positive)
    #: Items of one batch of changes in flight at once per backend.
    change_concurrency: int = setting(4, check=positive)


@dataclass(frozen=True, slots=True)
class PollConfig:
    """One backend watched for changes made outside pbxgraph (``[[state.poll]]``)."""

    backend: str
    #: Seconds between two looks at the backend.
    interval_s: float = setting(60.0, check=positive)
    #: The kinds to watch; all the backend can list when left out.
    kinds: tuple[str, ...] | None = None

    def problems(self) -> Iterator[tuple[str, str]]:
        known = ("USER", "GROUP", "QUEUE", "TRUNK", "DEVICE")
        for index, kind in enumerate(self.kinds or ()):
            if kind not in known:
                yield f"kinds[{index}]", f"must be one of {', '.join(known)}, got {kind!r}"


@dataclass(frozen=True, slots=True)
class StateConfig:
    """Where idempotency keys and the audit trail live, and how long they are kept (``[state]``).

    By default they live in the database of the first ``local`` backend (so
    replicas sharing a PostgreSQL store share them too), else in memory.
    """

    #: A database URL or SQLite path; default: the first local backend's database, else memory.
    url: str | None = None
    #: PostgreSQL only: the schema of the state's tables (created if missing); default: the local backend's.
    schema: str | None = setting(
        None,
        check=lambda v: (
            None
            if v is None or re.fullmatch(r"[a-z][a-z0-9_]{0,62}", v)
            else f"lower-case letters, digits and '_', starting with a letter, got {v!r}"
        ),
    )
    #: Seconds an idempotency key answers with its first outcome; after that it may be used afresh.
    idempotency_window_s: float = setting(86_400.0, check=positive)
    #: Days an audit entry is kept; 0 keeps them for ever.
    audit_retention_days: float = setting(90.0, check=not_negative)
    #: Read an object before updating or deleting it, so its audit entry has the values before
    #: (one more backend read per write; false: before values are null).
    audit_read_before: bool = True
    #: Backends watched for changes made outside pbxgraph, for the change feed.
    poll: tuple[PollConfig, ...] = ()


@dataclass(frozen=True, slots=True)
class BackendConfig:
    name: str
    vendor: str
    #: Per-call timeout against this backend, in seconds.
    timeout_s: float = setting(5.0, check=positive)
    #: Vendor calls in flight at once against this backend.
    max_concurrency: int = setting(8, check=positive)
    #: Requests in a row a vendor backend fails (no answer, or a 5xx) before it is not called for a while; 0: never.
    breaker_failures: int = setting(5, check=between(0, 1000))
    #: Seconds a vendor backend judged down is not called, before one request probes it again.
    breaker_reset_s: float = setting(30.0, check=positive)
    #: Everything else in the table: the vendor's own keys (url, token, ...), which its
    #: connector checks when it is built.
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
class ConfigSource:
    """Where a configuration came from, to point an error at its line."""

    path: Path
    text: str
    data: Mapping[str, Any]

    def line_of(self, key: str | None) -> int | None:
        if not key:
            return None
        path = _key_path(key, self.data)
        lines = _key_lines(self.text)
        for end in range(len(path), 0, -1):
            if path[:end] in lines:
                return lines[path[:end]]
        return None

    def locate(self, error: ConfigError) -> ConfigError:
        line = self.line_of(error.key)
        error.location = f"{self.path}:{line}" if line else str(self.path)
        return error


@dataclass(frozen=True, slots=True)
class Config:
    backends: tuple[BackendConfig, ...]
    server: ServerConfig = ServerConfig()
    auth: AuthConfig = AuthConfig()
    tracing: TracingConfig = TracingConfig()
    limits: LimitsConfig = LimitsConfig()
    state: StateConfig = StateConfig()
    #: Accepted but worth changing (secrets in clear), for the CLI to print.
    warnings: tuple[ConfigWarning, ...] = field(default=(), compare=False, repr=False)
    #: The file it was read from, when it was.
    source: ConfigSource | None = field(default=None, compare=False, repr=False)

    def backend(self, name: str) -> BackendConfig | None:
        return next((b for b in self.backends if b.name == name), None)

    def locate(self, error: ConfigError) -> ConfigError:
        """Point ``error`` at its line, if this configuration came from a file."""
        return self.source.locate(error) if self.source is not None else error


#: Top-level keys that are not plain tables of :class:`Config`.
_SPECIAL = {"backends", "warnings", "source"}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(config: Config, host: str) -> None:
    """The production profile never serves a non-loopback address anonymously by accident."""
    if (
        config.server.production
        and not is_loopback(host)
        and not config.auth.tokens
        and not config.auth.allow_anonymous
    ):
        raise ConfigError(
            f"auth.tokens: the production profile does not serve {host} without API tokens; "
            "add [[auth.tokens]] or write auth.allow_anonymous = true",
            key="auth.tokens",
        )


# --- reading ---------------------------------------------------------------------------------------


class _Reader:
    """One pass over the parsed TOML: coerces, checks and interpolates, collecting warnings."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.warnings: list[ConfigWarning] = []

    def interpolate(self, value: str, key: str) -> str:
        def replace(match: re.Match[str]) -> str:
            ref = match.group(1).strip()
            if ref.startswith("file:"):
                path = Path(ref[5:])
                try:
                    return path.read_text().rstrip("\n")
                except OSError as exc:
                    raise ConfigError(f"{key}: cannot read secret file '{path}': {exc.strerror}") from None
            if ref not in self.env:
                raise ConfigError(f"{key}: environment variable '{ref}' is not set")
            return self.env[ref]

        return _PLACEHOLDER.sub(replace, value)

    def secret_in_clear(self, key: str, name: str, value: Any) -> None:
        if not isinstance(value, str) or not value:
            return
        if "${" not in value and _names_secret(name):
            self.warnings.append(
                ConfigWarning(
                    key,
                    'a secret is written in clear in the file; write "${ENV_VAR}" or "${file:/path}" instead'
                    + (", or store token_sha256" if name == "token" and key.startswith("auth.") else ""),
                )
            )
        elif "://" in value and _clear_url_password(value):
            self.warnings.append(
                ConfigWarning(key, 'the URL holds a password in clear; write it as "${ENV_VAR}" inside the URL instead')
            )

    def free(self, value: Any, key: str) -> Any:
        """A vendor option: any TOML value, strings interpolated."""
        if isinstance(value, dict):
            return {k: self.free(v, f"{key}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [self.free(v, f"{key}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, str):
            return self.interpolate(value, key)
        return value

    def value(self, value: Any, hint: Any, key: str) -> Any:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            if value is None and type(None) in args:
                return None
            choices = [a for a in args if a is not type(None)]
            if len(choices) > 1:
                return self.any_of(value, choices, key)
            hint = choices[0]
            origin, args = typing.get_origin(hint), typing.get_args(hint)
        if hint is Any:
            return self.free(value, key)
        if isinstance(value, str) and hint in (bool, int, float) and "${" in value:
            value = _scalar(self.interpolate(value, key), hint, key)
        if hint is bool:
            if not isinstance(value, bool):
                raise ConfigError(f"{key}: must be true or false, got {value!r}")
            return value
        if hint is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{key}: must be a whole number, got {value!r}")
            return value
        if hint is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"{key}: must be a number, got {value!r}")
            return float(value)
        if hint is str:
            if not isinstance(value, str):
                raise ConfigError(f"{key}: must be a string, got {value!r}")
            return self.interpolate(value, key)
        if origin is tuple:
            if not isinstance(value, list):
                raise ConfigError(f"{key}: must be a list, got {value!r}")
            return tuple(self.value(item, args[0], f"{key}[{i}]") for i, item in enumerate(value))
        if dataclasses.is_dataclass(hint):
            return self.table(hint, value, key)  # type: ignore[arg-type]
        raise TypeError(f"{key}: no reader for {hint!r}")

    def any_of(self, value: Any, choices: Sequence[Any], key: str) -> Any:
        """A value of the first of ``choices`` (types of a union) that takes it."""
        for hint in choices:
            try:
                return self.value(value, hint, key)
            except ConfigError:
                continue
        expected = ", or ".join(_expected(hint) for hint in choices)
        raise ConfigError(f"{key}: must be {expected}, got {value!r}")

    def unknown(self, key: str, known: Sequence[str]) -> str:
        return _unknown(key, known)

    def missing(self, raw: Mapping[str, Any], name: str) -> str | None:
        """Why a required key counts as left out (None: it was given)."""
        return "required" if name not in raw else None

    def table(self, cls: type[T], raw: Any, where: str) -> T:
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: must be a table, got {raw!r}")
        hints = typing.get_type_hints(cls)
        known = [f for f in dataclasses.fields(cls) if f.init]
        names = [f.name for f in known]
        for key in raw:
            if key not in names:
                raise ConfigError(f"{where}.{key}: {self.unknown(key, names)}")
        values: dict[str, Any] = {}
        for f in known:
            key = f"{where}.{f.name}"
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            cause = self.missing(raw, f.name) if required else None
            if cause is not None:
                raise ConfigError(f"{key}: {cause}")
            if f.name not in raw:
                continue
            self.secret_in_clear(key, f.name, raw[f.name])
            values[f.name] = self.value(raw[f.name], hints[f.name], key)
            check = f.metadata.get("check")
            problem = check(values[f.name]) if check else None
            if problem:
                raise ConfigError(f"{key}: {problem}")
        result = cls(**values)
        for key, cause in getattr(result, "problems", lambda: ())():
            raise ConfigError(f"{where}.{key}: {cause}")
        return result

    def backend(self, index: int, raw: Any, seen: set[str]) -> BackendConfig:
        where = f"backends[{index}]"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: must be a table")
        name = raw.get("name")
        if not isinstance(name, str) or not BACKEND_NAME.fullmatch(name):
            raise ConfigError(f"{where}.name: required; letters, digits, '-' and '_' only, got {name!r}")
        where = f"backends.{name}"
        if name in seen:
            raise ConfigError(f"{where}.name: duplicate backend name '{name}'")
        seen.add(name)
        vendor = raw.get("vendor")
        if not isinstance(vendor, str) or not vendor:
            raise ConfigError(f"{where}.vendor: required (e.g. 'local', 'era', 'infinity', 'sipxcom')")
        common = {f.name for f in dataclasses.fields(BackendConfig)} - {"options"}
        base = self.table(BackendConfig, {k: v for k, v in raw.items() if k in common}, where)
        options: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in common:
                self.secret_in_clear(f"{where}.{key}", key, value)
                options[key] = self.free(value, f"{where}.{key}")
        return dataclasses.replace(base, options=options)


class _OptionReader(_Reader):
    """A vendor's own keys of one backend table: read when its connector is built.

    The file's reader has already interpolated them (``${ENV}``) and warned
    about secrets in clear, so this one takes the values as they are.
    """

    def __init__(self, vendor: str) -> None:
        super().__init__({})
        self.vendor = vendor

    def interpolate(self, value: str, key: str) -> str:
        return value

    def secret_in_clear(self, key: str, name: str, value: Any) -> None:
        return None

    def unknown(self, key: str, known: Sequence[str]) -> str:
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(known)})"
        return f"unknown key for vendor '{self.vendor}'{hint}"

    def missing(self, raw: Mapping[str, Any], name: str) -> str | None:
        return f"required for vendor '{self.vendor}'" if raw.get(name) in (None, "") else None


def read_options(config: BackendConfig, cls: type[T]) -> T:
    """A backend's vendor keys, checked against ``cls``: a dataclass declaring each key once.

    A field's type says what the key takes (as for the tables above, plus
    unions such as ``bool | str``), its default whether it may be left out
    (:func:`setting` with no default: required, and an empty string counts as
    left out), a ``check`` what else it must satisfy, and a ``problems()``
    method what the keys must satisfy together. Every complaint is one
    :class:`ConfigError` naming ``backends.<name>.<key>``, the same form as
    every other configuration error.
    """
    return _OptionReader(config.vendor).table(cls, dict(config.options), f"backends.{config.name}")


def _expected(hint: Any) -> str:
    """What a value of ``hint`` looks like, in an error message."""
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}
    if hint in names:
        return names[hint]
    return "a list" if typing.get_origin(hint) is tuple else "a table"


def _scalar(text: str, hint: Any, key: str) -> Any:
    """A number or boolean that came from the environment as text."""
    try:
        if hint is bool:
            if text.strip().lower() in ("true", "false"):
                return text.strip().lower() == "true"
            raise ValueError(text)
        return hint(text.strip())
    except ValueError:
        raise ConfigError(f"{key}: expected {hint.__name__}, the environment gave {text!r}") from None


def _clear_url_password(value: str) -> bool:
    """Whether a URL's user-info holds a password written out rather than ``${...}``."""
    userinfo, at, _ = value.split("://", 1)[1].split("/", 1)[0].rpartition("@")
    password = userinfo.partition(":")[2] if at else ""
    return bool(password) and "${" not in password


def _names_secret(key: str) -> bool:
    """Keys whose value is a secret, not those that only describe one (token_header, token_sha256)."""
    return is_secret_key(key) and not key.endswith(("_header", "_scheme", "_sha256", "_file"))


def _unknown(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown key; did you mean '{close[0]}'?"
    return f"unknown key (known: {', '.join(known)})"


def parse_config(data: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Config:
    reader = _Reader(os.environ if env is None else env)
    tables = {f.name: f for f in dataclasses.fields(Config) if f.name not in _SPECIAL}
    known = ["backends", *tables]
    for key in data:
        if key not in known:
            raise ConfigError(f"{key}: {_unknown(key, known)}")
    raw_backends = data.get("backends", [])
    if not isinstance(raw_backends, list) or not raw_backends:
        raise ConfigError("backends: at least one [[backends]] table is required")
    seen: set[str] = set()
    backends = tuple(reader.backend(i, raw, seen) for i, raw in enumerate(raw_backends))
    hints = typing.get_type_hints(Config)
    parsed = {name: reader.table(hints[name], data[name], name) for name in tables if name in data}
    config = Config(backends=backends, **parsed)
    for index, token in enumerate(config.auth.tokens):
        for position, name in enumerate(token.backends or ()):
            if name not in seen:
                raise ConfigError(
                    f"auth.tokens[{index}].backends[{position}]: no backend named '{name}' "
                    f"(configured: {', '.join(b.name for b in backends)})"
                )
    for index, poll in enumerate(config.state.poll):
        if poll.backend not in seen:
            raise ConfigError(
                f"state.poll[{index}].backend: no backend named '{poll.backend}' "
                f"(configured: {', '.join(b.name for b in backends)})"
            )
    return dataclasses.replace(config, warnings=tuple(reader.warnings))


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> Config:
    """Read and check a file; errors and warnings carry its path and the key's line."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        error = ConfigError(f"cannot read configuration: {exc.strerror}", key="")
        error.location = str(path)
        raise error from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        error = ConfigError(f"not valid TOML: {exc}", key="")
        line = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        error.location = f"{path}:{line.group(1)}" if line else str(path)
        raise error from None
    source = ConfigSource(path=path, text=text, data=data)
    try:
        config = parse_config(data, env)
    except ConfigError as error:
        raise source.locate(error) from None
    warnings = tuple(dataclasses.replace(w, location=_where(source, w.key)) for w in config.warnings)
    return dataclasses.replace(config, warnings=warnings, source=source)


def _where(source: ConfigSource, key: str) -> str:
    line = source.line_of(key)
    return f"{source.path}:{line}" if line else str(source.path)


# --- finding a key's line ---------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_BARE = r"[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'"
_KEY_LINE = re.compile(rf"^\s*((?:{_BARE})(?:\s*\.\s*(?:{_BARE}))*)\s*=")
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")

KeyPath = tuple[str | int, ...]


def _split_dotted(text: str) -> list[str]:
    return [part.strip().strip("\"'") for part in re.findall(rf"{_BARE}", text)]


def _key_lines(text: str) -> dict[KeyPath, int]:
    """The line of every table header and key: ``("backends", 1, "url") -> 14``.

    tomllib keeps no positions, so the text is scanned: table and array-of-table
    headers set the current table (arrays count their entries), and ``key =`` lines
    outside multi-line strings name a key in it.
    """
    found: dict[KeyPath, int] = {}
    counts: dict[KeyPath, int] = {}
    current: KeyPath = ()
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header:
            parts: KeyPath = tuple(_split_dotted(header.group(2)))
            if header.group(1) == "[[":
                index = counts.get(parts, 0)
                counts[parts] = index + 1
                parts = (*parts, index)
            current = parts
            found.setdefault(current, number)
            continue
        key = _KEY_LINE.match(line)
        if key:
            found.setdefault((*current, *_split_dotted(key.group(1))), number)
            rest = line[key.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_string = quote
    return found


def _key_path(key: str, data: Mapping[str, Any]) -> KeyPath:
    """``backends.hq.url`` -> ``("backends", 1, "url")``, by the backend's name."""
    path: list[str | int] = []
    for name, index in _PATH_PART.findall(key):
        path.append(int(index) if index else name)
    if len(path) >= 2 and path[0] == "backends" and isinstance(path[1], str):
        for position, table in enumerate(data.get("backends") or []):
            if isinstance(table, dict) and table.get("name") == path[1]:
                path[1] = position
                break
    return tuple(path)
