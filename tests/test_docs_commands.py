"""Every command has help with an example and a section in docs/cli.md."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from signoff.cli.app import cli

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    context = click.Context(group)
    for name in group.list_commands(context):  # lazy subcommands too
        command = group.get_command(context, name)
        assert command is not None
        path = (*prefix, name)
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
        else:
            found.append(path)
    return found


COMMANDS = _commands(cli)


def test_the_command_list_is_not_empty() -> None:
    assert ("spec", "check") in COMMANDS
    assert ("init",) in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(path) for path in COMMANDS])
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    context = click.Context(cli, info_name="signoff")
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(context, name)
        assert found is not None
        command = found
        context = click.Context(command, info_name=name, parent=context)
    text = command.get_help(context)
    assert re.search(r"Examples?:", text), f"signoff {' '.join(path)} --help has no example"
    assert f"signoff {' '.join(path)}" in text


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(path) for path in COMMANDS])
def test_every_command_is_documented(path: tuple[str, ...]) -> None:
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert re.search(rf"^## `signoff {re.escape(' '.join(path))}\b", reference, re.MULTILINE), (
        f"docs/cli.md has no section for signoff {' '.join(path)}"
    )


def test_the_readme_links_every_page_in_docs() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    for page in sorted(DOCS.glob("*.md")):
        assert f"docs/{page.name}" in readme, f"README.md does not link docs/{page.name}"
