"""The verdict on one change: which gates apply, each gate's status, and how they combine.

Pure: the service gathers the facts (the diff's hash and risk, command results, test reports,
reviews and approvals from the ledger) and this module judges them. Whatever it cannot judge is
``blocked``; nothing missing or broken can turn into ``pass``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from signoff.core.gates.model import GateResult, GateStatus, Verdict, VerdictName
from signoff.core.gates.sampling import decide_sampling
from signoff.core.gates.signoffs import judge_approval
from signoff.core.gates.traceability import trace, traceability_gate

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from signoff.core.gates.model import ApprovalView, DiffSummary, Sampling
    from signoff.core.gates.signoffs import ApprovalRecord, Review
    from signoff.core.gates.traceability import TestCaseResult
    from signoff.core.risk.model import RiskAssessment
    from signoff.core.standards import GateDefinition, Standards

OUTPUT_TAIL_CHARS = 4_000


@dataclass(frozen=True, slots=True)
class SpecFacts:
    """What the gate needs from the change's spec."""

    spec_id: str
    source: str  # flag | trailer | branch
    declared_level: str | None
    declared_categories: tuple[str, ...]
    gates: tuple[str, ...]
    criteria: tuple[str, ...]  # acceptance criterion ids, AC-n


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """A command gate's run: exit code (None when it could not start or timed out)."""

    exit_code: int | None
    output: str
    seconds: float
    recorded: bool = False  # read back from the ledger rather than run now
    error: str | None = None


@dataclass(frozen=True, slots=True)
class GateInputs:
    """Everything the gates read besides the diff and the standards."""

    commands: Mapping[str, CommandOutcome] = field(default_factory=dict)
    test_results: Sequence[TestCaseResult] = ()
    input_errors: Mapping[str, str] = field(default_factory=dict)  # gate name -> why blocked
    reviews: Sequence[Review] = ()
    approvals: Sequence[ApprovalRecord] = ()
    authors: Sequence[str] = ()


def required_gates(
    standards: Standards, level: str, spec: SpecFacts | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(gates that apply, names the spec lists that the standards do not define).

    The policy's minimum for the effective level comes first, then what the spec adds.
    """
    names = list(standards.minimum_gates(level))
    unknown: list[str] = []
    for name in spec.gates if spec is not None else ():
        if name not in standards.gates:
            unknown.append(name)
        elif name not in names:
            names.append(name)
    return tuple(names), tuple(unknown)


def combine(statuses: Sequence[str]) -> VerdictName:
    """blocked beats fail beats pending beats pass; skipped gates do not hold a change back."""
    for verdict, status in (("blocked", "blocked"), ("fail", "fail"), ("pending", "pending")):
        if status in statuses:
            return verdict  # type: ignore[return-value]
    return "pass"


def _command_gate(gate: GateDefinition, outcome: CommandOutcome | None) -> GateResult:
    if outcome is None:
        return GateResult(
            gate.name,
            "command",
            "pending",
            f"`{gate.command}` has no recorded result for this diff; run `signoff gate` "
            "without --no-run",
        )
    data = {
        "command": gate.command,
        "exit_code": outcome.exit_code,
        "seconds": round(outcome.seconds, 3),
        "recorded": outcome.recorded,
        "output": outcome.output[-OUTPUT_TAIL_CHARS:],
    }
    if outcome.exit_code is None:
        why = outcome.error or "did not finish"
        return GateResult(gate.name, "command", "fail", f"`{gate.command}` {why}", data)
    if outcome.exit_code == 0:
        return GateResult(
            gate.name,
            "command",
            "pass",
            f"`{gate.command}` exited 0 ({outcome.seconds:.1f}s)",
            data,
        )
    return GateResult(
        gate.name, "command", "fail", f"`{gate.command}` exited {outcome.exit_code}", data
    )


def _review_gate(
    gate: GateDefinition, sampling: Sampling, reviews: Sequence[Review], diff_sha256: str
) -> GateResult:
    data = {"sample_rate": gate.sample_rate, "seed": gate.seed, "value": sampling.value}
    if not sampling.sampled:
        return GateResult(gate.name, "review", "skipped", sampling.reason, data)
    mine = [review for review in reviews if review.diff_sha256 == diff_sha256]
    if not mine:
        return GateResult(
            gate.name,
            "review",
            "pending",
            f"{sampling.reason}; waiting for a review of diff {diff_sha256[:12]}",
            data,
        )
    latest = mine[-1]
    detail = f"reviewed by {latest.reviewer}: {latest.outcome}"
    if latest.summary:
        detail += f" ({latest.summary})"
    return GateResult(
        gate.name, "review", "pass" if latest.outcome == "pass" else "fail", detail, data
    )


def _approval_gate(
    gate: GateDefinition,
    standards: Standards,
    inputs: GateInputs,
    diff_sha256: str,
) -> tuple[GateResult, list[ApprovalView]]:
    group_name = gate.approvers or ""
    group = standards.approver_groups.get(group_name, ())
    views = [
        judge_approval(
            record,
            diff_sha256=diff_sha256,
            group=group,
            authors=inputs.authors,
            allow_author=gate.allow_author,
            gate=gate.name,
        )
        for record in inputs.approvals
    ]
    counted = {view.approver.casefold() for view in views if view.state == "counted"}
    data = {"group": group_name, "members": list(group), "required": gate.required}
    if not group:
        detail = f"approver group '{group_name}' has no members; add people under [approvers]"
        return GateResult(gate.name, "approval", "blocked", detail, data), views
    parts = [f"{len(counted)} of {gate.required} approval(s) from {group_name}"]
    void = [view for view in views if view.state == "void"]
    if void:
        latest = void[-1]
        parts.append(
            f"void: {latest.approver} approved diff {latest.diff_sha256[:12]}, "
            f"but the change is now {diff_sha256[:12]}"
        )
    parts.extend(
        f"{view.approver} is the change's author and may not approve it"
        for view in views
        if view.state == "author"
    )
    parts.extend(
        f"{view.approver} is not in {group_name}" for view in views if view.state == "not-approver"
    )
    status: GateStatus = "pass" if len(counted) >= gate.required else "pending"
    if status == "pending":
        parts.append("approve with `signoff approve`")
    return GateResult(gate.name, "approval", status, "; ".join(parts), data), views


def evaluate(
    *,
    standards: Standards,
    spec: SpecFacts | None,
    spec_problem: str | None,
    diff: DiffSummary,
    risk: RiskAssessment,
    inputs: GateInputs,
) -> Verdict:
    """Judge one change. ``spec_problem`` says why no spec was found (None when one was)."""
    reasons: list[str] = []
    names, unknown = required_gates(standards, risk.level, spec)
    results: list[GateResult] = [
        GateResult(
            name,
            "unknown",
            "blocked",
            f"{spec.spec_id if spec else 'the spec'} lists gate '{name}', which signoff.toml "
            f"does not define; add [gates.{name}] or remove it from the spec",
        )
        for name in unknown
    ]
    if spec is None and standards.gate.require_spec:
        reasons.append(f"{spec_problem}; the policy requires a spec ([gate] require_spec)")
    irreversible = risk.level == "irreversible"
    review_gates = [
        standards.gates[name] for name in names if standards.gates[name].kind == "review"
    ]
    sampling = None
    if review_gates:
        first = review_gates[0]
        sampling = decide_sampling(
            rate=first.sample_rate,
            seed=first.seed,
            spec_id=spec.spec_id if spec else None,
            diff_sha256=diff.sha256,
            irreversible=irreversible,
        )
    approvals: list[ApprovalView] = []
    for name in names:
        gate = standards.gates[name]
        if name in inputs.input_errors:
            results.append(GateResult(name, gate.kind, "blocked", inputs.input_errors[name]))
        elif gate.kind == "command":
            results.append(_command_gate(gate, inputs.commands.get(name)))
        elif gate.kind == "traceability":
            if spec is None:
                results.append(
                    GateResult(name, "traceability", "skipped", f"{spec_problem}: nothing to trace")
                )
            else:
                traced = trace(spec.criteria, spec.spec_id, inputs.test_results)
                results.append(traceability_gate(name, traced))
        elif gate.kind == "review":
            own = decide_sampling(
                rate=gate.sample_rate,
                seed=gate.seed,
                spec_id=spec.spec_id if spec else None,
                diff_sha256=diff.sha256,
                irreversible=irreversible,
            )
            results.append(_review_gate(gate, own, inputs.reviews, diff.sha256))
        else:
            result, views = _approval_gate(gate, standards, inputs, diff.sha256)
            results.append(result)
            approvals.extend(views)
    statuses = [result.status for result in results]
    if reasons:
        statuses.append("blocked")
    verdict = combine(statuses)
    if verdict != "pass":
        reasons.extend(
            f"{result.name}: {result.detail}" for result in results if result.status == verdict
        )
    if not names and not unknown:
        reasons.append(f"no gates apply to a {risk.level} change under this policy")
    return Verdict(
        verdict=verdict,
        spec=spec.spec_id if spec else None,
        spec_source=spec.source if spec else None,
        diff=diff,
        risk=risk,
        gates=tuple(results),
        sampling=sampling,
        approvals=tuple(approvals),
        reasons=tuple(reasons),
    )


def blocked(reason: str, *, diff: DiffSummary | None = None, spec: str | None = None) -> Verdict:
    """The verdict when the gate could not decide at all."""
    return Verdict(
        verdict="blocked",
        spec=spec,
        spec_source=None,
        diff=diff,
        risk=None,
        gates=(),
        sampling=None,
        approvals=(),
        reasons=(reason,),
    )
