"""Configuration of the sipXcom connector, and HTTPS with certificate checks.

The HTTPS tests serve the emulator on loopback with a certificate from a
throwaway CA: trusted when ``verify`` names that CA, refused with the usual
trust store, accepted unchecked with ``verify = false``.
"""

from __future__ import annotations

import httpx
import pytest

from pbxgraph.config import BackendConfig, ConfigError
from pbxgraph.connectors.registry import build_connector, load_factory
from pbxgraph.connectors.sipxcom import create_connector
from pbxgraph.domain import HealthStatus, ListQuery
from pbxgraph.errors import BackendUnavailable

from .conftest import TlsServed, make_connector


def config(**options: object) -> BackendConfig:
    base: dict[str, object] = {"url": "https://sipx.example.com", "username": "superadmin", "password": "pw"}
    return BackendConfig(name="branch", vendor="sipxcom", options={**base, **options})


def test_the_entry_point_is_the_factory() -> None:
    assert load_factory("sipxcom") is create_connector


@pytest.mark.parametrize("missing", ["url", "username", "password"])
def test_required_keys(missing: str) -> None:
    options = {"url": "https://sipx.example.com", "username": "u", "password": "p"}
    del options[missing]
    with pytest.raises(ConfigError, match=missing):
        build_connector(BackendConfig(name="branch", vendor="sipxcom", options=options))


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"format": "yaml"}, "format"),
        ({"verify": "/no/such/ca.pem"}, "verify"),
        ({"verify": 3}, "verify"),
        ({"page_size": 0}, "page_size"),
        ({"registrations": "yes"}, "registrations"),
        ({"url": "ftp://sipx.example.com"}, "url"),
        ({"tokn": "x"}, "tokn"),
    ],
)
def test_bad_values_name_the_key(options: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        build_connector(config(**options))


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://sipx.example.com", "https://sipx.example.com/sipxconfig"),
        ("https://sipx.example.com/sipxconfig/", "https://sipx.example.com/sipxconfig"),
        ("https://example.com:8443/pbx", "https://example.com:8443/pbx/sipxconfig"),
    ],
)
async def test_the_base_url(url: str, base: str) -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(
            200, content=b"<user-group><metadata/></user-group>", headers={"Content-Type": "text/xml"}
        )

    connector = build_connector(config(url=url), transport=httpx.MockTransport(answer))
    try:
        assert (await connector.health()).status is HealthStatus.UP
    finally:
        await connector.aclose()
    assert seen == [f"{base}/rest/user-group?page=1&pagesize=1"]


async def test_https_with_the_configured_ca(tls_served: TlsServed) -> None:
    connector = make_connector(tls_served.url, verify=str(tls_served.ca_file))
    try:
        users = (await connector.users.page(ListQuery())).items
        health = await connector.health()
    finally:
        await connector.aclose()
    assert len(users) == 5 and health.status is HealthStatus.UP
    assert tls_served.emulator.recorder.count("GET", "/sipxconfig/rest/user") >= 1


async def test_https_refuses_an_unknown_ca(tls_served: TlsServed) -> None:
    connector = make_connector(tls_served.url)  # verify = true: the usual trust store
    try:
        with pytest.raises(BackendUnavailable):
            await connector.devices.page(ListQuery())
        assert (await connector.health()).status is HealthStatus.DOWN
    finally:
        await connector.aclose()


@pytest.mark.parametrize("verify", [False, "false"])  # a string when it comes from the environment
async def test_https_unchecked_when_verify_is_false(tls_served: TlsServed, verify: object) -> None:
    connector = make_connector(tls_served.url, verify=verify, format="json")
    try:
        trunks = (await connector.trunks.page(ListQuery())).items
    finally:
        await connector.aclose()
    assert "my_siptrunk" in [t.name for t in trunks]
