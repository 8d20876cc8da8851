"""Concurrency and faults: real processes racing on one ledger and one spec file."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text

from signoff.adapters.store.ledger import open_ledger
from signoff.adapters.store.url import LedgerLocation, resolve_location
from signoff.core.errors import SpecChangedError, SpecWriteError
from signoff.service import clarify, lifecycle, spec_files
from signoff.service.workspace import open_workspace
from tests.conftest import READY_SPEC, write_spec

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from signoff.service.spec_files import SpecText

PROCESSES = 8
EVENTS_EACH = 500


# Each worker is a separate Python process running this script: 500 events, each its own
# transaction; every 10th is sent twice (a retried write, which must record nothing).
WORKER = """
import sys
from datetime import UTC, datetime
from pathlib import Path

from signoff.adapters.store.ledger import open_ledger
from signoff.adapters.store.url import resolve_location
from signoff.core.events import NewEvent

url, root, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
location = resolve_location(Path(root), {"SIGNOFF_DATABASE_URL": url} if url else {})
ledger = open_ledger(location)
created = 0
for number in range(count):
    new = NewEvent(
        "spec.moved", f"SO-{worker}", f"worker-{worker}", datetime.now(UTC),
        f"w{worker}-e{number}", None, {"to": "ready", "n": number},
    )
    created += ledger.append(new)[1]
    if number % 10 == 0:
        created += ledger.append(new)[1]
ledger.close()
print(created)
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    if request.param == "sqlite":
        yield "", tmp_path
        return
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield url, tmp_path


@pytest.mark.slow
def test_eight_processes_append_exactly_4000_events(shared_location: tuple[str, Path]) -> None:
    url, root = shared_location
    location: LedgerLocation = resolve_location(root, {"SIGNOFF_DATABASE_URL": url} if url else {})
    open_ledger(location).close()  # migrate once, before the race
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, str(root), str(worker), str(EVENTS_EACH)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(PROCESSES)
    ]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * PROCESSES, outputs
    created = [int(out) for out, _ in outputs]
    assert created == [EVENTS_EACH] * PROCESSES
    ledger = open_ledger(location)
    try:
        assert ledger.count() == PROCESSES * EVENTS_EACH
        keys = {event.idempotency_key for event in ledger.events_of()}
        assert len(keys) == PROCESSES * EVENTS_EACH
    finally:
        ledger.close()


def _signoff(root: Path, *args: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "SIGNOFF_ACTOR": f"lead-{args[-1][:6]}@example.com"}
    environment.pop("SIGNOFF_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "signoff", *args],
        cwd=root,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_two_processes_answering_one_question_one_wins(slice_root: Path) -> None:
    spec = write_spec(slice_root, "SO-1-total.md", READY_SPEC)
    workspace = open_workspace(slice_root, {})
    for round_ in range(3):
        question = clarify.ask(workspace, "SO-1", f"Question number {round_}?").question
        racers = [
            _signoff(slice_root, "clarify", "answer", f"SO-1/{question.ref}", f"answer-{who}")
            for who in ("alpha", "bravo")
        ]
        outcomes = [(racer.wait(timeout=60), racer.communicate()) for racer in racers]
        codes = sorted(code for code, _ in outcomes)
        assert codes == [0, 1], outcomes
        loser = next(streams for code, streams in outcomes if code == 1)
        assert f"SO-1/{question.ref} was already answered by lead-answer@example.com" in loser[1]
        written = spec.read_text(encoding="utf-8")
        assert written.count(f"- {question.ref} (agent)") == 1
    answered = clarify.inbox(workspace)
    assert [q.state for q in answered] == ["answered"] * 3


def test_a_spec_edited_on_disk_meanwhile_is_not_overwritten(
    slice_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write_spec(slice_root, "SO-1-total.md", READY_SPEC)
    workspace = open_workspace(slice_root, {})
    clarify.ask(workspace, "SO-1", "Which rate limiter?")
    real_read = spec_files.read_spec_text

    def read_then_someone_saves(path: Path) -> SpecText:
        read = real_read(path)
        path.write_text(read.text + "\nAn editor saved this line.\n", encoding="utf-8")
        return read

    monkeypatch.setattr(lifecycle, "read_spec_text", read_then_someone_saves)
    with pytest.raises(SpecChangedError, match="changed on disk while Signoff was editing it"):
        clarify.answer(workspace, "SO-1/Q-1", "The login one.")
    assert spec.read_text(encoding="utf-8").endswith("An editor saved this line.\n")
    assert [q.state for q in clarify.inbox(workspace)] == ["open"]  # nothing recorded


def test_a_failed_write_leaves_file_and_ledger_as_they_were(
    slice_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write_spec(slice_root, "SO-1-total.md", READY_SPEC)
    workspace = open_workspace(slice_root, {})
    clarify.ask(workspace, "SO-1", "Which rate limiter?")
    before = spec.read_bytes()

    def disk_full(path: Path, text: str) -> None:
        raise SpecWriteError(f"{path}: cannot be written: No space left on device; it is unchanged")

    monkeypatch.setattr(lifecycle, "replace_file", disk_full)
    with pytest.raises(SpecWriteError, match="No space left"):
        clarify.answer(workspace, "SO-1/Q-1", "The login one.")
    assert spec.read_bytes() == before
    assert [q.state for q in clarify.inbox(workspace)] == ["open"]
    with pytest.raises(SpecWriteError):
        lifecycle.move(workspace, "SO-1", "abandoned", "dropped")
    assert spec.read_bytes() == before
    assert lifecycle.history(workspace, "SO-1")[1][-1].kind == "question.asked"
