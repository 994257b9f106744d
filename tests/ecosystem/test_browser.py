"""GraphiQL in a real browser: Debian's Chromium, headless, allowed to reach loopback only.

The page must render from pbxgraph's own assets, its docs explorer must list
``Query``, and the README's first query must run from a prefilled link and
show its result; a screenshot of that is kept as the test's artifact, in
``test-artifacts/graphiql.png`` (or the folder ``PBXGRAPH_TEST_ARTIFACTS``
names), where CI can collect it; its path is printed. The test installs nothing: without the
``chromium`` package (``.ci/run`` installs it) it is skipped, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pbxgraph.config import ApiToken, AuthConfig, Config
from tests.ecosystem.conftest import SCRIPTS, demo_config, local, run_node, serving

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "a-token-for-the-browser-test"
ARTIFACTS = Path(os.environ.get("PBXGRAPH_TEST_ARTIFACTS") or ROOT / "test-artifacts")


def chromium() -> str:
    found = os.environ.get("PBXGRAPH_CHROMIUM") or shutil.which("chromium")
    if found is None:
        pytest.skip(
            "Chromium is not installed (Debian package 'chromium'; .ci/run installs it): the browser test is skipped"
        )
    return found


def readme_first_query() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## A first query", 1)[1].split("```graphql\n", 1)[1].split("```", 1)[0]


def test_graphiql_renders_documents_the_schema_and_runs_the_readme_query_from_a_link(tmp_path: Path) -> None:
    browser = chromium()
    query = readme_first_query()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "graphiql.png"
    screenshot.unlink(missing_ok=True)
    tokens = Config(
        backends=(local("office", tmp_path / "tokens.sqlite3"),), auth=AuthConfig(tokens=(ApiToken("browser", TOKEN),))
    )
    with serving(demo_config(tmp_path)) as (url, spies), serving(tokens) as (token_url, _):
        result = run_node(
            SCRIPTS / "graphiql.mjs", browser, str(tmp_path / "profile"), url, token_url, query, str(screenshot)
        )
        counted = spies["office"].calls["user.page"]
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout)
    print(f"GraphiQL screenshot: {screenshot}")

    assert seen["blocked"] == [], "the page reached beyond this server"
    assert seen["errors"] == []
    assert seen["title"] == "pbxgraph · GraphiQL"
    assert "Query" in seen["rootTypes"] and "Mutation" in seen["rootTypes"]
    assert {"users", "groups", "queues", "trunks", "devices", "node", "directory"} <= set(seen["queryFields"])

    assert seen["editor"] == query
    data = seen["result"]["data"]
    assert "errors" not in seen["result"]
    assert data["backends"] == [{"name": "office", "vendor": "local", "health": {"status": "UP"}}]
    users = data["users"]
    assert 0 < len(users["edges"]) <= 5 and users["totalCount"] >= len(users["edges"])
    assert counted == 1  # one listing of the one backend, from the click
    assert screenshot.stat().st_size > 10_000

    assert seen["copied"] == seen["address"] and "query=" in seen["copied"]
    assert seen["copied"].startswith(f"{url}/graphql?")
    assert seen["headers"] and '"Authorization": "Bearer ' in seen["headers"][0] and seen["headersShown"]
    assert all("401" in error for error in seen["tokenPageErrors"])
