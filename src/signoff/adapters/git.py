"""Git, through its command line. Grows with the gate (diffs, logs, worktrees) in later releases."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def configured_email(cwd: Path) -> str | None:
    """``git config user.email`` as seen from ``cwd``; None when git or the setting is absent."""
    try:
        completed = subprocess.run(
            ["git", "config", "user.email"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    email = completed.stdout.strip()
    return email if completed.returncode == 0 and email else None
