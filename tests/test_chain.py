"""The hash chain over approvals, reviews and verdicts, on SQLite and a real PostgreSQL server.

Tampering is done the way an intruder would: raw SQL against the database, behind Signoff's back.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text, update

from signoff.adapters.store.ledger import Ledger, open_ledger
from signoff.adapters.store.schema import HEAD_REVISION, events
from signoff.adapters.store.url import LedgerLocation, resolve_location
from signoff.core import chain
from signoff.core.chain import GENESIS, ChainLink, chain_hash, verify_links
from signoff.core.errors import UsageError
from signoff.core.events import (
    APPROVAL_GRANTED,
    APPROVAL_REVOKED,
    GATE_VERDICT,
    QUESTION_ASKED,
    REVIEW_RECORDED,
    SPEC_MOVED,
    SPEC_REVISED,
    Event,
    NewEvent,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from tests.conftest import Result

T0 = datetime(2026, 11, 21, 9, 0, 0, 123456, tzinfo=UTC)
HEX = frozenset("0123456789abcdef")


def clock() -> datetime:
    return T0


def approval(key: str, spec: str = "SO-1", **payload: Any) -> NewEvent:
    body = {"diff": "ab" * 32, "comment": "looks right", **payload}
    return NewEvent(APPROVAL_GRANTED, spec, "alice@example.com", T0, key, None, body)


def question(key: str, ref: str, spec: str = "SO-1") -> NewEvent:
    return NewEvent(QUESTION_ASKED, spec, "agent@example.com", T0, key, ref, {"text": ref})


@pytest.fixture
def ledger(location: LedgerLocation) -> Iterator[Ledger]:
    opened = open_ledger(location, clock)
    yield opened
    opened.close()


def tamper(ledger: Ledger, statement: Any, **parameters: Any) -> None:
    """Change the database behind Signoff's back, in a transaction of its own."""
    with ledger.engine.connect() as connection:
        connection.execute(text(statement) if isinstance(statement, str) else statement, parameters)
        connection.commit()


def record(ledger: Ledger, count: int, prefix: str = "a") -> list[Event]:
    """``count`` approvals, each followed by a question (a row outside the chain)."""
    recorded = []
    for number in range(count):
        recorded.append(ledger.append(approval(f"{prefix}{number}"))[0])
        ledger.append(question(f"{prefix}q{number}", f"Q-{number + 1}", spec=f"SO-{prefix}"))
    return recorded


def messages(ledger: Ledger, expected_head: str | None = None) -> list[str]:
    return [problem.message for problem in ledger.verify_chain(expected_head).problems]


def changed(
    event_id: int, why: str = "its hash does not match its content", kind: str = APPROVAL_GRANTED
) -> str:
    return f"event {event_id} ({kind}) was changed after it was recorded: {why}"


# ---------------------------------------------------------------- the hash itself (pure)

FIELDS: dict[str, Any] = {
    "kind": APPROVAL_GRANTED,
    "spec_id": "SO-1",
    "subject": None,
    "actor": "alice@example.com",
    "occurred_at": T0,
    "recorded_at": T0,
    "idempotency_key": "k1",
    "payload": {"diff": "ab", "n": 1},
}
CHANGES: list[tuple[str, Any]] = [
    ("kind", APPROVAL_REVOKED),
    ("spec_id", "SO-2"),
    ("subject", "SO-1"),
    ("actor", "mallory@example.com"),
    ("occurred_at", T0 + timedelta(microseconds=1)),
    ("recorded_at", T0 - timedelta(seconds=1)),
    ("idempotency_key", "k2"),
    ("payload", {"diff": "ab", "n": 2}),
    ("payload", {"diff": "ab", "n": 1, "extra": None}),
]


def test_the_hash_is_sha256_hex_and_depends_on_the_predecessor() -> None:
    first = chain_hash(GENESIS, **FIELDS)
    assert len(first) == 64
    assert set(first) <= HEX
    assert chain_hash(GENESIS, **FIELDS) == first
    assert chain_hash(first, **FIELDS) != first


@pytest.mark.parametrize(("name", "value"), CHANGES, ids=[name for name, _ in CHANGES])
def test_every_meaningful_field_is_in_the_hash(name: str, value: Any) -> None:
    assert chain_hash(GENESIS, **{**FIELDS, name: value}) != chain_hash(GENESIS, **FIELDS)


def test_one_instant_hashes_the_same_naive_aware_or_in_another_zone() -> None:
    paris = timezone(timedelta(hours=1))
    for moment in (T0.replace(tzinfo=None), T0.astimezone(paris)):
        assert chain_hash(GENESIS, **{**FIELDS, "occurred_at": moment}) == chain_hash(
            GENESIS, **FIELDS
        )
    assert chain.utc_timestamp(T0.astimezone(paris)) == "2026-11-21T09:00:00.123456Z"


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150)
@given(st.dictionaries(st.text(), JSON_VALUES, max_size=6))
def test_a_payload_hashes_the_same_after_a_json_round_trip_in_any_key_order(
    payload: dict[str, Any],
) -> None:
    expected = chain_hash(GENESIS, **{**FIELDS, "payload": payload})
    round_tripped = json.loads(json.dumps(payload))  # what either database hands back
    reordered = dict(reversed(list(payload.items())))
    assert chain_hash(GENESIS, **{**FIELDS, "payload": round_tripped}) == expected
    assert chain_hash(GENESIS, **{**FIELDS, "payload": reordered}) == expected
    assert chain.canonical_payload(payload) == round_tripped


# Text that would break a naive "join the fields with a separator" encoding.
TRICKY_TEXT = st.lists(
    st.sampled_from(['"', ",", "[", "]", "\\", "\x00", "\u2028", "a", "\ud800", ":", "null"]),
    max_size=6,
).map("".join)
ROWS = st.fixed_dictionaries(
    {
        "kind": st.sampled_from([APPROVAL_GRANTED, APPROVAL_REVOKED]),
        "spec_id": TRICKY_TEXT,
        "subject": st.none() | TRICKY_TEXT,
        "actor": TRICKY_TEXT,
        "occurred_at": st.sampled_from([T0, T0 + timedelta(microseconds=1)]),
        "recorded_at": st.just(T0),
        "idempotency_key": TRICKY_TEXT,
        "payload": st.dictionaries(
            TRICKY_TEXT, st.none() | TRICKY_TEXT | st.integers(0, 2), max_size=2
        ),
    }
)


@settings(max_examples=300)
@given(ROWS, ROWS)
def test_two_rows_encode_alike_only_when_they_are_the_same_row(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    same = chain.chain_encoding(GENESIS, **first) == chain.chain_encoding(GENESIS, **second)
    assert same == (first == second)


def test_shifting_text_between_fields_changes_the_encoding() -> None:
    # A separator inside a value must not let two fields pose as one another.
    one = {**FIELDS, "spec_id": 'SO-1","alice', "actor": "x"}
    other = {**FIELDS, "spec_id": "SO-1", "actor": 'alice","x'}
    assert chain.chain_encoding(GENESIS, **one) != chain.chain_encoding(GENESIS, **other)
    assert chain_hash(GENESIS, **one) != chain_hash(GENESIS, **other)


def test_a_payload_json_cannot_hold_is_refused_before_anything_is_written() -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        chain.canonical_payload({"ratio": float("nan")})
    with pytest.raises(TypeError):
        chain.canonical_payload({"when": T0})


def _link(number: int, prev: str) -> ChainLink:
    event = Event(number, APPROVAL_GRANTED, "SO-1", "a", T0, T0, f"k{number}", None, {})
    return ChainLink(replace(event, chain_hash=chain.event_chain_hash(prev, event)), prev)


def test_an_expected_head_may_be_any_row_of_the_chain_as_it_grew() -> None:
    links = [_link(1, GENESIS)]
    for number in range(2, 6):
        links.append(_link(number, links[-1].event.chain_hash or ""))
    middle = links[2].event.chain_hash
    report = verify_links(links, middle)
    assert report.intact
    assert report.expected_head_event == 3
    assert report.head == links[-1].event.chain_hash
    assert verify_links([], GENESIS).intact  # nothing published yet, nothing recorded
    gone = verify_links(links[:2], middle)
    assert not gone.intact
    assert [p.code for p in gone.problems] == [chain.HEAD_MISSING]
    assert gone.problems[0].message == (
        f"the expected head {middle} is not in the chain: chained rows were removed from its "
        "end, or the chain was rewritten"
    )


def test_an_expected_head_is_read_in_any_case_and_a_malformed_one_refused() -> None:
    links = [_link(1, GENESIS)]
    head = links[0].event.chain_hash or ""
    for given_as in (head.upper(), f"  {head}\n"):  # as pasted from a CI log or a web form
        report = verify_links(links, given_as)
        assert report.intact
        assert (report.expected_head, report.expected_head_event) == (head, 1)
    for malformed in ("", "abc123", head[:-1], head + "0", "sha256:" + head, "g" * 64):
        with pytest.raises(UsageError, match="is not a chain head"):
            verify_links(links, malformed)


def test_a_wholly_rewritten_ledger_reports_a_bounded_list_but_counts_every_problem() -> None:
    unhashed = (
        ChainLink(Event(n, GATE_VERDICT, "SO-1", "a", T0, T0, f"k{n}", None, {}), None)
        for n in range(chain.MAX_PROBLEMS + 50)
    )
    report = verify_links(unhashed)
    assert report.problem_count == chain.MAX_PROBLEMS + 50
    assert len(report.problems) == chain.MAX_PROBLEMS
    assert report.rows == chain.MAX_PROBLEMS + 50


# ---------------------------------------------------------------- the ledger, both backends


def test_a_clean_chain_verifies_and_its_head_is_the_last_hash(ledger: Ledger) -> None:
    assert ledger.chain_head() == GENESIS
    assert ledger.verify_chain().intact
    recorded = record(ledger, 4)
    for kind in (APPROVAL_REVOKED, REVIEW_RECORDED, GATE_VERDICT):
        recorded.append(ledger.append(NewEvent(kind, "SO-1", "ci", T0, kind, None, {}))[0])
    report = ledger.verify_chain()
    assert report.intact, report.problems
    assert report.rows == 7
    assert report.head == recorded[-1].chain_hash == ledger.chain_head()
    assert all(e.chain_hash is not None for e in recorded)
    assert len({e.chain_hash for e in recorded}) == 7
    questions = ledger.events_of(kinds=[QUESTION_ASKED])
    assert len(questions) == 4
    assert all(e.chain_hash is None for e in questions)  # not chained, not hashed
    assert [e.chain_hash for e in ledger.events_of(kinds=[APPROVAL_GRANTED])] == [
        e.chain_hash for e in recorded[:4]
    ]


EDITS = [
    ("payload", update(events).values(payload={"diff": "cd" * 32, "comment": "looks right"})),
    ("actor", update(events).values(actor="mallory@example.com")),
    ("occurred_at", update(events).values(occurred_at=T0 - timedelta(days=1))),
    ("kind", update(events).values(kind="command.ran")),
]


@pytest.mark.parametrize(("field", "edit"), EDITS, ids=[field for field, _ in EDITS])
def test_an_edited_approval_row_is_named(ledger: Ledger, field: str, edit: Any) -> None:
    recorded = record(ledger, 4)
    target = recorded[1]
    tamper(ledger, edit.where(events.c.id == target.id))
    kind = "command.ran" if field == "kind" else APPROVAL_GRANTED
    assert messages(ledger) == [changed(target.id, kind=kind)]


def test_a_removed_row_is_seen_from_the_row_after_it(ledger: Ledger) -> None:
    recorded = record(ledger, 5)
    tamper(ledger, "DELETE FROM events WHERE id = :id", id=recorded[2].id)
    assert messages(ledger) == [
        f"event {recorded[3].id}'s predecessor is missing: a chained row was removed or replaced before it"
    ]
    tamper(ledger, "DELETE FROM events WHERE id = :id", id=recorded[0].id)  # the first one too
    assert len(messages(ledger)) == 2


def test_a_removed_last_row_is_seen_only_against_a_published_head(ledger: Ledger) -> None:
    record(ledger, 3)
    published = ledger.chain_head()
    grown = record(ledger, 2, prefix="b")  # the chain grows after the head was published
    assert ledger.verify_chain(published).intact
    tamper(ledger, "DELETE FROM events WHERE id = :id", id=grown[-1].id)
    assert ledger.verify_chain().intact  # a shorter chain is valid in itself
    assert ledger.verify_chain(published).intact  # the published head is still there
    latest = grown[-1].chain_hash
    assert latest is not None
    report = ledger.verify_chain(latest)
    assert not report.intact
    assert [p.code for p in report.problems] == [chain.HEAD_MISSING]


def test_a_row_written_outside_signoff_is_reported_and_the_chain_goes_on(ledger: Ledger) -> None:
    recorded = record(ledger, 2)
    tamper(
        ledger,
        "INSERT INTO events (kind, spec_id, actor, occurred_at, recorded_at, payload, "
        "idempotency_key) VALUES ('approval.granted', 'SO-1', 'mallory', :t, :t, '{}', 'forged')",
        t=T0,
    )
    forged = ledger.by_key("forged")
    assert forged is not None
    assert forged.chain_hash is None
    later = ledger.append(approval("after"))[0]
    assert later.id > forged.id > recorded[-1].id
    assert messages(ledger) == [
        f"event {forged.id} (approval.granted) has no chain hash: it was written outside signoff"
    ]


def test_an_unreadable_payload_or_time_is_named_not_a_crash(ledger: Ledger) -> None:
    recorded = record(ledger, 3)
    if ledger.engine.dialect.name == "sqlite":  # only SQLite's types can hold such text
        tamper(ledger, "UPDATE events SET payload = 'not json' WHERE id = :id", id=recorded[0].id)
        tamper(ledger, "UPDATE events SET recorded_at = 'never' WHERE id = :id", id=recorded[2].id)
        assert messages(ledger) == [
            changed(recorded[0].id, "its payload cannot be read"),
            changed(recorded[2].id, "its recorded_at cannot be read"),
        ]
    else:
        tamper(ledger, "UPDATE events SET payload = 'null' WHERE id = :id", id=recorded[1].id)
        assert messages(ledger) == [changed(recorded[1].id, "its payload cannot be read")]


def test_floats_and_unicode_hash_the_same_after_the_database_round_trip(
    ledger: Ledger, location: LedgerLocation
) -> None:
    payload: dict[str, Any] = {
        "sum": 0.1 + 0.2,
        "tiny": 5e-324,
        "huge": 1.7976931348623157e308,
        "negative_zero": -0.0,
        "big": 2**64 + 1,
        "text": 'café — 東京 🚀 \u2028 \\ "quoted"',
        "nul": "a\x00b",
        "lone": "x\ud800y",
        "expo": 1e16,
        "big_float": 1e300,
        "nested": {"z": [1, 2.5, None, True], "a": ("tuple", "becomes", "list")},
    }
    written = ledger.append(approval("round-trip", **payload))[0]
    ledger.close()
    reopened = open_ledger(location, clock)
    try:
        read = reopened.by_key("round-trip")
        assert read is not None
        assert read.payload["sum"] == 0.1 + 0.2
        assert read.payload["text"] == payload["text"]
        assert read.chain_hash == written.chain_hash
        assert reopened.verify_chain().intact
    finally:
        reopened.close()


def test_a_retried_chained_write_adds_no_link(ledger: Ledger) -> None:
    first, created = ledger.append(approval("once"))
    again, created_again = ledger.append(approval("once", comment="changed my mind"))
    assert created
    assert not created_again
    assert again == first  # chain_hash included
    report = ledger.verify_chain()
    assert report.intact
    assert report.rows == 1


def test_a_batch_and_a_transaction_chain_in_order(ledger: Ledger) -> None:
    batch = [approval("b1"), question("bq", "Q-1"), approval("b2"), approval("b1")]
    assert ledger.append_many(batch) == 3  # b1 twice: recorded once
    from sqlalchemy import Connection

    def two_in_one(connection: Connection) -> list[Event | None]:
        return [ledger.insert_in(connection, approval(key)) for key in ("t1", "t2")]

    inserted = ledger.transaction(two_in_one)
    assert all(e is not None for e in inserted)
    report = ledger.verify_chain()
    assert report.intact, report.problems
    assert report.rows == 4
    keys = [e.idempotency_key for e in ledger.events_of(kinds=[APPROVAL_GRANTED])]
    assert keys == ["b1", "b2", "t1", "t2"]


def test_upgrading_a_0003_ledger_keeps_its_rows(location: LedgerLocation) -> None:
    old = open_ledger(location, clock, migrate=False)
    assert old.upgrade("0003") == (None, "0003")
    old.append_many(
        [NewEvent(SPEC_REVISED, f"SO-{n}", "a", T0, f"r{n}", None, {}) for n in range(9)]
    )
    old.append(NewEvent(SPEC_MOVED, "SO-3", "a", T0, "m3", None, {"from": "draft", "to": "ready"}))
    old.append(question("q1", "Q-1"))
    old.close()
    reopened = open_ledger(location, clock)
    try:
        assert reopened.revision() == HEAD_REVISION == "0004"
        assert reopened.count() == 11
        assert reopened.board()["SO-3"] == "ready"
        assert all(e.chain_hash is None for e in reopened.events_of())
        reopened.append(approval("first-after-upgrade"))
        report = reopened.verify_chain()
        assert report.intact
        assert report.rows == 1
    finally:
        reopened.close()


def test_a_chain_moved_from_sqlite_to_postgresql_with_new_ids_still_verifies(
    tmp_path: Path, postgres_url: str
) -> None:
    source = open_ledger(resolve_location(tmp_path, {}), clock)
    record(source, 3)
    source.append(approval("floats", ratio=0.1 + 0.2, note="naïve café ✓"))
    with source.engine.connect() as connection:
        query = events.select().order_by(events.c.id)
        rows = [dict(row) for row in connection.execute(query).mappings()]
    head = source.chain_head()
    source.close()
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    target = open_ledger(resolve_location(tmp_path, {"SIGNOFF_DATABASE_URL": postgres_url}), clock)
    try:
        target.append(question("already-here", "Q-1", spec="SO-other"))  # ids shift by one
        with target.engine.begin() as connection:
            connection.execute(
                events.insert(), [{k: v for k, v in row.items() if k != "id"} for row in rows]
            )
        report = target.verify_chain(head)
        assert report.intact, report.problems
        assert report.rows == 4
        assert report.head == head
        assert report.expected_head_event == len(rows) + 1  # renumbered: was len(rows)
    finally:
        target.close()


# ---------------------------------------------------------------- writers racing

WORKER = """
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from signoff.adapters.store.ledger import open_ledger
from signoff.adapters.store.url import resolve_location
from signoff.core.events import NewEvent

url, root, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
location = resolve_location(Path(root), {"SIGNOFF_DATABASE_URL": url} if url else {})
ledger = open_ledger(location)
for number in range(count):
    kind = "gate.verdict" if number % 3 else "command.ran"  # chained and plain rows interleave
    new = NewEvent(
        kind, f"SO-{worker}", f"worker-{worker}", datetime.now(UTC), f"w{worker}-e{number}",
        None, {"n": number, "ratio": number / 7},
    )
    ledger.append(new)
ledger.close()
"""
WORKERS = 4
EVENTS_EACH = 60


@pytest.mark.slow
def test_racing_writers_leave_one_valid_chain(location: LedgerLocation, tmp_path: Path) -> None:
    open_ledger(location).close()  # migrate once, before the race
    url = "" if location.sqlite_path is not None else location.url
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, str(tmp_path), str(worker), str(EVENTS_EACH)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(WORKERS)
    ]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * WORKERS, outputs
    ledger = open_ledger(location)
    try:
        report = ledger.verify_chain()
        chained_each = sum(1 for number in range(EVENTS_EACH) if number % 3)
        assert report.intact, report.problems[:5]
        assert report.rows == WORKERS * chained_each
        assert ledger.count() == WORKERS * EVENTS_EACH
    finally:
        ledger.close()


# ---------------------------------------------------------------- the command


def _slice_ledger(root: Path) -> Ledger:
    return open_ledger(resolve_location(root, {}), clock)


def test_the_command_says_intact_and_prints_the_head(
    run: Callable[..., Result], slice_root: Path
) -> None:
    ledger = _slice_ledger(slice_root)
    record(ledger, 3)
    head = ledger.chain_head()
    ledger.close()
    result = run("ledger", "verify")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"ledger intact: 3 chained rows, head {head}\n"
    published = run("ledger", "verify", "--expect-head", head.upper(), "--format", "json")
    assert published.exit_code == 0
    document = json.loads(published.stdout)
    assert document == {
        "version": 1,
        "intact": True,
        "rows": 3,
        "head": head,
        "expected_head": head,
        "expected_head_event": 5,  # approvals and questions alternate: ids 1, 3, 5
        "problem_count": 0,
        "problems": [],
    }


def test_the_command_lists_each_problem_and_exits_1(
    run: Callable[..., Result], slice_root: Path
) -> None:
    ledger = _slice_ledger(slice_root)
    recorded = record(ledger, 4)
    head = ledger.chain_head()
    tamper(ledger, update(events).where(events.c.id == recorded[0].id).values(actor="mallory"))
    tamper(ledger, "DELETE FROM events WHERE id IN (:a, :b)", a=recorded[2].id, b=recorded[3].id)
    ledger.close()
    result = run("ledger", "verify", "--expect-head", head)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == changed(1)
    assert lines[1].startswith(f"the expected head {head} is not in the chain")
    assert lines[2].startswith("ledger NOT intact: 2 problem(s) in 2 chained rows")
    document = json.loads(run("ledger", "verify", "--expect-head", head, "-f", "json").stdout)
    assert document["intact"] is False
    assert document["problem_count"] == 2
    assert [(p["event"], p["kind"], p["problem"]) for p in document["problems"]] == [
        (1, "approval.granted", "changed"),
        (None, None, "head-missing"),
    ]


def test_the_command_refuses_a_head_that_is_not_a_hash(run: Callable[..., Result]) -> None:
    result = run("ledger", "verify", "--expect-head", "abc123")
    assert result.exit_code == 2
    assert "'abc123' is not a chain head: give the 64 hex digits" in result.stderr


def test_verifying_before_first_use_creates_no_ledger(
    run: Callable[..., Result], slice_root: Path
) -> None:
    result = run("ledger", "verify")
    assert result.exit_code == 0
    assert result.stdout == f"ledger intact: 0 chained rows, head {GENESIS}\n"
    assert not (slice_root / ".signoff" / "ledger.db").exists()
    missing = run("ledger", "verify", "--expect-head", "f" * 64)
    assert missing.exit_code == 1


def test_an_empty_ledger_verifies_and_only_the_genesis_head_is_in_it(
    run: Callable[..., Result], slice_root: Path
) -> None:
    _slice_ledger(slice_root).close()  # created and migrated, no row yet
    assert (slice_root / ".signoff" / "ledger.db").exists()
    result = run("ledger", "verify", "--expect-head", GENESIS)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"ledger intact: 0 chained rows, head {GENESIS}\n"
    missing = run("ledger", "verify", "--expect-head", "ab" * 32)
    assert missing.exit_code == 1
    assert f"the expected head {'ab' * 32} is not in the chain" in missing.stdout


@pytest.mark.parametrize(
    "value", ["sha256:" + "ab" * 32, "ab" * 31 + "a", "ab" * 32 + "0", "xy" * 32, "ab " * 32]
)
def test_the_command_refuses_every_malformed_head(run: Callable[..., Result], value: str) -> None:
    result = run("ledger", "verify", "--expect-head", value)
    assert result.exit_code == 2
    assert "is not a chain head: give the 64 hex digits" in result.stderr
