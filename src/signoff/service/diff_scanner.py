"""What the gate's scanning processes do (:mod:`signoff.service.gate_scan` forks them and reads
their answers): the preparer loads and compiles the risk rules, then forks one scanner per
core; each scanner streams its share of the diff from git, counts it, runs the rules over it
(the last one also hashes the whole diff) and answers through its pipe with its counts and
capped evidence, or with the reason it failed. In-process, without a fork, :func:`scan` is the
whole of it.
"""

from __future__ import annotations

import os
import pickle
import re
import signal
from collections.abc import Generator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, NoReturn, cast

from signoff.adapters import git
from signoff.core.diff import DiffHasher
from signoff.core.errors import SignoffError
from signoff.core.whole_files import Share
from signoff.service.scan_processes import (
    FAILED,
    claim,
    end,
    feed_claims,
    open_claims,
    reap,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from signoff.core.diff import FileChange
    from signoff.core.patch import RawRecord
    from signoff.core.risk.detect import RiskDetector
    from signoff.core.risk.model import DetectionPart
    from signoff.core.standards import Standards
    from signoff.service.change import Change


@dataclass(frozen=True, slots=True)
class ScanPart:
    """One scanner's share of the diff (see :class:`~signoff.core.whole_files.Share`): the
    lines it read and what the rules found in them; the last scanner also the hash and the
    file count of the whole diff, from the raw listing every scanner reads (the first already
    reads the patch of every file not read whole)."""

    share: int
    added: int
    removed: int
    detections: DetectionPart
    sha256: str | None = None
    files: int | None = None


@dataclass(frozen=True, slots=True)
class ScanJob:
    """The change to scan, and what every scanner would otherwise ask git itself before it
    reads a file: asked once, by the gate's own process, while the preparer is busy."""

    change: Change
    # Every directory of the base tree, to tell a new top-level service from a file added to
    # an old one; None (unknown) for a first commit, where everything would look new.
    directories_before: frozenset[str] | None
    big_file_threshold: int  # core.bigFileThreshold


def scan_job(change: Change) -> ScanJob:
    """The change, with what the scanners need of git (two quick calls)."""
    from signoff.adapters.git_whole import big_file_threshold  # noqa: PLC0415 - loaded already

    directories = None
    if change.base not in git.EMPTY_TREES:
        directories = git.directories(change.repository, change.base)
    return ScanJob(change, directories, big_file_threshold(change.repository))


def preload() -> None:
    """Load what :func:`prepare` needs before the slice's rules arrive: the rule modules, RE2,
    and the built-in line patterns' screen translations."""
    # Imported here: the rules load where the diff is scanned, not where the verdict is kept.
    import signoff.core.risk.detect  # noqa: F401, PLC0415
    from signoff.core.risk.builtin import BUILTIN_RULES  # noqa: PLC0415
    from signoff.core.risk.prefilter import builtin_line_patterns, warm  # noqa: PLC0415

    warm(builtin_line_patterns(BUILTIN_RULES), re.MULTILINE)


def prepare(standards: Standards) -> RiskDetector:
    """What every scanner needs before it reads a file: the slice's risk rules, compiled, and
    the RE2 screens' translations made (a ConfigError for a rule that cannot run)."""
    from signoff.core.risk.detect import RiskDetector  # noqa: PLC0415 - see preload

    detector = RiskDetector(standards.risk_rules())
    detector.prepare_screens()
    return detector


def scan(job: ScanJob, detector: RiskDetector, share: Share) -> ScanPart:
    """Stream one share of the diff: count it, run the risk rules over it (and, for the last
    share, hash the whole diff). ``detector`` is fresh from :func:`prepare`."""
    hasher = DiffHasher() if share.index == share.count - 1 else None
    files = 0

    def every(record: RawRecord) -> None:
        nonlocal files
        files += 1
        assert hasher is not None  # noqa: S101 - only the last share is given this
        hasher.add(record)

    change = job.change
    changes = change.share(share, every if hasher is not None else None, job.big_file_threshold)
    added = removed = 0
    wanting_content: list[tuple[int, FileChange]] = []
    detector.learn_directories_before(job.directories_before)
    try:
        for batch in _batches(changes):
            for index, file_change in batch:
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


_BATCH_FILES = 64
_BATCH_CHARACTERS = 1 << 20


def _batches(
    changes: Iterator[tuple[int, FileChange]],
) -> Iterator[list[tuple[int, FileChange]]]:
    """The files in batches (up to 64 files, or about a megabyte of lines), read all before
    any is scanned: reading then scanning file by file makes both work from cold processor
    caches (the git readers' buffers, the rules' tables and RE2's automata take turns), and
    costs ~10% more of the scan's time."""
    batch: list[tuple[int, FileChange]] = []
    size = 0
    for item in changes:
        batch.append(item)
        size += len(item[1].added_lines.text) + len(item[1].removed_lines.text)
        if len(batch) >= _BATCH_FILES or size >= _BATCH_CHARACTERS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


Outcome = tuple[bool, object]  # (True, the result) or (False, why it failed, as a verdict says)


def outcome(work: Callable[[], object]) -> Outcome:
    try:
        return True, work()
    except SignoffError as error:
        return False, str(error)
    except Exception as error:  # noqa: BLE001 - fail closed: a bug must not pass a change
        return False, f"internal error: {type(error).__name__}: {error}"


def scan_outcome(job: ScanJob, detector: RiskDetector, share: Share) -> Outcome:
    """(True, the scan) or (False, the reason it failed)."""
    return outcome(lambda: scan(job, detector, share))


# ---------------------------------------------------------------- in the forked processes
# Their coverage is not collected; tests/test_gate_scan_process.py runs them for real.


def run_preparer(orders: int, answers: list[int]) -> NoReturn:  # pragma: no cover
    """The preparer (see the module's docstring): it never returns, nor runs the parent's
    clean-up, and ends as the first scanner that failed did."""
    status = FAILED
    running: list[int] = []
    try:
        status = _prepare_and_scan(orders, answers, running)
    except BaseException:  # noqa: BLE001 - stopped, or a bug: the parent trusts no answer
        status = FAILED
    finally:
        for pid in running:  # stopped early: stop the scanners too
            reap(pid, stop=True)
        end(status)


def _prepare_and_scan(  # pragma: no cover
    orders: int, answers: list[int], running: list[int]
) -> int:
    """The preparer's work; the wait status it ends with. ``running`` lists the scanners
    forked and not yet reaped, for the caller to stop if this is cut short."""
    preload()
    with os.fdopen(orders, "rb") as pipe:
        try:
            standards = pickle.load(pipe)  # noqa: S301 - from our own parent
        except EOFError:  # not taken: the command needed no scan
            return 0
        ready = outcome(lambda: prepare(standards))
        try:
            job = pickle.load(pipe)  # noqa: S301 - from our own parent
        except EOFError:  # nothing to scan: the change could not be resolved
            return 0
    if not ready[0]:  # the rules cannot run: the first share says why, the others nothing
        _answer(answers[0], ready)
        return 0
    detector = cast("RiskDetector", ready[1])
    claims = open_claims() if len(answers) > 1 else None
    for index in range(len(answers)):
        _fork_scanner(answers, index, job, detector, running, claims=claims)
        os.close(answers[index])
        answers[index] = -1
    if claims is not None:
        os.close(claims[0])
        feed_claims(claims[1])  # until the scanners are done with it
    status = 0
    while running:
        ended = reap(running[0], stop=False)
        running.pop(0)
        if status == 0 and ended != 0:
            status = FAILED if ended is None else ended
    return status


def _fork_scanner(
    answers: list[int],
    index: int,
    job: ScanJob,
    detector: RiskDetector,
    running: list[int],
    *,
    claims: tuple[int, int] | None,
) -> None:  # pragma: no cover
    """Fork the scanner of share ``index``, listed in ``running`` before SIGTERM can arrive:
    arriving in between, it would leave a scanner nobody knows to stop. With ``claims`` (the
    claims pipe's ends), it claims its whole files; without, it takes its turn."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        pid = os.fork()
        if pid == 0:
            for other, descriptor in enumerate(answers):
                if other != index and descriptor >= 0:
                    os.close(descriptor)
            share = Share(index, len(answers))
            if claims is not None:
                os.close(claims[1])  # the preparer's end: without it, a gone preparer reads EOF
                share = Share(index, len(answers), partial(claim, claims[0]))
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            _scanner(answers[index], job, detector, share)
        running.append(pid)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _scanner(
    answer: int, job: ScanJob, detector: RiskDetector, share: Share
) -> NoReturn:  # pragma: no cover
    """Scan one share, write the outcome to the pipe, and leave without any clean-up."""
    code = 1
    try:
        _answer(answer, scan_outcome(job, detector, share))
        code = 0
    finally:
        os._exit(code)


def _answer(answer: int, outcome: Outcome) -> None:  # pragma: no cover
    payload = pickle.dumps(outcome)
    with os.fdopen(answer, "wb", closefd=False) as pipe:
        pipe.write(payload)
