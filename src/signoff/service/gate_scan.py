"""The gate's scan of a diff: git streamed, parsed, hashed and run through the risk rules.

It runs in forked child processes when it can, one per core, each scanning a share of the
diff, so a large diff is read and checked on every core while the parent opens the ledger and
reads the spec (on the first run, or with PostgreSQL, that means importing SQLAlchemy: about
0.4 s, see docs/performance.md). A child sends back only its counts and capped evidence; any
failure in one becomes the reason of a blocked verdict, and every child is always reaped.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
from collections.abc import Generator
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

from signoff.adapters import git
from signoff.core.diff import DiffHasher
from signoff.core.errors import SignoffError
from signoff.core.gates.model import DiffSummary
from signoff.core.risk.model import (
    EVIDENCE_CAP,
    Detection,
    DetectionPart,
    Evidence,
    Recorded,
    merge_parts,
)
from signoff.core.whole_files import Share
from signoff.service.change import Change, ChangeRequest, resolve_change

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from signoff.core.diff import FileChange
    from signoff.core.patch import RawRecord
    from signoff.service.workspace import Workspace

    ScanResult = tuple[DiffSummary, tuple[Detection, ...]]

# More scanners than this gain little: git and the merge do not divide.
MAX_SCANNERS = 4
SCANNERS_VARIABLE = "SIGNOFF_SCANNERS"


@dataclass(frozen=True, slots=True)
class ScanPart:
    """One scanner's share of the diff (see :class:`~signoff.core.whole_files.Share`): the
    lines it read and what the rules found in them; the first scanner also the hash and the
    file count of the whole diff, from the raw listing every scanner reads."""

    share: int
    added: int
    removed: int
    detections: DetectionPart
    sha256: str | None = None
    files: int | None = None


def _scan(change: Change, workspace: Workspace, share: Share) -> ScanPart:
    """Stream one share of the diff: count it, run the risk rules over it (and, for the first
    share, hash the whole diff)."""
    hasher = DiffHasher() if share.index == 0 else None
    files = 0

    def every(record: RawRecord) -> None:
        nonlocal files
        files += 1
        assert hasher is not None  # noqa: S101 - only the first share is given this
        hasher.add_sides(
            record.status,
            record.path,
            record.old_path,
            (record.old_mode, record.old_blob),
            (record.new_mode, record.new_blob),
        )

    changes = change.share(share, every if hasher is not None else None)
    try:
        # The first file starts git, which reads ahead (the next files' blobs are asked for
        # already) while the rules load.
        first = next(changes, None)
        if first is None:  # nothing in this share (or an empty diff): no rules to load
            return ScanPart(
                share=share.index,
                added=0,
                removed=0,
                detections=DetectionPart((), ()),
                sha256=None if hasher is None else hasher.hexdigest(),
                files=files if hasher is not None else None,
            )
        # Imported here: the rules load in the scanning processes, not the one that records.
        from signoff.core.risk.detect import RiskDetector  # noqa: PLC0415

        # What existed before, to tell a new top-level service from a file added to an old one;
        # None (unknown) for a first commit, where everything would look new.
        directories = None
        if change.base not in git.EMPTY_TREES:
            directories = git.directories(change.repository, change.base)
        detector = RiskDetector(workspace.standards.risk_rules(), directories_before=directories)
        added = removed = 0
        wanting_content: list[tuple[int, FileChange]] = []
        for index, file_change in chain((first,), changes):
            added += len(file_change.added_lines)
            removed += len(file_change.removed_lines)
            if detector.needs_content(file_change):
                # manifests: few and small, read in one batch at the end
                wanting_content.append((index, file_change))
            else:
                detector.add(file_change, order=(0, index))
    finally:
        if isinstance(changes, Generator):  # stops git if the scan stopped early
            changes.close()
    if wanting_content:
        blobs = git.read_blobs(
            change.repository,
            {blob for _, fc in wanting_content for blob in (fc.old_blob, fc.new_blob)},
        )
        for index, file_change in wanting_content:
            old = blobs.get(file_change.old_blob)
            new = blobs.get(file_change.new_blob)
            detector.add(
                file_change,
                old_text=None if old is None else old.decode("utf-8", "replace"),
                new_text=None if new is None else new.decode("utf-8", "replace"),
                order=(1, index),
            )
    return ScanPart(
        share=share.index,
        added=added,
        removed=removed,
        detections=detector.part(),
        sha256=None if hasher is None else hasher.hexdigest(),
        files=files if hasher is not None else None,
    )


def merge(change: Change, parts: Sequence[ScanPart]) -> ScanResult:
    """The whole diff's summary and detections from its scanners' parts (first share first)."""
    first = parts[0]
    if first.sha256 is None or first.files is None:  # pragma: no cover - checked by _checked
        raise SignoffError(f"the diff scan lost the diff's hash; {_AGAIN}")
    summary = DiffSummary(
        base=change.base,
        head=change.head,
        sha256=first.sha256,
        files=first.files,
        added=sum(part.added for part in parts),
        removed=sum(part.removed for part in parts),
        staged=change.staged,
    )
    return summary, merge_parts([part.detections for part in parts], EVIDENCE_CAP)


def _scan_outcome(
    change: Change, workspace: Workspace, share: Share
) -> tuple[bool, ScanPart | str]:
    """(True, the scan) or (False, the reason it failed, worded as the verdict gives it)."""
    try:
        return True, _scan(change, workspace, share)
    except SignoffError as error:
        return False, str(error)
    except Exception as error:  # noqa: BLE001 - fail closed: a bug must not pass a change
        return False, f"internal error: {type(error).__name__}: {error}"


def scanners(environ: Mapping[str, str]) -> int:
    """How many processes scan the diff: ``SIGNOFF_SCANNERS`` when it is a number from 1 to
    :data:`MAX_SCANNERS` (a CI job held to fewer cores than it can see), else one per core
    this process may use, up to :data:`MAX_SCANNERS`."""
    chosen = environ.get(SCANNERS_VARIABLE, "").strip()
    if chosen.isdigit() and 1 <= int(chosen) <= MAX_SCANNERS:
        return int(chosen)
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    return max(1, min(MAX_SCANNERS, cores))


@dataclass(slots=True)
class _Child:
    pid: int
    answers: int | None  # the read end of its answer pipe, until read or closed


class DiffScan:
    """The change resolved, and its diff scanned by forked children while this process works.

    Each child scans one share of the diff (:class:`~signoff.core.whole_files.Share`: the
    files added or deleted whole are dealt out in turn, the patched ones go to the first), one
    per core, so a large diff is read and checked on every core, while this process opens the
    ledger and reads the spec; :func:`merge` joins their parts into exactly what one scan of
    the whole diff gives. A child sends back only its small part, pickled through a pipe: its
    counts and its capped evidence. It fails closed: a child's error becomes this process's
    error, a child that dies without a word is an error too, and every child is always reaped
    (and stopped first, if the verdict no longer needs it). Without ``fork``, or with other
    threads running (forking those is unsafe), the scan runs here, whole, when asked for.

    A change that cannot be resolved raises when it is asked for, not before: the ledger being
    out of reach is reported first, as it always was.
    """

    def __init__(self, workspace: Workspace, request: ChangeRequest) -> None:
        self._workspace = workspace
        self._children: list[_Child] = []
        self._change: Change | None = None
        self._problem: Exception | None = None
        try:
            self._change = resolve_change(workspace, request)
        except Exception as error:  # noqa: BLE001 - raised again by change(), where it was
            self._problem = error
            return
        if hasattr(os, "fork") and threading.active_count() == 1:
            count = scanners(workspace.environ)
            for index in range(count):
                if not self._fork(self._change, Share(index, count)):
                    self.close()  # a share missing: scan here instead, whole
                    break

    def _fork(self, change: Change, share: Share) -> bool:
        try:
            answers, answer = os.pipe()
        except OSError:  # out of file descriptors
            return False
        try:
            pid = os.fork()
        except OSError:  # out of processes or memory
            os.close(answers)
            os.close(answer)
            return False
        if pid == 0:  # pragma: no cover - the child; its coverage is not collected
            for sibling in self._children:  # an older sibling's answer is not ours to hold
                if sibling.answers is not None:
                    os.close(sibling.answers)
            _child(answers, answer, change, self._workspace, share)
        os.close(answer)
        self._children.append(_Child(pid, answers))
        return True

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
        """The scan's summary and detections; waits for the children. Raises what a scan
        raised (the first share's first)."""
        change = self.change()
        if not self._children:
            return merge(change, [_scan(change, self._workspace, Share())])
        try:
            parts = [self._answer(child) for child in self._children]
        finally:
            self.close()
        shares = [part.share for part in parts]
        if shares != list(range(len(parts))):
            raise SignoffError(
                f"the diff scans answered for shares {shares}, not each once; {_AGAIN}"
            )
        return merge(change, parts)

    def _answer(self, child: _Child) -> ScanPart:
        assert child.answers is not None  # noqa: S101 - read once
        with open(child.answers, "rb", closefd=False) as pipe:
            data = pipe.read()
        os.close(child.answers)
        child.answers = None
        status = _reap(child, stop=False)
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
        """Stop the children that still run, and reap them all."""
        children, self._children = self._children, []
        for child in children:
            if child.answers is not None:
                os.close(child.answers)
                child.answers = None
            _reap(child, stop=True)


def _reap(child: _Child, *, stop: bool) -> int | None:
    """Wait for a child (stopping it first when asked); its exit status, once."""
    if child.pid <= 0:
        return None
    pid, child.pid = child.pid, 0
    if stop:
        # SIGTERM, not SIGKILL: the child unwinds and kills and reaps its git processes.
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:  # pragma: no cover - retried by Python since 3.5
            continue
        except ChildProcessError:  # pragma: no cover - reaped elsewhere
            return None


_AGAIN = "run signoff gate again, and report it if it happens again"


def _checked(answer: object) -> ScanPart:
    """The child's answer as its part of the scan, or its error raised; any other shape blocks."""
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
    if part.share == 0 and (not isinstance(part.sha256, str) or not isinstance(part.files, int)):
        return False
    return all(
        isinstance(item, Recorded) and isinstance(item.evidence, Evidence)
        for item in part.detections.recorded
    ) and all(
        isinstance(category, str) and type(count) is int
        for category, count in part.detections.counts
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
    answers: int, answer: int, change: Change, workspace: Workspace, share: Share
) -> None:  # pragma: no cover - runs in the forked child, whose coverage is not collected
    """Scan, write the outcome to the pipe, and leave without running the parent's clean-up."""
    code = 1
    try:
        # The parent decides when the scan stops (Ctrl-C reaches the whole process group): it
        # sends SIGTERM, and the child unwinds once, stopping and reaping its git processes.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _stop)
        os.close(answers)
        payload = pickle.dumps(_scan_outcome(change, workspace, share))
        with open(answer, "wb", closefd=False) as pipe:
            pipe.write(payload)
        code = 0
    finally:
        os._exit(code)
