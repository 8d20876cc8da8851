"""The gate's scan of a diff: git streamed, parsed, hashed and run through the risk rules.

It runs in a forked child process when it can, so the parent opens the ledger and reads the
spec meanwhile (on the first run, or with PostgreSQL, that means importing SQLAlchemy: about
0.4 s, see docs/performance.md). The child sends back only the summary and the capped
evidence; any failure in it becomes the reason of a blocked verdict, and it is always reaped.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
from collections.abc import Generator
from itertools import chain
from typing import TYPE_CHECKING

from signoff.adapters import git
from signoff.core.diff import DiffHasher
from signoff.core.errors import SignoffError
from signoff.core.gates.model import DiffSummary
from signoff.core.risk.model import Detection
from signoff.service.change import Change, ChangeRequest, resolve_change

if TYPE_CHECKING:
    from pathlib import Path

    from signoff.core.diff import FileChange
    from signoff.service.workspace import Workspace

    ScanResult = tuple[DiffSummary, tuple[Detection, ...]]


def _scan(change: Change, workspace: Workspace) -> ScanResult:
    """Stream the diff once: hash it, count it and run the risk rules over it."""
    # Imported here: the rules load in the scanning process, not in the one opening the ledger.
    from signoff.core.risk.detect import RiskDetector  # noqa: PLC0415

    changes = change.changes()
    try:
        # The first file starts git, which writes ahead into its pipe while the rules load.
        first = next(changes, None)
        # What existed before, to tell a new top-level service from a file added to an old one;
        # None (unknown) for a first commit, where everything would look new.
        directories = None
        if change.base not in git.EMPTY_TREES:
            directories = git.directories(change.repository, change.base)
        detector = RiskDetector(workspace.standards.risk_rules(), directories_before=directories)
        hasher = DiffHasher()
        files = added = removed = 0
        wanting_content: list[FileChange] = []
        for file_change in chain((first,) if first is not None else (), changes):
            hasher.add(file_change)
            files += 1
            added += len(file_change.added_lines)
            removed += len(file_change.removed_lines)
            if detector.needs_content(file_change):
                wanting_content.append(file_change)  # manifests: few and small, read in one batch
            else:
                detector.add(file_change)
    finally:
        if isinstance(changes, Generator):  # stops git if the scan stopped early
            changes.close()
    if wanting_content:
        blobs = git.read_blobs(
            change.repository,
            {blob for fc in wanting_content for blob in (fc.old_blob, fc.new_blob)},
        )
        for file_change in wanting_content:
            old = blobs.get(file_change.old_blob)
            new = blobs.get(file_change.new_blob)
            detector.add(
                file_change,
                old_text=None if old is None else old.decode("utf-8", "replace"),
                new_text=None if new is None else new.decode("utf-8", "replace"),
            )
    summary = DiffSummary(
        base=change.base,
        head=change.head,
        sha256=hasher.hexdigest(),
        files=files,
        added=added,
        removed=removed,
        staged=change.staged,
    )
    return summary, detector.detections()


def _scan_outcome(change: Change, workspace: Workspace) -> tuple[bool, ScanResult | str]:
    """(True, the scan) or (False, the reason it failed, worded as the verdict gives it)."""
    try:
        return True, _scan(change, workspace)
    except SignoffError as error:
        return False, str(error)
    except Exception as error:  # noqa: BLE001 - fail closed: a bug must not pass a change
        return False, f"internal error: {type(error).__name__}: {error}"


class DiffScan:
    """The change resolved, and its diff scanned in a forked child while this process works.

    Opening the full ledger imports SQLAlchemy, which takes about as long as scanning a large
    diff; in two processes (git's waits aside, one Python process runs one thing at a time) the two
    overlap. The child sends back only the small result, pickled through a pipe: the summary
    and the capped evidence. It fails closed: the child's error becomes this process's error,
    a child that dies without a word is an error too, and the child is always reaped (and
    stopped first, if the verdict no longer needs it). Without ``fork``, or with other threads
    running (forking those is unsafe), the scan runs here when it is asked for.

    A change that cannot be resolved raises when it is asked for, not before: the ledger being
    out of reach is reported first, as it always was.
    """

    def __init__(self, workspace: Workspace, request: ChangeRequest) -> None:
        self._workspace = workspace
        self._pid: int | None = None
        self._answers: int | None = None
        self._change: Change | None = None
        self._problem: Exception | None = None
        try:
            self._change = resolve_change(workspace, request)
        except Exception as error:  # noqa: BLE001 - raised again by change(), where it was
            self._problem = error
            return
        if hasattr(os, "fork") and threading.active_count() == 1:
            self._fork(self._change)

    def _fork(self, change: Change) -> None:
        try:
            answers, answer = os.pipe()
        except OSError:  # out of file descriptors: scan here instead
            return
        try:
            pid = os.fork()
        except OSError:  # out of processes or memory: scan here instead
            os.close(answers)
            os.close(answer)
            return
        if pid == 0:  # pragma: no cover - the child; its coverage is not collected
            _child(answers, answer, change, self._workspace)
        os.close(answer)
        self._pid, self._answers = pid, answers

    @property
    def repository(self) -> Path | None:
        """The repository's top folder, when the change was resolved."""
        return None if self._change is None else self._change.repository

    def change(self) -> Change:
        if self._change is None:
            assert self._problem is not None  # noqa: S101 - one or the other is set
            raise self._problem
        return self._change

    def result(self) -> ScanResult:
        """The scan's summary and detections; waits for the child. Raises what the scan raised."""
        change = self.change()
        if self._pid is None:
            return _scan(change, self._workspace)
        assert self._answers is not None  # noqa: S101 - set with the pid
        with open(self._answers, "rb", closefd=False) as pipe:
            data = pipe.read()
        status = self._reap(stop=False)
        try:
            answer: object = pickle.loads(data)  # noqa: S301 - our own child's answer
        except Exception:  # noqa: BLE001 - a child that died mid-answer
            raise SignoffError(
                f"the diff scan stopped without an answer ({_exit_status(status)}); {_AGAIN}"
            ) from None
        # A child that did not exit cleanly may have answered before it went wrong: its answer
        # is not trusted (fail closed), however whole it looks.
        if status is None or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            raise SignoffError(
                f"the diff scan ended with {_exit_status(status)} after answering; {_AGAIN}"
            )
        return _checked(answer)

    def close(self) -> None:
        """Stop the child if it still runs, and reap it."""
        self._reap(stop=True)

    def _reap(self, *, stop: bool) -> int | None:
        if self._answers is not None:
            os.close(self._answers)
            self._answers = None
        if self._pid is None:
            return None
        pid, self._pid = self._pid, None
        if stop:
            # SIGTERM, not SIGKILL: the child unwinds and kills and reaps its git processes.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        while True:
            try:
                return os.waitpid(pid, 0)[1]
            except InterruptedError:  # pragma: no cover - retried by Python since 3.5
                continue


_AGAIN = "run signoff gate again, and report it if it happens again"


def _checked(answer: object) -> ScanResult:
    """The child's answer as the scan's result, or its error raised; any other shape blocks."""
    if isinstance(answer, tuple) and len(answer) == 2:  # (done, outcome)
        done, outcome = answer
        if done is False and isinstance(outcome, str):
            raise SignoffError(outcome)
        if (
            done is True
            and isinstance(outcome, tuple)
            and len(outcome) == 2  # (summary, detections)
            and isinstance(outcome[0], DiffSummary)
            and isinstance(outcome[1], tuple)
            and all(isinstance(found, Detection) for found in outcome[1])
        ):
            return outcome[0], outcome[1]
    raise SignoffError(
        f"the diff scan answered {type(answer).__name__}, not a scan of the diff; {_AGAIN}"
    )


def _exit_status(status: int | None) -> str:
    if status is not None and os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    if status is not None and os.WIFEXITED(status):
        return f"exit status {os.WEXITSTATUS(status)}"
    return "no exit status"


def _stop(_signal: int, _frame: object) -> None:  # pragma: no cover - in the child
    # Once: a second signal must not cut short the clean-up that kills and reaps git.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(1)


def _child(
    answers: int, answer: int, change: Change, workspace: Workspace
) -> None:  # pragma: no cover - runs in the forked child, whose coverage is not collected
    """Scan, write the outcome to the pipe, and leave without running the parent's clean-up."""
    code = 1
    try:
        # The parent decides when the scan stops (Ctrl-C reaches the whole process group): it
        # sends SIGTERM, and the child unwinds once, stopping and reaping its git processes.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _stop)
        os.close(answers)
        payload = pickle.dumps(_scan_outcome(change, workspace))
        with open(answer, "wb", closefd=False) as pipe:
            pipe.write(payload)
        code = 0
    finally:
        os._exit(code)
