"""The values risk detection works with and produces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from signoff.core.specs.model import RISK_CATEGORIES

RiskLevel = Literal["reversible", "irreversible"]
RuleOrigin = Literal["builtin", "slice"]

CATEGORIES: tuple[str, ...] = RISK_CATEGORIES


@dataclass(frozen=True, slots=True)
class RiskRule:
    """One detection rule.

    It fires on a file whose path matches ``paths`` (gitignore-style; empty means any path) and
    not ``exclude``; when ``added_lines`` or ``removed_lines`` (regular expressions) are given,
    it fires only on a line of that side matching one of them. Every firing is evidence.

    ``skip_comments`` drops line matches on lines that are comments (``#``, ``//``, ``--``,
    ``/*``, ``<!--`` ...): a comment that mentions ``DROP TABLE`` changes no schema. ``detector``
    names a code detector (``core/risk/detectors.py``) that does the work instead of the line
    patterns; ``paths`` and ``exclude`` still decide which files it sees.
    """

    id: str
    category: str
    description: str
    paths: tuple[str, ...] = ()
    added_lines: tuple[str, ...] = ()
    removed_lines: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    origin: RuleOrigin = "builtin"
    skip_comments: bool = False
    detector: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a category was detected: where, by which rule, and the text that matched."""

    path: str
    line: int | None
    rule: str
    text: str


@dataclass(frozen=True, slots=True)
class Detection:
    """A category the diff shows, with its evidence (capped; ``count`` is the full number)."""

    category: str
    evidence: tuple[Evidence, ...]
    count: int


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A category the diff shows that the spec does not declare: itself a finding."""

    category: str
    message: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """Declared against detected risk. ``level`` is the higher of the two, never lower."""

    declared_level: RiskLevel | None
    declared_categories: tuple[str, ...]
    detected: tuple[Detection, ...]
    level: RiskLevel
    mismatches: tuple[Mismatch, ...]

    @property
    def detected_categories(self) -> tuple[str, ...]:
        return tuple(detection.category for detection in self.detected)
