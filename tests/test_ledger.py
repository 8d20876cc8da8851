"""The ledger's contract, run on SQLite and on a real PostgreSQL server alike."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import inspect, text

from signoff.adapters.store.ledger import Ledger, open_ledger
from signoff.adapters.store.quick import open_questions_sqlite
from signoff.adapters.store.schema import HEAD_REVISION, metadata
from signoff.adapters.store.url import LedgerLocation, resolve_location
from signoff.core.errors import DatabaseUrlError, LedgerBusyError
from signoff.core.events import (
    QUESTION_ANSWERED,
    QUESTION_ASKED,
    SPEC_MOVED,
    SPEC_REVISED,
    NewEvent,
    fold_questions,
    fold_stage,
    resolution_key,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

T0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def clock() -> datetime:
    return T0


def event(
    kind: str, spec: str, key: str, subject: str | None = None, **payload: object
) -> NewEvent:
    return NewEvent(kind, spec, "lead@example.com", T0, key, subject, payload)


@pytest.fixture
def ledger(location: LedgerLocation) -> Iterator[Ledger]:
    opened = open_ledger(location, clock)
    yield opened
    opened.close()


def test_first_use_migrates_to_head_and_the_schema_matches_the_code(ledger: Ledger) -> None:
    assert ledger.revision() == HEAD_REVISION
    inspector = inspect(ledger.engine)
    built = {index["name"] for index in inspector.get_indexes("events")}
    declared = {index.name for index in metadata.tables["events"].indexes}
    assert declared <= built
    columns = {column["name"] for column in inspector.get_columns("events")}
    assert columns == set(metadata.tables["events"].columns.keys())


def test_a_retried_write_records_once(ledger: Ledger) -> None:
    first, created = ledger.append(event(SPEC_MOVED, "SO-1", "move-1", to="ready"))
    again, created_again = ledger.append(event(SPEC_MOVED, "SO-1", "move-1", to="draft"))
    assert created
    assert not created_again
    assert again == first
    assert again.payload == {"to": "ready"}  # the first write stands
    assert ledger.count() == 1
    assert first.occurred_at == T0
    assert first.occurred_at.tzinfo is not None


def test_append_many_counts_only_new_events(ledger: Ledger) -> None:
    batch = [event(SPEC_REVISED, f"SO-{n}", f"rev-{n}", status="draft") for n in range(1, 51)]
    assert ledger.append_many(batch) == 50
    assert ledger.append_many([*batch[:10], event(SPEC_REVISED, "SO-99", "rev-99")]) == 1
    assert ledger.count() == 51


def test_the_board_is_derived_from_moves_over_revisions(ledger: Ledger) -> None:
    ledger.append_many(
        [
            event(SPEC_REVISED, "SO-1", "r1", status="draft"),
            event(SPEC_REVISED, "SO-2", "r2", status="draft"),
            event(SPEC_MOVED, "SO-1", "m1", **{"from": "draft", "to": "ready"}),
            event(SPEC_MOVED, "SO-1", "m2", **{"from": "ready", "to": "in-progress"}),
            event(SPEC_REVISED, "SO-1", "r3", status="ready"),
        ]
    )
    assert ledger.board() == {"SO-1": "in-progress", "SO-2": "draft"}
    assert fold_stage(ledger.events_of("SO-1")) == "in-progress"


def test_open_questions_are_asked_minus_resolved(ledger: Ledger, location: LedgerLocation) -> None:
    asked = [
        event(QUESTION_ASKED, "SO-1", f"ask-{n}", f"Q-{n}", text=f"q{n}", source="agent")
        for n in (1, 2, 3)
    ]
    ledger.append_many(asked)
    ledger.append(
        event(QUESTION_ANSWERED, "SO-1", resolution_key("SO-1", "Q-2"), "Q-2", answer="yes")
    )
    open_refs = [e.subject for e in ledger.questions(only_open=True)]
    assert open_refs == ["Q-1", "Q-3"]
    folded = fold_questions(ledger.questions("SO-1"))
    assert [(q.ref, q.state) for q in folded] == [
        ("Q-1", "open"),
        ("Q-2", "answered"),
        ("Q-3", "open"),
    ]
    if location.sqlite_path is not None:
        # The stdlib reader used by `spec check` agrees with the SQLAlchemy one.
        quick = open_questions_sqlite(location.sqlite_path)
        assert [q.ref for q in quick["SO-1"]] == ["Q-1", "Q-3"]
        assert quick["SO-1"][0].text == "q1"
        assert quick["SO-1"][0].asked_at == T0


def test_a_question_number_is_taken_once_per_spec(ledger: Ledger) -> None:
    from sqlalchemy.exc import IntegrityError

    ledger.append(event(QUESTION_ASKED, "SO-1", "ask-a", "Q-1", text="a"))
    ledger.append(event(QUESTION_ASKED, "SO-2", "ask-b", "Q-1", text="b"))  # other spec: fine
    with pytest.raises(IntegrityError):
        ledger.append(event(QUESTION_ASKED, "SO-1", "ask-c", "Q-1", text="c"))
    assert ledger.count() == 2


def test_a_question_is_resolved_once_whatever_the_outcome(ledger: Ledger) -> None:
    key = resolution_key("SO-1", "Q-1")
    first, created = ledger.append(event(QUESTION_ANSWERED, "SO-1", key, "Q-1", answer="a"))
    second, created_second = ledger.append(event("question.rejected", "SO-1", key, "Q-1"))
    assert created
    assert not created_second
    assert second.kind == QUESTION_ANSWERED
    assert second == first


def test_upgrading_an_older_ledger_keeps_its_rows(location: LedgerLocation) -> None:
    old = open_ledger(location, clock, migrate=False)
    before, after = old.upgrade("0001")
    assert (before, after) == (None, "0001")
    old.append_many([event(SPEC_REVISED, f"SO-{n}", f"r{n}", status="draft") for n in range(20)])
    old.append(event(SPEC_MOVED, "SO-3", "m3", **{"from": "draft", "to": "ready"}))
    with old.engine.begin() as connection:  # rows as the older version wrote them
        connection.execute(text("UPDATE events SET subject = NULL"))
    old.close()
    reopened = open_ledger(location, clock)  # migrations run on first use
    assert reopened.revision() == HEAD_REVISION
    assert reopened.count() == 21
    board = reopened.board()
    assert len(board) == 20
    assert board["SO-3"] == "ready"
    assert board["SO-4"] == "draft"
    reopened.close()


def test_a_locked_sqlite_ledger_is_retried_then_reported(tmp_path: Path) -> None:
    location = resolve_location(tmp_path, {})
    open_ledger(location, clock).close()
    assert location.sqlite_path is not None
    holder = sqlite3.connect(location.sqlite_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        busy = Ledger(location, clock, busy_timeout_ms=50, retries=3)
        with pytest.raises(LedgerBusyError, match=r"locked by another process; gave up after 3"):
            busy.append(event(SPEC_MOVED, "SO-1", "k", to="ready"))
        busy.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    calm = open_ledger(location, clock)
    assert calm.append(event(SPEC_MOVED, "SO-1", "k", to="ready"))[1]
    calm.close()


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("mysql://u:hunter2@h/db", "'mysql' is not supported"),
        ("postgresql://u:hunter2@h/db", "say which driver"),
        ("postgresql+psycopg://u:hunter2@/db", "names no host"),
        ("postgresql+psycopg://u:hunter2@h:port/db", "port 'port' is not a number"),
        ("postgresql+psycopg://u:hunter2@h:5432", "names no database"),
        ("not a url", "not a database URL"),
        ("sqlite:///", "names no file"),
        ("postgresql+psycopg://alice:hunter2@x@127.0.0.1/db", "percent-encode them"),
        ("postgresql+psycopg://alice:hunter2/x@127.0.0.1:5432/db", "percent-encode them"),
        ("postgresql+psycopg://alice:hunter2@127.0.0.1:nope/db", "port 'nope'"),
    ],
)
def test_a_bad_database_url_names_the_variable_and_hides_the_password(
    url: str, fragment: str, tmp_path: Path
) -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        resolve_location(tmp_path, {"SIGNOFF_DATABASE_URL": url})
    message = str(caught.value)
    assert message.startswith("SIGNOFF_DATABASE_URL=")
    assert fragment in message
    assert "hunter2" not in message


def test_events_keep_the_time_from_the_source(ledger: Ledger) -> None:
    earlier = T0 - timedelta(days=3)
    recorded, _ = ledger.append(
        NewEvent(SPEC_MOVED, "SO-1", "agent", earlier, "k-time", None, {"to": "ready"})
    )
    assert recorded.occurred_at == earlier
    assert recorded.recorded_at == T0
