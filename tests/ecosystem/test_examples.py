"""The client examples in ``examples/``, run as a user would against a live pbxgraph."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from pbxgraph.config import ApiToken, AuthConfig, Config
from tests.ecosystem.conftest import demo_config, local, run_node, serving

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TOKEN = "an-admin-token-for-examples"


def python_example(url: str, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("gql", reason="the gql client is not installed (it comes with the test extra)")
    env = {key: value for key, value in os.environ.items() if key != "PBXGRAPH_TOKEN"}
    if token is not None:
        env["PBXGRAPH_TOKEN"] = token
    return subprocess.run(
        [sys.executable, str(EXAMPLES / "python_gql_provision.py"), "--url", f"{url}/graphql", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def graphql(url: str, query: str, token: str | None = None) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body: dict[str, object] = httpx.post(f"{url}/graphql", json={"query": query}, headers=headers).json()
    return body


def test_the_python_gql_example_provisions_a_user_with_a_phone_and_pages_through_users(tmp_path: Path) -> None:
    config = Config(
        backends=(local("office", tmp_path / "office.sqlite3"),),
        auth=AuthConfig(tokens=(ApiToken("provisioning", TOKEN),)),
    )
    with serving(config) as (url, spies):
        result = python_example(
            url,
            "--backend",
            "office",
            "--username",
            "kim.lee",
            "--display-name",
            "Kim Lee",
            "--extension",
            "4712",
            "--mac",
            "00-04-F2-12-34-56",
            "--page-size",
            "10",
            token=TOKEN,
        )
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert re.fullmatch(r"created user kim\.lee \(extension 4712\) on office: \S+", lines[0])
        assert re.fullmatch(r"registered device 00:04:f2:12:34:56: \S+", lines[1])
        assert lines[2] == "assigned 00:04:f2:12:34:56 to kim.lee"
        total = int(re.fullmatch(r"listed (\d+) users in (\d+) pages \(totalCount (\d+)\)", lines[-1]).group(1))  # type: ignore[union-attr]
        assert lines[-1] == f"listed {total} users in {math.ceil(total / 10)} pages (totalCount {total})"
        assert len(lines) == 3 + math.ceil(total / 10) + 1
        assert spies["office"].calls["user.page"] == math.ceil(total / 10)

        check = graphql(
            url, '{ users(filter: {extension: "4712"}) { totalCount nodes { username devices { mac model } } } }', TOKEN
        )
        assert check == {
            "data": {
                "users": {
                    "totalCount": 1,
                    "nodes": [
                        {"username": "kim.lee", "devices": [{"mac": "00:04:f2:12:34:56", "model": "Polycom VVX 450"}]}
                    ],
                }
            }
        }
        assert total == graphql(url, "{ users { totalCount } }", TOKEN)["data"]["users"]["totalCount"]  # type: ignore[index]

        again = python_example(url, "--username", "kim.lee", "--extension", "4712", token=TOKEN)
        assert again.returncode == 1 and again.stdout == ""
        assert "[CONFLICT" in again.stderr
        refused = python_example(url, "--username", "sam", "--extension", "12a", token=TOKEN)
        assert refused.returncode == 1 and "[BAD_USER_INPUT at input.extension]" in refused.stderr
        anonymous = python_example(url, "--username", "sam", "--extension", "4713")
        assert anonymous.returncode == 1 and "[UNAUTHENTICATED]" in anonymous.stderr


def test_the_graphql_request_example_lists_every_user_page_by_page(tmp_path: Path) -> None:
    with serving(demo_config(tmp_path)) as (url, _):
        expected = graphql(url, "{ users(first: 500) { totalCount nodes { backend username } } }")["data"]
        result = run_node(EXAMPLES / "js_list_users.mjs", f"{url}/graphql", "7")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    total = expected["users"]["totalCount"]  # type: ignore[index]
    assert lines[-1] == f"listed {total} users in {math.ceil(total / 7)} pages (totalCount {total})"
    listed = [line.split("\t") for line in lines[:-1]]
    assert [(backend, username) for backend, _, username, _ in listed] == [
        (n["backend"], n["username"]) for n in expected["users"]["nodes"]
    ]  # type: ignore[index]


def test_the_onboarding_example_onboards_a_department_across_the_demo_backends_in_two_round_trips() -> None:
    from pbxgraph.demo import DemoEnvironment
    from pbxgraph.testing.live import live_server

    demo = DemoEnvironment.start()
    try:
        with live_server(demo.config) as url:

            def onboard(*args: str) -> subprocess.CompletedProcess[str]:
                return subprocess.run(
                    [sys.executable, str(EXAMPLES / "onboard.py"), "--url", f"{url}/graphql", *args],
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=False,
                )

            for emulator in demo.emulators.values():
                emulator.recorder.clear()
            planned = onboard("--dry-run", "--department", "design", "--people", "2")
            assert planned.returncode == 0, planned.stdout + planned.stderr
            assert planned.stdout.splitlines()[-1] == "round trips: 2"
            assert all(r.method in ("GET", "LOOKUP") for e in demo.emulators.values() for r in e.recorder.requests), (
                "a dry run writes nothing"
            )

            done = onboard("--department", "design", "--people", "2")
            assert done.returncode == 0, done.stdout + done.stderr
            lines = done.stdout.splitlines()
            assert lines == [
                "applied: 28 changes on 4 backends (28 applied, 0 planned, 0 invalid, 0 failed); 8 people onboarded",
                "round trips: 2",
            ]
            backends = [b.name for b in demo.config.backends]
            for backend in backends:
                found = graphql(
                    url,
                    f'{{ a: userByUsername(backend: "{backend}", username: "design.1") {{ username devices {{ mac }} '
                    f"groups {{ name members {{ member {{ ... on User {{ username }} }} }} }} }} "
                    f'b: userByUsername(backend: "{backend}", username: "design.2") {{ devices {{ mac }} }} '
                    f'queues(backends: ["{backend}"], filter: {{search: "design-line"}}) {{ nodes {{ name '
                    f"members {{ member {{ ... on User {{ username }} ... on Group {{ name }} }} }} }} }} }}",
                )
                data: dict[str, Any] = found["data"]  # type: ignore[assignment]
                assert data["a"]["username"] == "design.1" and len(data["a"]["devices"]) == 1, backend
                assert len(data["b"]["devices"]) == 1, backend
                design = [g for g in data["a"]["groups"] if g["name"] == "design"]
                assert [m["member"]["username"] for m in design[0]["members"]] == ["design.1", "design.2"], backend
                queue = data["queues"]["nodes"][0]
                assert queue["members"] in (
                    [{"member": {"username": "design.1"}}, {"member": {"username": "design.2"}}],
                    [{"member": {"name": "design"}}],
                ), backend
                mac = data["a"]["devices"][0]["mac"]
                by_mac = graphql(url, f'{{ deviceByMac(mac: "{mac.upper()}") {{ backend user {{ username }} }} }}')
                assert by_mac["data"] == {"deviceByMac": {"backend": backend, "user": {"username": "design.1"}}}
    finally:
        demo.stop()
