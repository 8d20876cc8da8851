"""The board from an index alone: moves and revisions carry their stage in ``subject``.

Revision ID: 0003
Revises: 0002

Fills ``subject`` of existing ``spec.moved`` rows with the stage moved to and of ``spec.revised``
rows with the spec's status, from their payloads (no row is added or removed), and replaces the
index (kind, spec_id, id) by (kind, spec_id, id, subject).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        to, status = "json_extract(payload, '$.to')", "json_extract(payload, '$.status')"
    else:
        to, status = "(payload ->> 'to')", "(payload ->> 'status')"
    op.execute(
        sa.text(f"UPDATE events SET subject = {to} WHERE kind = 'spec.moved' AND subject IS NULL")
    )
    op.execute(
        sa.text(
            f"UPDATE events SET subject = {status} WHERE kind = 'spec.revised' AND subject IS NULL"
        )
    )
    op.create_index(
        "ix_events_kind_spec_id_id_subject", "events", ["kind", "spec_id", "id", "subject"]
    )
    op.drop_index("ix_events_kind_spec_id_id", "events")


def downgrade() -> None:
    op.create_index("ix_events_kind_spec_id_id", "events", ["kind", "spec_id", "id"])
    op.drop_index("ix_events_kind_spec_id_id_subject", "events")
