"""Side effects reach the recording of their own request, named by backend, and no other."""

from __future__ import annotations

import asyncio

from pbxgraph import effects
from pbxgraph.domain import Kind


def effect(native_id: str) -> effects.SideEffect:
    return effects.SideEffect(kind=Kind.GROUP, id=native_id, field="members", message=f"group {native_id} changed")


async def test_effects_reported_by_concurrent_tasks_reach_their_own_recording_only() -> None:
    async def request(name: str) -> list[effects.SideEffect]:
        with effects.recording() as journal, effects.on_backend(name):

            async def change(n: int) -> None:
                await asyncio.sleep(0)
                effects.report(effect(f"{name}-{n}"))

            await asyncio.gather(*(change(n) for n in range(3)))
        return journal

    first, second = await asyncio.gather(request("hq"), request("branch"))
    assert sorted(e.id for e in first) == ["hq-0", "hq-1", "hq-2"] and {e.backend for e in first} == {"hq"}
    assert sorted(e.id for e in second) == ["branch-0", "branch-1", "branch-2"]
    assert {e.backend for e in second} == {"branch"}


async def test_effects_done_before_a_failure_are_kept_and_unrecorded_ones_dropped() -> None:
    effects.report(effect("nobody-records-this"))
    with effects.recording() as journal:
        try:
            with effects.on_backend("hq"):
                effects.report(effect("done"))
                raise RuntimeError("the next write failed")
        except RuntimeError:
            pass
        effects.report(effects.SideEffect(kind=Kind.QUEUE, id="q", field="members", message="m", backend="other"))
    assert [(e.id, e.backend) for e in journal] == [("done", "hq"), ("q", "other")]
