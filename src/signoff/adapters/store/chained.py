"""The store's side of the hash chain: take the chain's turn, link a row, walk the chain.

What is hashed and how a chain is judged is :mod:`signoff.core.chain`; this module is where
that meets the database. Writers of chained rows take turns: SQLite holds its one writer lock
from BEGIN IMMEDIATE, PostgreSQL writers queue on a transaction-scoped advisory lock.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, Text, cast, select, text, type_coerce

from signoff.adapters.store.schema import CHAINED_ROWS, events
from signoff.core.chain import (
    GENESIS,
    ChainLink,
    ChainReport,
    canonical_payload,
    chain_hash,
    verify_links,
)
from signoff.core.events import Event

if TYPE_CHECKING:
    from sqlalchemy import Connection

# pg_advisory_xact_lock key that chained writers queue on: "SIGNOFF" in ASCII, a constant every
# Signoff process agrees on (advisory locks are per database, so one ledger, one queue).
CHAIN_LOCK_KEY = int.from_bytes(b"SIGNOFF", "big")
# Chained rows read per round trip while verifying: a server-side cursor on PostgreSQL, so a
# ledger of millions of rows is never held in memory at once.
VERIFY_BATCH = 2_000
# Parenthesised: it is combined with other conditions, and OR binds looser than AND.
_CHAINED_ROWS = text(f"({CHAINED_ROWS})")
_RAW = frozenset({"payload", "occurred_at", "recorded_at"})
_UNREADABLE_MOMENT = datetime.min.replace(tzinfo=UTC)


def as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# Built once: a statement object keeps its cache key, and every chained insert runs this.
_HEAD_QUERY = (
    select(events.c.chain_hash)
    .where(_CHAINED_ROWS, events.c.chain_hash.is_not(None))
    .order_by(events.c.id.desc())
    .limit(1)
)
_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=CHAIN_LOCK_KEY)


def head_in(connection: Connection) -> str:
    """The chain hash of the latest chained row, read backwards from ``ix_events_chain``."""
    head = connection.execute(_HEAD_QUERY).scalar()
    return GENESIS if head is None else str(head)


def chain_columns(
    connection: Connection, values: dict[str, Any], prev: str | None = None
) -> dict[str, Any]:
    """Link a new chained row to the latest one, inside the inserting transaction.

    Writers take turns first, so no two rows can link to the same predecessor: SQLite holds
    its one writer lock since BEGIN IMMEDIATE; PostgreSQL queues on an advisory lock released
    at commit (read committed: the head read after it sees the previous writer's row).
    """
    if prev is None:
        if connection.dialect.name == "postgresql":
            connection.execute(_CHAIN_LOCK)
        prev = head_in(connection)
    payload = canonical_payload(values["payload"])
    own = chain_hash(
        prev,
        kind=values["kind"],
        spec_id=values["spec_id"],
        subject=values["subject"],
        actor=values["actor"],
        occurred_at=values["occurred_at"],
        recorded_at=values["recorded_at"],
        idempotency_key=values["idempotency_key"],
        payload=payload,
    )
    return {"payload": payload, "chain_prev": prev, "chain_hash": own}


# The chain as stored, with payload and timestamps as raw as the driver gives them: an edit
# outside signoff may have left text no JSON or datetime parser takes, and verify must name
# that row rather than stop (PostgreSQL's types cannot hold such text; SQLite's can).
_CHAIN_QUERY = (
    select(
        *(column for column in events.c if column.name not in _RAW),
        cast(events.c.payload, Text).label("payload"),
        type_coerce(events.c.occurred_at, String).label("occurred_at"),
        type_coerce(events.c.recorded_at, String).label("recorded_at"),
    )
    .where(_CHAINED_ROWS)
    .order_by(events.c.id)
)


def verify_in(connection: Connection, expected_head: str | None) -> ChainReport:
    """Walk the chained rows in id order, streamed, checking every hash and link.

    One read statement: one snapshot, so appends made meanwhile do not disturb the walk.
    """
    rows = connection.execution_options(yield_per=VERIFY_BATCH).execute(_CHAIN_QUERY)
    return verify_links((_chain_link(row) for row in rows), expected_head)


def _chain_link(row: Any) -> ChainLink:
    payload = _json_object(row.payload)
    occurred_at = _moment(row.occurred_at)
    recorded_at = _moment(row.recorded_at)
    read = {"payload": payload, "occurred_at": occurred_at, "recorded_at": recorded_at}
    event = Event(
        id=row.id,
        kind=row.kind,
        spec_id=row.spec_id,
        actor=row.actor,
        occurred_at=occurred_at or _UNREADABLE_MOMENT,
        recorded_at=recorded_at or _UNREADABLE_MOMENT,
        idempotency_key=row.idempotency_key,
        subject=row.subject,
        payload=payload or {},
        chain_hash=row.chain_hash,
    )
    unreadable = tuple(name for name, value in read.items() if value is None)
    return ChainLink(event, row.chain_prev, unreadable)


def _json_object(raw: str | None) -> dict[str, Any] | None:
    try:
        value = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _moment(raw: datetime | str | None) -> datetime | None:
    if isinstance(raw, datetime):
        return as_utc(raw)
    try:
        return None if raw is None else as_utc(datetime.fromisoformat(raw))
    except ValueError:
        return None
