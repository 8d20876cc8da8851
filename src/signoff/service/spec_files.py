"""Edit one spec file safely: under a lock, against what was read, atomically.

Several people and agents work on one slice. A write takes the spec's lock file (so two
Signoff processes editing the same spec queue), re-reads the file, computes the new text from
what it read, and before replacing the file checks that nobody changed it meanwhile (an editor
that ignores our lock); see :func:`signoff.service.lifecycle.record_with_edit`.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from signoff.adapters.files import replace_file
from signoff.core.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterator

LOCK_DIR = Path(".signoff") / "locks"


@dataclass(frozen=True, slots=True)
class SpecText:
    """A spec file as read: its path, its text and the hash of its bytes."""

    path: Path
    text: str
    digest: str


def digest(raw: bytes) -> str:
    """The hash Signoff compares to tell whether a spec file changed."""
    return hashlib.sha256(raw).hexdigest()


def read_spec_text(path: Path) -> SpecText:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UsageError(f"{path}: cannot be read: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: is not UTF-8 text; fix the file first") from None
    return SpecText(path, text, digest(raw))


@contextmanager
def spec_lock(root: Path, spec_id: str) -> Iterator[None]:
    """Hold the slice-wide lock of one spec for the duration of a read-modify-write."""
    folder = root / LOCK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(folder / f"{spec_id}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


def restore(read: SpecText) -> None:
    """Put the file back as it was read (after a later step failed)."""
    replace_file(read.path, read.text)
