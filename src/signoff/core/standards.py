"""The slice's standards (``signoff.toml``) as frozen values.

The file is read and validated at the edge (``adapters/standards_file.py``); the core only ever
sees this already-valid shape, so rules and gates never re-check types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Mapping

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
class Standards:
    """Everything ``signoff.toml`` says, validated."""

    slice_name: str
    owners: tuple[str, ...] = ()
    specs_dir: str = "specs"
    approver_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    gates: Mapping[str, GateDefinition] = field(default_factory=dict)
    policy: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    checker: CheckerSettings = field(default_factory=CheckerSettings)

    def minimum_gates(self, level: str) -> tuple[str, ...]:
        """The gates the policy requires for a risk level (empty for an unknown level)."""
        return self.policy.get(level, ())
