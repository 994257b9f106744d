"""``pbxgraph export KIND``: every object of a kind as rows that ``pbxgraph apply`` takes back unchanged.

Each row holds the object's ``type``, ``id`` and ``backend`` and every field
an update can compare (secrets never: they cannot be read), members and a
device's user as ids. Applied back as it is, every row is an update that
finds nothing to change; edited, it changes just the edited fields.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from pbxgraph.cli_client import ClientError, connect, written
from pbxgraph.cli_rows import FORMATS, PLURALS, TYPES, columns, write_rows

_SELECTIONS = {
    "user": "username displayName extension email enabled",
    "group": "name displayName extension strategy description members { member { ... on Node { id } } }",
    "queue": "name displayName extension strategy description members { priority member { ... on Node { id } } }",
    "trunk": "name domain host port transport username enabled register kind model",
    "device": "mac model name user { id }",
}
PAGE = 500


def _query(kind: str) -> str:
    return (
        f"query($after: String, $backends: [String!]) {{ {kind}s(first: {PAGE}, after: $after, backends: $backends) "
        f"{{ edges {{ node {{ id backend {_SELECTIONS[kind]} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    )


def _row(kind: str, node: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"type": kind, "id": node["id"], "backend": node["backend"]}
    for name in columns([kind])[3:]:
        if name == "members":
            row[name] = [
                {"id": m["member"]["id"], "priority": m.get("priority")}
                for m in node.get("members") or []
                if m.get("member")
            ]
        elif name == "userId":
            row[name] = (node.get("user") or {}).get("id")
        else:
            row[name] = node.get(name)
    return row


async def export(kind: str, backends: list[str] | None, args: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    async with connect(url=args.url, token=args.token, config=args.config) as client:
        after = None
        while True:
            body = await client.execute(_query(kind), {"after": after, "backends": backends})
            errors = body.get("errors") or []
            for error in errors:
                if (error.get("extensions") or {}).get("code") != "NOT_SUPPORTED" or not body.get("data"):
                    raise ClientError("; ".join(f"{e.get('message')}" for e in errors))
                if after is None:
                    print(f"pbxgraph: export: {error.get('message')}; left out", file=sys.stderr)
            page = body["data"][f"{kind}s"]
            rows += [_row(kind, edge["node"]) for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return rows
            after = page["pageInfo"]["endCursor"]


def run(args: argparse.Namespace) -> int:
    """The ``export`` command."""
    kind = PLURALS.get(args.kind.lower(), args.kind.lower())
    if kind not in TYPES:
        print(f"pbxgraph: export: {args.kind!r} is not one of {', '.join(t + 's' for t in TYPES)}", file=sys.stderr)
        return 2
    try:
        rows = asyncio.run(export(kind, args.backend or None, args))
    except ClientError as error:
        print(f"pbxgraph: {error}", file=sys.stderr)
        return error.code if error.code != 1 else 1
    text = write_rows(rows, columns([kind]), args.format)
    return written(text, args.output, f"{len(rows)} {kind}s")


def add_parser(commands: Any, connection: Any) -> None:
    export = commands.add_parser("export", help="write every object of a kind as rows apply takes back")
    export.add_argument("kind", help="users, groups, queues, trunks or devices")
    export.add_argument(
        "--backend", action="append", help="only this backend (repeat for several; default: every backend)"
    )
    export.add_argument("--format", choices=FORMATS, default="csv", help="csv (default), json or yaml")
    export.add_argument("--output", help="the file to write (default: standard output)")
    connection(export)
    export.set_defaults(handler=run)
