"""With every vendor backend down at start-up, the server still starts and answers."""

from __future__ import annotations

import importlib
import socket
from pathlib import Path

from pbxgraph.config import BackendConfig, Config
from pbxgraph.testing.graphql import GraphQLTestClient
from tests.core.conftest import local

VENDORS = ("era", "infinity", "sipxcom")


def dead_url() -> str:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def vendor_down(vendor: str) -> BackendConfig:
    options = dict(importlib.import_module(f"pbxgraph.emulators.{vendor}").demo_backend(dead_url()))
    options.pop("vendor", None)
    return BackendConfig(name=f"{vendor}-down", vendor=vendor, timeout_s=2, options=options)


async def test_every_vendor_down_at_start_up(tmp_path: Path) -> None:
    config = Config(backends=(local("office", tmp_path / "office.sqlite3"), *(vendor_down(v) for v in VENDORS)))
    async with GraphQLTestClient.running(config) as client:
        body = await client.execute("""{
          backends { name vendor health { status } }
          users(first: 100) { totalCount nodes { backend } }
          groups { nodes { backend name } }
        }""")
        ready = await client.http.get("/readyz")
    assert {b["name"]: b["health"]["status"] for b in body["data"]["backends"]} == {
        "office": "UP",
        "era-down": "DOWN",
        "infinity-down": "DOWN",
        "sipxcom-down": "DOWN",
    }
    assert {n["backend"] for n in body["data"]["users"]["nodes"]} == {"office"}
    assert len(body["data"]["users"]["nodes"]) == 32
    assert len(body["data"]["groups"]["nodes"]) == 4
    failures = sorted((e["path"][0], e["extensions"]["backend"], e["extensions"]["code"]) for e in body["errors"])
    assert failures == sorted(
        [("users", f"{v}-down", "BACKEND_UNAVAILABLE") for v in VENDORS]
        + [("groups", f"{v}-down", "BACKEND_UNAVAILABLE") for v in VENDORS]
    )
    assert ready.status_code == 503
