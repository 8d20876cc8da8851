"""Commands over the ledger: db, sync, spec move / history, and the clarification inbox."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from signoff.cli.context import output_option
from signoff.cli.context import workspace as open_here

if TYPE_CHECKING:
    from datetime import datetime

    from signoff.core.events import Event, Question
    from signoff.service.clarify import Filed, Triaged

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
JSON_VERSION = 1


def _print_json(document: object) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False, default=str))


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def age(moment: datetime, now: datetime) -> str:
    """How long ago, in the largest whole unit: 45s, 12m, 5h, 3d."""
    seconds = max(0, int((now - moment).total_seconds()))
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def question_json(question: Question, now: datetime | None = None) -> dict[str, Any]:
    resolution = question.resolution
    return {
        "spec": question.spec_id,
        "ref": question.ref,
        "state": question.state,
        "source": question.source,
        "text": question.text,
        "options": list(question.options),
        "recommended": question.recommended,
        "cites": question.cites,
        "asked_by": question.asked_by,
        "asked_at": question.asked_at.isoformat(),
        "age_seconds": None if now is None else int((now - question.asked_at).total_seconds()),
        "resolution": None
        if resolution is None
        else {
            "outcome": resolution.kind.removeprefix("question."),
            "by": resolution.actor,
            "at": resolution.occurred_at.isoformat(),
            **{key: value for key, value in resolution.payload.items() if key != "hash"},
        },
    }


def _event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind,
        "subject": event.subject,
        "actor": event.actor,
        "occurred_at": event.occurred_at.isoformat(),
        "payload": dict(event.payload),
    }


# ---------------------------------------------------------------- db


@click.group(context_settings=CONTEXT_SETTINGS, epilog="Example: signoff db status")
def db() -> None:
    """The ledger's database: where it is and its schema version."""


@db.command("status", epilog="Example: signoff db status --format json")
@output_option
def db_status(output: str) -> None:
    """Show where the ledger is, its schema version and any pending migration."""
    from signoff.adapters.store.schema import HEAD_REVISION
    from signoff.service.ledger import location, open_workspace_ledger

    workspace = open_here()
    where = location(workspace)
    revision: str | None = None
    events = 0
    # Looking must not create: a SQLite ledger that does not exist yet stays that way.
    if where.sqlite_path is None or where.sqlite_path.exists():
        ledger = open_workspace_ledger(workspace, migrate=False)
        try:
            revision = ledger.revision()
            events = ledger.count() if revision is not None else 0
        finally:
            ledger.close()
    document = {
        "version": JSON_VERSION,
        "backend": "sqlite" if where.is_sqlite else "postgresql",
        "location": where.display,
        "revision": revision,
        "head": HEAD_REVISION,
        "up_to_date": revision == HEAD_REVISION,
        "events": events,
    }
    if output == "json":
        _print_json(document)
        return
    click.echo(f"ledger   {where.display} ({document['backend']})")
    if revision is None:
        state = "none yet: created and migrated by the first command that records something"
    elif revision == HEAD_REVISION:
        state = f"{revision}, up to date"
    else:
        state = f"{revision} of {HEAD_REVISION}: run 'signoff db upgrade' (or any ledger command)"
    click.echo(f"schema   {state}")
    click.echo(f"events   {events}")


@db.command("upgrade", epilog="Example: signoff db upgrade")
@output_option
def db_upgrade(output: str) -> None:
    """Apply pending migrations; a ledger made by an older version keeps all its rows."""
    from signoff.service.ledger import open_workspace_ledger

    ledger = open_workspace_ledger(open_here(), migrate=False)
    try:
        before, after = ledger.upgrade()
    finally:
        ledger.close()
    if output == "json":
        _print_json({"version": JSON_VERSION, "before": before, "after": after})
    elif before == after:
        click.echo(f"schema {after}: already up to date")
    else:
        click.echo(f"schema {before or 'none'} -> {after}")


# ---------------------------------------------------------------- sync


@click.command(epilog="Example: signoff sync")
@output_option
def sync(output: str) -> None:
    """Index the spec files and record a revision for every spec whose text changed.

    A change to a released spec is recorded as a substantial revision.
    """
    from signoff.service.lifecycle import sync as run_sync

    report = run_sync(open_here())
    if output == "json":
        _print_json(
            {
                "version": JSON_VERSION,
                "recorded": report.recorded,
                "specs": [
                    {
                        "id": spec.spec_id,
                        "title": spec.title,
                        "path": spec.path,
                        "hash": spec.content_hash,
                        "owner": spec.owner,
                        "change": spec.change,
                    }
                    for spec in report.specs
                ],
                "skipped": [{"path": path, "reason": why} for path, why in report.skipped],
                "drift": [
                    {
                        "id": d.spec_id,
                        "path": d.path,
                        "file_status": d.file_status,
                        "ledger_stage": d.ledger_stage,
                    }
                    for d in report.drift
                ],
            }
        )
        return
    for spec in report.specs:
        if spec.change != "unchanged":
            click.echo(f"{spec.change:<11} {spec.spec_id:<7} {spec.content_hash[:12]}  {spec.path}")
    for path, why in report.skipped:
        click.echo(f"skipped     {path}: {why}")
    for d in report.drift:
        click.echo(
            f"drift       {d.spec_id}: {d.path} says status {d.file_status}, the ledger says "
            f"{d.ledger_stage}; record it with 'signoff spec move {d.spec_id} {d.file_status}' "
            f"or put the line back with 'signoff spec move {d.spec_id} {d.ledger_stage}'"
        )
    unchanged = len(report.specs) - report.recorded
    click.echo(f"{report.recorded} revision(s) recorded, {unchanged} spec(s) unchanged")


# ---------------------------------------------------------------- spec move / history


@click.command(
    "move", epilog='Example: signoff spec move SO-4 abandoned --reason "merged into SO-9"'
)
@click.argument("reference")
@click.argument("stage")
@click.option("--reason", help="Why; required for abandoned.")
@output_option
def spec_move(reference: str, stage: str, reason: str | None, output: str) -> None:
    """Move a spec to STAGE, if its guards allow, and rewrite its status line.

    ready needs a clean check and no open question; approved comes only from a gate verdict;
    abandoned needs --reason.
    """
    from signoff.service.lifecycle import move

    result = move(open_here(), reference, stage, reason)
    if output == "json":
        _print_json(
            {
                "version": JSON_VERSION,
                "id": result.spec_id,
                "from": result.before,
                "to": result.after,
                "moved": result.moved,
                "path": result.path,
            }
        )
    elif result.moved:
        click.echo(f"{result.spec_id}: {result.before or '-'} -> {result.after} ({result.path})")
    else:
        click.echo(f"{result.spec_id} is already {result.after}")


def _describe(event: Event) -> str:
    payload = event.payload
    if event.kind == "spec.revised":
        note = " (substantial: after release)" if payload.get("substantial") else ""
        return f"revised{note}: {str(payload.get('hash', ''))[:12]} {payload.get('title') or ''}"
    if event.kind == "spec.moved":
        reason = f" — {payload['reason']}" if payload.get("reason") else ""
        return f"moved {payload.get('from') or '-'} -> {payload.get('to')}{reason}"
    if event.kind == "question.asked":
        return f"{event.subject} asked ({payload.get('source')}): {payload.get('text')}"
    if event.kind == "question.answered":
        return f"{event.subject} answered: {payload.get('answer')}"
    if event.kind == "question.deferred":
        return f"{event.subject} deferred as {payload.get('assumption')}"
    if event.kind == "question.rejected":
        return f"{event.subject} rejected: {payload.get('reason')}"
    return event.kind


@click.command("history", epilog="Example: signoff spec history SO-12")
@click.argument("reference")
@output_option
def spec_history(reference: str, output: str) -> None:
    """The spec's events as a timeline: revisions, moves, questions and their outcomes."""
    from signoff.service.lifecycle import history

    spec_id, events = history(open_here(), reference)
    if output == "json":
        _print_json(
            {"version": JSON_VERSION, "id": spec_id, "events": [_event_json(e) for e in events]}
        )
        return
    if not events:
        click.echo(f"{spec_id}: nothing recorded yet (signoff sync records the spec)")
    for event in events:
        click.echo(f"{_when(event.occurred_at)}  {event.actor:<24} {_describe(event)}")


# ---------------------------------------------------------------- clarify


@click.group(context_settings=CONTEXT_SETTINGS, epilog="Example: signoff clarify list --open")
def clarify() -> None:
    """The clarification inbox: questions about specs, answered, deferred or rejected."""


def _filed_json(filed: Filed) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "created": filed.created,
        "question": question_json(filed.question),
    }


@clarify.command(
    "ask",
    epilog='Example: signoff clarify ask SO-12 "Should open sessions end?" '
    '--option "Yes, all" --option "No" --recommend 1',
)
@click.argument("reference")
@click.argument("question")
@click.option(
    "--from",
    "source",
    type=click.Choice(["agent", "lead", "checker"]),
    default="agent",
    show_default=True,
    help="Who asks.",
)
@click.option("--option", "options", multiple=True, help="A multiple-choice answer (repeat).")
@click.option("--recommend", type=click.IntRange(min=1), help="The recommended option, 1-based.")
@output_option
def clarify_ask(  # click passes every option by name
    *,
    reference: str,
    question: str,
    source: str,
    options: tuple[str, ...],
    recommend: int | None,
    output: str,
) -> None:
    """File QUESTION about spec REFERENCE as Q-<n> in the lead's inbox."""
    from signoff.service.clarify import ask

    filed = ask(
        open_here(), reference, question, source=source, options=options, recommend=recommend
    )
    if output == "json":
        _print_json(_filed_json(filed))
        return
    q = filed.question
    verb = "filed" if filed.created else "already filed"
    click.echo(f"{verb} {q.spec_id}/{q.ref} ({q.source}): {q.text}")
    for number, option in enumerate(q.options, start=1):
        mark = "  (recommended)" if q.recommended == number else ""
        click.echo(f"  {number}. {option}{mark}")


@clarify.command("list", epilog="Example: signoff clarify list --open --spec SO-12")
@click.option("--open", "only_open", is_flag=True, help="Only questions not yet triaged.")
@click.option("--spec", "reference", help="Only this spec's questions.")
@output_option
def clarify_list(only_open: bool, reference: str | None, output: str) -> None:
    """The inbox, oldest first, with each question's age."""
    from signoff.service.clarify import inbox

    workspace = open_here()
    questions = inbox(workspace, only_open=only_open, reference=reference)
    now = workspace.clock()
    if output == "json":
        _print_json(
            {"version": JSON_VERSION, "questions": [question_json(q, now) for q in questions]}
        )
        return
    if not questions:
        click.echo("no open questions" if only_open else "no questions yet")
        return
    for q in questions:
        ref = f"{q.spec_id}/{q.ref}"
        click.echo(f"{ref:<12} {age(q.asked_at, now):>4}  {q.state:<9} ({q.source}) {q.text}")
        for number, option in enumerate(q.options, start=1):
            mark = "  (recommended)" if q.recommended == number else ""
            click.echo(f"{'':<24}{number}. {option}{mark}")


def _triaged(triaged: Triaged, output: str) -> None:
    q = triaged.question
    if output == "json":
        _print_json(
            {
                "version": JSON_VERSION,
                "question": question_json(q),
                "outcome": triaged.outcome,
                "path": triaged.path,
                "assumption": triaged.assumption,
                "moved_to_draft": triaged.moved_to_draft,
            }
        )
        return
    rejected = (
        "(moved back to draft; it can be ready again once its text changes)"
        if triaged.moved_to_draft
        else "(it stays in draft until its text changes)"
    )
    where = {
        "answered": "under ## Clarifications",
        "deferred": f"as {triaged.assumption} under ## Assumptions",
        "rejected": rejected,
    }[triaged.outcome]
    click.echo(f"{q.spec_id}/{q.ref} {triaged.outcome}: {triaged.path} {where}")


@clarify.command(
    "answer", epilog='Example: signoff clarify answer SO-12/Q-3 "Yes, all sessions end."'
)
@click.argument("reference")
@click.argument("text")
@click.option("--spec", "spec_hint", help="The spec, when REFERENCE is a bare Q-<n>.")
@output_option
def clarify_answer(reference: str, text: str, spec_hint: str | None, output: str) -> None:
    """Answer a question; the answer is written into the spec under ## Clarifications."""
    from signoff.service.clarify import answer

    _triaged(answer(open_here(), reference, text, spec_hint), output)


@clarify.command(
    "defer", epilog='Example: signoff clarify defer SO-12/Q-4 --note "Use the login limiter."'
)
@click.argument("reference")
@click.option("--note", help="The assumption the agent may take (default: the question).")
@click.option("--spec", "spec_hint", help="The spec, when REFERENCE is a bare Q-<n>.")
@output_option
def clarify_defer(reference: str, note: str | None, spec_hint: str | None, output: str) -> None:
    """Defer a question to implementation: it becomes an A-<n> entry under ## Assumptions."""
    from signoff.service.clarify import defer

    _triaged(defer(open_here(), reference, note, spec_hint), output)


@clarify.command(
    "reject", epilog='Example: signoff clarify reject SO-12/Q-5 --reason "AC-2 contradicts EC-1"'
)
@click.argument("reference")
@click.option("--reason", required=True, help="What the question shows is fuzzy in the spec.")
@click.option("--spec", "spec_hint", help="The spec, when REFERENCE is a bare Q-<n>.")
@output_option
def clarify_reject(reference: str, reason: str, spec_hint: str | None, output: str) -> None:
    """Reject a question as a sign the spec is fuzzy: the spec goes back to draft."""
    from signoff.service.clarify import reject

    _triaged(reject(open_here(), reference, reason, spec_hint), output)


@clarify.command("suggest", epilog="Example: signoff clarify suggest SO-12 --file")
@click.argument("reference")
@click.option("--file", "file_them", is_flag=True, help="File them in the inbox --from checker.")
@output_option
def clarify_suggest(reference: str, file_them: bool, output: str) -> None:
    """Turn the checker's findings into at most five questions, structural gaps first."""
    from signoff.service.clarify import suggest

    questions, filed = suggest(open_here(), reference, file=file_them)
    if output == "json":
        _print_json(
            {
                "version": JSON_VERSION,
                "questions": [
                    {
                        "text": s.text,
                        "cites": s.cites,
                        "rule": s.rule,
                        "options": list(s.options),
                        "recommended": s.recommended,
                    }
                    for s in questions
                ],
                "filed": [{**question_json(f.question), "created": f.created} for f in filed],
            }
        )
        return
    if not questions:
        click.echo("nothing to ask: the checker found no gap worth a question")
    for number, suggestion in enumerate(questions, start=1):
        click.echo(f"{number}. {suggestion.text}  [{suggestion.rule}, {suggestion.cites}]")
        for index, option in enumerate(suggestion.options, start=1):
            mark = "  (recommended)" if suggestion.recommended == index else ""
            click.echo(f"     {index}) {option}{mark}")
    for f in filed:
        state = "filed" if f.created else "already filed"
        click.echo(f"{state} {f.question.spec_id}/{f.question.ref}")
