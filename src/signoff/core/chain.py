"""The hash chain over sign-offs and verdicts, and how a chain is checked.

Each row of a chained kind (:data:`signoff.core.events.CHAINED_KINDS`) stores ``chain_prev``,
the chain hash of the chained row recorded before it (:data:`GENESIS` for the first), and
``chain_hash``, the SHA-256 of its own content together with ``chain_prev``. Changing a row's
content breaks its own hash; removing a row breaks the link of the row after it. Removing rows
from the end leaves a shorter chain that is valid in itself: only a head published earlier
shows that, so :func:`verify_links` also checks an expected head is still in the chain.

What is hashed (:func:`chain_hash`) is the row's meaningful content, canonically encoded:

- kind, spec_id, subject, actor, idempotency_key as they are stored;
- occurred_at and recorded_at as ISO-8601 UTC with microseconds (SQLite hands back naive
  datetimes, PostgreSQL aware ones: both mean UTC here);
- the payload as canonical JSON (sorted keys, compact separators; Python writes a float as
  the shortest text that reads back as the same float, so 0.1 + 0.2 survives both backends);
- chain_prev, which is what links the rows.

The row's ``id`` is not hashed. The order of the chain is carried by ``chain_prev``, not by ids,
and ids are the database's business: a dump restored into another database, or a move from
SQLite to PostgreSQL, may number the rows anew, and the chain should survive that. It also lets
the store compute the hash before the INSERT that assigns the id, so a chained row is written
once and never updated.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from signoff.core.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

    from signoff.core.events import Event

GENESIS = "0" * 64
# Names the encoding inside every hash: a future change of what is hashed gets a new name, and
# old rows keep verifying under the old one.
ENCODING = "signoff-chain/1"
# A ledger rewritten wholesale would report every row; the report keeps this many.
MAX_PROBLEMS = 1_000

CHANGED = "changed"
PREDECESSOR_MISSING = "predecessor-missing"
UNHASHED = "unhashed"
HEAD_MISSING = "head-missing"

_HEAD = re.compile(r"[0-9a-f]{64}")


def canonical_json(value: Any) -> str:
    """One text for one JSON value: sorted keys, no spaces, no NaN (JSON has none)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def canonical_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as it reads back from either database: what is stored is what is hashed.

    A tuple becomes a list and a non-string key a string, as a JSON round trip makes them;
    a value JSON cannot hold (NaN, a datetime, keys of mixed types) raises ValueError or
    TypeError here, before anything is written.
    """
    loaded: dict[str, Any] = json.loads(canonical_json(dict(payload)))
    return loaded


def utc_timestamp(moment: datetime) -> str:
    """ISO-8601 in UTC with microseconds; a naive datetime is UTC (SQLite stores them so)."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def chain_head(value: str) -> str:
    """A chain head as given by a person or a script, checked: 64 hex digits, any case, with
    surrounding white space dropped. Every shell (CLI, web, API) reads a head through this."""
    head = value.strip().lower()
    if not _HEAD.fullmatch(head):
        msg = (
            f"{value!r} is not a chain head: give the 64 hex digits a gate or "
            "'signoff ledger verify' printed"
        )
        raise UsageError(msg)
    return head


class ChainFields(TypedDict):
    """A row's fields that its chain hash covers, each passed by name: none can land in
    another's place."""

    kind: str
    spec_id: str
    subject: str | None
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    idempotency_key: str
    payload: Mapping[str, Any]


def chain_encoding(prev: str, **row: Unpack[ChainFields]) -> bytes:
    """The bytes a row's chain hash is taken of: its fields as one JSON array.

    JSON quotes and escapes every string, so no text inside a field (a comma, a quote, a
    bracket, a NUL) can end it early or stand for another field: two different rows never
    encode alike.
    """
    fields = [
        ENCODING,
        prev,
        row["kind"],
        row["spec_id"],
        row["subject"],
        row["actor"],
        utc_timestamp(row["occurred_at"]),
        utc_timestamp(row["recorded_at"]),
        row["idempotency_key"],
        dict(row["payload"]),
    ]
    # surrogatepass: a lone surrogate in a string still hashes (to its own bytes) instead of
    # making a stored row impossible to verify.
    return canonical_json(fields).encode("utf-8", "surrogatepass")


def chain_hash(prev: str, **row: Unpack[ChainFields]) -> str:
    """The SHA-256 (hex) of a row's canonical encoding, linked to ``prev``."""
    return hashlib.sha256(chain_encoding(prev, **row)).hexdigest()


def event_chain_hash(prev: str, event: Event) -> str:
    """The chain hash a recorded event should carry after ``prev``."""
    return chain_hash(
        prev,
        kind=event.kind,
        spec_id=event.spec_id,
        subject=event.subject,
        actor=event.actor,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        idempotency_key=event.idempotency_key,
        payload=event.payload,
    )


@dataclass(frozen=True, slots=True)
class ChainLink:
    """A chained row as stored: the event (with its ``chain_hash``) and its ``chain_prev``.

    ``unreadable`` names the fields the store could not read back (a payload that is not a
    JSON object, a timestamp that is not one: only an edit outside signoff makes them).
    """

    event: Event
    chain_prev: str | None
    unreadable: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One thing wrong with the chain; ``event_id`` is None for a missing expected head."""

    code: str  # CHANGED | PREDECESSOR_MISSING | UNHASHED | HEAD_MISSING
    message: str
    event_id: int | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What a walk over the chain found.

    ``head`` is the chain hash of the last chained row (:data:`GENESIS` when there is none):
    publish it, and a later ``verify`` with it as ``expected_head`` shows whether rows were
    removed from the end. ``problems`` holds at most :data:`MAX_PROBLEMS`; ``problem_count``
    counts them all.
    """

    rows: int
    head: str
    problems: tuple[ChainProblem, ...] = ()
    problem_count: int = 0
    expected_head: str | None = None
    expected_head_event: int | None = None  # the row that carries it, when found

    @property
    def intact(self) -> bool:
        return self.problem_count == 0


@dataclass(slots=True)
class _Walk:
    """The state of one pass over the chain, row by row (so a huge ledger streams through)."""

    expected_head: str | None
    rows: int = 0
    head: str = GENESIS
    problems: list[ChainProblem] = field(default_factory=list)
    problem_count: int = 0
    expected_head_event: int | None = None

    def report(self, problem: ChainProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def step(self, link: ChainLink) -> None:
        event = link.event
        self.rows += 1
        if event.chain_hash is None:
            self.report(
                ChainProblem(
                    UNHASHED,
                    f"event {event.id} ({event.kind}) has no chain hash: "
                    "it was written outside signoff",
                    event.id,
                    event.kind,
                )
            )
            return  # the chain goes on from the last row that has one
        if link.chain_prev != self.head:
            self.report(
                ChainProblem(
                    PREDECESSOR_MISSING,
                    f"event {event.id}'s predecessor is missing: "
                    "a chained row was removed or replaced before it",
                    event.id,
                    event.kind,
                )
            )
        if link.unreadable:
            why = f"its {', '.join(link.unreadable)} cannot be read"
        elif event_chain_hash(link.chain_prev or "", event) != event.chain_hash:
            why = "its hash does not match its content"
        else:
            why = ""
        if why:
            self.report(
                ChainProblem(
                    CHANGED,
                    f"event {event.id} ({event.kind}) was changed after it was recorded: {why}",
                    event.id,
                    event.kind,
                )
            )
        if event.chain_hash == self.expected_head:
            self.expected_head_event = event.id
        self.head = event.chain_hash

    def finish(self) -> ChainReport:
        expected = self.expected_head
        if expected is not None and expected != GENESIS and self.expected_head_event is None:
            self.report(
                ChainProblem(
                    HEAD_MISSING,
                    f"the expected head {expected} is not in the chain: chained rows were "
                    "removed from its end, or the chain was rewritten",
                )
            )
        return ChainReport(
            rows=self.rows,
            head=self.head,
            problems=tuple(self.problems),
            problem_count=self.problem_count,
            expected_head=expected,
            expected_head_event=self.expected_head_event,
        )


def verify_links(links: Iterable[ChainLink], expected_head: str | None = None) -> ChainReport:
    """Check a chain given in the order it was recorded (by id), one row at a time.

    Each row's hash must match its content, and its ``chain_prev`` must be the hash of the
    chained row before it. ``expected_head``, a head published earlier, must be the hash of
    some row (the chain may have grown since): otherwise rows were removed from the end. It is
    read with :func:`chain_head` (any case; UsageError when it is not a head at all).
    """
    walk = _Walk(expected_head=None if expected_head is None else chain_head(expected_head))
    for link in links:
        walk.step(link)
    return walk.finish()
