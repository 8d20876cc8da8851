"""Find the slice a command runs in and load its standards once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from signoff.adapters.standards_file import STANDARDS_FILE, load_standards
from signoff.core.errors import SliceNotFoundError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from signoff.core.standards import Standards


def utc_now() -> datetime:
    """The real clock (a module-level function, so a Workspace can go to worker processes)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Workspace:
    """A slice on disk: its root folder, its validated standards, and the injected world.

    ``environ`` is the process environment as the shell saw it (``SIGNOFF_DATABASE_URL``);
    ``clock`` gives the current UTC time. Tests pass their own.
    """

    root: Path
    standards: Standards
    cwd: Path
    environ: Mapping[str, str] = field(default_factory=dict)
    clock: Callable[[], datetime] = field(default=utc_now)

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


def open_workspace(
    start: Path,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Workspace:
    root = find_root(start)
    return Workspace(
        root=root,
        standards=load_standards(root),
        cwd=start.resolve(),
        environ=dict(environ or {}),
        clock=clock or utc_now,
    )
