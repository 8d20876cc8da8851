"""git's diff output read into :class:`~signoff.core.diff.FileChange` values, one file at a time.

Two outputs of the same ``git diff`` are read side by side. ``--raw -z`` gives one small record
per file with unambiguous paths (no quoting), modes, full blob ids and rename pairs; the patch
(``-p -U0 --full-index``) gives the changed lines. The n-th patch section belongs to the n-th raw
record (git runs both through the same diffcore queue), except that a type change (file <->
symlink or submodule) is printed as two sections, a deletion then a creation. Every section's
``index`` line is checked against its record, so a mismatch is a :class:`GitError`, never lines
filed under the wrong path.

The patch is parsed for speed, with no Python work per line: a hunk's body is found with one
regular-expression search (the first line that does not start with ``+``, ``-`` or ``\\``), its
size checked against the header with ``bytes.count``, its line numbers taken from the header,
and a file's lines decoded and split in one call each. Only the current file's lines are held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from signoff.core.diff import NO_BLOB, NO_LINES, SUBMODULE_MODE, ChangeStatus, FileChange, Lines
from signoff.core.errors import GitError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

STATUSES: Final[dict[str, ChangeStatus]] = {
    "A": "added",
    "M": "modified",
    "D": "deleted",
    "R": "renamed",
    "C": "copied",
    "T": "type-changed",
}

_RAW_META = re.compile(
    r":([0-7]{6}) ([0-7]{6}) ([0-9a-f]{40}(?:[0-9a-f]{24})?) ([0-9a-f]{40}(?:[0-9a-f]{24})?) "
    r"([A-Z])([0-9]{0,3})"
)
# Bounded digit runs: int() refuses strings past 4,300 digits, and no file has 10^18 lines.
_HUNK = re.compile(rb"@@ -([0-9]{1,18})(?:,([0-9]{1,18}))? \+([0-9]{1,18})(?:,([0-9]{1,18}))? @@")
# Where a hunk's body ends: the first line that is not "+", "-" or "\\ No newline ...".
_BODY_END = re.compile(rb"\n[^+\-\\]")
# Where a file's extended header ends: its first hunk, or the next file.
_HEADER_END = re.compile(rb"\n(?:@@|diff --git )")
_INDEX_LINE = re.compile(rb"^index ([0-9a-f]+)\.\.([0-9a-f]+)", re.MULTILINE)
_BINARY_LINE = re.compile(rb"^(?:Binary files |GIT binary patch)", re.MULTILINE)
_SECTION = b"diff --git "
_BUG = "report it with the output of `git --version`"
_UNMERGED = "the index has unmerged paths; resolve the conflicts and `git add` them, then run again"


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One file of ``git diff --raw -z``: what changed, without the lines."""

    status: ChangeStatus
    path: str
    old_path: str | None
    old_mode: str
    new_mode: str
    old_blob: str
    new_blob: str
    similarity: int | None = None

    def change(self, *, binary: bool, added: Lines, removed: Lines) -> FileChange:
        """The file's change: this record's facts with the lines read for it."""
        return FileChange(
            status=self.status,
            path=self.path,
            old_path=self.old_path,
            old_mode=self.old_mode,
            new_mode=self.new_mode,
            old_blob=self.old_blob,
            new_blob=self.new_blob,
            binary=binary,
            added=added,
            removed=removed,
            similarity=self.similarity,
        )


def _split(chunks: Iterable[bytes], separator: bytes) -> Iterator[bytes]:
    partial: list[bytes] = []  # pieces of a line longer than a chunk: joined once, not re-copied
    for chunk in chunks:
        if not chunk:
            continue
        pieces = chunk.split(separator)
        if len(pieces) == 1:
            partial.append(chunk)
            continue
        if partial:
            partial.append(pieces[0])
            pieces[0] = b"".join(partial)
        tail = pieces.pop()
        partial = [tail] if tail else []
        yield from pieces
    if partial:
        yield b"".join(partial)


def parse_raw(data: bytes) -> list[RawRecord]:
    """Every record of ``git diff --raw -z --no-abbrev`` output."""
    return list(iter_raw([data]))


def iter_raw(chunks: Iterable[bytes]) -> Iterator[RawRecord]:
    """The records of ``git diff --raw -z --no-abbrev`` output read in chunks, as they come."""
    tokens = _split(chunks, b"\0")
    for meta in tokens:
        yield _raw_record(meta, tokens)


def _raw_record(meta: bytes, tokens: Iterator[bytes]) -> RawRecord:
    match = _RAW_META.fullmatch(meta.decode("latin-1"))  # any byte decodes; only ASCII matches
    if match is None:
        shown = meta[:80].decode("ascii", "backslashreplace")
        raise GitError(f"git diff --raw printed an unexpected record {shown!r}; {_BUG}")
    old_mode, new_mode, old_blob, new_blob, letter, score = match.groups()
    if letter == "U":
        raise GitError(_UNMERGED)
    status = STATUSES.get(letter)
    if status is None:
        raise GitError(f"git diff --raw printed an unknown status {letter!r}; {_BUG}")
    path = _raw_path(tokens)
    old_path = None
    if status in {"renamed", "copied"}:
        old_path, path = path, _raw_path(tokens)
    return RawRecord(
        status=status,
        path=path,
        old_path=old_path,
        old_mode=old_mode,
        new_mode=new_mode,
        old_blob=_blob(old_blob),
        new_blob=_blob(new_blob),
        similarity=int(score) if score and old_path is not None else None,
    )


def _raw_path(tokens: Iterator[bytes]) -> str:
    path = next(tokens, b"")
    if not path:
        raise GitError(f"git diff --raw output ends inside a record; {_BUG}")
    # surrogateescape keeps a path that is not UTF-8 distinct and reversible (diff_hash needs it)
    return path.decode("utf-8", "surrogateescape")


def _blob(object_id: str) -> str:
    """The id, with an absent side as :data:`NO_BLOB` whatever the hash length (SHA-256 repos)."""
    return object_id if object_id.strip("0") else NO_BLOB


def parse_patch(chunks: Iterable[bytes], records: Iterable[RawRecord]) -> Iterator[FileChange]:
    """The files of a ``git diff -p -U0 --full-index`` patch, matched to its raw records.

    ``chunks`` is the patch as bytes cut anywhere (a pipe's reads, or ``[whole_patch]``);
    ``records`` are read lazily, one per file. Anything that does not fit git's format, or a
    patch that does not match the records, raises :class:`GitError`.
    """
    return _PatchReader(records).changes(_Buffer(chunks))


class _Buffer:
    """The patch read so far and not yet parsed: ``data[position:]``.

    At the start of a line ``data[position - 1]`` is the newline before it, so a search for
    "newline, then a byte" can start there. New chunks are joined only until they at least
    double what is kept, so a line or hunk longer than a chunk is copied a bounded number of times.
    """

    __slots__ = ("_chunks", "data", "position")

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self.data = b"\n"
        self.position = 1

    def _more(self) -> bool:
        """Read more of the patch after what is still unparsed; False at its end."""
        kept = self.data[self.position - 1 :]
        parts = [kept]
        size = 0
        for chunk in self._chunks:
            parts.append(chunk)
            size += len(chunk)
            if size and size >= len(kept):
                break
        if not size:
            return False
        self.data = b"".join(parts)
        self.position = 1
        return True

    def next_line(self) -> bytes | None:
        """The next line without its newline; None at the end of the patch."""
        while (end := self.data.find(b"\n", self.position)) < 0:
            if not self._more():
                rest = self.data[self.position :]
                self.position = len(self.data) + 1
                return rest or None
        line = self.data[self.position : end]
        self.position = end + 1
        return line

    def body(self) -> bytes:
        """The lines from here that start with ``+``, ``-`` or ``\\``, joined by newlines."""
        return self._until(_BODY_END)

    def header(self) -> bytes:
        """The lines from here to the first hunk or the next file, joined by newlines."""
        return self._until(_HEADER_END)

    def _until(self, boundary: re.Pattern[bytes]) -> bytes:
        """The lines from here to the first that ``boundary`` (newline, then its start) finds."""
        while (match := boundary.search(self.data, self.position - 1)) is None:
            if not self._more():
                end = len(self.data) - self.data.endswith(b"\n")
                break
        else:
            end = match.start()
        body = self.data[self.position : end]
        self.position = end + 1
        return body


def _without_marker(block: bytes) -> bytes:
    """The block without a final ``\\ No newline at end of file`` line (git's only place for it)."""
    last = block.rfind(b"\n") + 1
    if block[last : last + 1] == b"\\":
        return block[: max(last - 1, 0)]
    return block


def _lines(block: bytes) -> int:
    return block.count(b"\n") + 1 if block else 0


class _FileBuilder:
    """The lines of one file collected so far, across its one or two sections."""

    __slots__ = (
        "binary",
        "expected",
        "keep",
        "marks",
        "minus",
        "minus_runs",
        "plus",
        "plus_runs",
        "record",
        "saw_index",
        "sections_left",
    )

    def __init__(self, record: RawRecord) -> None:
        self.record = record
        self.sections_left = 2 if record.status == "type-changed" else 1
        self.binary = False
        # One block per hunk, lines joined by newlines, each still with its "+"/"-".
        self.plus: list[bytes] = []
        self.minus: list[bytes] = []
        # (first line number, count) per hunk: numbers are worked out only if someone asks.
        self.plus_runs: list[tuple[int, int]] = []
        self.minus_runs: list[tuple[int, int]] = []
        self.expected = (record.old_blob, record.new_blob)
        self.keep = True
        self.saw_index = False
        self.marks = (0, 0)

    def start_section(self) -> None:
        """Begin the next section: the whole file, or one side of a type change."""
        record = self.record
        self.sections_left -= 1
        self.saw_index = False
        self.marks = (len(self.plus), len(self.minus))
        if record.status != "type-changed":
            self.keep = SUBMODULE_MODE not in (record.old_mode, record.new_mode)
        elif self.sections_left == 1:  # git prints the deletion of the old side first
            self.expected = (record.old_blob, NO_BLOB)
            self.keep = record.old_mode != SUBMODULE_MODE
        else:
            self.expected = (NO_BLOB, record.new_blob)
            self.keep = record.new_mode != SUBMODULE_MODE

    def end_section(self) -> None:
        old, new = self.expected
        if not self.saw_index and old != new:
            raise GitError(f"git diff printed no index line for {self.record.path!r}; {_BUG}")
        if not self.keep:  # a submodule's "Subproject commit" lines are not content
            plus, minus = self.marks  # one block and one run per hunk: the same marks
            del self.plus[plus:], self.plus_runs[plus:]
            del self.minus[minus:], self.minus_runs[minus:]

    def header(self, block: bytes) -> None:
        """Read a section's extended header: the blob ids it names, and whether it is binary."""
        if b"* Unmerged path " in block:  # printed between sections, for the conflicted paths
            raise GitError(_UNMERGED)
        index = _INDEX_LINE.search(block)
        if index is not None:
            old, new = (_blob(side.decode("ascii")) for side in index.groups())
            if (old, new) != self.expected:
                self.mismatch()
            self.saw_index = True
        if _BINARY_LINE.search(block) is not None:
            self.binary = True

    def mismatch(self) -> None:
        raise GitError(
            f"git diff's patch does not match its raw listing at {self.record.path!r}; {_BUG}"
        )

    def hunk(self, header: bytes, body: bytes) -> None:
        """Add one hunk: with -U0 its body is its removed lines, then its added lines."""
        match = _HUNK.match(header)
        if match is None:
            shown = header[:80].decode("utf-8", "replace")
            raise GitError(f"git diff printed a malformed hunk header {shown!r}; {_BUG}")
        old_start, old_count, new_start, new_count = match.groups()
        removed = 1 if old_count is None else int(old_count)
        added = 1 if new_count is None else int(new_count)
        body = _without_marker(body)
        minus, plus = body, b""
        if not removed:
            minus, plus = b"", body
        elif added:
            cut = body.find(b"\n+")
            minus, plus = _without_marker(body[: max(cut, 0)]), body[cut + 1 :]
        old_first, new_first = int(old_start), int(new_start)
        if (
            _lines(minus) != removed
            or _lines(plus) != added
            or (removed and not old_first)
            or (added and not new_first)
        ):
            shown = header[:80].decode("utf-8", "replace")
            raise GitError(
                f"git diff's hunk {shown!r} in {self.record.path!r} does not match its body; {_BUG}"
            )
        if removed:
            self.minus_runs.append((old_first, removed))
            self.minus.append(minus)
        if added:
            self.plus_runs.append((new_first, added))
            self.plus.append(plus)

    def finish(self) -> FileChange:
        record = self.record
        return record.change(
            binary=self.binary,
            added=_lines_of(self.plus_runs, self.plus, b"+", record.path),
            removed=_lines_of(self.minus_runs, self.minus, b"-", record.path),
        )


def _lines_of(runs: list[tuple[int, int]], blocks: list[bytes], prefix: bytes, path: str) -> Lines:
    """The lines of one side, the prefix dropped, decoded in one call for the whole file.

    Decoding the joined lines equals decoding each: ``\\n`` and the prefix are ASCII, where a
    UTF-8 decoder always resynchronises, so a bad byte never swallows its neighbour. Replacing
    ``\\n`` + prefix also proves every line has the prefix: the hunks hold one newline fewer
    than their lines (each was counted against its header), and each must lose its prefix.
    """
    if not blocks:
        return NO_LINES
    joined = b"\n".join(blocks)
    stripped = joined[1:].replace(b"\n" + prefix, b"\n")
    lines = sum(count for _, count in runs)
    if joined[:1] != prefix or len(joined) - 1 - len(stripped) != lines - 1:
        raise GitError(f"git diff's hunks in {path!r} do not match their headers; {_BUG}")
    return Lines(stripped.decode("utf-8", "replace"), tuple(runs))


class _PatchReader:
    """Sections of the patch matched to raw records; yields each file when its last ends."""

    def __init__(self, records: Iterable[RawRecord]) -> None:
        self._pending = iter(records)
        self._file: _FileBuilder | None = None

    def changes(self, buffer: _Buffer) -> Iterator[FileChange]:
        builder: _FileBuilder | None = None
        while (line := buffer.next_line()) is not None:
            if builder is not None and line.startswith(b"@@"):
                builder.hunk(line, buffer.body())
            elif line.startswith(_SECTION):
                finished, builder = self._next_section()
                if finished is not None:
                    yield finished
                builder.header(buffer.header())
            elif line.startswith(b"* Unmerged path "):
                raise GitError(_UNMERGED)
            else:  # before the first file, or after a hunk: git prints nothing else there
                shown = line[:80].decode("utf-8", "replace")
                where = f"after {builder.record.path!r}" if builder else "before any file"
                raise GitError(f"git diff printed an unexpected line {where}: {shown!r}; {_BUG}")
        last = self._end()
        if last is not None:
            yield last

    def _next_section(self) -> tuple[FileChange | None, _FileBuilder]:
        builder = self._file
        finished = None
        if builder is not None:
            builder.end_section()
        if builder is None or builder.sections_left == 0:
            finished = builder.finish() if builder is not None else None
            record = next(self._pending, None)
            if record is None:
                raise GitError(f"git diff's patch has more files than its raw listing; {_BUG}")
            builder = self._file = _FileBuilder(record)
        builder.start_section()
        return finished, builder

    def _end(self) -> FileChange | None:
        builder = self._file
        if builder is not None:
            builder.end_section()
            if builder.sections_left:
                builder.mismatch()
        if next(self._pending, None) is not None:
            raise GitError(f"git diff's raw listing has more files than its patch; {_BUG}")
        return builder.finish() if builder is not None else None
