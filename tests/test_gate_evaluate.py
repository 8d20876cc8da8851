"""The pure gate logic: sampling, approvals bound to a diff, reviews, commands, the verdict."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signoff.core.events import APPROVAL_GRANTED, APPROVAL_REVOKED, REVIEW_RECORDED, Event
from signoff.core.gates.evaluate import (
    CommandOutcome,
    GateInputs,
    SpecFacts,
    combine,
    evaluate,
    required_gates,
)
from signoff.core.gates.model import DiffSummary
from signoff.core.gates.sampling import decide_sampling, sample_value
from signoff.core.gates.signoffs import ApprovalRecord, Review, fold_approvals, fold_reviews
from signoff.core.risk.model import RiskAssessment
from signoff.core.standards import GateDefinition, Standards

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
DIFF = "a" * 64
OTHER_DIFF = "b" * 64
hashes = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


def standards(**policy: tuple[str, ...]) -> Standards:
    gates = {
        "tests": GateDefinition("tests", "command", command="make test"),
        "trace": GateDefinition("trace", "traceability"),
        "review": GateDefinition("review", "review", sample_rate=0.25, seed="s"),
        "approval": GateDefinition("approval", "approval", approvers="leads"),
        "two": GateDefinition("two", "approval", approvers="leads", required=2),
        "own": GateDefinition("own", "approval", approvers="leads", allow_author=True),
    }
    return Standards(
        slice_name="checkout",
        approver_groups={"leads": ("lead@example.com", "Second@Example.com")},
        gates=gates,
        policy={
            "reversible": policy.get("reversible", ()),
            "irreversible": policy.get("irreversible", ()),
        },
    )


def spec(*gates: str, criteria: tuple[str, ...] = ("AC-1",)) -> SpecFacts:
    return SpecFacts("SO-2", "flag", "reversible", (), gates, criteria)


def risk(level: str = "reversible") -> RiskAssessment:
    return RiskAssessment(
        declared_level="reversible",
        declared_categories=(),
        detected=(),
        level=level,  # type: ignore[arg-type]
        mismatches=(),
    )


def diff(sha: str = DIFF) -> DiffSummary:
    return DiffSummary("base", "head", sha, files=2, added=10, removed=1)


def approval(
    approver: str, sha: str = DIFF, *, revoked: bool = False, ident: int = 1
) -> ApprovalRecord:
    return ApprovalRecord(ident, approver, sha, NOW, "local", None, revoked)


def judge(
    rules: Standards,
    inputs: GateInputs,
    *,
    level: str = "reversible",
    the_spec: SpecFacts | None = None,
) -> tuple[str, dict[str, str]]:
    verdict = evaluate(
        standards=rules,
        spec=the_spec if the_spec is not None else spec(),
        spec_problem=None,
        diff=diff(),
        risk=risk(level),
        inputs=inputs,
    )
    return verdict.verdict, {gate.name: gate.status for gate in verdict.gates}


# ---------------------------------------------------------------- sampling


def test_the_sampling_value_replays_from_its_recorded_inputs() -> None:
    digest = hashlib.sha256(b"seed\0SO-2\0" + DIFF.encode()).digest()
    assert sample_value("seed", "SO-2", DIFF) == (int.from_bytes(digest[:8], "big") >> 11) / 2**53


@given(hashes, st.floats(0, 1), st.floats(0, 1))
def test_raising_the_rate_only_adds_changes(sha: str, low: float, high: float) -> None:
    low, high = sorted((low, high))
    at_low = decide_sampling(
        rate=low, seed="s", spec_id="SO-1", diff_sha256=sha, irreversible=False
    )
    at_high = decide_sampling(
        rate=high, seed="s", spec_id="SO-1", diff_sha256=sha, irreversible=False
    )
    assert 0 <= at_low.value < 1
    assert at_low.value == at_high.value
    assert not at_low.sampled or at_high.sampled


def test_the_sampled_share_follows_the_rate() -> None:
    shas = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(4000)]
    sampled = sum(
        decide_sampling(
            rate=0.25, seed="checkout", spec_id="SO-9", diff_sha256=sha, irreversible=False
        ).sampled
        for sha in shas
    )
    assert 0.22 < sampled / len(shas) < 0.28


def test_irreversible_changes_are_always_sampled_and_rate_zero_samples_nothing() -> None:
    always = decide_sampling(rate=0, seed="s", spec_id=None, diff_sha256=DIFF, irreversible=True)
    never = decide_sampling(rate=0, seed="s", spec_id=None, diff_sha256=DIFF, irreversible=False)
    assert always.sampled
    assert always.reason == "irreversible: always reviewed"
    assert not never.sampled
    assert never.reason.startswith("not sampled: value")


def test_seed_spec_and_diff_each_change_the_value() -> None:
    base = sample_value("s", "SO-1", DIFF)
    assert sample_value("t", "SO-1", DIFF) != base
    assert sample_value("s", "SO-2", DIFF) != base
    assert sample_value("s", "SO-1", OTHER_DIFF) != base


# ---------------------------------------------------------------- verdict combination


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((), "pass"),
        (("pass", "skipped"), "pass"),
        (("pass", "pending"), "pending"),
        (("pending", "fail"), "fail"),
        (("fail", "blocked", "pass"), "blocked"),
        (("skipped",), "pass"),
    ],
)
def test_blocked_beats_fail_beats_pending_beats_pass(
    statuses: tuple[str, ...], expected: str
) -> None:
    assert combine(statuses) == expected


@given(st.lists(st.sampled_from(["pass", "fail", "pending", "skipped", "blocked"])))
def test_only_passing_or_skipped_gates_make_a_pass(statuses: list[str]) -> None:
    assert (combine(statuses) == "pass") == all(s in ("pass", "skipped") for s in statuses)


# ---------------------------------------------------------------- which gates apply


def test_the_policy_minimum_comes_first_and_the_spec_only_adds() -> None:
    rules = standards(reversible=("tests",), irreversible=("tests", "approval"))
    assert required_gates(rules, "reversible", spec("review", "tests")) == (
        ("tests", "review"),
        (),
    )
    assert required_gates(rules, "irreversible", spec()) == (("tests", "approval"), ())
    assert required_gates(rules, "reversible", spec("nightly")) == (("tests",), ("nightly",))


def test_a_gate_the_spec_names_but_nobody_defined_blocks() -> None:
    rules = standards(reversible=("tests",))
    ok = GateInputs(commands={"tests": CommandOutcome(0, "", 1.0)})
    verdict, statuses = judge(rules, ok, the_spec=spec("nightly"))
    assert verdict == "blocked"
    assert statuses["nightly"] == "blocked"


# ---------------------------------------------------------------- command gates


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (CommandOutcome(0, "ok", 0.5), "pass"),
        (CommandOutcome(2, "boom", 0.5), "fail"),
        (CommandOutcome(None, "", 600.0, error="timed out after 600s"), "fail"),
        (None, "pending"),
    ],
)
def test_command_gate(outcome: CommandOutcome | None, expected: str) -> None:
    inputs = GateInputs(commands={} if outcome is None else {"tests": outcome})
    verdict, statuses = judge(standards(reversible=("tests",)), inputs)
    assert statuses == {"tests": expected}
    assert verdict == expected


def test_a_blocked_input_blocks_its_gate() -> None:
    inputs = GateInputs(input_errors={"trace": "reports/junit.xml:3: not well-formed"})
    verdict, statuses = judge(standards(reversible=("trace",)), inputs)
    assert (verdict, statuses) == ("blocked", {"trace": "blocked"})


# ---------------------------------------------------------------- review gates


def _review(sha: str, outcome: str, ident: int = 1) -> Review:
    return Review(ident, "reviewer@example.com", sha, outcome, None, NOW, "local")


def _sampled_spec() -> SpecFacts:
    """A spec whose diff DIFF is sampled at the review gate's rate 0.25 (found, not assumed)."""
    for number in range(1, 200):
        candidate = replace(spec(), spec_id=f"SO-{number}")
        if sample_value("s", candidate.spec_id, DIFF) < 0.25:
            return candidate
    raise AssertionError("no sampled spec id in 200")  # pragma: no cover


def _unsampled_spec() -> SpecFacts:
    for number in range(1, 200):
        candidate = replace(spec(), spec_id=f"SO-{number}")
        if sample_value("s", candidate.spec_id, DIFF) >= 0.25:
            return candidate
    raise AssertionError("no unsampled spec id in 200")  # pragma: no cover


def test_an_unsampled_reversible_change_skips_review_with_the_replayable_reason() -> None:
    rules = standards(reversible=("review",))
    verdict = evaluate(
        standards=rules,
        spec=_unsampled_spec(),
        spec_problem=None,
        diff=diff(),
        risk=risk(),
        inputs=GateInputs(),
    )
    assert verdict.verdict == "pass"
    (gate,) = verdict.gates
    assert gate.status == "skipped"
    assert "not sampled: value" in gate.detail
    assert verdict.sampling is not None
    assert not verdict.sampling.sampled


@pytest.mark.parametrize(
    ("reviews", "expected"),
    [
        ((), "pending"),
        ((_review(OTHER_DIFF, "pass"),), "pending"),  # a review of another diff does not count
        ((_review(DIFF, "pass"),), "pass"),
        ((_review(DIFF, "fail"),), "fail"),
        ((_review(DIFF, "fail"), _review(DIFF, "pass", 2)), "pass"),  # the latest review counts
    ],
)
def test_a_sampled_change_waits_for_a_review_of_its_diff(
    reviews: tuple[Review, ...], expected: str
) -> None:
    _verdict, statuses = judge(
        standards(reversible=("review",)), GateInputs(reviews=reviews), the_spec=_sampled_spec()
    )
    assert statuses == {"review": expected}


def test_an_irreversible_change_is_always_reviewed() -> None:
    _verdict, statuses = judge(
        standards(irreversible=("review",)),
        GateInputs(),
        level="irreversible",
        the_spec=_unsampled_spec(),
    )
    assert statuses == {"review": "pending"}


# ---------------------------------------------------------------- approval gates


@pytest.mark.parametrize(
    ("gate", "approvals", "authors", "expected", "states"),
    [
        ("approval", (), (), "pending", []),
        ("approval", (approval("lead@example.com"),), (), "pass", ["counted"]),
        ("approval", (approval("LEAD@example.com"),), (), "pass", ["counted"]),
        ("approval", (approval("lead@example.com", OTHER_DIFF),), (), "pending", ["void"]),
        ("approval", (approval("lead@example.com", revoked=True),), (), "pending", ["revoked"]),
        ("approval", (approval("intern@example.com"),), (), "pending", ["not-approver"]),
        (
            "approval",
            (approval("lead@example.com"),),
            ("lead@example.com",),
            "pending",
            ["author"],
        ),
        ("own", (approval("lead@example.com"),), ("lead@example.com",), "pass", ["counted"]),
        ("two", (approval("lead@example.com"),), (), "pending", ["counted"]),
        (
            "two",
            (approval("lead@example.com"), approval("lead@example.com", ident=2)),
            (),
            "pending",
            ["counted", "counted"],
        ),
        (
            "two",
            (approval("lead@example.com"), approval("second@example.com", ident=2)),
            (),
            "pass",
            ["counted", "counted"],
        ),
    ],
)
def test_approvals_count_for_the_exact_diff_by_group_members_who_did_not_write_it(
    gate: str,
    approvals: tuple[ApprovalRecord, ...],
    authors: tuple[str, ...],
    expected: str,
    states: list[str],
) -> None:
    rules = standards(irreversible=(gate,))
    verdict = evaluate(
        standards=rules,
        spec=spec(),
        spec_problem=None,
        diff=diff(),
        risk=risk("irreversible"),
        inputs=GateInputs(approvals=approvals, authors=authors),
    )
    assert verdict.verdict == expected
    assert [view.state for view in verdict.approvals] == states


def test_a_void_approval_is_explained() -> None:
    rules = standards(irreversible=("approval",))
    verdict = evaluate(
        standards=rules,
        spec=spec(),
        spec_problem=None,
        diff=diff(),
        risk=risk("irreversible"),
        inputs=GateInputs(approvals=(approval("lead@example.com", OTHER_DIFF),)),
    )
    (gate,) = verdict.gates
    assert f"void: lead@example.com approved diff {OTHER_DIFF[:12]}" in gate.detail
    assert f"the change is now {DIFF[:12]}" in gate.detail
    assert any("void" in reason for reason in verdict.reasons)


def test_an_empty_approver_group_blocks_rather_than_waits_forever() -> None:
    rules = replace(standards(irreversible=("approval",)), approver_groups={"leads": ()})
    verdict, statuses = judge(rules, GateInputs(), level="irreversible")
    assert (verdict, statuses) == ("blocked", {"approval": "blocked"})


def test_no_spec_blocks_only_when_the_policy_requires_one() -> None:
    from signoff.core.standards import GateSettings

    rules = standards(reversible=("tests",))
    inputs = GateInputs(commands={"tests": CommandOutcome(0, "", 0.1)})
    kwargs = {"spec": None, "spec_problem": "no spec found", "diff": diff(), "risk": risk()}
    assert evaluate(standards=rules, inputs=inputs, **kwargs).verdict == "pass"  # type: ignore[arg-type]
    strict = replace(rules, gate=GateSettings(require_spec=True))
    blocked = evaluate(standards=strict, inputs=inputs, **kwargs)  # type: ignore[arg-type]
    assert blocked.verdict == "blocked"
    assert "require_spec" in blocked.reasons[0]


# ---------------------------------------------------------------- folding the ledger


def _event(ident: int, kind: str, actor: str, **payload: object) -> Event:
    return Event(ident, kind, "SO-2", actor, NOW, NOW, f"k{ident}", None, payload)


def test_approvals_and_reviews_fold_from_events() -> None:
    events = [
        _event(1, APPROVAL_GRANTED, "lead@example.com", diff_sha256=DIFF, comment="ok"),
        _event(2, APPROVAL_GRANTED, "second@example.com", diff_sha256=DIFF),
        _event(3, APPROVAL_REVOKED, "lead@example.com", approval_id=1, diff_sha256=DIFF),
        _event(4, REVIEW_RECORDED, "bot@example.com", diff_sha256=DIFF, outcome="pass"),
    ]
    approvals = fold_approvals(events)
    assert [(a.approver, a.revoked, a.comment) for a in approvals] == [
        ("lead@example.com", True, "ok"),
        ("second@example.com", False, None),
    ]
    (review,) = fold_reviews(events)
    assert (review.reviewer, review.outcome, review.diff_sha256) == (
        "bot@example.com",
        "pass",
        DIFF,
    )


# ---------------------------------------------------------------- fails closed: odd inputs


@given(st.lists(st.text(max_size=12)))
def test_any_status_that_is_not_pass_or_skipped_keeps_the_verdict_from_passing(
    statuses: list[str],
) -> None:
    verdict = combine(statuses)
    assert (verdict == "pass") == all(s in ("pass", "skipped") for s in statuses)
    if any(s not in ("pass", "skipped", "pending", "fail", "blocked") for s in statuses):
        assert verdict == "blocked"  # a status nobody knows is not a decision


def test_a_gate_of_a_kind_the_gate_does_not_know_blocks_rather_than_judged_as_another() -> None:
    odd = GateDefinition("odd", "nightly", approvers="leads")  # type: ignore[arg-type]
    rules = replace(
        standards(), gates={**standards().gates, "odd": odd}, policy={"reversible": ("odd",)}
    )
    verdict, statuses = judge(rules, GateInputs(approvals=(approval("lead@example.com"),)))
    assert (verdict, statuses) == ("blocked", {"odd": "blocked"})


@pytest.mark.parametrize("level", ["reversible", "irreversible"])
def test_a_change_no_gate_applies_to_is_blocked_not_passed(level: str) -> None:
    rules = standards()  # the policy names no gate for either level
    verdict = evaluate(
        standards=rules,
        spec=spec(),
        spec_problem=None,
        diff=diff(),
        risk=risk(level),
        inputs=GateInputs(),
    )
    assert verdict.verdict == "blocked"
    assert any(f"[policy] {level}" in reason for reason in verdict.reasons)


def test_an_empty_diff_is_blocked_not_passed() -> None:
    rules = standards(reversible=("tests",))
    verdict = evaluate(
        standards=rules,
        spec=spec(),
        spec_problem=None,
        diff=replace(diff(), files=0, added=0, removed=0),
        risk=risk(),
        inputs=GateInputs(commands={"tests": CommandOutcome(0, "", 0.1)}),
    )
    assert verdict.verdict == "blocked"
    assert any("empty" in reason for reason in verdict.reasons)


@pytest.mark.parametrize("outcome", ["", "PASS", "approved", "pass ", "None"])
def test_a_review_whose_outcome_is_neither_pass_nor_fail_blocks(outcome: str) -> None:
    _verdict, statuses = judge(
        standards(reversible=("review",)),
        GateInputs(reviews=(_review(DIFF, outcome),)),
        the_spec=_sampled_spec(),
    )
    assert statuses == {"review": "blocked"}


def test_a_review_by_the_changes_author_does_not_count() -> None:
    mine = Review(1, "Agent@Example.com", DIFF, "pass", None, NOW, "local")
    verdict = evaluate(
        standards=standards(reversible=("review",)),
        spec=_sampled_spec(),
        spec_problem=None,
        diff=diff(),
        risk=risk(),
        inputs=GateInputs(reviews=(mine,), authors=("agent@example.com",)),
    )
    (gate,) = verdict.gates
    assert gate.status == "pending"
    assert "Agent@Example.com wrote the change" in gate.detail
    # Another person's review of the same diff counts.
    theirs = replace(mine, event_id=2, reviewer="lead@example.com")
    verdict = evaluate(
        standards=standards(reversible=("review",)),
        spec=_sampled_spec(),
        spec_problem=None,
        diff=diff(),
        risk=risk(),
        inputs=GateInputs(reviews=(mine, theirs), authors=("agent@example.com",)),
    )
    assert verdict.gates[0].status == "pass"


def test_an_approval_with_no_diff_hash_never_counts() -> None:
    verdict, statuses = judge(
        standards(irreversible=("approval",)),
        GateInputs(approvals=(approval("lead@example.com", ""),)),
        level="irreversible",
    )
    assert (verdict, statuses) == ("pending", {"approval": "pending"})


def test_required_counts_distinct_people_however_their_identity_is_spelt() -> None:
    spellings = (
        approval("lead@example.com"),
        approval(" LEAD@example.com ", ident=2),
        approval("Lead@Example.COM\t", ident=3),
    )
    verdict, statuses = judge(
        standards(irreversible=("two",)), GateInputs(approvals=spellings), level="irreversible"
    )
    assert (verdict, statuses) == ("pending", {"two": "pending"})


def test_two_approval_gates_with_different_groups_each_judge_their_own_members() -> None:
    base = standards()
    rules = replace(
        base,
        approver_groups={"leads": ("lead@example.com",), "dba": ("dba@example.com",)},
        gates={
            **base.gates,
            "lead-ok": GateDefinition("lead-ok", "approval", approvers="leads"),
            "dba-ok": GateDefinition("dba-ok", "approval", approvers="dba"),
        },
        policy={"irreversible": ("lead-ok", "dba-ok")},
    )
    only_lead = GateInputs(approvals=(approval("lead@example.com"),))
    verdict = evaluate(
        standards=rules,
        spec=spec(),
        spec_problem=None,
        diff=diff(),
        risk=risk("irreversible"),
        inputs=only_lead,
    )
    assert verdict.verdict == "pending"
    assert {g.name: g.status for g in verdict.gates} == {"lead-ok": "pass", "dba-ok": "pending"}
    assert [(v.gate, v.state) for v in verdict.approvals] == [
        ("lead-ok", "counted"),
        ("dba-ok", "not-approver"),
    ]
    both = GateInputs(
        approvals=(approval("lead@example.com"), approval("DBA@example.com", ident=2))
    )
    verdict = evaluate(
        standards=rules,
        spec=spec(),
        spec_problem=None,
        diff=diff(),
        risk=risk("irreversible"),
        inputs=both,
    )
    assert verdict.verdict == "pass"


@pytest.mark.parametrize(
    ("members", "authors", "allow_author"),
    [
        (("lead@example.com", "LEAD@example.com"), (), False),  # one person, spelt twice
        (("lead@example.com", "second@example.com"), ("second@example.com",), False),
    ],
)
def test_an_approval_gate_nobody_can_satisfy_blocks_rather_than_waits_forever(
    members: tuple[str, ...], authors: tuple[str, ...], allow_author: bool
) -> None:
    base = standards(irreversible=("two",))
    rules = replace(base, approver_groups={"leads": members})
    rules = replace(
        rules,
        gates={
            **rules.gates,
            "two": replace(rules.gates["two"], allow_author=allow_author),
        },
    )
    verdict, statuses = judge(rules, GateInputs(authors=authors), level="irreversible")
    assert (verdict, statuses) == ("blocked", {"two": "blocked"})
    # Allowing authors makes the author's approval possible again: the gate only waits.
    if authors:
        lenient = replace(
            rules, gates={**rules.gates, "two": replace(rules.gates["two"], allow_author=True)}
        )
        assert judge(lenient, GateInputs(authors=authors), level="irreversible")[0] == "pending"


def test_several_review_gates_are_each_judged_by_their_own_rate() -> None:
    base = standards()
    never = GateDefinition("never", "review", sample_rate=0.0, seed="s")
    always = GateDefinition("always", "review", sample_rate=1.0, seed="s")
    rules = replace(
        base,
        gates={**base.gates, "never": never, "always": always},
        policy={"reversible": ("never", "always")},
    )
    verdict = evaluate(
        standards=rules,
        spec=spec(),
        spec_problem=None,
        diff=diff(),
        risk=risk(),
        inputs=GateInputs(),
    )
    assert {g.name: g.status for g in verdict.gates} == {"never": "skipped", "always": "pending"}
    assert verdict.sampling is not None
    assert verdict.sampling.rate == 0.0  # the verdict's sampling is the first review gate's
    by_name = {g.name: g.data for g in verdict.gates}
    assert by_name["never"]["sampled"] is False
    assert by_name["always"]["sampled"] is True
    assert by_name["always"]["sample_rate"] == 1.0


def test_the_sampling_value_is_below_one_even_for_the_largest_hash() -> None:
    # Read as a float, the top 64 bits of a hash near 2**64 rounded up to exactly 1.0, which
    # a rate of 1.0 (review everything) would not sample.
    from signoff.core.gates.sampling import fraction

    assert fraction(b"\xff" * 32) < 1.0
    assert fraction(b"\x00" * 32) == 0.0
    assert decide_sampling(
        rate=1.0, seed="s", spec_id=None, diff_sha256=DIFF, irreversible=False
    ).sampled


def test_blocked_reasons_are_one_line() -> None:
    from signoff.core.gates.evaluate import blocked

    verdict = blocked("git failed:\n  fatal: bad object\r\n  more")
    assert verdict.reasons == ("git failed: fatal: bad object more",)


def test_every_reason_of_a_verdict_is_one_line() -> None:
    base = standards()
    multi = GateDefinition("tests", "command", command="make lint\nmake test")
    rules = replace(base, gates={**base.gates, "tests": multi}, policy={"reversible": ("tests",)})
    verdict = evaluate(
        standards=rules,
        spec=spec(),
        spec_problem=None,
        diff=diff(),
        risk=risk(),
        inputs=GateInputs(commands={"tests": CommandOutcome(2, "", 0.1)}),
    )
    assert verdict.verdict == "fail"
    assert verdict.reasons
    assert all("\n" not in reason for reason in verdict.reasons)
