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

metadata = MetaData()

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
)

HEAD_REVISION = "0003"
