"""The git adapter and the patch parser, against real repositories built in each test.

The pure parser (``signoff.core.patch``) is also property-tested: synthetic patches cut into
random chunks parse to exactly what was written, and damaged or random input raises GitError
and nothing else.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.adapters import git
from signoff.core.diff import NO_BLOB, FileChange, diff_hash
from signoff.core.errors import GitError, UsageError
from signoff.core.patch import STATUSES, RawRecord, iter_raw, parse_patch, parse_raw

if TYPE_CHECKING:
    from collections.abc import Iterator

IDENTITY = {
    "GIT_AUTHOR_NAME": "Ada",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
}


@pytest.fixture(autouse=True, scope="module")
def hermetic_git(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No user or system git configuration, a fixed identity, no repository above tmp."""
    config = tmp_path_factory.mktemp("home") / "gitconfig"
    config.write_text("")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIT_CONFIG_GLOBAL", str(config))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path_factory.getbasetemp()))
        for name, value in IDENTITY.items():
            patch.setenv(name, value)
        yield


@dataclass
class Repo:
    root: Path

    def git(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
        completed = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env={**os.environ, **(env or {})},
            capture_output=True,
            check=False,
        )
        if check and completed.returncode:
            raise AssertionError(completed.stderr.decode())
        return completed.stdout.decode("utf-8", "surrogateescape").strip()

    def write(self, path: str | bytes, content: str | bytes) -> Path:
        target = self.root / os.fsdecode(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)
        return target

    def commit(self, message: str = "change", **env: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.git("rev-parse", "HEAD")

    def gitlink(self, path: str, commit: str) -> None:
        """A submodule entry, not checked out (an empty folder, as git leaves one)."""
        (self.root / path).mkdir(parents=True, exist_ok=True)
        self.git("update-index", "--add", "--cacheinfo", f"160000,{commit},{path}")

    def changes(self, base: str | None, head: str | None, **options: bool) -> dict[str, FileChange]:
        return {
            change.path: change for change in git.iter_changes(self.root, base, head, **options)
        }


def make_repo(path: Path, branch: str = "main", *options: str) -> Repo:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", branch, *options, str(path)], check=True)
    return Repo(path)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return make_repo(tmp_path / "repo")


def numbered(*lines: str) -> str:
    return "".join(f"{line}\n" for line in lines)


TEN = [f"line {n}" for n in range(1, 11)]


# ---------------------------------------------------------------- every kind of change


def test_modified_line_is_reported_with_its_number_on_both_sides(repo: Repo) -> None:
    repo.write("app.py", numbered(*TEN))
    base = repo.commit()
    repo.write("app.py", numbered(*TEN[:6], "changed seven", *TEN[7:], "eleven"))
    head = repo.commit()

    (change,) = repo.changes(base, head).values()

    assert change.status == "modified"
    assert change.added == ((7, "changed seven"), (11, "eleven"))
    assert change.removed == ((7, "line 7"),)
    assert (change.old_mode, change.new_mode) == ("100644", "100644")
    assert change.old_blob == repo.git("rev-parse", f"{base}:app.py")
    assert change.new_blob == repo.git("rev-parse", f"{head}:app.py")


def test_added_and_deleted_files_carry_all_their_lines(repo: Repo) -> None:
    repo.write("old.txt", numbered("a", "b"))
    base = repo.commit()
    (repo.root / "old.txt").unlink()
    repo.write("new.txt", numbered("x", "y", "z"))
    changes = repo.changes(base, repo.commit())

    assert changes["new.txt"].status == "added"
    assert changes["new.txt"].added == ((1, "x"), (2, "y"), (3, "z"))
    assert (changes["new.txt"].old_mode, changes["new.txt"].old_blob) == ("000000", NO_BLOB)
    assert changes["old.txt"].status == "deleted"
    assert changes["old.txt"].removed == ((1, "a"), (2, "b"))
    assert (changes["old.txt"].new_mode, changes["old.txt"].new_blob) == ("000000", NO_BLOB)


def test_rename_with_an_edit_and_a_pure_rename(repo: Repo) -> None:
    repo.write("src/orders.py", numbered(*TEN))
    repo.write("docs/readme.md", numbered("same", "text"))
    base = repo.commit()
    (repo.root / "src/orders.py").unlink()
    (repo.root / "docs/readme.md").unlink()
    repo.write("src/checkout/orders.py", numbered(*TEN, "appended"))
    repo.write("README.md", numbered("same", "text"))
    changes = repo.changes(base, repo.commit())

    edited = changes["src/checkout/orders.py"]
    assert (edited.status, edited.old_path) == ("renamed", "src/orders.py")
    assert edited.similarity is not None
    assert 50 <= edited.similarity < 100
    assert edited.added == ((11, "appended"),)
    assert edited.paths == ("src/orders.py", "src/checkout/orders.py")
    pure = changes["README.md"]
    assert (pure.status, pure.old_path, pure.similarity) == ("renamed", "docs/readme.md", 100)
    assert (pure.added, pure.removed) == ((), ())


def test_rename_detection_off_gives_a_deletion_and_an_addition(repo: Repo) -> None:
    repo.write("a.txt", numbered(*TEN))
    base = repo.commit()
    repo.git("mv", "a.txt", "b.txt")
    changes = repo.changes(base, repo.commit(), renames=False)

    assert {path: change.status for path, change in changes.items()} == {
        "a.txt": "deleted",
        "b.txt": "added",
    }


def test_mode_only_change(repo: Repo) -> None:
    script = repo.write("run.sh", "echo hi\n")
    base = repo.commit()
    script.chmod(0o755)
    (change,) = repo.changes(base, repo.commit()).values()

    assert (change.status, change.old_mode, change.new_mode) == ("modified", "100644", "100755")
    assert change.old_blob == change.new_blob
    assert (change.added, change.removed, change.binary) == ((), (), False)


def test_symlink_added_and_file_turned_into_a_symlink(repo: Repo) -> None:
    repo.write("config.yml", numbered("x: 1", "y: 2"))
    repo.write("target.txt", "t\n")
    base = repo.commit()
    (repo.root / "config.yml").unlink()
    (repo.root / "config.yml").symlink_to("target.txt")
    (repo.root / "latest").symlink_to("releases/v2")
    changes = repo.changes(base, repo.commit())

    turned = changes["config.yml"]
    assert (turned.status, turned.old_mode, turned.new_mode) == (
        "type-changed",
        "100644",
        "120000",
    )
    assert turned.removed == ((1, "x: 1"), (2, "y: 2"))
    assert turned.added == ((1, "target.txt"),)
    assert turned.symlink
    link = changes["latest"]
    assert (link.status, link.new_mode, link.added) == ("added", "120000", ((1, "releases/v2"),))


def test_binary_files_are_noted_without_lines(repo: Repo) -> None:
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    base = repo.commit()
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x01")
    repo.write("new.bin", b"\x00\x01\x02")
    changes = repo.changes(base, repo.commit())

    for path, status in (("logo.png", "modified"), ("new.bin", "added")):
        assert (changes[path].status, changes[path].binary) == (status, True)
        assert (changes[path].added, changes[path].removed) == ((), ())


def test_submodules_carry_no_lines_even_when_replaced_by_a_file(repo: Repo) -> None:
    repo.write("README", "r\n")
    first = repo.commit()
    repo.gitlink("vendor/lib", first)
    repo.gitlink("vendor/tool", first)
    base = repo.commit()
    second = repo.commit("bump")
    repo.gitlink("vendor/lib", second)
    repo.git("rm", "-q", "--cached", "vendor/tool")
    (repo.root / "vendor/tool").rmdir()
    repo.write("vendor/tool", numbered("now a file"))
    changes = repo.changes(base, repo.commit())

    bumped = changes["vendor/lib"]
    assert (bumped.status, bumped.submodule) == ("modified", True)
    assert (bumped.old_blob, bumped.new_blob) == (first, second)
    assert (bumped.added, bumped.removed) == ((), ())
    replaced = changes["vendor/tool"]
    assert (replaced.status, replaced.old_mode, replaced.new_mode) == (
        "type-changed",
        "160000",
        "100644",
    )
    assert (replaced.removed, replaced.added) == ((), ((1, "now a file"),))


@pytest.mark.parametrize(
    "name",
    [
        "with space.txt",
        "ünïcødé/ファイル.md",
        "q\"uo'te.txt",
        "tab\there.txt",
        "new\nline.txt",
        "-dash",
        # names that read like the patch's own syntax, once git has quoted them (or not)
        "diff --git a b",
        "\n@@ -1 +1 @@",
        "\\ No newline at end of file",
        "+plus",
        "trailing space ",
        "Binary files a and b differ",
    ],
)
def test_awkward_paths_come_back_exactly(repo: Repo, name: str) -> None:
    base = repo.commit("empty")
    repo.write(name, numbered("x"))
    (change,) = repo.changes(base, repo.commit()).values()

    assert (change.path, change.added) == (name, ((1, "x"),))


def test_a_path_that_is_not_utf8_round_trips_through_the_filesystem_encoding(repo: Repo) -> None:
    name = b"caf\xe9.txt"
    base = repo.commit("empty")
    repo.write(name, "x\n")
    (change,) = repo.changes(base, repo.commit()).values()

    assert os.fsencode(change.path) == name


def test_content_that_is_not_utf8_is_decoded_with_replacement(repo: Repo) -> None:
    base = repo.commit("empty")
    repo.write("latin1.txt", b"caf\xe9\nok\n\xff\xfe end\n")
    (change,) = repo.changes(base, repo.commit()).values()

    assert change.added == ((1, "caf\ufffd"), (2, "ok"), (3, "\ufffd\ufffd end"))


def test_empty_files_and_missing_final_newlines(repo: Repo) -> None:
    repo.write("gone.txt", "")
    repo.write("tail.txt", "a\nb")
    base = repo.commit()
    (repo.root / "gone.txt").unlink()
    repo.write("tail.txt", "a\nc")
    repo.write("crlf.txt", "one\r\ntwo\r\n")
    changes = repo.changes(base, repo.commit())

    assert (changes["tail.txt"].removed, changes["tail.txt"].added) == (((2, "b"),), ((2, "c"),))
    gone = changes["gone.txt"]
    assert (gone.status, gone.removed, gone.old_blob) == (
        "deleted",
        (),
        repo.git("hash-object", "/dev/null"),
    )
    # A carriage return is content, not part of the newline git splits on.
    assert changes["crlf.txt"].added == ((1, "one\r"), (2, "two\r"))


def test_lines_that_look_like_patch_syntax_are_plain_content(repo: Repo) -> None:
    tricky = [
        "diff --git a/x b/x",
        "@@ -1 +1 @@",
        "+++ b/x",
        "--- a/x",
        "\\ No newline at end of file",
        "",
        "index 0..1",
        "-",
        "+",
    ]
    repo.write("notes.txt", numbered("keep", *tricky))
    base = repo.commit()
    repo.write("notes.txt", numbered("keep", *reversed(tricky), "end"))
    (change,) = repo.changes(base, repo.commit()).values()

    new_lines = ["keep", *reversed(tricky), "end"]
    old_lines = ["keep", *tricky]
    assert all(new_lines[number - 1] == text for number, text in change.added)
    assert all(old_lines[number - 1] == text for number, text in change.removed)
    assert [text for _, text in change.added if text in tricky]  # the tricky lines did move


@pytest.mark.slow
def test_a_large_change_matches_numstat_across_pipe_reads(repo: Repo) -> None:
    """Hundreds of files and a patch of several MiB: read in many chunks, nothing is lost."""
    for index in range(300):
        repo.write(f"pkg{index % 7}/m{index}.py", numbered(*(f"v{index} {n}" for n in range(120))))
    base = repo.commit()
    for index in range(300):
        lines = [
            f"v{index} {n}" if n % (index % 5 + 2) else f"edit {index} {n} " * 8 for n in range(120)
        ]
        repo.write(
            f"pkg{index % 7}/m{index}.py", numbered(*lines, *(f"tail {n}" for n in range(index)))
        )
    head = repo.commit()
    numstat = repo.git("diff", "--numstat", base, head).splitlines()
    expected = {
        path: (int(added), int(removed))
        for added, removed, path in (row.split("\t") for row in numstat)
    }

    changes = repo.changes(base, head)

    assert {path: (len(c.added), len(c.removed)) for path, c in changes.items()} == expected
    for path, change in changes.items():
        lines = (repo.root / path).read_text().splitlines()
        assert all(lines[number - 1] == text for number, text in change.added)


HOSTILE_CONFIG = """\
[core]
    quotePath = true
[color]
    ui = always
[diff]
    noprefix = true
    mnemonicPrefix = true
    context = 7
    interHunkContext = 9
    submodule = log
    ignoreSubmodules = all
    external = false
    renames = copies
    algorithm = patience
    orderFile = {order}
"""


def test_user_settings_that_reshape_diffs_change_nothing(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("a.txt", numbered(*TEN))
    repo.write("ü b.txt", numbered(*TEN))
    first = repo.commit()
    repo.gitlink("sub", first)
    base = repo.commit()
    repo.write("a.txt", numbered("new", *TEN[1:4], "mid", *TEN[5:]))
    repo.write("ü b.txt", numbered(*TEN, "end"))
    repo.write("copy.txt", numbered(*TEN))
    repo.gitlink("sub", base)
    head = repo.commit()
    clean = sorted(git.iter_changes(repo.root, base, head), key=lambda change: change.path)

    order = tmp_path / "order"
    order.write_text("z*\n")
    config = tmp_path / "hostile-gitconfig"
    config.write_text(HOSTILE_CONFIG.format(order=order))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_DIFF_OPTS", "--unified=3")
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", "false")
    hostile = sorted(git.iter_changes(repo.root, base, head), key=lambda change: change.path)

    assert hostile == clean
    assert [change.path for change in clean] == ["a.txt", "copy.txt", "sub", "ü b.txt"]
    assert clean[0].added == ((1, "new"), (5, "mid"))


# ---------------------------------------------------------------- staged, hash, errors


def test_staged_changes_before_the_first_commit(repo: Repo) -> None:
    repo.write("a.txt", numbered("one"))
    repo.write("b/c.txt", numbered("two", "three"))
    repo.git("add", "-A")
    changes = repo.changes(None, None, staged=True)

    assert changes["a.txt"].added == ((1, "one"),)
    assert changes["b/c.txt"].added == ((1, "two"), (2, "three"))
    assert {change.status for change in changes.values()} == {"added"}


def test_the_diff_hash_is_the_same_from_commits_the_index_and_without_rename_detection(
    repo: Repo,
) -> None:
    repo.write("src/orders.py", numbered(*TEN))
    repo.write("run.sh", "echo\n")
    repo.write("old.txt", "bye\n")
    base = repo.commit()
    repo.git("mv", "src/orders.py", "src/checkout.py")
    repo.write("src/checkout.py", numbered(*TEN, "more"))
    (repo.root / "run.sh").chmod(0o755)
    (repo.root / "old.txt").unlink()
    repo.write("new.bin", b"\x00\x01")
    (repo.root / "link").symlink_to("run.sh")
    head = repo.commit()

    from_commits = diff_hash(git.iter_changes(repo.root, base, head))
    without_renames = diff_hash(git.iter_changes(repo.root, base, head, renames=False))
    repo.git("reset", "-q", "--soft", base)  # HEAD at base, the index still holds head's tree
    from_index = diff_hash(git.iter_changes(repo.root, None, None, staged=True))
    from_index_with_base = diff_hash(git.iter_changes(repo.root, base, None, staged=True))

    assert from_commits == without_renames == from_index == from_index_with_base
    assert any(c.status == "renamed" for c in git.iter_changes(repo.root, base, head))


def test_the_diff_hash_changes_with_one_byte_or_one_mode(repo: Repo) -> None:
    repo.write("a.txt", "alpha\n")
    repo.write("b.sh", "beta\n")
    base = repo.commit()
    repo.write("a.txt", "alpha!\n")
    head = repo.commit()
    repo.write("a.txt", "alpha?\n")
    one_byte = repo.commit()
    (repo.root / "b.sh").chmod(0o755)
    one_mode = repo.commit()

    hashes = {
        diff_hash(git.iter_changes(repo.root, base, rev)) for rev in (head, one_byte, one_mode)
    }
    assert len(hashes) == 3


def _hashes_every_way(repo: Repo, base: str, head: str) -> set[str]:
    """The diff hash from commits (with and without rename detection) and from the index."""
    found = {
        diff_hash(git.iter_changes(repo.root, base, head)),
        diff_hash(git.iter_changes(repo.root, base, head, renames=False)),
    }
    repo.git("reset", "-q", "--soft", base)  # HEAD at base, the index still holds head's tree
    found.add(diff_hash(git.iter_changes(repo.root, None, None, staged=True)))
    found.add(diff_hash(git.iter_changes(repo.root, base, None, staged=True)))
    repo.git("reset", "-q", "--soft", head)
    return found


def _one_edit(repo: Repo, edit: str, first: str) -> None:
    """Apply one kind of change to the tree made by :func:`_hash_cases_base`."""
    root = repo.root
    if edit == "file to symlink":
        (root / "f.txt").unlink()
        (root / "f.txt").symlink_to("g.txt")
    elif edit == "symlink retargeted":
        (root / "link").unlink()
        (root / "link").symlink_to("f.txt")
    elif edit == "file to submodule":
        repo.git("rm", "-q", "--cached", "f.txt")
        (root / "f.txt").unlink()
        repo.gitlink("f.txt", first)
    elif edit == "submodule to file":
        repo.git("rm", "-q", "--cached", "sub")
        (root / "sub").rmdir()
        repo.write("sub", "now a file\n")
    elif edit == "submodule moved on":
        repo.gitlink("sub", repo.git("rev-parse", "HEAD"))
    elif edit == "file to folder":
        (root / "f.txt").unlink()
        repo.write("f.txt/inner.txt", "inside\n")
    elif edit == "empty file added":
        repo.write("empty.txt", "")
    elif edit == "mode only":
        (root / "g.txt").chmod(0o755)
    elif edit == "renamed and the old name reused":
        repo.git("mv", "f.txt", "moved.txt")
        repo.write("f.txt", "a new file of the old name\n")


HASH_EDITS = [
    "file to symlink",
    "symlink retargeted",
    "file to submodule",
    "submodule to file",
    "submodule moved on",
    "file to folder",
    "empty file added",
    "mode only",
    "renamed and the old name reused",
]


def _hash_cases_base(repo: Repo) -> tuple[str, str]:
    repo.write("f.txt", numbered(*TEN))
    repo.write("g.txt", "g\n")
    (repo.root / "link").symlink_to("g.txt")
    first = repo.commit()
    repo.gitlink("sub", first)
    return first, repo.commit()


@pytest.mark.parametrize("edit", HASH_EDITS)
def test_each_kind_of_change_hashes_the_same_from_commits_and_the_index(
    repo: Repo, edit: str
) -> None:
    first, base = _hash_cases_base(repo)
    _one_edit(repo, edit, first)
    head = repo.commit(edit)
    assert repo.git("diff", "--name-only", base, head)  # the edit is a change

    assert len(_hashes_every_way(repo, base, head)) == 1


def test_no_two_kinds_of_change_share_a_hash(repo: Repo) -> None:
    first, base = _hash_cases_base(repo)
    hashes = {diff_hash(git.iter_changes(repo.root, base, base))}  # no change at all
    for edit in HASH_EDITS:
        repo.git("reset", "-q", "--hard", base)
        _one_edit(repo, edit, first)
        hashes.add(diff_hash(git.iter_changes(repo.root, base, repo.commit(edit))))
    assert len(hashes) == len(HASH_EDITS) + 1


def test_a_rename_hashes_as_the_deletion_and_addition_it_is_and_a_copy_as_an_addition(
    repo: Repo,
) -> None:
    """The hash is of the change to the tree, not of how git described it: a rename and a
    delete-and-add of the same content are the same change (an approval of one holds for
    the other), and a copy is the addition of the new file."""
    repo.write("a.txt", numbered(*TEN))
    base = repo.commit()
    repo.git("mv", "a.txt", "b.txt")
    renamed = repo.commit()
    (change,) = git.iter_changes(repo.root, base, renamed)
    assert change.status == "renamed"
    described_apart = [
        FileChange("deleted", "a.txt", old_mode="100644", old_blob=change.old_blob),
        FileChange("added", "b.txt", new_mode="100644", new_blob=change.new_blob),
    ]
    assert diff_hash([change]) == diff_hash(described_apart)
    copy = FileChange(
        "copied", "c.txt", old_path="a.txt", old_mode="100644", new_mode="100644",
        old_blob=change.old_blob, new_blob=change.old_blob,
    )  # fmt: skip
    added = FileChange("added", "c.txt", new_mode="100644", new_blob=change.old_blob)
    assert diff_hash([copy]) == diff_hash([added]) != diff_hash([])


@pytest.mark.parametrize("field", ["path", "old_path"])
def test_a_path_holding_a_nul_cannot_be_hashed(field: str) -> None:
    # NUL ends the path in each hashed record: "a\0<mode>..." could pose as another record.
    paths = {"path": "a.txt", "old_path": "z.txt", field: "a.txt\x00100644"}
    change = FileChange("renamed", paths["path"], old_path=paths["old_path"])
    with pytest.raises(ValueError, match="NUL"):
        diff_hash([change])


def _git_children() -> list[int]:
    """Processes named git* whose parent is this test process, zombies included."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        if parent == os.getpid() and name.startswith("git"):
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_stopping_early_kills_and_reaps_git(repo: Repo) -> None:
    base = repo.commit("empty")
    repo.write("a.txt", "first\n")
    repo.write("z.txt", numbered(*(f"line {n} " * 4 for n in range(60_000))))  # ~3 MiB of patch
    head = repo.commit()

    changes = git.iter_changes(repo.root, base, head)
    assert next(changes).path == "a.txt"
    assert _git_children()  # git is still writing z.txt into a full pipe
    changes.close()

    assert _git_children() == []


def test_unmerged_paths_in_the_index_are_refused(repo: Repo) -> None:
    repo.write("f.txt", "a\n")
    repo.commit()
    repo.git("checkout", "-q", "-b", "other")
    repo.write("f.txt", "b\n")
    repo.commit()
    repo.git("checkout", "-q", "main")
    repo.write("f.txt", "c\n")
    repo.commit()
    repo.git("merge", "-q", "other", check=False)

    with pytest.raises(GitError, match="unmerged paths; resolve the conflicts"):
        list(git.iter_changes(repo.root, None, None, staged=True))


def test_a_staged_diff_takes_no_head(repo: Repo) -> None:
    head = repo.commit()
    with pytest.raises(GitError, match="pass no head"):
        list(git.iter_changes(repo.root, None, head, staged=True))


def test_an_unknown_revision_in_a_diff_is_a_git_error(repo: Repo) -> None:
    repo.commit()
    with pytest.raises(GitError, match="bad revision 'nope'"):
        list(git.iter_changes(repo.root, "nope", "HEAD"))


def test_a_sha256_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "sha256", "main", "--object-format=sha256")
    base = repo.commit("empty")
    repo.write("a.txt", "x\n")
    (change,) = repo.changes(base, repo.commit()).values()

    assert (change.old_blob, len(change.new_blob), change.added) == (NO_BLOB, 64, ((1, "x"),))
    assert len(git.empty_tree(repo.root)) == 64


# ---------------------------------------------------------------- repository and revisions


def test_repository_root_from_a_subfolder(repo: Repo) -> None:
    (repo.root / "a" / "b").mkdir(parents=True)
    assert git.repository_root(repo.root / "a" / "b").resolve() == repo.root.resolve()


def test_outside_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(
        GitError, match="is not inside a git repository; run signoff gate from a clone"
    ):
        git.repository_root(plain)
    with pytest.raises(GitError, match="is not a folder"):
        git.repository_root(tmp_path / "missing")


def test_git_missing_from_path(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    head = repo.commit()
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    for attempt in (
        lambda: git.repository_root(repo.root),
        lambda: git.resolve_revision(repo.root, head),
        lambda: list(git.iter_changes(repo.root, head, head)),
        lambda: git.read_blobs(repo.root, [head]),
    ):
        with pytest.raises(GitError, match="git is not installed or not on PATH") as caught:
            attempt()
        assert isinstance(caught.value, UsageError)
        assert caught.value.exit_code == 2


def test_a_git_that_fails_part_way_is_reported_in_its_own_words(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing object kills ``git diff -p`` part way: its complaint is the message, not our
    "raw listing has more files than its patch". A git that closes its output a moment before
    it exits (as a busy machine can make any git do) shows the race deterministically."""
    repo.write("a.txt", "one\n")
    repo.write("b.txt", "x\n")
    base = repo.commit()
    repo.write("a.txt", "two\n")
    repo.write("b.txt", "y\n")
    head = repo.commit()
    blob = repo.git("rev-parse", f"{head}:a.txt")
    loose = repo.root / ".git" / "objects" / blob[:2] / blob[2:]
    loose.chmod(0o644)
    loose.unlink()
    real_git = shutil.which("git")
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "git").write_text(
        f'#!/bin/sh\n"{real_git}" "$@"\nstatus=$?\nexec 1>&-\nsleep 0.3\nexit $status\n'
    )
    (shim / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")

    with pytest.raises(GitError, match=f"fatal: unable to read {blob}"):
        list(git.iter_changes(repo.root, base, head))


def test_resolve_revision(repo: Repo, tmp_path: Path) -> None:
    head = repo.commit()
    assert git.resolve_revision(repo.root, "main") == head
    assert git.resolve_revision(repo.root, head[:8]) == head
    with pytest.raises(GitError, match="unknown revision 'no-such-branch'"):
        git.resolve_revision(repo.root, "no-such-branch")
    # A name that looks like an option is a name, never an option.
    output = tmp_path / "written"
    with pytest.raises(GitError, match="unknown revision"):
        git.resolve_revision(repo.root, f"--output={output}")
    assert not output.exists()


def test_head_commit_and_shallowness(repo: Repo) -> None:
    assert git.head_commit(repo.root) is None
    head = repo.commit()
    assert git.head_commit(repo.root) == head
    assert git.is_shallow(repo.root) is False


def test_shallow_clone_missing_the_base_says_to_fetch_history(tmp_path: Path) -> None:
    origin = make_repo(tmp_path / "origin")
    first = origin.commit("one")
    origin.commit("two")
    origin.git("checkout", "-q", "-b", "feature")
    origin.commit("on feature")
    origin.git("checkout", "-q", "main")
    origin.commit("three")
    clone = Repo(tmp_path / "clone")
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            f"file://{origin.root}",
            str(clone.root),
        ],
        check=True,
    )

    assert git.is_shallow(clone.root)
    with pytest.raises(
        GitError,
        match=r"not in this clone; this clone is shallow; fetch full history \(git fetch --unshallow, or fetch-depth: 0",
    ):
        git.resolve_revision(clone.root, first)
    with pytest.raises(GitError, match="no common commit in this clone; this clone is shallow"):
        git.merge_base(clone.root, "origin/main", "origin/feature")


def test_merge_base(repo: Repo) -> None:
    fork = repo.commit("one")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("feature work")
    repo.git("checkout", "-q", "main")
    repo.commit("main work")
    assert git.merge_base(repo.root, "main", "feature") == fork

    repo.git("checkout", "-q", "--orphan", "unrelated")
    repo.commit("another root")
    with pytest.raises(GitError, match="no common commit \\(unrelated histories\\)"):
        git.merge_base(repo.root, "main", "unrelated")
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        git.merge_base(repo.root, "main", "nope")


def test_current_branch(repo: Repo) -> None:
    assert git.current_branch(repo.root) == "main"  # before the first commit too
    repo.commit()
    repo.git("checkout", "-q", "-b", "feature/SO-12-tax")
    assert git.current_branch(repo.root) == "feature/SO-12-tax"
    repo.git("checkout", "-q", "--detach")
    assert git.current_branch(repo.root) is None


def test_default_branch_without_a_remote(tmp_path: Path) -> None:
    empty = make_repo(tmp_path / "empty")
    with pytest.raises(GitError, match=r"no default branch.*git remote set-head origin --auto"):
        git.default_branch(empty.root)
    main = make_repo(tmp_path / "main")
    main.commit()
    assert git.default_branch(main.root) == "main"
    assert git.default_branch(main.root, "main") == "main"
    with pytest.raises(GitError, match="unknown revision 'develop'"):
        git.default_branch(main.root, "develop")
    master = make_repo(tmp_path / "master", "master")
    master.commit()
    assert git.default_branch(master.root) == "master"


def test_default_branch_follows_origin_head_then_the_usual_names(tmp_path: Path) -> None:
    origin = make_repo(tmp_path / "origin", "trunk")
    origin.commit()
    origin.git("branch", "main")
    clone = Repo(tmp_path / "clone")
    subprocess.run(["git", "clone", "-q", f"file://{origin.root}", str(clone.root)], check=True)

    assert git.default_branch(clone.root) == "origin/trunk"
    clone.git("remote", "set-head", "origin", "-d")
    assert git.default_branch(clone.root) == "origin/main"


def test_directories_lists_every_folder_of_a_tree(repo: Repo) -> None:
    repo.write("a/b/c.txt", "x")
    repo.write("a/d.txt", "x")
    repo.write("e f/g.txt", "x")
    repo.write("top.txt", "x")
    first = repo.commit()
    repo.gitlink("sub/module", first)
    head = repo.commit()

    assert git.directories(repo.root, head) == {"a", "a/b", "e f", "sub"}
    empty_tree = git.empty_tree(repo.root)
    assert empty_tree == repo.git("hash-object", "-t", "tree", "/dev/null")
    assert git.directories(repo.root, empty_tree) == frozenset()  # --staged before any commit
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        git.directories(repo.root, "nope")


# ---------------------------------------------------------------- logs and blobs


def test_commit_trailers_newest_first_only_in_the_range(repo: Repo) -> None:
    repo.commit("before\n\nSpec: SO-1")
    base = repo.commit("base")
    repo.commit("add tax\n\nSpec: SO-3")
    repo.commit("fix\n\nSpec: SO-5\nReviewed-by: Bob <bob@example.com>")
    repo.commit("prose mentions Spec: SO-9 in passing\n\nand goes on")
    repo.commit("two\n\nspec: SO-7\nSpec:  SO-8  ")
    head = repo.commit("none")

    assert git.commit_trailers(repo.root, base, head) == ["SO-7", "SO-8", "SO-5", "SO-3"]
    assert git.commit_trailers(repo.root, base, head, "Reviewed-by") == ["Bob <bob@example.com>"]
    assert git.commit_trailers(repo.root, head, head) == []
    with pytest.raises(GitError, match="not a trailer name"):
        git.commit_trailers(repo.root, base, head, "Spec,valueonly")


def test_commit_authors_distinct_newest_first(repo: Repo) -> None:
    base = repo.commit("base", GIT_AUTHOR_EMAIL="zed@example.com")
    for author in ("alice", "bob", "alice", "carol"):
        repo.commit(author, GIT_AUTHOR_EMAIL=f"{author}@example.com")

    assert git.commit_authors(repo.root, base, "HEAD") == (
        "carol@example.com",
        "alice@example.com",
        "bob@example.com",
    )
    # Commit ids are used as they are, names resolved; an id of no commit is git's error.
    assert git.commit_authors(repo.root, "HEAD~4", "HEAD") == git.commit_authors(
        repo.root, base, git.resolve_revision(repo.root, "HEAD")
    )
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        git.commit_authors(repo.root, "nope", "HEAD")
    with pytest.raises(GitError):
        git.commit_authors(repo.root, "1" * 40, "HEAD")


def test_co_authors_count_as_authors(repo: Repo) -> None:
    base = repo.commit("base", GIT_AUTHOR_EMAIL="zed@example.com")
    repo.commit(
        "pair work\n\nMentions Co-authored-by: in the body, which is no trailer.\n\n"
        "Co-authored-by: Dana Lead <Dana@Example.com>\n"
        "co-authored-by: agent-7@bots.example.com\n"
        "Reviewed-by: Bob <bob@example.com>",
        GIT_AUTHOR_EMAIL="agent@bots.example.com",
    )
    repo.commit("solo", GIT_AUTHOR_EMAIL="dana@example.com")
    assert git.commit_authors(repo.root, base, "HEAD") == (
        "dana@example.com",
        "agent@bots.example.com",
        "Dana@Example.com",  # the same person by signoff's rules (case): one key either way
        "agent-7@bots.example.com",
    )


def test_read_blobs_keeps_small_blobs_and_skips_the_rest(repo: Repo) -> None:
    repo.write("big.txt", "b" * 5000)
    repo.write("small.txt", "hello\n")
    repo.write("empty.txt", "")
    head = repo.commit()
    big, small, empty, tree = (
        repo.git("rev-parse", f"{head}:{path}")
        for path in ("big.txt", "small.txt", "empty.txt", "")
    )

    found = git.read_blobs(
        repo.root, [big, small, "1" * 40, tree, "not-an-id", NO_BLOB, empty, small], max_bytes=1000
    )

    assert found == {small: b"hello\n", empty: b""}
    assert git.read_blobs(repo.root, []) == {}


# ---------------------------------------------------------------- the pure parser


def _hex(number: int) -> str:
    return f"{number + 1:040x}"


@dataclass(frozen=True)
class SyntheticHunk:
    old_start: int
    removed: tuple[bytes, ...]
    new_start: int
    added: tuple[bytes, ...]
    short_counts: bool
    removed_marker: bool
    added_marker: bool

    def header(self) -> bytes:
        def side(sign: str, start: int, count: int) -> str:
            return (
                f"{sign}{start}" if count == 1 and self.short_counts else f"{sign}{start},{count}"
            )

        old = side("-", self.old_start, len(self.removed))
        new = side("+", self.new_start, len(self.added))
        return f"@@ {old} {new} @@ def f():".encode()

    def lines(self) -> list[bytes]:
        out = [self.header(), *(b"-" + line for line in self.removed)]
        if self.removed and self.removed_marker:
            out.append(b"\\ No newline at end of file")
        out += [b"+" + line for line in self.added]
        if self.added and self.added_marker:
            out.append(b"\\ No newline at end of file")
        return out


line_content = st.binary(max_size=10).map(lambda raw: raw.replace(b"\n", b"."))
hunks = st.builds(
    SyntheticHunk,
    old_start=st.integers(1, 10_000),
    removed=st.lists(line_content, max_size=4).map(tuple),
    new_start=st.integers(1, 10_000),
    added=st.lists(line_content, max_size=4).map(tuple),
    short_counts=st.booleans(),
    removed_marker=st.booleans(),
    added_marker=st.booleans(),
).filter(lambda hunk: bool(hunk.removed or hunk.added))
files = st.lists(st.lists(hunks, max_size=4), max_size=5)


def synthetic_patch(
    all_hunks: list[list[SyntheticHunk]],
) -> tuple[bytes, list[RawRecord], list[FileChange]]:
    """A -U0 patch in git's format, its raw records, and the changes it must parse to."""
    lines: list[bytes] = []
    records: list[RawRecord] = []
    expected: list[FileChange] = []
    for index, file_hunks in enumerate(all_hunks):
        path = f"dir/f{index}.txt"
        record = RawRecord(
            "modified", path, None, "100644", "100644", _hex(2 * index), _hex(2 * index + 1)
        )
        records.append(record)
        lines += [
            f"diff --git a/{path} b/{path}".encode(),
            f"index {record.old_blob}..{record.new_blob} 100644".encode(),
        ]
        if file_hunks:
            lines += [f"--- a/{path}".encode(), f"+++ b/{path}".encode()]
        for hunk in file_hunks:
            lines += hunk.lines()
        expected.append(
            FileChange(
                status="modified",
                path=path,
                old_mode="100644",
                new_mode="100644",
                old_blob=record.old_blob,
                new_blob=record.new_blob,
                added=tuple(
                    (hunk.new_start + offset, line.decode("utf-8", "replace"))
                    for hunk in file_hunks
                    for offset, line in enumerate(hunk.added)
                ),
                removed=tuple(
                    (hunk.old_start + offset, line.decode("utf-8", "replace"))
                    for hunk in file_hunks
                    for offset, line in enumerate(hunk.removed)
                ),
            )
        )
    return b"".join(line + b"\n" for line in lines), records, expected


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    return [data[start:end] for start, end in itertools.pairwise(points)]


@settings(max_examples=200)
@given(files, st.lists(st.integers(0, 10**6), max_size=20))
def test_synthetic_patches_parse_to_what_was_written_however_they_are_cut(
    all_hunks: list[list[SyntheticHunk]], cuts: list[int]
) -> None:
    patch, records, expected = synthetic_patch(all_hunks)
    assert list(parse_patch(chunked(patch, cuts), records)) == expected


@settings(max_examples=200)
@given(files, st.data())
def test_damaged_patches_raise_git_error_or_parse_consistently(
    all_hunks: list[list[SyntheticHunk]], data: st.DataObject
) -> None:
    patch, records, _ = synthetic_patch(all_hunks)
    start = data.draw(st.integers(0, len(patch)))
    end = data.draw(st.integers(start, min(len(patch), start + 12)))
    damaged = patch[:start] + data.draw(st.binary(max_size=6)) + patch[end:]
    try:
        parsed = list(parse_patch([damaged], records))
    except GitError:
        return
    # Whatever survived is still self-consistent: one change per record, in order, and no
    # line number below 1.
    assert [change.path for change in parsed] == [record.path for record in records]
    for change in parsed:
        assert all(number >= 1 for number, _ in change.added + change.removed)


patch_like_lines = st.lists(
    st.sampled_from(
        [
            b"diff --git a/x b/x",
            b"index 1..2",
            b"@@ -1 +1 @@",
            b"@@ -1,2 +0,0 @@",
            b"+a",
            b"-b",
            b"\\ No newline",
            b"",
            b"Binary files a and b differ",
            b"--- a/x",
        ]
    )
    | st.binary(max_size=12),
    max_size=30,
)


@settings(max_examples=200)
@given(patch_like_lines, st.lists(st.integers(0, 4), max_size=3))
def test_random_input_raises_only_git_error(lines: list[bytes], record_ids: list[int]) -> None:
    records = [
        RawRecord("modified", "x", None, "100644", "100644", _hex(n), _hex(n + 1))
        for n in record_ids
    ]
    with contextlib.suppress(GitError):
        list(parse_patch([b"\n".join(lines)], records))


raw_paths = st.binary(min_size=1, max_size=12).filter(lambda path: b"\0" not in path)
raw_entries = st.tuples(
    st.sampled_from(["A", "M", "D", "R", "C", "T"]),
    st.sampled_from(["000000", "100644", "100755", "120000", "160000"]),
    st.sampled_from(["000000", "100644", "100755", "120000", "160000"]),
    st.sampled_from(["0" * 40, "0" * 64, "ab" * 20, "cd" * 32]),
    st.sampled_from(["0" * 40, "ef" * 20]),
    st.integers(0, 100),
    raw_paths,
    raw_paths,
)


@settings(max_examples=200)
@given(st.lists(raw_entries, max_size=6), st.lists(st.integers(0, 10**4), max_size=10))
def test_raw_listings_parse_exactly_however_they_are_cut(
    entries: list[tuple[str, str, str, str, str, int, bytes, bytes]], cuts: list[int]
) -> None:
    data = b""
    expected = []
    for letter, old_mode, new_mode, old_blob, new_blob, score, path, other in entries:
        paired = letter in "RC"
        meta = f":{old_mode} {new_mode} {old_blob} {new_blob} {letter}{score if paired else ''}"
        data += meta.encode() + b"\0" + path + b"\0" + (other + b"\0" if paired else b"")
        expected.append(
            RawRecord(
                status=STATUSES[letter],
                path=os.fsdecode(other if paired else path),
                old_path=os.fsdecode(path) if paired else None,
                old_mode=old_mode,
                new_mode=new_mode,
                old_blob=old_blob if old_blob.strip("0") else NO_BLOB,
                new_blob=new_blob if new_blob.strip("0") else NO_BLOB,
                similarity=score if paired else None,
            )
        )
    assert parse_raw(data) == expected
    assert list(iter_raw(chunked(data, cuts))) == expected


@settings(max_examples=200)
@given(st.binary(max_size=200))
def test_random_raw_listings_raise_only_git_error(data: bytes) -> None:
    with contextlib.suppress(GitError):
        parse_raw(data)


# ---------------------------------------------------------------- real git, random contents

content_lines = st.lists(
    st.sampled_from(["a", "b", "c", "", "def f():", "caf\xe9", "  x = 1"]), max_size=12
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    return make_repo(tmp_path_factory.mktemp("scratch") / "repo")


def file_lines(content: bytes) -> list[str]:
    """The file's lines as the diff numbers them: split on newlines, a final one ends a line."""
    lines = content.decode("utf-8", "replace").split("\n")
    return lines[:-1] if lines[-1] == "" else lines


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(
    st.tuples(content_lines, st.booleans()), st.tuples(content_lines, st.booleans()), st.booleans()
)
def test_real_diffs_report_lines_that_rebuild_the_new_file(
    scratch: Repo, old_file: tuple[list[str], bool], new_file: tuple[list[str], bool], latin1: bool
) -> None:
    """Lines, with or without a final newline, in UTF-8 or Latin-1, diffed by git itself."""
    encoding = "latin-1" if latin1 else "utf-8"
    (old, old_eol), (new, new_eol) = old_file, new_file

    def content(lines: list[str], eol: bool) -> bytes:
        text = "\n".join(lines) + ("\n" if eol and lines else "")
        return text.encode(encoding)

    scratch.write("f.txt", content(old, old_eol))
    base = scratch.commit()
    scratch.write("f.txt", content(new, new_eol))
    head = scratch.commit()
    changes = list(git.iter_changes(scratch.root, base, head))

    old_bytes, new_bytes = content(old, old_eol), content(new, new_eol)
    assert len(changes) == (old_bytes != new_bytes)
    if not changes:
        return
    (change,) = changes
    old_text, new_text = file_lines(old_bytes), file_lines(new_bytes)
    assert all(new_text[number - 1] == text for number, text in change.added)
    assert all(old_text[number - 1] == text for number, text in change.removed)
    added = {number for number, _ in change.added}
    removed = {number for number, _ in change.removed}
    kept_old = [line for number, line in enumerate(old_text, 1) if number not in removed]
    kept_new = [line for number, line in enumerate(new_text, 1) if number not in added]
    assert kept_old == kept_new
