"""Open the slice's ledger, read what the checker needs from it cheaply, and verify its chain."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

from signoff.adapters.store.url import LedgerLocation, resolve_location
from signoff.core.events import Question, fold_questions

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from signoff.adapters.store.ledger import Ledger
    from signoff.core.chain import ChainReport
    from signoff.core.events import Event, NewEvent
    from signoff.service.workspace import Workspace


class EventLog(Protocol):
    """What the gate and the sign-off commands need of a ledger: read events, append one."""

    def events_of(self, spec_id: str | None = None, kinds: Sequence[str] = ()) -> list[Event]: ...

    def append(self, new: NewEvent) -> tuple[Event, bool]: ...

    def close(self) -> None: ...


def unique_key(kind: str) -> str:
    """An idempotency key for an event that is new each time (a verdict, a command's run).

    128 random bits, as a UUID4 holds, without importing ``uuid`` (which loads ``platform``:
    ~9 ms on every gate run).
    """
    return f"{kind}:{os.urandom(16).hex()}"


# Up to this many specs, a team server is asked about each one rather than for every question.
_PER_SPEC_READS = 20


def location(workspace: Workspace) -> LedgerLocation:
    return resolve_location(workspace.root, workspace.environ)


def open_workspace_ledger(workspace: Workspace, *, migrate: bool = True) -> Ledger:
    """The ledger, its schema brought up to date (SQLAlchemy is imported only here)."""
    from signoff.adapters.store.ledger import open_ledger  # noqa: PLC0415 - heavy import

    return open_ledger(location(workspace), workspace.clock, migrate=migrate)


def open_event_log(workspace: Workspace) -> EventLog:
    """The ledger for reading and appending events, opened as cheaply as it can be.

    A SQLite ledger at the current schema is opened with the standard library (see
    :mod:`signoff.adapters.store.lite`: no SQLAlchemy import, about 0.4 s saved on every gate
    run); a new or older one, or a PostgreSQL server, through the full ledger.
    """
    from signoff.adapters.store.lite import open_lite_ledger  # noqa: PLC0415 - gate path only

    lite = open_lite_ledger(location(workspace), workspace.clock)
    return lite if lite is not None else open_workspace_ledger(workspace)


def open_questions_reader(
    workspace: Workspace, spec_ids: Sequence[str] | None = None
) -> Callable[[str], Sequence[Question]]:
    """A lookup of each spec's open questions, read once for the whole check (for ``spec_ids``
    only when given: a pre-commit check of one spec should not read a large ledger whole)."""
    where = location(workspace)
    if where.sqlite_path is not None:
        from signoff.adapters.store.quick import open_questions_sqlite  # noqa: PLC0415

        found = open_questions_sqlite(where.sqlite_path, spec_ids)
    else:
        ledger = open_workspace_ledger(workspace)
        try:
            found = {}
            if spec_ids is not None and len(spec_ids) <= _PER_SPEC_READS:
                events = [e for spec in spec_ids for e in ledger.questions(spec, only_open=True)]
            else:
                events = ledger.questions(only_open=True)
            for question in fold_questions(events):
                found.setdefault(question.spec_id, []).append(question)
        finally:
            ledger.close()

    def lookup(spec_id: str) -> Sequence[Question]:
        return found.get(spec_id, ())

    return lookup


def verify_ledger(workspace: Workspace, expected_head: str | None = None) -> ChainReport:
    """Check the hash chain of sign-offs and verdicts: every row unchanged, none removed.

    ``expected_head`` is a head published earlier (a gate's output): it must still be in the
    chain, which is what shows rows removed from its end. A SQLite ledger that does not exist
    yet is an empty chain, and looking does not create it.
    """
    from signoff.core.chain import verify_links  # noqa: PLC0415 - spec check never needs it

    where = location(workspace)
    if where.sqlite_path is not None and not where.sqlite_path.exists():
        return verify_links((), expected_head)
    ledger = open_workspace_ledger(workspace)
    try:
        return ledger.verify_chain(expected_head)
    finally:
        ledger.close()
