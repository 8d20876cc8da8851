"""Alembic environment: migrations run on the connection Signoff hands over."""

from __future__ import annotations

from alembic import context

from signoff.adapters.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - Signoff always passes its connection
    raise RuntimeError("run Signoff's migrations through 'signoff db upgrade'")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
