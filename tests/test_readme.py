"""The README names exactly two set-up commands, and .ci/run runs the test one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```\n(.*?)```", section, re.DOTALL)]


def test_two_setup_commands():
    commands = setup_commands()
    assert len(commands) == 2
    assert "tracker run" in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert setup_commands()[1] in ci.splitlines()


def test_every_command_is_in_the_readme():
    import click

    from tracker.cli import main

    text = (ROOT / "README.md").read_text(encoding="utf-8").split("## Use", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^tracker ((?:gazetteer )?[a-z]+)", text, re.MULTILINE))
    commands = set()
    for name, command in main.commands.items():
        if isinstance(command, click.Group):
            commands |= {f"{name} {sub}" for sub in command.commands}
        else:
            commands.add(name)
    assert commands == listed, f"missing from README: {commands - listed}; stale: {listed - commands}"


def test_docs_links_exist():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(((?:docs|scripts)/[^)#]+)\)", text):
        assert (ROOT / target).exists(), target
