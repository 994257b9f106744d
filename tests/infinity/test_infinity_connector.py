"""The Infinity connector beyond the contract: its vendor's ways, counted request by request."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pytest

from pbxgraph.config import BackendConfig, ConfigError
from pbxgraph.connectors.infinity import InfinityConnector, create_connector
from pbxgraph.connectors.infinity.collection import runs
from pbxgraph.domain import (
    DeviceAction,
    DeviceCreate,
    DeviceUpdate,
    Filter,
    GroupCreate,
    GroupUpdate,
    HealthStatus,
    Kind,
    ListQuery,
    MemberKind,
    QueueCreate,
    QueueMemberInput,
    QueueUpdate,
    RingStrategy,
    SortField,
    UserCreate,
    UserUpdate,
)
from pbxgraph.emulators.infinity import DEMO_CREDENTIALS, InfinityState
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind
from pbxgraph.errors import (
    BackendError,
    BadUserInput,
    Conflict,
    NotFound,
    NotSupported,
)
from tests.infinity.conftest import ConnectorFactory

API = "/config/v2.1/sip/domains"


def form_of(request: Any) -> list[tuple[str, str]]:
    return parse_qsl(request.body.decode(), keep_blank_values=True)


def new_user(n: int, **extra: Any) -> UserCreate:
    values: dict[str, Any] = {
        "username": f"test.user{n}",
        "display_name": f"Test User {n}",
        "extension": f"29{n:02d}",
        "sip_password": f"Sip-{n}-Secret!",
    }
    return UserCreate(**{**values, **extra})


# --- configuration -------------------------------------------------------------------


def config(**options: Any) -> BackendConfig:
    return BackendConfig(name="inf", vendor="infinity", options=options)


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"domains": [1], "api_key": "k"}, "url"),
        ({"url": "ftp://x", "domains": [1], "api_key": "k"}, "url"),
        ({"url": "http://x", "api_key": "k"}, "domains"),
        ({"url": "http://x", "domains": ["one"], "api_key": "k"}, "domains"),
        ({"url": "http://x", "domains": [1, 1], "api_key": "k"}, "domains"),
        ({"url": "http://x", "domains": [1]}, "api_key"),
        ({"url": "http://x", "domains": [1], "username": "u"}, "password"),
        ({"url": "http://x", "domains": [1], "api_key": "k", "username": "u", "password": "p"}, "api_key"),
        ({"url": "http://x", "domains": [1], "api_key": "k", "create_domain": 2}, "create_domain"),
        ({"url": "http://x", "domains": [1], "api_key": "k", "verify": 3}, "verify"),
        (
            {"url": "http://x", "domains": [1], "api_key": "k", "queue_member_ring_strategy": "random"},
            "queue_member_ring_strategy",
        ),
        ({"url": "http://x", "domains": [1], "api_key": "k", "queue_member_ring_secs": 0}, "queue_member_ring_secs"),
    ],
)
def test_configuration_errors_name_the_key(options: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        create_connector(config(**options))
    assert f"backends.inf.{key}" in str(info.value)


def test_configuration_accepts_one_domain_and_an_api_suffix_in_the_url() -> None:
    connector = create_connector(
        config(url="https://api.example.net/config/v2/", domains="42", username="u", password="pw-very-secret")
    )
    assert connector.settings.base_url == "https://api.example.net"
    assert connector.settings.api_path == "/config/v2" and connector.settings.domains == (42,)
    assert "pw-very-secret" not in repr(connector.settings)


def test_declares_no_trunks_no_device_actions_and_no_registration(infinity: InfinityConnector) -> None:
    assert infinity.trunks is None and Kind.TRUNK not in infinity.capabilities.kinds
    for ops in infinity.capabilities.kinds.values():
        assert not {"resync", "restart", "registration"} & {op.value for op in ops}


async def test_basic_auth_speaks_config_api_v2(
    make_infinity: ConnectorFactory, emulator: Emulator[InfinityState]
) -> None:
    connector = await make_infinity(
        api_key=None, username=DEMO_CREDENTIALS["username"], password=DEMO_CREDENTIALS["password"]
    )
    page = await connector.users.page(ListQuery(limit=100))
    assert page.total == 14
    assert {r.path.split("/sip/")[0] for r in emulator.recorder.requests} == {"/config/v2"}


# --- several domains ---------------------------------------------------------------------


async def test_ids_are_unique_across_domains_and_raw_shows_the_domain(infinity: InfinityConnector) -> None:
    users = (await infinity.users.page(ListQuery(limit=100))).items
    assert len(users) == 14 and len({u.id for u in users}) == 14
    by_name = {u.username: u for u in users}
    assert by_name["joe.bloggs"].id == "1-1" and by_name["joe.bloggs"].raw["domainId"] == "1"
    assert by_name["tom.harris"].id == "2-11" and by_name["tom.harris"].raw["domainId"] == "2"
    assert await infinity.users.get_many(["2-1", "1-11", "3-1", "x", "1-1"]) == [
        None,
        None,
        None,
        None,
        by_name["joe.bloggs"],
    ]


async def test_list_merges_domains_in_the_asked_order(infinity: InfinityConnector) -> None:
    by_ext = await infinity.users.page(ListQuery(sort=SortField.EXTENSION, descending=True, limit=3))
    assert [u.extension for u in by_ext.items] == ["3004", "3003", "3002"] and by_ext.has_more
    by_name = await infinity.groups.page(ListQuery(limit=10))
    assert [g.name for g in by_name.items] == ["accounts", "leeds-office", "sales", "support"]


async def test_create_goes_to_the_configured_domain(make_infinity: ConnectorFactory) -> None:
    connector = await make_infinity(create_domain=2)
    user = await connector.users.create(new_user(1))
    assert user.id.startswith("2-") and user.raw["domainId"] == "2"


# --- requests, counted -------------------------------------------------------------------


async def test_get_many_reads_a_run_of_ids_with_one_request_per_domain(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    ids = ["1-5", "1-2", "1-9", "1-1", "1-7"]
    users = await infinity.users.get_many(ids)
    assert [u.id for u in users if u] == ids
    assert emulator.recorder.count("GET", API) == 1
    (request,) = emulator.recorder.requests
    assert ("filter[]", "userId-gt-value-0") in request.params and ("filter[]", "userId-lt-value-10") in request.params
    emulator.recorder.clear()
    await infinity.users.get_many(["1-1", "2-12", "2-14", "1-3", "1-99"])
    assert emulator.recorder.count("GET", f"{API}/1/users") == 1
    assert emulator.recorder.count("GET", f"{API}/2/users") == 1
    emulator.recorder.clear()
    await infinity.users.get_many(["1-1", "1-3", "1-100000"])  # far apart: two runs
    assert emulator.recorder.count("GET", f"{API}/1/users") == 2


def test_far_apart_ids_are_read_in_separate_runs() -> None:
    assert runs([5, 1, 3]) == [[1, 3, 5]]
    assert runs([1, 50_000, 50_010, 7]) == [[1, 7], [50_000, 50_010]]
    assert len(runs(range(1, 2000, 3))) < 10


async def test_filters_are_pushed_down(infinity: InfinityConnector, emulator: Emulator[InfinityState]) -> None:
    page = await infinity.users.page(ListQuery(filter=Filter(extension="2003")))
    assert [u.username for u in page.items] == ["amir.khan"]
    assert emulator.recorder.count("GET") == 2  # one per domain
    assert all(("filter[]", "extensionNumber-eq-value-2003") in r.params for r in emulator.recorder.requests)
    emulator.recorder.clear()
    page = await infinity.users.page(ListQuery(filter=Filter(search="KHAN")))
    assert [u.username for u in page.items] == ["amir.khan"]
    # display name OR user name: two filtered requests per domain
    assert sorted(dict(r.params)["filter[]"] for r in emulator.recorder.requests) == [
        "displayName-like-value-%KHAN%",
        "displayName-like-value-%KHAN%",
        "user-like-value-%KHAN%",
        "user-like-value-%KHAN%",
    ]
    emulator.recorder.clear()
    page = await infinity.devices.page(ListQuery(filter=Filter(mac="00-15-65-a1-00-03")))
    assert [d.name for d in page.items] == ["Amir desk phone"]
    assert all(
        ("filter[]", "deviceMacAddress-like-value-00:15:65:A1:00:03") in r.params for r in emulator.recorder.requests
    )
    emulator.recorder.clear()
    assert (await infinity.devices.page(ListQuery(filter=Filter(extension="2001")))).items == []
    assert emulator.recorder.count() == 0


async def test_relations_are_batched(infinity: InfinityConnector, emulator: Emulator[InfinityState]) -> None:
    devices = await infinity.users.devices_of(["1-1", "1-2", "1-10", "2-11", "1-4", "bad"])
    assert [[d.name for d in ds] for ds in devices] == [
        ["Joe desk phone"],
        ["Jane desk phone"],
        ["Reception console"],
        ["Tom desk phone"],
        [],
        [],
    ]
    assert emulator.recorder.count("GET", f"{API}/1/devices") == 1
    assert emulator.recorder.count("GET", f"{API}/2/devices") == 1
    emulator.recorder.clear()
    owners = await infinity.devices.users_of(["1-1", "1-5", "2-7", "1-99"])
    assert [u.username if u else None for u in owners] == ["joe.bloggs", None, "tom.harris", None]
    assert emulator.recorder.count("GET", f"{API}/1/") == 2 and emulator.recorder.count("GET", f"{API}/2/") == 2
    emulator.recorder.clear()
    groups = await infinity.users.groups_of(["1-4", "1-4", "1-9", "2-99"])
    assert [[g.name for g in gs] for gs in groups] == [["support"], ["support"], [], []]
    assert emulator.recorder.count("GET") == 3  # one per distinct user
    emulator.recorder.clear()
    members = await infinity.queues.members_of(["1-1", "1-2", "2-4", "1-3"])
    assert [[m.group.name for m in ms if m.group] for ms in members] == [
        ["sales", "support"],
        ["support", "accounts"],
        ["leeds-office"],
        [],
    ]
    assert members[0][1].raw["ringStrategy"] == "huntLongestIdle" and members[0][1].priority is None
    assert members[0][1].kind is MemberKind.GROUP and members[0][1].position == 1
    assert emulator.recorder.count("GET", f"{API}/1/queues/") == 3
    assert emulator.recorder.count("GET", f"{API}/2/queues/") == 1
    assert emulator.recorder.count("GET", f"{API}/1/groups") == 1  # the member groups, in one run
    assert emulator.recorder.count("GET", f"{API}/2/groups") == 1


# --- creating ----------------------------------------------------------------------------


async def test_create_finds_the_new_user_with_one_filtered_request(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    user = await infinity.users.create(new_user(7, email="t7@acme.example"))
    assert (user.username, user.display_name, user.extension, user.email) == (
        "test.user7",
        "Test User 7",
        "2907",
        "t7@acme.example",
    )
    post, get = emulator.recorder.requests
    assert post.method == "POST" and ("password", "Sip-7-Secret!") in form_of(post)
    assert get.method == "GET" and get.params == [("filter[]", "user-eq-value-test.user7")]
    assert "Sip-7-Secret!" not in repr(user) and "password" not in user.raw


async def test_a_create_that_cannot_be_found_is_a_backend_error_and_is_not_retried(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    emulator.faults.add(
        Fault(kind=FaultKind.STATUS, method="GET", path_prefix=f"{API}/1/groups", status=200, body=b"", times=1)
    )
    with pytest.raises(BackendError) as info:
        await infinity.groups.create(GroupCreate(name="ghost", extension="4900"))
    assert info.value.backend == "inf" and "found 0" in info.value.message
    assert emulator.recorder.count("POST") == 1


async def test_group_create_with_members_checks_them_first(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    with pytest.raises(NotFound):
        await infinity.groups.create(GroupCreate(name="night", extension="4901", member_user_ids=["1-1", "1-99"]))
    assert emulator.recorder.count("POST") == 0
    with pytest.raises(BadUserInput) as info:
        await infinity.groups.create(GroupCreate(name="night", extension="4901", member_user_ids=["2-11"]))
    assert info.value.field == "member_user_ids"
    group = await infinity.groups.create(
        GroupCreate(name="night", extension="4901", display_name="Night shift", member_user_ids=["1-3", "1-1"])
    )
    assert (group.name, group.display_name, group.description) == ("night", "Night shift", None)
    assert (group.raw["displayName"], group.raw["ringRetry"]) == ("Night shift", "0")
    (members,) = await infinity.groups.members_of([group.id])
    assert [m.user.username for m in members if m.user] == ["amir.khan", "joe.bloggs"]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda c: c.users.create(UserCreate(username="x.y", extension="2950", sip_password="p", enabled=False)),
            "enabled",
        ),
        (lambda c: c.users.update("1-1", UserUpdate(username="joe")), "username"),
        (lambda c: c.groups.create(GroupCreate(name="g", extension="4950", strategy=RingStrategy.ALL)), "strategy"),
        (lambda c: c.groups.update("1-1", GroupUpdate(strategy=RingStrategy.SEQUENTIAL)), "strategy"),
        (lambda c: c.groups.create(GroupCreate(name="g", extension="4950", description="Night")), "description"),
        (lambda c: c.groups.update("1-1", GroupUpdate(description="Night")), "description"),
        (lambda c: c.queues.create(QueueCreate(name="q", extension="4951", strategy=RingStrategy.RANDOM)), "strategy"),
        (lambda c: c.queues.update("1-1", QueueUpdate(strategy=RingStrategy.PRIORITY)), "strategy"),
        (lambda c: c.queues.update("1-1", QueueUpdate(description="Queue")), "description"),
        (lambda c: c.devices.create(DeviceCreate(mac="00:04:f2:00:00:01", model="VVX 450")), "model"),
        (lambda c: c.devices.update("1-1", DeviceUpdate(mac="00:04:f2:00:00:02")), "mac"),
    ],
)
async def test_a_field_infinity_cannot_store_is_not_supported(
    infinity: InfinityConnector, emulator: Emulator[InfinityState], call: Any, field: str
) -> None:
    with pytest.raises(NotSupported) as info:
        await call(infinity)
    assert info.value.field == field and info.value.backend == "inf"
    assert info.value.message.startswith(f"{field}: backend 'inf' cannot store")
    assert emulator.recorder.count("POST") == 0


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.users.create(UserCreate(username="x.y", sip_password="pw")), "extension"),
        (lambda c: c.users.create(UserCreate(username="x.y", extension="2950")), "sip_password"),
        (lambda c: c.users.update("1-1", UserUpdate(extension=None)), "extension"),
        (lambda c: c.users.update("1-1", UserUpdate(sip_password=None)), "sip_password"),
        (lambda c: c.queues.update("1-1", QueueUpdate(extension=None)), "extension"),
        # Nowhere to keep a strategy other than the default while the queue has no members.
        (
            lambda c: c.queues.create(QueueCreate(name="q", extension="4951", strategy=RingStrategy.LONGEST_IDLE)),
            "strategy",
        ),
        (lambda c: c.queues.update("1-3", QueueUpdate(strategy=RingStrategy.LONGEST_IDLE)), "strategy"),
        (lambda c: c.devices.create(DeviceCreate(mac="not-a-mac")), "mac"),
    ],
)
async def test_a_value_infinity_refuses_is_bad_user_input(
    infinity: InfinityConnector, emulator: Emulator[InfinityState], call: Any, field: str
) -> None:
    with pytest.raises(BadUserInput) as info:
        await call(infinity)
    assert info.value.field == field
    assert emulator.recorder.count("POST") == 0


# --- updating ----------------------------------------------------------------------------


async def test_user_update_sends_only_the_changed_fields(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    user = await infinity.users.update("1-2", UserUpdate(display_name="Jane D.", email=None))
    assert (user.display_name, user.email, user.extension) == ("Jane D.", None, "2002")
    (post,) = emulator.recorder.matching("POST")
    assert form_of(post) == [("displayName", "Jane D."), ("email", "")] or sorted(form_of(post)) == [
        ("displayName", "Jane D."),
        ("email", ""),
    ]
    assert user.raw["departmentName"] == "Sales"


async def test_group_update_sends_every_parameter_back(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    group = await infinity.groups.update("1-1", GroupUpdate(extension="4011"))
    assert (group.name, group.extension, group.display_name) == ("sales", "4011", "Sales Team")
    (post,) = emulator.recorder.matching("POST")
    assert dict(form_of(post)) == {
        "groupName": "sales",
        "displayName": "Sales Team",
        "extensionNumber": "4011",
        "ringRetry": "1",
        "ringExclusive": "0",
        "callerNameFormat": "{displayName} - {srcPhoneNumber}",
    }


async def test_a_display_name_that_repeats_the_name_follows_a_rename(infinity: InfinityConnector) -> None:
    group = await infinity.groups.create(GroupCreate(name="porters", extension="4960"))
    assert group.display_name is None and group.raw["displayName"] == "porters"
    renamed = await infinity.groups.update(group.id, GroupUpdate(name="night-porters"))
    assert renamed.display_name is None and renamed.raw["displayName"] == "night-porters"
    queue = await infinity.queues.create(QueueCreate(name="q-porters", extension="4961"))
    renamed_queue = await infinity.queues.update(queue.id, QueueUpdate(name="q-night"))
    assert renamed_queue.display_name is None and renamed_queue.raw["displayName"] == "q-night"
    kept = await infinity.queues.update("1-1", QueueUpdate(name="sales-main"))
    assert kept.display_name == "Sales Queue"


# --- membership ----------------------------------------------------------------------------


async def test_add_members_appends_and_skips_present_users(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    members = await infinity.groups.add_members("1-3", ["1-9", "1-7", "1-9"])
    assert [m.user.username for m in members if m.user] == ["emma.clarke", "lucas.martin", "priya.patel"]
    (post,) = emulator.recorder.matching("POST")
    assert form_of(post) == [("userSpec[]", "9")]
    with pytest.raises(BadUserInput) as info:
        await infinity.groups.add_members("1-3", ["2-11"])
    assert info.value.field == "user_ids"
    with pytest.raises(NotFound):
        await infinity.groups.add_members("1-3", ["1-99"])
    with pytest.raises(NotFound):
        await infinity.groups.add_members("1-99", ["1-1"])


async def test_queue_members_take_groups_only(infinity: InfinityConnector, emulator: Emulator[InfinityState]) -> None:
    with pytest.raises(NotSupported) as unsupported:
        await infinity.queues.set_members(
            "1-1", [QueueMemberInput(kind=MemberKind.GROUP, id="1-1"), QueueMemberInput(kind=MemberKind.USER, id="1-2")]
        )
    assert unsupported.value.field == "members[1].id" and "groups" in unsupported.value.message
    with pytest.raises(NotSupported) as unsupported:
        await infinity.queues.set_members("1-1", [QueueMemberInput(kind=MemberKind.GROUP, id="1-1", priority=1)])
    assert unsupported.value.field == "members[0].priority"
    with pytest.raises(BadUserInput) as info:
        await infinity.queues.set_members("1-1", [QueueMemberInput(kind=MemberKind.GROUP, id="2-4")])
    assert info.value.field == "members[0].id"
    assert emulator.recorder.count() == 0
    with pytest.raises(NotFound):
        await infinity.queues.set_members("1-1", [QueueMemberInput(kind=MemberKind.GROUP, id="1-99")])
    assert emulator.recorder.count("GET") == 2 and emulator.recorder.count() == 2, "nothing written"


async def test_set_members_keeps_ring_settings_of_members_that_stay(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    wanted = [QueueMemberInput(kind=MemberKind.GROUP, id=g) for g in ("1-3", "1-2")]
    members = await infinity.queues.set_members("1-1", wanted)
    assert [(m.position, m.group.name if m.group else None) for m in members] == [(0, "accounts"), (1, "support")]
    support = members[1].raw
    assert (support["ringStrategy"], support["ringAttempts"], support["ringSecs"]) == ("huntLongestIdle", "2", "15")
    new = members[0].raw
    assert (new["ringStrategy"], new["ringAttempts"], new["ringSecs"]) == ("all", "1", "20")
    assert emulator.recorder.count("DELETE") == 1  # the sales group left
    assert emulator.recorder.count("POST") == 1  # accounts joined, at ring order 0
    assert emulator.recorder.count("PUT") == 0, "already in order"
    emulator.recorder.clear()
    swapped = await infinity.queues.set_members("1-1", list(reversed(wanted)))
    assert [m.group.name for m in swapped if m.group] == ["support", "accounts"]
    assert [m.raw["queueMemberId"] for m in swapped] == [m.raw["queueMemberId"] for m in reversed(members)]
    (put,) = emulator.recorder.matching("PUT")
    assert put.path.endswith("/queues/1/members/order")
    assert form_of(put) == [("queueMemberId[]", m.raw["queueMemberId"]) for m in swapped]
    assert emulator.recorder.count("POST") == emulator.recorder.count("DELETE") == 0


async def test_queue_member_defaults_come_from_the_configuration(make_infinity: ConnectorFactory) -> None:
    connector = await make_infinity(
        queue_member_ring_strategy="huntLongestIdle", queue_member_ring_attempts=4, queue_member_ring_secs=12
    )
    queue = await connector.queues.create(
        QueueCreate(name="q", extension="4970", members=[QueueMemberInput(kind=MemberKind.GROUP, id="1-1")])
    )
    (members,) = await connector.queues.members_of([queue.id])
    raw = members[0].raw
    assert (raw["ringStrategy"], raw["ringAttempts"], raw["ringSecs"]) == ("huntLongestIdle", "4", "12")


async def test_queue_strategy_is_the_ring_strategy_its_members_share(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    queues = {q.name: q for q in (await infinity.queues.page(ListQuery(limit=10))).items}
    # leeds-queue's one member rings "all"; sales and support mix "all" and "huntLongestIdle".
    assert {n: q.strategy for n, q in queues.items()} == {
        "sales-queue": None,
        "support-queue": None,
        "out-of-hours": None,
        "leeds-queue": RingStrategy.ALL,
    }
    assert all(q.description is None for q in queues.values())
    assert queues["sales-queue"].display_name == "Sales Queue"
    assert emulator.recorder.count("GET") == 2 + 4  # the listings, then each listed queue's members
    emulator.recorder.clear()
    page = await infinity.queues.page(ListQuery(limit=1))
    assert [q.name for q in page.items] == ["leeds-queue"]
    assert emulator.recorder.count("GET") == 2 + 1, "only the queues of the page"

    emulator.recorder.clear()
    queue = await infinity.queues.update("1-1", QueueUpdate(strategy=RingStrategy.LONGEST_IDLE))
    assert queue.strategy is RingStrategy.LONGEST_IDLE
    # Only the member that rang "all" changes.
    assert [(r.path, form_of(r)) for r in emulator.recorder.matching("POST")] == [
        (f"{API}/1/queues/1/members/1", [("ringStrategy", "huntLongestIdle")])
    ]
    members = await infinity.queues.set_members(
        "1-1", [QueueMemberInput(kind=MemberKind.GROUP, id=g) for g in ("1-1", "1-2", "1-3")]
    )
    assert [m.raw["ringStrategy"] for m in members] == ["huntLongestIdle"] * 3, "a new group rings the same way"
    back = await infinity.queues.update("1-1", QueueUpdate(strategy=RingStrategy.ALL))
    assert back.strategy is RingStrategy.ALL
    kept = await infinity.queues.update("1-1", QueueUpdate(strategy=None, name="sales-main"))
    assert (kept.name, kept.strategy) == ("sales-main", RingStrategy.ALL), "null leaves the members alone"
    assert (await infinity.queues.get_many(["1-1"]))[0].strategy is RingStrategy.ALL  # type: ignore[union-attr]


async def test_queue_create_with_a_strategy_gives_it_to_every_member(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    queue = await infinity.queues.create(
        QueueCreate(
            name="sales",
            display_name="Sales Dept",
            extension="4980",
            strategy=RingStrategy.LONGEST_IDLE,
            members=[
                QueueMemberInput(kind=MemberKind.GROUP, id="1-1"),
                QueueMemberInput(kind=MemberKind.GROUP, id="1-3"),
            ],
        )
    )
    assert (queue.name, queue.display_name, queue.strategy) == ("sales", "Sales Dept", RingStrategy.LONGEST_IDLE)
    (post,) = [r for r in emulator.recorder.matching("POST") if r.path == f"{API}/1/queues"]
    assert dict(form_of(post)) == {"queueName": "sales", "displayName": "Sales Dept", "extensionNumber": "4980"}
    member_posts = [dict(form_of(r)) for r in emulator.recorder.matching("POST", f"{API}/1/queues/")]
    assert [p["ringStrategy"] for p in member_posts] == ["huntLongestIdle"] * 2
    # Without members, the default strategy is what new members get anyway.
    empty = await infinity.queues.create(QueueCreate(name="later", extension="4981", strategy=RingStrategy.ALL))
    assert empty.strategy is None


# --- devices -----------------------------------------------------------------------------


async def test_device_create_with_a_user_goes_to_that_users_domain(infinity: InfinityConnector) -> None:
    device = await infinity.devices.create(DeviceCreate(mac="00:04:F2:AB:CD:EF", user_id="2-12"))
    assert device.id.startswith("2-") and device.mac == "00:04:f2:ab:cd:ef" and device.name is None
    assert device.raw["pbxDeviceName"] == "00:04:F2:AB:CD:EF" and device.raw["user"] == "nina.berg"
    assert "pbxDeviceToken" not in device.raw
    (owner,) = await infinity.devices.users_of([device.id])
    assert owner is not None and owner.username == "nina.berg"


async def test_assign_moves_a_device_and_drops_the_token(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    device = await infinity.devices.assign("1-1", "1-4")
    assert device.raw["userId"] == "4"
    methods = [(r.method, r.path) for r in emulator.recorder.requests if r.method != "GET"]
    assert methods == [("DELETE", f"{API}/1/users/1/devices/1"), ("POST", f"{API}/1/users/4/devices")]
    tokens = set(emulator.state.device_tokens.values())
    assert tokens and not any(t in repr(device) for t in tokens)
    emulator.recorder.clear()
    assert (await infinity.devices.assign("1-1", "1-4")).raw["userId"] == "4"
    assert emulator.recorder.count("POST") == 0, "already assigned"
    with pytest.raises(BadUserInput):
        await infinity.devices.assign("1-1", "2-11")
    with pytest.raises(NotFound):
        await infinity.devices.assign("1-1", "1-99")
    assert (await infinity.devices.users_of(["1-1"]))[0].username == "li.wei"  # type: ignore[union-attr]
    unassigned = await infinity.devices.unassign("1-1")
    assert unassigned.raw["userId"] is None
    assert (await infinity.devices.unassign("1-1")).raw["userId"] is None


async def test_device_actions_are_not_supported(infinity: InfinityConnector) -> None:
    for action in DeviceAction:
        with pytest.raises(NotSupported) as info:
            await infinity.devices.act("1-1", action)
        assert info.value.backend == "inf"


async def test_device_rename_and_clearing_the_name(infinity: InfinityConnector) -> None:
    renamed = await infinity.devices.update("1-5", DeviceUpdate(name="Hot desk", mac="00:15:65:a1:00:05"))
    assert renamed.name == "Hot desk" and renamed.mac == "00:15:65:a1:00:05"
    cleared = await infinity.devices.update("1-5", DeviceUpdate(name=None))
    assert cleared.name is None and cleared.raw["pbxDeviceName"] == "00:15:65:A1:00:05"


# --- errors ------------------------------------------------------------------------------


async def test_vendor_errors_map_to_our_codes(
    make_infinity: ConnectorFactory, emulator: Emulator[InfinityState]
) -> None:
    connector = await make_infinity()
    with pytest.raises(Conflict) as conflict:
        await connector.users.create(new_user(1, extension="2001"))
    assert conflict.value.details["status"] == 409 and "2001" in conflict.value.message
    assert conflict.value.details["body"]["error"] == "conflict"
    assert "Sip-1-Secret!" not in str(conflict.value.details)
    with pytest.raises(NotFound) as missing:
        await connector.users.update("1-99", UserUpdate(email="x@acme.example"))
    assert missing.value.backend == "inf" and missing.value.details["status"] == 404

    wrong = await make_infinity("wrong", api_key="not-the-key")
    with pytest.raises(BackendError) as refused:
        await wrong.users.page(ListQuery())
    assert refused.value.backend == "wrong" and refused.value.details["status"] == 401
    assert "not-the-key" not in str(refused.value.details)
    denied = await make_infinity("denied", api_key=DEMO_CREDENTIALS["denied_api_key"])
    with pytest.raises(BackendError) as lacking:
        await denied.groups.get_many(["1-1"])
    assert lacking.value.details["status"] == 403 and "lack the right" in lacking.value.message


async def test_unusable_answers_are_backend_errors(
    infinity: InfinityConnector, emulator: Emulator[InfinityState]
) -> None:
    emulator.faults.add(Fault(kind=FaultKind.GARBAGE, path_prefix=f"{API}/1/users", times=1))
    with pytest.raises(BackendError) as garbage:
        await infinity.users.page(ListQuery())
    assert f"GET {API}/1/users" in garbage.value.message  # the code for each fault: the contract suite
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            path_prefix=f"{API}/1/groups",
            status=200,
            times=1,
            body=b'{"groupId":"1","groupName":"sales"}\n{"groupId":"2","gro',
        )
    )
    with pytest.raises(BackendError) as partial:
        await infinity.groups.page(ListQuery())
    assert partial.value.details["line"] == 2
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            path_prefix=f"{API}/1/queues",
            status=200,
            times=1,
            body=b'{"queueId":"x1","queueName":"odd"}\n',
        )
    )
    with pytest.raises(BackendError):
        await infinity.queues.page(ListQuery())
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            path_prefix=f"{API}/1/users",
            status=500,
            times=1,
            body=b"<html>oops</html>",
            content_type="text/html",
        )
    )
    with pytest.raises(BackendError) as server_error:
        await infinity.users.get_many(["1-1"])
    assert server_error.value.details == {"status": 500, "body": "<html>oops</html>"}


# --- health -------------------------------------------------------------------------------


async def test_health(make_infinity: ConnectorFactory, emulator: Emulator[InfinityState]) -> None:
    assert (await (await make_infinity()).health()).status is HealthStatus.UP
    limited = await make_infinity("limited", api_key=DEMO_CREDENTIALS["limited_api_key"])
    health = await limited.health()
    assert health.status is HealthStatus.DEGRADED and "2" in (health.detail or "")
    wrong = await make_infinity("wrong", api_key="nope")
    health = await wrong.health()
    assert health.status is HealthStatus.DOWN and "credentials" in (health.detail or "")
