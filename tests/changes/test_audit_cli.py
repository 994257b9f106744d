"""``pbxgraph audit export`` against a live server: the endpoint's lines, filtered, with the token given."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx

from pbxgraph.config import ApiToken, AuthConfig, BackendConfig, Config
from pbxgraph.testing.live import live_server

TOKEN = "audit-cli-token-0123456789"
EXPORT = (sys.executable, "-m", "pbxgraph.cli", "audit", "export")


def test_audit_export_writes_the_filtered_trail() -> None:
    config = Config(
        backends=(BackendConfig(name="office", vendor="local", options={"path": ":memory:"}),),
        auth=AuthConfig(tokens=(ApiToken("scripts", TOKEN),)),
    )
    with live_server(config) as url:
        for name, ext in (("cli1", "7701"), ("cli2", "7702")):
            query = 'mutation { createUser(backend: "office", input: {username: "%s", extension: "%s"}) { id } }'
            answer = httpx.post(
                f"{url}/graphql", json={"query": query % (name, ext)}, headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert "errors" not in answer.json()
        done = subprocess.run(
            [*EXPORT, "--url", url, "--token", TOKEN, "--operation", "create", "--kind", "USER"],
            capture_output=True,
            text=True,
            check=False,
        )
        refused = subprocess.run(
            [*EXPORT, "--url", url, "--token", "wrong-token-0123456"],
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["fields"][0]["after"] for line in lines] == ["cli1", "cli2"]
    assert {line["token"] for line in lines} == {"scripts"}
    assert refused.returncode != 0 and "refused (401)" in refused.stderr
