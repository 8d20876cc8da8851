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
    backfill = (
        "UPDATE events SET subject = json_extract(payload, :path) "
        "WHERE kind = :kind AND subject IS NULL"
        if bind.dialect.name == "sqlite"
        else "UPDATE events SET subject = (payload ->> :field) "
        "WHERE kind = :kind AND subject IS NULL"
    )
    for kind, field in (("spec.moved", "to"), ("spec.revised", "status")):
        parameters = {"path": f"$.{field}"} if bind.dialect.name == "sqlite" else {"field": field}
        bind.execute(sa.text(backfill), {"kind": kind, **parameters})
    op.create_index(
        "ix_events_kind_spec_id_id_subject", "events", ["kind", "spec_id", "id", "subject"]
    )
    op.drop_index("ix_events_kind_spec_id_id", "events")


def downgrade() -> None:
    op.create_index("ix_events_kind_spec_id_id", "events", ["kind", "spec_id", "id"])
    op.drop_index("ix_events_kind_spec_id_id_subject", "events")
