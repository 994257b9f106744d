"""The repository keeps its promises: current schema, kept layers, a README that works."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from pbxgraph.demo import DemoEnvironment
from pbxgraph.schema import sdl
from pbxgraph.testing.graphql import GraphQLTestClient

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_committed_schema_is_what_the_code_generates() -> None:
    assert (ROOT / "schema.graphql").read_text() == sdl(), "run: pbxgraph schema > schema.graphql"


def test_the_cli_prints_the_schema() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pbxgraph.cli", "schema"], capture_output=True, text=True, check=True
    )
    assert result.stdout == sdl()


def test_layer_contracts_are_kept() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_quick_start_gives_exactly_two_whole_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    serve, tests = (b.strip() for b in blocks)
    assert "\n" not in serve and "\n" not in tests
    assert serve.startswith("python3 -m venv .venv") and serve.endswith("pbxgraph serve")
    assert tests.startswith("python3 -m venv .venv") and "pytest" in tests


async def test_the_readme_first_query_returns_demo_data_from_every_backend() -> None:
    query = README.split("## A first query", 1)[1].split("```graphql\n", 1)[1].split("```", 1)[0]
    demo = DemoEnvironment.start()
    try:
        async with GraphQLTestClient.running(demo.config) as client:
            data = await client.data(query)
    finally:
        demo.stop()
    backends = {b["name"]: b for b in data["backends"]}
    assert {b["vendor"] for b in backends.values()} == {"local", "era", "infinity", "sipxcom"}
    assert all(b["health"]["status"] == "UP" for b in backends.values()), backends
    assert data["users"]["totalCount"] > 5 and len(data["users"]["edges"]) == 5


def test_the_readme_configuration_example_is_valid() -> None:
    import tomllib

    from pbxgraph.config import parse_config

    section = README.split("## Configuration", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    config = parse_config(tomllib.loads(example), env={"ERA_TOKEN": "t" * 20, "PBXGRAPH_ADMIN_TOKEN": "a" * 32})
    assert [b.name for b in config.backends] == ["office", "hq"]
    assert config.auth.enabled and config.server.port == 8000


def test_the_readme_documents_every_configuration_key_and_command_line_option() -> None:
    import argparse
    import dataclasses

    from pbxgraph.cli import build_parser
    from pbxgraph.config import (
        ApiToken,
        AuthConfig,
        BackendConfig,
        LimitsConfig,
        PollConfig,
        ServerConfig,
        StateConfig,
        TracingConfig,
    )
    from pbxgraph.connectors import era, infinity, local, sipxcom
    from pbxgraph.connectors.era.options import EraOptions
    from pbxgraph.connectors.infinity.settings import InfinityOptions
    from pbxgraph.connectors.local.connector import LocalOptions
    from pbxgraph.connectors.sipxcom.options import SipxcomOptions

    for table in (
        ServerConfig,
        AuthConfig,
        ApiToken,
        TracingConfig,
        LimitsConfig,
        BackendConfig,
        StateConfig,
        PollConfig,
    ):
        for field in dataclasses.fields(table):
            if field.name != "options":
                key = f"tokens[].{field.name}" if table is ApiToken else field.name
                assert f"`{key}`" in README, f"README does not document {table.__name__}.{field.name}"
    for field in dataclasses.fields(LocalOptions):
        assert f"`{field.name}`" in README, field.name
    for package, options in (
        (local, LocalOptions),
        (era, EraOptions),
        (infinity, InfinityOptions),
        (sipxcom, SipxcomOptions),
    ):
        for field in dataclasses.fields(options):  # each vendor's keys, in the table its package shows
            documented = package.__doc__ or ""
            assert f"\n    {field.name} = " in documented or f"# {field.name} = " in documented, (
                f"{package.__name__} does not document its key {field.name}"
            )
    parser = build_parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in subcommands.choices.items():
        assert f"pbxgraph {name}" in README, name
        for action in command._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in README, f"README does not document {name} {option}"
    assert "pbxgraph --version" in README
