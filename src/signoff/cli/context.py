"""What every command needs: where it runs, and the slice there."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from signoff.service.workspace import Workspace

# The --format option of every command that prints only text or JSON.
output_option = click.option(
    "--format",
    "-f",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


def cwd() -> Path:
    context = click.get_current_context()
    root = context.find_root()
    directory = root.params.get("directory")
    return Path(directory).resolve() if directory else Path.cwd()


def workspace() -> Workspace:
    from signoff.service.workspace import open_workspace

    return open_workspace(cwd(), os.environ)
