"""The ``pbxgraph`` command: ``serve``, ``check-config``, ``emulate``, ``schema``, ``apply``, ``export`` and ``audit``.

Exit codes: 0 done (or stopped by Ctrl-C / SIGTERM), 1 could not serve (port
taken, start-up failed) or a backend did not answer ``check-config --connect``,
2 the configuration (or the command line) is wrong. A configuration error is
one line naming the file, the line and the key, before anything else is
printed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

from starlette.applications import Starlette

from pbxgraph import __version__
from pbxgraph.config import CONFIG_ENV, BackendConfig, Config, ConfigError, check_exposure, load_config
from pbxgraph.emulators.registry import emulator_names
from pbxgraph.telemetry.logs import FORMATS, LEVELS, setup_logging

log = logging.getLogger("pbxgraph")


class _Fatal(Exception):
    """Ends the command with one line on stderr and an exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _report(message: str, json_logs: bool) -> None:
    if json_logs:
        log.error(message)
    else:
        print(f"pbxgraph: {message}", file=sys.stderr, flush=True)


def _load(path: str) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        raise _Fatal(f"configuration error: {exc.describe()}", 2) from None


def _build(config: Config, host: str | None = None) -> Starlette:
    """The app, with every backend's connector built: vendor options are checked here."""
    from pbxgraph.app import create_app

    try:
        if host is not None:
            check_exposure(config, host)
        return create_app(config)
    except ConfigError as exc:
        raise _Fatal(f"configuration error: {config.locate(exc).describe()}", 2) from None


def _warn(config: Config) -> None:
    for warning in config.warnings:
        log.warning("configuration: %s", warning.describe())


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _serve(args: argparse.Namespace) -> int:
    from pbxgraph.serving import bind, serve

    path = args.config or os.environ.get(CONFIG_ENV)
    config = _load(path) if path else Config(backends=())
    host = args.host or config.server.host
    port = args.port if args.port is not None else config.server.port
    app = _build(config, host) if path else None
    try:
        sock = bind(host, port)
    except OSError as exc:
        raise _Fatal(str(exc), 1) from None
    if path:
        _warn(config)
    demo = None
    if app is None:
        from pbxgraph.demo import DemoEnvironment

        demo = DemoEnvironment.start(store=args.demo_store)
        config = demo.config
        app = _build(config)

    def started() -> None:
        if demo is not None:
            log.info("no configuration given: serving the embedded demo")
            for line in demo.describe():
                log.info(line)
        else:
            log.info("configuration %s: %s", path, ", ".join(b.name for b in config.backends))
        what = "GraphQL" if config.server.production else "GraphiQL"
        log.info("%s at http://%s:%d/graphql", what, _shown(host), sock.getsockname()[1])

    try:
        ok = serve(app, sock, log_level=args.log_level, on_started=started)
    finally:
        if demo is not None:
            demo.stop()
    if not ok:
        raise _Fatal("the server did not start; see the log above", 1)
    return 0


def _describe(backend: BackendConfig) -> str:
    """What a backend is, from its own keys, with no credentials."""
    url = backend.option("url")
    if isinstance(url, str) and url:
        parts = urlsplit(url)
        where = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
        return f"{backend.vendor} at {where}"
    path = backend.option("path")
    if backend.vendor == "local":
        if path in (None, ":memory:"):
            return "local store in memory"
        return f"local store in SQLite file {path}"
    return backend.vendor


async def _probe(app: Starlette, config: Config) -> list[tuple[str, str, bool]]:
    from pbxgraph.domain import HealthStatus

    service = app.state.service
    await service.backends.open()
    try:
        results = await asyncio.gather(*(service.health(b.name) for b in config.backends))
    finally:
        await service.backends.aclose()
    answers = []
    for backend, health in zip(config.backends, results, strict=True):
        up = health.status is HealthStatus.UP
        text = f"answers ({health.latency_ms:.0f} ms)" if up else f"does not answer: {health.detail or 'down'}"
        answers.append((backend.name, text, up))
    return answers


def _check_config(args: argparse.Namespace) -> int:
    path = args.config or os.environ.get(CONFIG_ENV)
    if not path:
        raise _Fatal(f"configuration error: no configuration given (--config or ${CONFIG_ENV})", 2)
    config = _load(path)
    app = _build(config, config.server.host)
    _warn(config)
    server = config.server
    auth = config.auth
    print(f"pbxgraph: {path} is valid", flush=True)
    print(
        f"  server: {_shown(server.host)}:{server.port}, profile {server.profile}, "
        f"{len(auth.tokens)} API token(s){', metrics token' if auth.metrics_token else ''}, "
        f"CORS origins: {', '.join(server.cors_origins) or 'none'}, "
        f"tracing: {config.tracing.exporter or 'off'}",
        flush=True,
    )
    answers = {}
    if args.connect:
        answers = {name: (text, up) for name, text, up in asyncio.run(_probe(app, config))}
    for backend in config.backends:
        line = f"  backend {backend.name}: {_describe(backend)}"
        if backend.name in answers:
            line += f"; {answers[backend.name][0]}"
        print(line, flush=True)
    trusted = app.state.graphql.persisted.trusted
    print(
        f"  graphql: batches of up to {server.max_batch} operations, automatic persisted queries "
        f"{'on' if server.persisted_queries else 'off'}, trusted documents: "
        f"{f'{len(trusted)} from {server.trusted_documents}' if trusted is not None else 'off'}, "
        f"federation: {'on' if server.federation else 'off'}",
        flush=True,
    )
    print(f"  {_state_line(config)}", flush=True)
    return 0 if all(up for _, up in answers.values()) else 1


def _state_line(config: Config) -> str:
    """Where idempotency keys and the audit trail live, and for how long; which backends are polled."""
    from pbxgraph.redaction import scrub_text
    from pbxgraph.state.database import state_url

    state = config.state
    url, schema = state_url(state, config.backends)
    where = scrub_text(url, ())
    if schema:
        where += f" (schema {schema})"
    retention = f"{state.audit_retention_days:g} days" if state.audit_retention_days else "for ever"
    polled = ", ".join(f"{p.backend} every {p.interval_s:g} s" for p in state.poll) or "none"
    return (
        f"state: {where}; idempotency keys kept {state.idempotency_window_s:g} s; audit kept {retention}"
        f"{', values read before each write' if state.audit_read_before else ''}; polled for changes: {polled}"
    )


def _emulate(args: argparse.Namespace) -> int:
    """One vendor emulator in the foreground: to try a connector by hand, or in docker compose."""
    import uvicorn

    from pbxgraph.demo import backend_snippet
    from pbxgraph.emulators.registry import emulated

    try:
        vendor = emulated(args.vendor)
    except ValueError as exc:
        raise _Fatal(str(exc), 2) from None
    port = args.port if args.port is not None else vendor.port
    emulator = vendor.create(seed=not args.empty)
    url = f"http://{_shown(args.host)}:{port}"
    print(f"pbxgraph: {args.vendor} emulator at {url} ({'empty' if args.empty else 'demo data'})", flush=True)
    print("pbxgraph: connect a backend to it with (emulator credentials, not secrets):", flush=True)
    print(backend_snippet(f"{args.vendor}-emulator", vendor.backend(url)), flush=True)
    print(f"pbxgraph: make it slow or broken through {url}/_emulator/faults", flush=True)
    uvicorn.run(
        emulator.app, host=args.host, port=port, http="h11", log_level=args.log_level, log_config=None, access_log=False
    )
    return 0


def _schema(args: argparse.Namespace) -> int:
    if args.federation:
        from pbxgraph.schema.federation import subgraph_sdl

        sys.stdout.write(subgraph_sdl())
        return 0
    from pbxgraph.schema import sdl

    sys.stdout.write(sdl())
    return 0


def _logging_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-level", default="info", choices=LEVELS)
    parser.add_argument(
        "--log-format",
        default="text",
        choices=FORMATS,
        help="text (for a terminal, the default) or json (one object per line)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pbxgraph", description="One GraphQL API over many PBX backends.")
    parser.add_argument("--version", action="version", version=f"pbxgraph {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the GraphQL server")
    serve.add_argument("--config", help=f"TOML configuration file (default: ${CONFIG_ENV}; none = demo)")
    serve.add_argument("--host", help="address to listen on (default: [server] host, else 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: [server] port, else 8000)")
    serve.add_argument(
        "--demo-store", default=":memory:", help="demo mode only: SQLite file for the local store (default: in memory)"
    )
    _logging_options(serve)
    serve.set_defaults(handler=_serve)
    check = commands.add_parser("check-config", help="validate a configuration without serving")
    check.add_argument("--config", help=f"TOML configuration file (default: ${CONFIG_ENV})")
    check.add_argument(
        "--connect",
        action="store_true",
        help="also open every backend and say whether it answers (exit 1 if one does not)",
    )
    _logging_options(check)
    check.set_defaults(handler=_check_config)
    emulated = ", ".join(emulator_names()) or "none installed"
    emulate = commands.add_parser("emulate", help=f"run one vendor emulator ({emulated})")
    emulate.add_argument("vendor", help=f"the vendor whose API to emulate: {emulated}")
    emulate.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    emulate.add_argument("--port", type=int, help="port (default: the vendor's own, e.g. era 8101)")
    emulate.add_argument("--empty", action="store_true", help="start without the demo data")
    _logging_options(emulate)
    emulate.set_defaults(handler=_emulate)
    schema = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.add_argument(
        "--federation",
        action="store_true",
        help="print the Apollo Federation v2 subgraph SDL instead (entities keyed by id)",
    )
    schema.set_defaults(handler=_schema)
    from pbxgraph import cli_apply, cli_audit, cli_export

    cli_apply.add_parser(commands, _connection_options)
    cli_export.add_parser(commands, _connection_options)
    cli_audit.add_parser(commands, _connection_options)
    return parser


def _connection_options(parser: argparse.ArgumentParser) -> None:
    """Where ``apply`` and ``export`` send their GraphQL: a running pbxgraph, or this process."""
    parser.add_argument("--url", help="a running pbxgraph, e.g. http://127.0.0.1:8000 (default: in this process)")
    parser.add_argument("--token", help="its API token (default: $PBXGRAPH_TOKEN)")
    parser.add_argument(
        "--config",
        help=f"without --url: the configuration to run in this process (default: ${CONFIG_ENV}; none = demo)",
    )
    parser.add_argument("--log-level", default="warning", choices=LEVELS, help="default warning")
    parser.add_argument("--log-format", default="text", choices=FORMATS, help="text (default) or json")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    json_logs = getattr(args, "log_format", "text") == "json"
    setup_logging(getattr(args, "log_level", "info"), "json" if json_logs else "text")
    try:
        return int(args.handler(args))
    except _Fatal as exc:
        _report(str(exc), json_logs)
        return exc.code


if __name__ == "__main__":
    raise SystemExit(main())
