"""The ``pbxgraph`` command: ``serve`` and ``schema``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from pbxgraph.config import CONFIG_ENV, ConfigError, load_config


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from pbxgraph.app import create_app

    path = args.config or os.environ.get(CONFIG_ENV)
    demo = None
    try:
        if path:
            config = load_config(path)
        else:
            from pbxgraph.demo import DemoEnvironment

            demo = DemoEnvironment.start(store=args.demo_store)
            config = demo.config
    except ConfigError as exc:
        print(f"pbxgraph: configuration error: {exc}", file=sys.stderr)
        return 2
    host = args.host or config.server.host
    port = args.port if args.port is not None else config.server.port
    shown = f"[{host}]" if ":" in host else host
    if demo is not None:
        print("pbxgraph: no configuration given: serving the embedded demo", flush=True)
        for line in demo.describe():
            print(f"  {line}", flush=True)
    else:
        print(f"pbxgraph: configuration {path}: {', '.join(b.name for b in config.backends)}", flush=True)
    print(f"pbxgraph: GraphiQL at http://{shown}:{port}/graphql", flush=True)
    try:
        uvicorn.run(create_app(config), host=host, port=port, log_level=args.log_level, access_log=False)
    finally:
        if demo is not None:
            demo.stop()
    return 0


def _emulate(args: argparse.Namespace) -> int:
    """One vendor emulator in the foreground: to try a connector by hand, or in docker compose."""
    import uvicorn

    from pbxgraph.demo import EMULATOR_PORTS, backend_snippet, emulator_module

    try:
        module = emulator_module(args.vendor)
    except ValueError as exc:
        print(f"pbxgraph: {exc}", file=sys.stderr)
        return 2
    port = args.port if args.port is not None else EMULATOR_PORTS[args.vendor]
    emulator = module.create_emulator(seed=not args.empty)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown}:{port}"
    print(f"pbxgraph: {args.vendor} emulator at {url} ({'empty' if args.empty else 'demo data'})", flush=True)
    print("pbxgraph: connect a backend to it with (emulator credentials, not secrets):", flush=True)
    print(backend_snippet(f"{args.vendor}-emulator", dict(module.demo_backend(url))), flush=True)
    print(f"pbxgraph: make it slow or broken through {url}/_emulator/faults", flush=True)
    uvicorn.run(emulator.app, host=args.host, port=port, http="h11", log_level=args.log_level,
                access_log=False)
    return 0


def _schema(args: argparse.Namespace) -> int:
    from pbxgraph.schema import sdl

    sys.stdout.write(sdl())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pbxgraph", description="One GraphQL API over many PBX backends.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the GraphQL server")
    serve.add_argument("--config", help=f"TOML configuration file (default: ${CONFIG_ENV}; none = demo)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument("--demo-store", default=":memory:",
                       help="demo mode only: SQLite file for the local store (default: in memory)")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.set_defaults(handler=_serve)
    emulate = commands.add_parser("emulate", help="run one vendor emulator (era, infinity, sipxcom)")
    emulate.add_argument("vendor", help="era, infinity or sipxcom")
    emulate.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    emulate.add_argument("--port", type=int, help="port (default: era 8101, infinity 8102, sipxcom 8103)")
    emulate.add_argument("--empty", action="store_true", help="start without the demo data")
    emulate.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    emulate.set_defaults(handler=_emulate)
    schema = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.set_defaults(handler=_schema)
    args = parser.parse_args(argv)
    logging.basicConfig(level=getattr(logging, getattr(args, "log_level", "info").upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())


