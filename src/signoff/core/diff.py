"""A change as the gate sees it: the files of a diff, each with its added and removed lines.

The git adapter streams :class:`FileChange` values one file at a time (a huge diff is never held
whole); detectors and the diff hash consume them as they come.

A file's added (or removed) lines are kept as :class:`Lines`: the text of all of them joined by
newlines, and the line numbers as runs (first number, count), one per hunk. A 500,000-line diff
would otherwise build 500,000 ``(number, text)`` tuples that most readers never look at: the
risk rules search the joined text, and only a match needs its line number.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
from typing import TYPE_CHECKING, Literal, Protocol, overload

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

ChangeStatus = Literal["added", "modified", "deleted", "renamed", "copied", "type-changed"]
Numbered = tuple[int, str]

NO_BLOB = "0" * 40
NO_MODE = "000000"
SUBMODULE_MODE = "160000"
SYMLINK_MODE = "120000"


class Lines(Sequence[Numbered]):
    """One side of a file's change: ``(line number, text)`` pairs, stored as one string.

    ``text`` is every line joined by ``\\n``; ``runs`` holds ``(first number, count)`` for each
    stretch of consecutive numbers. The pairs, and where each line starts in ``text``, are
    worked out on first use and then kept. A plain class rather than a frozen dataclass because
    of that cache; nothing else ever changes.
    """

    __slots__ = ("_pairs", "_run_ends", "_runs", "_size", "_starts", "_text")

    _pairs: tuple[Numbered, ...] | None
    _runs: tuple[tuple[int, int], ...]
    _size: int
    # Where each line starts in ``text``, and one past the end; built on the first match.
    _starts: list[int] | None
    _run_ends: tuple[int, ...] | None  # the index one past each run's last line
    _text: str

    def __init__(self, text: str, runs: tuple[tuple[int, int], ...]) -> None:
        """Lines from their joined text: the caller vouches that ``text`` holds as many lines
        as the runs count (one newline fewer). :meth:`of` builds them from pairs."""
        self._text = text
        self._runs = runs
        self._size = sum(count for _, count in runs)
        self._pairs = None
        self._starts = None
        self._run_ends = None

    @classmethod
    def of(cls, pairs: Iterable[Numbered]) -> Lines:
        """Lines from ``(number, text)`` pairs in any order (a line may even hold a newline)."""
        kept = tuple(pairs)
        runs: list[tuple[int, int]] = []
        for number, _ in kept:
            if runs and runs[-1][0] + runs[-1][1] == number:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((number, 1))
        lines = cls("\n".join(text for _, text in kept), tuple(runs))
        lines._pairs = kept
        return lines

    @property
    def text(self) -> str:
        """Every line joined by ``\\n`` (no newline after the last)."""
        return self._text

    @property
    def first_number(self) -> int | None:
        """The number of the first line; None when there is none."""
        return self._runs[0][0] if self._runs else None

    def pairs(self) -> tuple[Numbered, ...]:
        """Every ``(number, text)`` pair, built once."""
        if self._pairs is None:
            numbers = chain.from_iterable(
                range(first, first + count) for first, count in self._runs
            )
            texts = self._text.split("\n") if self._size else []
            self._pairs = tuple(zip(numbers, texts, strict=True))
        return self._pairs

    def _line_starts(self) -> list[int]:
        """Where each line starts in ``text``, and one past the end, built on first use.

        From the pairs when they exist (a line given as a pair may itself hold a newline);
        otherwise from the text, without building the pairs: a file with hundreds of thousands
        of matching lines (a schema dump) then keeps one list of offsets, not a tuple per line.
        """
        if self._starts is None:
            if self._pairs is not None:
                texts: Iterable[str] = (text for _, text in self._pairs)
            else:
                texts = self._text.split("\n") if self._size else ()
            self._starts = list(accumulate((len(text) + 1 for text in texts), initial=0))
        return self._starts

    def _ends_of_runs(self) -> tuple[int, ...]:
        if self._run_ends is None:
            self._run_ends = tuple(accumulate(count for _, count in self._runs))
        return self._run_ends

    def locate(self, position: int) -> tuple[int, str, int]:
        """The line holding ``text[position]``: (its number, its text, where the next starts)."""
        starts = self._line_starts()
        index = bisect_right(starts, position) - 1
        run_ends = self._ends_of_runs()
        run = bisect_right(run_ends, index)
        first, _ = self._runs[run]
        number = first + index - (run_ends[run - 1] if run else 0)
        return number, self._text[starts[index] : starts[index + 1] - 1], starts[index + 1]

    def stretch_end(self, position: int) -> int:
        """Where the stretch of consecutive lines holding ``text[position]`` ends in ``text``:
        the newline after its last line, or the end of the text.

        Lines are joined across hunks, so line 3 and line 90 may sit side by side in ``text``;
        a pattern that runs over a newline must stay within lines that follow each other in
        the file.
        """
        starts = self._line_starts()
        run_ends = self._ends_of_runs()
        run = bisect_right(run_ends, bisect_right(starts, position) - 1)
        # Runs that continue one another (1-2 then 3-4) are one stretch.
        while run + 1 < len(self._runs) and sum(self._runs[run]) == self._runs[run + 1][0]:
            run += 1
        return starts[run_ends[run]] - 1

    def without_carriage_returns(self) -> Lines:
        """The same lines with a carriage return before each line end removed (CRLF files),
        so that ``$`` in a pattern means the end of the line there too."""
        if "\r" not in self._text:
            return self
        if self._pairs is not None:
            return Lines.of((number, text.removesuffix("\r")) for number, text in self._pairs)
        return Lines(self._text.replace("\r\n", "\n").removesuffix("\r"), self._runs)

    def __len__(self) -> int:
        return self._size

    def __bool__(self) -> bool:
        return self._size > 0

    @overload
    def __getitem__(self, index: int) -> Numbered: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Numbered, ...]: ...
    def __getitem__(self, index: int | slice) -> Numbered | tuple[Numbered, ...]:
        return self.pairs()[index]

    def __iter__(self) -> Iterator[Numbered]:
        return iter(self.pairs())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Lines):
            return self._size == other._size and self.pairs() == other.pairs()
        if isinstance(other, tuple):
            return self.pairs() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.pairs())

    def __repr__(self) -> str:
        return f"Lines({self.pairs()!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (Lines.of, (self.pairs(),))


NO_LINES = Lines("", ())


@dataclass(frozen=True, slots=True, init=False)
class FileChange:
    """One file of a diff.

    ``path`` is the path after the change (before it, for a deletion); ``old_path`` is set for
    renames and copies. Modes are git's six octal digits (``000000`` when the side is absent)
    and blobs are full object ids (:data:`NO_BLOB` when absent). ``added`` holds
    ``(line number in the new file, text)`` and ``removed`` ``(line number in the old file,
    text)``, without the trailing newline; ``added_lines`` and ``removed_lines`` are the same
    lines as :class:`Lines`, whose joined ``text`` is what a fast reader wants. Binary files
    and submodules carry no lines.
    """

    status: ChangeStatus
    path: str
    old_path: str | None
    old_mode: str
    new_mode: str
    old_blob: str
    new_blob: str
    binary: bool
    added_lines: Lines
    removed_lines: Lines
    similarity: int | None

    def __init__(  # noqa: PLR0917 - the signature the generated __init__ had
        self,
        status: ChangeStatus,
        path: str,
        old_path: str | None = None,
        old_mode: str = NO_MODE,
        new_mode: str = NO_MODE,
        old_blob: str = NO_BLOB,
        new_blob: str = NO_BLOB,
        binary: bool = False,
        added: Lines | Iterable[Numbered] = NO_LINES,
        removed: Lines | Iterable[Numbered] = NO_LINES,
        similarity: int | None = None,
    ) -> None:
        # The generated __init__ cannot turn pairs into Lines; frozen: set through object.
        # One call per field, unrolled: this runs once per file of a 5,000-file diff.
        setter = object.__setattr__
        setter(self, "status", status)
        setter(self, "path", path)
        setter(self, "old_path", old_path)
        setter(self, "old_mode", old_mode)
        setter(self, "new_mode", new_mode)
        setter(self, "old_blob", old_blob)
        setter(self, "new_blob", new_blob)
        setter(self, "binary", binary)
        setter(self, "added_lines", added if isinstance(added, Lines) else Lines.of(added))
        setter(self, "removed_lines", removed if isinstance(removed, Lines) else Lines.of(removed))
        setter(self, "similarity", similarity)

    @property
    def added(self) -> tuple[Numbered, ...]:
        return self.added_lines.pairs()

    @property
    def removed(self) -> tuple[Numbered, ...]:
        return self.removed_lines.pairs()

    @property
    def submodule(self) -> bool:
        return SUBMODULE_MODE in (self.old_mode, self.new_mode)

    @property
    def symlink(self) -> bool:
        return SYMLINK_MODE in (self.old_mode, self.new_mode)

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path the change touches (both sides of a rename)."""
        if self.old_path is not None and self.old_path != self.path:
            return (self.old_path, self.path)
        return (self.path,)


def _sides(
    status: str, path: str, old_path: str | None, old: tuple[str, str], new: tuple[str, str]
) -> Iterable[tuple[str, str, str, str, str]]:
    """The change as per-path states (path, old mode, old blob, new mode, new blob).

    A rename becomes the deletion of the old path and the addition of the new one, so the hash
    does not depend on whether rename detection was on or how similar git judged the files.
    """
    (old_mode, old_blob), (new_mode, new_blob) = old, new
    if old_path is not None and old_path != path:
        if status == "renamed":
            yield (old_path, old_mode, old_blob, NO_MODE, NO_BLOB)
        yield (path, NO_MODE, NO_BLOB, new_mode, new_blob)
        return
    yield (path, old_mode, old_blob, new_mode, new_blob)


class FileSides(Protocol):
    """What the diff hash reads of a file: a :class:`FileChange` and the raw record of git's
    listing (``signoff.core.patch.RawRecord``) both have it."""

    @property
    def status(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def old_path(self) -> str | None: ...
    @property
    def old_mode(self) -> str: ...
    @property
    def old_blob(self) -> str: ...
    @property
    def new_mode(self) -> str: ...
    @property
    def new_blob(self) -> str: ...


class DiffHasher:
    """The stable SHA-256 of a diff, fed one :class:`FileChange` at a time.

    Content enters through git's blob ids (themselves hashes of the content), so the hash is
    the same however the diff was produced: from commits or the index, with any context size,
    diff algorithm or rename detection. Records are sorted before hashing; there is one small
    record per file, never the file's lines.
    """

    def __init__(self) -> None:
        self._records: list[str] = []

    def add(self, change: FileSides) -> None:
        """Add one file: a :class:`FileChange`, or the raw record it was read from."""
        path, old_path = change.path, change.old_path
        old, new = (change.old_mode, change.old_blob), (change.new_mode, change.new_blob)
        if "\0" in path or "\0" in (old_path or ""):
            # NUL ends a path in each record: one inside would let two diffs share a hash.
            # git never prints such a path; a hand-made FileChange could.
            msg = f"a path holds a NUL character: {path!r}"
            raise ValueError(msg)
        if old_path is None and old != new:  # most files: one side, as _sides would give it
            self._records.append(f"{path}\0{old[0]}\0{old[1]}\0{new[0]}\0{new[1]}\n")
            return
        for side_path, old_mode, old_blob, new_mode, new_blob in _sides(
            change.status, path, old_path, old, new
        ):
            if (old_mode, old_blob) == (new_mode, new_blob):
                continue  # an unchanged side (a pure copy's source) is not part of the change
            self._records.append(f"{side_path}\0{old_mode}\0{old_blob}\0{new_mode}\0{new_blob}\n")

    def hexdigest(self) -> str:
        digest = hashlib.sha256(b"signoff-diff-v1\n")
        for record in sorted(set(self._records)):
            digest.update(record.encode("utf-8", "surrogateescape"))
        return digest.hexdigest()


def diff_hash(changes: Iterable[FileChange]) -> str:
    """The stable SHA-256 of a whole diff (see :class:`DiffHasher`)."""
    hasher = DiffHasher()
    for change in changes:
        hasher.add(change)
    return hasher.hexdigest()
