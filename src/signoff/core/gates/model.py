"""The verdict on one change and the parts it is made of, as plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from signoff.core.risk.model import RiskAssessment

GateStatus = Literal["pass", "fail", "pending", "skipped", "blocked"]
VerdictName = Literal["pass", "pending", "fail", "blocked"]

# Documented in docs/gates.md; CI scripts depend on them.
VERDICT_EXIT_CODES: dict[str, int] = {"pass": 0, "fail": 1, "blocked": 2, "pending": 3}
VERDICTS: tuple[VerdictName, ...] = ("pass", "pending", "fail", "blocked")


@dataclass(frozen=True, slots=True)
class Location:
    """Where a gate's problem is, for SARIF and annotations (line None: the whole file)."""

    path: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class GateResult:
    """One gate's outcome. ``data`` holds what that kind adds (uncovered criteria, output...)."""

    name: str
    kind: str
    status: GateStatus
    detail: str
    data: Mapping[str, Any] = field(default_factory=dict)
    locations: tuple[Location, ...] = ()


@dataclass(frozen=True, slots=True)
class Sampling:
    """The replayable review-sampling decision: ``value < rate`` means sampled."""

    rate: float
    seed: str
    value: float
    sampled: bool
    reason: str


@dataclass(frozen=True, slots=True)
class ApprovalView:
    """A recorded approval as the verdict judged it.

    ``state`` is ``counted``, ``void`` (it names another diff), ``revoked``, ``author`` (the
    change's author, not allowed to approve) or ``not-approver`` (not in the group).
    """

    approver: str
    diff_sha256: str
    approved_at: datetime
    source: str
    comment: str | None
    state: str
    gate: str | None = None


@dataclass(frozen=True, slots=True)
class DiffSummary:
    """The change a verdict judged: its revisions, its hash, and its size."""

    base: str | None
    head: str | None
    sha256: str
    files: int
    added: int
    removed: int
    staged: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    """The gate's answer for one change. ``reasons`` say why it is blocked or not passing."""

    verdict: VerdictName
    spec: str | None
    spec_source: str | None
    diff: DiffSummary | None
    risk: RiskAssessment | None
    gates: tuple[GateResult, ...]
    sampling: Sampling | None
    approvals: tuple[ApprovalView, ...]
    reasons: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        return VERDICT_EXIT_CODES[self.verdict]
