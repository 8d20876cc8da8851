"""``signoff approve``, ``signoff revoke`` and ``signoff review record``.

An approval names the diff's stable hash, so it counts for exactly the change that was read:
any new commit gives a new hash and the approval is void. From the CLI the approver is the
local identity (``SIGNOFF_ACTOR``, else git's ``user.email``) and the approval is marked
``local``; the web dashboard will be the authenticated path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from signoff.core.errors import RefusedError, SpecNotFoundError, UsageError
from signoff.core.events import (
    APPROVAL_GRANTED,
    APPROVAL_REVOKED,
    REVIEW_RECORDED,
    NewEvent,
)
from signoff.core.gates.signoffs import REVIEW_OUTCOMES, fold_approvals, same_person
from signoff.service.change import (
    NO_SPEC,
    ChangeRequest,
    diff_fingerprint,
    resolve_change,
    spec_facts,
    spec_reference,
)
from signoff.service.identity import ACTOR_VARIABLE, current_actor
from signoff.service.ledger import open_event_log, unique_key

if TYPE_CHECKING:
    from collections.abc import Sequence

    from signoff.core.events import Event
    from signoff.core.gates.signoffs import ApprovalRecord
    from signoff.service.change import Change
    from signoff.service.ledger import EventLog
    from signoff.service.workspace import Workspace

LOCAL_SOURCE = "local"


@dataclass(frozen=True, slots=True)
class SignedChange:
    """What a sign-off was about, and the event that recorded it."""

    spec: str
    diff_sha256: str
    files: int
    event: Event
    created: bool  # False: the same sign-off was already recorded


def _subject(workspace: Workspace, request: ChangeRequest) -> tuple[str, str, int, Change]:
    change = resolve_change(workspace, request)
    try:
        spec_id, source = spec_reference(workspace, change, request.spec)
    except SpecNotFoundError:
        spec_id = NO_SPEC  # a change without a spec is gated (and signed off) as such
    else:
        spec_facts(workspace, spec_id, source)  # a spec that is named must exist
    sha256, files = diff_fingerprint(change)
    if files == 0:
        raise RefusedError(
            f"the change {change.base_label}..{change.head_label} is empty: nothing to sign off"
        )
    return spec_id, sha256, files, change


def _identity_source(workspace: Workspace) -> str:
    return ACTOR_VARIABLE if workspace.environ.get(ACTOR_VARIABLE, "").strip() else "git"


def _my_approvals(ledger: EventLog, spec_id: str, actor: str, sha256: str) -> list[ApprovalRecord]:
    """The current person's approvals of this diff, revoked ones included, oldest first."""
    events = ledger.events_of(spec_id, kinds=(APPROVAL_GRANTED, APPROVAL_REVOKED))
    return [
        record
        for record in fold_approvals(events)
        if same_person(record.approver, actor) and record.diff_sha256 == sha256
    ]


def _record(
    workspace: Workspace,
    ledger: EventLog,
    signed: tuple[str, str, int],
    new: tuple[str, str, dict[str, Any]],
) -> SignedChange:
    """Append one sign-off event: ``signed`` is (spec, diff hash, files), ``new`` is (kind,
    idempotency key, payload); every sign-off names the diff and how the identity was found."""
    spec_id, sha256, files = signed
    kind, key, payload = new
    event, created = ledger.append(
        NewEvent(
            kind=kind,
            spec_id=spec_id,
            actor=current_actor(workspace),
            occurred_at=workspace.clock(),
            idempotency_key=key,
            subject=sha256[:32],
            payload={
                "diff_sha256": sha256,
                **payload,
                "source": LOCAL_SOURCE,
                "identity": _identity_source(workspace),
            },
        )
    )
    return SignedChange(spec_id, sha256, files, event, created)


def _check_may_approve(workspace: Workspace, actor: str, authors: Sequence[str]) -> None:
    groups = {
        gate.approvers: workspace.standards.approver_groups.get(gate.approvers or "", ())
        for gate in workspace.standards.gates.values()
        if gate.kind == "approval"
    }
    mine = [name for name, members in groups.items() if any(same_person(actor, m) for m in members)]
    if not mine:
        known = ", ".join(sorted(str(name) for name in groups)) or "none"
        raise RefusedError(
            f"{actor} is in no approver group of an approval gate ({known}); "
            "add them under [approvers] in signoff.toml, or ask a member to approve"
        )
    allowed = any(
        gate.allow_author
        for gate in workspace.standards.gates.values()
        if gate.kind == "approval" and gate.approvers in mine
    )
    if not allowed and any(same_person(actor, author) for author in authors):
        raise RefusedError(
            f"{actor} wrote this change and may not approve it (allow_author = false); "
            "ask another approver"
        )


def approve(workspace: Workspace, request: ChangeRequest, comment: str | None) -> SignedChange:
    """Record the current person's approval of exactly this diff."""
    spec_id, sha256, files, change = _subject(workspace, request)
    actor = current_actor(workspace)
    _check_may_approve(workspace, actor, change.authors(actor, workspace.environ))
    ledger = open_event_log(workspace)
    try:
        mine = _my_approvals(ledger, spec_id, actor, sha256)
        standing = [record for record in mine if not record.revoked]
        if standing:
            granted = ledger.events_of(spec_id, kinds=(APPROVAL_GRANTED,))
            event = next(e for e in granted if e.id == standing[-1].event_id)
            return SignedChange(spec_id, sha256, files, event, created=False)
        # One approval per person, diff and revocation round: a retried command records
        # nothing new.
        key = f"approve:{spec_id}:{sha256}:{actor.casefold()}:{len(mine)}"
        payload = {
            "base": change.base,
            "head": change.head,
            "staged": change.staged,
            "files": files,
            "comment": comment,
        }
        return _record(
            workspace, ledger, (spec_id, sha256, files), (APPROVAL_GRANTED, key, payload)
        )
    finally:
        ledger.close()


def revoke(workspace: Workspace, request: ChangeRequest, reason: str | None) -> SignedChange:
    """Withdraw the current person's approval of this diff."""
    spec_id, sha256, files, _change = _subject(workspace, request)
    actor = current_actor(workspace)
    ledger = open_event_log(workspace)
    try:
        standing = [r for r in _my_approvals(ledger, spec_id, actor, sha256) if not r.revoked]
        if not standing:
            raise RefusedError(
                f"{actor} has no approval of diff {sha256[:12]} ({spec_id}) to revoke; "
                "'signoff gate' lists the approvals"
            )
        target = standing[-1].event_id
        payload = {"approval_id": target, "reason": reason}
        return _record(
            workspace,
            ledger,
            (spec_id, sha256, files),
            (APPROVAL_REVOKED, f"revoke:{target}", payload),
        )
    finally:
        ledger.close()


def record_review(
    workspace: Workspace, request: ChangeRequest, outcome: str, summary: str | None
) -> SignedChange:
    """Record an in-depth review of this diff (a person standing in for the AI reviewer)."""
    if outcome not in REVIEW_OUTCOMES:
        raise UsageError(f"--outcome must be one of {', '.join(REVIEW_OUTCOMES)}, not {outcome!r}")
    spec_id, sha256, files, change = _subject(workspace, request)
    actor = current_actor(workspace)
    if any(same_person(actor, author) for author in change.authors(actor, workspace.environ)):
        # The gate would not count it: whoever wrote a change cannot stand in for its reviewer.
        raise RefusedError(
            f"{actor} wrote this change, and the review gate does not count its author's "
            "review; ask someone else to review it"
        )
    ledger = open_event_log(workspace)
    try:
        payload = {"outcome": outcome, "summary": summary}
        key = unique_key("review")
        return _record(workspace, ledger, (spec_id, sha256, files), (REVIEW_RECORDED, key, payload))
    finally:
        ledger.close()
