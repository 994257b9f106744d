"""Configuration: secrets from the environment or files, errors that name the key and its line."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest

from pbxgraph.cli import main
from pbxgraph.config import BackendConfig, ConfigError, load_config, parse_config
from pbxgraph.connectors.registry import build_connector


def test_env_and_file_secrets_are_interpolated(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("from-a-file\n")
    path = tmp_path / "pbxgraph.toml"
    path.write_text(f"""
[server]
port = "${{PORT}}"

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
    config = load_config(path, env={"ERA_TOKEN": "from-the-env", "PORT": "9000"})
    assert config.server.port == 9000
    hq, branch = config.backends
    assert hq.option("token") == "from-the-env" and hq.timeout_s == 2.5
    assert branch.option("token") == "from-a-file"
    assert "from-the-env" not in repr(config)  # secrets stay out of reprs, and so out of logs
    assert config.warnings == ()


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "backends"),
        ({"backends": [{"vendor": "local"}]}, "backends[0].name"),
        ({"backends": [{"name": "a b", "vendor": "local"}]}, "backends[0].name"),
        ({"backends": [{"name": "a"}]}, "backends.a.vendor"),
        ({"backends": [{"name": "a", "vendor": "local"}, {"name": "a", "vendor": "local"}]}, "backends.a.name"),
        ({"backends": [{"name": "a", "vendor": "local", "timeout_s": -1}]}, "backends.a.timeout_s"),
        ({"backends": [{"name": "a", "vendor": "era", "token": "${MISSING_VAR}"}]}, "backends.a.token"),
        ({"backends": [{"name": "a", "vendor": "local"}], "srever": {}}, "srever"),
        (
            {"backends": [{"name": "a", "vendor": "local"}], "auth": {"tokens": [{"name": "x", "token": "short"}]}},
            "auth.tokens[0].token",
        ),
    ],
)
def test_errors_name_the_key(data: dict, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data, env={})
    assert str(info.value).startswith(key + ":"), str(info.value)


LOCAL = '[[backends]]\nname = "office"\nvendor = "local"\n'
TOKEN = "a-long-enough-admin-token"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The command in-process, as a shell would run it; the test's logging is left as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        code = main(list(argv))
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    out, err = capsys.readouterr()
    return code, out, err


def serve_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, monkeypatch: pytest.MonkeyPatch | None = None
) -> str:
    """What ``pbxgraph serve`` says about ``text``: one line on stderr, exit 2, nothing else."""
    path = tmp_path / "pbxgraph.toml"
    path.write_text(text)
    code, out, err = run(capsys, "serve", "--config", str(path))
    assert code == 2 and out == "", (code, out, err)
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err and "GraphiQL" not in err
    return err.rstrip("\n").replace(str(path), "FILE")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[server]\nhots = "0.0.0.0"\n\n' + LOCAL, "FILE:2: server.hots: unknown key; did you mean 'host'?"),
        ("[server]\nport = 8000\nprot = 9000\n\n" + LOCAL, "FILE:3: server.prot: unknown key; did you mean 'port'?"),
        ('[server]\nport = "eighty"\n\n' + LOCAL, "FILE:2: server.port: must be a whole number, got 'eighty'"),
        ("[server]\nport = 70000\n\n" + LOCAL, "FILE:2: server.port: must be a port number from 1 to 65535, got 70000"),
        (
            '[server]\nprofile = "prod"\n\n' + LOCAL,
            "FILE:2: server.profile: must be one of 'development', 'production', got 'prod'",
        ),
        (
            '[server]\ncors_origins = ["https://app.example.com/path"]\n\n' + LOCAL,
            "FILE:2: server.cors_origins: 'https://app.example.com/path' is not an origin: "
            "scheme://host[:port] (no path), or '*'",
        ),
        ("[sever]\nport = 1\n\n" + LOCAL, "FILE:1: sever: unknown key; did you mean 'server'?"),
        ("backend = 1\n" + LOCAL, "FILE:1: backend: unknown key; did you mean 'backends'?"),
        ("[server]\n", "FILE: backends: at least one [[backends]] table is required"),
        (
            LOCAL + '\n[[backends]]\nname = "hq"\nvendor = "era"\ntoken = "${ERA_TOKEN}"\n',
            "FILE:5: backends.hq.url: required for vendor 'era'",
        ),
        (
            LOCAL + '\n[[backends]]\nname = "hq"\nvendor = "era"\nurl = "https://era.example.net"\n'
            'token = "${NOT_SET_ANYWHERE}"\n',
            "FILE:9: backends.hq.token: environment variable 'NOT_SET_ANYWHERE' is not set",
        ),
        (
            LOCAL + '\n[[backends]]\nname = "hq"\nvendor = "acme"\n',
            "FILE:7: backends.hq.vendor: no connector installed for vendor 'acme' "
            "(installed: era, infinity, local, sipxcom)",
        ),
        (
            LOCAL + 'pth = "store.sqlite3"\n',
            "FILE:4: backends.office.pth: unknown key for vendor 'local'; did you mean 'path'?",
        ),
        (LOCAL + "timeout_s = 0\n", "FILE:4: backends.office.timeout_s: must be a positive number, got 0.0"),
        (LOCAL + "max_concurrency = 2.5\n", "FILE:4: backends.office.max_concurrency: must be a whole number, got 2.5"),
        (
            LOCAL + '\n[[backends]]\nname = "hq"\nvendor = "era"\nurl = "https://era.example.net"\n'
            'token = "${ERA_TOKEN}"\ntokn_header = "X-Token"\n',
            "FILE:10: backends.hq.tokn_header: unknown key for vendor 'era'; did you mean 'token_header'?",
        ),
        (
            LOCAL + '\n[[backends]]\nname = "hq"\nvendor = "era"\nurl = "ftp://era.example.net"\n'
            'token = "${ERA_TOKEN}"\n',
            "FILE:8: backends.hq.url: must start with http:// or https://, got 'ftp://era.example.net'",
        ),
        (
            LOCAL + '\n[[backends]]\nname = "cloud"\nvendor = "infinity"\nurl = "http://inf"\ndomains = [1]\n'
            'api_key = "${ERA_TOKEN}"\ndomain = 2\n',
            "FILE:11: backends.cloud.domain: unknown key for vendor 'infinity'; did you mean 'domains'?",
        ),
        (
            LOCAL + '\n[[backends]]\nname = "cloud"\nvendor = "infinity"\nurl = "http://inf"\ndomains = [1]\n'
            'api_key = "${ERA_TOKEN}"\nshard = 2\n',
            "FILE:11: backends.cloud.shard: unknown key for vendor 'infinity' (known: url, verify, domains, api_key, "
            "username, password, create_domain, queue_member_ring_strategy, queue_member_ring_attempts, "
            "queue_member_ring_secs, group_caller_name_format, listing_snapshot_s)",
        ),
        (
            LOCAL + '\n[[backends]]\nname = "branch"\nvendor = "sipxcom"\nurl = "https://sipx"\nusername = "su"\n'
            'password = "${ERA_TOKEN}"\nformat = "yaml"\n',
            "FILE:11: backends.branch.format: must be one of 'xml', 'json', got 'yaml'",
        ),
        (
            LOCAL + f'\n[[auth.tokens]]\nname = "ops"\ntoken = "{TOKEN}"\nrole = "root"\n',
            "FILE:8: auth.tokens[0].role: must be one of 'admin', 'reader', got 'root'",
        ),
        (
            LOCAL + f'\n[[auth.tokens]]\nname = "ops"\ntoken = "{TOKEN}"\n\n[[auth.tokens]]\nname = "ci"\n',
            "FILE:9: auth.tokens[1].token: give either token or token_sha256",
        ),
        (
            LOCAL + '\n[[auth.tokens]]\nname = "ops"\ntoken_sha256 = "abc"\n',
            "FILE:7: auth.tokens[0].token_sha256: must be 64 hex digits (the SHA-256 digest of the token)",
        ),
        (
            LOCAL + f'\n[[auth.tokens]]\nname = "ops"\ntoken = "{TOKEN}"\nbackends = ["office", "hq"]\n',
            "FILE:8: auth.tokens[0].backends[1]: no backend named 'hq' (configured: office)",
        ),
        (
            LOCAL + "\n[auth]\nallow_anonymus = true\n",
            "FILE:6: auth.allow_anonymus: unknown key; did you mean 'allow_anonymous'?",
        ),
        (
            LOCAL + '\n[tracing]\nexporter = "zipkin"\n',
            "FILE:6: tracing.exporter: must be one of 'otlp', 'console', got 'zipkin'",
        ),
        (
            '[server]\nhost = "0.0.0.0"\nprofile = "production"\n\n' + LOCAL,
            "FILE: auth.tokens: the production profile does not serve 0.0.0.0 without API tokens; "
            "add [[auth.tokens]] or write auth.allow_anonymous = true",
        ),
        (
            '[[backends]\nname = "office"\n',
            "FILE:1: not valid TOML: Expected ']]' at the end of an array declaration (at line 1, column 11)",
        ),
    ],
)
def test_each_configuration_error_is_one_line_with_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.setenv("ERA_TOKEN", "an-era-token-from-the-env")
    assert serve_error(tmp_path, capsys, text) == f"pbxgraph: configuration error: {message}"


def test_a_missing_file_is_one_line_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "serve", "--config", str(tmp_path / "absent.toml"))
    assert (code, out) == (2, "")
    assert (
        err == f"pbxgraph: configuration error: {tmp_path / 'absent.toml'}: cannot read configuration: "
        "No such file or directory\n"
    )


def test_a_secret_in_clear_is_a_warning_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "pbxgraph.toml"
    path.write_text(
        LOCAL + '\n[[backends]]\nname = "hq"\nvendor = "era"\nurl = "https://era.example.net"\n'
        'token = "written-in-the-file"\ntoken_header = "X-Api-Token"\n'
        f'\n[auth]\nmetrics_token = "{TOKEN}"\n'
        f'\n[[auth.tokens]]\nname = "ops"\ntoken = "{TOKEN}"\n'
        f'\n[[auth.tokens]]\nname = "ci"\ntoken = "${{CI_TOKEN}}"\n'
    )
    config = load_config(path, env={"CI_TOKEN": "ci-token-from-the-environment"})
    advice = 'a secret is written in clear in the file; write "${ENV_VAR}" or "${file:/path}" instead'
    assert [w.describe() for w in config.warnings] == [
        f"{path}:9: backends.hq.token: {advice}",
        f"{path}:17: auth.tokens[0].token: {advice}, or store token_sha256",
        f"{path}:13: auth.metrics_token: {advice}",
    ]


def test_a_password_written_into_a_url_is_a_warning_too() -> None:
    def warnings(url: str) -> list[str]:
        config = parse_config({"backends": [{"name": "office", "vendor": "local", "url": url}]}, env={"PW": "s"})
        return [w.describe() for w in config.warnings]

    assert warnings("postgresql+asyncpg://pbx:hunter2@db/pbx") == [
        'backends.office.url: the URL holds a password in clear; write it as "${ENV_VAR}" inside the URL instead'
    ]
    assert warnings("postgresql+asyncpg://pbx:${PW}@db/pbx") == warnings("postgresql+asyncpg://pbx@db/pbx") == []


def test_tokens_may_be_stored_as_digests_and_limited_to_backends() -> None:
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    config = parse_config(
        {
            "backends": [{"name": "office", "vendor": "local"}, {"name": "lab", "vendor": "local"}],
            "auth": {"tokens": [{"name": "ops", "token_sha256": digest.upper(), "backends": ["lab"]}]},
        },
        env={},
    )
    assert config.warnings == ()
    token = config.auth.match(TOKEN)
    assert token is not None and token.backends == ("lab",)
    assert config.auth.match(digest) is None and config.auth.match(TOKEN + "x") is None


def test_keys_of_every_table_are_checked_and_defaults_hold() -> None:
    config = parse_config({"backends": [{"name": "office", "vendor": "local"}]}, env={})
    assert (config.server.host, config.server.port, config.server.profile) == ("127.0.0.1", 8000, "development")
    assert config.server.cors_origins == () and not config.tracing.enabled and not config.auth.enabled
    with pytest.raises(ConfigError, match=r"^tracing.sample_ratio: must be 0 to 1, got 2.0$"):
        parse_config({"backends": [{"name": "office", "vendor": "local"}], "tracing": {"sample_ratio": 2}}, env={})
    with pytest.raises(ConfigError, match=r"^auth.tokens\[0\].backends: list at least one backend"):
        parse_config(
            {
                "backends": [{"name": "office", "vendor": "local"}],
                "auth": {"tokens": [{"name": "x", "token": TOKEN, "backends": []}]},
            },
            env={},
        )


def test_connector_option_errors_share_one_form() -> None:
    with pytest.raises(ConfigError, match=r"^backends.x.vendor: no connector installed for vendor 'acme'"):
        build_connector(BackendConfig(name="x", vendor="acme"))
    with pytest.raises(ConfigError, match=r"^backends.x.pth: unknown key for vendor 'local'"):
        build_connector(BackendConfig(name="x", vendor="local", options={"pth": "a"}))
    with pytest.raises(ConfigError, match=r"^backends.x.verify: CA bundle '/no/such.pem' does not exist$"):
        build_connector(
            BackendConfig(
                name="x", vendor="era", options={"url": "https://era", "token": "t", "verify": "/no/such.pem"}
            )
        )
    with pytest.raises(ConfigError, match=r"^backends.x.username: must be a string, got 5$"):
        build_connector(
            BackendConfig(name="x", vendor="sipxcom", options={"url": "https://sipx", "username": 5, "password": "p"})
        )


def test_check_config_says_what_each_backend_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ERA_TOKEN", "an-era-token-from-the-env")
    path = tmp_path / "pbxgraph.toml"
    path.write_text(
        '[server]\nport = 9001\ncors_origins = ["https://app.example.com"]\n\n'
        + LOCAL
        + f'path = "{tmp_path / "office.sqlite3"}"\n'
        '\n[[backends]]\nname = "hq"\nvendor = "era"\nurl = "https://user:pw@era.example.net/pbx?x=1"\n'
        'token = "${ERA_TOKEN}"\n'
    )
    code, out, err = run(capsys, "check-config", "--config", str(path))
    assert code == 0
    assert (
        err.endswith(
            f" WARNING pbxgraph: configuration: {path}:13: backends.hq.url: the URL holds a password "
            'in clear; write it as "${ENV_VAR}" inside the URL instead\n'
        )
        and err.count("\n") == 1
    )
    assert out.splitlines() == [
        f"pbxgraph: {path} is valid",
        "  server: 127.0.0.1:9001, profile development, 0 API token(s), CORS origins: https://app.example.com, "
        "tracing: off",
        f"  backend office: local store in SQLite file {tmp_path / 'office.sqlite3'}",
        "  backend hq: era at https://era.example.net/pbx",
        "  graphql: batches of up to 10 operations, automatic persisted queries on, trusted documents: off, "
        "federation: off",
        f"  state: sqlite+aiosqlite:///{tmp_path / 'office.sqlite3'}; idempotency keys kept 86400 s; "
        "audit kept 90 days, values read before each write; polled for changes: none",
    ]
    assert not (tmp_path / "office.sqlite3").exists()  # validating touches nothing


def test_check_config_connect_says_whether_each_backend_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pbxgraph.emulators.era import create_emulator, demo_backend

    emulator = create_emulator()
    server = emulator.serve()
    try:
        table = dict(demo_backend(server.url))
        path = tmp_path / "pbxgraph.toml"
        path.write_text(
            LOCAL + '\n[[backends]]\nname = "hq"\nvendor = "era"\n'
            f'url = "{server.url}"\ntoken = "${{file:{tmp_path / "era-token"}}}"\n'
            '\n[[backends]]\nname = "gone"\nvendor = "era"\nurl = "http://127.0.0.1:9"\n'
            f'token = "${{file:{tmp_path / "era-token"}}}"\n'
        )
        (tmp_path / "era-token").write_text(str(table["token"]))
        code, out, err = run(capsys, "check-config", "--config", str(path), "--connect")
    finally:
        server.stop()
    assert code == 1, (out, err)
    lines = out.splitlines()
    assert lines[2].startswith("  backend office: local store in memory; answers (")
    assert lines[3].startswith(f"  backend hq: era at {server.url}; answers (")
    assert (
        lines[4] == "  backend gone: era at http://127.0.0.1:9; does not answer: BACKEND_UNAVAILABLE: "
        "backend 'gone' could not be reached (ConnectError)"
    )
    assert emulator.recorder.requests  # the probe really reached the vendor


def test_check_config_needs_a_configuration(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PBXGRAPH_CONFIG", raising=False)
    assert run(capsys, "check-config") == (
        2,
        "",
        "pbxgraph: configuration error: no configuration given (--config or $PBXGRAPH_CONFIG)\n",
    )


def test_the_production_profile_may_serve_anonymously_when_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pbxgraph.toml"
    path.write_text('[server]\nhost = "0.0.0.0"\nprofile = "production"\n\n[auth]\nallow_anonymous = true\n\n' + LOCAL)
    code, out, _ = run(capsys, "check-config", "--config", str(path))
    assert code == 0 and "profile production" in out
    path.write_text('[server]\nhost = "127.0.0.1"\nprofile = "production"\n\n' + LOCAL)
    assert run(capsys, "check-config", "--config", str(path))[0] == 0  # loopback needs no token


def test_emulate_names_an_unknown_vendor_and_serves_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "emulate", "nosuch", "--port", "1")
    assert code == 2 and out == ""
    assert err.startswith("pbxgraph: ") and "'nosuch'" in err and err.count("\n") == 1
