"""Read open questions from a SQLite ledger with the standard library alone.

``signoff spec check`` needs the open questions of the specs it checks (rule open-question),
and it runs in pre-commit hooks with a start-up budget that importing SQLAlchemy would blow. So
for the default SQLite ledger it reads them here, with the same SQL as
:meth:`signoff.adapters.store.ledger.Ledger.questions`; a contract test holds the two equal.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from signoff.core.errors import LedgerError
from signoff.core.events import QUESTION_ASKED, RESOLUTION_KEY_PREFIX, Question

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

# A question is open while no event carries its resolution key (see resolution_key): one
# lookup in the unique index on idempotency_key per question.
_OPEN_QUESTIONS = """
SELECT asked.spec_id, asked.subject, asked.actor, asked.occurred_at, asked.payload
FROM events AS asked
WHERE asked.kind = ?
  AND NOT EXISTS (
    SELECT 1 FROM events AS resolved
    WHERE resolved.idempotency_key = ? || asked.spec_id || ':' || asked.subject
  )
"""
# Checking a few specs (a pre-commit hook) reads only theirs.
_MAX_NAMED_SPECS = 500


def _moment(raw: str) -> datetime:
    moment = datetime.fromisoformat(raw)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def open_questions_sqlite(
    path: Path, spec_ids: Sequence[str] | None = None
) -> dict[str, list[Question]]:
    """Unresolved questions in the ledger at ``path`` by spec id, for ``spec_ids`` or all."""
    if not path.is_file():
        return {}
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as error:
        raise LedgerError(f"ledger {path}: cannot be read: {error}") from None
    try:
        exists = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'"
        ).fetchone()
        if exists is None:
            return {}
        query = _OPEN_QUESTIONS
        parameters: list[str] = [QUESTION_ASKED, RESOLUTION_KEY_PREFIX]
        if spec_ids is not None and len(spec_ids) <= _MAX_NAMED_SPECS:
            query += f" AND asked.spec_id IN ({', '.join('?' for _ in spec_ids)})"
            parameters.extend(spec_ids)
        rows = connection.execute(query + " ORDER BY asked.id", parameters).fetchall()
    except sqlite3.Error as error:
        raise LedgerError(f"ledger {path}: cannot be read: {error}") from None
    finally:
        connection.close()
    found: dict[str, list[Question]] = {}
    for spec_id, subject, actor, occurred_at, payload_text in rows:
        payload = json.loads(payload_text) if payload_text else {}
        recommended = payload.get("recommended")
        found.setdefault(spec_id, []).append(
            Question(
                spec_id=spec_id,
                ref=subject,
                text=str(payload.get("text", "")),
                source=str(payload.get("source", "agent")),
                asked_by=actor,
                asked_at=_moment(occurred_at),
                options=tuple(str(option) for option in payload.get("options", ())),
                recommended=recommended if isinstance(recommended, int) else None,
                cites=payload.get("cites"),
            )
        )
    return found
