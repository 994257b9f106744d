"""The GraphQL ecosystem's own tools against a live pbxgraph: node packages, a browser, Python clients.

Node packages are installed once, at pinned versions, into a folder outside
the repository (``~/.cache/pbxgraph-tests/npm/<key>``, or under
``$PBXGRAPH_TEST_CACHE``) and reused by every later run; the key changes with
the package list and node's major version, so a change of either installs
afresh. A test that needs node skips, saying why, where node or npm is
missing or the registry cannot be reached. Scripts run from inside that
folder, so ``import`` finds the packages as in any node project.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from pbxgraph.config import BackendConfig, Config
from pbxgraph.connectors.registry import build_connector
from pbxgraph.testing.live import live_server
from pbxgraph.testing.spy import SpyConnector, spied

HERE = Path(__file__).parent
SCRIPTS = HERE / "js"
#: Every node package the tests use, pinned; one install serves them all.
NODE_PACKAGES = (
    "graphql@16.15.0",
    "graphql-http@1.23.1",
    "graphql-request@7.4.0",
    "@apollo/composition@2.14.4",
    "@apollo/query-planner@2.14.4",
    "@apollo/federation-internals@2.14.4",
    "@apollo/client@4.3.8",
    "rxjs@7.8.2",
    "playwright-core@1.65.1",
)
CACHE = Path(os.environ.get("PBXGRAPH_TEST_CACHE") or Path.home() / ".cache" / "pbxgraph-tests")
#: Safety net for a hung child process; tests assert on results, never on time.
NODE_TIMEOUT_S = 300


def _node_major(node: str) -> str:
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return version.lstrip("v").split(".")[0]


def node_modules() -> Path:
    """A folder with ``NODE_PACKAGES`` installed; installed here only on the first run. Skips without node."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are not installed: the ecosystem tests that run node clients are skipped")
    key = hashlib.sha256(json.dumps([_node_major(node), *NODE_PACKAGES]).encode()).hexdigest()[:16]
    root = CACHE / "npm"
    target = root / key
    if (target / ".complete").exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be installing the same set
        if (target / ".complete").exists():
            return target
        staging = root / f"{key}.installing-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        (staging / "package.json").write_text('{"private": true, "type": "module"}\n')
        result = subprocess.run(
            [npm, "install", "--prefix", str(staging), "--no-audit", "--no-fund", "--loglevel=error", *NODE_PACKAGES],
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT_S,
            check=False,
        )
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            pytest.skip(f"npm could not install the test packages: {' / '.join(tail)}")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        (target / ".complete").write_text("\n".join(NODE_PACKAGES) + "\n")
    return target


def run_node(script: Path, *args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``script`` with node from inside the package folder (so its imports resolve)."""
    prefix = node_modules()
    copy = prefix / script.name
    shutil.copyfile(script, copy)
    return subprocess.run(
        [shutil.which("node") or "node", str(copy), *args],
        capture_output=True,
        text=True,
        cwd=prefix,
        timeout=NODE_TIMEOUT_S,
        env={**os.environ, **(env or {})},
        check=False,
    )


def local(name: str, path: Path | str, *, demo: bool = True) -> BackendConfig:
    return BackendConfig(name=name, vendor="local", options={"path": str(path), "demo": demo})


@contextlib.contextmanager
def serving(config: Config) -> Iterator[tuple[str, dict[str, SpyConnector]]]:
    """``config`` served on a loopback port, each backend's connector spied on: (base URL, spies)."""
    spies, backends = spied([build_connector(c) for c in config.backends], list(config.backends))
    with live_server(config, backends=backends) as url:
        yield url, {spy.name: spy for spy in spies}


def demo_config(tmp_path: Path, **server: object) -> Config:
    from pbxgraph.config import ServerConfig

    return Config(backends=(local("office", tmp_path / "office.sqlite3"),), server=ServerConfig(**server))  # type: ignore[arg-type]
