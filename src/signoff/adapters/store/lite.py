"""The SQLite ledger through the standard library: what the gate and sign-offs need, fast.

``signoff gate`` runs on every push and in pre-commit hooks, and importing SQLAlchemy costs it
about 0.4 s, more than the rest of a small gate run together (docs/performance.md). For the
default SQLite ledger, once its schema is current, the gate and ``signoff approve`` / ``revoke``
/ ``review record`` read and append events here instead: the same rows, written in the same
storage format as :class:`signoff.adapters.store.ledger.Ledger` writes them (timestamps as
SQLAlchemy's SQLite ``DATETIME`` text, the payload as its ``JSON`` text) and hash-chained by
the same :mod:`signoff.core.chain`. A contract test (tests/test_lite_ledger.py) writes the same
events through both and compares the rows byte for byte, and verifies each one's chain with
the other.

It never creates or migrates a ledger: :func:`open_lite_ledger` answers None for a ledger that
does not exist yet or is at another schema revision, and the caller opens the full one.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from signoff.adapters.store.retry import is_locked_message, retrying
from signoff.core.chain import GENESIS, canonical_payload, chain_hash
from signoff.core.errors import LedgerBusyError, LedgerError
from signoff.core.events import CHAINED_KINDS, Event, NewEvent, stored_subject

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from signoff.adapters.store.url import LedgerLocation

T = TypeVar("T")

# Kept in step with signoff.adapters.store.schema, which imports SQLAlchemy; a test holds the
# two equal (the revision, and the chained-rows predicate the partial index is built on).
SCHEMA_REVISION = "0004"
CHAINED_ROWS = "chain_hash IS NOT NULL OR kind IN ({})".format(
    ", ".join(f"'{kind}'" for kind in CHAINED_KINDS)
)
BUSY_TIMEOUT_MS = 5_000
RETRIES = 5
_COLUMNS = (
    "id, kind, spec_id, subject, actor, occurred_at, recorded_at, payload, idempotency_key, "
    "chain_hash"
)
_INSERT_SQL = (
    "INSERT INTO events (kind, spec_id, subject, actor, occurred_at, recorded_at, payload, "
    "idempotency_key, chain_prev, chain_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING {columns}"
)
_INSERT = _INSERT_SQL.format(columns=_COLUMNS)
# The latest chain hash, read backwards from the partial index ix_events_chain (its predicate
# must be written exactly so for SQLite to use it).
_HEAD_SQL = (
    "SELECT chain_hash FROM events WHERE ({chained}) AND chain_hash IS NOT NULL "
    "ORDER BY id DESC LIMIT 1"
)
_HEAD = _HEAD_SQL.format(chained=CHAINED_ROWS)


def stored_moment(moment: datetime) -> str:
    """A timestamp as SQLAlchemy's SQLite ``DATETIME`` stores it: UTC, naive, microseconds."""
    utc = moment.astimezone(UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d} "
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond:06d}"
    )


def _read_moment(raw: str) -> datetime:
    return datetime.fromisoformat(raw).replace(tzinfo=UTC)


def stored_payload(payload: Any) -> str:
    """A payload as SQLAlchemy's ``JSON`` type stores it on SQLite (``json.dumps`` defaults)."""
    return json.dumps(payload)


def _event(row: tuple[Any, ...]) -> Event:
    number, kind, spec_id, subject, actor, occurred, recorded, payload, key, chained = row
    return Event(
        id=number,
        kind=kind,
        spec_id=spec_id,
        actor=actor,
        occurred_at=_read_moment(occurred),
        recorded_at=_read_moment(recorded),
        idempotency_key=key,
        subject=subject,
        payload=json.loads(payload) if payload else {},
        chain_hash=chained,
    )


def _is_locked(error: sqlite3.OperationalError) -> bool:
    return is_locked_message(str(error))


def _database_problem(error: Exception) -> str | None:
    """SQLite's message for any of its errors (locked ones are retried); None for others."""
    return str(error) if isinstance(error, sqlite3.Error) else None


class LiteLedger:
    """Events of one slice in its SQLite ledger: read them, append one (chained or not)."""

    def __init__(
        self,
        location: LedgerLocation,
        connection: sqlite3.Connection,
        clock: Callable[[], datetime],
        *,
        retries: int = RETRIES,
    ) -> None:
        self.location = location
        self._connection = connection
        self._clock = clock
        self._retries = retries

    def _retrying(self, work: Callable[[], T]) -> T:
        return retrying(
            work, display=self.location.display, retries=self._retries, problem=_database_problem
        )

    def events_of(self, spec_id: str | None = None, kinds: Sequence[str] = ()) -> list[Event]:
        """Events in the order they were recorded, optionally for one spec and some kinds."""
        conditions: list[str] = []
        parameters: list[str] = []
        if spec_id is not None:
            conditions.append("spec_id = ?")
            parameters.append(spec_id)
        if kinds:
            conditions.append(f"kind IN ({', '.join('?' for _ in kinds)})")
            parameters.extend(kinds)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        query = f"SELECT {_COLUMNS} FROM events{where} ORDER BY id"  # noqa: S608 - placeholders only

        def read() -> list[Event]:
            return [_event(row) for row in self._connection.execute(query, parameters)]

        return self._retrying(read)

    def append(self, new: NewEvent) -> tuple[Event, bool]:
        """Record ``new``; returns (the event, True) or, when its idempotency key was already
        used, (the event recorded then, False). A chained kind links to the chain's head,
        read inside the write transaction (BEGIN IMMEDIATE: one writer at a time)."""
        # A chained row stores the payload as it hashes it (canonical: sorted keys); a plain
        # one as given, as the full ledger does. Either raises before anything is written.
        chained = new.kind in CHAINED_KINDS
        payload = canonical_payload(new.payload) if chained else dict(new.payload)
        stored = stored_payload(payload)

        def write() -> tuple[Event, bool]:
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                found = self._insert(connection, new, payload if chained else None, stored)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            return found

        return self._retrying(write)

    def _insert(
        self,
        connection: sqlite3.Connection,
        new: NewEvent,
        chained_payload: dict[str, Any] | None,
        stored: str,
    ) -> tuple[Event, bool]:
        """Insert one row; ``chained_payload`` (the canonical payload) for a chained kind."""
        occurred_at = new.occurred_at.astimezone(UTC)
        recorded_at = self._clock().astimezone(UTC)
        subject = stored_subject(new)
        prev = own = None
        if chained_payload is not None:
            head = connection.execute(_HEAD).fetchone()
            prev = GENESIS if head is None else str(head[0])
            own = chain_hash(
                prev,
                kind=new.kind,
                spec_id=new.spec_id,
                subject=subject,
                actor=new.actor,
                occurred_at=occurred_at,
                recorded_at=recorded_at,
                idempotency_key=new.idempotency_key,
                payload=chained_payload,
            )
        row = connection.execute(
            _INSERT,
            (
                new.kind,
                new.spec_id,
                subject,
                new.actor,
                stored_moment(occurred_at),
                stored_moment(recorded_at),
                stored,
                new.idempotency_key,
                prev,
                own,
            ),
        ).fetchone()
        if row is not None:
            return _event(row), True
        existing = connection.execute(
            f"SELECT {_COLUMNS} FROM events WHERE idempotency_key = ?",  # noqa: S608 - constant
            (new.idempotency_key,),
        ).fetchone()
        if existing is None:  # pragma: no cover - the conflicting row cannot vanish mid-transaction
            raise LedgerError(f"ledger {self.location.display}: lost event {new.idempotency_key}")
        return _event(existing), False

    def close(self) -> None:
        self._connection.close()


def open_lite_ledger(
    location: LedgerLocation,
    clock: Callable[[], datetime],
    *,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
) -> LiteLedger | None:
    """The SQLite ledger at ``location`` opened with the standard library, or None when it
    cannot serve here: not SQLite, not created yet, or at another schema revision (the full
    ledger creates and migrates; this one only reads and appends)."""
    path: Path | None = location.sqlite_path
    if path is None or not path.is_file():
        return None
    try:
        # isolation_level None: transactions are begun by hand, BEGIN IMMEDIATE for writes.
        connection = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None)
    except sqlite3.Error as error:
        raise LedgerError(f"ledger {location.display}: cannot be opened: {error}") from None
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        connection.execute("PRAGMA synchronous=NORMAL")
        has_version = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        revision = (
            connection.execute("SELECT version_num FROM alembic_version").fetchone()
            if has_version
            else None
        )
    except sqlite3.OperationalError as error:
        connection.close()
        if _is_locked(error):
            raise LedgerBusyError(
                f"ledger {location.display} is locked by another process; try again"
            ) from None
        raise LedgerError(f"ledger {location.display}: {error}") from None
    except sqlite3.Error as error:
        connection.close()
        raise LedgerError(f"ledger {location.display}: {error}") from None
    if revision is None or revision[0] != SCHEMA_REVISION:
        connection.close()
        return None
    return LiteLedger(location, connection, clock)
