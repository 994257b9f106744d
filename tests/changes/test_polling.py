"""Polling a backend for changes made behind pbxgraph's back: created, changed and deleted objects, once each."""

from __future__ import annotations

from pbxgraph.config import PollConfig
from pbxgraph.service.polling import Poller
from tests.changes.conftest import Stack


async def test_a_round_finds_what_changed_on_the_vendor_and_skips_our_own_changes(stack: Stack) -> None:
    service = stack.client.service
    poller = Poller(service, service.state, PollConfig(backend="era", interval_s=60, kinds=("USER",)))
    assert await poller.round() == []  # the first round only learns what is there
    era = stack.emulators["era"].state
    existing = era.listing("sipusers")
    era.create("sipusers", {"name": "Behind Back", "login": "behind", "phonenumber": "7600", "pwd": "pw-x-123456"})
    era.patch("sipusers", existing[0]["id"], {"name": "Renamed Elsewhere"})
    era.delete("sipusers", existing[1]["id"])

    async with service.state.feed.subscribe(backends=["era"]) as subscription:
        found = await poller.round()
        published = [subscription.queue.get_nowait() for _ in range(subscription.queue.qsize())]
    by_operation = {c.operation: c for c in found}
    assert set(by_operation) == {"create", "update", "delete"} and published == found
    assert by_operation["update"].id == existing[0]["id"] and "display_name" in by_operation["update"].fields
    assert by_operation["delete"].id == existing[1]["id"]
    assert all(c.source == "poll" and c.kind == "USER" and c.backend == "era" for c in found)

    assert await poller.round() == []  # nothing new
    poller.listen()  # as run() does
    try:
        user = (await stack.ids("users", "era"))["behind"]
        await stack.client.data('mutation { updateUser(id: "%s", input: {displayName: "Through Us"}) { id } }' % user)
        assert await poller.round() == []  # announced by the service already, not again by the poll
    finally:
        poller.close()
