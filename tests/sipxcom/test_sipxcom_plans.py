"""sipXcom's vendor call plans through GraphQL: the fewest requests, registrations only when shown.

Counted by the emulator's recorder, never timed.
"""

from __future__ import annotations

from pbxgraph.config import Config
from pbxgraph.emulators.sipxcom.state import SipxState
from pbxgraph.emulators.toolkit import Emulator
from pbxgraph.testing.graphql import GraphQLTestClient
from tests.sipxcom.test_sipxcom_graphql import API, REST, paths, sipx

NESTED = """{ groups(backends: ["sipx"]) { nodes { name members { user { username
    devices { mac user { username } } } } } } }"""


async def test_groups_members_user_devices_user_cost_three_requests(emulator: Emulator[SipxState], url: str) -> None:
    async with GraphQLTestClient.running(Config(backends=(sipx(url),))) as client:
        emulator.recorder.clear()
        data = await client.data(NESTED)
    devices = [
        (m["user"]["username"], d) for g in data["groups"]["nodes"] for m in g["members"] for d in m["user"]["devices"]
    ]
    assert devices, "the seed's members have phones"
    assert all(d["user"] == {"username": owner} for owner, d in devices)
    # The user groups; every user (membership lives on the user, and the rows carry their groups);
    # the phones (their lines name their users, who were all read already).
    assert sorted(paths(emulator)) == sorted([f"GET {REST}/user-group", f"GET {REST}/user", f"GET {API}/phones"])


async def test_registrations_are_read_only_when_shown(emulator: Emulator[SipxState], url: str) -> None:
    async with GraphQLTestClient.running(Config(backends=(sipx(url),))) as client:
        emulator.recorder.clear()
        await client.data("{ users { nodes { username } } devices { nodes { mac } } }")
        assert f"GET {API}/registrations" not in paths(emulator)
        emulator.recorder.clear()
        data = await client.data("{ devices { nodes { mac registration { status } } } }")
        assert any(d["registration"] is not None for d in data["devices"]["nodes"])
        assert paths(emulator).count(f"GET {API}/registrations") == 1
        emulator.recorder.clear()
        await client.data("{ users { nodes { raw } } }")  # the raw payload carries them too
        assert paths(emulator).count(f"GET {API}/registrations") == 1


async def test_a_trunks_settings_are_read_only_when_a_field_they_fill_is_shown(
    emulator: Emulator[SipxState], url: str
) -> None:
    async with GraphQLTestClient.running(Config(backends=(sipx(url),))) as client:
        emulator.recorder.clear()
        names = await client.data("{ trunks { nodes { name kind } } }")
        assert paths(emulator) == [f"GET {API}/gateways"]
        emulator.recorder.clear()
        data = await client.data("{ trunks { nodes { name kind username } } }")
    sip = [t for t in data["trunks"]["nodes"] if t["kind"] == "SIP"]
    assert sip and any(t["username"] for t in sip)
    assert [t["name"] for t in data["trunks"]["nodes"]] == [t["name"] for t in names["trunks"]["nodes"]]
    settings = [p for p in paths(emulator) if p.endswith("/settings")]
    assert len(settings) == len(sip)  # one request per SIP trunk of the page
