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
from signoff.core.gates.signoffs import REVIEW_OUTCOMES, judge_approval, person_key, same_person

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


_KNOWN_STATUSES = frozenset(("pass", "skipped", "pending", "fail", "blocked"))


def combine(statuses: Sequence[str]) -> VerdictName:
    """blocked beats fail beats pending beats pass; skipped gates do not hold a change back.

    A status nobody knows is no decision at all: it blocks rather than counting as a pass.
    """
    if any(status not in _KNOWN_STATUSES for status in statuses):
        return "blocked"
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
    gate: GateDefinition,
    sampling: Sampling,
    reviews: Sequence[Review],
    diff_sha256: str,
    authors: Sequence[str],
) -> GateResult:
    data = {
        "sample_rate": gate.sample_rate,
        "seed": gate.seed,
        "value": sampling.value,
        "sampled": sampling.sampled,
    }
    if not sampling.sampled:
        return GateResult(gate.name, "review", "skipped", sampling.reason, data)
    mine = [review for review in reviews if review.diff_sha256 == diff_sha256]
    # Whoever wrote the change cannot stand in for the reviewer of it: an agent that sets
    # SIGNOFF_ACTOR could otherwise pass its own review.
    own = [r for r in mine if any(same_person(r.reviewer, author) for author in authors)]
    counted = [review for review in mine if review not in own]
    if not counted:
        detail = f"{sampling.reason}; waiting for a review of diff {diff_sha256[:12]}"
        if own:
            who = own[-1].reviewer
            detail += f" (the review by {who} does not count: {who} wrote the change)"
        return GateResult(gate.name, "review", "pending", detail, data)
    latest = counted[-1]
    if latest.outcome not in REVIEW_OUTCOMES:
        detail = (
            f"the latest review of diff {diff_sha256[:12]}, by {latest.reviewer}, records outcome "
            f"{latest.outcome!r}, neither pass nor fail; record it again with "
            "`signoff review record --outcome pass|fail`"
        )
        return GateResult(gate.name, "review", "blocked", detail, data)
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
    counted = {person_key(view.approver) for view in views if view.state == "counted"}
    data = {"group": group_name, "members": list(group), "required": gate.required}
    if not group:
        detail = f"approver group '{group_name}' has no members; add people under [approvers]"
        return GateResult(gate.name, "approval", "blocked", detail, data), views
    unreachable = _unreachable(gate, group, inputs.authors)
    if unreachable is not None:
        return GateResult(gate.name, "approval", "blocked", unreachable, data), views
    parts = [f"{len(counted)} of {gate.required} approval(s) from {group_name}"]
    void = [view for view in views if view.state == "void"]
    if void:
        latest = void[-1]
        parts.append(
            f"void: {latest.approver} approved diff {latest.diff_sha256[:12] or '(none named)'}, "
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


def _unreachable(gate: GateDefinition, group: Sequence[str], authors: Sequence[str]) -> str | None:
    """Why no set of approvals could ever pass the gate, or None: waiting would be forever."""
    members = {person_key(member) for member in group}
    eligible = members if gate.allow_author else members - {person_key(a) for a in authors}
    if len(eligible) >= gate.required:
        return None
    who = "member(s)" if gate.allow_author else "member(s) who did not write the change"
    return (
        f"{gate.required} approval(s) needed from {gate.approvers}, but only {len(eligible)} "
        f"{who} can give one; add people under [approvers] {gate.approvers} in signoff.toml"
    )


def _judge_gate(
    gate: GateDefinition,
    *,
    standards: Standards,
    spec: SpecFacts | None,
    spec_problem: str | None,
    diff: DiffSummary,
    irreversible: bool,
    inputs: GateInputs,
) -> tuple[GateResult, list[ApprovalView]]:
    """One gate's result (and, for an approval gate, how it judged each approval)."""
    name = gate.name
    kind: str = gate.kind  # a plain str: the check below must stay for kinds not yet known
    if name in inputs.input_errors:
        return GateResult(name, kind, "blocked", inputs.input_errors[name]), []
    if kind == "command":
        return _command_gate(gate, inputs.commands.get(name)), []
    if kind == "traceability":
        if spec is None:
            skipped = f"{spec_problem}: nothing to trace"
            return GateResult(name, "traceability", "skipped", skipped), []
        # Imported here: most gates never trace tests, and the module is a tenth of the rest.
        from signoff.core.gates.traceability import trace, traceability_gate  # noqa: PLC0415

        return traceability_gate(name, trace(spec.criteria, spec.spec_id, inputs.test_results)), []
    if kind == "review":
        own = decide_sampling(
            rate=gate.sample_rate,
            seed=gate.seed,
            spec_id=spec.spec_id if spec else None,
            diff_sha256=diff.sha256,
            irreversible=irreversible,
        )
        return _review_gate(gate, own, inputs.reviews, diff.sha256, inputs.authors), []
    if kind == "approval":
        return _approval_gate(gate, standards, inputs, diff.sha256)
    # A kind added to signoff.toml's validation but not here must not be judged as another.
    detail = (
        f"gate '{name}' has kind '{kind}', which this version of signoff cannot judge; "
        "upgrade signoff or change the gate's kind"
    )
    return GateResult(name, kind, "blocked", detail), []


def _policy_reasons(
    standards: Standards,
    spec: SpecFacts | None,
    spec_problem: str | None,
    diff: DiffSummary,
    level: str,
    *,
    gates_apply: bool,
) -> list[str]:
    """What blocks the change before any gate is judged: nothing to judge, or nothing to apply."""
    reasons: list[str] = []
    if spec is None and standards.gate.require_spec:
        reasons.append(f"{spec_problem}; the policy requires a spec ([gate] require_spec)")
    if diff.files == 0:
        reasons.append(
            f"the change {(diff.base or '?')[:12]}..{(diff.head or 'index')[:12]} is empty: "
            "nothing to judge; "
            "check --base and --head (or stage the change)"
        )
    if not gates_apply:
        # A pass with nothing checked is how a required check turns green without anyone deciding.
        reasons.append(
            f"no gate applies to this {level} change: [policy] {level} in signoff.toml names "
            "none and the spec adds none; name at least one gate there"
        )
    return reasons


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
    reasons = _policy_reasons(
        standards, spec, spec_problem, diff, risk.level, gates_apply=bool(names or unknown)
    )
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
        result, views = _judge_gate(
            standards.gates[name],
            standards=standards,
            spec=spec,
            spec_problem=spec_problem,
            diff=diff,
            irreversible=irreversible,
            inputs=inputs,
        )
        results.append(result)
        approvals.extend(views)
    statuses = [result.status for result in results]
    if reasons:
        statuses.append("blocked")
    verdict = combine(statuses)
    if verdict != "pass":
        reasons.extend(
            f"{result.name}: {result.detail}"
            for result in results
            if result.status == verdict or result.status not in _KNOWN_STATUSES
        )
    return Verdict(
        verdict=verdict,
        spec=spec.spec_id if spec else None,
        spec_source=spec.source if spec else None,
        diff=diff,
        risk=risk,
        gates=tuple(results),
        sampling=sampling,
        approvals=tuple(approvals),
        reasons=tuple(" ".join(reason.split()) for reason in reasons),  # one line each
    )


def blocked(reason: str, *, diff: DiffSummary | None = None, spec: str | None = None) -> Verdict:
    """The verdict when the gate could not decide at all; the reason is made one line."""
    return Verdict(
        verdict="blocked",
        spec=spec,
        spec_source=None,
        diff=diff,
        risk=None,
        gates=(),
        sampling=None,
        approvals=(),
        reasons=(" ".join(reason.split()),),
    )
