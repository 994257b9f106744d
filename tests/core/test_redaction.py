"""Which vendor keys count as secrets: whole words, camelCase or separated."""

from __future__ import annotations

import pytest

from pbxgraph.redaction import is_secret_key, redact


@pytest.mark.parametrize(
    "key",
    [
        "pwd",
        "password",
        "sipPassword",
        "passwd",
        "PIN",
        "userPin",
        "voicemail_pin",
        "x-auth-token",
        "apiKey",
        "api_key",
        "credentials",
        "Authorization",
        "ha1",
        "deviceToken",
        "privateKey",
        "secret",
    ],
)
def test_secret_keys(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "passive",
        "spinup",
        "pinned",
        "compass",
        "ap_device_model",
        "opts",
        "username",
        "login",
        "typing",
        "extensionNumber",
    ],
)
def test_ordinary_keys(key: str) -> None:
    assert not is_secret_key(key)


def test_redact_walks_nested_payloads() -> None:
    payload = {
        "login": "a",
        "pwd": "x",
        "opts": {"title": "t", "sipPassword": "y"},
        "lines": [{"user": "u", "password": "z"}],
    }
    assert redact(payload) == {"login": "a", "opts": {"title": "t"}, "lines": [{"user": "u"}]}
