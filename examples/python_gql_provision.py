#!/usr/bin/env python3
"""Provision a new colleague through pbxgraph with the ``gql`` client: user, desk phone, then a listing.

What a provisioning script does on its first day: create the user on one
backend, register their phone and assign it to them, then page through every
user (all backends) with cursors to check the result. Every failure comes back
as a GraphQL error with ``extensions.code`` (and ``extensions.field`` naming
the input at fault); the script prints it and exits 1, and since pbxgraph
validates a whole input before calling any backend, a refused step has
changed nothing.

    pip install "gql[httpx]"
    python examples/python_gql_provision.py --url http://127.0.0.1:8000/graphql --backend office

With API tokens configured, export ``PBXGRAPH_TOKEN`` (an admin token: this
script writes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

CREATE_USER = gql("""
mutation CreateUser($backend: String!, $input: CreateUserInput!) {
  createUser(backend: $backend, input: $input) { id username displayName extension }
}
""")
CREATE_DEVICE = gql("""
mutation CreateDevice($backend: String!, $input: CreateDeviceInput!) {
  createDevice(backend: $backend, input: $input) { id mac model }
}
""")
ASSIGN_DEVICE = gql("""
mutation AssignDevice($id: ID!, $userId: ID!) {
  assignDevice(id: $id, userId: $userId) { id mac user { username } }
}
""")
USERS = gql("""
query Users($first: Int!, $after: String) {
  users(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id backend username extension devices { mac } } }
  }
}
""")


async def run(session: Any, document: GraphQLRequest, **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = await session.execute(GraphQLRequest(document, variable_values=variables))
    return result


async def provision(args: argparse.Namespace) -> int:
    headers = {"Authorization": f"Bearer {os.environ['PBXGRAPH_TOKEN']}"} if os.environ.get("PBXGRAPH_TOKEN") else {}
    transport = HTTPXAsyncTransport(url=args.url, headers=headers)
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        user = (
            await run(
                session,
                CREATE_USER,
                backend=args.backend,
                input={
                    "username": args.username,
                    "displayName": args.display_name,
                    "extension": args.extension,
                    "sipPassword": args.sip_password,
                },
            )
        )["createUser"]
        print(f"created user {user['username']} (extension {user['extension']}) on {args.backend}: {user['id']}")
        device = (
            await run(
                session,
                CREATE_DEVICE,
                backend=args.backend,
                input={"mac": args.mac, "model": args.model, "name": f"{args.display_name}'s phone"},
            )
        )["createDevice"]
        print(f"registered device {device['mac']}: {device['id']}")
        assigned = (await run(session, ASSIGN_DEVICE, id=device["id"], userId=user["id"]))["assignDevice"]
        print(f"assigned {assigned['mac']} to {assigned['user']['username']}")

        after: str | None = None
        pages = listed = 0
        total = None
        while True:
            users = (await run(session, USERS, first=args.page_size, after=after))["users"]
            pages += 1
            listed += len(users["edges"])
            total = users["totalCount"]
            print(f"page {pages}: {len(users['edges'])} users")
            if not users["pageInfo"]["hasNextPage"]:
                break
            after = users["pageInfo"]["endCursor"]
        print(f"listed {listed} users in {pages} pages (totalCount {total})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql", help="pbxgraph's /graphql address")
    parser.add_argument("--backend", default="office", help="the configured backend to create on")
    parser.add_argument("--username", default="jdoe")
    parser.add_argument("--display-name", default="Jane Doe")
    parser.add_argument("--extension", default="250", help="2 to 15 digits")
    parser.add_argument("--sip-password", default=os.environ.get("PBXGRAPH_SIP_PASSWORD", "s3cret-Pass"))
    parser.add_argument("--mac", default="00:04:f2:aa:bb:01", help="the phone's MAC, any common notation")
    parser.add_argument("--model", default="Polycom VVX 450")
    parser.add_argument("--page-size", type=int, default=25)
    args = parser.parse_args(argv)
    try:
        return asyncio.run(provision(args))
    except TransportQueryError as exc:
        for error in exc.errors or [{"message": str(exc)}]:
            extensions = error.get("extensions") or {}
            where = f" at {extensions['field']}" if extensions.get("field") else ""
            print(f"error: {error.get('message')} [{extensions.get('code', 'UNKNOWN')}{where}]", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
