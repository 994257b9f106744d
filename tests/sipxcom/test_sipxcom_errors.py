"""Every way sipXconfig fails, from both APIs, as pbxgraph error classes.

The vendor's status, code and message travel in the error's details (shown
to callers under ``extensions.vendor``); broken, unsafe, slow or vanished
backends become BACKEND_ERROR, BACKEND_TIMEOUT or BACKEND_UNAVAILABLE.
"""

from __future__ import annotations

import socket

import pytest

from pbxgraph.connectors.contract import resource_of
from pbxgraph.connectors.sipxcom import SipxcomConnector
from pbxgraph.domain import (
    DeviceCreate,
    DeviceUpdate,
    GroupCreate,
    GroupUpdate,
    HealthStatus,
    Kind,
    ListQuery,
    MemberKind,
    QueueCreate,
    QueueMemberInput,
    QueueUpdate,
    TrunkCreate,
    TrunkUpdate,
    UserCreate,
    UserUpdate,
)
from pbxgraph.emulators.sipxcom import SipxState
from pbxgraph.emulators.toolkit import Emulator, Fault, FaultKind
from pbxgraph.errors import (
    BackendError,
    BackendUnavailable,
    BadUserInput,
    Conflict,
    NotFound,
    NotSupported,
)

from .conftest import make_connector

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b"<user><metadata/><users><user><userName>&lol3;</userName></user></users></user>"
)


# --- /rest ----------------------------------------------------------------------------


async def test_rest_not_found_is_not_found(connector: SipxcomConnector) -> None:
    with pytest.raises(NotFound) as info:
        await connector.groups.update("999", GroupUpdate(name="x"))
    assert info.value.backend == "sipx"
    vendor = info.value.extensions()["vendor"]
    assert (vendor["status"], vendor["code"], vendor["id"]) == (400, "ERROR_OBJECT_NOT_FOUND", "999")
    with pytest.raises(NotFound):
        await connector.users.update("999", UserUpdate(display_name="x"))
    with pytest.raises(NotFound):
        await connector.users.delete("999")


async def test_rest_validation_failure_is_bad_user_input_naming_the_field(connector: SipxcomConnector) -> None:
    with pytest.raises(BadUserInput) as info:
        await connector.users.create(UserCreate(username="two words"))
    assert info.value.field == "username"
    vendor = info.value.extensions()["vendor"]
    assert vendor["code"] == "ERROR_VALIDATION_FAILED" and vendor["additionalMessage"].startswith("UserName:")


async def test_rest_taken_names_are_conflicts(connector: SipxcomConnector) -> None:
    with pytest.raises(Conflict) as info:
        await connector.users.create(UserCreate(username="alice"))
    vendor = info.value.extensions()["vendor"]
    assert (vendor["status"], vendor["code"]) == (500, "ERROR_CREATE_FAILED")
    assert "already in use" in vendor["additionalMessage"]
    with pytest.raises(Conflict) as info:
        await connector.users.update("3", UserUpdate(extension="201"))
    assert info.value.extensions()["vendor"]["code"] == "ERROR_UPDATE_FAILED"
    with pytest.raises(Conflict):
        await connector.groups.create(GroupCreate(name="sales"))


async def test_rest_server_failure_is_backend_error(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    envelope = (
        b'<?xml version="1.0" encoding="UTF-8"?><response><code>ERROR_READ_FAILED</code>'
        b"<message>Read failed</message><data><additionalMessage>db down</additionalMessage></data>"
        b"</response>"
    )
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            path_prefix="/sipxconfig/rest/user-group",
            status=500,
            body=envelope,
            content_type="text/xml",
        )
    )
    with pytest.raises(BackendError) as info:
        await connector.groups.page(ListQuery())
    assert info.value.extensions()["vendor"] == {
        "status": 500,
        "code": "ERROR_READ_FAILED",
        "message": "Read failed",
        "additionalMessage": "db down",
    }


async def test_rest_broken_xml_is_a_backend_error(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            path_prefix="/sipxconfig/rest/user",
            status=200,
            body=b"<user><metadata>",
            content_type="text/xml",
            times=1,
        )
    )
    with pytest.raises(BackendError) as info:
        await connector.users.page(ListQuery())
    # A JSON-speaking connector refuses XML before parsing it.
    assert (
        "not usable XML" if connector.client.format == "xml" else "XML where JSON was asked for"
    ) in info.value.message


async def test_rest_unsafe_xml_is_refused_not_expanded(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            path_prefix="/sipxconfig/rest/user",
            status=200,
            body=BILLION_LAUGHS,
            content_type="text/xml",
        )
    )
    with pytest.raises(BackendError) as info:
        await connector.users.get_many(["1", "2"])
    assert ("unsafe XML" if connector.client.format == "xml" else "XML where JSON was asked for") in info.value.message
    assert "lollol" not in str(info.value.extensions())


async def test_a_write_without_a_success_envelope_is_a_backend_error(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            path_prefix="/sipxconfig/rest/user-group",
            method="PUT",
            status=200,
            body=b"OK",
            content_type="text/plain",
        )
    )
    with pytest.raises(BackendError):
        await connector.groups.create(GroupCreate(name="nightly"))


# --- /api --------------------------------------------------------------------------------


async def test_api_not_found_is_not_found(connector: SipxcomConnector) -> None:
    with pytest.raises(NotFound) as info:
        await connector.devices.update("999", DeviceUpdate(name="x"))
    assert info.value.extensions()["vendor"] == {"status": 404}
    with pytest.raises(NotFound):
        await connector.devices.delete("999")
    with pytest.raises(NotFound):
        await connector.trunks.update("999", TrunkUpdate(name="x"))
    assert await connector.devices.get_many(["999"]) == [None]


async def test_api_duplicate_is_a_conflict(connector: SipxcomConnector) -> None:
    with pytest.raises(Conflict) as info:
        await connector.devices.create(DeviceCreate(mac="00:04:F2:80:CC:95", model="Polycom VVX 450"))
    vendor = info.value.extensions()["vendor"]
    assert vendor["status"] == 500 and "already in use" in vendor["message"]
    with pytest.raises(Conflict):
        await connector.trunks.create(TrunkCreate(name="my_siptrunk", host="sip.example.net"))


async def test_api_validation_failure_is_bad_user_input(connector: SipxcomConnector) -> None:
    with pytest.raises(BadUserInput) as info:
        await connector.trunks.update("1", TrunkUpdate(port=70000))
    assert info.value.field == "port" and info.value.extensions()["vendor"]["status"] == 400
    with pytest.raises(BadUserInput) as info:
        await connector.trunks.create(TrunkCreate(name="", host="sip.example.net"))
    assert info.value.field == "name"


async def test_api_server_error_keeps_the_plain_text(
    connector: SipxcomConnector, emulator: Emulator[SipxState]
) -> None:
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            path_prefix="/sipxconfig/api/phones",
            status=500,
            body=b"java.lang.NullPointerException",
        )
    )
    with pytest.raises(BackendError) as info:
        await connector.devices.page(ListQuery())
    assert info.value.extensions()["vendor"] == {"status": 500, "message": "java.lang.NullPointerException"}
    with pytest.raises(BackendError):
        await connector.devices.get_many(["1"])


# --- the backend itself ------------------------------------------------------------------------


async def test_hunt_group_refusals(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    assert resource_of(connector, Kind.QUEUE) is connector.queues
    # A taken extension (here a user's name) is the server's plain-text 500: a conflict.
    with pytest.raises(Conflict) as info:
        await connector.queues.create(QueueCreate(name="clash", extension="201"))
    assert info.value.extensions()["vendor"]["status"] == 500 and "already in use" in info.value.message
    with pytest.raises(BadUserInput) as info:
        await connector.queues.create(QueueCreate(name="no-number"))
    assert info.value.field == "extension"
    with pytest.raises(NotFound):
        await connector.queues.update("99", QueueUpdate(name="x"))
    with pytest.raises(NotFound) as info:
        await connector.queues.set_members("1", [QueueMemberInput(kind=MemberKind.USER, id="999")])
    assert info.value.field == "members[0].id"
    with pytest.raises(NotSupported) as info:
        await connector.queues.set_members("1", [QueueMemberInput(kind=MemberKind.USER, id="1", priority=1)])
    assert info.value.field == "members[0].priority"
    assert [r.method for r in emulator.recorder.requests if r.method != "GET"] == ["POST"]


async def test_refused_credentials(url: str) -> None:
    connector = make_connector(url, password="not-the-password")
    try:
        with pytest.raises(BackendError) as info:
            await connector.users.page(ListQuery())
        assert info.value.extensions()["vendor"] == {"status": 401}
        with pytest.raises(BackendError):
            await connector.devices.page(ListQuery())
        health = await connector.health()
    finally:
        await connector.aclose()
    assert health.status is HealthStatus.DOWN and "credentials" in (health.detail or "")


async def test_unreachable_backend(emulator: Emulator[SipxState]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connector = make_connector(f"http://127.0.0.1:{port}")
    try:
        await connector.open()  # never fails for an unreachable backend
        with pytest.raises(BackendUnavailable):
            await connector.users.get_many(["1"])
        health = await connector.health()
    finally:
        await connector.aclose()
    assert health.status is HealthStatus.DOWN


async def test_health_up(connector: SipxcomConnector, emulator: Emulator[SipxState]) -> None:
    health = await connector.health()
    assert health.status is HealthStatus.UP and health.latency_ms is not None
    assert len(emulator.recorder.requests) == 1


# --- a server that does not page -------------------------------------------------------------


async def test_a_listing_that_does_not_move_on_ends(url: str, emulator: Emulator[SipxState]) -> None:
    stuck = (
        b"<user-group><metadata><totalResults>9</totalResults><currentPage>1</currentPage>"
        b"<totalPages>3</totalPages><resultsPerPage>3</resultsPerPage></metadata><groups><group><id>1</id>"
        b"<name>sales</name></group></groups></user-group>"
    )
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            path_prefix="/sipxconfig/rest/user-group",
            status=200,
            body=stuck,
            content_type="text/xml",
        )
    )
    connector = make_connector(url, page_size=3)
    try:
        page = await connector.groups.page(ListQuery())
    finally:
        await connector.aclose()
    assert [g.name for g in page.items] == ["sales"]
    assert emulator.recorder.count("GET", "/sipxconfig/rest/user-group") == 2


async def test_registrations_that_ignore_start_end(url: str, emulator: Emulator[SipxState]) -> None:
    same = (
        b'{"registrations":[{"uri":"sip:200@pbx.example.com","status":"active"},'
        b'{"uri":"sip:201@pbx.example.com","status":"active"}]}'
    )
    emulator.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            path_prefix="/sipxconfig/api/registrations",
            status=200,
            body=same,
            content_type="application/json",
        )
    )
    connector = make_connector(url, page_size=2)
    try:
        users = await connector.users.get_many(["1", "2", "3"])
    finally:
        await connector.aclose()
    assert [u.registration.value if u and u.registration else None for u in users] == ["online", "online", "offline"]
    assert emulator.recorder.count("GET", "/sipxconfig/api/registrations") == 2


@pytest.mark.parametrize("prefix", ["/sipxconfig/rest/user", "/sipxconfig/api/phones"])
async def test_an_account_without_rights_is_a_backend_error_naming_the_backend(
    connector: SipxcomConnector, emulator: Emulator[SipxState], prefix: str
) -> None:
    emulator.faults.add(Fault(FaultKind.STATUS, path_prefix=prefix, status=403, body=b"Forbidden"))
    resource = connector.users if "user" in prefix else connector.devices
    with pytest.raises(BackendError) as info:
        await resource.page(ListQuery())
    assert info.value.backend == "sipx" and info.value.extensions() == {
        "code": "BACKEND_ERROR",
        "backend": "sipx",
        "vendor": {"status": 403},
    }
    assert "lacks the right" in info.value.message
