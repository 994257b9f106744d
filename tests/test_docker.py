"""What docker compose runs: the emulate command, and a configuration that matches it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from pbxgraph.config import load_config
from pbxgraph.connectors.registry import build_connector

ROOT = Path(__file__).resolve().parents[1]


def compose_environment(compose: str, service: str) -> dict[str, str]:
    """The ``environment:`` mapping of one service (compose.yaml is written in block style)."""
    block = compose.split(f"\n  {service}:\n", 1)[1].split("\n\n", 1)[0]
    section = block.split("    environment:\n", 1)[1]
    return dict(re.findall(r"^      ([A-Z_]+): (\S+)$", section.split("\n    depends_on", 1)[0], re.M))


def test_the_compose_configuration_builds_every_backend() -> None:
    compose = (ROOT / "docker" / "compose.yaml").read_text()
    env = compose_environment(compose, "pbxgraph")
    config = load_config(ROOT / "docker" / "pbxgraph.toml", env=env)  # every ${VAR} is given by compose
    assert config.warnings == ()  # no secret written in the file
    assert [(b.name, b.vendor) for b in config.backends] == [
        ("office", "local"),
        ("hq", "era"),
        ("cloud", "infinity"),
        ("branch", "sipxcom"),
    ]
    for backend in config.backends:
        build_connector(backend)
    for backend in config.backends[1:]:
        host, port = str(backend.option("url")).removeprefix("http://").split(":")
        assert f'"emulate", "{backend.vendor}", "--host", "0.0.0.0", "--port", "{port}"' in compose
        assert f"  {host}:" in compose


def test_pbxgraph_emulate_serves_a_vendor_and_says_how_to_connect() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "pbxgraph.cli", "emulate", "era", "--port", str(port), "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/rest/v1/uc/sipusers",
                    headers={"Authorization": "Bearer era-demo-token"},
                    timeout=2,
                )
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


def test_the_compose_store_is_the_compose_postgres_service() -> None:
    compose = (ROOT / "docker" / "compose.yaml").read_text()
    config = load_config(ROOT / "docker" / "pbxgraph.toml", env=compose_environment(compose, "pbxgraph"))
    office = config.backend("office")
    assert office is not None
    url = urlsplit(str(office.option("url")))
    database = compose_environment(compose, "postgres")
    assert url.scheme == "postgresql+asyncpg" and url.hostname == "postgres" and url.port == 5432
    assert (url.username, url.password, url.path) == (
        database["POSTGRES_USER"],
        database["POSTGRES_PASSWORD"],
        "/" + database["POSTGRES_DB"],
    )
    pbxgraph = compose.split("\n  pbxgraph:\n", 1)[1].split("\n\n", 1)[0]
    assert "postgres: { condition: service_healthy }" in pbxgraph
    assert 'test: ["CMD", "pg_isready"' in compose.split("\n  postgres:\n", 1)[1].split("\n\n", 1)[0]


def test_the_image_runs_as_a_user_with_a_health_check_and_a_small_context() -> None:
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    instructions = [line.split(None, 1) for line in dockerfile.splitlines() if line and not line.startswith(("#", " "))]
    users = [arg for word, arg in instructions if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert [word for word, _ in instructions].index("USER") < [word for word, _ in instructions].index("ENTRYPOINT")
    healthcheck = next(arg for word, arg in instructions if word == "HEALTHCHECK")
    assert "/healthz" in dockerfile.split("HEALTHCHECK", 1)[1] and "--interval" in healthcheck
    assert 'pip install ".[postgres' in dockerfile
    # .dockerignore lets in exactly what the Dockerfile copies: no .venv, .git, stores or tests.
    ignore = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert ignore[0] == "*"
    allowed = {line[1:] for line in ignore if line.startswith("!")}
    copied = {source for word, arg in instructions if word == "COPY" for source in arg.split()[:-1]}
    assert copied == allowed == {"pyproject.toml", "README.md", "schema.graphql", "src"}
