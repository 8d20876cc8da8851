"""Retrying a ledger write while another process holds the database's lock.

Both ledgers (SQLAlchemy's and the standard library's) wait on SQLite's busy timeout first;
when a writer holds the lock past it, the work is tried again with growing pauses, and after
the last try it is reported as busy. Any other database error is one line naming the ledger.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TypeVar

from signoff.core.errors import LedgerBusyError, LedgerError

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")
FIRST_PAUSE_SECONDS = 0.05


def is_locked_message(message: str) -> bool:
    """Whether a database error's text says the database is locked or busy."""
    lowered = message.lower()
    return "locked" in lowered or "busy" in lowered


def retrying(
    work: Callable[[], T],
    *,
    display: str,
    retries: int,
    problem: Callable[[Exception], str | None],
) -> T:
    """``work``, tried up to ``retries`` times while the database is locked.

    ``problem`` reads an error: None for one that is not the database's (raised as it is),
    else its message; a message that says locked or busy is retried.
    """
    delay = FIRST_PAUSE_SECONDS
    for attempt in range(1, retries + 1):
        try:
            return work()
        except Exception as error:
            message = problem(error)
            if message is None:
                raise
            if not is_locked_message(message):
                raise LedgerError(f"ledger {display}: {message}") from None
            if attempt == retries:
                raise LedgerBusyError(
                    f"ledger {display} is locked by another process; "
                    f"gave up after {retries} tries; run the command again"
                ) from None
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover
