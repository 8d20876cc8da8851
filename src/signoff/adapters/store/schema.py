"""The ledger's tables, for SQLAlchemy Core. Alembic migrations create them; this mirrors head.

One table, ``events``: append-only, one row per thing that happened. A test compares this
description with what the migrations build, so the two cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    text,
)

from signoff.core.events import CHAINED_KINDS

metadata = MetaData()

# The rows of the hash chain: those that carry a hash, and those of a chained kind that should.
# The partial index below has this predicate, and the store's queries use the same text, so
# both databases read the chain in id order from the index (a literal list, not bound
# parameters: SQLite matches a partial index only on identical terms). Migration 0004 wrote it
# with these four kinds; a new chained kind needs a migration that rebuilds the index.
CHAINED_ROWS = "chain_hash IS NOT NULL OR kind IN ({})".format(
    ", ".join(f"'{kind}'" for kind in CHAINED_KINDS)
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants 64 bits for a ledger.
_ID = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("spec_id", String(32), nullable=False),
    # What the event is about, short: a question's Q-n; for spec.moved the stage moved to and for
    # spec.revised the status the spec had (filled in by the store), so the board is read from
    # an index alone.
    Column("subject", String(32), nullable=True),
    Column("actor", String(320), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("idempotency_key", String(255), nullable=False),
    # The hash chain over sign-offs and verdicts (signoff.core.chain), NULL on other kinds:
    # the chain hash of the chained row before this one, and this row's own.
    Column("chain_prev", String(64), nullable=True),
    Column("chain_hash", String(64), nullable=True),
    Index("uq_events_idempotency_key", "idempotency_key", unique=True),
    Index("ix_events_spec_id_id", "spec_id", "id"),
    # Migration 0002 added these for the inbox; 0003 widened (kind, spec_id, id) with subject,
    # so each spec's latest move or revision is found without reading the row.
    Index("ix_events_kind_spec_id_id_subject", "kind", "spec_id", "id", "subject"),
    Index("ix_events_kind_spec_id_subject", "kind", "spec_id", "subject"),
    # A question number is taken once per spec, however many processes ask at once.
    Index(
        "uq_events_question_number",
        "spec_id",
        "subject",
        unique=True,
        sqlite_where=text("kind = 'question.asked'"),
        postgresql_where=text("kind = 'question.asked'"),
    ),
    # The chain in order and its latest hash (the head), from the index alone.
    Index(
        "ix_events_chain",
        "id",
        "chain_hash",
        sqlite_where=text(CHAINED_ROWS),
        postgresql_where=text(CHAINED_ROWS),
    ),
)

HEAD_REVISION = "0004"
