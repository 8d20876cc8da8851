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
reaped (:mod:`signoff.service.scan_processes` forks, stops and reaps).
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
from signoff.service.scan_processes import (
    FAILED,
    Preparer,
    can_fork,
    claim,
    end,
    exit_status,
    feed_claims,
    fork_preparer,
    open_claims,
    reap,
    scanners,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path

    from signoff.core.diff import FileChange
    from signoff.core.gates.model import DiffSummary
    from signoff.core.patch import RawRecord
    from signoff.core.risk.detect import RiskDetector
    from signoff.core.standards import Standards
    from signoff.service.workspace import Workspace

    ScanResult = tuple[DiffSummary, tuple[Detection, ...]]


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


def _scan(job: ScanJob, detector: RiskDetector, share: Share) -> ScanPart:
    """Stream one share of the diff: count it, run the risk rules over it (and, for the last
    share, hash the whole diff). ``detector`` is fresh from :func:`prepare`."""
    hasher = DiffHasher() if share.index == share.count - 1 else None
    files = 0

    def every(record: RawRecord) -> None:
        nonlocal files
        files += 1
        assert hasher is not None  # noqa: S101 - only the last share is given this
        hasher.add_sides(
            record.status,
            record.path,
            record.old_path,
            (record.old_mode, record.old_blob),
            (record.new_mode, record.new_blob),
        )

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


Outcome = tuple[bool, object]  # (True, the result) or (False, why it failed, as a verdict says)


def _outcome(work: Callable[[], object]) -> Outcome:
    try:
        return True, work()
    except SignoffError as error:
        return False, str(error)
    except Exception as error:  # noqa: BLE001 - fail closed: a bug must not pass a change
        return False, f"internal error: {type(error).__name__}: {error}"


def _scan_outcome(job: ScanJob, detector: RiskDetector, share: Share) -> Outcome:
    """(True, the scan) or (False, the reason it failed)."""
    return _outcome(lambda: _scan(job, detector, share))


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
            self._job = scan_job(self._change)
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
            detector = prepare(self._workspace.standards)
            return merge(change, [_scan(self._job, detector, Share())])
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
    return fork_preparer(count, run_preparer)


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
        ready = _outcome(lambda: prepare(standards))
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
        _answer(answer, _scan_outcome(job, detector, share))
        code = 0
    finally:
        os._exit(code)


def _answer(answer: int, outcome: Outcome) -> None:  # pragma: no cover
    payload = pickle.dumps(outcome)
    with os.fdopen(answer, "wb", closefd=False) as pipe:
        pipe.write(payload)
