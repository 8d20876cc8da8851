"""The clarification inbox and the lifecycle, through the CLI on a real slice.

Answering, deferring and rejecting must change exactly the bytes they should: these tests
compare whole files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from signoff.core.events import SPEC_MOVED, NewEvent
from signoff.service.ledger import open_workspace_ledger
from signoff.service.workspace import open_workspace
from tests.conftest import READY_SPEC, Result, write_spec

if TYPE_CHECKING:
    from pathlib import Path

Run = Callable[..., Result]

TODAY = "2026-11-21"


@pytest.fixture
def spec_file(slice_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SIGNOFF_ACTOR", "lead@example.com")
    monkeypatch.delenv("SIGNOFF_DATABASE_URL", raising=False)
    return write_spec(slice_root, "SO-1-total.md", READY_SPEC)


def ask(run: Run, question: str, *extra: str) -> dict[str, object]:
    result = run("clarify", "ask", "SO-1", question, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_ask_numbers_questions_per_spec_and_is_idempotent(spec_file: Path, run: Run) -> None:
    first = ask(
        run,
        "Which tax rate applies to gift cards?",
        "--option",
        "Standard",
        "--option",
        "Exempt",
        "--recommend",
        "2",
    )
    assert first["created"] is True
    question = first["question"]
    assert isinstance(question, dict)
    assert (question["ref"], question["state"], question["recommended"]) == ("Q-1", "open", 2)
    assert question["options"] == ["Standard", "Exempt"]
    assert ask(run, "Round per line or per order?")["question"]["ref"] == "Q-2"  # type: ignore[index]
    again = ask(run, "Which tax rate applies to gift cards?")
    assert again["created"] is False
    assert again["question"]["ref"] == "Q-1"  # type: ignore[index]
    listed = json.loads(run("clarify", "list", "--open", "--format", "json").stdout)["questions"]
    assert [q["ref"] for q in listed] == ["Q-1", "Q-2"]
    text = run("clarify", "list").stdout
    assert "SO-1/Q-1" in text
    assert "2. Exempt  (recommended)" in text


def test_an_open_question_blocks_readiness(spec_file: Path, run: Run) -> None:
    assert run("spec", "check", "SO-1").exit_code == 0
    ask(run, "Which tax rate applies to gift cards?")
    check = run("spec", "check", "SO-1")
    assert check.exit_code == 1
    assert "open-question Q-1 (agent, asked" in check.stdout
    assert 'is open: "Which tax rate applies to gift cards?"' in check.stdout
    assert run("clarify", "defer", "SO-1/Q-1").exit_code == 0
    assert run("spec", "check", "SO-1").exit_code == 0


def test_answer_adds_exactly_the_clarification_lines(spec_file: Path, run: Run) -> None:
    ask(run, "Which tax rate applies to gift cards?")
    ask(run, "Round per line or per order?", "--from", "lead")
    before = spec_file.read_bytes()
    result = run("clarify", "answer", "SO-1/Q-1", "Exempt, they are not goods.")
    assert result.exit_code == 0, result.stderr
    assert "SO-1/Q-1 answered" in result.stdout
    expected = (
        before
        + (
            f"\n## Clarifications\n### {_today(run)}\n"
            "- Q-1 (agent) Which tax rate applies to gift cards? → Exempt, they are not goods.\n"
        ).encode()
    )
    assert spec_file.read_bytes() == expected
    # A second answer on the same day goes under the same date heading.
    assert run("clarify", "answer", "Q-2", "--spec", "SO-1", "Per line.").exit_code == 0
    assert (
        spec_file.read_bytes()
        == expected + b"- Q-2 (lead) Round per line or per order? \xe2\x86\x92 Per line.\n"
    )


def _today(run: Run) -> str:
    questions = json.loads(run("clarify", "list", "--format", "json").stdout)["questions"]
    return str(questions[0]["asked_at"])[:10] if questions else TODAY


def test_defer_adds_exactly_one_assumption_line(spec_file: Path, run: Run) -> None:
    ask(run, "Which rate limiter?")
    before = spec_file.read_bytes()
    result = run("clarify", "defer", "SO-1/Q-1", "--note", "Use the login limiter.")
    assert result.exit_code == 0, result.stderr
    assert "as A-1 under ## Assumptions" in result.stdout
    assert (
        spec_file.read_bytes()
        == before + b"\n## Assumptions\n- A-1 (deferred Q-1) Use the login limiter.\n"
    )


def test_crlf_files_get_crlf_lines(spec_file: Path, run: Run) -> None:
    spec_file.write_bytes(READY_SPEC.replace("\n", "\r\n").encode())
    ask(run, "Which rate limiter?")
    before = spec_file.read_bytes()
    assert run("clarify", "defer", "SO-1/Q-1").exit_code == 0
    added = spec_file.read_bytes()[len(before) :]
    assert added == (
        b"\r\n## Assumptions\r\n- A-1 (deferred Q-1) Left to the implementer: Which rate limiter?\r\n"
    )
    assert spec_file.read_bytes().startswith(before)


def test_reject_sends_the_spec_to_draft_until_its_text_changes(
    spec_file: Path, slice_root: Path, run: Run
) -> None:
    assert run("spec", "move", "SO-1", "ready").exit_code == 0
    ready_bytes = spec_file.read_bytes()
    assert b"status: ready\n" in ready_bytes
    ask(run, "Is EU tax in scope?")
    result = run("clarify", "reject", "SO-1/Q-1", "--reason", "scope is fuzzy")
    assert result.exit_code == 0, result.stderr
    # Only the status line changed, and the rejection went to the ledger.
    assert spec_file.read_bytes() == ready_bytes.replace(b"status: ready\n", b"status: draft\n")
    refused = run("spec", "move", "SO-1", "ready")
    assert refused.exit_code == 1
    assert "cannot be ready" in refused.stderr
    assert "since Q-1 was rejected" in refused.stderr
    # Change the text (not just the status), and the spec may be ready again.
    spec_file.write_text(
        spec_file.read_text().replace("Shoppers see", "Shoppers in the US see"), encoding="utf-8"
    )
    moved = run("spec", "move", "SO-1", "ready")
    assert moved.exit_code == 0, moved.stderr
    history = json.loads(run("spec", "history", "SO-1", "--format", "json").stdout)["events"]
    kinds = [(e["kind"], e["payload"].get("to")) for e in history]
    assert kinds == [
        ("spec.moved", "ready"),
        ("question.asked", None),
        ("question.rejected", None),
        ("spec.moved", "draft"),
        ("spec.moved", "ready"),
    ]


def test_a_question_is_triaged_once(spec_file: Path, run: Run) -> None:
    ask(run, "Which rate limiter?")
    assert run("clarify", "answer", "SO-1/Q-1", "The login one.").exit_code == 0
    after_first = spec_file.read_bytes()
    again = run("clarify", "defer", "SO-1/Q-1")
    assert again.exit_code == 1
    assert "SO-1/Q-1 was already answered by lead@example.com at" in again.stderr
    assert spec_file.read_bytes() == after_first


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (("approved",), 1, "reached only through a gate verdict"),
        (("abandoned",), 1, "abandoning needs a reason"),
        (("abandoned", "--reason", "merged into SO-9"), 0, "draft -> abandoned"),
        (("shipped",), 2, "'shipped' is not a stage"),
        (("in-progress",), 1, "moves forward one stage at a time, to ready next"),
        (("released",), 1, "to ready next"),
    ],
)
def test_move_guards(
    spec_file: Path, run: Run, args: tuple[str, ...], code: int, fragment: str
) -> None:
    before = spec_file.read_bytes()
    result = run("spec", "move", "SO-1", *args)
    assert result.exit_code == code, result.stderr
    assert fragment in (result.stdout + result.stderr)
    if code != 0:
        assert spec_file.read_bytes() == before  # a refused move changes nothing


def test_ready_needs_a_clean_check_and_says_what_is_missing(spec_file: Path, run: Run) -> None:
    spec_file.write_text(READY_SPEC.replace("risk: reversible\n", ""), encoding="utf-8")
    ask(run, "Which rate limiter?")
    refused = run("spec", "move", "SO-1", "ready")
    assert refused.exit_code == 1
    assert "risk-unclassified" in refused.stderr
    assert "open question(s) Q-1" in refused.stderr
    assert refused.stderr.count("\n") == 1


def test_move_rewrites_only_the_status_line(spec_file: Path, run: Run) -> None:
    before = spec_file.read_bytes()
    assert run("spec", "move", "SO-1", "ready").exit_code == 0
    assert spec_file.read_bytes() == before.replace(b"status: draft\n", b"status: ready\n")
    same = run("spec", "move", "SO-1", "ready")
    assert same.exit_code == 0
    assert "already ready" in same.stdout


def _record_release(root: Path) -> None:
    """What the gates release will do when a change ships: record the move to released."""
    workspace = open_workspace(root, {})
    ledger = open_workspace_ledger(workspace)
    try:
        ledger.append(
            NewEvent(
                SPEC_MOVED,
                "SO-1",
                "ci@example.com",
                workspace.clock(),
                "test-release",
                None,
                {"from": "merged", "to": "released"},
            )
        )
    finally:
        ledger.close()


def test_sync_records_revisions_and_substantial_ones_after_release(
    spec_file: Path, slice_root: Path, run: Run
) -> None:
    first = json.loads(run("sync", "--format", "json").stdout)
    assert [s["change"] for s in first["specs"]] == ["new"]
    assert json.loads(run("sync", "--format", "json").stdout)["recorded"] == 0
    _record_release(slice_root)
    spec_file.write_text(spec_file.read_text().replace("1 second", "2 seconds"), encoding="utf-8")
    changed = json.loads(run("sync", "--format", "json").stdout)
    assert [s["change"] for s in changed["specs"]] == ["substantial"]
    history = run("spec", "history", "SO-1").stdout
    assert "revised (substantial: after release)" in history


def test_sync_reports_a_status_line_edited_by_hand(spec_file: Path, run: Run) -> None:
    assert run("spec", "move", "SO-1", "ready").exit_code == 0
    run("sync")
    spec_file.write_text(
        spec_file.read_text().replace("status: ready", "status: draft"), encoding="utf-8"
    )
    report = json.loads(run("sync", "--format", "json").stdout)
    assert report["recorded"] == 0  # the status line is not the spec's text
    assert report["drift"] == [
        {
            "id": "SO-1",
            "path": "specs/SO-1-total.md",
            "file_status": "draft",
            "ledger_stage": "ready",
        }
    ]
    restored = run("spec", "move", "SO-1", "ready")
    assert "already ready" in restored.stdout
    assert "status: ready\n" in spec_file.read_text()
    assert json.loads(run("sync", "--format", "json").stdout)["drift"] == []


def test_triage_of_another_question_does_not_lift_a_rejection(spec_file: Path, run: Run) -> None:
    ask(run, "Is EU tax in scope?")
    ask(run, "Which rate limiter?")
    assert run("clarify", "reject", "SO-1/Q-1", "--reason", "scope is fuzzy").exit_code == 0
    answered = run("clarify", "answer", "SO-1/Q-2", "The login one.", "--format", "json")
    outcome = json.loads(answered.stdout)
    assert outcome["question"]["state"] == "answered"
    assert outcome["question"]["resolution"]["answer"] == "The login one."
    refused = run("spec", "move", "SO-1", "ready")
    assert refused.exit_code == 1
    assert "since Q-1 was rejected" in refused.stderr


def test_suggest_ranks_structure_first_and_files_from_the_checker(
    spec_file: Path, run: Run
) -> None:
    spec_file.write_text(
        READY_SPEC.replace("risk: reversible\n", "").replace(
            "within 1 second", "quickly, if possible"
        ),
        encoding="utf-8",
    )
    suggested = json.loads(run("clarify", "suggest", "SO-1", "--format", "json").stdout)
    questions = suggested["questions"]
    assert 1 <= len(questions) <= 5
    assert questions[0]["rule"] == "risk-unclassified"
    assert questions[0]["options"]
    assert questions[0]["recommended"] == 1
    assert questions[0]["cites"] == "specs/SO-1-total.md:7"
    assert {q["rule"] for q in questions[1:]} >= {"loophole"}
    assert suggested["filed"] == []
    filed = json.loads(run("clarify", "suggest", "SO-1", "--file", "--format", "json").stdout)
    assert [q["source"] for q in filed["filed"]] == ["checker"] * len(questions)
    inbox = json.loads(run("clarify", "list", "--format", "json").stdout)["questions"]
    assert len(inbox) == len(questions)


def test_question_references_must_name_something(spec_file: Path, run: Run) -> None:
    assert run("clarify", "answer", "SO-1/Q-9", "x").exit_code == 2
    assert "SO-1 has no question Q-9" in run("clarify", "answer", "SO-1/Q-9", "x").stderr
    assert "is not a question reference" in run("clarify", "answer", "Q9", "x").stderr
    assert "the answer is empty" in run("clarify", "answer", "SO-1/Q-1", "  ").stderr
    bad = run("clarify", "ask", "SO-1", "Which?", "--option", "a", "--recommend", "3")
    assert bad.exit_code == 2
    assert "--recommend 3 names no option" in bad.stderr


def test_the_inbox_works_the_same_on_a_postgresql_ledger(
    spec_file: Path, run: Run, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    monkeypatch.setenv("SIGNOFF_DATABASE_URL", postgres_url)
    ask(run, "Which rate limiter?")
    check = run("spec", "check", "SO-1")
    assert check.exit_code == 1
    assert "open-question Q-1" in check.stdout
    before = spec_file.read_bytes()
    assert run("clarify", "defer", "SO-1/Q-1", "--note", "The login one.").exit_code == 0
    assert (
        spec_file.read_bytes()
        == before + b"\n## Assumptions\n- A-1 (deferred Q-1) The login one.\n"
    )
    assert run("spec", "check", "SO-1").exit_code == 0
    status = json.loads(run("db", "status", "--format", "json").stdout)
    assert status["backend"] == "postgresql"
    assert "signoff-test-pw" not in status["location"]
