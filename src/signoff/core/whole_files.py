"""Files added or deleted whole, read from their blobs instead of from patch lines.

A new file's added lines are exactly its blob, line by line; a deleted file's removed lines are
its old blob. Asking ``git diff -p`` for them makes git prefix every line with ``+`` or ``-``
and Python strip the prefixes again: for a change that adds 5,000 files that was most of what
reading the diff cost. So the adapter asks the patch only for the other files
(``--diff-filter=ad``) and reads these whole (``git cat-file --batch``). The result must be the
same :class:`~signoff.core.diff.FileChange` git's patch would have given, and this module holds
the rules for that, with no I/O:

- the lines: the blob split at ``\\n``, the last line's newline optional (``\\ No newline at end
  of file``), a carriage return kept as part of its line, decoded as UTF-8 with replacement;
- binary, by git's own test: the ``diff`` attribute first (``-diff`` or ``binary`` makes a
  file binary, ``diff`` makes it text, a driver can say ``binary = true``), then a NUL byte in
  the first 8,000 bytes
  (``buffer_is_binary``), and a blob larger than ``core.bigFileThreshold`` is binary unread;
- submodules carry no lines, as in the patch.

:func:`in_raw_order` puts the two kinds back in the raw listing's order.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

from signoff.core.diff import NO_LINES, SUBMODULE_MODE, FileChange, Lines
from signoff.core.errors import GitError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from signoff.core.patch import RawRecord

FIRST_FEW_BYTES: Final = 8000  # how much of a blob git looks at for a NUL (xdiff-interface.c)
BIG_FILE_THRESHOLD: Final = 512 * 1024 * 1024  # core.bigFileThreshold's default
# What ``--diff-filter=ad`` leaves out of the patch: the files read from their blobs.
WHOLE_STATUSES: Final = frozenset({"added", "deleted"})
_ASK_AGAIN_AFTER: Final = 16  # files taken, after a refused ask, before asking again
_BUG = "report it with the output of `git --version`"


def looks_binary(head: bytes) -> bool:
    """git's content test: a NUL in the first 8,000 bytes."""
    return head.find(b"\0", 0, FIRST_FEW_BYTES) >= 0  # no copy of the 8,000 bytes


def binary_by_attribute(value: str, driver_binary: bool | None = None) -> bool | None:
    """What the ``diff`` attribute says: True (binary), False (text), None (look at the bytes).

    ``unset`` (``-diff``, or the ``binary`` macro) is binary and ``set`` (``diff``) is text,
    whatever the bytes; ``unspecified`` leaves it to the content, and a driver name to its
    ``diff.<driver>.binary`` setting (None: to the content), as git's userdiff does.
    """
    if value in ("set", "unset"):
        return value == "unset"
    if value == "unspecified":
        return None
    return driver_binary


def whole_file_change(record: RawRecord, content: bytes | None, *, binary: bool) -> FileChange:
    """The change of a file added or deleted whole, from its blob's bytes.

    ``content`` is None for a submodule or a binary file, whose lines are not read.
    """
    lines = NO_LINES
    submodule = SUBMODULE_MODE in (record.old_mode, record.new_mode)
    if content and not binary and not submodule:
        ends_with_newline = content.endswith(b"\n")
        count = content.count(b"\n") + (not ends_with_newline)
        text = content[:-1] if ends_with_newline else content
        lines = Lines(text.decode("utf-8", "replace"), ((1, count),))
    added, removed = (lines, NO_LINES) if record.status == "added" else (NO_LINES, lines)
    return record.change(binary=binary and not submodule, added=added, removed=removed)


class WholeFileSource(Protocol):
    """Reads whole files in the order they were asked for (the adapter's blob reader)."""

    def ask(self, record: RawRecord) -> bool:
        """Queue a read; False (nothing queued) when it must first give answers. With no read
        outstanding it always accepts."""

    def take(self, record: RawRecord) -> FileChange:
        """The change of the oldest file asked for and not yet taken, which is ``record``."""


@dataclass(frozen=True, slots=True)
class Share:
    """Which part of a diff one of ``count`` scanners reads: ``index`` 0 to ``count - 1``.

    The files the patch gives all go to scanner 0, which alone reads the patch. Whole files
    are dealt out in turn (the n-th to scanner ``n % count``), or, given ``claim``, by claim:
    in chunks of :data:`CHUNK_FILES`, each to the scanner that asks for it first, so that a
    scanner with more to do (the patch, the diff's hash) takes fewer and all end together.
    ``claim`` returns the next chunk's number, shared by every scanner: each number once, in
    increasing order (:class:`Claims` deals them out).
    """

    index: int = 0
    count: int = 1
    claim: Callable[[], int] | None = None

    def dealer(self) -> Callable[[int], bool]:
        """Whether this share reads the ``ordinal``-th whole file; asked in order, each once."""
        if self.claim is None:
            count, index = self.count, self.index
            return lambda ordinal: ordinal % count == index
        return Claims(self.claim).takes


CHUNK_FILES: Final = 16  # whole files per claim: small enough that scanners end together


class Claims:
    """One scanner's side of dealing by claim (see :class:`Share`).

    The whole files are read in order, so the chunks are met in order, 0, 1, 2 ...; at a
    chunk past the last one claimed, the next number is claimed. Numbers go out in order, each
    once, and this scanner already holds every number it claimed, so the number it gets is at
    least the chunk it is at: the chunks before that number belong to other scanners, that one
    to this one. Every chunk is claimed by exactly one scanner, which reads the whole of it.
    """

    __slots__ = ("_claim", "_claimed")

    def __init__(self, claim: Callable[[], int]) -> None:
        self._claim = claim
        self._claimed = -1

    def takes(self, ordinal: int) -> bool:
        chunk = ordinal // CHUNK_FILES
        if chunk > self._claimed:
            claimed = self._claim()
            if claimed < chunk:  # a number given twice: a file could be missed, so stop
                raise ClaimError(f"chunk {claimed} was claimed again at chunk {chunk}")
            self._claimed = claimed
        return chunk == self._claimed


class ClaimError(RuntimeError):
    """The numbers dealt out to claim whole files broke their promise: a bug, never a pass."""


EVERYTHING: Final = Share()


def in_raw_order(
    records: Iterable[RawRecord],
    patched: Iterator[FileChange],
    whole: WholeFileSource,
    *,
    window: int = 256,
    share: Share = EVERYTHING,
    every: Callable[[RawRecord], None] | None = None,
) -> Iterator[tuple[int, FileChange]]:
    """The files of ``share``, in the raw listing's order, each with its place in the listing:
    whole ones from ``whole``, the rest from ``patched`` (the patch of the other files, parsed),
    each checked against its record. ``every`` sees every record, whoever reads the file.

    Up to ``window`` records are read ahead and their blobs asked for, so git reads the next
    files while Python works on this one; ``whole`` may refuse more (its pipes are full).
    """
    pending: deque[tuple[int, RawRecord]] = deque()  # this share's, read, not yet given out
    unasked: deque[RawRecord] = deque()  # whole ones among them whose blob is not asked yet
    ahead = enumerate(records)
    ordinal = 0  # whole files seen, to deal them out
    takes_whole = share.dealer()
    exhausted = False
    asking_in = 0  # after a refusal, files taken before asking again (asking is not free)
    patch_read = False
    while True:
        while not exhausted and len(pending) < window:
            item = next(ahead, None)
            if item is None:
                exhausted = True
                break
            record = item[1]
            if every is not None:
                every(record)
            if record.status in WHOLE_STATUSES:
                ordinal += 1
                if takes_whole(ordinal - 1):
                    pending.append(item)
                    unasked.append(record)
            elif share.index == 0:
                pending.append(item)
        if asking_in:
            asking_in -= 1
        else:
            while unasked and whole.ask(unasked[0]):
                unasked.popleft()
            if unasked:  # refused: the reader is full; let it drain a little first
                asking_in = _ASK_AGAIN_AFTER
        if not pending:
            break
        index, record = pending.popleft()
        if record.status in WHOLE_STATUSES:
            if unasked and unasked[0] is record:  # refused while others were outstanding
                if not whole.ask(record):
                    raise GitError(f"the blob of {record.path!r} could not be asked for; {_BUG}")
                unasked.popleft()
            yield index, whole.take(record)
            continue
        change = next(patched, None)
        patch_read = True
        if change is None or change.path != record.path or change.status != record.status:
            shown = "nothing" if change is None else repr(change.path)
            raise GitError(
                f"git diff's patch gave {shown} where its raw listing has {record.path!r}; {_BUG}"
            )
        yield index, change
    # A patch never read is never started (the adapter starts git on the first ask); with no
    # file of the listing left out of the whole ones, it has nothing to hold.
    if patch_read and next(patched, None) is not None:
        raise GitError(f"git diff's patch has more files than its raw listing; {_BUG}")
