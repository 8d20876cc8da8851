"""Find the slice a command runs in and load its standards once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from signoff.adapters.standards_file import STANDARDS_FILE, load_standards
from signoff.core.errors import SliceNotFoundError

if TYPE_CHECKING:
    from pathlib import Path

    from signoff.core.standards import Standards


@dataclass(frozen=True, slots=True)
class Workspace:
    """A slice on disk: its root folder and its validated standards."""

    root: Path
    standards: Standards
    cwd: Path

    @property
    def specs_dir(self) -> Path:
        return self.root / self.standards.specs_dir

    def display_path(self, path: Path | str) -> str:
        """A path as the user should see it: relative to where they stand when it is below."""
        # String operations, not Path.resolve(): this runs once per spec on every check.
        absolute = os.path.abspath(os.path.join(self.cwd, path))
        relative = os.path.relpath(absolute, self.cwd)
        return absolute if relative.startswith("..") else relative


def find_root(start: Path) -> Path:
    """The nearest folder from ``start`` upwards that holds ``signoff.toml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / STANDARDS_FILE).is_file():
            return folder
    raise SliceNotFoundError(
        f"no {STANDARDS_FILE} in {start} or any folder above it; "
        "run 'signoff init' at the root of the slice"
    )


def open_workspace(start: Path) -> Workspace:
    root = find_root(start)
    return Workspace(root=root, standards=load_standards(root), cwd=start.resolve())
