"""Starting git: its command line and environment, and its failures as one-line errors.

Shared by :mod:`signoff.adapters.git` and :mod:`signoff.adapters.git_whole`, which both
stream from long-running gits (:func:`start`). Every call runs
``git`` with ``LC_ALL=C`` (messages in one language) and ``GIT_OPTIONAL_LOCKS=0`` (a gate never
takes the index lock a person's ``git`` needs), and without the environment settings that
would reshape diff output behind the command line's back.
"""

from __future__ import annotations

import os
import subprocess
from contextlib import suppress
from typing import IO, TYPE_CHECKING, Final

from signoff.core.errors import GitError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

GIT_MISSING: Final = (
    "git is not installed or not on PATH; install git (https://git-scm.com/downloads) and run again"
)
_PIPE_SIZE: Final = 1 << 20  # Linux's default ceiling for an unprivileged pipe


def command(args: Iterable[str]) -> list[str]:
    return ["git", "-c", "core.quotepath=off", *args]


# Environment settings that would reshape diff output behind the command line's back.
DIFF_SHAPING_VARIABLES: Final = frozenset({"GIT_DIFF_OPTS", "GIT_EXTERNAL_DIFF"})


def environment() -> dict[str, str]:
    environment = {
        name: value for name, value in os.environ.items() if name not in DIFF_SHAPING_VARIABLES
    }
    return {**environment, "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}


def start_failed(cwd: Path, error: OSError) -> GitError:
    if isinstance(error, FileNotFoundError) and not cwd.is_dir():
        return GitError(f"{cwd} is not a folder; run signoff from inside a git clone")
    if isinstance(error, FileNotFoundError):
        return GitError(GIT_MISSING)
    return GitError(f"git could not be started ({error}); check that git is installed and runs")


def failure(root: Path, args: Iterable[str], stderr: bytes) -> GitError:
    """git's own complaint as one line, with the fix where we know it."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    first = next((line for line in lines if line), "no message")
    if "dubious ownership" in first:
        return GitError(
            f"git refuses the repository at {root} (owned by another user); trust it with "
            f"`git config --global --add safe.directory {root}`"
        )
    command = " ".join(arg for arg in args if not arg.startswith("-"))
    return GitError(f"git {command} failed in {root}: {first}")


def widen(pipe: IO[bytes]) -> None:
    """A 1 MiB pipe: git writes in fewer, larger steps (Linux only; harmless elsewhere)."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only

        set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
        if set_size is not None:
            with suppress(OSError):  # over the per-user pipe budget: keep the default size
                fcntl.fcntl(pipe.fileno(), set_size, _PIPE_SIZE)
    except ImportError:  # pragma: no cover - Windows
        return


def error_file() -> IO[bytes]:
    """An unnamed file for a git's stderr: a file, not a pipe, so that nobody has to drain it
    while its stdout is read. On Linux a memfd, which costs nothing to make; elsewhere a
    temporary file (importing ``tempfile`` costs ~10 ms, in every process that scans)."""
    make = getattr(os, "memfd_create", None)
    if make is not None:
        with suppress(OSError):  # a kernel without memfd: the temporary file will do
            return os.fdopen(make("signoff-git-stderr", os.MFD_CLOEXEC), "w+b")
    import tempfile  # noqa: PLC0415 - see the docstring

    return tempfile.TemporaryFile()


def start(
    root: Path, args: tuple[str, ...], *, stdin: int, errors: IO[bytes]
) -> subprocess.Popen[bytes]:
    """A git whose output this process reads as it comes: unbuffered, through a widened pipe,
    its stderr into ``errors`` (a file, not a pipe: nobody has to drain it while we read).
    ``stdin`` is ``subprocess.PIPE`` for a git that is asked questions, else
    ``subprocess.DEVNULL``."""
    try:
        process = subprocess.Popen(
            command(args),
            cwd=root,
            env=environment(),
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=errors,
            bufsize=0,
        )
    except OSError as error:
        raise start_failed(root, error) from error
    assert process.stdout is not None  # noqa: S101 - asked for above
    widen(process.stdout)
    return process
