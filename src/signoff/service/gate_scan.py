"""The gate's scan of a diff: git streamed, parsed, hashed and run through the risk rules.

The scan is got ready while the change is still being resolved. As soon as the workspace is
open, a *preparer* process is forked: it loads and compiles the risk rules (imports, regexes,
RE2: about 0.05 s that does not depend on the change) from the slice's rules, handed to it at
once, while this process resolves the revisions and imports what judges the verdict. When the
change arrives through the same pipe, the preparer forks one scanner per core, each with the
rules ready, each scanning a share of the diff, while this process opens the ledger and reads
the spec. A scanner answers this process directly, through its own pipe, with only its counts
and capped evidence. The preparer keeps the pipe from which the scanners claim chunks of
whole files full (:func:`~signoff.service.scan_processes.feed_claims`) until they are done,
then reaps them and ends as the first that failed did (killed by the same signal, or with
the same exit status), so a scanner's fate reads here as it would for a child of this
process. Any failure becomes the reason of a blocked verdict, and every process is always
reaped. This module is the gate's side: it forks, hands over the work and reads and checks the
answers; :mod:`signoff.service.diff_scanner` has the work the forked processes do, and
:mod:`signoff.service.scan_processes` forks, stops and reaps them.
"""

from __future__ import annotations

import os
import pickle
from typing import TYPE_CHECKING

from signoff.core.errors import SignoffError
from signoff.core.risk.model import (
    EVIDENCE_CAP,
    Detection,
    DetectionPart,
    Evidence,
    Recorded,
    merge_parts,
)
from signoff.core.whole_files import Share
from signoff.service import diff_scanner
from signoff.service.change import Change, ChangeRequest, resolve_change
from signoff.service.diff_scanner import ScanJob, ScanPart
from signoff.service.scan_processes import (
    Preparer,
    can_fork,
    exit_status,
    fork_preparer,
    reap,
    scanners,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from signoff.core.gates.model import DiffSummary
    from signoff.service.workspace import Workspace

    ScanResult = tuple[DiffSummary, tuple[Detection, ...]]


def merge(change: Change, parts: Sequence[ScanPart]) -> ScanResult:
    """The whole diff's summary and detections from its scanners' parts (first share first)."""
    from signoff.core.gates.model import DiffSummary  # noqa: PLC0415 - after the scanners start

    hashed = parts[-1]
    if not isinstance(hashed.sha256, str) or type(hashed.files) is not int:
        raise SignoffError(f"the diff scan lost the diff's hash; {_AGAIN}")
    summary = DiffSummary(
        base=change.base,
        head=change.head,
        sha256=hashed.sha256,
        files=hashed.files,
        added=sum(part.added for part in parts),
        removed=sum(part.removed for part in parts),
        staged=change.staged,
    )
    return summary, merge_parts([part.detections for part in parts], EVIDENCE_CAP)


class DiffScan:
    """The change resolved, and its diff scanned by forked processes while this one works.

    Built as soon as the workspace is open: it forks the preparer (see the module's
    docstring), which gets the rules ready while :meth:`resolve` works out the revisions and
    hands it the change. Each scanner scans one share of the diff
    (:class:`~signoff.core.whole_files.Share`: the files added or deleted whole in chunks, to
    whichever scanner claims one first, the patched ones to the first), one per core;
    :func:`merge` joins their parts into exactly what one scan of the whole diff gives. It
    fails closed: a scanner's error becomes this process's error, a scanner that dies without
    a word is an error too, and every process is always reaped (and stopped first, if the
    verdict no longer needs it).
    Without ``fork``, or with other threads running (forking those is unsafe), the scan runs
    here, whole, when asked for.

    A change that cannot be resolved raises when it is asked for, not before: the ledger being
    out of reach is reported first, as it always was.
    """

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._preparer: Preparer | None = None
        self._change: Change | None = None
        self._job: ScanJob | None = None
        self._problem: Exception | None = None  # the change's, raised by change()
        self._scan_problem: Exception | None = None  # the scan's, raised by result()
        if can_fork():
            self._preparer = _fork_preparer(scanners(workspace.environ))
        # The rules now: the preparer compiles them while the change is resolved.
        self._order(workspace.standards)

    def resolve(self, request: ChangeRequest) -> None:
        """Work out the change and hand it to the scanners. An error is kept for
        :meth:`change` to raise (or, if only the scan cannot start, for :meth:`result`), and
        nothing is scanned."""
        try:
            self._change = resolve_change(self._workspace, request)
        except Exception as error:  # noqa: BLE001 - raised again by change(), where it was
            self._problem = error
            self.close()
            return
        try:  # asked here, where it costs no time: the preparer is still compiling the rules
            self._job = diff_scanner.scan_job(self._change)
        except Exception as error:  # noqa: BLE001 - raised again by result()
            self._scan_problem = error
            self.close()
            return
        self._order(self._job)
        preparer = self._preparer
        if preparer is not None and preparer.orders is not None:
            os.close(preparer.orders)  # all it is told
            preparer.orders = None

    def _order(self, order: object) -> None:
        """Send the preparer what it needs next; if it is gone, the scan runs here instead."""
        preparer = self._preparer
        if preparer is None or preparer.orders is None:
            return
        data = pickle.dumps(order)
        try:
            while data:  # a pipe may take a large write in parts
                data = data[os.write(preparer.orders, data) :]
        except OSError:
            self.close()

    @property
    def repository(self) -> Path | None:
        """The repository's top folder, when the change was resolved."""
        return None if self._change is None else self._change.repository

    def change(self) -> Change:
        if self._change is None:
            if self._problem is None:
                raise SignoffError(f"the change was never resolved; {_AGAIN}")
            raise self._problem
        return self._change

    def result(self) -> ScanResult:
        """The scan's summary and detections; waits for the scanners. Raises what a scan
        raised (the first share's first)."""
        change = self.change()
        if self._scan_problem is not None:
            raise self._scan_problem
        if self._job is None:  # pragma: no cover - resolve() sets one or the other
            raise SignoffError(f"the diff scan was never set up; {_AGAIN}")
        preparer = self._preparer
        if preparer is None:
            detector = diff_scanner.prepare(self._workspace.standards)
            return merge(change, [diff_scanner.scan(self._job, detector, Share())])
        try:
            answers: list[bytes] = []
            while preparer.answers:
                answers.append(_read_all(preparer.answers.pop(0)))  # closes it
            status = reap(preparer.pid, stop=False)
            preparer.pid = 0
        finally:
            self.close()
        parts = [_part(data, status) for data in answers]  # the first share's error first
        shares = [part.share for part in parts]
        if shares != list(range(len(parts))):
            raise SignoffError(
                f"the diff scans answered for shares {shares}, not each once; {_AGAIN}"
            )
        return merge(change, parts)

    def close(self) -> None:
        """Stop the preparer and its scanners if they still run, and reap them."""
        preparer, self._preparer = self._preparer, None
        if preparer is not None:
            preparer.stop()


def _fork_preparer(count: int) -> Preparer | None:
    """The preparer, forked (None: the scan runs here)."""
    return fork_preparer(count, diff_scanner.run_preparer)


def _read_all(descriptor: int) -> bytes:
    with os.fdopen(descriptor, "rb") as pipe:
        return pipe.read()


def _part(data: bytes, status: int | None) -> ScanPart:
    """A scanner's answer as its part of the scan, given how the preparer ended; or the
    error that says why there is none."""
    try:
        answer: object = pickle.loads(data)  # noqa: S301 - our own scanner's answer
    except Exception:  # noqa: BLE001 - a scanner that died mid-answer, or before it
        raise SignoffError(
            f"the diff scan stopped without an answer ({exit_status(status)}); {_AGAIN}"
        ) from None
    # A process that did not end cleanly may have answered before it went wrong: no answer
    # is trusted then (fail closed), however whole it looks.
    if status is None or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        raise SignoffError(
            f"the diff scan ended with {exit_status(status)} after answering; {_AGAIN}"
        )
    return _checked(answer)


_AGAIN = "run signoff gate again, and report it if it happens again"


def _checked(answer: object) -> ScanPart:
    """The scanner's answer as its part of the scan, or its error raised; any other shape
    blocks."""
    if isinstance(answer, tuple) and len(answer) == 2:  # (done, outcome)
        done, outcome = answer
        if done is False and isinstance(outcome, str):
            raise SignoffError(outcome)
        if done is True and _well_formed(outcome):
            assert isinstance(outcome, ScanPart)  # noqa: S101 - checked just now
            return outcome
    raise SignoffError(
        f"the diff scan answered {type(answer).__name__}, not a scan of the diff; {_AGAIN}"
    )


def _well_formed(part: object) -> bool:
    if not isinstance(part, ScanPart) or not isinstance(part.detections, DetectionPart):
        return False
    return all(
        isinstance(item, Recorded) and isinstance(item.evidence, Evidence)
        for item in part.detections.recorded
    ) and all(
        isinstance(category, str) and type(count) is int
        for category, count in part.detections.counts
    )
