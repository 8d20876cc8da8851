"""The ledger: append-only events in SQLite (default) or PostgreSQL, through SQLAlchemy Core.

Everything that writes goes through :meth:`Ledger.append` or :meth:`Ledger.transaction`. On
SQLite a write transaction starts with ``BEGIN IMMEDIATE`` (so two writers queue on the lock
instead of failing when a read turns into a write), the database runs in WAL mode with a busy
timeout, and a lock that outlasts the timeout is retried with backoff before it is reported.

Sign-offs and verdicts (``CHAINED_KINDS``) are hash-chained as they are inserted (see
:mod:`signoff.core.chain`): in the inserting transaction the store reads the latest chain hash
and links the new row to it, so writers of chained rows must take turns. On SQLite they do
already (one writer at a time); on PostgreSQL they take a transaction-scoped advisory lock.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    and_,
    create_engine,
    event,
    exists,
    func,
    inspect,
    literal,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from signoff.adapters.store.chained import as_utc, chain_columns, head_in, verify_in
from signoff.adapters.store.retry import is_locked_message, retrying
from signoff.adapters.store.schema import HEAD_REVISION, events
from signoff.core.errors import LedgerBusyError, LedgerError
from signoff.core.events import (
    CHAINED_KINDS,
    QUESTION_ASKED,
    RESOLUTION_KEY_PREFIX,
    RESOLUTIONS,
    SPEC_MOVED,
    SPEC_REVISED,
    Event,
    NewEvent,
    stored_subject,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from signoff.adapters.store.url import LedgerLocation
    from signoff.core.chain import ChainReport

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5_000
RETRIES = 5
_MIGRATIONS = Path(__file__).parent / "migrations"
# A plain (not chained) row has no chain columns to read back; leaving them out of RETURNING
# also keeps plain writes working on a ledger not yet migrated to 0004.
_PLAIN_COLUMNS = [column for column in events.c if not column.name.startswith("chain_")]


def _is_locked(error: OperationalError) -> bool:
    return is_locked_message(str(error.orig))


def _database_problem(error: Exception) -> str | None:
    """The database's own message for an operational error; None for anything else."""
    return str(error.orig).strip() if isinstance(error, OperationalError) else None


def _engine(location: LedgerLocation, busy_timeout_ms: int) -> Engine:
    if location.sqlite_path is None:
        return create_engine(location.url, pool_pre_ping=True, future=True)
    location.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    # NullPool: a CLI process opens one connection; pooling only keeps file handles alive.
    engine = create_engine(location.url, poolclass=NullPool, future=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writing = connection.get_execution_options().get("signoff_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def _row_event(row: Any) -> Event:
    return Event(
        id=row.id,
        kind=row.kind,
        spec_id=row.spec_id,
        actor=row.actor,
        occurred_at=as_utc(row.occurred_at),
        recorded_at=as_utc(row.recorded_at),
        idempotency_key=row.idempotency_key,
        subject=row.subject,
        payload=dict(row.payload or {}),
        chain_hash=row._mapping.get("chain_hash"),  # noqa: SLF001 - Row's public mapping view
    )


class Ledger:
    """The events of one slice."""

    def __init__(
        self,
        location: LedgerLocation,
        clock: Callable[[], datetime],
        *,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        retries: int = RETRIES,
    ) -> None:
        self.location = location
        self._clock = clock
        self._retries = retries
        try:
            self.engine = _engine(location, busy_timeout_ms)
        except (SQLAlchemyError, OSError) as error:
            raise LedgerError(f"ledger {location.display}: cannot be opened: {error}") from None

    # ------------------------------------------------------------ connections and retries

    def _retrying(self, work: Callable[[], T]) -> T:
        return retrying(
            work, display=self.location.display, retries=self._retries, problem=_database_problem
        )

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                yield connection
        except OperationalError as error:
            if _is_locked(error):
                raise LedgerBusyError(
                    f"ledger {self.location.display} is locked by another process; try again"
                ) from None
            raise LedgerError(
                f"ledger {self.location.display}: {str(error.orig).strip()}"
            ) from None

    def transaction(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction, retried whole if the database is locked."""

        def attempt() -> T:
            connect = self.engine.connect().execution_options(signoff_write=True)
            with connect as connection, connection.begin():
                return work(connection)

        return self._retrying(attempt)

    # ------------------------------------------------------------ schema

    def revision(self) -> str | None:
        """The schema version the ledger is at, or None when it has no tables yet."""
        with self._reading() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
            return None if row is None else str(row[0])

    def upgrade(self, target: str = "head") -> tuple[str | None, str]:
        """Apply pending migrations; returns (revision before, revision after)."""
        from alembic import command  # noqa: PLC0415 - only when the schema must change
        from alembic.config import Config  # noqa: PLC0415

        before = self.revision()
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))

        def migrate() -> None:
            with self.engine.connect().execution_options(signoff_write=True) as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, target)
                connection.commit()

        self._retrying(migrate)
        return before, self.revision() or "none"

    def ensure_schema(self) -> None:
        """Migrations run on first use: bring a new or older ledger to the current schema."""
        if self.revision() != HEAD_REVISION:
            self.upgrade()

    # ------------------------------------------------------------ writing

    def _insert(
        self,
        connection: Connection,
        new: NewEvent,
        recorded_at: datetime | None = None,
        chain_prev: str | None = None,
    ) -> Event | None:
        """Insert one event; a chained one links to ``chain_prev`` when the caller already
        holds the chain's turn and knows its head, else to the head read here."""
        values: dict[str, Any] = {
            "kind": new.kind,
            "spec_id": new.spec_id,
            "subject": stored_subject(new),
            "actor": new.actor,
            "occurred_at": new.occurred_at.astimezone(UTC),
            "recorded_at": (recorded_at or self._clock()).astimezone(UTC),
            "payload": dict(new.payload),
            "idempotency_key": new.idempotency_key,
        }
        chained = new.kind in CHAINED_KINDS
        if chained:
            values.update(chain_columns(connection, values, chain_prev))
        statement = _insert_statement(connection.dialect.name, chained=chained)
        row = connection.execute(statement, values).first()
        return None if row is None else _row_event(row)

    def append(self, new: NewEvent) -> tuple[Event, bool]:
        """Record ``new``; returns (the event, True) or, when its idempotency key was already
        used, (the event recorded then, False). Raises IntegrityError on other conflicts."""

        def work(connection: Connection) -> tuple[Event, bool]:
            inserted = self._insert(connection, new)
            if inserted is not None:
                return inserted, True
            existing = self._by_key(connection, new.idempotency_key)
            if existing is None:  # pragma: no cover - the conflict row cannot vanish
                raise LedgerError(
                    f"ledger {self.location.display}: lost event {new.idempotency_key}"
                )
            return existing, False

        return self.transaction(work)

    def append_many(self, batch: Sequence[NewEvent]) -> int:
        """Record many events in one transaction; returns how many were new.

        A batch with chained kinds is inserted row by row, in its order, each linked to the one
        before; a batch without (an import, a sync) goes in as one multi-row insert.
        """
        if not batch:
            return 0
        recorded_at = self._clock().astimezone(UTC)
        if any(new.kind in CHAINED_KINDS for new in batch):
            return self.transaction(
                lambda connection: self._chain_many(connection, batch, recorded_at)
            )
        rows = [
            {
                "kind": new.kind,
                "spec_id": new.spec_id,
                "subject": stored_subject(new),
                "actor": new.actor,
                "occurred_at": new.occurred_at.astimezone(UTC),
                "recorded_at": recorded_at,
                "payload": dict(new.payload),
                "idempotency_key": new.idempotency_key,
            }
            for new in batch
        ]

        def work(connection: Connection) -> int:
            # Count what was new by the batch's own keys (an index lookup), not the whole table.
            keys = list(dict.fromkeys(new.idempotency_key for new in batch))
            before = self._existing(connection, keys)
            dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
            statement = dialect.insert(events).on_conflict_do_nothing(
                index_elements=["idempotency_key"]
            )
            connection.execute(statement, rows)
            return self._existing(connection, keys) - before

        return self.transaction(work)

    def _chain_many(
        self, connection: Connection, batch: Sequence[NewEvent], recorded_at: datetime
    ) -> int:
        """Insert row by row, in order; the head is read once and then carried along (this
        transaction holds the chain's turn throughout), so each row costs one statement."""
        head: str | None = None
        new_events = 0
        for new in batch:
            inserted = self._insert(connection, new, recorded_at, head)
            if inserted is not None:
                new_events += 1
                head = inserted.chain_hash or head
        return new_events

    def next_question(self, connection: Connection, spec_id: str) -> int:
        """The next free question number of a spec (inside the asking transaction)."""
        numbers = connection.execute(
            select(events.c.subject).where(
                and_(events.c.kind == QUESTION_ASKED, events.c.spec_id == spec_id)
            )
        ).scalars()
        used = [int(subject.split("-")[1]) for subject in numbers if subject]
        return max(used, default=0) + 1

    def insert_in(self, connection: Connection, new: NewEvent) -> Event | None:
        """Insert inside a caller's transaction; None when the idempotency key was taken."""
        return self._insert(connection, new)

    # ------------------------------------------------------------ reading

    def _by_key(self, connection: Connection, key: str) -> Event | None:
        row = connection.execute(select(events).where(events.c.idempotency_key == key)).first()
        return None if row is None else _row_event(row)

    def by_key_in(self, connection: Connection, key: str) -> Event | None:
        """Look an event up by idempotency key inside a caller's transaction."""
        return self._by_key(connection, key)

    def by_key(self, key: str) -> Event | None:
        with self._reading() as connection:
            return self._by_key(connection, key)

    def _existing(self, connection: Connection, keys: Sequence[str]) -> int:
        """How many of ``keys`` are recorded (in chunks: SQLite caps bound parameters)."""
        total = 0
        for start in range(0, len(keys), 5_000):
            chunk = keys[start : start + 5_000]
            query = select(func.count()).where(events.c.idempotency_key.in_(chunk))
            total += int(connection.execute(query).scalar_one())
        return total

    def _count(self, connection: Connection) -> int:
        return int(connection.execute(select(func.count()).select_from(events)).scalar_one())

    def count(self) -> int:
        with self._reading() as connection:
            return self._count(connection)

    def events_of(self, spec_id: str | None = None, kinds: Sequence[str] = ()) -> list[Event]:
        """Events in the order they were recorded, optionally for one spec and some kinds."""
        query = select(events).order_by(events.c.id)
        if spec_id is not None:
            query = query.where(events.c.spec_id == spec_id)
        if kinds:
            query = query.where(events.c.kind.in_(kinds))
        with self._reading() as connection:
            return [_row_event(row) for row in connection.execute(query)]

    def questions(self, spec_id: str | None = None, *, only_open: bool = False) -> list[Event]:
        """Question and resolution events (asked ones first by id), for folding."""
        kinds = (QUESTION_ASKED, *RESOLUTIONS)
        query = select(events).where(events.c.kind.in_(kinds)).order_by(events.c.id)
        if spec_id is not None:
            query = query.where(events.c.spec_id == spec_id)
        if only_open:
            resolved = events.alias("resolved")
            key = literal(RESOLUTION_KEY_PREFIX) + events.c.spec_id + ":" + events.c.subject
            query = query.where(
                events.c.kind == QUESTION_ASKED,
                ~exists().where(resolved.c.idempotency_key == key),
            )
        with self._reading() as connection:
            return [_row_event(row) for row in connection.execute(query)]

    def _latest_subject(self, connection: Connection, kind: str) -> dict[str, str]:
        """For each spec with an event of ``kind``, the subject of its latest one.

        A loose index scan: a recursive query steps from one spec id to the next through
        ``ix_events_kind_spec_id_id_subject`` and takes each spec's last event from the same
        index, which also holds the subject: the cost follows the number of specs, not of
        events, and no row or JSON is read (a GROUP BY would read every event of the kind).
        """
        query = text(
            """
            WITH RECURSIVE ids(spec_id) AS (
                SELECT (SELECT min(spec_id) FROM events WHERE kind = :kind)
                UNION ALL
                SELECT (SELECT min(spec_id) FROM events
                        WHERE kind = :kind AND spec_id > ids.spec_id)
                FROM ids WHERE ids.spec_id IS NOT NULL
            )
            SELECT ids.spec_id,
                   (SELECT e.subject FROM events AS e
                    WHERE e.kind = :kind AND e.spec_id = ids.spec_id
                    ORDER BY e.id DESC LIMIT 1) AS value
            FROM ids WHERE ids.spec_id IS NOT NULL
            """
        )
        rows = connection.execute(query, {"kind": kind}).all()
        return {spec_id: value for spec_id, value in rows if value is not None}

    def board(self) -> dict[str, str]:
        """Each spec's stage: its latest move's target, else its latest revision's status."""
        with self._reading() as connection:
            stages = self._latest_subject(connection, SPEC_REVISED)
            stages.update(self._latest_subject(connection, SPEC_MOVED))
        return stages

    def latest_of(self, spec_id: str, kinds: Sequence[str]) -> Event | None:
        """A spec's most recent event of one of ``kinds``."""
        query = (
            select(events)
            .where(events.c.kind.in_(kinds), events.c.spec_id == spec_id)
            .order_by(events.c.id.desc())
            .limit(1)
        )
        with self._reading() as connection:
            row = connection.execute(query).first()
        return None if row is None else _row_event(row)

    def asked(self, spec_id: str, ref: str) -> Event | None:
        """The event that asked question ``ref`` of a spec."""
        query = select(events).where(
            events.c.kind == QUESTION_ASKED, events.c.spec_id == spec_id, events.c.subject == ref
        )
        with self._reading() as connection:
            row = connection.execute(query).first()
        return None if row is None else _row_event(row)

    def latest_revisions(self) -> dict[str, Event]:
        """Every spec's latest revision event, for ``signoff sync``."""
        latest = (
            select(func.max(events.c.id).label("id"))
            .where(events.c.kind == SPEC_REVISED)
            .group_by(events.c.spec_id)
            .subquery()
        )
        query = select(events).join(latest, events.c.id == latest.c.id)
        with self._reading() as connection:
            return {row.spec_id: _row_event(row) for row in connection.execute(query)}

    # ------------------------------------------------------------ the hash chain

    def chain_head(self) -> str:
        """The latest chain hash (:data:`GENESIS` before any): what a gate publishes."""
        with self._reading() as connection:
            return head_in(connection)

    def verify_chain(self, expected_head: str | None = None) -> ChainReport:
        """Walk the chained rows in id order and check every hash and link.

        One read statement (one snapshot, so concurrent appends do not disturb it) streamed
        in batches; ``expected_head`` is a head published earlier that must still be there.
        """
        with self._reading() as connection:
            return verify_in(connection, expected_head)

    def close(self) -> None:
        self.engine.dispose()


@cache
def _insert_statement(dialect_name: str, *, chained: bool) -> Executable:
    """The insert of one event, built once per backend and shape (the values come as
    parameters): building a statement per row cost more than the database's own work."""
    dialect = sqlite if dialect_name == "sqlite" else postgresql
    statement: Executable = (
        dialect.insert(events)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(*(events.c if chained else _PLAIN_COLUMNS))
    )
    return statement


def open_ledger(
    location: LedgerLocation, clock: Callable[[], datetime] | None = None, *, migrate: bool = True
) -> Ledger:
    """Open the ledger; with ``migrate`` (the default) bring its schema to the current one."""
    ledger = Ledger(location, clock or (lambda: datetime.now(UTC)))
    if migrate:
        try:
            ledger.ensure_schema()
        except IntegrityError as error:  # pragma: no cover - a broken migration
            raise LedgerError(f"ledger {location.display}: migration failed: {error}") from None
    return ledger
