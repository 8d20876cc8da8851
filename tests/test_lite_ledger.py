"""The standard-library SQLite ledger keeps the full ledger's contract, row for row.

The gate and the sign-off commands append through :mod:`signoff.adapters.store.lite` when
they can; everything else reads through SQLAlchemy. So the rows the two write must be the
same bytes, and each must read and chain-verify what the other wrote.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signoff.adapters.store.ledger import open_ledger
from signoff.adapters.store.lite import (
    CHAINED_ROWS,
    SCHEMA_REVISION,
    LiteLedger,
    open_lite_ledger,
)
from signoff.adapters.store.schema import CHAINED_ROWS as SCHEMA_CHAINED_ROWS
from signoff.adapters.store.schema import HEAD_REVISION
from signoff.adapters.store.url import LedgerLocation, resolve_location
from signoff.core.errors import LedgerBusyError, LedgerError
from signoff.core.events import (
    APPROVAL_GRANTED,
    APPROVAL_REVOKED,
    CHAINED_KINDS,
    COMMAND_RAN,
    GATE_VERDICT,
    QUESTION_ASKED,
    SPEC_MOVED,
    NewEvent,
)

if TYPE_CHECKING:
    from pathlib import Path

T0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def clock() -> datetime:
    return T0 + timedelta(seconds=1, microseconds=250)


def events() -> list[NewEvent]:
    """Every shape the gate and sign-offs write: chained and plain, a derived subject, a
    payload with non-ASCII text, nesting, floats and a None; one retried key."""
    cet = datetime(2026, 11, 21, 10, 30, 5, tzinfo=UTC).astimezone()
    return [
        NewEvent(SPEC_MOVED, "SO-1", "lead@example.com", T0, "move:1", None, {"to": "in-review"}),
        NewEvent(
            APPROVAL_GRANTED,
            "SO-1",
            "Zoë <zoe@example.com>",
            cet,
            "approve:1",
            None,
            {"comment": "ça marche — 👍", "files": 3, "staged": False, "head": None},
        ),
        NewEvent(
            COMMAND_RAN,
            "SO-1",
            "lead@example.com",
            T0,
            "command:1",
            "tests",
            {"exit_code": 0, "seconds": 0.1 + 0.2, "output": 'ok\n\ttabs \\ "quotes"'},
        ),
        NewEvent(
            GATE_VERDICT,
            "SO-1",
            "lead@example.com",
            T0.replace(microsecond=0),
            "verdict:1",
            "pending",
            {"gates": [{"name": "review", "sampling": {"value": 0.7446594712057432}}]},
        ),
        NewEvent(APPROVAL_REVOKED, "SO-1", "lead@example.com", T0, "revoke:2", None, {}),
        NewEvent(
            APPROVAL_GRANTED, "SO-1", "lead@example.com", T0, "approve:1", None, {"again": True}
        ),
    ]


def rows(path: Path) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT * FROM events ORDER BY id").fetchall()
    finally:
        connection.close()


def migrated(folder: Path) -> LedgerLocation:
    """A SQLite ledger created and migrated by the full ledger, as any first command does."""
    location = resolve_location(folder, {})
    open_ledger(location, clock).close()
    return location


def lite(location: LedgerLocation) -> LiteLedger:
    opened = open_lite_ledger(location, clock)
    assert opened is not None
    return opened


def test_the_schema_constants_match_the_sqlalchemy_schema() -> None:
    assert SCHEMA_REVISION == HEAD_REVISION
    assert CHAINED_ROWS == SCHEMA_CHAINED_ROWS


def test_both_write_the_same_rows_byte_for_byte(tmp_path: Path) -> None:
    full_location = migrated(tmp_path / "full")
    lite_location = migrated(tmp_path / "lite")
    full = open_ledger(full_location, clock)
    quick = lite(lite_location)
    try:
        for new in events():
            by_full, created_full = full.append(new)
            by_lite, created_lite = quick.append(new)
            assert (by_lite, created_lite) == (by_full, created_full)
    finally:
        full.close()
        quick.close()
    written = rows(lite_location.sqlite_path)  # type: ignore[arg-type]
    assert written == rows(full_location.sqlite_path)  # type: ignore[arg-type]
    assert len(written) == 5  # the retried key wrote nothing


def test_each_reads_and_verifies_what_the_other_wrote(tmp_path: Path) -> None:
    location = migrated(tmp_path)
    full = open_ledger(location, clock)
    quick = lite(location)
    try:
        for number, new in enumerate(events()):
            (quick if number % 2 else full).append(new)
        assert quick.events_of() == full.events_of()
        for spec, kinds in (("SO-1", (APPROVAL_GRANTED, APPROVAL_REVOKED)), (None, ())):
            assert quick.events_of(spec, kinds) == full.events_of(spec, kinds)
        assert quick.events_of("SO-2") == []
        report = full.verify_chain()
        assert report.intact, report.problems
        written = {new.idempotency_key: new.kind for new in events()}
        assert report.rows == sum(kind in CHAINED_KINDS for kind in written.values()) == 3
    finally:
        full.close()
        quick.close()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    moment=st.datetimes(
        min_value=datetime(1970, 1, 2),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(9998, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    text=st.text(max_size=40),
    number=st.floats(allow_nan=False, allow_infinity=False),
)
def test_any_timestamp_text_and_number_are_stored_alike_and_read_back(
    tmp_path: Path, moment: datetime, text: str, number: float
) -> None:
    full_location = resolve_location(tmp_path / "full", {})
    lite_location = resolve_location(tmp_path / "lite", {})
    if not (tmp_path / "full").exists():  # the ledgers are made once per test
        migrated(tmp_path / "full")
        migrated(tmp_path / "lite")
    # One key per example: the ledgers outlive the examples.
    key = f"verdict:{moment.isoformat()}:{text!r}:{number!r}"
    new = NewEvent(GATE_VERDICT, "SO-1", text or "x", moment, key, "pass", {"t": text, "n": number})
    quick = lite(lite_location)
    full = open_ledger(full_location, clock)
    try:
        by_lite, _ = quick.append(new)
        by_full, _ = full.append(new)
        assert by_lite == by_full
        assert by_lite.occurred_at == moment
        assert by_lite.payload == {"t": text, "n": number}
    finally:
        quick.close()
        full.close()
    assert rows(lite_location.sqlite_path)[-1] == rows(full_location.sqlite_path)[-1]  # type: ignore[arg-type]
    reader = open_ledger(lite_location, clock)
    try:
        assert reader.events_of()[-1] == by_lite
        assert reader.verify_chain().intact
    finally:
        reader.close()


def test_it_stands_aside_for_a_ledger_it_cannot_serve(tmp_path: Path) -> None:
    missing = resolve_location(tmp_path / "none", {})
    assert open_lite_ledger(missing, clock) is None
    assert not (tmp_path / "none").exists()  # looking created nothing

    older = migrated(tmp_path / "older")
    connection = sqlite3.connect(older.sqlite_path)  # type: ignore[arg-type]
    connection.execute("UPDATE alembic_version SET version_num = '0003'")
    connection.commit()
    connection.close()
    assert open_lite_ledger(older, clock) is None  # the full ledger migrates it

    empty = resolve_location(tmp_path / "empty", {})
    empty.sqlite_path.parent.mkdir(parents=True)  # type: ignore[union-attr]
    sqlite3.connect(empty.sqlite_path).close()  # type: ignore[arg-type]
    assert open_lite_ledger(empty, clock) is None

    team = LedgerLocation("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d", None)
    assert open_lite_ledger(team, clock) is None


def test_a_file_that_is_not_a_database_is_an_error_naming_it(tmp_path: Path) -> None:
    location = resolve_location(tmp_path, {})
    location.sqlite_path.parent.mkdir(parents=True)  # type: ignore[union-attr]
    location.sqlite_path.write_bytes(b"not a database, just bytes" * 100)  # type: ignore[union-attr]
    with pytest.raises(LedgerError, match=r"ledger .*ledger\.db"):
        open_lite_ledger(location, clock)


def test_a_payload_json_cannot_hold_writes_nothing(tmp_path: Path) -> None:
    location = migrated(tmp_path)
    quick = lite(location)
    try:
        bad = NewEvent(GATE_VERDICT, "SO-1", "a@b.c", T0, "k", None, {"x": float("nan")})
        with pytest.raises(ValueError, match="Out of range float"):
            quick.append(bad)
        assert quick.events_of() == []
    finally:
        quick.close()


def test_a_writer_holding_the_lock_is_waited_for_then_reported(tmp_path: Path) -> None:
    location = migrated(tmp_path)
    holder = sqlite3.connect(
        location.sqlite_path,  # type: ignore[arg-type]
        isolation_level=None,
        check_same_thread=False,  # released from a timer thread below
    )
    holder.execute("BEGIN IMMEDIATE")
    quick = open_lite_ledger(location, clock, busy_timeout_ms=10)
    assert quick is not None
    new = NewEvent(GATE_VERDICT, "SO-1", "a@b.c", T0, "k", "pass", {})
    try:
        with pytest.raises(LedgerBusyError, match="locked by another process"):
            quick.append(new)
        # Released while the writer retries: it goes through.
        release = threading.Timer(0.05, lambda: holder.execute("ROLLBACK"))
        release.start()
        written, created = quick.append(new)
        release.join()
        assert created
        assert written.chain_hash is not None
    finally:
        quick.close()
        holder.close()
    assert [row[1] for row in rows(location.sqlite_path)] == [GATE_VERDICT]  # type: ignore[arg-type]


def test_question_rows_are_not_chained(tmp_path: Path) -> None:
    location = migrated(tmp_path)
    quick = lite(location)
    try:
        asked, _ = quick.append(
            NewEvent(QUESTION_ASKED, "SO-1", "agent@x.y", T0, "ask:1", "Q-1", {"text": "?"})
        )
    finally:
        quick.close()
    assert asked.chain_hash is None
    assert rows(location.sqlite_path)[0][-2:] == (None, None)  # type: ignore[arg-type]
