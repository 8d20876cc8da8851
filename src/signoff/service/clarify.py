"""The clarification inbox: ask, list, answer, defer, reject, and suggest from the checker."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from signoff.core.clarify.fold import add_assumption, add_clarification, content_hash, one_line
from signoff.core.clarify.suggest import SuggestedQuestion, suggest_questions
from signoff.core.errors import QuestionNotFoundError, UsageError
from signoff.core.events import (
    QUESTION_ANSWERED,
    QUESTION_ASKED,
    QUESTION_DEFERRED,
    QUESTION_REJECTED,
    SPEC_MOVED,
    NewEvent,
    Question,
    fold_questions,
    question_from,
    resolution_key,
)
from signoff.core.specs.parse import parse_spec
from signoff.core.specs.render import with_field
from signoff.service.identity import current_actor
from signoff.service.ledger import open_workspace_ledger
from signoff.service.lifecycle import record_with_edit
from signoff.service.spec_files import read_spec_text
from signoff.service.specs import check_specs, spec_path

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from sqlalchemy import Connection

    from signoff.adapters.store.ledger import Ledger
    from signoff.core.events import Event
    from signoff.service.spec_files import SpecText
    from signoff.service.workspace import Workspace

SOURCES = ("agent", "lead", "checker")
_REF = re.compile(r"^(?:(?P<spec>SO-[1-9]\d*)[/:#])?(?P<question>Q-[1-9]\d*)$", re.IGNORECASE)
_ASK_ATTEMPTS = 10


@dataclass(frozen=True, slots=True)
class Filed:
    """A question filed in a spec's inbox (or found there already)."""

    question: Question
    created: bool  # False when the same question was already in the inbox


def _spec(workspace: Workspace, reference: str) -> tuple[Path, str]:
    path = spec_path(workspace, reference)
    document = parse_spec(read_spec_text(path).text)
    if document.spec_id is None:
        raise UsageError(f"{workspace.display_path(path)} has no readable id; fix its front matter")
    return path, document.spec_id


def ask(
    workspace: Workspace,
    reference: str,
    text: str,
    *,
    source: str = "agent",
    options: tuple[str, ...] = (),
    recommend: int | None = None,
    cites: str | None = None,
) -> Filed:
    """File a question ``Q-<n>`` (numbered per spec). Asking the same again files nothing new."""
    if source not in SOURCES:
        raise UsageError(f"--from must be one of {', '.join(SOURCES)}, not '{source}'")
    question = one_line(text)
    if not question:
        raise UsageError("the question is empty; write it out")
    if recommend is not None and not 1 <= recommend <= len(options):
        raise UsageError(
            f"--recommend {recommend} names no option; give 1..{len(options)} (one per --option)"
        )
    _, spec_id = _spec(workspace, reference)
    actor = current_actor(workspace)
    fingerprint = hashlib.sha256(f"{source}\n{question}".encode()).hexdigest()[:20]
    payload = {
        "text": question,
        "source": source,
        "options": list(options),
        "recommended": recommend,
        "cites": cites,
    }
    ledger = open_workspace_ledger(workspace)
    try:
        for _attempt in range(_ASK_ATTEMPTS):

            def work(connection: Connection) -> Filed:
                number = ledger.next_question(connection, spec_id)
                new = NewEvent(
                    kind=QUESTION_ASKED,
                    spec_id=spec_id,
                    actor=actor,
                    occurred_at=workspace.clock(),
                    idempotency_key=f"ask:{spec_id}:{fingerprint}",
                    subject=f"Q-{number}",
                    payload=payload,
                )
                event = ledger.insert_in(connection, new)
                if event is not None:
                    return Filed(question_from(event), created=True)
                earlier = ledger.by_key_in(connection, new.idempotency_key)
                assert earlier is not None  # noqa: S101 - the key conflicted, so it exists
                return Filed(question_from(earlier), created=False)

            try:
                return ledger.transaction(work)
            except IntegrityError:
                continue  # another process took this number at the same moment: take the next
        raise UsageError(f"{spec_id}: could not number the question after {_ASK_ATTEMPTS} tries")
    finally:
        ledger.close()


def inbox(
    workspace: Workspace, *, only_open: bool = False, reference: str | None = None
) -> list[Question]:
    """Questions oldest first; all of them, or only those still open."""
    spec_id = _spec(workspace, reference)[1] if reference else None
    ledger = open_workspace_ledger(workspace)
    try:
        questions = fold_questions(ledger.questions(spec_id))
    finally:
        ledger.close()
    questions.sort(key=lambda question: (question.asked_at, question.spec_id, question.number))
    return [question for question in questions if question.is_open or not only_open]


def _find(ledger: Ledger, reference: str, spec_hint: str | None) -> Event:
    match = _REF.match(reference.strip())
    if match is None:
        raise UsageError(f"'{reference}' is not a question reference; write SO-<n>/Q-<n>")
    ref = match.group("question").upper()
    spec_id = (match.group("spec") or spec_hint or "").upper() or None
    if spec_id is not None:
        asked = ledger.asked(spec_id, ref)
        if asked is None:
            raise QuestionNotFoundError(
                f"{spec_id} has no question {ref}; see signoff clarify list"
            )
        return asked
    candidates = [
        event for event in ledger.questions(only_open=True) if (event.subject or "") == ref
    ]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise QuestionNotFoundError(f"no open question {ref}; name the spec: SO-<n>/{ref}")
    specs = ", ".join(sorted(event.spec_id for event in candidates))
    raise UsageError(f"{ref} is open on several specs ({specs}); write SO-<n>/{ref}")


@dataclass(frozen=True, slots=True)
class Triaged:
    """A question answered, deferred or rejected, and what that did to the spec."""

    question: Question
    path: str
    outcome: str  # answered | deferred | rejected
    assumption: str | None = None
    moved_to_draft: bool = False


def _triage(
    workspace: Workspace,
    reference: str,
    spec_hint: str | None,
    kind: str,
    build_text: Callable[[SpecText, Question], tuple[str, dict[str, object]]],
) -> Triaged:
    ledger = open_workspace_ledger(workspace)
    try:
        asked = _find(ledger, reference, spec_hint)
        question = question_from(asked)
        path, _ = _spec(workspace, asked.spec_id)
        actor = current_actor(workspace)
        now = workspace.clock()
        extra: dict[str, object] = {}

        def build(read: SpecText) -> tuple[list[NewEvent], str]:
            new_text, payload = build_text(read, question)
            extra.update(payload)
            events = [
                NewEvent(
                    kind=kind,
                    spec_id=asked.spec_id,
                    actor=actor,
                    occurred_at=now,
                    idempotency_key=resolution_key(asked.spec_id, question.ref),
                    subject=question.ref,
                    payload={key: value for key, value in payload.items() if key != "move"},
                )
            ]
            move = payload.get("move")
            if isinstance(move, dict):
                events.append(
                    NewEvent(
                        kind=SPEC_MOVED,
                        spec_id=asked.spec_id,
                        actor=actor,
                        occurred_at=now,
                        idempotency_key=f"move:{asked.spec_id}:reject:{question.ref}",
                        payload=move,
                    )
                )
            return events, new_text

        recorded, _, _ = record_with_edit(ledger, workspace, asked.spec_id, path, build)
        return Triaged(
            question=question_from(asked, recorded[0]),
            path=workspace.display_path(path),
            outcome=kind.removeprefix("question."),
            assumption=str(extra["assumption"]) if "assumption" in extra else None,
            moved_to_draft="move" in extra,
        )
    finally:
        ledger.close()


def answer(
    workspace: Workspace, reference: str, text: str, spec_hint: str | None = None
) -> Triaged:
    """Record the answer and write it under ## Clarifications / ### <today>."""
    reply = one_line(text)
    if not reply:
        raise UsageError("the answer is empty; write it out")
    day = workspace.clock().date().isoformat()

    def build_text(read: SpecText, question: Question) -> tuple[str, dict[str, object]]:
        new_text = add_clarification(
            read.text,
            question_ref=question.ref,
            source=question.source,
            question=question.text,
            answer=reply,
            day=day,
        )
        return new_text, {"answer": reply}

    return _triage(workspace, reference, spec_hint, QUESTION_ANSWERED, build_text)


def defer(
    workspace: Workspace, reference: str, note: str | None = None, spec_hint: str | None = None
) -> Triaged:
    """Defer to implementation: write ``A-n (deferred Q-n)`` under ## Assumptions."""

    def build_text(read: SpecText, question: Question) -> tuple[str, dict[str, object]]:
        assumption = (
            one_line(note) if note and note.strip() else f"Left to the implementer: {question.text}"
        )
        new_text, ref = add_assumption(read.text, question.ref, assumption)
        return new_text, {"note": note, "assumption": ref}

    return _triage(workspace, reference, spec_hint, QUESTION_DEFERRED, build_text)


def reject(
    workspace: Workspace, reference: str, reason: str, spec_hint: str | None = None
) -> Triaged:
    """Reject the question as a sign the spec is fuzzy: the spec goes back to draft, and it
    cannot be ready again until its text changes."""
    why = one_line(reason)
    if not why:
        raise UsageError('rejecting needs a reason: --reason "…"')
    ledger = open_workspace_ledger(workspace)
    try:
        board = ledger.board()
    finally:
        ledger.close()

    def build_text(read: SpecText, question: Question) -> tuple[str, dict[str, object]]:
        document = parse_spec(read.text)
        payload: dict[str, object] = {"reason": why, "hash": content_hash(read.text)}
        stage = board.get(question.spec_id) or document.status
        new_text = read.text
        if document.status != "draft" and document.front_matter is not None:
            new_text = with_field(read.text, document, "status", "draft")
        if stage != "draft":
            payload["move"] = {
                "from": stage,
                "to": "draft",
                "reason": f"{question.ref} rejected: {why}",
            }
        return new_text, payload

    return _triage(workspace, reference, spec_hint, QUESTION_REJECTED, build_text)


def suggest(
    workspace: Workspace, reference: str, *, file: bool = False
) -> tuple[list[SuggestedQuestion], list[Filed]]:
    """At most five questions from the checker's findings; with ``file``, filed --from checker."""
    path, _ = _spec(workspace, reference)
    report = check_specs(workspace, [str(path)], 1)
    result = report.results[0]
    document = parse_spec(read_spec_text(path).text, workspace.display_path(path))
    findings = [finding for finding in result.findings if finding.name != "open-question"]
    questions = suggest_questions(document, findings)
    filed = [
        ask(
            workspace,
            str(path),
            suggestion.text,
            source="checker",
            options=suggestion.options,
            recommend=suggestion.recommended,
            cites=suggestion.cites,
        )
        for suggestion in (questions if file else [])
    ]
    return questions, filed


__all__ = [
    "SOURCES",
    "Filed",
    "Triaged",
    "answer",
    "ask",
    "defer",
    "inbox",
    "reject",
    "suggest",
]
