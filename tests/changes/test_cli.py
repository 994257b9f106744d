"""``pbxgraph export`` and ``pbxgraph apply`` as an operator runs them: real processes, emulators on loopback ports.

An export applied back unchanged changes nothing (no vendor write), an
edited cell changes just that field, a file with a bad row applies
nothing and names the row, and the same commands work against a running
pbxgraph (``--url``, ``--token``) and against the configuration run in the
CLI's own process (``--config``).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pbxgraph.cli import main
from pbxgraph.config import ApiToken, AuthConfig, Config, load_config
from pbxgraph.demo import backend_snippet
from pbxgraph.emulators.registry import emulated_vendors
from pbxgraph.emulators.toolkit import Emulator, LoopbackServer
from pbxgraph.testing.graphql import GraphQLTestClient
from pbxgraph.testing.live import live_server
from tests.changes.conftest import READS

TOKEN = "cli-admin-token-0123456789"


@dataclass
class Site:
    """A configuration file naming a local store and two emulators serving on loopback ports."""

    path: Path
    emulators: dict[str, Emulator[Any]]

    def vendor_writes(self) -> dict[str, int]:
        return {
            name: sum(1 for r in e.recorder.requests if r.method not in READS) for name, e in self.emulators.items()
        }

    def clear(self) -> None:
        for emulator in self.emulators.values():
            emulator.recorder.clear()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    vendors = emulated_vendors()
    emulators = {name: vendors[name].create(seed=True) for name in ("era", "sipxcom")}
    servers: list[LoopbackServer] = [emulator.serve() for emulator in emulators.values()]
    tables = [
        backend_snippet("office", {"vendor": "local", "path": str(tmp_path / "office.sqlite3"), "demo": True}),
        *(
            backend_snippet(name, {"vendor": name, **vendors[name].options(server.url)})
            for (name, _), server in zip(emulators.items(), servers, strict=True)
        ),
    ]
    path = tmp_path / "pbxgraph.toml"
    path.write_text("\n\n".join(tables) + "\n")
    try:
        yield Site(path, emulators)
    finally:
        for server in servers:
            server.stop()


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def pbxgraph(*args: str, cwd: Path, process: bool = False) -> Ran:
    """The command, in this process (``main``, as the console script calls it) or, with ``process``, in its own."""
    env = {k: v for k, v in os.environ.items() if k not in ("PBXGRAPH_CONFIG", "PBXGRAPH_TOKEN")}
    if process:
        done = subprocess.run(
            [sys.executable, "-m", "pbxgraph.cli", *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
            timeout=120,
            check=False,
        )
        return Ran(done.returncode, done.stdout, done.stderr)
    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(here)
    return Ran(code, out.getvalue(), err.getvalue())


def table(stdout: str) -> dict[str, dict[str, int]]:
    """The summary table: per backend (and total), each column's count."""
    lines = [line for line in stdout.splitlines() if line.startswith(("backend ", "office", "era", "sipxcom", "total"))]
    head = lines[0].split("   (")[0]
    names = [c.strip() for c in head.split("  ") if c.strip()][1:]
    found = {}
    for line in lines[1:]:
        cells = line.split()
        found[cells[0]] = dict(zip(names, map(int, cells[1:]), strict=True))
    return found


def test_an_export_applied_back_changes_nothing_and_an_edited_cell_changes_that_field(
    site: Site, tmp_path: Path
) -> None:
    exported = pbxgraph("export", "users", "--config", str(site.path), "--output", "users.csv", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "users.csv").read_text())))
    assert {r["backend"] for r in rows} == {"office", "era", "sipxcom"}
    assert list(rows[0]) == ["type", "id", "backend", "username", "displayName", "extension", "email", "enabled"]
    site.clear()

    again = pbxgraph("apply", "users.csv", "--config", str(site.path), cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    summary = table(again.stdout)
    assert summary["total"]["unchanged"] == len(rows) and summary["total"]["update"] == 0
    assert site.vendor_writes() == {"era": 0, "sipxcom": 0}

    for row in rows:
        if row["username"] in ("ahughes", "anna.petrova"):
            row["displayName"] = f"{row['displayName']} (edited)"
    with (tmp_path / "edited.csv").open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    edited = pbxgraph("apply", "edited.csv", "--config", str(site.path), "--no-progress", cwd=tmp_path)
    assert edited.returncode == 0, edited.stdout + edited.stderr
    summary = table(edited.stdout)
    assert summary["office"]["update"] == 1 and summary["era"]["update"] == 1 and summary["total"]["update"] == 2
    assert site.vendor_writes() == {"era": 1, "sipxcom": 0}

    async def edited_users() -> dict[str, Any]:
        async with GraphQLTestClient.running(load_config(site.path)) as client:
            return await client.data('{ users(first: 5, filter: {search: "(edited)"}) { nodes { username } } }')

    data = asyncio.run(edited_users())
    assert sorted(n["username"] for n in data["users"]["nodes"]) == ["ahughes", "anna.petrova"]


def test_groups_and_queues_come_back_unchanged_as_json_and_yaml(site: Site, tmp_path: Path) -> None:
    for kind, fmt in (("groups", "json"), ("queues", "yaml")):
        out = f"{kind}.{fmt}"
        exported = pbxgraph("export", kind, "--config", str(site.path), "--format", fmt, "--output", out, cwd=tmp_path)
        assert exported.returncode == 0, exported.stderr
        site.clear()
        applied = pbxgraph("apply", out, "--config", str(site.path), "--no-progress", cwd=tmp_path)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        summary = table(applied.stdout)["total"]
        assert summary["unchanged"] > 0 and summary["update"] == summary["members"] == summary["failed"] == 0
        assert site.vendor_writes() == {"era": 0, "sipxcom": 0}
    queues = json.loads(json.dumps(__import__("yaml").safe_load((tmp_path / "queues.yaml").read_text())))
    assert all(q["type"] == "queue" and isinstance(q["members"], list) for q in queues)


ONBOARDING = """type,ref,backend,username,displayName,extension,sipPassword,mac,model,userId,name,memberIds
user,kim,office,kim,Kim Lee,7801,Kim-Pass-1,,,,,
user,lou,era,lou,Lou Reed,7802,Lou-Pass-1,,,,,
device,,era,,,,,00:04:f2:00:78:02,Polycom VVX 450,ref:lou,,
group,,office,,,7850,,,,,Onboarded,ref:kim
"""


def test_a_file_applied_against_a_running_pbxgraph_with_a_token(site: Site, tmp_path: Path) -> None:
    base = load_config(site.path)
    config = Config(
        backends=base.backends, auth=AuthConfig(tokens=(ApiToken(name="provisioning", token=TOKEN, role="admin"),))
    )
    (tmp_path / "onboard.csv").write_text(ONBOARDING)
    (tmp_path / "bad.csv").write_text(
        ONBOARDING.replace("7801", "78x1").replace("ref:kim", "ref:kimberly") + "user,,nowhere,ok,,7803,,,,,,\n"
    )
    with live_server(config) as url:
        refused = pbxgraph(
            "apply", "onboard.csv", "--url", url, "--token", "wrong-token-0123456789", cwd=tmp_path, process=True
        )
        assert refused.returncode == 1 and "the API token is not valid" in refused.stderr

        bad = pbxgraph("apply", "bad.csv", "--url", url, "--token", TOKEN, cwd=tmp_path)
        assert bad.returncode == 1
        assert "row 2 (ref kim): BAD_USER_INPUT: input.changes[0].createUser.input.extension" in bad.stdout
        assert "row 5: BAD_USER_INPUT: input.changes[3].createGroup.input.members[0].id" in bad.stdout
        assert "row 6: BAD_USER_INPUT: input.changes[4].createUser.backend" in bad.stdout
        assert "nothing was applied" in bad.stdout and site.vendor_writes() == {"era": 0, "sipxcom": 0}

        planned = pbxgraph("apply", "onboard.csv", "--dry-run", "--url", url, "--token", TOKEN, cwd=tmp_path)
        assert planned.returncode == 0, planned.stdout + planned.stderr
        assert "row 4: createDevice on era: CREATE: mac: - -> 00:04:f2:00:78:02" in planned.stdout
        assert site.vendor_writes() == {"era": 0, "sipxcom": 0}

        applied = pbxgraph("apply", "onboard.csv", "--url", url, "--token", TOKEN, cwd=tmp_path, process=True)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        summary = table(applied.stdout)
        assert summary["office"]["create"] == 2 and summary["era"]["create"] == 2
        assert (
            "4 changes in " in applied.stdout and ": 4 applied, 0 with nothing to do, 0 not applied" in applied.stdout
        )
        assert "4/4 changes applied" in applied.stderr  # the progress, a line per request off a terminal

        again = pbxgraph("apply", "onboard.csv", "--url", url, "--token", TOKEN, cwd=tmp_path)
        assert again.returncode == 1 and "CONFLICT" in again.stdout  # the usernames and numbers are taken now
    era_users = site.emulators["era"].state.collections["sipusers"].values()
    assert [u["opts"].get("ap_mac_address") for u in era_users if u["login"] == "lou"] == ["0004F2007802"]


def test_a_file_that_is_not_rows_is_refused_with_exit_code_2(tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_text("type,colour\nuser,blue\n")
    (tmp_path / "rows.json").write_text('{"not": "rows"}')
    (tmp_path / "rows.yaml").write_text("- type: robot\n  id: x\n")
    for name, message in (
        ("rows.csv", "line 1: unknown column(s) colour"),
        ("rows.json", "the file must hold a list of rows"),
        ("rows.yaml", "row 1: type 'robot' is not one of user, group, queue, trunk, device"),
    ):
        result = pbxgraph("apply", name, "--url", "http://127.0.0.1:9", cwd=tmp_path)
        assert result.returncode == 2 and message in result.stderr, result.stderr
