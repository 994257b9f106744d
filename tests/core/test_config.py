"""Configuration: secrets from the environment or files, errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbxgraph.config import ConfigError, load_config, parse_config


def test_env_and_file_secrets_are_interpolated(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("from-a-file\n")
    path = tmp_path / "pbxgraph.toml"
    path.write_text(f"""
[server]
port = 9000

[[backends]]
name = "hq"
vendor = "era"
url = "https://era.example.net"
token = "${{ERA_TOKEN}}"
timeout_s = 2.5

[[backends]]
name = "branch"
vendor = "era"
url = "https://era2.example.net"
token = "${{file:{secret}}}"
""")
    config = load_config(path, env={"ERA_TOKEN": "from-the-env"})
    assert config.server.port == 9000
    hq, branch = config.backends
    assert hq.option("token") == "from-the-env" and hq.timeout_s == 2.5
    assert branch.option("token") == "from-a-file"
    assert "from-the-env" not in repr(config)  # secrets stay out of reprs, and so out of logs


@pytest.mark.parametrize("data,key", [
    ({}, "backends"),
    ({"backends": [{"vendor": "local"}]}, "backends[0].name"),
    ({"backends": [{"name": "a b", "vendor": "local"}]}, "backends[0].name"),
    ({"backends": [{"name": "a"}]}, "backends.a.vendor"),
    ({"backends": [{"name": "a", "vendor": "local"}, {"name": "a", "vendor": "local"}]}, "backends.a.name"),
    ({"backends": [{"name": "a", "vendor": "local", "timeout_s": -1}]}, "backends.a.timeout_s"),
    ({"backends": [{"name": "a", "vendor": "era", "token": "${MISSING_VAR}"}]}, "backends.a.token"),
    ({"backends": [{"name": "a", "vendor": "local"}], "srever": {}}, "srever"),
    ({"backends": [{"name": "a", "vendor": "local"}], "auth": {"tokens": [{"name": "x", "token": "short"}]}},
     "auth.tokens[0].token"),
])
def test_errors_name_the_key(data: dict, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data, env={})
    assert str(info.value).startswith(key + ":"), str(info.value)


def test_a_bad_file_is_reported_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[[backends]\nname=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")


def test_unknown_vendor_and_unknown_local_keys(tmp_path: Path) -> None:
    from pbxgraph.config import BackendConfig
    from pbxgraph.connectors.registry import build_connector

    with pytest.raises(ConfigError, match="vendor 'acme'"):
        build_connector(BackendConfig(name="x", vendor="acme"))
    with pytest.raises(ConfigError, match="backends.x: unknown key 'pth'"):
        build_connector(BackendConfig(name="x", vendor="local", options={"pth": "a"}))
