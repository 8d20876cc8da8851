"""Added and deleted files read whole from git: their blobs, and whether git calls them binary.

Two long-running git processes answer in the order they are asked: ``git cat-file --batch``
(a blob's size, then its bytes) and ``git check-attr --stdin -z diff`` (the ``diff`` attribute
of a path, which is where ``-diff`` and ``binary`` mark a file binary). Requests are written
ahead of the answers being read, which keeps both processes busy while Python works; to be
sure neither side ever waits on a full pipe while the other waits for it, at most
:data:`MAX_OUTSTANDING_BYTES` of requests are outstanding per process, well under any pipe's
capacity. The rules that turn the answers into a :class:`~signoff.core.diff.FileChange` are in
:mod:`signoff.core.whole_files`.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections import deque
from typing import IO, TYPE_CHECKING, Final

from signoff.adapters.git_process import (
    command,
    environment,
    error_file,
    failure,
    start,
    start_failed,
)
from signoff.core.diff import SUBMODULE_MODE
from signoff.core.errors import GitError
from signoff.core.whole_files import (
    BIG_FILE_THRESHOLD,
    binary_by_attribute,
    looks_binary,
    whole_file_change,
)

if TYPE_CHECKING:
    from pathlib import Path

    from signoff.core.diff import FileChange
    from signoff.core.patch import RawRecord

# Below the smallest pipe buffer in use (macOS starts pipes at 16 KiB, Linux at 64 KiB): with
# no more than this unanswered, writing a request never blocks, whatever git is doing.
MAX_OUTSTANDING_BYTES: Final = 12_000
# Requests are sent in batches (one write to each git per batch, not one per file: each write
# wakes git up, and 10,000 of them cost 0.25 s), when fewer than this many bytes are in flight.
_LOW_WATER: Final = MAX_OUTSTANDING_BYTES // 4
_READ: Final = 1 << 16
_LONGEST_BLOB_REQUEST: Final = 65  # a SHA-256 object id and its newline
_BUG = "report it with the output of `git --version`"


class _Process:
    """One git that reads requests on stdin and answers on stdout, in order."""

    def __init__(self, root: Path, args: tuple[str, ...]) -> None:
        self.args = args
        self.errors = error_file()
        try:
            self.process = start(root, args, stdin=subprocess.PIPE, errors=self.errors)
        except GitError:
            self.errors.close()
            raise
        self.requests: IO[bytes] = self.process.stdin  # type: ignore[assignment]
        self.answers: IO[bytes] = self.process.stdout  # type: ignore[assignment]
        # What was read and not yet taken is data[position:]: one copy per token taken, and
        # one join per read of the pipe (a bytearray sliced and trimmed copies twice).
        self.data = b""
        self.position = 0
        self.outstanding = 0  # bytes of requests not yet answered, sent or not
        self.unsent: list[bytes] = []
        self.in_flight = 0  # bytes sent and not yet answered

    def ask(self, request: bytes) -> None:
        """Queue a request; it is sent with others by :meth:`send`."""
        self.unsent.append(request)
        self.outstanding += len(request)

    def send(self, *, needed: bool) -> None:
        """Send what is queued, in one write: when an answer is needed that is not asked for
        yet, or when few requests are left in flight."""
        if self.unsent and (needed or self.in_flight < _LOW_WATER):
            batch = b"".join(self.unsent)
            self.unsent.clear()
            self.requests.write(batch)
            self.in_flight += len(batch)

    def answered(self, size: int) -> None:
        self.outstanding -= size
        self.in_flight -= size

    def _fill(self) -> None:
        chunk = self.answers.read(_READ)
        if not chunk:
            raise EOFError
        self.data = self.data[self.position :] + chunk
        self.position = 0

    def until(self, separator: bytes) -> bytes:
        """The answer's bytes up to ``separator`` (dropped)."""
        while (end := self.data.find(separator, self.position)) < 0:
            self._fill()
        piece = self.data[self.position : end]
        self.position = end + len(separator)
        return piece

    def tokens(self, count: int) -> list[bytes]:
        """The next ``count`` NUL-terminated tokens (one ``check-attr -z`` answer is three)."""
        while True:
            end = self.position - 1
            for _ in range(count):
                end = self.data.find(b"\0", end + 1)
                if end < 0:
                    break
            else:
                pieces = self.data[self.position : end].split(b"\0")
                self.position = end + 1
                return pieces
            self._fill()

    def exactly(self, size: int, *, then: int = 0) -> bytes:
        """The next ``size`` bytes, then ``then`` more dropped (git's newline after a blob)."""
        while len(self.data) - self.position < size + then:
            self._fill()
        piece = self.data[self.position : self.position + size]
        self.position += size + then
        return piece

    def skip(self, size: int) -> None:
        """Read past ``size`` bytes without keeping them (a blob too big to read)."""
        while size > len(self.data) - self.position:
            size -= len(self.data) - self.position
            self.data, self.position = b"", 0
            self._fill()
        self.position += size

    def complaint(self, root: Path) -> GitError:
        """git's own message, after it stopped answering."""
        with contextlib.suppress(OSError):
            self.requests.close()
        try:
            self.process.wait(2)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.errors.seek(0)
        return failure(root, self.args[:1], self.errors.read(4096) or b"it stopped answering")

    def close(self) -> None:
        """Stop it and reap it. Every answer wanted has been read (or no longer matters), so
        it is killed rather than waited for: waiting with a time limit polls in steps of up
        to 50 ms, on every gate run."""
        with contextlib.suppress(OSError):  # it has gone already
            self.requests.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.answers.close()
        self.errors.close()


class WholeFileReader:
    """Added and deleted files read whole, in the order asked: see the module's docstring."""

    def __init__(self, root: Path, big_file_threshold: int | None = None) -> None:
        """``big_file_threshold``: ``core.bigFileThreshold`` when the caller read it already
        (:func:`big_file_threshold`); else it is read when first needed."""
        self._root = root
        self._blobs: _Process | None = None
        self._attributes: _Process | None = None
        # each file asked: its record, its blob request's size, its path request
        self._asked: deque[tuple[RawRecord, int, bytes]] = deque()
        self._drivers: dict[str, bool | None] = {}
        self._threshold = big_file_threshold

    def ask(self, record: RawRecord) -> bool:
        """Queue the reads of one file; False when too much is outstanding already."""
        if SUBMODULE_MODE in (record.old_mode, record.new_mode):
            self._asked.append((record, 0, b""))  # no lines, nothing to read
            return True
        blobs, attributes = self._started()
        if self._asked and (  # full already (a path's bytes are at least its characters)
            blobs.outstanding + _LONGEST_BLOB_REQUEST > MAX_OUTSTANDING_BYTES
            or attributes.outstanding + len(record.path) + 1 > MAX_OUTSTANDING_BYTES
        ):
            return False
        blob = record.new_blob if record.status == "added" else record.old_blob
        blob_request = blob.encode("ascii") + b"\n"
        # the bytes git gave for the path (core.patch decodes them so)
        path_request = record.path.encode("utf-8", "surrogateescape") + b"\0"
        if self._asked and (
            blobs.outstanding + len(blob_request) > MAX_OUTSTANDING_BYTES
            or attributes.outstanding + len(path_request) > MAX_OUTSTANDING_BYTES
        ):
            return False
        attributes.ask(path_request)
        blobs.ask(blob_request)
        self._asked.append((record, len(blob_request), path_request))
        return True

    def take(self, record: RawRecord) -> FileChange:
        """The change of the oldest file asked for (``record``, checked)."""
        asked, blob_bytes, path_request = self._asked.popleft()
        if asked is not record:
            raise GitError(f"whole files were read out of order at {record.path!r}; {_BUG}")
        if not blob_bytes:
            return whole_file_change(record, None, binary=False)
        blobs, attributes = self._started()
        try:
            # Nothing in flight: this file's requests are still queued, so send them now.
            needed = attributes.in_flight == 0
            attributes.send(needed=needed)
            blobs.send(needed=needed)
            by_attribute = self._binary_by_attribute(attributes, path_request)
            content = self._blob(blobs, record, by_attribute)
        except (EOFError, OSError, ValueError):
            raise self._broken() from None
        blobs.answered(blob_bytes)
        attributes.answered(len(path_request))
        binary = (
            by_attribute if by_attribute is not None else (content is None or looks_binary(content))
        )
        return whole_file_change(record, None if binary else content, binary=binary)

    def _binary_by_attribute(self, attributes: _Process, path_request: bytes) -> bool | None:
        path, name, raw_value = attributes.tokens(3)
        value = raw_value.decode("utf-8", "surrogateescape")
        if name != b"diff" or path_request[:-1] != path:  # the request ends with its NUL
            raise ValueError("check-attr answered for another path")
        if value in ("set", "unset", "unspecified"):
            return binary_by_attribute(value)
        return binary_by_attribute(value, self._driver_binary(value))

    def _blob(self, blobs: _Process, record: RawRecord, binary: bool | None) -> bytes | None:
        """The blob's bytes; None, unread, when they are not wanted: binary by attribute, or
        over core.bigFileThreshold with nothing saying it is text (git calls it binary)."""
        header = blobs.until(b"\n").split()
        if len(header) != 3 or header[1] != b"blob":  # "<id> missing"
            raise GitError(
                f"git cannot read the blob of {record.path!r} "
                f"({b' '.join(header).decode('ascii', 'replace')}); "
                "fetch the missing objects (git fetch) and run again"
            )
        size = int(header[2])
        if binary is True or (binary is None and size > self._big_file_threshold()):
            blobs.skip(size + 1)
            return None
        return blobs.exactly(size, then=1)  # the blob, then git's newline after it

    def _driver_binary(self, driver: str) -> bool | None:
        """``diff.<driver>.binary`` from git's configuration (None when unset)."""
        if driver not in self._drivers:
            completed = _config(self._root, "--type=bool", f"diff.{driver}.binary")
            self._drivers[driver] = None if completed is None else completed == "true"
        return self._drivers[driver]

    def _big_file_threshold(self) -> int:
        if self._threshold is None:
            self._threshold = big_file_threshold(self._root)
        return self._threshold

    def _started(self) -> tuple[_Process, _Process]:
        if self._blobs is None or self._attributes is None:
            self._blobs = _Process(self._root, ("cat-file", "--batch"))
            self._attributes = _Process(self._root, ("check-attr", "--stdin", "-z", "diff"))
        return self._blobs, self._attributes

    def _broken(self) -> GitError:
        for process in (self._blobs, self._attributes):
            if process is not None and process.process.poll() not in (None, 0):
                return process.complaint(self._root)
        if self._blobs is not None:
            return self._blobs.complaint(self._root)
        return GitError(
            f"git stopped answering while reading whole files; {_BUG}"
        )  # pragma: no cover

    def close(self) -> None:
        for process in (self._blobs, self._attributes):
            if process is not None:
                process.close()
        self._blobs = self._attributes = None


def big_file_threshold(root: Path) -> int:
    """``core.bigFileThreshold``: the size past which git calls a blob binary unread."""
    value = _config(root, "--type=int", "core.bigFileThreshold")
    return BIG_FILE_THRESHOLD if value is None else int(value)


def _config(root: Path, kind: str, key: str) -> str | None:
    """A setting as git reads it (``--type`` normalises ``512m`` and ``yes``), or None."""
    try:
        completed = subprocess.run(
            command(("config", kind, "--get", key)),
            cwd=root,
            env=environment(),
            capture_output=True,
            check=False,
        )
    except OSError as error:
        raise start_failed(root, error) from error
    if completed.returncode == 1:  # not set
        return None
    if completed.returncode != 0:
        raise failure(root, ("config",), completed.stderr)
    return completed.stdout.decode("utf-8", "replace").strip()
