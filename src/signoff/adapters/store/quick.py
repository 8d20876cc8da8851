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
from signoff.core.events import QUESTION_ASKED, RESOLUTIONS, Question

if TYPE_CHECKING:
    from pathlib import Path

_OPEN_QUESTIONS = """
SELECT asked.spec_id, asked.subject, asked.actor, asked.occurred_at, asked.payload
FROM events AS asked
WHERE asked.kind = ?
  AND NOT EXISTS (
    SELECT 1 FROM events AS resolved
    WHERE resolved.kind IN (?, ?, ?)
      AND resolved.spec_id = asked.spec_id
      AND resolved.subject = asked.subject
  )
ORDER BY asked.id
"""


def _moment(raw: str) -> datetime:
    moment = datetime.fromisoformat(raw)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def open_questions_sqlite(path: Path) -> dict[str, list[Question]]:
    """Every unresolved question in the ledger at ``path``, by spec id (empty if no ledger)."""
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
        rows = connection.execute(_OPEN_QUESTIONS, (QUESTION_ASKED, *RESOLUTIONS)).fetchall()
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
