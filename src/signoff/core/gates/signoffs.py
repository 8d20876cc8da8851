"""Approvals and reviews recorded in the ledger, folded into values the gates judge.

An approval names one diff hash. It counts for that diff only: a new commit changes the hash
and the approval is void, which the verdict says in so many words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from signoff.core.events import APPROVAL_GRANTED, APPROVAL_REVOKED, REVIEW_RECORDED
from signoff.core.gates.model import ApprovalView

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from signoff.core.events import Event

REVIEW_OUTCOMES = ("pass", "fail")


@dataclass(frozen=True, slots=True)
class ApprovalRecord:
    """An approval as recorded, and whether it was revoked since."""

    event_id: int
    approver: str
    diff_sha256: str
    approved_at: datetime
    source: str
    comment: str | None
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class Review:
    """An in-depth review of one diff: by the AI reviewer or a person standing in for it."""

    event_id: int
    reviewer: str
    diff_sha256: str
    outcome: str  # pass | fail
    summary: str | None
    recorded_at: datetime
    source: str


def fold_approvals(events: Iterable[Event]) -> list[ApprovalRecord]:
    """The approvals in a stream of events, oldest first, each marked when revoked."""
    granted: dict[int, Event] = {}
    revoked: set[int] = set()
    for event in events:
        if event.kind == APPROVAL_GRANTED:
            granted[event.id] = event
        elif event.kind == APPROVAL_REVOKED:
            target = event.payload.get("approval_id")
            if isinstance(target, int):
                revoked.add(target)
    return [
        ApprovalRecord(
            event_id=event.id,
            approver=event.actor,
            diff_sha256=str(event.payload.get("diff_sha256", "")),
            approved_at=event.occurred_at,
            source=str(event.payload.get("source", "local")),
            comment=_text(event.payload.get("comment")),
            revoked=event.id in revoked,
        )
        for event in granted.values()
    ]


def fold_reviews(events: Iterable[Event]) -> list[Review]:
    """The reviews in a stream of events, oldest first."""
    return [
        Review(
            event_id=event.id,
            reviewer=event.actor,
            diff_sha256=str(event.payload.get("diff_sha256", "")),
            outcome=str(event.payload.get("outcome", "")),
            summary=_text(event.payload.get("summary")),
            recorded_at=event.occurred_at,
            source=str(event.payload.get("source", "local")),
        )
        for event in events
        if event.kind == REVIEW_RECORDED
    ]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def person_key(identity: str) -> str:
    """One key per person: identities compare without case or surrounding blanks (e-mail
    addresses are case-insensitive in practice), so one person never counts twice."""
    return identity.strip().casefold()


def same_person(left: str, right: str) -> bool:
    return person_key(left) == person_key(right)


def judge_approval(
    record: ApprovalRecord,
    *,
    diff_sha256: str,
    group: Sequence[str],
    authors: Sequence[str],
    allow_author: bool,
    gate: str,
) -> ApprovalView:
    """How one recorded approval counts for one approval gate on the current diff."""
    if record.revoked:
        state = "revoked"
    elif record.diff_sha256 != diff_sha256:
        state = "void"
    elif not any(same_person(record.approver, member) for member in group):
        state = "not-approver"
    elif not allow_author and any(same_person(record.approver, author) for author in authors):
        state = "author"
    else:
        state = "counted"
    return ApprovalView(
        approver=record.approver,
        diff_sha256=record.diff_sha256,
        approved_at=record.approved_at,
        source=record.source,
        comment=record.comment,
        state=state,
        gate=gate,
    )
