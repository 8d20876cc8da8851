"""The processes that scan a diff for ``signoff gate``: how they start, stop and are reaped.

A *preparer* is forked first: it loads the risk rules and, once it has the change, forks one
*scanner* per share of the diff (:mod:`signoff.service.diff_scanner` has the work both do,
:mod:`signoff.service.gate_scan` the parent's side). This module forks, stops and reaps them,
and deals out the whole files the scanners claim.

Stopping: the preparer and scanners ignore SIGINT (Ctrl-C reaches the whole process group)
and obey SIGTERM from their parent, unwinding once and stopping and reaping what they started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import TYPE_CHECKING, Final, NoReturn

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    # The preparer's work: given the orders pipe's read end and the scanners' answer pipes'
    # write ends, it never returns (it ends the process as its scanners ended).
    PreparerWork = Callable[[int, list[int]], NoReturn]

# More scanners than this gain little: git and the merge do not divide.
MAX_SCANNERS = 4
SCANNERS_VARIABLE = "SIGNOFF_SCANNERS"
FAILED = 1 << 8  # a wait status: "exit status 1"


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


def can_fork() -> bool:
    """Whether forking is possible and safe: not with other threads running (a fork copies
    only the calling thread, and whatever locks the others held stay held)."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Preparer:
    """The forked preparer, and this process's ends of the pipes to it and from its scanners."""

    __slots__ = ("answers", "orders", "pid")

    def __init__(self, pid: int, orders: int, answers: list[int]) -> None:
        self.pid = pid
        self.orders: int | None = orders  # write end: the rules, then the change; then closed
        self.answers = answers  # read ends, one per share, in share order

    def stop(self) -> None:
        """Close this process's ends, stop the preparer and its scanners, and reap it."""
        for descriptor in (self.orders, *self.answers):
            if descriptor is not None:
                with contextlib.suppress(OSError):
                    os.close(descriptor)
        self.orders, self.answers = None, []
        reap(self.pid, stop=True)
        self.pid = 0


def fork_preparer(count: int, work: PreparerWork) -> Preparer | None:
    """Fork a preparer for ``count`` scanners, with its pipes, to do ``work``; None when the
    system refuses (out of file descriptors, processes or memory)."""
    pipes: list[tuple[int, int]] = []
    try:
        while len(pipes) < count + 1:  # the orders, then one answer pipe per share
            pipes.append(os.pipe())
        pid = os.fork()
    except OSError:
        for read, write in pipes:
            os.close(read)
            os.close(write)
        return None
    (orders_read, orders_write), answers = pipes[0], pipes[1:]
    if pid == 0:  # pragma: no cover - the preparer; its coverage is not collected
        os.close(orders_write)
        for read, _ in answers:
            os.close(read)
        try:
            obey_the_parent()
            work(orders_read, [write for _, write in answers])
        finally:
            end(FAILED)  # reached only if the work could not even start
    os.close(orders_read)
    for _, write in answers:
        os.close(write)
    return Preparer(pid, orders_write, [read for read, _ in answers])


# Dealing whole files by claim (core.whole_files.Share): the preparer keeps a pipe full of
# numbered tokens, and a scanner claims the next chunk by reading one. A read of a few bytes
# from a pipe whose every write was whole tokens, in one piece, gets one whole token; each
# carries its number twice (the second scrambled), so a token read in pieces, against all
# expectation, fails the check and blocks the verdict instead of losing files.
_TOKEN_BYTES: Final = 8
_SCRAMBLE: Final = 0x5EED_C1A1
_TOKENS_PER_WRITE: Final = 64  # 512 bytes: the least PIPE_BUF POSIX allows, so never split


def _tokens(first: int) -> bytes:
    return b"".join(
        number.to_bytes(4, "little") + (number ^ _SCRAMBLE).to_bytes(4, "little")
        for number in range(first, first + _TOKENS_PER_WRITE)
    )


def open_claims() -> tuple[int, int]:
    """The claims pipe (read end, write end), its first tokens already in it."""
    read, write = os.pipe()
    os.write(write, _tokens(0))
    return read, write


def claim(read: int) -> int:
    """The next chunk's number, read from the claims pipe (a RuntimeError if it cannot be)."""
    token = os.read(read, _TOKEN_BYTES)
    if not token:
        raise RuntimeError("the claims pipe closed early: the preparer has gone")
    number = int.from_bytes(token[:4], "little")
    if len(token) != _TOKEN_BYTES or int.from_bytes(token[4:], "little") != number ^ _SCRAMBLE:
        raise RuntimeError("a claim token was read in pieces")
    return number


def feed_claims(write: int) -> None:
    """Keep the claims pipe full until every scanner has closed it (done, or gone); then
    close it. The pipe holds what is ahead; a write blocks until a scanner reads."""
    number = _TOKENS_PER_WRITE  # open_claims wrote the first ones
    try:
        while True:
            os.write(write, _tokens(number))
            number += _TOKENS_PER_WRITE
    except BrokenPipeError:  # no reader left: every scanner has ended
        pass
    finally:
        os.close(write)


def reap(pid: int, *, stop: bool) -> int | None:
    """Wait for a child (stopping it first when asked); its exit status, once."""
    if pid <= 0:
        return None
    if stop:
        # SIGTERM, not SIGKILL: it unwinds, and stops and reaps what it started.
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:  # pragma: no cover - retried by Python since 3.5
            continue
        except ChildProcessError:  # pragma: no cover - reaped elsewhere
            return None


def exit_status(status: int | None) -> str:
    """A wait status in words, for a verdict's reason."""
    if status is not None and os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    if status is not None and os.WIFEXITED(status):
        return f"exit status {os.WEXITSTATUS(status)}"
    return "no exit status"


# ---------------------------------------------------------------- in the forked processes
# Their coverage is not collected; tests/test_gate_scan_process.py runs them for real.


def _stop(_signal: int, _frame: object) -> None:  # pragma: no cover
    # Once: a second signal must not cut short the clean-up that stops and reaps the rest.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(1)


def obey_the_parent() -> None:  # pragma: no cover
    """The parent decides when the scan stops (Ctrl-C reaches the whole process group): it
    sends SIGTERM, and the process unwinds once, stopping and reaping what it started."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)


def end(status: int) -> NoReturn:  # pragma: no cover
    """Leave as ``status`` says: killed by the same signal, or with the same exit status."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        with contextlib.suppress(OSError, ValueError):
            signal.signal(number, signal.SIG_DFL)
        with contextlib.suppress(OSError, ValueError):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {number})
        os.kill(os.getpid(), number)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
