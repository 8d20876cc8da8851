"""A change as the gate sees it: the files of a diff, each with its added and removed lines.

The git adapter streams :class:`FileChange` values one file at a time (a huge diff is never held
whole); detectors and the diff hash consume them as they come.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable

ChangeStatus = Literal["added", "modified", "deleted", "renamed", "copied", "type-changed"]

NO_BLOB = "0" * 40
NO_MODE = "000000"
SUBMODULE_MODE = "160000"
SYMLINK_MODE = "120000"


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file of a diff.

    ``path`` is the path after the change (before it, for a deletion); ``old_path`` is set for
    renames and copies. Modes are git's six octal digits (``000000`` when the side is absent)
    and blobs are full object ids (:data:`NO_BLOB` when absent). ``added`` holds
    ``(line number in the new file, text)`` and ``removed`` ``(line number in the old file,
    text)``, without the trailing newline. Binary files and submodules carry no lines.
    """

    status: ChangeStatus
    path: str
    old_path: str | None = None
    old_mode: str = NO_MODE
    new_mode: str = NO_MODE
    old_blob: str = NO_BLOB
    new_blob: str = NO_BLOB
    binary: bool = False
    added: tuple[tuple[int, str], ...] = ()
    removed: tuple[tuple[int, str], ...] = ()
    similarity: int | None = None

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


def _sides(change: FileChange) -> Iterable[tuple[str, str, str, str, str]]:
    """The change as per-path states (path, old mode, old blob, new mode, new blob).

    A rename becomes the deletion of the old path and the addition of the new one, so the hash
    does not depend on whether rename detection was on or how similar git judged the files.
    """
    if change.old_path is not None and change.old_path != change.path:
        if change.status == "renamed":
            yield (change.old_path, change.old_mode, change.old_blob, NO_MODE, NO_BLOB)
        yield (change.path, NO_MODE, NO_BLOB, change.new_mode, change.new_blob)
        return
    yield (change.path, change.old_mode, change.old_blob, change.new_mode, change.new_blob)


class DiffHasher:
    """The stable SHA-256 of a diff, fed one :class:`FileChange` at a time.

    Content enters through git's blob ids (themselves hashes of the content), so the hash is
    the same however the diff was produced: from commits or the index, with any context size,
    diff algorithm or rename detection. Records are sorted before hashing; there is one small
    record per file, never the file's lines.
    """

    def __init__(self) -> None:
        self._records: list[str] = []

    def add(self, change: FileChange) -> None:
        for path, old_mode, old_blob, new_mode, new_blob in _sides(change):
            if (old_mode, old_blob) == (new_mode, new_blob):
                continue  # an unchanged side (a pure copy's source) is not part of the change
            self._records.append(f"{path}\0{old_mode}\0{old_blob}\0{new_mode}\0{new_blob}\n")

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
