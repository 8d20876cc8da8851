"""The story lifecycle: index the specs (sync), move a spec between stages, show its history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from signoff.adapters.files import iter_spec_files, replace_file
from signoff.core.clarify.fold import content_hash
from signoff.core.errors import AlreadyResolvedError, SpecChangedError
from signoff.core.events import (
    QUESTION_REJECTED,
    SPEC_MOVED,
    SPEC_REVISED,
    Event,
    NewEvent,
    fold_questions,
)
from signoff.core.lifecycle import MoveFacts, check_move
from signoff.core.specs.parse import parse_spec
from signoff.core.specs.render import with_field
from signoff.service.identity import current_actor
from signoff.service.ledger import open_workspace_ledger
from signoff.service.spec_files import SpecText, digest, read_spec_text, restore, spec_lock
from signoff.service.specs import check_specs, spec_path

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from sqlalchemy import Connection

    from signoff.adapters.store.ledger import Ledger
    from signoff.service.workspace import Workspace


def record_with_edit(
    ledger: Ledger,
    workspace: Workspace,
    spec_id: str,
    path: Path,
    build: Callable[[SpecText], tuple[list[NewEvent], str]],
) -> tuple[list[Event], SpecText, str]:
    """Record events and rewrite the spec file together, or neither.

    Under the spec's lock: read the file, let ``build`` compute the events and the new text,
    then in one ledger transaction insert the events and replace the file (refusing if the file
    changed on disk). If any event's idempotency key was already used, nothing is written and
    :class:`AlreadyResolvedError` names who recorded it and when. If the transaction fails after
    the file was replaced, the old file is put back.
    """
    with spec_lock(workspace.root, spec_id):
        read = read_spec_text(path)
        new_events, new_text = build(read)
        new_digest = digest(new_text.encode("utf-8"))

        def work(connection: Connection) -> list[Event]:
            recorded: list[Event] = []
            for new in new_events:
                event = ledger.insert_in(connection, new)
                if event is None:
                    earlier = ledger.by_key_in(connection, new.idempotency_key)
                    raise AlreadyResolvedError(_already(new, earlier))
                recorded.append(event)
            if new_text != read.text:
                current = digest(read.path.read_bytes())
                if current == read.digest:
                    replace_file(read.path, new_text)
                elif current != new_digest:  # not our own write from a retried attempt
                    raise SpecChangedError(
                        f"{workspace.display_path(read.path)} changed on disk while Signoff was "
                        "editing it (someone is editing it?); nothing was written: save your "
                        "editor's work and run the command again"
                    )
            return recorded

        try:
            recorded = ledger.transaction(work)
        except BaseException:
            if read.path.exists() and digest(read.path.read_bytes()) == new_digest:
                restore(read)
            raise
        return recorded, read, new_text


def _already(new: NewEvent, earlier: Event | None) -> str:
    what = f"{new.spec_id}/{new.subject}" if new.subject else new.spec_id
    if earlier is None:  # pragma: no cover - the conflicting row is there by definition
        return f"{what}: this was recorded already"
    verb = earlier.kind.removeprefix("question.").removeprefix("spec.")
    return (
        f"{what} was already {verb} by {earlier.actor} at "
        f"{earlier.occurred_at:%Y-%m-%d %H:%M:%S} UTC; nothing was written"
    )


# ---------------------------------------------------------------- sync


@dataclass(frozen=True, slots=True)
class SyncedSpec:
    """One spec as ``signoff sync`` recorded it, and how it changed since the last sync."""

    spec_id: str
    title: str | None
    path: str
    content_hash: str
    owner: str | None
    change: str  # new | revised | substantial | unchanged


@dataclass(frozen=True, slots=True)
class Drift:
    """A status line that says one stage while the ledger says another (edited by hand)."""

    spec_id: str
    path: str
    file_status: str
    ledger_stage: str


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one ``signoff sync`` did: the specs read, the files skipped, the drift found."""

    specs: tuple[SyncedSpec, ...]
    skipped: tuple[tuple[str, str], ...]  # (path, why)
    drift: tuple[Drift, ...] = ()

    @property
    def recorded(self) -> int:
        return sum(1 for spec in self.specs if spec.change != "unchanged")


def sync(workspace: Workspace) -> SyncReport:
    """Index the spec files and record a revision for each whose text changed.

    A change to a spec that was already released is a *substantial* revision: the user-outcome
    metrics count them.
    """
    ledger = open_workspace_ledger(workspace)
    try:
        latest = ledger.latest_revisions()
        stages = ledger.board()
        actor = current_actor(workspace)
        now = workspace.clock()
        synced: list[SyncedSpec] = []
        skipped: list[tuple[str, str]] = []
        drift: list[Drift] = []
        batch: list[NewEvent] = []
        for path in iter_spec_files(workspace.specs_dir):
            shown = workspace.display_path(path)
            try:
                text = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError) as error:
                skipped.append((shown, f"cannot be read: {error}"))
                continue
            document = parse_spec(text, shown)
            spec_id = document.spec_id
            if spec_id is None:
                skipped.append((shown, "has no readable id (run signoff spec check)"))
                continue
            digest = content_hash(text)
            previous = latest.get(spec_id)
            stage = stages.get(spec_id)
            if previous is not None and stage and document.status and document.status != stage:
                drift.append(Drift(spec_id, shown, document.status, stage))
            owner = document.text_field("owner")
            if previous is not None and previous.payload.get("hash") == digest:
                unchanged = SyncedSpec(spec_id, document.title, shown, digest, owner, "unchanged")
                synced.append(unchanged)
                continue
            if previous is None:
                change = "new"
            elif stages.get(spec_id) == "released":
                change = "substantial"
            else:
                change = "revised"
            batch.append(
                NewEvent(
                    kind=SPEC_REVISED,
                    spec_id=spec_id,
                    actor=actor,
                    occurred_at=now,
                    idempotency_key=f"revise:{spec_id}:{previous.id if previous else 0}:{digest}",
                    payload={
                        "hash": digest,
                        "previous_hash": previous.payload.get("hash") if previous else None,
                        "title": document.title,
                        "path": shown,
                        "owner": owner,
                        "status": document.status,
                        "substantial": change == "substantial",
                    },
                )
            )
            synced.append(SyncedSpec(spec_id, document.title, shown, digest, owner, change))
        ledger.append_many(batch)
        return SyncReport(tuple(synced), tuple(skipped), tuple(drift))
    finally:
        ledger.close()


# ---------------------------------------------------------------- move


@dataclass(frozen=True, slots=True)
class MoveResult:
    """A spec's move from one lifecycle stage to another (or why it stayed)."""

    spec_id: str
    before: str | None
    after: str
    path: str
    moved: bool  # False when it was already there


def _rejected_unchanged(ledger: Ledger, spec_id: str, text: str) -> str | None:
    rejection = ledger.latest_of(spec_id, (QUESTION_REJECTED,))
    if rejection is None or rejection.payload.get("hash") != content_hash(text):
        return None
    return str(rejection.subject)


def current_stage(ledger: Ledger, spec_id: str, file_status: str | None) -> str | None:
    return ledger.board().get(spec_id) or file_status


def move(workspace: Workspace, reference: str, target: str, reason: str | None) -> MoveResult:
    """Record a stage change and rewrite the spec's ``status`` line, if the guards allow it."""
    path = spec_path(workspace, reference)
    ledger = open_workspace_ledger(workspace)
    try:
        text = read_spec_text(path).text
        document = parse_spec(text, workspace.display_path(path))
        spec_id = document.spec_id or reference
        before = current_stage(ledger, spec_id, document.status)
        if target == before:
            if document.status != target and document.front_matter is not None:
                # The line was edited by hand; the ledger's stage stands. Put the line back.
                record_with_edit(
                    ledger,
                    workspace,
                    spec_id,
                    path,
                    lambda read: (
                        [],
                        with_field(read.text, parse_spec(read.text), "status", target),
                    ),
                )
            return MoveResult(spec_id, before, target, document.path, moved=False)
        report = check_specs(workspace, [str(path)], 1)
        errors = tuple(
            f"line {finding.line} {finding.name}"
            for finding in report.results[0].findings
            if finding.is_error and finding.name != "open-question"
        )
        questions = fold_questions(ledger.questions(spec_id))
        check_move(
            MoveFacts(
                spec_id=spec_id,
                current=before,
                errors=errors,
                open_questions=tuple(q.ref for q in questions if q.is_open),
                rejected_unchanged=_rejected_unchanged(ledger, spec_id, text),
            ),
            target,
            reason,
        )
        last_move = ledger.latest_of(spec_id, (SPEC_MOVED,))
        actor = current_actor(workspace)
        now = workspace.clock()

        def build(read: SpecText) -> tuple[list[NewEvent], str]:
            current = parse_spec(read.text)
            new_text = (
                read.text
                if current.status == target or current.front_matter is None
                else with_field(read.text, current, "status", target)
            )
            event = NewEvent(
                kind=SPEC_MOVED,
                spec_id=spec_id,
                actor=actor,
                occurred_at=now,
                idempotency_key=f"move:{spec_id}:{last_move.id if last_move else 0}:{target}",
                payload={"from": before, "to": target, "reason": reason},
            )
            return [event], new_text

        record_with_edit(ledger, workspace, spec_id, path, build)
        return MoveResult(spec_id, before, target, document.path, moved=True)
    finally:
        ledger.close()


# ---------------------------------------------------------------- history


def history(workspace: Workspace, reference: str) -> tuple[str, Sequence[Event]]:
    """A spec's events, oldest first."""
    path = spec_path(workspace, reference)
    document = parse_spec(read_spec_text(path).text)
    spec_id = document.spec_id or reference
    ledger = open_workspace_ledger(workspace)
    try:
        return spec_id, ledger.events_of(spec_id)
    finally:
        ledger.close()
