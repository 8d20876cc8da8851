"""Git, through its command line: the repository, revisions, logs, and the streamed diff.

Every call runs ``git`` with an argument list in the repository, with ``LC_ALL=C`` (messages
in one language) and ``GIT_OPTIONAL_LOCKS=0`` (a gate never takes the index lock a person's
``git`` needs). The user's configuration is respected, except for the few settings that would
change the shape of diff output (colour, external diff, textconv, submodule format and
visibility, inter-hunk context, relative paths), which are overridden on the command line, and
``GIT_DIFF_OPTS`` / ``GIT_EXTERNAL_DIFF``, which are dropped (the first beats ``-U0``).
Revisions are passed after ``--end-of-options``, so a name that starts with ``-`` is never read
as an option. git 2.30 or later is needed.

The diff is streamed: two ``git diff`` processes (the raw listing and the patch) are read in
step, one file at a time, by :mod:`signoff.core.patch`; stopping early kills and reaps both.
"""

from __future__ import annotations

import os
import re
import subprocess
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

from signoff.adapters.git_process import (
    command,
    environment,
    error_file,
    failure,
    start,
    start_failed,
)
from signoff.adapters.git_whole import WholeFileReader
from signoff.core.errors import GitError
from signoff.core.patch import iter_raw, parse_patch
from signoff.core.whole_files import EVERYTHING, Share, in_raw_order

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Iterator

    from signoff.core.diff import FileChange
    from signoff.core.patch import RawRecord

SHALLOW_HINT: Final = (
    "this clone is shallow; fetch full history (git fetch --unshallow, or fetch-depth: 0 "
    "in actions/checkout) and run again"
)
DEFAULT_BRANCH_CANDIDATES: Final = (
    ("refs/remotes/origin/main", "origin/main"),
    ("refs/remotes/origin/master", "origin/master"),
    ("refs/heads/main", "main"),
    ("refs/heads/master", "master"),
)
# Options that make diff output parseable whatever the user's configuration says.
_DIFF_SHAPE: Final = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--ignore-submodules=none",
    "--submodule=short",
    "--no-relative",
)
_CHUNK: Final = 1 << 20
# How long a git whose output broke off is given to exit, so that its own complaint ("fatal:
# unable to read ...") is the message rather than what its cut output looks like to us.
_EXIT_GRACE_SECONDS: Final = 2.0
_OBJECT_ID_LENGTHS: Final = frozenset({40, 64})  # SHA-1 and SHA-256 repositories
# The empty tree's id in SHA-1 and SHA-256 repositories: what :func:`empty_tree` answers, known
# without running git.
EMPTY_TREES: Final = frozenset(
    {
        "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
        "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
    }
)
_HEX: Final = frozenset("0123456789abcdef")


def configured_email(cwd: Path) -> str | None:
    """``git config user.email`` as seen from ``cwd``; None when git or the setting is absent."""
    try:
        completed = subprocess.run(
            ["git", "config", "user.email"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    email = completed.stdout.strip()
    return email if completed.returncode == 0 and email else None


# ---------------------------------------------------------------- running git


def _run(root: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            command(args),
            cwd=root,
            env=environment(),
            input=stdin,
            capture_output=True,
            check=False,
        )
    except OSError as error:
        raise start_failed(root, error) from error


def _git(root: Path, *args: str) -> str:
    """git's standard output without the final newline; GitError when git fails."""
    completed = _run(root, *args)
    if completed.returncode != 0:
        raise failure(root, args, completed.stderr)
    return completed.stdout.decode("utf-8", "surrogateescape").removesuffix("\n")


def _maybe(root: Path, *args: str) -> str | None:
    """Like :func:`_git`, but None when git says no (a ``--quiet`` query that fails)."""
    completed = _run(root, *args)
    if completed.returncode != 0:
        return None
    return completed.stdout.decode("utf-8", "surrogateescape").removesuffix("\n")


# ---------------------------------------------------------------- repository and revisions


def repository_root(cwd: Path) -> Path:
    """The top folder of the work tree that holds ``cwd``."""
    completed = _run(cwd, "rev-parse", "--show-toplevel")
    if completed.returncode == 0 and completed.stdout.strip():
        return Path(os.fsdecode(completed.stdout.removesuffix(b"\n")))
    message = completed.stderr.decode("utf-8", "replace")
    if "dubious ownership" in message:
        raise failure(cwd, ("rev-parse",), completed.stderr)
    raise GitError(
        f"{cwd} is not inside a git repository; run signoff gate from a clone "
        "(git init / git clone)"
    )


def is_shallow(root: Path) -> bool:
    """Whether the clone was made with ``--depth`` and lacks older history."""
    return _git(root, "rev-parse", "--is-shallow-repository") == "true"


def head_commit(root: Path) -> str | None:
    """The id of the commit checked out; None in a repository without commits."""
    return _maybe(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")


def current_branch(root: Path) -> str | None:
    """The name of the checked-out branch; None when HEAD is detached."""
    return _maybe(root, "symbolic-ref", "--quiet", "--short", "HEAD") or None


def _commit_id(root: Path, rev: str) -> str | None:
    if not rev or "\0" in rev:
        return None
    return _maybe(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")


def resolve_revision(root: Path, rev: str) -> str:
    """The full id of the commit ``rev`` names."""
    commit = _commit_id(root, rev)
    if commit:
        return commit
    if is_shallow(root):
        raise GitError(f"revision {rev!r} is not in this clone; {SHALLOW_HINT}")
    raise GitError(
        f"unknown revision {rev!r}: no commit of that name in {root}; check the name "
        "(git log --oneline) or fetch it (git fetch origin)"
    )


def default_branch(root: Path, configured: str | None = None) -> str:
    """The branch changes are compared with: configured, else origin's HEAD, else a usual name."""
    if configured:
        resolve_revision(root, configured)
        return configured
    target = _maybe(root, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")
    if target and _commit_id(root, target):
        return target.removeprefix("refs/remotes/")
    for ref, name in DEFAULT_BRANCH_CANDIDATES:
        if _commit_id(root, ref):
            return name
    raise GitError(
        f"no default branch in {root}: none of origin/HEAD, origin/main, origin/master, main, "
        "master exists; pass --base REV, or run `git remote set-head origin --auto`"
    )


def merge_base(root: Path, left: str, right: str) -> str:
    """The best common ancestor of two revisions."""
    left_id, right_id = resolve_revision(root, left), resolve_revision(root, right)
    completed = _run(root, "merge-base", "--end-of-options", left_id, right_id)
    if completed.returncode == 0:
        return completed.stdout.decode("ascii").strip()
    if completed.returncode != 1:
        raise failure(root, ("merge-base",), completed.stderr)
    if is_shallow(root):
        raise GitError(f"{left} and {right} have no common commit in this clone; {SHALLOW_HINT}")
    raise GitError(
        f"{left} and {right} have no common commit (unrelated histories); "
        "pass --base REV to choose what to compare with"
    )


def directories(root: Path, rev: str) -> frozenset[str]:
    """Every directory path in the tree of ``rev``, a commit or a tree (submodules are not)."""
    # One git call when all is well; the reason is worked out only when it is not.
    args = ("ls-tree", "-r", "-d", "-z", "--full-tree", "--end-of-options", f"{rev}^{{tree}}")
    completed = _run(root, *args)
    if completed.returncode != 0:
        tree = _maybe(
            root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{tree}}"
        )
        if not tree:
            resolve_revision(root, rev)  # raises the message that fits (unknown, or shallow)
            # a commit that is there, whose tree is not: a damaged or partial clone
            raise GitError(
                f"the tree of revision {rev!r} is missing from {root}; fetch it again "
                "(git fetch) or check the clone (git fsck)"
            )
        raise failure(root, args, completed.stderr)
    listing = completed.stdout.decode("utf-8", "surrogateescape")
    found: set[str] = set()
    for entry in listing.split("\0"):
        info, _, path = entry.partition("\t")
        if info.split(" ")[1:2] == ["tree"]:
            found.add(path)
    return frozenset(found)


# ---------------------------------------------------------------- logs


def _range(root: Path, base: str, head: str) -> str:
    """``base..head`` with each side a commit id. An id is taken as it is (a change's sides
    are resolved already, and git log names a missing one itself): asking git to resolve it
    again costs a process per side on every gate run."""
    return f"{_as_commit(root, base)}..{_as_commit(root, head)}"


def _as_commit(root: Path, rev: str) -> str:
    return rev if _is_object_id(rev) else resolve_revision(root, rev)


def _log(root: Path, base: str, head: str, format_: str) -> list[str]:
    """One field per NUL, newest commit first, empty fields dropped."""
    output = _git(
        root,
        "log",
        "-z",
        "--no-show-signature",  # log.showSignature would print gpg output into ours
        f"--format={format_}",
        "--end-of-options",
        _range(root, base, head),
        "--",
    )
    return [field.strip() for field in output.split("\0") if field.strip()]


def commit_trailers(root: Path, base: str, head: str, key: str = "Spec") -> list[str]:
    """The values of trailer ``key`` in the commits of ``base..head``, newest commit first."""
    if not key or not all(char.isalnum() or char == "-" for char in key):
        raise GitError(f"trailer key {key!r} is not a trailer name; use letters, digits and '-'")
    # unfold: a value folded over lines becomes one; NUL between values and between commits,
    # so no value text can be mistaken for a boundary.
    return _log(root, base, head, f"%(trailers:key={key},valueonly,unfold,separator=%x00)")


_NAMED_ADDRESS = re.compile(r"<([^<>]*)>\s*$")


def commit_authors(root: Path, base: str, head: str) -> tuple[str, ...]:
    """Who wrote the commits in ``base..head``, newest first, each once: each commit's author
    email, then the emails its ``Co-authored-by:`` trailers name (``Name <email>``; a value
    without one is kept whole), as GitHub and GitLab count co-authors."""
    fields = _log(
        root,
        base,
        head,
        "%ae%x00%(trailers:key=Co-authored-by,valueonly,unfold,separator=%x00)",
    )
    emails = []
    for field in fields:
        named = _NAMED_ADDRESS.search(field)
        email = named.group(1).strip() if named is not None else field
        if email:
            emails.append(email)
    return tuple(dict.fromkeys(emails))


# ---------------------------------------------------------------- the diff


class _Stream:
    """A running git whose standard output is read in chunks, and whose exit is checked."""

    def __init__(self, root: Path, args: tuple[str, ...], errors: IO[bytes]) -> None:
        self._root = root
        self._args = args
        self._errors = errors
        self.process = start(root, args, stdin=subprocess.DEVNULL, errors=errors)
        self._output: IO[bytes] = self.process.stdout  # type: ignore[assignment]

    def chunks(self) -> Iterator[bytes]:
        read = self._output.read
        while chunk := read(_CHUNK):
            yield chunk

    def check(self, *, grace: float | None = None) -> None:
        """Raise git's complaint if it failed.

        ``grace`` None: its output was read to the end, so wait for it. A number: how long to
        give a git that may still be running (one blocked on a pipe nobody reads goes on).
        A git that has closed its output is not necessarily reaped yet: asking without waiting
        would miss its failure.
        """
        try:
            code = self.process.wait(grace)
        except subprocess.TimeoutExpired:
            return
        if code:
            self._errors.seek(0)
            raise failure(self._root, self._args[:1], self._errors.read(4096))

    def close(self) -> None:
        """Kill git if it still runs (the reader stopped early) and reap it: no zombie."""
        if self.process.poll() is None:
            self.process.kill()
        self._output.close()
        self.process.wait()


@contextmanager
def _whole_files(root: Path, big_file_threshold: int | None) -> Iterator[WholeFileReader]:
    reader = WholeFileReader(root, big_file_threshold)
    try:
        yield reader
    finally:
        reader.close()


@contextmanager
def _streaming(root: Path, args: tuple[str, ...]) -> Iterator[_Stream]:
    with error_file() as errors:
        stream = _Stream(root, args, errors)
        try:
            yield stream
        finally:
            stream.close()


def empty_tree(root: Path) -> str:
    """The id of the empty tree in this repository's hash (git knows it without storing it)."""
    completed = _run(root, "hash-object", "-t", "tree", "--stdin")
    if completed.returncode != 0:
        raise failure(root, ("hash-object",), completed.stderr)
    return completed.stdout.decode("ascii").strip()


def _diff_sides(root: Path, base: str | None, head: str | None, *, staged: bool) -> list[str]:
    if staged:
        if head is not None:
            raise GitError("a staged diff compares the index with one commit; pass no head")
        against = base if base is not None else head_commit(root) or empty_tree(root)
        return ["--cached", "--end-of-options", against]
    return ["--end-of-options", base or empty_tree(root), head or "HEAD"]


def iter_changes(
    root: Path,
    base: str | None,
    head: str | None,
    *,
    staged: bool = False,
    renames: bool = True,
) -> Generator[FileChange, None, None]:
    """The files changed from ``base`` to ``head``, streamed one :class:`FileChange` at a time.

    ``staged``: the index against ``base`` (default HEAD, or the empty tree before the first
    commit). A missing ``base`` is the empty tree and a missing ``head`` is HEAD. ``renames``
    turns rename detection off; the diff hash does not depend on it. Closing the generator
    early (or dropping it) kills and reaps the git processes.
    """
    changes = iter_share(root, base, head, staged=staged, renames=renames)
    try:
        for _, change in changes:
            yield change
    finally:
        changes.close()


def iter_share(
    root: Path,
    base: str | None,
    head: str | None,
    *,
    staged: bool = False,
    renames: bool = True,
    share: Share = EVERYTHING,
    every: Callable[[RawRecord], None] | None = None,
    big_file_threshold: int | None = None,
) -> Generator[tuple[int, FileChange], None, None]:
    """The files of one ``share`` of the diff (see :class:`~signoff.core.whole_files.Share`),
    each with its place in the raw listing; ``every`` sees every file's raw record.
    ``big_file_threshold``: ``core.bigFileThreshold``, if read already
    (:func:`big_file_threshold`)."""
    sides = _diff_sides(root, base, head, staged=staged)
    shape = ("-M" if renames else "--no-renames", *_DIFF_SHAPE)
    # Files added or deleted whole are read from their blobs (core.whole_files): git's patch
    # of them would only prefix every line with "+" or "-". The patch, and the raw listing it
    # is matched with, leave them out; the full listing gives every file's place. Only the
    # first share reads the patch.
    rest = ("--diff-filter=ad", *shape, *sides, "--")
    raw = ("diff", "--raw", "-z", "--no-abbrev", *shape, *sides, "--")
    raw_rest = ("diff", "--raw", "-z", "--no-abbrev", *rest)
    patch = ("diff", "-p", "-U0", "--inter-hunk-context=0", "--full-index", *rest)
    with ExitStack() as stack:
        listing = stack.enter_context(_streaming(root, raw))
        whole = stack.enter_context(_whole_files(root, big_file_threshold))
        streams = [listing]

        def patched() -> Iterator[FileChange]:
            # Started at the first file that is not whole: a diff that only adds or deletes
            # files never runs the two gits that would list and patch nothing.
            listing_rest = stack.enter_context(_streaming(root, raw_rest))
            lines = stack.enter_context(_streaming(root, patch))
            streams[:0] = [lines, listing_rest]
            yield from parse_patch(lines.chunks(), iter_raw(listing_rest.chunks()))

        records = iter_raw(listing.chunks())
        try:
            yield from in_raw_order(records, patched(), whole, share=share, every=every)
        except GitError:
            # git's own complaint explains a broken stream best; the patch is what reads
            # every blob, so it is the one that dies of a missing object.
            for stream in streams:
                stream.check(grace=_EXIT_GRACE_SECONDS)
            raise
        for stream in streams:
            stream.check()


# ---------------------------------------------------------------- blobs


def _is_object_id(text: str) -> bool:
    return len(text) in _OBJECT_ID_LENGTHS and set(text) <= _HEX and bool(text.strip("0"))


def read_blobs(
    root: Path, blob_ids: Iterable[str], *, max_bytes: int = 1_048_576
) -> dict[str, bytes]:
    """The contents of blobs by id, from one ``git cat-file --batch``.

    Blobs larger than ``max_bytes``, missing ones, and ids that are not blobs are left out.
    Ids are asked one at a time, each answer read before the next question, so neither side
    can fill a pipe the other is not reading.
    """
    wanted = [blob for blob in dict.fromkeys(blob_ids) if _is_object_id(blob)]
    found: dict[str, bytes] = {}
    if not wanted:
        return found
    with error_file() as errors:
        try:
            process = subprocess.Popen(
                command(("cat-file", "--batch")),
                cwd=root,
                env=environment(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        except OSError as error:
            raise start_failed(root, error) from error
        with process:
            ask: IO[bytes] = process.stdin  # type: ignore[assignment]
            answers: IO[bytes] = process.stdout  # type: ignore[assignment]
            try:
                for blob in wanted:
                    ask.write(blob.encode("ascii") + b"\n")
                    ask.flush()
                    content = _answer(answers, max_bytes)
                    if content is not None:
                        found[blob] = content
            except (OSError, ValueError) as error:
                process.kill()
                errors.seek(0)
                message = errors.read(4096) or str(error).encode()
                raise failure(root, ("cat-file",), message) from error
    return found


def _answer(answers: IO[bytes], max_bytes: int) -> bytes | None:
    """One object from ``cat-file --batch``: its bytes, or None (missing, too big, not a blob)."""
    header = answers.readline().split()
    if len(header) != 3:  # "<id> missing" (or "ambiguous")
        if not header:
            raise ValueError("git cat-file stopped answering")
        return None
    _, kind, size_text = header
    size = int(size_text)
    if kind == b"blob" and size <= max_bytes:
        content = answers.read(size + 1)  # the content, then git's newline after it
        if len(content) != size + 1:
            raise ValueError("git cat-file output ended inside an object")
        return content[:size]
    left = size + 1
    while left:  # too big or not a blob: read past it without keeping it
        skipped = len(answers.read(min(left, _CHUNK)))
        if not skipped:
            raise ValueError("git cat-file output ended inside an object")
        left -= skipped
    return None
