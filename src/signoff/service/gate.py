"""``signoff gate``: the verdict on one change, recorded in the ledger.

It fails closed. Every step that can go wrong (no repository, a bad revision, an invalid
policy, an unreadable test report, the ledger out of reach, a bug) ends in a ``blocked``
verdict naming the reason; nothing here can produce ``pass`` by accident.
"""

from __future__ import annotations

import uuid
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
    Change,
    ChangeRequest,
    spec_facts,
    spec_reference,
)
from signoff.service.gate_scan import DiffScan
from signoff.service.identity import current_actor
from signoff.service.ledger import open_workspace_ledger
from signoff.service.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime
    from pathlib import Path

    from signoff.adapters.store.ledger import Ledger
    from signoff.core.gates.evaluate import SpecFacts
    from signoff.core.gates.model import DiffSummary, Verdict
    from signoff.core.gates.traceability import TestCaseResult
    from signoff.core.risk.model import RiskAssessment
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


@dataclass(frozen=True, slots=True)
class GateOptions:
    junit: tuple[Path, ...] = ()
    run_commands: bool = True


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

        try:
            for path in dict.fromkeys(paths):
                results.extend(read_junit(path))
        except JUnitError as error:
            errors[name] = str(error)
    return results, errors


def _commands(
    workspace: Workspace,
    ledger: Ledger,
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
            mine = [
                event
                for event in recorded
                if event.payload.get("gate") == gate.name
                and event.payload.get("diff_sha256") == diff.sha256
            ]
            if mine:
                payload = mine[-1].payload
                code = payload.get("exit_code")
                outcomes[gate.name] = CommandOutcome(
                    exit_code=code if isinstance(code, int) else None,
                    output=str(payload.get("output", "")),
                    seconds=float(payload.get("seconds", 0.0)),
                    recorded=True,
                    error=payload.get("error"),
                )
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
                idempotency_key=f"command:{uuid.uuid4()}",
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
        "gates": [{"name": g.name, "kind": g.kind, "status": g.status} for g in verdict.gates],
        "sampling": None
        if verdict.sampling is None
        else {
            "rate": verdict.sampling.rate,
            "seed": verdict.sampling.seed,
            "value": verdict.sampling.value,
            "sampled": verdict.sampling.sampled,
        },
        "approvals": [
            {"approver": a.approver, "state": a.state, "diff_sha256": a.diff_sha256}
            for a in verdict.approvals
        ],
        "reasons": list(verdict.reasons),
    }


def _record(ledger: Ledger, workspace: Workspace, verdict: Verdict, actor: str) -> str | None:
    event, _ = ledger.append(
        NewEvent(
            kind=GATE_VERDICT,
            spec_id=verdict.spec or NO_SPEC,
            actor=actor,
            occurred_at=workspace.clock(),
            idempotency_key=f"verdict:{uuid.uuid4()}",
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
    ledger: Ledger, workspace: Workspace, verdict: Verdict, actor: str
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
    ledger: Ledger,
    scan: DiffScan,
    request: ChangeRequest,
    *,
    options: GateOptions,
    actor: str,
) -> Verdict:
    change = scan.change()
    spec, spec_problem = _find_spec(workspace, change, request.spec)
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
    commands = _commands(
        workspace, ledger, names, spec_key, diff, run=options.run_commands, actor=actor
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
        authors=change.authors(actor),
    )
    return evaluate(
        standards=workspace.standards,
        spec=spec,
        spec_problem=spec_problem,
        diff=diff,
        risk=risk,
        inputs=inputs,
    )


def _standards_path(workspace: Workspace, repository: Path | None) -> str | None:
    try:
        repository = repository or git.repository_root(workspace.root)
        return (workspace.root / STANDARDS_FILE).relative_to(repository).as_posix()
    except (SignoffError, ValueError):
        return None


def run_gate(
    start: Path,
    request: ChangeRequest,
    options: GateOptions = GateOptions(),  # frozen: a safe default
    *,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> GateRun:
    """The verdict on the change, recorded in the ledger. Never raises; fails closed."""
    try:
        workspace = open_workspace(start, environ, clock)
    except SignoffError as error:
        return GateRun(blocked(str(error), spec=request.spec), None)
    # The diff is scanned (in a child process) while the ledger opens: see DiffScan.
    scan = DiffScan(workspace, request)
    try:
        ledger = open_workspace_ledger(workspace)
    except SignoffError as error:
        scan.close()
        return GateRun(blocked(f"the ledger is unavailable: {error}", spec=request.spec), None)
    except BaseException:
        scan.close()
        raise
    try:
        actor = current_actor(workspace)
        try:
            verdict = _judge(workspace, ledger, scan, request, options=options, actor=actor)
        except SignoffError as error:
            verdict = blocked(str(error), spec=request.spec)
        except Exception as error:  # noqa: BLE001 - fail closed: a bug must not pass a change
            verdict = blocked(f"internal error: {type(error).__name__}: {error}", spec=request.spec)
        try:
            head = _record(ledger, workspace, verdict, actor)
        except Exception as error:  # noqa: BLE001 - an unrecorded verdict is not a verdict
            reason = f"the verdict could not be recorded in the ledger: {error}"
            return GateRun(blocked(reason, diff=verdict.diff, spec=verdict.spec), None)
        try:
            moves = _advance_stage(ledger, workspace, verdict, actor)
        except Exception as error:  # noqa: BLE001 - the verdict stands; the move can be redone
            moves = ()
            verdict = replace(
                verdict, reasons=(*verdict.reasons, f"the stage move was not recorded: {error}")
            )
        return GateRun(verdict, head, _standards_path(workspace, scan.repository), moves)
    finally:
        scan.close()
        ledger.close()
