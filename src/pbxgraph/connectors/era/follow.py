"""Memberships follow their user: the writes a user change makes to groups and hunts.

An Era group number rings *numbers* (``dialplan[].dial``) and a hunt is
served by SIP users by id (``resources``); neither follows a SIP user by
itself. So when a user's extension changes, every group that rang the old
number is rewritten to ring the new one (or, with the extension cleared, no
longer rings it); when a user is deleted, every group stops ringing its
number and every hunt drops it from its resources. Otherwise the groups
would ring a number nobody owns, and the hunts keep a member that is gone.

Each follow-up is Era's own PATCH of the group or hunt, sent after the
user's own write succeeded (a refused user change touches nothing), all of
them concurrently under the backend's cap and each to its end, so that each
one is known to be done or not. Every one done is reported as a side effect
(:mod:`pbxgraph.effects`). If any fails, the error says which groups and
hunts were changed and which were not (and still ring or list the user), by
name and id, with what Era said about the first failure; and, as every
change left half-done (see :mod:`pbxgraph.connectors.undo`), it carries
``undone: false`` and ``remains``: the user's own change, each group or hunt
changed, and each one left as it was, with its id. Nothing is taken back:
a deleted Era account cannot be made again with its id, and the groups that
did follow are right for the user as it now is.

The groups and hunts are read right before the user's own write (a failed
read changes nothing) and written right after it, each with its whole
``dialplan`` or ``resources``: Era documents no conditional write, so a
change another client makes in between would be overwritten. A user's phone
needs no follow-up: it is the account's own provisioning, gone with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pbxgraph import effects
from pbxgraph.connectors.era import mapping
from pbxgraph.connectors.era.client import EraClient
from pbxgraph.connectors.http import both
from pbxgraph.domain import Kind
from pbxgraph.errors import BackendError, BackendTimeout, PbxError

GROUPS = "sipgroups"
HUNTS = "hunts"


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One group or hunt to rewrite, and how to say it."""

    collection: str
    entity_id: str
    body: dict[str, Any]
    #: "group 'Reception' (500, id ba18...)".
    subject: str
    #: What it does once done: "now rings 305 instead of 205".
    done: str
    #: What stays while it is not done: "still rings 205".
    undone: str

    @property
    def kind(self) -> Kind:
        return Kind.GROUP if self.collection == GROUPS else Kind.QUEUE


def _subject(kind: str, payload: dict[str, Any], name_key: str | None = None) -> str:
    """How the error and the side effect name a group or hunt: its label, number and id."""
    name = mapping.label(mapping.opts(payload).get("title")) or (mapping.text(payload, name_key) if name_key else None)
    number = mapping.text(payload, "phonenumber")
    detail = ", ".join(part for part in (number, f"id {payload.get('id')}") if part)
    return f"{kind} '{name}' ({detail})" if name else f"{kind} ({detail})"


def _rewritten_dialplan(group: dict[str, Any], old: str, new: str | None) -> list[dict[str, Any]]:
    """The dial plan with ``old`` replaced by ``new`` (dropped when None) at each place it is dialled.

    A step left with nothing to dial goes (as a removed member's does); a step
    already dialling ``new`` dials it once.
    """
    steps: list[dict[str, Any]] = []
    for step in mapping.dialplan(group):
        dial = step.get("dial")
        if not isinstance(dial, list) or old not in dial:
            steps.append(step)
            continue
        numbers: list[Any] = []
        for number in dial:
            replacement = new if number == old else number
            if replacement is not None and replacement not in numbers:
                numbers.append(replacement)
        if numbers:
            steps.append({**step, "dial": numbers})
    return steps


async def _groups_dialling(client: EraClient, number: str) -> list[dict[str, Any]]:
    """Every group number whose dial plan rings ``number`` (Era cannot filter on dial plans)."""
    return [g for g in await client.list_all(GROUPS) if number in mapping.dial_numbers(g)]


async def _hunts_served_by(client: EraClient, user_id: str) -> list[dict[str, Any]]:
    """Every hunt whose resources include the user: the list leaves resources out, so one GET per hunt."""
    listed = await client.list_all(HUNTS, mask=["id"])
    ids = [h["id"] for h in listed if isinstance(h.get("id"), str)]
    hunts = await client.read_many(HUNTS, ids) if ids else {}
    return [h for h in hunts.values() if any(r["id"] == user_id for r in mapping.resources(h))]


async def renumbering(client: EraClient, old: str, new: str | None) -> list[FollowUp]:
    """The groups to rewrite when a user's extension goes from ``old`` to ``new`` (None: cleared)."""
    follow_ups = []
    for group in await _groups_dialling(client, old):
        follow_ups.append(
            FollowUp(
                GROUPS,
                mapping.entity_id(group, "sipgroup"),
                {"dialplan": _rewritten_dialplan(group, old, new)},
                _subject("group", group),
                f"now rings {new} instead of {old}" if new is not None else f"no longer rings {old}",
                f"still rings {old}",
            )
        )
    return follow_ups


async def removal(client: EraClient, user_id: str, number: str | None, who: str) -> list[FollowUp]:
    """The groups and hunts to rewrite when the user ``who`` (id ``user_id``, extension ``number``) goes."""
    groups, hunts = await both(
        _groups_dialling(client, number) if number else _nothing(), _hunts_served_by(client, user_id)
    )
    follow_ups = [
        FollowUp(
            GROUPS,
            mapping.entity_id(group, "sipgroup"),
            {"dialplan": _rewritten_dialplan(group, number or "", None)},
            _subject("group", group),
            f"no longer rings {number} (the number of deleted user {who})",
            f"still rings {number}",
        )
        for group in groups
    ]
    follow_ups += [
        FollowUp(
            HUNTS,
            mapping.entity_id(hunt, "hunt"),
            {"resources": [r for r in mapping.resources(hunt) if r["id"] != user_id]},
            _subject("queue", hunt, "code"),
            f"no longer lists deleted user {who} among its members",
            f"still lists user {who}",
        )
        for hunt in hunts
    ]
    return follow_ups


async def _nothing() -> list[dict[str, Any]]:
    return []


async def apply(client: EraClient, follow_ups: Sequence[FollowUp], *, user_id: str, after: str) -> None:
    """Send every follow-up; report each one done; if any failed, say exactly what was and was not done.

    ``after`` says what was already done to the user ``user_id`` before them
    ("user 'anna' was deleted"), for the error.
    """
    if not follow_ups:
        return
    outcomes = await asyncio.gather(*(_send(client, f) for f in follow_ups), return_exceptions=True)
    done: list[FollowUp] = []
    failed: list[tuple[FollowUp, PbxError]] = []
    for follow_up, outcome in zip(follow_ups, outcomes, strict=True):
        if isinstance(outcome, PbxError):
            failed.append((follow_up, outcome))
        elif isinstance(outcome, BaseException):
            raise outcome  # a bug, not Era's answer: the service reports it as one
        else:
            done.append(follow_up)
    if not failed:
        return
    parts = [
        f"{after}, but {len(failed)} of {len(follow_ups)} groups and queues could not follow",
        "not changed: " + "; ".join(_undone(f, e) for f, e in failed),
    ]
    if done:
        parts.append("changed: " + "; ".join(f"{f.subject} {f.done}" for f in done))
    error = BackendError(". ".join(parts), backend=client.backend, details=failed[0][1].details)
    error.undone = False
    error.remains = [{"kind": Kind.USER.value, "nativeId": user_id, "state": after}]
    error.remains += [{"kind": f.kind.value, "nativeId": f.entity_id, "state": f"{f.subject} {f.done}"} for f in done]
    error.remains += [{"kind": f.kind.value, "nativeId": f.entity_id, "state": _undone(f, e)} for f, e in failed]
    raise error


def _undone(follow_up: FollowUp, error: PbxError) -> str:
    code = error.code
    if isinstance(error, BackendTimeout):
        return f"{follow_up.subject} did not answer in time ({code}): it may or may not have changed"
    return f"{follow_up.subject} {follow_up.undone} ({code})"


async def _send(client: EraClient, follow_up: FollowUp) -> None:
    await client.patch(follow_up.collection, follow_up.entity_id, follow_up.body)
    effects.report(
        effects.SideEffect(
            kind=follow_up.kind,
            id=follow_up.entity_id,
            field="members",
            message=f"{follow_up.subject} {follow_up.done}",
        )
    )
