"""Run a command gate's command: through the shell, with a timeout, keeping the output's tail.

A test suite can print megabytes; only the last :data:`TAIL_BYTES` are kept, read as they come
so memory stays flat. On timeout the whole process group is killed, not just the shell.

A process the command leaves running in the background may hold the output open long after the
shell exits. The result does not wait for it beyond :data:`DRAIN_WAIT_SECONDS`, and the reader
alone closes the pipe, once it sees the end: closed under a reader still waiting on it, the
descriptor's number could be handed to another file (the ledger's, git's pipe), which the
reader would then drain.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

TAIL_BYTES = 16_384
DRAIN_WAIT_SECONDS = 5.0  # how long the output is waited for once the command has exited
_CHUNK = 65_536


@dataclass(frozen=True, slots=True)
class CommandRun:
    """How a command gate's command ran: its exit code, the tail of its output, its time."""

    exit_code: int | None  # None: could not start, or killed at the timeout
    output: str  # the tail of stdout and stderr, interleaved as written
    seconds: float
    error: str | None = None


def run_command(
    command: str, cwd: Path, timeout_seconds: float, env: Mapping[str, str] | None = None
) -> CommandRun:
    """Run ``command`` with ``/bin/sh -c`` in ``cwd``; stdout and stderr go to one pipe."""
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            ["/bin/sh", "-c", command],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            start_new_session=True,  # its own process group, so a timeout kills it all
        )
    except OSError as failure:
        return CommandRun(None, "", 0.0, f"could not start: {failure.strerror}")
    tail: deque[bytes] = deque()
    kept = [0]

    def drain() -> None:
        pipe = process.stdout
        assert pipe is not None  # noqa: S101 - set by Popen(stdout=PIPE)
        try:
            descriptor = pipe.fileno()
            while chunk := os.read(descriptor, _CHUNK):
                tail.append(chunk)
                kept[0] += len(chunk)
                while kept[0] - len(tail[0]) >= TAIL_BYTES:
                    kept[0] -= len(tail.popleft())
        finally:
            pipe.close()  # here only: see the module's docstring

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    error = None
    try:
        exit_code: int | None = process.wait(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        exit_code = None
        error = f"timed out after {timeout_seconds:g}s and was stopped"
    reader.join(timeout=DRAIN_WAIT_SECONDS)
    output = b"".join(tuple(tail))[-TAIL_BYTES:].decode("utf-8", "replace")
    return CommandRun(exit_code, output, time.monotonic() - started, error)
