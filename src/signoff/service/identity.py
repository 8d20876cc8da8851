"""Who is acting: recorded on every event."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

from signoff.adapters.git import configured_email

if TYPE_CHECKING:
    from signoff.service.workspace import Workspace

ACTOR_VARIABLE = "SIGNOFF_ACTOR"


def current_actor(workspace: Workspace) -> str:
    """``SIGNOFF_ACTOR`` (agents set it), else git's user.email, else the login name."""
    chosen = workspace.environ.get(ACTOR_VARIABLE, "").strip()
    if chosen:
        return chosen
    email = configured_email(workspace.root)
    if email:
        return email
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
