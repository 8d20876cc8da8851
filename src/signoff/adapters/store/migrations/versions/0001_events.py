"""The append-only events table.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("spec_id", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(32), nullable=True),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
    )
    op.create_index("uq_events_idempotency_key", "events", ["idempotency_key"], unique=True)
    op.create_index("ix_events_spec_id_id", "events", ["spec_id", "id"])
    op.create_index(
        "uq_events_question_number",
        "events",
        ["spec_id", "subject"],
        unique=True,
        sqlite_where=sa.text("kind = 'question.asked'"),
        postgresql_where=sa.text("kind = 'question.asked'"),
    )


def downgrade() -> None:
    op.drop_table("events")
