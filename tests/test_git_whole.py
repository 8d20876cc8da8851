"""Added and deleted files read whole from their blobs equal what git's own patch says of them.

The gate reads a file added or deleted whole with ``git cat-file`` rather than from ``git diff
-p``; every case where the two could differ (line endings, a missing final newline, empty
files, bytes that are not UTF-8, git's binary test by content, by attribute, by a driver's
setting and by size, symlinks, submodules, the index) is compared here with the patch's
answer, in real repositories.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.adapters import git
from signoff.adapters.git_whole import MAX_OUTSTANDING_BYTES, big_file_threshold
from signoff.core.diff import FileChange
from signoff.core.errors import GitError
from signoff.core.patch import RawRecord, iter_raw, parse_patch
from signoff.core.whole_files import (
    CHUNK_FILES,
    ClaimError,
    Share,
    in_raw_order,
    whole_file_change,
)
from tests.test_git_diff import Repo, hermetic_git, make_repo

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["hermetic_git"]  # the module-wide fixture: no user configuration, fixed identity


def _fields(change: FileChange) -> tuple[Any, ...]:
    return (
        change.status,
        change.path,
        change.old_path,
        change.old_mode,
        change.new_mode,
        change.old_blob,
        change.new_blob,
        change.binary,
        change.added,
        change.removed,
        change.similarity,
    )


def patch_says(repo: Repo, *sides: str) -> list[tuple[Any, ...]]:
    """What git's full patch (no file left out) says of every file: the old way of reading."""
    shape = ("--no-color", "--no-ext-diff", "--no-textconv", "--submodule=short", "-M")
    raw = subprocess.run(
        ["git", "diff", "--raw", "-z", "--no-abbrev", *shape, *sides, "--"],
        cwd=repo.root, capture_output=True, check=True,
    ).stdout  # fmt: skip
    patch = subprocess.run(
        ["git", "diff", "-p", "-U0", "--inter-hunk-context=0", "--full-index", *shape, *sides],
        cwd=repo.root, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return [_fields(change) for change in parse_patch([patch], iter_raw([raw]))]


def gate_reads(repo: Repo, base: str | None, head: str | None, **options: Any) -> list[Any]:
    return [_fields(change) for change in git.iter_changes(repo.root, base, head, **options)]


CONTENTS: dict[str, bytes] = {
    "plain.txt": b"one\ntwo\nthree\n",
    "no-final-newline.txt": b"one\ntwo",
    "empty.txt": b"",
    "one-empty-line.txt": b"\n",
    "blank-lines.txt": b"a\n\n\nb\n\n",
    "crlf.txt": b"one\r\ntwo\r\nlast\r",
    "lone-cr.txt": b"one\rtwo\n",
    "latin1.txt": b"caf\xe9\nna\xefve\n",
    "looks-like-a-patch.txt": b"+added\n-removed\n\\ No newline\n@@ -1 +1 @@\ndiff --git a b\n",
    "nul-early.bin": b"PNG\0\0\x01\x02\n" * 10,
    "nul-after-8000.txt": b"x" * 8_000 + b"\0tail\n",
    "nul-at-7999.bin": b"x" * 7_999 + b"\0tail\n",
    "attributes/never-diffed.txt": b"plain text, but -diff\n",
    "attributes/macro.txt": b"plain text, but binary\n",
    "attributes/driver-binary.dat": b"text, but its driver says binary\n",
    "attributes/driver-text.hex": b"text, with a driver that says nothing\n",
    "attributes/forced-text.bin": b"has a NUL\0 but diff is set\n",
    "deep/path with spaces/ünïcödé.txt": "ünïcödé\n".encode(),
}
ATTRIBUTES = (
    "attributes/never-diffed.txt -diff\n"
    "attributes/macro.txt binary\n"
    "*.dat diff=hexdump\n"
    "*.hex diff=other\n"
    "attributes/forced-text.bin diff\n"
)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    made = make_repo(tmp_path / "repo")
    made.git("config", "diff.hexdump.binary", "true")
    made.write(".gitattributes", ATTRIBUTES)
    made.write("kept.txt", "kept\n")
    made.write("to-delete/plain.txt", "gone\nwith it\n")
    made.write("to-delete/binary.bin", b"\0\0\0")
    made.write("to-delete/no-newline.txt", "last line")
    made.write("renamed-from.txt", "".join(f"line {n}\n" for n in range(30)))
    made.commit("base")
    return made


def test_every_whole_file_reads_as_the_patch_says(repo: Repo) -> None:
    base = repo.git("rev-parse", "HEAD")
    for path, content in CONTENTS.items():
        repo.write(path, content)
    # names that are not UTF-8: check-attr must answer for exactly the bytes git gave
    repo.write(b"caf\xe9-named-in-latin-1.txt", b"text\n")
    repo.write(b"attributes/\xe9-never-diffed.txt", b"text, but -diff\n")
    repo.write(".gitattributes", ATTRIBUTES.encode() + b"attributes/\xe9-never-diffed.txt -diff\n")
    (repo.root / "link").symlink_to("plain.txt")
    repo.git("rm", "-q", "-r", "to-delete")
    repo.git("mv", "renamed-from.txt", "renamed-to.txt")
    repo.write("kept.txt", "kept\nand edited\n")
    head = repo.commit("everything at once")
    expected = patch_says(repo, base, head)
    assert gate_reads(repo, base, head) == expected
    by_path = {fields[1]: fields for fields in expected}
    # The test is only as good as its cases: each kind really is there, as git saw it.
    binary = {path for path, fields in by_path.items() if fields[7]}
    assert binary == {
        "nul-early.bin",
        "nul-at-7999.bin",
        "attributes/never-diffed.txt",
        "attributes/macro.txt",
        "attributes/driver-binary.dat",
        "attributes/\udce9-never-diffed.txt",
        "to-delete/binary.bin",
    }
    assert by_path["caf\udce9-named-in-latin-1.txt"][8] == ((1, "text"),)
    assert by_path["renamed-to.txt"][0] == "renamed"
    assert by_path["crlf.txt"][8] == ((1, "one\r"), (2, "two\r"), (3, "last\r"))


def test_the_index_reads_the_same(repo: Repo) -> None:
    for path, content in CONTENTS.items():
        repo.write(path, content)
    repo.git("rm", "-q", "-r", "to-delete")
    repo.git("add", "-A")
    assert gate_reads(repo, None, None, staged=True) == patch_says(repo, "--cached", "HEAD")


def test_a_blob_over_the_big_file_threshold_is_binary_and_never_read(repo: Repo) -> None:
    base = repo.git("rev-parse", "HEAD")
    repo.git("config", "core.bigFileThreshold", "1k")
    repo.write("big.txt", "plain text\n" * 200)
    repo.write("small.txt", "plain text\n")
    repo.write("forced/big.txt", "text by attribute\n" * 200)  # `diff` set: read whatever size
    repo.write(".gitattributes", ATTRIBUTES + "forced/** diff\n")
    head = repo.commit("big")
    assert gate_reads(repo, base, head) == patch_says(repo, base, head)
    read = {fields[1]: fields for fields in gate_reads(repo, base, head)}
    assert [path for path, fields in read.items() if fields[7]] == ["big.txt"]
    assert len(read["forced/big.txt"][8]) == 200
    # The gate reads the setting once for all its scanners and hands it on; a reader given
    # it asks git no more (given a larger one, it reads big.txt as text)
    assert big_file_threshold(repo.root) == 1024
    handed = {
        change.path: change.binary
        for _, change in git.iter_share(repo.root, base, head, big_file_threshold=1 << 30)
    }
    assert handed["big.txt"] is False
    assert not any(handed.values())


def test_submodules_added_and_removed_carry_no_lines(repo: Repo) -> None:
    base = repo.git("rev-parse", "HEAD")
    repo.gitlink("vendor/lib", base)
    middle = repo.commit("submodule")
    repo.git("rm", "-q", "--cached", "vendor/lib")
    head = repo.commit("no submodule")
    for sides in ((base, middle), (middle, head)):
        assert gate_reads(repo, *sides) == patch_says(repo, *sides)


def test_more_files_than_the_pipes_hold_come_back_in_order(repo: Repo) -> None:
    """Past MAX_OUTSTANDING_BYTES of requests the reader takes answers before asking more."""
    base = repo.git("rev-parse", "HEAD")
    long_name = "d/" + "x" * 200
    count = 3 * MAX_OUTSTANDING_BYTES // 200
    for number in range(count):
        repo.write(f"{long_name}-{number:04}.txt", f"file {number}\n" * (number % 7))
        if number % 5 == 0:
            repo.write(f"m/{number:04}.txt", "x\n")  # interleave files the patch gives
    middle = repo.commit("many")
    for number in range(0, count, 5):
        repo.write(f"m/{number:04}.txt", "x\ny\n")
    head = repo.commit("edit some")
    assert gate_reads(repo, base, middle) == patch_says(repo, base, middle)
    assert gate_reads(repo, base, head) == patch_says(repo, base, head)


@pytest.mark.parametrize("memfd", [True, False], ids=["memfd", "temporary-file"])
def test_a_missing_blob_says_to_fetch(
    repo: Repo, memfd: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # git's complaint is kept in a file it writes while we read its output: a memfd where
    # the system has one, else a temporary file; git's own words come back either way.
    if not memfd:
        monkeypatch.delattr(os, "memfd_create", raising=False)
    base = repo.git("rev-parse", "HEAD")
    repo.write("new.txt", "new\n")
    head = repo.commit("new")
    blob = repo.git("rev-parse", f"{head}:new.txt")
    (repo.root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    with pytest.raises(GitError, match=r"new\.txt|unable to read|fetch"):
        list(git.iter_changes(repo.root, base, head))
    with pytest.raises(GitError, match=r"bad object|unknown revision|invalid object"):
        list(git.iter_changes(repo.root, base, "0" * 39 + "1"))


# ---------------------------------------------------------------- the pure ordering


def record(number: int, status: str) -> RawRecord:
    blob = f"{number + 1:040x}"
    return RawRecord(status, f"f{number}", None, "100644", "100644", blob, blob)  # type: ignore[arg-type]


class FakeSource:
    """Answers whole files in order; refuses more than ``room`` outstanding asks."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.asked: list[RawRecord] = []
        self.most = 0

    def ask(self, raw: RawRecord) -> bool:
        if self.asked and len(self.asked) >= self.room:
            return False
        self.asked.append(raw)
        self.most = max(self.most, len(self.asked))
        return True

    def take(self, raw: RawRecord) -> FileChange:
        assert self.asked.pop(0) is raw
        return whole_file_change(raw, b"x\n", binary=False)


@settings(max_examples=200, deadline=None)
@given(
    statuses=st.lists(st.sampled_from(["added", "deleted", "modified", "renamed"]), max_size=40),
    room=st.integers(1, 5),
    window=st.integers(1, 8),
    count=st.integers(1, 4),
)
def test_the_shares_read_every_file_once_each_in_raw_order(
    statuses: list[str], room: int, window: int, count: int
) -> None:
    records = [record(number, status) for number, status in enumerate(statuses)]
    read: list[tuple[int, str]] = []
    for index in range(count):
        share = Share(index, count)
        patched = iter(
            [FileChange(r.status, r.path) for r in records if r.status not in ("added", "deleted")]
            if index == 0
            else []
        )
        source = FakeSource(room)
        seen: list[RawRecord] = []
        mine = list(
            in_raw_order(records, patched, source, window=window, share=share, every=seen.append)
        )
        assert [place for place, _ in mine] == sorted(place for place, _ in mine)
        assert seen == records  # every share sees every record, whoever reads the file
        assert source.most <= room
        read.extend((place, change.path) for place, change in mine)
    assert sorted(read) == [(number, r.path) for number, r in enumerate(records)]


@settings(max_examples=150, deadline=None)
@given(
    statuses=st.lists(st.sampled_from(["added", "deleted", "modified"]), max_size=120),
    window=st.integers(1, 40),
    count=st.integers(2, 4),
    turns=st.lists(st.integers(0, 3), min_size=1, max_size=60),
)
def test_claimed_shares_read_every_file_once_however_they_interleave(
    statuses: list[str], window: int, count: int, turns: list[int]
) -> None:
    # The scanners run side by side and claim chunks of whole files from one counter; in
    # whatever order they happen to run, each file is read once, by one of them.
    records = [record(number, status) for number, status in enumerate(statuses)]
    counter = itertools.count()
    running = {}
    for index in range(count):
        patched = iter(
            [FileChange(r.status, r.path) for r in records if r.status == "modified"]
            if index == 0
            else []
        )
        share = Share(index, count, claim=counter.__next__)
        running[index] = in_raw_order(records, patched, FakeSource(8), window=window, share=share)
    read: dict[int, list[int]] = {index: [] for index in range(count)}
    schedule = itertools.cycle(turns)
    while running:
        index = list(running)[next(schedule) % len(running)]
        step = next(running[index], None)
        if step is None:
            del running[index]
        else:
            read[index].append(step[0])
    for places in read.values():
        assert places == sorted(places)
    assert sorted(place for places in read.values() for place in places) == list(
        range(len(records))
    )
    # ... and the whole files go by chunks: every file of a chunk to the scanner that claimed it
    whole = {
        place: rank
        for rank, place in enumerate(p for p, r in enumerate(records) if r.status != "modified")
    }
    readers: dict[int, set[int]] = {}
    for index, places in read.items():
        for place in places:
            if place in whole:
                readers.setdefault(whole[place] // CHUNK_FILES, set()).add(index)
    assert all(len(scanners) == 1 for scanners in readers.values())


def test_a_number_claimed_twice_stops_the_scan_rather_than_miss_a_file() -> None:
    records = [record(number, "added") for number in range(CHUNK_FILES * 2)]
    numbers = iter([0, 0])  # the second claim should have been 1 or more
    share = Share(0, 2, claim=lambda: next(numbers))
    with pytest.raises(ClaimError, match="chunk 0 was claimed again at chunk 1"):
        list(in_raw_order(records, iter(()), FakeSource(4), share=share))


def test_a_patch_is_not_started_when_every_file_is_whole() -> None:
    records = [record(0, "added"), record(1, "deleted")]
    started: list[bool] = []

    def patched() -> Iterator[FileChange]:
        started.append(True)
        yield from ()

    assert len(list(in_raw_order(records, patched(), FakeSource(2)))) == 2
    assert started == []
    records.append(record(2, "modified"))
    with pytest.raises(GitError, match="git diff's patch gave nothing"):
        list(in_raw_order(records, patched(), FakeSource(2)))
    assert started == [True]


def test_a_diff_of_added_files_runs_no_patch(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.commit("the fixture's files")
    repo.write("one.txt", "1\n")
    repo.write("two.txt", "2\n")
    repo.commit("add two files")
    # git itself, behind a wrapper on PATH that logs how it was run
    real_git = shutil.which("git")
    assert real_git is not None
    log = tmp_path / "git.log"
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real_git}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")

    def diffs_run() -> list[str]:
        runs = log.read_text().splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        words = [run.split() for run in runs]  # -c core.quotepath=off diff --raw ...
        return sorted(run[3] for run in words if run[2:3] == ["diff"])

    changes = [change.path for change in git.iter_changes(repo.root, "HEAD~1", "HEAD")]
    assert changes == ["one.txt", "two.txt"]
    assert diffs_run() == ["--raw"]  # no patch, and no listing for one
    repo.write("one.txt", "1\nmore\n")
    repo.commit("change one")
    assert [c.added_lines.text for c in git.iter_changes(repo.root, "HEAD~1", "HEAD")] == ["more"]
    assert diffs_run() == ["--raw", "--raw", "-p"]


def test_a_patch_that_disagrees_with_the_listing_is_a_git_error() -> None:
    records = [record(0, "modified"), record(1, "modified")]

    def run(patched: Iterator[FileChange]) -> None:
        list(in_raw_order(records, patched, FakeSource(1)))  # one share: everything

    with pytest.raises(GitError, match="where its raw listing has 'f1'"):
        run(iter([FileChange("modified", "f0")]))
    with pytest.raises(GitError, match="where its raw listing has 'f1'"):
        run(iter([FileChange("modified", "f0"), FileChange("modified", "other")]))
    with pytest.raises(GitError, match="more files than its raw listing"):
        run(iter([FileChange("modified", p) for p in ("f0", "f1", "f2")]))
