"""The gate's verdict on a change being scanned: the spec, the gates, the ledger.

:func:`~signoff.service.gate.run_gate` starts the scan and comes here. It fails closed: every
step that can go wrong (an invalid policy, an unreadable test report, the ledger out of reach,
a bug) ends in a ``blocked`` verdict naming the reason; nothing here can produce ``pass`` by
accident.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from signoff.adapters import git
from signoff.adapters.commands import run_command
from signoff.adapters.standards_file import STANDARDS_FILE
from signoff.core.errors import JUnitError, SignoffError, SpecNotFoundError
from signoff.core.events import (
    APPROVAL_GRANTED,
    APPROVAL_REVOKED,
    COMMAND_RAN,
    GATE_VERDICT,
    REVIEW_RECORDED,
    SPEC_MOVED,
    SPEC_REVISED,
    NewEvent,
    fold_stage,
)
from signoff.core.gates.evaluate import (
    CommandOutcome,
    GateInputs,
    blocked,
    evaluate,
    required_gates,
)
from signoff.core.gates.signoffs import fold_approvals, fold_reviews
from signoff.core.risk.reconcile import reconcile
from signoff.service.change import (
    NO_SPEC,
    normal_spec_id,
    spec_facts,
    spec_reference,
    spec_source_note,
)
from signoff.service.identity import current_actor
from signoff.service.ledger import open_event_log, unique_key

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from signoff.core.gates.evaluate import SpecFacts
    from signoff.core.gates.model import DiffSummary, GateResult, Verdict
    from signoff.core.gates.traceability import TestCaseResult
    from signoff.core.risk.model import RiskAssessment
    from signoff.service.change import Change, ChangeRequest
    from signoff.service.gate import GateOptions
    from signoff.service.gate_scan import DiffScan
    from signoff.service.ledger import EventLog
    from signoff.service.workspace import Workspace


@dataclass(frozen=True, slots=True)
class StageMove:
    """A lifecycle step the verdict took the spec through (recorded in the ledger)."""

    spec_id: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class GateRun:
    """A verdict and the ledger chain head after recording it (None when not recorded)."""

    verdict: Verdict
    chain_head: str | None
    # signoff.toml relative to the repository root: where SARIF points gates without a file.
    standards_path: str | None = None
    moves: tuple[StageMove, ...] = ()


def _find_spec(
    workspace: Workspace, change: Change, explicit: str | None
) -> tuple[SpecFacts | None, str | None]:
    """The spec, or (None, why none was found). A spec that is named but missing raises."""
    try:
        spec_id, source = spec_reference(workspace, change, explicit)
    except SpecNotFoundError as error:
        return None, str(error)
    return spec_facts(workspace, spec_id, source), None


def _junit_results(
    workspace: Workspace, names: Sequence[str], extra: Sequence[Path]
) -> tuple[list[TestCaseResult], dict[str, str]]:
    results: list[TestCaseResult] = []
    errors: dict[str, str] = {}
    for name in names:
        gate = workspace.standards.gates[name]
        if gate.kind != "traceability":
            continue
        paths = [*extra, *(workspace.root / configured for configured in gate.junit)]
        if not paths:
            errors[name] = (
                "no JUnit report to read: pass --junit FILE or set "
                f"gates.{name}.junit in signoff.toml"
            )
            continue
        from signoff.adapters.junit import read_junit  # noqa: PLC0415 - while the diff is scanned

        read: list[TestCaseResult] = []
        try:
            for path in dict.fromkeys(paths):
                read.extend(read_junit(path))
        except JUnitError as error:
            errors[name] = str(error)
            continue
        if not read:
            # Valid XML with no test case: the run collected nothing, which proves nothing.
            shown = ", ".join(str(path) for path in dict.fromkeys(paths))
            errors[name] = (
                f"{shown}: the JUnit report holds no test case; check that the tests were "
                "collected and ran"
            )
        results.extend(read)
    return results, errors


def _recorded_outcome(payload: Mapping[str, Any]) -> CommandOutcome:
    """A command's result as the ledger holds it; anything odd reads as "did not finish"."""
    code = payload.get("exit_code")
    seconds = payload.get("seconds")
    error = payload.get("error")
    return CommandOutcome(
        # type(), not isinstance(): a boolean false is an int to Python, and would pass.
        exit_code=code if type(code) is int else None,
        output=str(payload.get("output", "")),
        seconds=float(seconds)
        if isinstance(seconds, int | float) and not isinstance(seconds, bool)
        else 0.0,
        recorded=True,
        error=error if isinstance(error, str) else None,
    )


def _commands(
    workspace: Workspace,
    ledger: EventLog,
    names: Sequence[str],
    spec_key: str,
    diff: DiffSummary,
    *,
    run: bool,
    actor: str,
) -> dict[str, CommandOutcome]:
    """Run each command gate (recording the result), or read results recorded for this diff."""
    outcomes: dict[str, CommandOutcome] = {}
    gates = [workspace.standards.gates[n] for n in names]
    commands = [gate for gate in gates if gate.kind == "command" and gate.command]
    if not run:
        recorded = ledger.events_of(spec_key, kinds=(COMMAND_RAN,))
        for gate in commands:
            # The same gate, diff and command: a result recorded while signoff.toml named
            # another command says nothing about this one.
            mine = [
                event
                for event in recorded
                if event.payload.get("gate") == gate.name
                and event.payload.get("diff_sha256") == diff.sha256
                and event.payload.get("command") == gate.command
            ]
            if mine:
                outcomes[gate.name] = _recorded_outcome(mine[-1].payload)
        return outcomes
    environment = {
        **workspace.environ,
        "SIGNOFF_DIFF_SHA256": diff.sha256,
        "SIGNOFF_BASE": diff.base or "",
        "SIGNOFF_HEAD": diff.head or "",
    }
    for gate in commands:
        assert gate.command is not None  # noqa: S101 - filtered above
        ran = run_command(gate.command, workspace.root, gate.timeout_seconds, environment)
        outcome = CommandOutcome(ran.exit_code, ran.output, ran.seconds, error=ran.error)
        outcomes[gate.name] = outcome
        ledger.append(
            NewEvent(
                kind=COMMAND_RAN,
                spec_id=spec_key,
                actor=actor,
                occurred_at=workspace.clock(),
                idempotency_key=unique_key("command"),
                subject=gate.name[:32],
                payload={
                    "gate": gate.name,
                    "command": gate.command,
                    "diff_sha256": diff.sha256,
                    "exit_code": ran.exit_code,
                    "seconds": round(ran.seconds, 3),
                    "output": ran.output[-4_000:],
                    "error": ran.error,
                },
            )
        )
    return outcomes


def _gate_payload(gate: GateResult, spec: str | None) -> dict[str, Any]:
    """A gate's status; a review gate's also with what replays its sampling decision: its
    seed and rate, the spec id hashed (None: the empty string) and the value."""
    payload: dict[str, Any] = {"name": gate.name, "kind": gate.kind, "status": gate.status}
    if gate.kind == "review" and "value" in gate.data:
        payload["sampling"] = {
            "rate": gate.data.get("sample_rate"),
            "seed": gate.data.get("seed"),
            "spec": spec,
            "value": gate.data.get("value"),
            "sampled": gate.data.get("sampled"),
        }
    return payload


def _verdict_payload(verdict: Verdict) -> dict[str, Any]:
    """What the ledger keeps of a verdict: enough to audit it, not the whole evidence."""
    risk: RiskAssessment | None = verdict.risk
    return {
        "verdict": verdict.verdict,
        "spec_source": verdict.spec_source,
        "diff": None
        if verdict.diff is None
        else {
            "base": verdict.diff.base,
            "head": verdict.diff.head,
            "sha256": verdict.diff.sha256,
            "files": verdict.diff.files,
            "staged": verdict.diff.staged,
        },
        "risk": None
        if risk is None
        else {
            "declared": risk.declared_level,
            "detected": list(risk.detected_categories),
            "level": risk.level,
            "mismatch": [mismatch.message for mismatch in risk.mismatches],
        },
        "gates": [_gate_payload(gate, verdict.spec) for gate in verdict.gates],
        "sampling": None
        if verdict.sampling is None
        else {
            "rate": verdict.sampling.rate,
            "seed": verdict.sampling.seed,
            "value": verdict.sampling.value,
            "sampled": verdict.sampling.sampled,
            "spec": verdict.spec,
        },
        "approvals": [
            {"approver": a.approver, "state": a.state, "diff_sha256": a.diff_sha256}
            for a in verdict.approvals
        ],
        "reasons": list(verdict.reasons),
    }


def _record(ledger: EventLog, workspace: Workspace, verdict: Verdict, actor: str) -> str | None:
    event, _ = ledger.append(
        NewEvent(
            kind=GATE_VERDICT,
            spec_id=verdict.spec or NO_SPEC,
            actor=actor,
            occurred_at=workspace.clock(),
            idempotency_key=unique_key("verdict"),
            subject=verdict.verdict,
            payload=_verdict_payload(verdict),
        )
    )
    return event.chain_hash


def _stage_plan(stage: str | None, verdict: str) -> list[tuple[str, str]]:
    """The lifecycle steps a verdict takes: a change reaching the gate puts its spec in review;
    a pass approves it; anything else takes an approved spec back to review (its change moved
    on, so the approval it had is void)."""
    plan: list[tuple[str, str]] = []
    if stage == "in-progress":
        plan.append(("in-progress", "in-review"))
        stage = "in-review"
    if stage == "in-review" and verdict == "pass":
        plan.append(("in-review", "approved"))
    elif stage == "approved" and verdict != "pass":
        plan.append(("approved", "in-review"))
    return plan


def _advance_stage(
    ledger: EventLog, workspace: Workspace, verdict: Verdict, actor: str
) -> tuple[StageMove, ...]:
    """Record the moves in the ledger only: the gate runs in CI checkouts, where editing a
    spec file helps nobody; ``signoff sync`` brings the file's status line in line."""
    if verdict.spec is None or verdict.diff is None or verdict.verdict == "blocked":
        return ()
    history = ledger.events_of(verdict.spec, kinds=(SPEC_MOVED, SPEC_REVISED))
    last_move = next((e.id for e in reversed(history) if e.kind == SPEC_MOVED), 0)
    moves: list[StageMove] = []
    for before, after in _stage_plan(fold_stage(history), verdict.verdict):
        event, _ = ledger.append(
            NewEvent(
                kind=SPEC_MOVED,
                spec_id=verdict.spec,
                actor=actor,
                occurred_at=workspace.clock(),
                idempotency_key=f"move:{verdict.spec}:{last_move}:{after}",
                payload={
                    "from": before,
                    "to": after,
                    "reason": f"gate verdict {verdict.verdict} on diff {verdict.diff.sha256[:12]}",
                },
            )
        )
        last_move = event.id
        moves.append(StageMove(verdict.spec, before, after))
    return tuple(moves)


def _judge(
    workspace: Workspace,
    ledger: EventLog,
    scan: DiffScan,
    request: ChangeRequest,
    *,
    options: GateOptions,
    actor: str,
) -> Verdict:
    change = scan.change()
    spec, spec_problem = _find_spec(workspace, change, request.spec)
    # Asked of git while the scanners work, not after: each is a process to wait for.
    authors = change.authors(actor, workspace.environ)
    note = spec_source_note(change) if spec is not None else None
    if options.while_scanning is not None:
        with contextlib.suppress(Exception):
            options.while_scanning()
    diff, detections = scan.result()
    risk = reconcile(
        spec.spec_id if spec else None,
        spec.declared_level if spec else None,
        spec.declared_categories if spec else (),
        detections,
    )
    names, _ = required_gates(workspace.standards, risk.level, spec)
    spec_key = spec.spec_id if spec else NO_SPEC
    # Commands first: a test command is usually what writes the JUnit report traced next.
    # An empty change is blocked whatever they say: nothing is run for it.
    commands = (
        _commands(workspace, ledger, names, spec_key, diff, run=options.run_commands, actor=actor)
        if diff.files
        else {}
    )
    results, junit_errors = _junit_results(workspace, names, options.junit)
    signoffs = ledger.events_of(
        spec_key, kinds=(APPROVAL_GRANTED, APPROVAL_REVOKED, REVIEW_RECORDED)
    )
    inputs = GateInputs(
        commands=commands,
        test_results=results,
        input_errors=junit_errors,
        reviews=fold_reviews(signoffs),
        approvals=fold_approvals(signoffs),
        authors=authors,
    )
    verdict = evaluate(
        standards=workspace.standards,
        spec=spec,
        spec_problem=spec_problem,
        diff=diff,
        risk=risk,
        inputs=inputs,
    )
    return verdict if note is None else replace(verdict, reasons=(*verdict.reasons, note))


def _standards_path(workspace: Workspace, repository: Path | None) -> str | None:
    try:
        repository = repository or git.repository_root(workspace.root)
        return (workspace.root / STANDARDS_FILE).relative_to(repository).as_posix()
    except (SignoffError, ValueError):
        return None


def judge_and_record(
    workspace: Workspace, scan: DiffScan, request: ChangeRequest, options: GateOptions
) -> GateRun:
    """The verdict on the change ``scan`` is scanning, recorded in the ledger. Never raises;
    fails closed. The caller closes ``scan``."""
    asked = normal_spec_id(request.spec)
    try:
        ledger = open_event_log(workspace)
    except Exception as error:  # noqa: BLE001 - without a ledger no verdict can be recorded
        scan.close()
        reason = f"the ledger is unavailable: {_described(error)}"
        return GateRun(blocked(reason, spec=asked), None)
    try:
        return _decide_and_record(workspace, ledger, scan, request, options)
    finally:
        ledger.close()


def blocked_run(error: Exception, request: ChangeRequest) -> GateRun:
    """The verdict when there was nothing to judge with (no workspace): blocked, unrecorded."""
    return GateRun(blocked(_why(error), spec=normal_spec_id(request.spec)), None)


def _why(error: Exception) -> str:
    """A domain error's own message; anything else is a bug, named as one."""
    if isinstance(error, SignoffError):
        return str(error)
    return f"internal error: {type(error).__name__}: {error}"


def _described(error: Exception) -> str:
    """A domain error's own message; anything else (a database driver's) with its type."""
    return str(error) if isinstance(error, SignoffError) else f"{type(error).__name__}: {error}"


def _decide_and_record(
    workspace: Workspace,
    ledger: EventLog,
    scan: DiffScan,
    request: ChangeRequest,
    options: GateOptions,
) -> GateRun:
    asked = normal_spec_id(request.spec)
    try:
        actor = current_actor(workspace)
        verdict = _judge(workspace, ledger, scan, request, options=options, actor=actor)
    except Exception as error:  # noqa: BLE001 - fail closed: a bug must not pass a change
        actor = _fallback_actor(workspace)
        verdict = blocked(_why(error), spec=asked)
    try:
        head = _record(ledger, workspace, verdict, actor)
    except Exception as error:  # noqa: BLE001 - an unrecorded verdict is not a verdict
        reason = f"the verdict could not be recorded in the ledger: {_described(error)}"
        return GateRun(blocked(reason, diff=verdict.diff, spec=verdict.spec), None)
    try:
        moves = _advance_stage(ledger, workspace, verdict, actor)
    except Exception as error:  # noqa: BLE001 - the verdict stands; the move can be redone
        moves = ()
        verdict = replace(
            verdict, reasons=(*verdict.reasons, f"the stage move was not recorded: {error}")
        )
    return GateRun(verdict, head, _standards_path(workspace, scan.repository), moves)


def _fallback_actor(workspace: Workspace) -> str:
    """Who records a blocked verdict when finding the actor is what failed."""
    try:
        return current_actor(workspace)
    except Exception:  # noqa: BLE001 - the verdict must still be recorded
        return "unknown"
