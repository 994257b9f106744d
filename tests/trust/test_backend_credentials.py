"""A PBX refusing pbxgraph's own credentials is BACKEND_ERROR naming the backend, never the caller's FORBIDDEN."""

from __future__ import annotations

import json

import pytest

from pbxgraph.emulators.toolkit import Fault, FaultKind
from pbxgraph.testing.graphql import error_codes
from tests.trust.conftest import PREFIX, VENDORS, Running, Vendors

#: What each vendor says when the configured account lacks a right: a 403, and Era's 1506 (with HTTP 400).
REFUSALS = {
    "era": [
        (400, json.dumps({"error_code": 1506, "error_message": "Access denied."})),
        (403, json.dumps({"error_code": 1403, "error_message": "Forbidden"})),
    ],
    "infinity": [(403, json.dumps({"error": "forbidden", "message": "no rights on this domain"}))],
    "sipxcom": [(403, "Forbidden")],
}


@pytest.mark.parametrize(("vendor", "status", "body"), [(v, s, b) for v in VENDORS for s, b in REFUSALS[v]])
async def test_refused_configured_credentials_are_a_backend_error(
    vendor: str, status: int, body: str, vendors: Vendors, running: Running
) -> None:
    vendors[vendor].faults.add(
        Fault(
            kind=FaultKind.STATUS,
            path_prefix=PREFIX[vendor],
            status=status,
            body=body.encode(),
            content_type="application/json",
        )
    )
    async with running(vendors.backend(vendor)) as client:
        read = await client.execute("{ users { nodes { id } } }")
        write = await client.execute(
            f'mutation {{ createUser(backend: "{vendor}", input: {{username: "new.one", '
            f'extension: "7700", sipPassword: "Pw-1234567"}}) {{ id }} }}'
        )
    for body_ in (read, write):
        (error,) = body_["errors"]
        assert error["extensions"]["code"] == "BACKEND_ERROR" and error["extensions"]["backend"] == vendor
        assert f"backend '{vendor}'" in error["message"] and "lack" in error["message"] and "right" in error["message"]
    assert "FORBIDDEN" not in error_codes(read) + error_codes(write)
