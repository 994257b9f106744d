"""What docker compose runs: the emulate command, and a configuration that matches it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from pbxgraph.config import load_config
from pbxgraph.connectors.registry import build_connector

ROOT = Path(__file__).resolve().parents[1]


def test_the_compose_configuration_builds_every_backend() -> None:
    env = {"ERA_TOKEN": "era-demo-token", "INFINITY_API_KEY": "demo-api-key", "SIPX_PASSWORD": "pw"}
    config = load_config(ROOT / "docker" / "pbxgraph.toml", env=env)
    assert [(b.name, b.vendor) for b in config.backends] == [
        ("office", "local"), ("hq", "era"), ("cloud", "infinity"), ("branch", "sipxcom")]
    for backend in config.backends:
        build_connector(backend)
    compose = (ROOT / "docker" / "compose.yaml").read_text()
    for backend in config.backends[1:]:
        host, port = str(backend.option("url")).removeprefix("http://").split(":")
        assert f'"emulate", "{backend.vendor}", "--host", "0.0.0.0", "--port", "{port}"' in compose
        assert f"  {host}:" in compose


def test_pbxgraph_emulate_serves_a_vendor_and_says_how_to_connect() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "pbxgraph.cli", "emulate", "era", "--port", str(port),
                                "--log-level", "warning"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/rest/v1/uc/sipusers",
                                     headers={"Authorization": "Bearer era-demo-token"}, timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None, "emulator did not start"
                time.sleep(0.1)
        assert response.status_code == 200 and len(response.json()) > 3
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert f"era emulator at http://127.0.0.1:{port}" in output
    assert 'vendor = "era"' in output and f'url = "http://127.0.0.1:{port}"' in output
