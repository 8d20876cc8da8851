"""The hash chain over sign-offs and verdicts: ``chain_prev`` and ``chain_hash`` on events.

Revision ID: 0004
Revises: 0003

Adds two nullable columns (no row is changed: other kinds never carry a hash) and a partial
index over the chain's rows, which gives the chain in id order and its latest hash. No released
version wrote a chained kind before this revision, so no row is hashed here: a row of those
kinds without a hash is reported by ``signoff ledger verify`` as written outside signoff,
instead of being taken into the chain unseen.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen here as written at this revision (schema.CHAINED_ROWS is built from the kinds).
_CHAINED_ROWS = (
    "chain_hash IS NOT NULL OR kind IN "
    "('approval.granted', 'approval.revoked', 'review.recorded', 'gate.verdict')"
)


def upgrade() -> None:
    op.add_column("events", sa.Column("chain_prev", sa.String(64), nullable=True))
    op.add_column("events", sa.Column("chain_hash", sa.String(64), nullable=True))
    op.create_index(
        "ix_events_chain",
        "events",
        ["id", "chain_hash"],
        sqlite_where=sa.text(_CHAINED_ROWS),
        postgresql_where=sa.text(_CHAINED_ROWS),
    )


def downgrade() -> None:
    op.drop_index("ix_events_chain", "events")
    op.drop_column("events", "chain_hash")
    op.drop_column("events", "chain_prev")
