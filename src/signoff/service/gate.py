"""``signoff gate``: the verdict on one change, recorded in the ledger.

This module starts the work and :mod:`signoff.service.gate_judge` finishes it. The order is
the speed: the workspace is opened and the diff's scanners are being prepared (in forked
processes, :mod:`signoff.service.gate_scan`) before anything else is imported, and what judges
the verdict (the gates, the ledger, the spec) loads while they work.

It fails closed. Every step that can go wrong (no repository, a bad revision, an invalid
policy, an unreadable test report, the ledger out of reach, a bug) ends in a ``blocked``
verdict naming the reason; nothing here can produce ``pass`` by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from signoff.service.gate_scan import DiffScan
from signoff.service.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime
    from pathlib import Path

    from signoff.service.change import ChangeRequest
    from signoff.service.gate_judge import GateRun


@dataclass(frozen=True, slots=True)
class GateOptions:
    """How ``signoff gate`` runs: the test reports it reads and whether command gates run."""

    junit: tuple[Path, ...] = ()
    run_commands: bool = True
    # Called once while the diff is being scanned in other processes, when this one would
    # only wait: the caller's moment to get ready to show the verdict (a shell loads its
    # renderer). Whatever it raises is ignored: showing the verdict will raise it again.
    while_scanning: Callable[[], object] | None = None


def run_gate(
    start: Path,
    request: ChangeRequest,
    options: GateOptions = GateOptions(),  # frozen: a safe default
    *,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> GateRun:
    """The verdict on the change, recorded in the ledger. Never raises; fails closed."""
    try:
        workspace = open_workspace(start, environ, clock)
        scan = DiffScan(workspace)  # the scanners get ready from here on
    except Exception as error:  # noqa: BLE001 - fail closed: nothing to judge with
        from signoff.service.gate_judge import blocked_run  # noqa: PLC0415

        return blocked_run(error, request)
    try:
        scan.resolve(request)
        # Imported now, while the scanners get ready: see the module's docstring.
        from signoff.service.gate_judge import judge_and_record  # noqa: PLC0415

        return judge_and_record(workspace, scan, request, options)
    finally:
        scan.close()
