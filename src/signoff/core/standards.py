"""The slice's standards (``signoff.toml``) as frozen values.

The file is read and validated at the edge (``adapters/standards_file.py``); the core only ever
sees this already-valid shape, so rules and gates never re-check types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Mapping

    from signoff.core.risk.model import RiskRule

GateKind = Literal["command", "traceability", "review", "approval"]
GATE_KINDS: tuple[GateKind, ...] = ("command", "traceability", "review", "approval")
SeverityName = Literal["error", "warning", "off"]

DEFAULT_MAX_ACCEPTANCE_CRITERIA = 8


@dataclass(frozen=True, slots=True)
class GateDefinition:
    """One named gate: its kind and the settings that kind uses (others keep their defaults)."""

    name: str
    kind: GateKind
    command: str | None = None
    timeout_seconds: int = 600
    junit: tuple[str, ...] = ()
    sample_rate: float = 0.25
    seed: str = "signoff"
    approvers: str | None = None
    required: int = 1
    allow_author: bool = False


@dataclass(frozen=True, slots=True)
class CheckerSettings:
    """How ``signoff spec check`` is tuned for this slice."""

    max_acceptance_criteria: int = DEFAULT_MAX_ACCEPTANCE_CRITERIA
    disabled: frozenset[str] = frozenset()
    severity: Mapping[str, SeverityName] = field(default_factory=dict)
    extra_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RiskSettings:
    """``[risk]``: which built-in rules run, and the slice's own (``[[risk.rules]]``)."""

    builtin: bool = True
    disabled: frozenset[str] = frozenset()
    rules: tuple[RiskRule, ...] = ()


@dataclass(frozen=True, slots=True)
class GateSettings:
    """``[gate]``: how ``signoff gate`` treats a change."""

    require_spec: bool = False  # True: a change whose spec cannot be found is blocked
    default_branch: str | None = None  # None: origin/HEAD, then main, then master


@dataclass(frozen=True, slots=True)
class Standards:
    """Everything ``signoff.toml`` says, validated."""

    slice_name: str
    owners: tuple[str, ...] = ()
    specs_dir: str = "specs"
    approver_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    gates: Mapping[str, GateDefinition] = field(default_factory=dict)
    policy: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    checker: CheckerSettings = field(default_factory=CheckerSettings)
    risk: RiskSettings = field(default_factory=RiskSettings)
    gate: GateSettings = field(default_factory=GateSettings)

    def risk_rules(self) -> tuple[RiskRule, ...]:
        """The rules the gate runs: built-in ones (unless switched off) and the slice's own."""
        if not self.risk.builtin:
            return self.risk.rules
        # Imported here: the rule table is data, but `signoff spec check` never needs it.
        from signoff.core.risk.builtin import builtin_rules  # noqa: PLC0415

        return builtin_rules(self.risk.disabled) + self.risk.rules

    def minimum_gates(self, level: str) -> tuple[str, ...]:
        """The gates the policy requires for a risk level (empty for an unknown level)."""
        return self.policy.get(level, ())
