"""A 200 whose body is not the document asked for is BACKEND_ERROR, never a silently empty answer.

A proxy's maintenance page, a login page, the other format, another root
element, an error object where rows or a list were expected: each must fail
the backend's part of the answer with a coded error, and fail readiness,
instead of reading as "no users here".
"""

from __future__ import annotations

from typing import Any

import pytest

from pbxgraph.emulators.toolkit import Fault, FaultKind
from tests.trust.conftest import PREFIX, Running, Vendors

HTML = (
    b"<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body><p>Back soon.</p></body></html>",
    "text/html; charset=utf-8",
)
XHTML = (b"<html><body><p>Back soon.</p></body></html>", "application/xml")

CASES: list[tuple[str, dict[str, Any], tuple[bytes, str]]] = [
    ("sipxcom", {}, HTML),
    ("sipxcom", {}, XHTML),  # XML, another root
    ("sipxcom", {}, (b'{"user": {"metadata": {"totalPages": 1}}}', "application/json")),  # JSON for XML
    ("sipxcom", {"format": "json"}, HTML),
    ("sipxcom", {"format": "json"}, (b"<user><metadata/></user>", "application/xml")),  # XML for JSON
    ("sipxcom", {"format": "json"}, (b'{"maintenance": true}', "application/json")),  # another root
    ("infinity", {}, HTML),
    ("infinity", {}, (b'{"error": "maintenance", "message": "back soon"}', "application/json")),  # not a row
    ("infinity", {}, (b"<rows/>", "application/xml")),
    ("era", {}, HTML),
    ("era", {}, (b'{"items": []}', "application/json")),  # object for an array
    ("era", {}, (b'[{"error": "maintenance"}]', "application/json")),  # items that are no entity
]


@pytest.mark.parametrize(
    ("vendor", "options", "answer"),
    CASES,
    ids=[f"{v}-{o.get('format', 'default')}-{a[1].split(';')[0]}-{i}" for i, (v, o, a) in enumerate(CASES)],
)
async def test_a_200_that_is_not_the_document_fails_the_backend_and_readiness(
    vendor: str, options: dict[str, Any], answer: tuple[bytes, str], vendors: Vendors, running: Running
) -> None:
    body, content_type = answer
    vendors[vendor].faults.add(
        Fault(
            kind=FaultKind.STATUS,
            method="GET",
            path_prefix=PREFIX[vendor],
            status=200,
            body=body,
            content_type=content_type,
        )
    )
    async with running(vendors.backend(vendor, **options)) as client:
        answer_ = await client.execute("{ users { totalCount nodes { id } } backends { health { status code } } }")
        ready = await client.http.get("/readyz")
    assert answer_["data"]["users"]["nodes"] == []
    (error,) = answer_["errors"]
    assert error["path"] == ["users"]
    assert error["extensions"]["code"] == "BACKEND_ERROR" and error["extensions"]["backend"] == vendor
    assert answer_["data"]["backends"] == [{"health": {"status": "DOWN", "code": "BACKEND_ERROR"}}]
    assert ready.status_code == 503 and ready.json()["backends"][vendor] == {"status": "down", "code": "BACKEND_ERROR"}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/sipxconfig/api/phones", b'{"maintenance": true}'),  # an object without the phone list
        ("/sipxconfig/api/phones", b'{"phones": [1, 2]}'),  # a list of something other than phones
    ],
)
async def test_a_sipxcom_api_list_of_the_wrong_shape_is_a_backend_error(
    path: str, body: bytes, vendors: Vendors, running: Running
) -> None:
    vendors.sipxcom.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            method="GET",
            path_prefix=path,
            status=200,
            body=body,
            content_type="application/json",
        )
    )
    async with running(vendors.backend("sipxcom")) as client:
        answer = await client.execute("{ devices { nodes { id } } }")
    assert answer["data"]["devices"]["nodes"] == []
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["BACKEND_ERROR"]


async def test_an_infinity_create_answered_with_a_list_is_a_backend_error(vendors: Vendors, running: Running) -> None:
    vendors.infinity.faults.add(
        Fault(
            kind=FaultKind.STATUS,
            method="POST",
            path_prefix="/config/v2.1/sip/domains/1/devices",
            status=201,
            body=b'[{"pbxDeviceId": "1"}]',
            content_type="application/json",
        )
    )
    async with running(vendors.backend("infinity")) as client:
        answer = await client.execute(
            'mutation { createDevice(backend: "infinity", input: {mac: "00:04:f2:00:00:99"}) { id } }'
        )
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["BACKEND_ERROR"]
    assert "array where one object was expected" in answer["errors"][0]["message"]
