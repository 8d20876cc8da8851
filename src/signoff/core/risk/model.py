"""The values risk detection works with and produces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from signoff.core.risk.categories import CATEGORIES

if TYPE_CHECKING:
    from collections.abc import Sequence

RiskLevel = Literal["reversible", "irreversible"]
RuleOrigin = Literal["builtin", "slice"]


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


EVIDENCE_CAP = 20  # pieces of evidence kept per category; the rest are counted


@dataclass(frozen=True, slots=True)
class Recorded:
    """One piece of evidence as a scanner recorded it, with what merging scanners needs.

    ``order`` is (phase, file index): files are read in the diff's order, dependency manifests
    (whose text is read in one batch at the end) after the rest; ``seq`` orders one scanner's
    evidence within a file. ``once`` marks evidence reported once per diff (a new directory):
    another scanner's earlier copy wins.
    """

    order: tuple[int, int]
    seq: int
    category: str
    evidence: Evidence
    once: bool = False


@dataclass(frozen=True, slots=True)
class DetectionPart:
    """What one scanner found in its part of a diff: its evidence (the first ``cap`` per
    category, and every piece reported once) and how many pieces it found per category."""

    recorded: tuple[Recorded, ...]
    counts: tuple[tuple[str, int], ...]


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


def merge_parts(
    parts: Sequence[DetectionPart], evidence_cap: int = EVIDENCE_CAP
) -> tuple[Detection, ...]:
    """The detections of a whole diff from its scanners' parts: exactly what one scanner
    reading every file would have found (the first ``evidence_cap`` pieces per category in
    the diff's order, a new directory once, every piece counted)."""
    cap = max(1, evidence_cap)
    counts: dict[str, int] = {}
    for part in parts:
        for category, count in part.counts:
            counts[category] = counts.get(category, 0) + count
    kept: dict[str, list[Evidence]] = {}
    reported: set[tuple[str, str, str]] = set()
    everything = sorted(
        (recorded for part in parts for recorded in part.recorded),
        key=lambda recorded: (recorded.order, recorded.seq),
    )
    for recorded in everything:
        category, evidence = recorded.category, recorded.evidence
        if recorded.once:
            key = (category, evidence.rule, evidence.text)
            if key in reported:  # another scanner reported it earlier in the diff
                counts[category] -= 1
                continue
            reported.add(key)
        shown = kept.setdefault(category, [])
        if len(shown) < cap:
            shown.append(evidence)
    return tuple(
        Detection(category, tuple(kept[category]), counts[category])
        for category in CATEGORIES
        if counts.get(category)
    )
