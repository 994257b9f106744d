"""The pbxgraph command as an operator runs it: a real process, real ports, real signals."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest


def pbxgraph(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pbxgraph.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        **kwargs,
    )  # type: ignore[call-overload]


def wait_for_line(stream: object, marker: str, seen: list[str], timeout_s: float = 30) -> str:
    """Read lines until one contains ``marker`` (the process is killed by the caller on failure)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = stream.readline()  # type: ignore[attr-defined]
        if not line:
            break
        seen.append(line)
        if marker in line:
            return line
    raise AssertionError(f"no line with {marker!r} in:\n{''.join(seen)}")


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pbxgraph.cli", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout == f"pbxgraph {version('pbxgraph')}\n"


def test_a_configuration_error_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "pbxgraph.toml"
    path.write_text('[server]\nhots = "0.0.0.0"\n\n[[backends]]\nname = "office"\nvendor = "local"\n')
    process = pbxgraph("serve", "--config", str(path))
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert out == ""
    assert err == f"pbxgraph: configuration error: {path}:2: server.hots: unknown key; did you mean 'host'?\n"


def test_a_taken_port_says_so_and_suggests_another(tmp_path: Path, taken_port: int) -> None:
    path = tmp_path / "pbxgraph.toml"
    path.write_text('[[backends]]\nname = "office"\nvendor = "local"\n')
    process = pbxgraph("serve", "--config", str(path), "--port", str(taken_port))
    out, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert out == ""
    assert err == f"pbxgraph: port {taken_port} on 127.0.0.1 is already in use; choose another with --port\n"


def test_a_taken_port_in_json_logs_is_a_json_line(tmp_path: Path, taken_port: int) -> None:
    process = pbxgraph("serve", "--port", str(taken_port), "--log-format", "json")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    (entry,) = [json.loads(line) for line in err.splitlines()]
    assert (
        entry["level"] == "ERROR"
        and entry["message"] == f"port {taken_port} on 127.0.0.1 is already in use; choose another with --port"
    )


EVERY_KIND = """{
  users(first: 500) { nodes { backend displayName extension enabled } }
  groups(first: 500) { nodes { backend name displayName strategy members { position } } }
  queues(first: 500) { nodes { backend name displayName strategy members { position priority } } }
  trunks(first: 500) { nodes { backend name kind model domain host port registration { status } } }
  devices(first: 500) { nodes { backend mac model registration { status } user { username } } }
}"""


def test_ctrl_c_shuts_the_demo_down_once_and_exits_0() -> None:
    """The demo runs the server and three emulators, serves every kind from each, and shuts down once."""
    process = pbxgraph("serve", "--port", "0", "--log-format", "json")
    seen: list[str] = []
    try:
        line = wait_for_line(process.stderr, "GraphiQL at", seen)
        address = json.loads(line)["message"].removeprefix("GraphiQL at ")
        response = httpx.post(
            address,
            json={"query": "query Count { users(first: 1) { totalCount } }"},
            headers={"X-Request-ID": "ctrl-c-test"},
            timeout=10,
        )
        assert response.status_code == 200 and response.headers["x-request-id"] == "ctrl-c-test"
        every_kind = httpx.post(address, json={"query": EVERY_KIND}, timeout=30).json()
        process.send_signal(signal.SIGINT)
        out, rest = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, "".join(seen) + rest
    lines = [json.loads(text) for text in seen + rest.splitlines()]  # every line is JSON: one format
    messages = [entry["message"] for entry in lines]
    assert messages.count("Shutting down") == 1
    assert messages.count("Application shutdown complete.") == 1
    assert sum(m.startswith("Finished server process") for m in messages) == 1
    assert {entry["logger"] for entry in lines} >= {"uvicorn.error", "pbxgraph", "pbxgraph.access"}
    # The address is announced once the socket is bound and the app has started.
    assert messages.index("Application startup complete.") < messages.index(f"GraphiQL at {address}")
    access = next(entry for entry in lines if entry["logger"] == "pbxgraph.access")
    assert access["request_id"] == "ctrl-c-test" and access["operation"] == "Count"
    assert set(access["backends"]) == {"office", "era-demo", "infinity-demo", "sipxcom-demo"}
    assert out == "" and "Traceback" not in rest
    # The served demo lists every kind from every backend that has it, with the vendor-wide fields.
    backends = {"office", "era-demo", "infinity-demo", "sipxcom-demo"}
    for kind in ("users", "groups", "queues", "devices"):
        assert {n["backend"] for n in every_kind["data"][kind]["nodes"]} == backends, kind
    trunks = every_kind["data"]["trunks"]["nodes"]
    assert {n["backend"] for n in trunks} == backends - {"infinity-demo"}
    assert {t["kind"] for t in trunks} >= {"SIP", "PRI"} and any(t["domain"] for t in trunks)
    assert any(q["displayName"] for q in every_kind["data"]["queues"]["nodes"])
    assert any(d["registration"] for d in every_kind["data"]["devices"]["nodes"])
    assert [(e["path"], e["extensions"]["code"], e["extensions"]["backend"]) for e in every_kind["errors"]] == [
        (["trunks"], "NOT_SUPPORTED", "infinity-demo")
    ]
