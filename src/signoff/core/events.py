"""What happened: the ledger's events as plain values, and the state derived from them.

Events are append-only. Current state (a spec's stage, its open questions) is always derived
from them, never stored a second time. The store derives the same state in SQL for speed; the
folds here are the reference, used on one spec's events and in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

SPEC_REVISED = "spec.revised"
SPEC_MOVED = "spec.moved"
QUESTION_ASKED = "question.asked"
QUESTION_ANSWERED = "question.answered"
QUESTION_DEFERRED = "question.deferred"
QUESTION_REJECTED = "question.rejected"
APPROVAL_GRANTED = "approval.granted"
APPROVAL_REVOKED = "approval.revoked"
REVIEW_RECORDED = "review.recorded"
COMMAND_RAN = "command.ran"
GATE_VERDICT = "gate.verdict"

RESOLUTIONS = (QUESTION_ANSWERED, QUESTION_DEFERRED, QUESTION_REJECTED)
# Sign-offs and verdicts are hash-chained: each row's chain hash covers the previous one, so
# `signoff ledger verify` detects a row changed or removed after the fact.
CHAINED_KINDS = (APPROVAL_GRANTED, APPROVAL_REVOKED, REVIEW_RECORDED, GATE_VERDICT)
KINDS = (
    SPEC_REVISED,
    SPEC_MOVED,
    QUESTION_ASKED,
    *RESOLUTIONS,
    APPROVAL_GRANTED,
    APPROVAL_REVOKED,
    REVIEW_RECORDED,
    COMMAND_RAN,
    GATE_VERDICT,
)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to record. ``idempotency_key`` makes a retried write record nothing new."""

    kind: str
    spec_id: str
    actor: str
    occurred_at: datetime
    idempotency_key: str
    subject: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Event:
    """A recorded event."""

    id: int
    kind: str
    spec_id: str
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    idempotency_key: str
    subject: str | None
    payload: Mapping[str, Any]
    chain_hash: str | None = None  # set on CHAINED_KINDS rows


def stored_subject(new: NewEvent) -> str | None:
    """The subject a ledger stores for ``new``: its own, else for moves and revisions the stage
    they name (``to``, ``status``), so the board is read from an index without any JSON."""
    if new.subject is not None:
        return new.subject
    field = {SPEC_MOVED: "to", SPEC_REVISED: "status"}.get(new.kind)
    value = new.payload.get(field) if field else None
    return str(value)[:32] if value else None


RESOLUTION_KEY_PREFIX = "resolve:"


def resolution_key(spec_id: str, question: str) -> str:
    """One key for answer, defer and reject: a question can be resolved once, whoever races.

    The readers of open questions find a resolution through this key (a unique-index lookup),
    so its shape is part of the ledger's format.
    """
    return f"{RESOLUTION_KEY_PREFIX}{spec_id}:{question}"


@dataclass(frozen=True, slots=True)
class Question:
    """A clarification question and, once triaged, how it was resolved."""

    spec_id: str
    ref: str  # Q-<n>
    text: str
    source: str  # agent | lead | checker
    asked_by: str
    asked_at: datetime
    options: tuple[str, ...] = ()
    recommended: int | None = None
    cites: str | None = None
    resolution: Event | None = None

    @property
    def number(self) -> int:
        return int(self.ref.split("-")[1])

    @property
    def is_open(self) -> bool:
        return self.resolution is None

    @property
    def state(self) -> str:
        if self.resolution is None:
            return "open"
        return self.resolution.kind.removeprefix("question.")


def question_from(asked: Event, resolution: Event | None = None) -> Question:
    payload = asked.payload
    recommended = payload.get("recommended")
    return Question(
        spec_id=asked.spec_id,
        ref=asked.subject or "Q-?",
        text=str(payload.get("text", "")),
        source=str(payload.get("source", "agent")),
        asked_by=asked.actor,
        asked_at=asked.occurred_at,
        options=tuple(str(option) for option in payload.get("options", ())),
        recommended=int(recommended) if isinstance(recommended, int) else None,
        cites=payload.get("cites"),
        resolution=resolution,
    )


def fold_questions(events: Iterable[Event]) -> list[Question]:
    """The questions in a stream of events, oldest first, each with its resolution if any."""
    asked: dict[tuple[str, str], Event] = {}
    resolved: dict[tuple[str, str], Event] = {}
    for event in events:
        if event.subject is None:
            continue
        key = (event.spec_id, event.subject)
        if event.kind == QUESTION_ASKED:
            asked.setdefault(key, event)
        elif event.kind in RESOLUTIONS:
            resolved.setdefault(key, event)
    return [question_from(event, resolved.get(key)) for key, event in asked.items()]


def fold_stage(events: Iterable[Event]) -> str | None:
    """A spec's stage: the target of its latest move, else the status its latest revision had."""
    stage: str | None = None
    moved = False
    for event in events:
        if event.kind == SPEC_MOVED:
            stage = str(event.payload.get("to"))
            moved = True
        elif event.kind == SPEC_REVISED and not moved:
            status = event.payload.get("status")
            stage = str(status) if status else stage
    return stage
