"""The README tells the truth: its curl examples work, its settings and commands exist."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from collections.abc import Iterator

import pytest

from aikg.cli import build_parser
from aikg.config import ENV_PREFIX, Settings
from tests.conftest import ROOT, require_program
from tests.server import Server, running_server

README = (ROOT / "README.md").read_text("utf-8")


def examples() -> list[str]:
    """The curl commands of the README's Examples block, continuation lines joined."""
    block = README.split("### Examples", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    joined = block.replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip().startswith("curl")]


@pytest.fixture(scope="module")
def documented_server() -> Iterator[Server]:
    with running_server({"AIKG_TOKEN": "secret"}) as server:
        yield server


def test_the_readme_has_curl_examples() -> None:
    assert len(examples()) >= 7


@pytest.mark.parametrize("command", examples())
def test_each_curl_example_succeeds(documented_server: Server, command: str) -> None:
    require_program("curl", "curl")
    command = command.replace("http://127.0.0.1:8000", documented_server.url)
    command = command.replace("curl -s", "curl -s --fail-with-body", 1)
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_setting_is_documented() -> None:
    for field in dataclasses.fields(Settings):
        assert f"{ENV_PREFIX}{field.name.upper()}" in README, field.name


def test_every_command_is_documented() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert re.search(rf"aikg {name}\b", README), name
