"""Vendor error text reaches callers and logs scrubbed of credentials, for every vendor and body format.

Each vendor is made to answer every request with a 500 whose body holds
credentials: the backend's own configured secret, a URL with user-info, a
bearer and a basic credential, and password-like pairs in query, JSON, YAML
and XML spelling. None of them may appear in a GraphQL answer, in /readyz,
or in the server log; what the vendor said around them still does.
"""

from __future__ import annotations

import base64
import json
import logging
from html import escape

import pytest

from pbxgraph.emulators.toolkit import Fault, FaultKind
from pbxgraph.redaction import scrub_text
from pbxgraph.testing.graphql import error_codes
from tests.trust.conftest import SECRETS, VENDORS, Running, Vendors

URL_PASSWORD = "UrlCanary-1x"
BEARER = "BearerCanary-2y"
PAIR = "PairCanary-3z"
JSON_PAIR = "JsonCanary-4w"
XML_PAIR = "XmlCanary-5v"
BASIC = base64.b64encode(b"admin:BasicCanary-6u").decode()
SPOKEN = "maintenance window"


def canaries(vendor: str) -> list[str]:
    return [URL_PASSWORD, BEARER, PAIR, JSON_PAIR, XML_PAIR, BASIC, SECRETS[vendor]]


def words(vendor: str) -> str:
    return (
        f"{SPOKEN}: GET https://admin:{URL_PASSWORD}@pbx.example.net/api failed; "
        f"Authorization: Bearer {BEARER}; retry with password={PAIR}; configured {SECRETS[vendor]}"
    )


def json_body(vendor: str) -> bytes:
    said = words(vendor)
    return json.dumps(
        {
            "error_code": 1500,
            "error_message": said,
            "message": said,
            "error_details": {
                "request": {"Authorization": f"Basic {BASIC}"},
                "note": f'"api_key": "{JSON_PAIR}"',
                "password": XML_PAIR,
            },
        }
    ).encode()


def xml_body(vendor: str) -> bytes:
    said = escape(words(vendor))
    return (
        f"<response><code>ERROR_UPDATE_FAILED</code><message>{said}</message><data>"
        f"<additionalMessage>{said} Authorization: Basic {BASIC}</additionalMessage></data>"
        f"<password>{XML_PAIR}</password><note>api_key: {JSON_PAIR}</note></response>"
    ).encode()


def text_body(vendor: str) -> bytes:
    return (
        f"{words(vendor)}\nAuthorization: Basic {BASIC}\n<password>{XML_PAIR}</password>\npwd: {JSON_PAIR}\n"
    ).encode()


BODIES = {
    "json": (json_body, "application/json"),
    "xml": (xml_body, "application/xml"),
    "text": (text_body, "text/plain"),
}


@pytest.mark.parametrize("form", list(BODIES))
@pytest.mark.parametrize("vendor", VENDORS)
async def test_no_credential_in_a_vendor_error_reaches_anyone(
    vendor: str, form: str, vendors: Vendors, running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    make, content_type = BODIES[form]
    vendors[vendor].faults.add(Fault(kind=FaultKind.STATUS, status=500, body=make(vendor), content_type=content_type))
    async with running(vendors.backend(vendor)) as client:
        listing = await client.execute("{ users { nodes { id } } }")
        health = await client.execute("{ backends { name health { status code detail } } }")
        mutation = await client.execute(
            f'mutation {{ createUser(backend: "{vendor}", input: {{username: "canary", extension: "7788", '
            f'sipPassword: "{PAIR}"}}) {{ id }} }}'
        )
        ready = await client.http.get("/readyz")
    assert error_codes(listing) == ["BACKEND_ERROR"] and listing["errors"][0]["extensions"]["backend"] == vendor
    assert error_codes(mutation) == ["BACKEND_ERROR"]
    assert health["data"]["backends"][0]["health"]["status"] == "DOWN"
    assert ready.status_code == 503
    assert ready.json()["backends"] == {vendor: {"status": "down", "code": "BACKEND_ERROR"}}
    seen = "\n".join([json.dumps(listing), json.dumps(health), json.dumps(mutation), ready.text, caplog.text])
    leaked = [c for c in canaries(vendor) if c in seen]
    assert leaked == []
    if form == "json" or (vendor != "era"):
        # What the vendor said is still there for an admin to read, around the masks.
        assert SPOKEN in json.dumps(listing["errors"]) and SPOKEN in health["data"]["backends"][0]["health"]["detail"]
        assert SPOKEN in caplog.text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("GET https://admin:Pw@host/x", "GET https://***@host/x"),
        ("Authorization: Bearer abc.def", "Authorization: *** ***"),
        ("auth Basic dXNlcjpwdw== refused", "auth Basic *** refused"),
        ("ApiKey k-123 unknown", "ApiKey *** unknown"),
        ('Digest username="a", response="ff"', "Digest ***"),
        ("?user=a&password=b&x=1", "?user=a&password=***&x=1"),
        ('{"sipPassword": "s", "name": "n"}', '{"sipPassword": "***", "name": "n"}'),
        ("pwd: s3cr3t, user: a", "pwd: ***, user: a"),
        ("<user><Password>p</Password><name>n</name></user>", "<user><Password>***</Password><name>n</name></user>"),
        ("<ns:api_key a='1'>k</ns:api_key>", "<ns:api_key a='1'>***</ns:api_key>"),
        ("spinning=3 passive=1 compass: n", "spinning=3 passive=1 compass: n"),
    ],
)
def test_scrub_text_masks_credentials_and_keeps_the_rest(text: str, shown: str) -> None:
    assert scrub_text(text) == shown


def test_scrub_text_masks_configured_secrets_in_every_spelling_then_caps() -> None:
    secret = "p@ss word/1"
    said = f"a {secret} b p%40ss%20word%2F1 c p%40ss+word%2F1 " + "x" * 600
    shown = scrub_text(said, [secret])
    assert "p@ss" not in shown and "p%40ss" not in shown
    assert shown.startswith("a *** b *** c *** ") and len(shown) == 503 and shown.endswith("...")
