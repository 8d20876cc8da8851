"""The gate scans the diff in forked processes: their answers, their failures, and no zombies.

A preparer process is forked as the workspace opens; it forks the scanners once the change is
resolved (service/gate_scan.py). Each test runs the real gate on a real repository; ``_scan`` is
wrapped, not replaced, so the scanners still stream git and run the rules.
"""

from __future__ import annotations

import dataclasses
import io
import os
import signal
import threading
import time
from contextlib import redirect_stderr, redirect_stdout
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import signoff.service.diff_scanner as scanner
import signoff.service.gate_scan as service
from signoff.cli.app import main
from signoff.core.diff import FileChange, Lines
from signoff.core.errors import GitError
from signoff.service.ledger import open_event_log
from signoff.service.scan_processes import claim, feed_claims, open_claims
from tests.conftest import Result
from tests.gate_repo import make_repo, verdict_json

if TYPE_CHECKING:
    from pathlib import Path

    from tests.gate_repo import Repo

PLAIN = {"src/checkout/totals.py": "def total(cents: int) -> int:\n    return cents + 0\n"}
MIGRATION = {"db/migrate/20261121090000_add_tax_region.rb": "class AddTaxRegion\nend\n"}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    for variable in ("SIGNOFF_DATABASE_URL", "GITHUB_HEAD_REF", "CI_COMMIT_REF_NAME"):
        monkeypatch.delenv(variable, raising=False)
    made = make_repo(tmp_path / "shop")
    made.branch("so-1-x")
    return made


def gate(root: Path) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        try:
            main(["-C", str(root), "gate", "--format", "json"])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return code, verdict_json(Result(code, out.getvalue(), ""))


def scanned_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, then: Any = None) -> Path:
    """Wrap ``_scan`` to note the process it runs in (and do ``then`` there first)."""
    note = tmp_path / "scanned-in"
    original = scanner.scan

    def noting(*args: Any) -> Any:
        note.write_text(str(os.getpid()))
        if then is not None:
            then()
        return original(*args)

    monkeypatch.setattr(scanner, "scan", noting)
    return note


def gone(pid: int) -> bool:
    """Whether the process no longer exists at all (a zombie still answers signal 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_diff_is_scanned_in_a_child_that_is_reaped(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = scanned_in(tmp_path, monkeypatch)
    repo.commit(MIGRATION)

    code, document = gate(repo.root)

    child = int(note.read_text())
    assert child != os.getpid()
    assert gone(child)
    # The child's answer is the whole verdict's basis: the migration it found escalates.
    assert (code, document["verdict"]) == (3, "pending")
    assert document["risk"]["level"] == "irreversible"
    assert [d["category"] for d in document["risk"]["detected"]] == ["schema"]
    assert document["diff"]["files"] == 1


def test_the_child_and_in_process_scans_give_the_same_verdict(repo: Repo) -> None:
    repo.commit({**MIGRATION, **PLAIN})
    forked = gate(repo.root)
    keep = threading.Event()
    waiting = threading.Thread(target=keep.wait)  # another thread: the gate must not fork
    waiting.start()
    try:
        inline = gate(repo.root)
    finally:
        keep.set()
        waiting.join()
    # The second run is the same change judged again: only the ledger's bookkeeping differs.
    # (A command gate's timing differs run to run: gates compare by name and status.)
    same = ("verdict", "reasons", "spec", "diff", "risk", "sampling", "approvals")
    assert forked[0] == inline[0]
    assert {key: forked[1][key] for key in same} == {key: inline[1][key] for key in same}
    assert [(g["name"], g["status"]) for g in forked[1]["gates"]] == [
        (g["name"], g["status"]) for g in inline[1]["gates"]
    ]


def test_with_other_threads_running_the_scan_stays_in_process(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = scanned_in(tmp_path, monkeypatch)
    repo.commit(PLAIN)
    keep = threading.Event()
    waiting = threading.Thread(target=keep.wait)
    waiting.start()
    try:
        _, document = gate(repo.root)
    finally:
        keep.set()
        waiting.join()
    assert int(note.read_text()) == os.getpid()
    assert document["diff"]["files"] == 1


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (GitError("git diff printed nonsense; report it"), "git diff printed nonsense"),
        (ZeroDivisionError("boom"), "internal error: ZeroDivisionError: boom"),
    ],
)
def test_an_error_in_the_child_blocks_with_its_reason(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, reason: str
) -> None:
    def fail() -> None:
        raise error

    note = scanned_in(tmp_path, monkeypatch, fail)
    repo.commit(PLAIN)

    code, document = gate(repo.root)

    assert (code, document["verdict"]) == (2, "blocked")
    assert any(reason in text for text in document["reasons"])
    assert gone(int(note.read_text()))


def test_a_child_killed_mid_scan_blocks_and_is_reaped(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = scanned_in(tmp_path, monkeypatch, lambda: os.kill(os.getpid(), signal.SIGKILL))
    repo.commit(PLAIN)

    code, document = gate(repo.root)

    assert (code, document["verdict"]) == (2, "blocked")
    assert any(
        "stopped without an answer (killed by signal 9)" in text for text in document["reasons"]
    )
    assert gone(int(note.read_text()))


def preparer_noted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Wrap ``_fork_preparer`` to note the preparer's pid (in this process)."""
    note = tmp_path / "preparer"
    original = service._fork_preparer  # noqa: SLF001 - the seam under test

    def noting(*args: Any) -> Any:
        preparer = original(*args)
        assert preparer is not None
        note.write_text(str(preparer.pid))
        return preparer

    monkeypatch.setattr(service, "_fork_preparer", noting)
    return note


def test_an_unreachable_ledger_stops_the_child_and_reaps_it(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = scanned_in(tmp_path, monkeypatch, lambda: time.sleep(60))
    preparer = preparer_noted(tmp_path, monkeypatch)

    def open_once_scanning(workspace: Any) -> Any:
        # The ledger fails at once (nothing listens on port 9); wait until a scanner is busy,
        # so the test is about stopping a scan under way, not one that never started.
        waited = time.monotonic()
        while not note.exists() and time.monotonic() - waited < 20:
            time.sleep(0.01)
        return open_event_log(workspace)

    monkeypatch.setattr("signoff.service.gate_judge.open_event_log", open_once_scanning)
    repo.commit(PLAIN)
    monkeypatch.setenv("SIGNOFF_DATABASE_URL", "postgresql+psycopg://u:secret@127.0.0.1:9/none")

    started = time.monotonic()
    code, document = gate(repo.root)

    assert (code, document["verdict"]) == (2, "blocked")
    assert any("ledger" in text for text in document["reasons"])
    assert time.monotonic() - started < 40  # stopped, not waited for (the scanner sleeps 60 s)
    assert gone(int(note.read_text()))
    assert gone(int(preparer.read_text()))


def test_a_bad_revision_is_reported_and_nothing_is_scanned(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = scanned_in(tmp_path, monkeypatch)
    preparer = preparer_noted(tmp_path, monkeypatch)
    repo.commit(PLAIN)
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        try:
            main(["-C", str(repo.root), "gate", "--format", "json", "--base", "nope"])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    document = verdict_json(Result(code, out.getvalue(), ""))
    assert (code, document["verdict"]) == (2, "blocked")
    assert any("unknown revision 'nope'" in text for text in document["reasons"])
    assert not note.exists()
    # The preparer was started as the workspace opened, and stopped and reaped.
    assert gone(int(preparer.read_text()))


def test_a_base_whose_tree_cannot_be_read_blocks_and_nothing_is_scanned(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The revisions resolve, but the base's tree is gone (a broken or partial clone): git
    # says so while the gate asks it what the scanners need, before any scanner starts.
    note = scanned_in(tmp_path, monkeypatch)
    preparer = preparer_noted(tmp_path, monkeypatch)
    base = repo.commit(PLAIN)
    repo.commit({"src/checkout/more.py": "x = 1\n"})
    tree = repo.git("rev-parse", f"{base}^{{tree}}").strip()
    (repo.root / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        try:
            main(["-C", str(repo.root), "gate", "--format", "json", "--base", base])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    document = verdict_json(Result(code, out.getvalue(), ""))
    assert (code, document["verdict"]) == (2, "blocked")
    assert any(f"the tree of revision {base!r} is missing" in text for text in document["reasons"])
    assert not note.exists()
    assert gone(int(preparer.read_text()))


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (GitError("rules exploded; report it"), "rules exploded"),
        (KeyError("rule"), "internal error: KeyError"),
    ],
)
def test_rules_that_cannot_be_prepared_block_with_the_reason(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, reason: str
) -> None:
    def fail(_workspace: object) -> None:
        raise error

    note = scanned_in(tmp_path, monkeypatch)
    preparer = preparer_noted(tmp_path, monkeypatch)
    monkeypatch.setattr(scanner, "prepare", fail)
    repo.commit(PLAIN)

    code, document = gate(repo.root)

    assert (code, document["verdict"]) == (2, "blocked")
    assert any(reason in text for text in document["reasons"])
    assert not note.exists()  # no scanner was started
    assert gone(int(preparer.read_text()))


def test_a_child_that_answers_but_does_not_exit_cleanly_blocks(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = scanned_in(tmp_path, monkeypatch)
    real_exit = os._exit

    def troubled_exit(_code: int) -> None:  # runs in the child only: the parent never exits so
        real_exit(7)

    monkeypatch.setattr(os, "_exit", troubled_exit)
    repo.commit(PLAIN)

    code, document = gate(repo.root)

    assert (code, document["verdict"]) == (2, "blocked")
    assert any("exit status 7" in text for text in document["reasons"])
    assert gone(int(note.read_text()))


@pytest.mark.parametrize(
    "answer",
    [
        (True, ("not a summary", ())),
        (True, None),
        ("yes", "no", "maybe"),
        (True, (None, ())),
    ],
)
def test_a_child_whose_answer_has_the_wrong_shape_blocks(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, answer: object
) -> None:
    monkeypatch.setattr(scanner, "scan_outcome", lambda *_args: answer)
    repo.commit(PLAIN)

    code, document = gate(repo.root)

    assert (code, document["verdict"]) == (2, "blocked")
    assert any("the diff scan answered" in text for text in document["reasons"])


def test_a_scan_that_lost_the_diffs_hash_blocks(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last share hashes the whole diff: a verdict never goes out without that hash."""
    original = scanner.scan_outcome

    def without_hash(*args: Any) -> Any:
        done, part = original(*args)
        assert isinstance(part, scanner.ScanPart)
        return done, dataclasses.replace(part, sha256=None, files=None)

    monkeypatch.setattr(scanner, "scan_outcome", without_hash)
    repo.commit(PLAIN)

    code, document = gate(repo.root)

    assert (code, document["verdict"]) == (2, "blocked")
    assert any("lost the diff's hash" in text for text in document["reasons"])


def test_one_scanner_or_several_give_the_same_verdict(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The diff is dealt out to one scanner per core; the verdict must not depend on how many."""
    key = "AK" + "IA" + "Q2WERTYUIOPASDFG"
    repo.commit({"src/checkout/totals.py": "def total(cents):\n    return cents\n"})
    files = {
        **MIGRATION,
        "src/checkout/totals.py": "def total(cents):\n    return cents + 1\n",  # patched
        "package.json": '{"dependencies": {"stripe": "12.0.0"}}\n',  # read whole, at the end
        **{f"services/payments/part_{n}.py": f'KEY_{n} = "{key}"\n' for n in range(30)},
        **{f"tools/new_tool/cmd_{n}.go": "package main\n" for n in range(7)},
    }
    repo.commit(files)
    same = ("verdict", "reasons", "spec", "diff", "risk", "sampling", "approvals")
    documents = []
    for count in ("1", "2", "3"):
        monkeypatch.setenv("SIGNOFF_SCANNERS", count)
        code, document = gate(repo.root)
        documents.append((code, {key: document[key] for key in same}))
    assert documents[0] == documents[1] == documents[2]
    detected = {d["category"]: d for d in documents[0][1]["risk"]["detected"]}
    assert {"schema", "security", "vendor", "architecture"} <= set(detected)
    assert detected["security"]["count"] >= 30  # every key counted, past the evidence cap


def test_scanners_claim_each_chunk_once_across_processes() -> None:
    """Processes that claim side by side from one fed pipe get every number once, in order."""
    read, write = open_claims()
    children: list[tuple[int, int]] = []
    for _ in range(3):
        out_read, out_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(write)
            os.close(out_read)
            code = 1
            try:
                numbers = [claim(read) for _ in range(3000)]
                os.write(out_write, ",".join(map(str, numbers)).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(out_write)
        children.append((pid, out_read))
    os.close(read)
    feed_claims(write)  # returns once every child has closed its end: exited
    claimed: list[list[int]] = []
    for pid, out_read in children:
        with os.fdopen(out_read, "rb") as out:
            claimed.append([int(n) for n in out.read().decode().split(",")])
        assert os.waitpid(pid, 0)[1] == 0
    assert all(numbers == sorted(numbers) for numbers in claimed)
    assert sorted(n for numbers in claimed for n in numbers) == list(range(9000))


def test_a_claim_that_cannot_be_read_whole_is_an_error() -> None:
    read, write = os.pipe()
    try:
        os.write(write, (7).to_bytes(4, "little"))  # half a token
        with pytest.raises(RuntimeError, match="read in pieces"):
            claim(read)
        os.write(write, (7).to_bytes(4, "little") * 2)  # whole, but not a token
        with pytest.raises(RuntimeError, match="read in pieces"):
            claim(read)
        os.close(write)
        write = -1
        with pytest.raises(RuntimeError, match="preparer has gone"):
            claim(read)
    finally:
        os.close(read)
        if write >= 0:
            os.close(write)


@settings(max_examples=100, deadline=None)
@given(sizes=st.lists(st.integers(0, 400_000), max_size=300))
def test_the_scan_reads_files_in_bounded_batches_in_order(sizes: list[int]) -> None:
    """Files are scanned a batch at a time: every file once, in order, and a batch never
    holds more than 64 files or much more than a megabyte of lines (one big file may pass it)."""
    changes = [
        (index, FileChange("added", f"f{index}", added=Lines("x" * size, ((1, 1),))))
        for index, size in enumerate(sizes)
    ]
    batches = list(scanner._batches(iter(changes)))  # noqa: SLF001 - the seam under test
    assert [item for batch in batches for item in batch] == changes
    assert all(batch for batch in batches)
    for batch in batches:
        assert len(batch) <= 64
        assert sum(len(c.added_lines.text) for _, c in batch[:-1]) < 1 << 20
