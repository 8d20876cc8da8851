"""git's diff output read into :class:`~signoff.core.diff.FileChange` values, one file at a time.

Two outputs of the same ``git diff`` are read side by side. ``--raw -z`` gives one small record
per file with unambiguous paths (no quoting), modes, full blob ids and rename pairs; the patch
(``-p -U0 --full-index``) gives the changed lines. The n-th patch section belongs to the n-th raw
record (git runs both through the same diffcore queue), except that a type change (file <->
symlink or submodule) is printed as two sections, a deletion then a creation. Every section's
``index`` line is checked against its record, so a mismatch is a :class:`GitError`, never lines
filed under the wrong path.

The patch is parsed for speed: a line inside a hunk costs one byte comparison and one append;
line numbers come from the hunk header, not from counting each line; a file's lines are decoded
in one call. Only the current file's lines are held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from signoff.core.diff import NO_BLOB, SUBMODULE_MODE, ChangeStatus, FileChange
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
    rb":([0-7]{6}) ([0-7]{6}) ([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) "
    rb"([A-Z])([0-9]{0,3})"
)
# Bounded digit runs: int() refuses strings past 4,300 digits, and no file has 10^18 lines.
_HUNK = re.compile(rb"@@ -([0-9]{1,18})(?:,([0-9]{1,18}))? \+([0-9]{1,18})(?:,([0-9]{1,18}))? @@")
_SECTION = b"diff --git "
_BUG = "report it with the output of `git --version`"


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


def _split(chunks: Iterable[bytes], separator: bytes) -> Iterator[bytes]:
    partial: list[bytes] = []  # pieces of a line longer than a chunk: joined once, not re-copied
    for chunk in chunks:
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
    match = _RAW_META.fullmatch(meta)
    if match is None:
        shown = meta[:80].decode("ascii", "backslashreplace")
        raise GitError(f"git diff --raw printed an unexpected record {shown!r}; {_BUG}")
    old_mode, new_mode, old_blob, new_blob, letter, score = (
        group.decode("ascii") for group in match.groups()
    )
    if letter == "U":
        raise GitError(
            "the index has unmerged paths; resolve the conflicts and `git add` them, then run again"
        )
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
    # surrogateescape keeps a path that is not UTF-8 distinct and reversible (diff_hash relies on it)
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
    return _PatchReader(records).changes(_Window(chunks))


class _Window:
    """The patch's lines, pulled chunk by chunk; a hunk's body is taken as one slice."""

    __slots__ = ("_batches", "lines", "position")

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._batches = _line_batches(chunks)
        self.lines: list[bytes] = []
        self.position = 0

    def next_line(self) -> bytes | None:
        if self.position >= len(self.lines) and not self._fill(1):
            return None
        line = self.lines[self.position]
        self.position += 1
        return line

    def take(self, count: int) -> list[bytes]:
        """The next ``count`` lines; GitError when the patch ends first."""
        end = self.position + count
        if end > len(self.lines):
            if not self._fill(count):
                raise GitError(f"git diff's output ends inside a hunk; {_BUG}")
            end = count
        block = self.lines[self.position : end]
        self.position = end
        return block

    def skip_marker(self) -> None:
        """Step over a ``\\ No newline at end of file`` line, if one comes next."""
        if (self.position < len(self.lines) or self._fill(1)) and self.lines[
            self.position
        ].startswith(b"\\"):
            self.position += 1

    def _fill(self, count: int) -> bool:
        """Make ``count`` lines available from the (reset) position; False at the end."""
        del self.lines[: self.position]
        self.position = 0
        while len(self.lines) < count:
            batch = next(self._batches, None)
            if batch is None:
                return False
            self.lines += batch
        return True


def _line_batches(chunks: Iterable[bytes]) -> Iterator[list[bytes]]:
    """The complete lines of each chunk as one list, split on ``\\n`` only, without it."""
    partial: list[bytes] = []  # pieces of a line longer than a chunk: joined once, not re-copied
    for chunk in chunks:
        lines = chunk.split(b"\n")
        if len(lines) == 1:
            partial.append(chunk)
            continue
        if partial:
            partial.append(lines[0])
            lines[0] = b"".join(partial)
        tail = lines.pop()
        partial = [tail] if tail else []
        yield lines
    if partial:
        yield [b"".join(partial)]


class _FileBuilder:
    """The lines of one file collected so far, across its one or two sections."""

    __slots__ = (
        "binary",
        "expected",
        "keep",
        "marks",
        "minus",
        "minus_numbers",
        "plus",
        "plus_numbers",
        "record",
        "saw_hunk",
        "saw_index",
        "sections_left",
    )

    def __init__(self, record: RawRecord) -> None:
        self.record = record
        self.sections_left = 2 if record.status == "type-changed" else 1
        self.binary = False
        # Lines keep their "+"/"-" byte until finish(), which drops it for the whole file.
        self.plus: list[bytes] = []
        self.minus: list[bytes] = []
        self.plus_numbers: list[int] = []
        self.minus_numbers: list[int] = []
        self.expected = (record.old_blob, record.new_blob)
        self.keep = True
        self.saw_index = False
        self.saw_hunk = False
        self.marks = (0, 0)

    def start_section(self) -> None:
        """Begin the next section: the whole file, or one side of a type change."""
        record = self.record
        self.sections_left -= 1
        self.saw_index = self.saw_hunk = False
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
            plus_mark, minus_mark = self.marks
            del self.plus[plus_mark:], self.plus_numbers[plus_mark:]
            del self.minus[minus_mark:], self.minus_numbers[minus_mark:]

    def header_line(self, line: bytes) -> None:
        if self.saw_hunk:
            shown = line[:80].decode("utf-8", "replace")
            raise GitError(
                f"git diff printed an unexpected line after a hunk of {self.record.path!r}: "
                f"{shown!r}; {_BUG}"
            )
        if line.startswith(b"index "):
            self.check_index(line)
        elif line.startswith((b"Binary files ", b"GIT binary patch")):
            self.binary = True

    def check_index(self, line: bytes) -> None:
        ids = [_blob(part.decode("ascii", "replace")) for part in line[6:].split(b" ")[0].split(b"..")]
        if ids != list(self.expected):
            self.mismatch()
        self.saw_index = True

    def mismatch(self) -> None:
        raise GitError(
            f"git diff's patch does not match its raw listing at {self.record.path!r}; {_BUG}"
        )

    def hunk(self, line: bytes, window: _Window) -> None:
        """Take one hunk: its header's counts say how many lines follow, so none is tested."""
        match = _HUNK.match(line)
        if match is None:
            shown = line[:80].decode("utf-8", "replace")
            raise GitError(f"git diff printed a malformed hunk header {shown!r}; {_BUG}")
        old_start, old_count, new_start, new_count = (
            1 if group is None else int(group) for group in match.groups()
        )
        self.saw_hunk = True
        if old_count:
            self.minus_numbers += range(old_start, old_start + old_count)
            self.minus += window.take(old_count)
            window.skip_marker()
        if new_count:
            self.plus_numbers += range(new_start, new_start + new_count)
            self.plus += window.take(new_count)
            window.skip_marker()

    def finish(self) -> FileChange:
        record = self.record
        return FileChange(
            status=record.status,
            path=record.path,
            old_path=record.old_path,
            old_mode=record.old_mode,
            new_mode=record.new_mode,
            old_blob=record.old_blob,
            new_blob=record.new_blob,
            binary=self.binary,
            added=_pairs(self.plus_numbers, self.plus, "+", record.path),
            removed=_pairs(self.minus_numbers, self.minus, "-", record.path),
            similarity=record.similarity,
        )


def _pairs(
    numbers: list[int], lines: list[bytes], prefix: str, path: str
) -> tuple[tuple[int, str], ...]:
    """``(number, text)`` pairs, the prefix dropped, decoded in one call for the whole file.

    Decoding the joined lines equals decoding each: ``\\n`` and the prefix are ASCII, where a
    UTF-8 decoder always resynchronises, so a bad byte never swallows its neighbour. Splitting
    on ``\\n`` + prefix also proves every line has the prefix: one without it would merge with
    the line before, and the count would fall short.
    """
    if not lines:
        return ()
    text = b"\n".join(lines).decode("utf-8", "replace")
    texts = text[1:].split("\n" + prefix)
    if text[:1] != prefix or len(texts) != len(numbers):
        raise GitError(f"git diff's hunk in {path!r} does not match its header; {_BUG}")
    return tuple(zip(numbers, texts, strict=True))


class _PatchReader:
    """Sections of the patch matched to raw records; yields each file when its last ends."""

    def __init__(self, records: Iterable[RawRecord]) -> None:
        self._pending = iter(records)
        self._file: _FileBuilder | None = None

    def changes(self, window: _Window) -> Iterator[FileChange]:
        builder: _FileBuilder | None = None
        while (line := window.next_line()) is not None:
            if line.startswith(_SECTION):
                finished, builder = self._next_section()
                if finished is not None:
                    yield finished
            elif builder is None:
                shown = line[:80].decode("utf-8", "replace")
                raise GitError(f"git diff printed {shown!r} before any file; {_BUG}")
            elif line.startswith(b"@@"):
                builder.hunk(line, window)
            else:
                builder.header_line(line)
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
