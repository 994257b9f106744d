"""``[state]``: where keys and the audit trail live, their windows, and the polled backends; strict like every table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pbxgraph.config import ConfigError, parse_config
from pbxgraph.state.database import MEMORY, state_url

LOCAL = {"name": "office", "vendor": "local", "path": "/srv/office.sqlite3"}


def test_defaults_follow_the_local_store() -> None:
    config = parse_config({"backends": [LOCAL]}, env={})
    assert state_url(config.state, config.backends) == ("sqlite+aiosqlite:////srv/office.sqlite3", None)
    assert config.state.idempotency_window_s == 86_400 and config.state.audit_retention_days == 90
    era_only = parse_config({"backends": [{"name": "hq", "vendor": "era", "url": "http://x"}]}, env={})
    assert state_url(era_only.state, era_only.backends) == (MEMORY, None)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"window": 3}, r"^state.window: unknown key"),
        ({"idempotency_window_s": 0}, r"^state.idempotency_window_s: must be a positive number, got 0.0$"),
        ({"audit_retention_days": -1}, r"^state.audit_retention_days: must be 0 or more, got -1.0$"),
        ({"schema": "Bad-Name"}, r"^state.schema: lower-case letters"),
        ({"poll": [{"backend": "hq"}]}, r"^state.poll\[0\].backend: no backend named 'hq' \(configured: office\)$"),
        ({"poll": [{"backend": "office", "kinds": ["PLANET"]}]}, r"^state.poll\[0\].kinds\[0\]: must be one of USER"),
        ({"poll": [{"backend": "office", "every": 3}]}, r"^state.poll\[0\].every: unknown key"),
    ],
)
def test_every_mistake_is_one_line_naming_the_key(state: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config({"backends": [LOCAL], "state": state}, env={})


def test_check_config_says_where_the_state_lives(tmp_path: Path) -> None:
    path = tmp_path / "pbxgraph.toml"
    path.write_text(
        '[[backends]]\nname = "office"\nvendor = "local"\npath = ":memory:"\n\n'
        '[state]\naudit_retention_days = 30\n\n[[state.poll]]\nbackend = "office"\ninterval_s = 30\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "pbxgraph.cli", "check-config", "--config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "  state: sqlite+aiosqlite:///:memory:; idempotency keys kept 86400 s; audit kept 30 days, values read before each write; "
        "polled for changes: office every 30 s"
    ) in done.stdout.splitlines()
