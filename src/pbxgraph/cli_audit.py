"""``pbxgraph audit export``: the audit trail as JSON lines, from a running pbxgraph or this configuration.

It reads ``GET /audit.jsonl`` with the same filters (``--backend``, ``--kind``,
``--object``, ``--token-name``, ``--operation``, ``--outcome``, ``--since``,
``--until``), so the lines are those the endpoint gives: oldest first, one
JSON object each, never a secret.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

import httpx

from pbxgraph.cli_client import ClientError, connect, written

_FILTERS = (
    ("backend", "backend"),
    ("kind", "kind"),
    ("token_name", "token"),
    ("operation", "operation"),
    ("outcome", "outcome"),
)


async def export(args: argparse.Namespace) -> str:
    params: list[tuple[str, str | int | float | bool | None]] = []
    for option, name in _FILTERS:
        params += [(name, value) for value in getattr(args, option) or ()]
    for option in ("object", "since", "until"):
        if getattr(args, option):
            params.append((option, getattr(args, option)))
    async with connect(url=args.url, token=args.token, config=args.config) as client:
        try:
            response = await client.http.get("/audit.jsonl", params=params)
        except httpx.HTTPError as error:
            raise ClientError(f"cannot reach pbxgraph at {client.http.base_url}: {error}") from None
    if response.status_code != 200:
        try:
            detail = response.json().get("error", response.text)
        except ValueError:
            detail = response.text
        raise ClientError(f"audit export refused ({response.status_code}): {detail}", code=2)
    return response.text


def run(args: argparse.Namespace) -> int:
    """The ``audit export`` command."""
    try:
        text = asyncio.run(export(args))
    except ClientError as error:
        print(f"pbxgraph: {error}", file=sys.stderr)
        return error.code
    return written(text, args.output, f"{text.count(chr(10))} audit entries")


def add_parser(commands: Any, connection: Any) -> None:
    audit = commands.add_parser("audit", help="the audit trail")
    actions = audit.add_subparsers(dest="action", required=True)
    export_ = actions.add_parser("export", help="write the audit trail as JSON lines (oldest first)")
    export_.add_argument("--backend", action="append", help="only this backend (repeatable)")
    export_.add_argument("--kind", action="append", help="only this kind: USER, GROUP, ... (repeatable)")
    export_.add_argument("--object", help="only this object (its global id)")
    export_.add_argument("--token-name", action="append", help="only changes by this token name (repeatable)")
    export_.add_argument("--operation", action="append", help="only this operation: create, update, ... (repeatable)")
    export_.add_argument("--outcome", action="append", help="only this outcome: ok or an error code (repeatable)")
    export_.add_argument("--since", help="only changes at or after this ISO 8601 time")
    export_.add_argument("--until", help="only changes before this ISO 8601 time")
    export_.add_argument("--output", help="the file to write (default: standard output)")
    connection(export_)
    export_.set_defaults(handler=run)
