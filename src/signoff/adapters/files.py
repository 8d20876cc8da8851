"""The spec files on disk: discovery, reading, and writes that either happen whole or not at all."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from signoff.core.errors import SpecWriteError

if TYPE_CHECKING:
    from collections.abc import Iterator

_ID_LINE = re.compile(rb"^id:[ \t]*[\"']?(SO-\d+)[\"']?[ \t]*(?:#.*)?\r?$", re.MULTILINE)
_SKIPPED_NAMES = frozenset({"readme.md"})


def iter_spec_files(specs_dir: Path) -> Iterator[Path]:
    """Every ``*.md`` under the specs folder except READMEs and hidden folders, sorted."""
    if not specs_dir.is_dir():
        return
    found: list[Path] = []
    for folder, subfolders, files in os.walk(specs_dir):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        found.extend(
            Path(folder) / name
            for name in files
            if name.endswith(".md")
            and name.lower() not in _SKIPPED_NAMES
            and not name.startswith(".")
        )
    yield from sorted(found, key=_natural_key)


def _natural_key(path: Path) -> list[object]:
    """SO-2 sorts before SO-10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(path))]


def read_spec_bytes(path: Path) -> bytes:
    return path.read_bytes()


def peek_spec_id(path: Path) -> str | None:
    """The ``id:`` of a spec from its first few KiB, without parsing it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return None
    match = _ID_LINE.search(head)
    return match.group(1).decode() if match else None


def write_new_file(path: Path, text: str) -> None:
    """Create ``path`` with ``text``; refuse if it exists. Readers never see a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _write_temporary(path, text)
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise SpecWriteError(f"{path}: already exists; nothing was written") from None
    except OSError as error:
        raise SpecWriteError(f"{path}: cannot be created: {error.strerror}") from None
    finally:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()


def replace_file(path: Path, text: str) -> None:
    """Replace ``path`` atomically: after a crash the old file or the new one is there, whole."""
    temporary = _write_temporary(path, text)
    try:
        Path(temporary).replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise SpecWriteError(
            f"{path}: cannot be written: {error.strerror}; it is unchanged"
        ) from None


def _mode_for(path: Path) -> int:
    """The permission bits of ``path``, or those a new file gets under the process umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write_temporary(path: Path, text: str) -> str:
    import tempfile  # noqa: PLC0415 - only to write; reading specs is what most commands do

    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise SpecWriteError(f"{path}: cannot be written: {error.strerror}") from None
    try:
        # mkstemp creates the file 0600; give it the mode the file has (or would get) instead.
        os.fchmod(descriptor, _mode_for(path))
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise SpecWriteError(f"{path}: cannot be written: {error.strerror}") from None
    return temporary
