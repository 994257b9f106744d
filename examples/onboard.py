#!/usr/bin/env python3
"""Onboard a department across every backend of a pbxgraph in two round trips.

For each backend it sees, the script plans: the department's people (a user
each, with an extension, and a desk phone given to them), a ring group of
them, and a queue served by them (or, where queues are served by groups
only, by the group). What each backend needs and takes comes from
``backends { capabilities }``, asked once; then the whole department goes
in one ``applyChanges`` batch, the objects it creates named by ``ref`` so
that phones, groups and queues can point at people not yet created. The
batch is checked whole before anything is written: with a problem anywhere
nothing is applied and every problem is listed. The same member input
(``{id, priority}``) serves groups and queues, and every change names the
object it acts on ``id``.

    python examples/onboard.py --url http://127.0.0.1:8000/graphql --department design --people 3

``--dry-run`` shows the plan and writes nothing. With API tokens configured,
export ``PBXGRAPH_TOKEN`` (an admin token: this script writes). Only httpx
is needed (it comes with pbxgraph).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import httpx

BACKENDS = """
{ backends { name vendor capabilities { kind operations createFields requiredFields memberKinds memberPriority models } } }
"""
APPLY = """
mutation Onboard($input: ApplyChangesInput!) {
  applyChanges(input: $input) {
    status
    counts { total applied unchanged planned invalid failed }
    changes { index ref operation backend status id problems { code message } error { code message } }
  }
}
"""


class Session:
    """Posts GraphQL documents, counting the round trips."""

    def __init__(self, url: str, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(headers=headers, timeout=120)
        self.url = url
        self.round_trips = 0

    def run(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        self.round_trips += 1
        body: dict[str, Any] = self.client.post(self.url, json={"query": query, "variables": variables or {}}).json()
        if body.get("data") is None:
            raise SystemExit(f"pbxgraph refused the request: {body.get('errors')}")
        return body


def _rules(backend: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["kind"]: c for c in backend["capabilities"]}


def _can(rules: dict[str, dict[str, Any]], kind: str) -> bool:
    return kind in rules and "CREATE" in rules[kind]["operations"]


def _backend_changes(backend: dict[str, Any], args: argparse.Namespace, number: list[int]) -> list[dict[str, Any]]:
    """The department's changes on one backend, shaped by what it declares."""
    rules = _rules(backend)
    name = backend["name"]
    changes: list[dict[str, Any]] = []
    people: list[str] = []
    if not _can(rules, "USER"):
        return changes
    for n in range(args.people):
        extension = str(number[0])
        number[0] += 1
        ref = f"{name}.{n}"
        fields = rules["USER"]["createFields"]
        person: dict[str, Any] = {"username": f"{args.department}.{n + 1}", "extension": extension}
        if "displayName" in fields:
            person["displayName"] = f"{args.department.title()} Person {n + 1}"
        if "sipPassword" in fields:
            person["sipPassword"] = f"Onboard-{extension}-{args.department}"
        changes.append({"ref": ref, "createUser": {"backend": name, "input": person}})
        people.append(ref)
        if _can(rules, "DEVICE"):
            device = rules["DEVICE"]
            mac = "02:0b:" + ":".join(f"{b:02x}" for b in int(extension).to_bytes(4, "big"))
            phone: dict[str, Any] = {"mac": mac}
            if device["models"]:
                phone["model"] = device["models"][0]
            if "userId" in device["createFields"]:
                phone["userId"] = f"ref:{ref}"
                changes.append({"createDevice": {"backend": name, "input": phone}})
            else:
                changes.append({"ref": f"{ref}.phone", "createDevice": {"backend": name, "input": phone}})
                changes.append({"assignDevice": {"id": f"ref:{ref}.phone", "userId": f"ref:{ref}"}})
    users = [{"id": f"ref:{ref}"} for ref in people]
    group_ref = None
    if _can(rules, "GROUP"):
        group_ref = f"{name}.group"
        group: dict[str, Any] = {"name": args.department}
        if "extension" in rules["GROUP"]["createFields"]:
            group["extension"] = str(number[0])
            number[0] += 1
        if "members" in rules["GROUP"]["createFields"]:
            group["members"] = users
            changes.append({"ref": group_ref, "createGroup": {"backend": name, "input": group}})
        else:
            changes.append({"ref": group_ref, "createGroup": {"backend": name, "input": group}})
            changes.append({"addMembers": {"id": f"ref:{group_ref}", "members": users}})
    if _can(rules, "QUEUE"):
        queue_rules = rules["QUEUE"]
        queue: dict[str, Any] = {"name": f"{args.department}-line"}
        if "extension" in queue_rules["createFields"]:
            queue["extension"] = str(number[0])
            number[0] += 1
        kinds = queue_rules["memberKinds"] or []
        if "USER" in kinds:
            seats = [
                {"id": u["id"], "priority": rank if queue_rules["memberPriority"] else None}
                for rank, u in enumerate(users, start=1)
            ]
        elif "GROUP" in kinds and group_ref is not None:
            seats = [{"id": f"ref:{group_ref}"}]
        else:
            seats = []
        ref = f"{name}.queue"
        changes.append({"ref": ref, "createQueue": {"backend": name, "input": queue}})
        if seats:
            changes.append({"setMembers": {"id": f"ref:{ref}", "members": seats}})
    return changes


def onboard(args: argparse.Namespace) -> int:
    session = Session(args.url, os.environ.get("PBXGRAPH_TOKEN"))
    backends = session.run(BACKENDS)["data"]["backends"]
    if args.backend:
        backends = [b for b in backends if b["name"] in args.backend]
    number = [args.first_extension]
    changes = [change for backend in backends for change in _backend_changes(backend, args, number)]
    body = session.run(APPLY, {"input": {"changes": changes, "dryRun": args.dry_run, "onError": "ROLLBACK"}})
    batch = body["data"]["applyChanges"]
    for change in batch["changes"]:
        trouble = change["problems"] + ([change["error"]] if change["error"] else [])
        for problem in trouble:
            print(
                f"change {change['index']} ({change['ref'] or change['operation']}): {problem['code']}: "
                f"{problem['message']}"
            )
    counts = batch["counts"]
    created = sum(1 for c in batch["changes"] if c["operation"] == "createUser" and c["status"] == "APPLIED")
    print(
        f"{batch['status'].lower()}: {counts['total']} changes on {len(backends)} backends "
        f"({counts['applied']} applied, {counts['planned']} planned, {counts['invalid']} invalid, "
        f"{counts['failed']} failed); {created} people onboarded"
    )
    print(f"round trips: {session.round_trips}")
    return 0 if batch["status"] in ("APPLIED", "PLANNED") else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql")
    parser.add_argument("--department", default="design", help="a lower-case name: usernames are DEPARTMENT.N")
    parser.add_argument("--people", type=int, default=3, help="people per backend")
    parser.add_argument("--first-extension", type=int, default=8300, help="the first of the department's numbers")
    parser.add_argument("--backend", action="append", help="only this backend (repeat for several); default all")
    parser.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")
    return onboard(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
