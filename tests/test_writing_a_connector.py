"""docs/writing-a-connector.md builds a working fourth vendor, and quotes pbxgraph as it is.

The guide's ``# file:`` blocks are a whole vendor package (Acme): written out
with its entry points, it must pass the contract suite, be found by the
registries (connector, emulator, demo, ``pbxgraph emulate``) and need no file
of pbxgraph. Its ``# from`` blocks quote pbxgraph's sources: each quoted line
must still be there, in that order.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from pbxgraph.cli import main
from pbxgraph.config import BackendConfig, ConfigError
from pbxgraph.connectors.registry import build_connector
from pbxgraph.demo import demo_vendors
from pbxgraph.emulators.registry import emulated

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "writing-a-connector.md").read_text()
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.S | re.M)


def blocks(kind: str) -> Iterator[tuple[str, str]]:
    """(path, body) of every block whose first line is ``# <kind> <path>`` (``file:`` or ``from``)."""
    for _language, text in _BLOCK.findall(GUIDE):
        first, _, body = text.partition("\n")
        if first.startswith(f"# {kind} "):
            yield first.removeprefix(f"# {kind} ").strip(), body


def test_every_quote_of_pbxgraph_is_still_in_its_file() -> None:
    quotes = list(blocks("from"))
    assert len(quotes) >= 8
    for path, body in quotes:
        source = (ROOT / path).read_text().splitlines()
        at = 0
        for line in body.splitlines():
            if not line.strip() or line.strip() == "...":
                continue
            found = next((i for i in range(at, len(source)) if source[i].rstrip() == line.rstrip()), None)
            assert found is not None, f"{path} no longer holds (after line {at}): {line}"
            at = found + 1


@pytest.fixture(scope="module")
def vendor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The guide's vendor written out as an installed package: its files and its entry points."""
    root = tmp_path_factory.mktemp("acme")
    for path, body in blocks("file:"):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    info = root / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items()) + "\n"
            for group, points in project["entry-points"].items()
        )
    )
    return root


def test_the_vendor_touches_no_file_of_pbxgraph(vendor: Path) -> None:
    written = sorted(str(p.relative_to(vendor)) for p in vendor.rglob("*") if p.is_file())
    assert "pyproject.toml" in written and "acme_pbx/connector.py" in written
    assert not [p for p in written if p.startswith(("src/", "pbxgraph/"))]


def test_the_vendor_passes_the_contract_suite(vendor: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "asyncio_mode=auto",
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            "tests/test_acme_contract.py",
        ],
        cwd=vendor,
        env={**os.environ, "PYTHONPATH": str(vendor)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    passed = re.search(r"(\d+) passed", summary)
    assert passed is not None and int(passed.group(1)) >= 12 and "failed" not in summary, summary


def test_the_registries_find_the_vendor_through_its_entry_points(
    vendor: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(vendor))
    try:
        emulator = emulated("acme")
        assert emulator.port == 8199 and "acme-demo" in demo_vendors()
        connector = build_connector(BackendConfig(name="lab", vendor="acme", options=emulator.options("http://x")))
        assert (connector.vendor, connector.name) == ("acme", "lab")
        with pytest.raises(ConfigError, match=r"^backends\.lab\.api_key: required for vendor 'acme'$"):
            build_connector(BackendConfig(name="lab", vendor="acme", options={"url": "http://x"}))
        assert main(["emulate", "nosuch"]) == 2
        assert "acme" in capsys.readouterr().err
    finally:
        for name in [m for m in sys.modules if m == "acme_pbx" or m.startswith("acme_pbx.")]:
            del sys.modules[name]
