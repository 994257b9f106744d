"""Idempotency keys: a repeat of a write answers with the first outcome and calls no backend.

A key is the caller's (scoped by token name, so two callers never collide)
and remembers a fingerprint of the request it came with. Within the window:

* the same key with the same request, once the first is done: its stored answer;
* the same key with another request: CONFLICT;
* the same key while the first still runs: CONFLICT at once, saying so
  (``extensions.idempotency: "IN_PROGRESS"``): waiting would hold a
  connection for as long as the slowest vendor, and the client that retries
  after a timeout is better told to retry again a little later.

After the window a key is free again. The claim is an INSERT on the key's
primary key, so two replicas racing on one key let exactly one run.
"""

from __future__ import annotations

import enum
import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from pbxgraph.state.database import Database, idempotency

#: Longest key accepted.
MAX_KEY_LENGTH = 255


class Claim(enum.Enum):
    NEW = "new"
    DONE = "done"
    RUNNING = "running"
    MISMATCH = "mismatch"


@dataclass(frozen=True, slots=True)
class Claimed:
    claim: Claim
    #: The first answer, for ``DONE``.
    outcome: dict[str, Any] | None = None


class IdempotencyKeys:
    def __init__(self, database: Database, window_s: float) -> None:
        self.database = database
        self.window_s = window_s

    async def claim(self, caller: str, key: str, fingerprint: str) -> Claimed:
        """Take ``key`` for a new request, or say what the earlier one with it came to."""
        now = time.time()
        try:
            async with self.database.write() as conn:
                await conn.execute(
                    delete(idempotency).where(
                        idempotency.c.caller == caller,
                        idempotency.c.key == key,
                        idempotency.c.created_at < now - self.window_s,
                    )
                )
                await conn.execute(
                    insert(idempotency).values(
                        caller=caller, key=key, fingerprint=fingerprint, state="running", outcome=None, created_at=now
                    )
                )
            return Claimed(Claim.NEW)
        except IntegrityError:
            pass
        async with self.database.read() as conn:
            row = (
                await conn.execute(
                    select(idempotency.c.fingerprint, idempotency.c.state, idempotency.c.outcome).where(
                        idempotency.c.caller == caller, idempotency.c.key == key
                    )
                )
            ).first()
        if row is None:  # expired and removed between the two statements: try once more
            return await self.claim(caller, key, fingerprint)
        if row.fingerprint != fingerprint:
            return Claimed(Claim.MISMATCH)
        if row.state != "done" or row.outcome is None:
            return Claimed(Claim.RUNNING)
        return Claimed(Claim.DONE, json.loads(row.outcome))

    async def finish(self, caller: str, key: str, outcome: dict[str, Any]) -> None:
        async with self.database.write() as conn:
            await conn.execute(
                update(idempotency)
                .where(idempotency.c.caller == caller, idempotency.c.key == key)
                .values(state="done", outcome=json.dumps(outcome, default=str))
            )

    async def release(self, caller: str, key: str) -> None:
        """Forget a claim whose request never reached a backend (refused before it ran)."""
        async with self.database.write() as conn:
            await conn.execute(delete(idempotency).where(idempotency.c.caller == caller, idempotency.c.key == key))

    async def expire(self) -> int:
        """Remove keys past the window; returns how many."""
        async with self.database.write() as conn:
            result = await conn.execute(
                delete(idempotency).where(idempotency.c.created_at < time.time() - self.window_s)
            )
        return result.rowcount or 0
