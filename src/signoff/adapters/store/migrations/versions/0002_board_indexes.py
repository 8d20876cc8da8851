"""Indexes that make deriving the board and the inbox fast on a large ledger.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_kind_spec_id_id", "events", ["kind", "spec_id", "id"])
    op.create_index("ix_events_kind_spec_id_subject", "events", ["kind", "spec_id", "subject"])


def downgrade() -> None:
    op.drop_index("ix_events_kind_spec_id_subject", "events")
    op.drop_index("ix_events_kind_spec_id_id", "events")
